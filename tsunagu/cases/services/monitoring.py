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

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tsunagu.audit.services import audit_record, diff, snapshot
from tsunagu.cases.models import (
    Case,
    CaseStatus,
    MonitoringKind,
    MonitoringOutcome,
    MonitoringRecord,
    SupportPlan,
)
from tsunagu.cases.selectors.monitoring import (
    add_months,
    current_plan,
    due_dates,
    monitoring_months,
    notice_days,
)
from tsunagu.cases.services.case import move_case
from tsunagu.cases.workflow import MONITORED, CaseTransitionError
from tsunagu.common.wareki import format_wareki

C = CaseStatus
K = MonitoringKind
O = MonitoringOutcome  # noqa: E741


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
