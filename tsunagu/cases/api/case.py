"""多機関協働 cases over the API: the list, one case with its team, status history and
consent versions, and the coordinator's own steps.

The same rules and audit as the screens: what the user may not see answers 404, a step by
anyone but the case's coordinator or the municipal office 403, a move the rules reserve for
a meeting decision 409, and every read of personal data is recorded.
"""

import datetime

from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu import access
from tsunagu.accounts.models import Agency
from tsunagu.accounts.selectors import agency_get, agency_list
from tsunagu.api.errors import api_fields, invalid
from tsunagu.api.inputs import check_lengths, date_input
from tsunagu.api.pagination import AuditedPagination, filter_context
from tsunagu.api.permissions import require_perm
from tsunagu.api.schemas import ErrorOut, InvalidOut, RuleBrokenOut
from tsunagu.audit.services import audit_read
from tsunagu.cases import selectors, services
from tsunagu.cases.models import Case, CaseStatus, CaseTeamMember, Consent

# Every route keeps the operation id it had in ``tsunagu.cases.api`` before the API became
# a package, so clients generated from the OpenAPI schema keep their method names.
router = Router(tags=["多機関協働"])


def _mark_subjects(request, cases: list[Case]) -> list[Case]:
    """Whether the user may open each case's person and household; their names are given
    only to those who may."""
    return selectors.mark_subjects(request.user, cases)


def _with_details(request, case: Case) -> Case:
    """The case (from ``get_case_for_user``: subjects and content marked) with what its
    detail answer adds: whether the user may open the referral, and their agency's own
    items of the current plan."""
    case.referral_visible = request.user.has_perm("consultations.view_referral", case.referral)
    case.own_plan_items = selectors.own_plan_items(case, access.acting_agency_id(request.user))
    return case


def _user_name(user) -> str:
    return user.display_name or user.get_username()


# --- schemas ----------------------------------------------------------------------------


class AgencyRefOut(Schema):
    id: int
    name: str


class TeamMemberOut(Schema):
    agency_id: int
    agency_name: str
    role: str
    joined_on: datetime.date
    left_on: datetime.date | None
    left_reason: str
    shared_by_consent: bool
    consent_warning: str

    @staticmethod
    def resolve_agency_name(obj: CaseTeamMember) -> str:
        return obj.agency.name


class StatusEventOut(Schema):
    from_status: str
    from_status_label: str
    to_status: str
    to_status_label: str
    at: datetime.datetime
    by_name: str
    note: str

    @staticmethod
    def resolve_from_status_label(obj) -> str:
        return obj.get_from_status_display() if obj.from_status else ""

    @staticmethod
    def resolve_to_status_label(obj) -> str:
        return obj.get_to_status_display()

    @staticmethod
    def resolve_by_name(obj) -> str:
        return _user_name(obj.by)


class ConsentOut(Schema):
    version: int
    person_id: int | None
    is_current: bool
    is_withdrawal: bool
    by_guardian: bool
    given_by: str
    given_on: datetime.date
    method: str
    method_label: str
    witness: str
    scope_agencies: list[AgencyRefOut]
    share_in_conference: bool
    notes: str
    recorded_by_name: str
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_method_label(obj: Consent) -> str:
        return obj.get_method_display() if obj.method else ""

    @staticmethod
    def resolve_scope_agencies(obj: Consent) -> list[Agency]:
        return list(obj.scope_agencies.all())

    @staticmethod
    def resolve_recorded_by_name(obj: Consent) -> str:
        return _user_name(obj.recorded_by)


