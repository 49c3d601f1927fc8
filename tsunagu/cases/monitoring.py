"""Monitoring and evaluation of confirmed support plans: when they fall due, recording them,
and what the case page and the dashboard show (domain.md §4, §5.6).

The cadence is the municipality's (``settings.TSUNAGU``): Nagai's default is a monitoring
three months after the plan is confirmed and an evaluation at six months. A due date is

- ``upcoming`` while it is more than ``MONITORING_NOTICE_DAYS`` away,
- ``due`` from then until the day itself, and
- ``overdue`` once it has passed.

The next monitoring is the ``next_due_on`` of the latest record of the current plan (a
monitoring or an evaluation: an evaluation includes a monitoring), or the plan's own
``next_monitoring_on`` while nothing has been recorded. The evaluation is the plan's
``evaluation_on`` until an evaluation is recorded; after one that continues the plan, the next
falls ``EVALUATION_MONTHS`` after it. Only cases being supported (支援中・モニタリング) have due
dates: a re-plan brings a new plan with its own dates, and a closed case has none.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tsunagu import access
from tsunagu.accounts.models import Role
from tsunagu.audit.services import audit_record, diff, snapshot
from tsunagu.common.wareki import format_wareki

from .models import (
    Case,
    CaseStatus,
    MonitoringKind,
    MonitoringOutcome,
    MonitoringRecord,
    PlanStatus,
    SupportPlan,
)
from .services import CaseTransitionError, move_case

C = CaseStatus
K = MonitoringKind
O = MonitoringOutcome  # noqa: E741

UPCOMING = "upcoming"
DUE = "due"
OVERDUE = "overdue"
STATE_LABELS = {UPCOMING: "予定", DUE: "予定が近い", OVERDUE: "期限超過"}
# Cases that have monitoring and evaluation dates.
MONITORED = (C.ACTIVE, C.MONITORING)
PANEL_ROWS = 10


def monitoring_months() -> int:
    return int(settings.TSUNAGU.get("MONITORING_MONTHS", 3))


def evaluation_months() -> int:
    return int(settings.TSUNAGU.get("EVALUATION_MONTHS", 6))


def notice_days() -> int:
    return int(settings.TSUNAGU.get("MONITORING_NOTICE_DAYS", 14))


def add_months(date: datetime.date, months: int) -> datetime.date:
    """``date`` moved by whole months; a day the target month lacks becomes its last day
    (1月31日 + 1か月 = 2月28日、閏年は29日)."""
    index = date.year * 12 + (date.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date.replace(year=year, month=month, day=min(date.day, last))


def due_state(due_on: datetime.date, today: datetime.date) -> str:
    if due_on < today:
        return OVERDUE
    if (due_on - today).days <= notice_days():
        return DUE
    return UPCOMING


@dataclass
class Due:
    """A monitoring or evaluation of a case's current plan and when it falls due."""

    case: Case
    kind: str
    due_on: datetime.date
    state: str
    plan: SupportPlan
    today: datetime.date
    responsible: list = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return K(self.kind).label

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def is_overdue(self) -> bool:
        return self.state == OVERDUE

    @property
    def needs_attention(self) -> bool:
        return self.state in (DUE, OVERDUE)

    @property
    def days(self) -> int:
        """Days until the date (negative once it has passed)."""
        return (self.due_on - self.today).days

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days)

    @property
    def when_text(self) -> str:
        if self.days < 0:
            return f"{-self.days}日経過"
        if self.days == 0:
            return "本日"
        return f"あと{self.days}日"


KIND_ORDER = {K.MONITORING: 0, K.EVALUATION: 1}


def _sort_key(due: Due) -> tuple:
    return (0 if due.state == OVERDUE else 1, due.due_on, due.case.pk, KIND_ORDER[due.kind])


def _dues_of(
    case: Case, plan: SupportPlan | None, records: list[MonitoringRecord], today
) -> list[Due]:
    """The due dates of one case, given its current plan and that plan's records in order."""
    if plan is None or case.status not in MONITORED:
        return []
    confirmed = plan.confirmed_on or today
    dues = []
    if records:
        monitoring_on = records[-1].next_due_on
    else:
        monitoring_on = plan.next_monitoring_on or add_months(confirmed, monitoring_months())
    if monitoring_on is not None:
        dues.append((K.MONITORING, monitoring_on))
    evaluations = [r for r in records if r.kind == K.EVALUATION]
    if not evaluations:
        evaluation_on = plan.evaluation_on or add_months(confirmed, evaluation_months())
    elif evaluations[-1].outcome == O.REPLAN:
        evaluation_on = None
    else:
        evaluation_on = add_months(evaluations[-1].done_on, evaluation_months())
    if evaluation_on is not None:
        dues.append((K.EVALUATION, evaluation_on))
    found = [
        Due(
            case=case,
            kind=kind,
            due_on=due_on,
            state=due_state(due_on, today),
            plan=plan,
            today=today,
            responsible=[case.coordinator],
        )
        for kind, due_on in dues
    ]
    return sorted(found, key=_sort_key)


