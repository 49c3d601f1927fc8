"""Pick the membership (agency + role) a signed-in user is acting under for this request."""

from __future__ import annotations

from .models import Membership

SESSION_KEY = "tsunagu_membership_id"


def resolve_acting_membership(
    memberships: list[Membership], preferred_id: int | None
) -> Membership | None:
    """The preferred membership if it is among ``memberships``, otherwise the first one."""
    for membership in memberships:
        if membership.pk == preferred_id:
            return membership
    return memberships[0] if memberships else None


class ActingMembershipMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            memberships = list(user.active_memberships().order_by("id"))
            membership = resolve_acting_membership(memberships, request.session.get(SESSION_KEY))
            user.acting_membership = membership
            request.memberships = memberships
            request.membership = membership
            if membership is not None and request.session.get(SESSION_KEY) != membership.pk:
                request.session[SESSION_KEY] = membership.pk
        else:
            request.membership = None
            request.memberships = []
        return self.get_response(request)
