"""Who reviews 名寄せ candidates and merges persons: the program office and coordinators.

Object access (which persons) is decided by ``tsunagu.access.persons_visible_to``; these
rules only say which roles may review at all.
"""

import rules

from tsunagu.accounts.models import Role

REVIEWING_ROLES = frozenset({Role.MUNICIPAL_OFFICER, Role.COORDINATOR})


@rules.predicate
def reviews_linkage(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    membership = getattr(user, "acting_membership", None)
    return membership is not None and membership.role in REVIEWING_ROLES


rules.add_perm("linkage.review", reviews_linkage)