def _current_plans(case_ids: Iterable[int]) -> dict[int, SupportPlan]:
    plans: dict[int, SupportPlan] = {}
    qs = SupportPlan.objects.filter(case_id__in=list(case_ids), status=PlanStatus.CONFIRMED)
    for plan in qs.order_by("case_id", "-version"):
        plans.setdefault(plan.case_id, plan)
    return plans


def _records_by_plan(plan_ids: Iterable[int]) -> dict[int, list[MonitoringRecord]]:
    found: dict[int, list[MonitoringRecord]] = {}
    qs = MonitoringRecord.objects.filter(plan_id__in=list(plan_ids)).order_by(
        "done_on", "recorded_at", "id"
    )
    for record in qs:
        found.setdefault(record.plan_id, []).append(record)
    return found


def dues_for_cases(cases: Iterable[Case], *, today: datetime.date | None = None) -> list[Due]:
    """Every due date of the given cases, in three queries whatever their number."""
    today = today or timezone.localdate()
    cases = [c for c in cases if c.status in MONITORED]
    if not cases:
        return []
    plans = _current_plans(c.pk for c in cases)
    records = _records_by_plan(p.pk for p in plans.values())
    dues: list[Due] = []
    for case in cases:
        plan = plans.get(case.pk)
        dues.extend(_dues_of(case, plan, records.get(plan.pk, []) if plan else [], today))
    return sorted(dues, key=_sort_key)


def current_plan(case: Case) -> SupportPlan | None:
    """The latest confirmed version of the case's plan."""
    return (
        SupportPlan.objects.filter(case=case, status=PlanStatus.CONFIRMED)
        .order_by("-version")
        .first()
    )


def due_dates(case: Case, *, today: datetime.date | None = None) -> list[Due]:
    """The next monitoring and evaluation of the case (none unless it is being supported)."""
    return dues_for_cases([case], today=today)


def _managed_cases(user) -> QuerySet[Case]:
    """Cases whose monitoring the user is responsible for: the coordinating agency's
    coordinators for its cases, the municipal office for all."""
    membership = getattr(user, "acting_membership", None)
    qs = access.cases_visible_to(user).filter(status__in=MONITORED)
    if membership is None or membership.role not in (Role.COORDINATOR, Role.MUNICIPAL_OFFICER):
        return qs.none()
    if membership.role == Role.COORDINATOR:
        qs = qs.filter(coordinating_agency_id=membership.agency_id)
    return qs.select_related("person", "household", "coordinator", "coordinating_agency")


def due_for_user(
    user, *, today: datetime.date | None = None, include_upcoming: bool = False
) -> list[Due]:
    """The due and overdue items (overdue first) of the cases the user manages."""
    dues = dues_for_cases(_managed_cases(user), today=today)
    return dues if include_upcoming else [d for d in dues if d.needs_attention]


def dues_needing_reminders(*, today: datetime.date) -> list[Due]:
    """Every due or overdue item in the program (for the reminder command)."""
    cases = Case.objects.filter(status__in=MONITORED).select_related("coordinator")
    return [d for d in dues_for_cases(cases, today=today) if d.needs_attention]


# ------------------------------------------------------------------------------ writes


def _managing(by, case: Case) -> None:
    if not by.has_perm("cases.manage_case", case):
        raise PermissionDenied(
            "モニタリング・評価は、事例を担当する多機関協働事業者または事務局が記録します。"
        )


def _monitored_plan(case: Case) -> SupportPlan:
    if case.status not in MONITORED:
        raise CaseTransitionError(
            "モニタリング・評価は「支援中」または「モニタリング」の事例で記録できます"
            f"（この事例は「{case.get_status_display()}」です）。"
        )
    plan = current_plan(case)
    if plan is None:
        raise CaseTransitionError("確定した支援プランがないため、モニタリングを記録できません。")
    return plan


