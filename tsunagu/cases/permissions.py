import rules

from tsunagu.accounts.models import Role
from tsunagu.consultations.permissions import handles_cases, may_view

COORDINATING_ROLES = frozenset({Role.COORDINATOR, Role.MUNICIPAL_OFFICER})


def coordinating_role(user) -> bool:
    membership = getattr(user, "acting_membership", None)
    return membership is not None and membership.role in COORDINATING_ROLES


@rules.predicate
def manages_case(user, case) -> bool:
    """The case's coordinating agency acting as coordinator, or the program office."""
    membership = getattr(user, "acting_membership", None)
    if case is None or not coordinating_role(user):
        return False
    return (
        membership.role == Role.MUNICIPAL_OFFICER
        or membership.agency_id == case.coordinating_agency_id
    )


rules.add_perm("cases.use", handles_cases)
rules.add_perm("cases.view_case", may_view)
rules.add_perm("cases.manage_case", may_view & manages_case)