class CaseOut(Schema):
    id: int
    status: str
    status_label: str
    is_urgent: bool
    opened_on: datetime.date
    closed_on: datetime.date | None
    person_id: int | None
    person_name: str | None
    person_visible: bool
    household_id: int | None
    household_label: str | None
    household_visible: bool
    referral_id: int
    referring_agency_id: int
    referring_agency_name: str
    coordinating_agency_id: int
    coordinating_agency_name: str
    coordinator_name: str
    consent: str
    consent_label: str
    consent_version: int | None

    @staticmethod
    def resolve_status_label(obj: Case) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_person_name(obj: Case) -> str | None:
        return obj.person.name if obj.person_id and obj.person_visible else None

    @staticmethod
    def resolve_household_label(obj: Case) -> str | None:
        return obj.household.label if obj.household_id and obj.household_visible else None

    @staticmethod
    def resolve_referring_agency_name(obj: Case) -> str:
        return obj.referring_agency.name

    @staticmethod
    def resolve_coordinating_agency_name(obj: Case) -> str:
        return obj.coordinating_agency.name

    @staticmethod
    def resolve_coordinator_name(obj: Case) -> str:
        return _user_name(obj.coordinator)

    @staticmethod
    def resolve_consent(obj: Case) -> str:
        return selectors.consent_state(obj)

    @staticmethod
    def resolve_consent_label(obj: Case) -> str:
        return selectors.CONSENT_LABELS[selectors.consent_state(obj)]

    @staticmethod
    def resolve_consent_version(obj: Case) -> int | None:
        return obj.latest_consent_version


class OwnPlanItemOut(Schema):
    plan_id: int
    plan_version: int
    plan_status: str
    issue: str
    action: str
    worker: str
    frequency: str
    period_start: datetime.date | None
    period_end: datetime.date | None
    statutory_service: str

    @staticmethod
    def resolve_plan_version(obj) -> int:
        return obj.plan.version

    @staticmethod
    def resolve_plan_status(obj) -> str:
        return obj.plan.status


class CaseDetailOut(CaseOut):
    referral_visible: bool
    content_visible: bool
    lead_agency_after_closure_id: int | None
    team: list[TeamMemberOut]
    status_events: list[StatusEventOut]
    consents: list[ConsentOut]
    own_plan_items: list[OwnPlanItemOut]

    @staticmethod
    def resolve_team(obj: Case) -> list:
        team = selectors.mark_team_consent(obj, list(obj.team.all()))
        if not obj.content_visible:
            for member in team:
                member.role = ""  # a role may name another agency's plan item
        return team

    @staticmethod
    def resolve_status_events(obj: Case) -> list:
        events = list(obj.status_events.all())
        if not obj.content_visible:
            for event in events:
                event.note = ""  # a reason may speak of the person
        return events

    @staticmethod
    def resolve_consents(obj: Case) -> list:
        if not obj.content_visible:
            return []
        return [
            c
            for c in obj.consents.all()
            if c.person_id is None or c.person_id in obj.visible_subject_ids
        ]


class CaseFilter(Schema):
    status: str = ""
    q: str = ""


class ConsentIn(Schema):
    person_id: int | None = None
    by_guardian: bool = False
    given_by: str = ""
    given_on: str | None = None
    method: str = ""
    witness: str = ""
    scope_agency_ids: list[int] = []
    share_in_conference: bool = False
    notes: str = ""


class WithdrawIn(Schema):
    person_id: int | None = None
    given_by: str = ""
    given_on: str | None = None
    notes: str = ""


class TransitionIn(Schema):
    to: str = ""
    note: str = ""
    without_consent: bool = False


class TeamIn(Schema):
    agency_id: int | None = None
    role: str = ""


class TeamLeaveIn(Schema):
    agency_id: int | None = None
    reason: str = ""
    left_on: str | None = None


CONSENT_FIELDS = {"scope_agencies": "scope_agency_ids", "person": "person_id"}
TEAM_FIELDS = {"agency": "agency_id"}


def _required_date(value: str | None, field: str, message: str) -> datetime.date:
    date = date_input(value, field)
    if date is None:
        raise invalid({field: message})
    return date


