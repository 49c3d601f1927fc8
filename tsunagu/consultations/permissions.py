import rules

from tsunagu import access


@rules.predicate
def handles_cases(user) -> bool:
    return access.may_handle_cases(user)


@rules.predicate
def may_view(user, obj) -> bool:
    return obj is not None and access.can_view(user, obj)


# Pages and endpoints of 包括的相談支援 (object access: tsunagu.access)
rules.add_perm("people.use", handles_cases)
rules.add_perm("people.view_person", may_view)
rules.add_perm("people.view_household", may_view)
rules.add_perm("consultations.use", handles_cases)
rules.add_perm("consultations.view_consultation", may_view)
rules.add_perm("consultations.view_referral", may_view)
