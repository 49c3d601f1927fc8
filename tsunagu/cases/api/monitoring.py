"""Monitoring and evaluation over the API: a case's records and due dates, recording one,
starting the monitoring of a case whose date has come, and the caller's due items.

The same rules and audit as the screens: an unseen case 404, anyone but the case's
coordinator or the municipal office recording 403, a case not being supported 409.
"""

import datetime

from ninja import Router, Schema, Status

from tsunagu.api.errors import invalid
from tsunagu.api.inputs import date_input
from tsunagu.api.permissions import require_perm
from tsunagu.api.schemas import ErrorOut, InvalidOut, RuleBrokenOut
from tsunagu.audit.services import audit_read
from tsunagu.cases import selectors
from tsunagu.cases.models import Case, MonitoringRecord, SupportPlan
from tsunagu.cases.selectors import monitoring as monitoring_selectors
from tsunagu.cases.services import monitoring as monitoring_services
from tsunagu.common.wareki import format_wareki

# Every route keeps the operation id it had in ``tsunagu.cases.monitoring_api`` before the API
# became a package, so clients generated from the OpenAPI schema keep their method names.
router = Router(tags=["多機関協働"])


# --- schemas ----------------------------------------------------------------------------


class PlanRefOut(Schema):
    id: int
    version: int
    kind: str
    confirmed_on: datetime.date | None
    next_monitoring_on: datetime.date | None
    evaluation_on: datetime.date | None


class DueOut(Schema):
    case_id: int
    kind: str
    kind_label: str
    due_on: datetime.date
    due_on_wareki: str
    state: str
    state_label: str
    days: int
    plan_id: int

    @staticmethod
    def resolve_case_id(obj: monitoring_selectors.Due) -> int:
        return obj.case.pk

    @staticmethod
    def resolve_due_on_wareki(obj: monitoring_selectors.Due) -> str:
        return format_wareki(obj.due_on)

    @staticmethod
    def resolve_plan_id(obj: monitoring_selectors.Due) -> int:
        return obj.plan.pk


class DueItemOut(DueOut):
    case_status: str
    person_name: str | None
    household_label: str | None
    coordinator_name: str

    @staticmethod
    def resolve_case_status(obj: monitoring_selectors.Due) -> str:
        return obj.case.status

    @staticmethod
    def resolve_person_name(obj: monitoring_selectors.Due) -> str | None:
        return obj.case.person.name if obj.case.person_id else None

    @staticmethod
    def resolve_household_label(obj: monitoring_selectors.Due) -> str | None:
        return obj.case.household.label if obj.case.household_id else None

    @staticmethod
    def resolve_coordinator_name(obj: monitoring_selectors.Due) -> str:
        user = obj.case.coordinator
        return user.display_name or user.get_username()


class RecordOut(Schema):
    id: int
    plan_id: int
    plan_version: int
    kind: str
    kind_label: str
    done_on: datetime.date
    findings: str
    outcome: str
    outcome_label: str
    next_due_on: datetime.date | None
    recorded_by_name: str
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_plan_version(obj: MonitoringRecord) -> int:
        return obj.plan.version

    @staticmethod
    def resolve_kind_label(obj: MonitoringRecord) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_outcome_label(obj: MonitoringRecord) -> str:
        return obj.get_outcome_display()

    @staticmethod
    def resolve_recorded_by_name(obj: MonitoringRecord) -> str:
        user = obj.recorded_by
        return user.display_name or user.get_username()


class MonitoringOut(Schema):
    case_id: int
    case_status: str
    case_status_label: str
    plan: PlanRefOut | None
    due: list[DueOut]
    records: list[RecordOut]


class MonitoringIn(Schema):
    kind: str = ""
    done_on: str | None = None
    findings: str = ""
    outcome: str = ""
    next_due_on: str | None = None


# --- helpers ----------------------------------------------------------------------------