def _consenting_person(case: Case, person_id: int | None):
    """One of the case's person and household members (``None``: the case's person)."""
    if person_id is None:
        return None
    found = next((p for p in services.consent_subjects(case) if p.pk == person_id), None)
    if found is None:
        raise invalid({"person_id": "この事例の本人・世帯の方ではありません。"})
    return found


def _scope_agencies(ids: list[int]) -> list[Agency]:
    """Active agencies by id, in the order given; an unknown one is refused."""
    found = {a.pk: a for a in agency_list(user=None).filter(pk__in=ids)}
    unknown = [str(pk) for pk in ids if pk not in found]
    if unknown:
        raise invalid({"scope_agency_ids": f"指定された機関が見つかりません：{'、'.join(unknown)}"})
    return [found[pk] for pk in dict.fromkeys(ids)]


# --- routes -----------------------------------------------------------------------------


def _case_page(request, items, *, page, filters, **params):
    _mark_subjects(request, items)
    context = filter_context(filters, page)
    context["cases"] = [c.pk for c in items]
    audit_read(request, "case.list", persons=selectors.subject_person_ids(items), context=context)


@router.get(
    "/cases",
    response=list[CaseOut],
    summary="多機関協働の事例の一覧",
    operation_id="tsunagu_cases_api_case_list",
)
@paginate(AuditedPagination, page_size=50, on_page=_case_page)
def case_list(request, filters: Query[CaseFilter]):
    """状態（``status``）と、本人の氏名・世帯名の自由語（``q``）で絞り込めます。
    受付日の新しい順です。"""
    require_perm(request, "cases.use")
    if filters.status and filters.status not in CaseStatus.values:
        raise invalid({"status": "状態の値が正しくありません。"})
    return selectors.case_list(user=request.user, status=filters.status, q=filters.q)


@router.get(
    "/cases/{case_id}",
    response={200: CaseDetailOut, 404: ErrorOut},
    summary="事例の詳細（支援チーム・状態の経過・本人同意のすべての版）",
    operation_id="tsunagu_cases_api_case_detail",
)
def case_detail(request, case_id: int):
    require_perm(request, "cases.use")
    case = _with_details(request, selectors.get_case_for_user(request.user, case_id))
    audit_read(
        request,
        "case.view",
        case,
        persons=case.subject_persons()
        if case.content_visible
        else sorted(case.visible_subject_ids),
        context={"case": case.pk, "referral": case.referral_id},
    )
    return case


