import rules

from tsunagu import access
from tsunagu.accounts.acting import acting
from tsunagu.cases.models import Case, CaseStatus, CaseTeamMember
from tsunagu.people.permissions import handles_cases, may_view


def coordinating_role(user) -> bool:
    return acting(user).coordinates


@rules.predicate
def manages_case(user, case) -> bool:
    """The case's coordinating agency acting as coordinator, or the program office."""
    me = acting(user)
    if case is None or not me.coordinates:
        return False
    return me.is_office or me.agency_id == case.coordinating_agency_id


rules.add_perm("cases.use", handles_cases)
rules.add_perm("cases.view_case", may_view)
rules.add_perm("cases.manage_case", may_view & manages_case)


NOT_VISIBLE = "この事例は閲覧できません。"


NOT_ON_TEAM = (
    "支援経過は、支援チームの機関、多機関協働事業者または事務局が記録します。"
    "記録するには、多機関協働事業者に支援チームへの追加を依頼してください。"
)


CLOSED_CASE = "終結した事例の支援経過は、終結後の主担当機関と多機関協働事業者が記録します。"


def activity_refusal(user, case: Case) -> str | None:
    """Why ``user`` may not record an entry on ``case`` (``None`` when they may)."""
    if not access.may_handle_cases(user):
        return NOT_VISIBLE
    if not access.can_view(user, case):
        return NOT_VISIBLE
    agency_id = access.acting_agency_id(user)
    if case.status == CaseStatus.CLOSED:
        if agency_id in (case.lead_agency_after_closure_id, case.coordinating_agency_id):
            return None
        return CLOSED_CASE
    if access.sees_everything(user) or agency_id == case.coordinating_agency_id:
        return None
    if "team" in getattr(case, "_prefetched_objects_cache", {}):  # read by case_get
        on_team = any(m.agency_id == agency_id and m.left_on is None for m in case.team.all())
    else:
        on_team = CaseTeamMember.objects.filter(
            case_id=case.pk, agency_id=agency_id, left_on__isnull=True
        ).exists()
    return None if on_team else NOT_ON_TEAM


def may_record_activity(user, case: Case) -> bool:
    """Whether ``user`` (acting for their agency) may record an entry on ``case`` now."""
    return activity_refusal(user, case) is None


def refusal_message(user, case: Case) -> str:
    """The Japanese explanation for a refused recording ('' when allowed)."""
    return activity_refusal(user, case) or ""


def is_coordinator_of(user, case: Case) -> bool:
    """The case's coordinator: someone who manages the case acting for its coordinating
    agency. Their opening of the log is what marks entries as seen."""
    return (
        user.has_perm("cases.manage_case", case)
        and access.acting_agency_id(user) == case.coordinating_agency_id
    )