def _overview(case: Case) -> dict:
    case.refresh_from_db(fields=["status"])
    plan: SupportPlan | None = monitoring_selectors.current_plan(case)
    records = case.monitorings.select_related("plan", "recorded_by").order_by(
        "-done_on", "-recorded_at", "-id"
    )
    return {
        "case_id": case.pk,
        "case_status": case.status,
        "case_status_label": case.get_status_display(),
        "plan": plan,
        "due": monitoring_selectors.due_dates(case),
        "records": list(records),
    }


def _audit(request, case: Case) -> None:
    audit_read(
        request,
        "monitoring.view",
        case,
        persons=case.subject_persons(),
        context={"case": case.pk},
    )


# --- routes -----------------------------------------------------------------------------


@router.get(
    "/cases/{case_id}/monitoring",
    response={200: MonitoringOut, 404: ErrorOut},
    summary="事例のモニタリング・評価の記録と今後の予定",
    operation_id="tsunagu_cases_monitoring_api_monitoring_detail",
)
def monitoring_detail(request, case_id: int):
    """予定の ``state`` は ``upcoming``（予定）、``due``（予定が近い）、``overdue``（期限超過）。"""
    require_perm(request, "cases.use")
    case = selectors.get_case_for_user(request.user, case_id, content=True)
    _audit(request, case)
    return _overview(case)


@router.post(
    "/cases/{case_id}/monitoring",
    response={
        201: MonitoringOut,
        403: ErrorOut,
        404: ErrorOut,
        409: RuleBrokenOut,
        422: InvalidOut,
    },
    summary="モニタリング・評価の記録",
    operation_id="tsunagu_cases_monitoring_api_monitoring_record",
)
def monitoring_record(request, case_id: int, payload: MonitoringIn):
    """``kind`` は ``monitoring`` または ``evaluation``、``outcome`` は ``continue``（継続）・
    ``replan``（再プランへ進む）・``propose_closure``（終結を会議に諮る。状態は変わりません）。
    ``next_due_on`` を省くと実施日の数か月後（自治体の設定）になります。日付は和暦・西暦の
    どちらでも指定できます。"""
    require_perm(request, "cases.use")
    case = selectors.get_case_for_user(request.user, case_id, content=True)
    require_perm(request, "cases.manage_case", case)
    done_on = date_input(payload.done_on, "done_on")
    if done_on is None:
        raise invalid({"done_on": "実施日を入力してください。"})
    next_due_on = date_input(payload.next_due_on, "next_due_on")
    monitoring_services.monitoring_record(
        by=request.user,
        case=case,
        kind=payload.kind,
        done_on=done_on,
        findings=payload.findings,
        outcome=payload.outcome,
        next_due_on=next_due_on,
    )
    _audit(request, case)
    return Status(201, _overview(case))


@router.post(
    "/cases/{case_id}/monitoring/start",
    response={200: MonitoringOut, 403: ErrorOut, 404: ErrorOut, 409: RuleBrokenOut},
    summary="モニタリングを始める（支援中→モニタリング。予定日が近いときだけ）",
    operation_id="tsunagu_cases_monitoring_api_monitoring_start",
)
def monitoring_start(request, case_id: int):
    require_perm(request, "cases.use")
    case = selectors.get_case_for_user(request.user, case_id, content=True)
    require_perm(request, "cases.manage_case", case)
    monitoring_services.monitoring_start(by=request.user, case=case)
    _audit(request, case)
    return _overview(case)


@router.get(
    "/monitoring/due",
    response=list[DueItemOut],
    summary="自分が担当する事例で、予定が近い・期限を過ぎたモニタリング・評価",
    operation_id="tsunagu_cases_monitoring_api_monitoring_due",
)
def monitoring_due(request):
    """多機関協働事業者は自機関の事例、事務局はすべての事例。期限超過が先です。"""
    require_perm(request, "cases.use")
    dues = monitoring_selectors.due_for_user(request.user)
    cases = list({d.case.pk: d.case for d in dues}.values())
    if cases:
        audit_read(
            request,
            "monitoring.due_list",
            persons=selectors.subject_person_ids(cases),
            context={"cases": [c.pk for c in cases]},
        )
    return dues