@router.post(
    "/cases/{case_id}/consents",
    response={201: CaseDetailOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    summary="本人同意（利用申込）の記録（新しい版として）",
    operation_id="tsunagu_cases_api_consent_record",
)
@api_fields(CONSENT_FIELDS)
def consent_record(request, case_id: int, payload: ConsentIn):
    """``method`` は ``signature``（署名）または ``oral``（口頭。``witness`` が必要）。
    ``given_on`` は和暦・西暦のどちらでも指定できます。"""
    require_perm(request, "cases.use")
    case = selectors.get_case_for_user(request.user, case_id)
    require_perm(request, "cases.manage_case", case)
    data = payload.dict()
    given_on = _required_date(data.pop("given_on"), "given_on", "同意日を入力してください。")
    scope = _scope_agencies(data.pop("scope_agency_ids"))
    person = _consenting_person(case, data.pop("person_id"))
    services.consent_record(
        by=request.user,
        case=case,
        given_on=given_on,
        scope_agencies=scope,
        person=person,
        **data,
    )
    return Status(201, _with_details(request, selectors.get_case_for_user(request.user, case.pk)))


@router.post(
    "/cases/{case_id}/consents/withdraw",
    response={201: CaseDetailOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    summary="同意の撤回の記録（同意に基づく共有はただちに終わります）",
    operation_id="tsunagu_cases_api_consent_withdraw",
)
@api_fields(CONSENT_FIELDS)
def consent_withdraw(request, case_id: int, payload: WithdrawIn):
    require_perm(request, "cases.use")
    case = selectors.get_case_for_user(request.user, case_id)
    require_perm(request, "cases.manage_case", case)
    data = payload.dict()
    given_on = _required_date(data.pop("given_on"), "given_on", "撤回日を入力してください。")
    person = _consenting_person(case, data.pop("person_id"))
    check_lengths(Consent, data, {"given_by": "given_by"})
    services.consent_withdraw(by=request.user, case=case, given_on=given_on, person=person, **data)
    return Status(201, _with_details(request, selectors.get_case_for_user(request.user, case.pk)))


@router.post(
    "/cases/{case_id}/transition",
    response={
        200: CaseDetailOut,
        403: ErrorOut,
        404: ErrorOut,
        409: RuleBrokenOut,
        422: InvalidOut,
    },
    summary="事例を進める・再開する（会議の決定が必要な移行は 409）",
    operation_id="tsunagu_cases_api_case_transition",
)
def case_transition(request, case_id: int, payload: TransitionIn):
    """コーディネーター自身が進められるのは、インテーク→アセスメント、アセスメント→
    プラン作成、終結・中断からの再開（``note`` に理由が必要）です。本人同意がないまま
    アセスメントへ進めるには ``without_consent=true`` と理由が必要です（支援会議で扱います）。"""
    require_perm(request, "cases.use")
    case = selectors.get_case_for_user(request.user, case_id)
    require_perm(request, "cases.manage_case", case)
    if payload.to not in CaseStatus.values:
        raise invalid({"to": "進める先の状態が正しくありません。"})
    services.case_transition(
        by=request.user,
        case=case,
        to=payload.to,
        note=payload.note,
        without_consent=payload.without_consent,
    )
    return _with_details(request, selectors.get_case_for_user(request.user, case.pk))


@router.post(
    "/cases/{case_id}/team",
    response={201: CaseDetailOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    summary="支援チームに機関を追加",
    operation_id="tsunagu_cases_api_team_add",
)
@api_fields(TEAM_FIELDS)
def team_add(request, case_id: int, payload: TeamIn):
    require_perm(request, "cases.use")
    case = selectors.get_case_for_user(request.user, case_id)
    require_perm(request, "cases.manage_case", case)
    if payload.agency_id is None:
        raise invalid({"agency_id": "追加する機関を選んでください。"})
    check_lengths(CaseTeamMember, payload.dict(), {"role": "role"})
    try:
        agency = agency_get(user=request.user, pk=payload.agency_id)
    except Agency.DoesNotExist as exc:
        raise invalid({"agency_id": "指定された機関が見つかりません。"}) from exc
    services.team_add(by=request.user, case=case, agency=agency, role=payload.role)
    return Status(201, _with_details(request, selectors.get_case_for_user(request.user, case.pk)))


@router.post(
    "/cases/{case_id}/team/leave",
    response={200: CaseDetailOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    summary="支援チームからの機関の離脱を記録（その機関のチームとしての閲覧はただちに終わります）",
    operation_id="tsunagu_cases_api_team_leave",
)
@api_fields({"agency": "agency_id", "left_on": "left_on"})
def team_leave(request, case_id: int, payload: TeamLeaveIn):
    require_perm(request, "cases.use")
    case = selectors.get_case_for_user(request.user, case_id)
    require_perm(request, "cases.manage_case", case)
    if payload.agency_id is None:
        raise invalid({"agency_id": "離脱する機関を選んでください。"})
    member = next(
        (m for m in selectors.current_team(case) if m.agency_id == payload.agency_id), None
    )
    if member is None:
        raise invalid({"agency_id": "この機関は現在の支援チームにいません。"})
    left_on = date_input(payload.left_on, "left_on")
    services.team_leave(
        by=request.user,
        case=case,
        agency=member.agency,
        reason=payload.reason,
        left_on=left_on,
    )
    return _with_details(request, selectors.get_case_for_user(request.user, case.pk))
