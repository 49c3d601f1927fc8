"""Who the user is acting as: one agency and one role at a time.

A person who works for two agencies sees each agency's work only while acting for it. The
membership they act under is set on the user by the middleware (session sign-in) or by the
API token, and every rule reads it through :func:`acting` — never by ``getattr`` — so that
the role sets below are defined once:

    >>> me = acting(request.user)
    >>> me.agency_id, me.role, me.works_with_persons, me.coordinates, me.is_office
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from .models import Role

# Roles that work with persons (consultations, cases, outreach, participation, community).
# The system administrator and meeting guests are not among them.
STAFF_ROLES = frozenset(
    {
        Role.MUNICIPAL_OFFICER,
        Role.COORDINATOR,
        Role.DESK_WORKER,
        Role.OUTREACH_WORKER,
        Role.PARTICIPATION_WORKER,
        Role.COMMUNITY_COORDINATOR,
    }
)
# Roles that take the coordinator's steps on a 多機関協働 case (the office on every case).
COORDINATING_ROLES = frozenset({Role.COORDINATOR, Role.MUNICIPAL_OFFICER})


@dataclass(frozen=True)
class Acting:
    """The acting membership of a signed-in, active user (``membership`` is ``None`` for
    anyone else, and then every question answers no)."""

    membership: object | None

    def __bool__(self) -> bool:
        return self.membership is not None

    @property
    def agency_id(self) -> int | None:
        return self.membership.agency_id if self.membership is not None else None

    @property
    def agency(self):
        return self.membership.agency if self.membership is not None else None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership is not None else None

    def has_role(self, *roles: str) -> bool:
        return self.role is not None and self.role in roles

    @property
    def works_with_persons(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def coordinates(self) -> bool:
        return self.role in COORDINATING_ROLES

    @property
    def is_office(self) -> bool:
        """The program office (自治体の事務局): sees and manages the whole program."""
        return self.role == Role.MUNICIPAL_OFFICER

    @property
    def is_guest(self) -> bool:
        return self.role == Role.MEETING_GUEST

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


NOBODY = Acting(None)


def acting(user) -> Acting:
    """The membership ``user`` acts under (a request is accepted too)."""
    if isinstance(user, HttpRequest):
        user = user.user
    if not (user is not None and user.is_authenticated and user.is_active):
        return NOBODY
    return Acting(getattr(user, "acting_membership", None))
