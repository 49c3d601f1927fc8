"""Support plans over the API: every version, one version, the draft's items, the
municipality's 支援決定 and the report to it.

The same rules and audit as the screens: an unseen case 404, a step by anyone but the
case's coordinator or the municipal office 403 (支援決定: municipal officers only), a step
the rules do not allow now 409, invalid input 422.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Router, Schema, Status

from tsunagu.accounts.acting import acting
from tsunagu.accounts.models import Agency
from tsunagu.accounts.selectors import agency_get
from tsunagu.api.errors import api_fields, invalid
from tsunagu.api.inputs import check_lengths, date_input
from tsunagu.api.permissions import require_perm
from tsunagu.api.schemas import ErrorOut, InvalidOut, RuleBrokenOut
from tsunagu.audit.services import audit_read
from tsunagu.cases import selectors
from tsunagu.cases.models import Case, PlanItem, PlanReport, SupportDecision, SupportPlan
from tsunagu.cases.selectors import plan as plans
from tsunagu.cases.services import plan as plan_services

router = Router(tags=["多機関協働：支援プラン"])

ERRORS = {403: ErrorOut, 404: ErrorOut, 409: RuleBrokenOut, 422: InvalidOut}


class PlanItemOut(Schema):
    id: int
    order: int
    issue: str
    action: str
    agency_id: int
    agency_name: str
    worker: str
    frequency: str
    period_start: datetime.date | None
    period_end: datetime.date | None
    statutory_service: str
    statutory_service_label: str
    consent_warning: str

    @staticmethod
    def resolve_agency_name(obj: PlanItem) -> str:
        return obj.agency.name

    @staticmethod
    def resolve_consent_warning(obj: PlanItem) -> str:
        return obj.consent_warning  # set by plans.plans_of

    @staticmethod
    def resolve_statutory_service_label(obj: PlanItem) -> str:
        return obj.get_statutory_service_display() if obj.statutory_service else ""


class SupportDecisionOut(Schema):
    decided_on: datetime.date
    decision_number: str
    notes: str


class PlanReportOut(Schema):
    reported_on: datetime.date
    reported_to: str
    notes: str


class PlanOut(Schema):
    id: int
    case_id: int
    version: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    goals: str
    policy: str
    next_monitoring_on: datetime.date | None
    evaluation_on: datetime.date | None
    has_statutory_items: bool
    next_step: str
    agreed_at_meeting_id: int | None
    agreed_on: datetime.date | None
    confirmed_on: datetime.date | None
    support_decision: SupportDecisionOut | None
    report: PlanReportOut | None
    items: list[PlanItemOut]

    @staticmethod
    def resolve_kind_label(obj: SupportPlan) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj: SupportPlan) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_next_step(obj: SupportPlan) -> str:
        return plans.next_step(obj)

    @staticmethod
    def resolve_agreed_at_meeting_id(obj: SupportPlan) -> int | None:
        return obj.agreed_at_item.meeting_id if obj.agreed_at_item_id else None

    @staticmethod
    def resolve_support_decision(obj: SupportPlan):
        try:
            return obj.support_decision
        except SupportDecision.DoesNotExist:
            return None

    @staticmethod
    def resolve_report(obj: SupportPlan):
        try:
            return obj.report
        except PlanReport.DoesNotExist:
            return None

    @staticmethod
    def resolve_items(obj: SupportPlan) -> list:
        return list(obj.items.all())


class PlanIn(Schema):
    goals: str = ""
    policy: str = ""
    next_monitoring_on: str | None = None
    evaluation_on: str | None = None


class PlanItemIn(Schema):
    issue: str = ""
    action: str = ""
    agency_id: int | None = None
    worker: str = ""
    frequency: str = ""
    period_start: str | None = None
    period_end: str | None = None
    statutory_service: str = ""


class SupportDecisionIn(Schema):
    decided_on: str | None = None
    decision_number: str = ""
    notes: str = ""


class PlanReportIn(Schema):
    reported_on: str | None = None
    reported_to: str = ""
    notes: str = ""


def _audit(request, case: Case, plan: SupportPlan | None) -> None:
    audit_read(
        request,
        "plan.view",
        plan if plan is not None else case,
        persons=case.subject_persons(),
        context={"case": case.pk, "plan": getattr(plan, "pk", None)},
    )


def _fresh(request, case: Case, plan_id: int) -> SupportPlan:
    plan = plans.plan_in_case(case, plan_id)
    _audit(request, case, plan)
    return plan


def _plan_dates(payload: PlanIn) -> dict:
    data = payload.dict()
    for field in ("next_monitoring_on", "evaluation_on"):
        data[field] = date_input(data[field], field)
    return data


@router.get(
    "/cases/{case_id}/plans",
    response={200: list[PlanOut], 404: ErrorOut},
    operation_id="tsunagu_cases_plan_api_plan_list",
)
def plan_list(request, case_id: int):
    """事例の支援プランのすべての版（新しい順）。"""
    require_perm(request, "cases.use")
    case = selectors.get_case_for_user(request.user, case_id, content=True)
    versions = plans.plans_of(case)
    _audit(request, case, None)
    return versions


@router.get(
    "/cases/{case_id}/plans/{plan_id}",
    response={200: PlanOut, 404: ErrorOut},
    operation_id="tsunagu_cases_plan_api_plan_detail",
)
def plan_detail(request, case_id: int, plan_id: int):
    require_perm(request, "cases.use")
    case = selectors.get_case_for_user(request.user, case_id, content=True)
    return _fresh(request, case, plan_id)


@router.post(
    "/cases/{case_id}/plans",
    response={201: PlanOut, **ERRORS},
    summary="プランの作成",
    operation_id="tsunagu_cases_plan_api_plan_create",
)
def plan_create(request, case_id: int, payload: PlanIn):
    """「プラン作成」「再プラン」の事例に、新しい版を作成します（作成中の版は1つだけ）。"""
    require_perm(request, "cases.use")
    case = selectors.get_case_for_user(request.user, case_id, content=True)
    require_perm(request, "cases.manage_case", case)
    data = _plan_dates(payload)
    plan = plan_services.plan_create(by=request.user, case=case, **data)
    return Status(201, _fresh(request, case, plan.pk))


@router.put(
    "/cases/{case_id}/plans/{plan_id}",
    response={200: PlanOut, **ERRORS},
    operation_id="tsunagu_cases_plan_api_plan_update",
)
def plan_update(request, case_id: int, plan_id: int, payload: PlanIn):
    """作成中の版の目標・方針・予定日を更新します（議題になった版は 409）。"""
    require_perm(request, "cases.use")
    case = selectors.get_case_for_user(request.user, case_id, content=True)
    require_perm(request, "cases.manage_case", case)
    plan = plans.plan_in_case(case, plan_id)
    data = _plan_dates(payload)
    plan_services.plan_update(by=request.user, plan=plan, **data)
    return _fresh(request, case, plan.pk)


@router.post(
    "/cases/{case_id}/plans/{plan_id}/items",
    response={201: PlanOut, **ERRORS},
    operation_id="tsunagu_cases_plan_api_plan_item_add",
)
@api_fields({"agency": "agency_id"})
def plan_item_add(request, case_id: int, plan_id: int, payload: PlanItemIn):
    """``statutory_service``: ``participation``（参加支援）、``outreach``（アウトリーチ等）、
    または空（法定事業以外）。"""
    require_perm(request, "cases.use")
    case = selectors.get_case_for_user(request.user, case_id, content=True)
    require_perm(request, "cases.manage_case", case)
    plan = plans.plan_in_case(case, plan_id)
    data = payload.dict()
    check_lengths(PlanItem, data, {"issue": "issue", "worker": "worker", "frequency": "frequency"})
    agency = None
    if data.pop("agency_id") is not None:
        try:
            agency = agency_get(user=request.user, pk=payload.agency_id)
        except Agency.DoesNotExist as exc:
            raise invalid({"agency_id": "指定された機関が見つかりません。"}) from exc
    for field in ("period_start", "period_end"):
        data[field] = date_input(data[field], field)
    plan_services.plan_item_add(by=request.user, plan=plan, agency=agency, **data)
    return Status(201, _fresh(request, case, plan.pk))


@router.delete(
    "/cases/{case_id}/plans/{plan_id}/items/{item_id}",
    response={200: PlanOut, **ERRORS},
    operation_id="tsunagu_cases_plan_api_plan_item_remove",
)
def plan_item_remove(request, case_id: int, plan_id: int, item_id: int):
    require_perm(request, "cases.use")
    case = selectors.get_case_for_user(request.user, case_id, content=True)
    require_perm(request, "cases.manage_case", case)
    plan = plans.plan_in_case(case, plan_id)
    item = next((i for i in plan.items.all() if i.pk == item_id), None)
    if item is None:
        raise Http404
    plan_services.plan_item_remove(by=request.user, item=item)
    return _fresh(request, case, plan.pk)


@router.post(
    "/cases/{case_id}/plans/{plan_id}/support-decision",
    response={201: PlanOut, **ERRORS},
    summary="支援決定（自治体職員）",
    operation_id="tsunagu_cases_plan_api_support_decision",
)
def support_decision(request, case_id: int, plan_id: int, payload: SupportDecisionIn):
    """会議で合意した、参加支援・アウトリーチ等を含むプランを確定します。"""
    require_perm(request, "cases.use")
    case = selectors.get_case_for_user(request.user, case_id, content=True)
    if not acting(request.user).is_office:
        raise PermissionDenied("支援決定は自治体職員（事務局）が行います。")
    plan = plans.plan_in_case(case, plan_id)
    decided_on = date_input(payload.decided_on, "decided_on")
    if decided_on is None:
        raise invalid({"decided_on": "支援決定日を入力してください。"})
    check_lengths(SupportDecision, payload.dict(), {"decision_number": "decision_number"})
    plan_services.support_decision_make(
        by=request.user,
        plan=plan,
        decided_on=decided_on,
        decision_number=payload.decision_number,
        notes=payload.notes,
    )
    return Status(201, _fresh(request, case, plan.pk))


@router.post(
    "/cases/{case_id}/plans/{plan_id}/report",
    response={201: PlanOut, **ERRORS},
    summary="自治体への報告（法に基づく事業を含まないプラン）",
    operation_id="tsunagu_cases_plan_api_plan_report",
)
def plan_report(request, case_id: int, plan_id: int, payload: PlanReportIn):
    require_perm(request, "cases.use")
    case = selectors.get_case_for_user(request.user, case_id, content=True)
    require_perm(request, "cases.manage_case", case)
    plan = plans.plan_in_case(case, plan_id)
    reported_on = date_input(payload.reported_on, "reported_on")
    if reported_on is None:
        raise invalid({"reported_on": "報告日を入力してください。"})
    check_lengths(PlanReport, payload.dict(), {"reported_to": "reported_to"})
    plan_services.plan_report_record(
        by=request.user,
        plan=plan,
        reported_on=reported_on,
        reported_to=payload.reported_to,
        notes=payload.notes,
    )
    return Status(201, _fresh(request, case, plan.pk))
