"""多機関協働 cases over the API: the list, one case with its team, status history and
consent versions, and the coordinator's own steps.

The same rules and audit as the screens: what the user may not see answers 404, a step by
anyone but the case's coordinator or the municipal office 403, a move the rules reserve for
a meeting decision 409, and every read of personal data is recorded.
"""

import datetime
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from tsunagu import access
from tsunagu.accounts.models import Agency
from tsunagu.accounts.selectors import agency_get, agency_list
from tsunagu.api.auth import require_perm
from tsunagu.audit.services import audit_read
from tsunagu.people.api import (
    NON_FIELD,
    AuditedPagination,
    ErrorOut,
    InvalidOut,
    check_lengths,
    date_input,
    filter_context,
    invalid,
)
from tsunagu.people.api import service_errors as people_service_errors

from . import selectors, services
from .models import Case, CaseStatus, CaseTeamMember, Consent
from .services import CaseTransitionError

router = Router(tags=["多機関協働"])


@contextmanager
def service_errors(
    fields: Mapping[str, str] | None = None, non_field: str = NON_FIELD
) -> Iterator[None]:
    """As for persons (422 / 403), and: a move the rules do not allow 409."""
    with people_service_errors(fields, non_field):
        try:
            yield
        except CaseTransitionError as exc:
            raise HttpError(409, exc.messages[0]) from exc


def _mark_subjects(request, cases: list[Case]) -> list[Case]:
    """Whether the user may open each case's person and household. Their names are shown
    either way, as on the screens; the records themselves answer 404."""
    user = request.user
    person_ids = {c.person_id for c in cases if c.person_id}
    household_ids = {c.household_id for c in cases if c.household_id}
    persons = set(
        access.persons_visible_to(user).filter(pk__in=person_ids).values_list("pk", flat=True)
    )
    households = set(
        access.households_visible_to(user).filter(pk__in=household_ids).values_list("pk", flat=True)
    )
    for c in cases:
        c.person_visible = c.person_id in persons
        c.household_visible = c.household_id in households
    return cases


def _case_or_404(request, pk: int) -> Case:
    case = selectors.case_or_404(user=request.user, pk=pk)
    case.referral_visible = request.user.has_perm("consultations.view_referral", case.referral)
    return _mark_subjects(request, [case])[0]


def _acting_case(request, pk: int) -> Case:
    """The case, if the user takes the coordinator's steps on it (404 unseen, 403 otherwise)."""
    case = _case_or_404(request, pk)
    require_perm(request, "cases.manage_case", case)
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
    is_withdrawal: bool
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
        return obj.person.name if obj.person_id else None

    @staticmethod
    def resolve_household_label(obj: Case) -> str | None:
        return obj.household.label if obj.household_id else None

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


class CaseDetailOut(CaseOut):
    referral_visible: bool
    lead_agency_after_closure_id: int | None
    team: list[TeamMemberOut]
    status_events: list[StatusEventOut]
    consents: list[ConsentOut]

    @staticmethod
    def resolve_team(obj: Case) -> list:
        return list(obj.team.all())

    @staticmethod
    def resolve_status_events(obj: Case) -> list:
        return list(obj.status_events.all())

    @staticmethod
    def resolve_consents(obj: Case) -> list:
        return list(obj.consents.all())


class CaseFilter(Schema):
    status: str = ""
    q: str = ""


class ConsentIn(Schema):
    given_by: str = ""
    given_on: str | None = None
    method: str = ""
    witness: str = ""
    scope_agency_ids: list[int] = []
    share_in_conference: bool = False
    notes: str = ""


class WithdrawIn(Schema):
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


CONSENT_FIELDS = {"scope_agencies": "scope_agency_ids"}
TEAM_FIELDS = {"agency": "agency_id"}


def _required_date(value: str | None, field: str, message: str) -> datetime.date:
    date = date_input(value, field)
    if date is None:
        raise invalid({field: message})
    return date


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


@router.get("/cases", response=list[CaseOut], summary="多機関協働の事例の一覧")
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
)
def case_detail(request, case_id: int):
    require_perm(request, "cases.use")
    case = _case_or_404(request, case_id)
    audit_read(
        request,
        "case.view",
        case,
        persons=case.subject_persons(),
        context={"case": case.pk, "referral": case.referral_id},
    )
    return case


@router.post(
    "/cases/{case_id}/consents",
    response={201: CaseDetailOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    summary="本人同意（利用申込）の記録（新しい版として）",
)
def consent_record(request, case_id: int, payload: ConsentIn):
    """``method`` は ``signature``（署名）または ``oral``（口頭。``witness`` が必要）。
    ``given_on`` は和暦・西暦のどちらでも指定できます。"""
    require_perm(request, "cases.use")
    case = _acting_case(request, case_id)
    data = payload.dict()
    given_on = _required_date(data.pop("given_on"), "given_on", "同意日を入力してください。")
    scope = _scope_agencies(data.pop("scope_agency_ids"))
    with service_errors(CONSENT_FIELDS):
        services.consent_record(
            by=request.user, case=case, given_on=given_on, scope_agencies=scope, **data
        )
    return Status(201, _case_or_404(request, case.pk))


@router.post(
    "/cases/{case_id}/consents/withdraw",
    response={201: CaseDetailOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    summary="同意の撤回の記録（同意に基づく共有はただちに終わります）",
)
def consent_withdraw(request, case_id: int, payload: WithdrawIn):
    require_perm(request, "cases.use")
    case = _acting_case(request, case_id)
    data = payload.dict()
    given_on = _required_date(data.pop("given_on"), "given_on", "撤回日を入力してください。")
    check_lengths(Consent, data, {"given_by": "given_by"})
    with service_errors():
        services.consent_withdraw(by=request.user, case=case, given_on=given_on, **data)
    return Status(201, _case_or_404(request, case.pk))


@router.post(
    "/cases/{case_id}/transition",
    response={200: CaseDetailOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut},
    summary="事例を進める・再開する（会議の決定が必要な移行は 409）",
)
def case_transition(request, case_id: int, payload: TransitionIn):
    """コーディネーター自身が進められるのは、インテーク→アセスメント、アセスメント→
    プラン作成、終結・中断からの再開（``note`` に理由が必要）です。本人同意がないまま
    アセスメントへ進めるには ``without_consent=true`` と理由が必要です（支援会議で扱います）。"""
    require_perm(request, "cases.use")
    case = _acting_case(request, case_id)
    if payload.to not in CaseStatus.values:
        raise invalid({"to": "進める先の状態が正しくありません。"})
    with service_errors():
        services.case_transition(
            by=request.user,
            case=case,
            to=payload.to,
            note=payload.note,
            without_consent=payload.without_consent,
        )
    return _case_or_404(request, case.pk)


@router.post(
    "/cases/{case_id}/team",
    response={201: CaseDetailOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    summary="支援チームに機関を追加",
)
def team_add(request, case_id: int, payload: TeamIn):
    require_perm(request, "cases.use")
    case = _acting_case(request, case_id)
    if payload.agency_id is None:
        raise invalid({"agency_id": "追加する機関を選んでください。"})
    check_lengths(CaseTeamMember, payload.dict(), {"role": "role"})
    try:
        agency = agency_get(user=request.user, pk=payload.agency_id)
    except Agency.DoesNotExist as exc:
        raise invalid({"agency_id": "指定された機関が見つかりません。"}) from exc
    with service_errors(TEAM_FIELDS):
        services.team_add(by=request.user, case=case, agency=agency, role=payload.role)
    return Status(201, _case_or_404(request, case.pk))