def monitoring_record(
    *,
    by,
    case: Case,
    kind: str,
    done_on: datetime.date | None,
    findings: str,
    outcome: str,
    next_due_on: datetime.date | None = None,
) -> MonitoringRecord:
    """Record a monitoring or evaluation of the current plan.

    ``continue`` schedules the next monitoring (``MONITORING_MONTHS`` later unless given) and
    brings a case in モニタリング back to 支援中; ``replan`` moves the case to 再プラン;
    ``propose_closure`` keeps the case as it is: closure needs a conference decision.
    """
    _managing(by, case)
    plan = _monitored_plan(case)
    today = timezone.localdate()
    findings = (findings or "").strip()
    errors: dict[str, str] = {}
    if kind not in K.values:
        errors["kind"] = "種別（モニタリング・評価）を選んでください。"
    if outcome not in O.values:
        errors["outcome"] = "結果を選んでください。"
    if done_on is None:
        errors["done_on"] = "実施日を入力してください。"
    elif done_on > today:
        errors["done_on"] = "実施日に未来の日付は指定できません。"
    elif plan.confirmed_on and done_on < plan.confirmed_on:
        errors["done_on"] = (
            f"実施日は支援プランの確定日（{format_wareki(plan.confirmed_on)}）以降にしてください。"
        )
    if not findings:
        errors["findings"] = "確認した内容を入力してください。"
    if outcome == O.REPLAN and next_due_on is not None:
        errors["next_due_on"] = (
            "再プランを作成する場合、次回の予定日は新しいプランで決まります。空欄にしてください。"
        )
    elif next_due_on is not None and done_on is not None and next_due_on <= done_on:
        errors["next_due_on"] = "次回予定日は実施日より後の日付にしてください。"
    if errors:
        raise ValidationError(errors)
    if next_due_on is None and outcome != O.REPLAN:
        next_due_on = add_months(done_on, monitoring_months())
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.status != case.status:
            raise CaseTransitionError(
                "この事例は他の利用者によって更新されました。画面を開き直してください。"
            )
        record = MonitoringRecord.objects.create(
            case=locked,
            plan=plan,
            kind=kind,
            done_on=done_on,
            findings=findings,
            outcome=outcome,
            next_due_on=next_due_on,
            recorded_by=by,
        )
        audit_record(
            actor=by,
            action="monitoring.record",
            target=record,
            persons=locked.subject_persons(),
            context={"case": locked.pk, "plan": plan.pk},
            changes=diff({}, snapshot(record)),
        )
        label = K(kind).label
        if outcome == O.REPLAN:
            move_case(
                by=by,
                case=locked,
                to=C.REPLANNING,
                note=f"{label}（{format_wareki(done_on)}）の結果、再プランを作成します。",
                action="case.replan_needed",
                context={"monitoring": record.pk},
            )
        elif outcome == O.CONTINUE and locked.status == C.MONITORING:
            move_case(
                by=by,
                case=locked,
                to=C.ACTIVE,
                note=f"{label}（{format_wareki(done_on)}）の結果、現在のプランで支援を継続します。",
                action="case.monitoring_done",
                context={"monitoring": record.pk},
            )
    case.refresh_from_db()
    return record


def monitoring_start(*, by, case: Case, today: datetime.date | None = None) -> Case:
    """支援中 → モニタリング, when a monitoring or evaluation is due (or overdue)."""
    _managing(by, case)
    if case.status != C.ACTIVE:
        raise CaseTransitionError(
            "モニタリングを始められるのは「支援中」の事例です"
            f"（この事例は「{case.get_status_display()}」です）。"
        )
    _monitored_plan(case)
    dues = [d for d in due_dates(case, today=today) if d.needs_attention]
    if not dues:
        raise CaseTransitionError(
            f"{notice_days()}日以内に予定されたモニタリング・評価がないため、"
            "まだモニタリングを始められません。"
        )
    first = dues[0]
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        move_case(
            by=by,
            case=locked,
            to=C.MONITORING,
            note=f"{first.kind_label}の予定日（{format_wareki(first.due_on)}）",
            action="case.monitoring",
            context={"kind": first.kind, "due_on": first.due_on.isoformat()},
        )
    case.refresh_from_db()
    return case


# ------------------------------------------------------------------------------ panels


def _may_manage(request, case: Case) -> bool:
    return request.user.has_perm("cases.manage_case", case)


def case_panel(request, case) -> dict:
    """Context for the case page's monitoring section."""
    if case.status not in (*MONITORED, C.REPLANNING, C.CLOSED, C.SUSPENDED):
        return {}
    records = list(
        case.monitorings.select_related("recorded_by").order_by("-done_on", "-recorded_at", "-id")
    )
    dues = due_dates(case)
    if not dues and not records:
        return {}
    may_manage = _may_manage(request, case)
    return {
        "monitoring_panel": {
            "dues": dues,
            "last": records[0] if records else None,
            "count": len(records),
            "may_record": may_manage and case.status in MONITORED,
            "may_start": may_manage
            and case.status == C.ACTIVE
            and any(d.needs_attention for d in dues),
        }
    }


def dashboard_panel(request) -> dict:
    """Context for the dashboard's monitoring panel (coordinators and the office only)."""
    membership = getattr(request, "membership", None)
    if membership is None or membership.role not in (Role.COORDINATOR, Role.MUNICIPAL_OFFICER):
        return {}
    from tsunagu.audit.services import audit_read

    from .selectors import subject_person_ids

    dues = due_for_user(request.user)
    rows = dues[:PANEL_ROWS]
    persons = subject_person_ids({d.case.pk: d.case for d in rows}.values())
    if persons:
        audit_read(
            request,
            "dashboard.view",
            persons=persons,
            context={"panel": "monitoring", "cases": sorted({d.case.pk for d in rows})},
            purpose="ダッシュボードの確認",
        )
    return {
        "monitoring_dashboard": {
            "rows": rows,
            "count": len(dues),
            "overdue": sum(1 for d in dues if d.is_overdue),
        }
    }
