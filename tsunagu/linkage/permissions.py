"""Who reviews 名寄せ candidates, merges persons and imports CSV files: the program office and
coordinators; and which imports each of them sees.

Object access to persons is decided by ``tsunagu.access.persons_visible_to``; the rule here
only says which roles may review at all. The program office sees every CSV import, a
coordinator those uploaded for their acting agency.
"""

import rules

from tsunagu import access
from tsunagu.accounts.acting import acting
from tsunagu.accounts.models import Role

from .models import ImportBatch

REVIEWING_ROLES = frozenset({Role.MUNICIPAL_OFFICER, Role.COORDINATOR})


@rules.predicate
def reviews_linkage(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return acting(user).has_role(*REVIEWING_ROLES)


rules.add_perm("linkage.review", reviews_linkage)


def batches_visible_to(user):
    """The program office sees every import; a coordinator those of their acting agency."""
    if user is None or not user.has_perm("linkage.review"):
        return ImportBatch.objects.none()
    if access.sees_everything(user):
        return ImportBatch.objects.all()
    return ImportBatch.objects.filter(agency_id=access.acting_agency_id(user))
