"""Who may open persons and households, and the two predicates every app's rules build on.

Object access is decided in one place, ``tsunagu.access`` (consultations, case teams, consent
and meetings); these rules only ask it.
"""

import rules

from tsunagu import access


@rules.predicate
def handles_cases(user) -> bool:
    """The acting role works with persons (not the system administrator, not a guest)."""
    return access.may_handle_cases(user)


@rules.predicate
def may_view(user, obj) -> bool:
    return obj is not None and access.can_view(user, obj)


rules.add_perm("people.use", handles_cases)
rules.add_perm("people.view_person", may_view)
rules.add_perm("people.view_household", may_view)
