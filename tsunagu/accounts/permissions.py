"""Role predicates and the permissions that decide what each role may open.

Access always follows the membership the user is *acting under* (``user.acting_membership``,
set by :class:`~tsunagu.accounts.middleware.ActingMembershipMiddleware` or by an API token),
so a person who works for two agencies sees each agency's work only while acting for it.
Person-level access (case teams, consent) is decided by the domain apps' own predicates.
"""

from __future__ import annotations

import rules

from .acting import STAFF_ROLES, acting
from .models import Role


def acting_role(user) -> str | None:
    return acting(user).role


def has_role(*roles: str) -> rules.Predicate:
    wanted = frozenset(roles)
    name = "has_role:" + ",".join(sorted(wanted))

    @rules.predicate(name=name)
    def predicate(user) -> bool:
        return bool(user and user.is_authenticated and user.is_active) and (
            acting_role(user) in wanted
        )

    return predicate


is_staff_role = has_role(*STAFF_ROLES)
is_municipal_officer = has_role(Role.MUNICIPAL_OFFICER)
is_system_admin = has_role(Role.ADMIN)

rules.add_perm("accounts.view_directory", is_staff_role | is_system_admin)
rules.add_perm("accounts.use_admin_site", is_system_admin)
# ログインのロック: the program office and the system administrator unlock a user ID
rules.add_perm("accounts.unlock_login", is_municipal_officer | is_system_admin)
# 役割付与の承認 (四つの目): a municipal officer approves what the administrator proposed
rules.add_perm("accounts.decide_role_grant", is_municipal_officer)
# APIトークン: every signed-in user issues and revokes tokens for their own memberships
rules.add_perm("accounts.manage_own_tokens", rules.is_authenticated & rules.is_active)

# The admin site: the system-administrator role manages users, memberships, agencies and
# areas. Nothing is ever deleted there (deactivate instead), and no case content is registered.
ADMIN_MODELS = (
    "user",
    "membership",
    "rolegrantrequest",
    "agency",
    "agencyprogram",
    "area",
    "apitoken",
)
rules.add_perm("accounts.view_loginattempt", is_system_admin)  # failed sign-ins and locks
for _model in ADMIN_MODELS:
    for _action in ("view", "add", "change"):
        rules.add_perm(f"accounts.{_action}_{_model}", is_system_admin)
rules.add_perm("accounts", is_system_admin)  # the app's entry on the admin index
