"""Writes of support plans (支援プラン) and their confirmation (domain.md §5.3).

A plan is drafted by the case's coordinator while the case is in プラン作成 or 再プラン; it
is frozen once on an agenda; a meeting decision agrees it (``meetings.services``); it is
confirmed only by

- the municipality's 支援決定, when it contains a statutory service (参加支援・アウトリーチ),
  alone or with other services (the rest is recorded and checked with it);
- the report of the agreed plan to the municipality, when it contains none.

Confirmation supersedes the previous plan, puts the agencies it names on the case team and
starts the support (支援中) with the monitoring and evaluation dates.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tsunagu.accounts.acting import acting
from tsunagu.accounts.models import Agency
from tsunagu.audit.services import audit_record, diff, snapshot
from tsunagu.cases.models import (
    Case,
    CaseStatus,
    PlanItem,
    PlanKind,
    PlanReport,
    PlanStatus,
    StatutoryService,
    SupportDecision,
    SupportPlan,
)
from tsunagu.cases.permissions import manages_case
from tsunagu.cases.selectors.monitoring import add_months
from tsunagu.cases.services.case import move_case
from tsunagu.cases.services.due_dates import refresh_due_dates
from tsunagu.cases.services.team import ensure_team_member
from tsunagu.cases.workflow import (
    PLAN_DRAFTING,
    PLAN_TRANSITIONS,
    CaseTransitionError,
    plan_awaits_confirmation,
    plan_is_editable,
)
from tsunagu.common.validation import max_length_errors

C = CaseStatus
P = PlanStatus


def _set_status(plan: SupportPlan, to: str, **fields) -> None:
    """The one writer of a plan's status: the move must be in ``workflow.PLAN_TRANSITIONS``
    and the plan still where the caller found it."""
    current = plan.status
    if (current, to) not in PLAN_TRANSITIONS:
        raise CaseTransitionError(
            f"「{P(current).label}」のプランを「{P(to).label}」にすることはできません。"
        )
    moved = SupportPlan.objects.filter(pk=plan.pk, status=current).update(
        status=to, updated_at=timezone.now(), **fields
    )
    if not moved:
        raise CaseTransitionError("このプランは他の操作で変更されました。画面を更新してください。")
    refresh_due_dates([plan.case_id])  # a plan confirmed or replaced changes what falls due
    plan.refresh_from_db()


def plan_to_conference(*, by, plan: SupportPlan, case: Case, note: str, context: dict) -> None:
    """A draft plan goes on a meeting's agenda: it is frozen, and the case 会議で協議中."""
    _set_status(plan, P.IN_CONFERENCE)
    move_case(
        by=by, case=case, to=C.IN_CONFERENCE, note=note, action="case.on_agenda", context=context
    )


def plan_back_to_drafting(
    *, by, plan: SupportPlan, case: Case, replan: bool, note: str, action: str, context: dict
) -> None:
    """The agenda item was withdrawn, or the meeting asked for a revision: the plan is a
    draft again, and the case goes back to where it came from (プラン作成 or 再プラン)."""
    _set_status(plan, P.DRAFT)
    if case.status == C.IN_CONFERENCE:
        back = C.REPLANNING if replan else C.PLANNING
        move_case(by=by, case=case, to=back, note=note, action=action, context=context)


def plan_agree(
    *, by, plan: SupportPlan, case: Case, item, on: datetime.date, note: str, context: dict
) -> None:
    """A meeting agreed the plan: it waits for the 支援決定 or the report to the municipality."""
    _set_status(plan, P.AGREED, agreed_at_item=item, agreed_on=on)
    move_case(
        by=by,
        case=case,
        to=C.AWAITING_DECISION,
        note=note,
        action="case.plan_agreed",
        context=context,
    )


def _manager(by, case: Case) -> None:
    if not manages_case(by, case):
        raise PermissionDenied(
            "支援プランは、この事例を担当する多機関協働事業者と事務局が作成します。"
        )


def _audit(by, action: str, plan: SupportPlan, changes=None, **context) -> None:
    audit_record(
        actor=by,
        action=action,
        target=plan,
        persons=plan.case.subject_persons(),
        context={"case": plan.case_id, "plan": plan.pk, **context},
        changes=changes,
    )


def _plan_errors(goals: str, policy: str, next_monitoring_on, evaluation_on) -> dict:
    errors = {}
    if not goals.strip():
        errors["goals"] = "本人の目標を入力してください（本人の言葉で）。"
    if not policy.strip():
        errors["policy"] = "支援方針を入力してください。"
    if next_monitoring_on and evaluation_on and evaluation_on < next_monitoring_on:
        errors["evaluation_on"] = "評価予定日は、モニタリング予定日以降にしてください。"
    return errors


def plan_create(
    *,
    by,
    case: Case,
    goals: str,
    policy: str,
    next_monitoring_on: datetime.date | None = None,
    evaluation_on: datetime.date | None = None,
) -> SupportPlan:
    """Start a new plan version: 初回プラン in プラン作成, 再プラン in 再プラン."""
    _manager(by, case)
    if case.status not in PLAN_DRAFTING:
        raise CaseTransitionError(
            f"プランを作成できるのは「{C.PLANNING.label}」「{C.REPLANNING.label}」の事例です"
            f"（現在：{C(case.status).label}）。"
        )
    errors = _plan_errors(goals, policy, next_monitoring_on, evaluation_on)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.plans.filter(status__in=[PlanStatus.DRAFT, PlanStatus.IN_CONFERENCE]).exists():
            raise CaseTransitionError("作成中のプランがあります。そのプランを編集してください。")
        last = locked.plans.order_by("-version").values_list("version", flat=True).first()
        kind = (
            PlanKind.REPLAN
            if case.status == C.REPLANNING or locked.plans.filter(confirmed_on__isnull=False)
            else PlanKind.INITIAL
        )
        plan = SupportPlan.objects.create(
            case=locked,
            version=(last or 0) + 1,
            kind=kind,
            goals=goals.strip(),
            policy=policy.strip(),
            next_monitoring_on=next_monitoring_on,
            evaluation_on=evaluation_on,
            created_by=by,
        )
        _audit(by, "plan.create", plan, diff({}, snapshot(plan)))
    return plan


def _draft(by, plan: SupportPlan) -> None:
    _manager(by, plan.case)
    if not plan_is_editable(plan):
        raise CaseTransitionError(
            f"「{PlanStatus(plan.status).label}」のプランは変更できません。"
            "変更するには、会議で修正を決めるか、再プランを作成してください。"
        )


def plan_update(
    *,
    by,
    plan: SupportPlan,
    goals: str,
    policy: str,
    next_monitoring_on: datetime.date | None = None,
    evaluation_on: datetime.date | None = None,
) -> SupportPlan:
    _draft(by, plan)
    errors = _plan_errors(goals, policy, next_monitoring_on, evaluation_on)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = snapshot(plan)
        updated = SupportPlan.objects.filter(pk=plan.pk, status=PlanStatus.DRAFT).update(
            goals=goals.strip(),
            policy=policy.strip(),
            next_monitoring_on=next_monitoring_on,
            evaluation_on=evaluation_on,
            updated_at=timezone.now(),
        )
        if updated != 1:
            raise CaseTransitionError("このプランは会議の議題になったため変更できません。")
        plan.refresh_from_db()
        _audit(by, "plan.update", plan, diff(before, snapshot(plan)))
    return plan


def _item_errors(fields: dict) -> dict:
    errors = {}
    if not fields["issue"].strip():
        errors["issue"] = "課題を入力してください。"
    if not fields["action"].strip():
        errors["action"] = "支援内容を入力してください。"
    agency = fields["agency"]
    if agency is None:
        errors["agency"] = "担当機関を選んでください。"
    elif not agency.is_active:
        errors["agency"] = "無効になっている機関は担当にできません。"
    if fields["statutory_service"] not in StatutoryService.values:
        errors["statutory_service"] = "法に基づく事業の区分が正しくありません。"
    start, end = fields["period_start"], fields["period_end"]
    if start and end and end < start:
        errors["period_end"] = "期間の終了は開始以降の日付にしてください。"
    errors.update(
        max_length_errors(
            PlanItem,
            issue=fields["issue"].strip(),
            worker=fields["worker"].strip(),
            frequency=fields["frequency"].strip(),
        )
    )
    return errors


def plan_item_add(
    *,
    by,
    plan: SupportPlan,
    issue: str,
    action: str,
    agency: Agency | None,
    worker: str = "",
    frequency: str = "",
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    statutory_service: str = "",
) -> PlanItem:
    """Add a line to a draft plan: an issue, what is done, which agency, how often, until when."""
    _draft(by, plan)
    fields = {
        "issue": issue,
        "action": action,
        "agency": agency,
        "worker": worker,
        "frequency": frequency,
        "period_start": period_start,
        "period_end": period_end,
        "statutory_service": statutory_service,
    }
    errors = _item_errors(fields)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = SupportPlan.objects.select_for_update().get(pk=plan.pk)
        if not plan_is_editable(locked):
            raise CaseTransitionError("このプランは会議の議題になったため変更できません。")
        last = locked.items.order_by("-order").values_list("order", flat=True).first()
        item = PlanItem.objects.create(
            plan=locked,
            order=(last or 0) + 1,
            **{k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()},
        )
        _audit(by, "plan.item_add", plan, diff({}, snapshot(item)), item=item.pk)
    return item


def plan_item_remove(*, by, item: PlanItem) -> None:
    """Remove a line from a draft plan (a plan on an agenda or agreed is never edited)."""
    plan = item.plan
    _draft(by, plan)
    with transaction.atomic():
        locked = SupportPlan.objects.select_for_update().get(pk=plan.pk)
        if not plan_is_editable(locked):
            raise CaseTransitionError("このプランは会議の議題になったため変更できません。")
        before = snapshot(item)
        item_pk = item.pk
        item.delete()
        _audit(by, "plan.item_remove", plan, diff(before, {}), item=item_pk)


def _confirm(*, by, plan: SupportPlan, how: str, action: str) -> SupportPlan:
    """The plan takes effect: team, dates, the previous plan superseded, the case 支援中."""
    today = timezone.localdate()
    cadence = settings.TSUNAGU
    for previous in SupportPlan.objects.filter(case=plan.case, status=P.CONFIRMED):
        _set_status(previous, P.SUPERSEDED)
    _set_status(
        plan,
        P.CONFIRMED,
        confirmed_on=today,
        next_monitoring_on=plan.next_monitoring_on
        or add_months(today, cadence["MONITORING_MONTHS"]),
        evaluation_on=plan.evaluation_on or add_months(today, cadence["EVALUATION_MONTHS"]),
    )
    for item in plan.items.select_related("agency"):
        ensure_team_member(case=plan.case, agency=item.agency, role=f"支援プラン：{item.issue}")
    move_case(
        by=by,
        case=plan.case,
        to=C.ACTIVE,
        note=f"{plan}を確定（{how}）",
        action=action,
        context={"plan": plan.pk},
    )
    return plan


def _agreed(plan: SupportPlan) -> SupportPlan:
    locked = SupportPlan.objects.select_for_update().get(pk=plan.pk)
    if not plan_awaits_confirmation(locked):
        raise CaseTransitionError(
            "重層的支援会議（または支援会議）で合意したプランだけを確定できます"
            f"（現在：{PlanStatus(locked.status).label}）。"
        )
    return locked


def support_decision_make(
    *,
    by,
    plan: SupportPlan,
    decided_on: datetime.date,
    decision_number: str = "",
    notes: str = "",
) -> SupportDecision:
    """支援決定 by the municipality for a plan with 参加支援 or アウトリーチ (§5.3 1-2)."""
    if not acting(by).is_office:
        raise PermissionDenied("支援決定は自治体職員（事務局）が行います。")
    errors = {}
    if decided_on is None:
        errors["decided_on"] = "支援決定日を入力してください。"
    elif decided_on > timezone.localdate():
        errors["decided_on"] = "支援決定日に未来の日付は指定できません。"
    errors.update(max_length_errors(SupportDecision, decision_number=decision_number))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _agreed(plan)
        if not locked.has_statutory_items:
            raise CaseTransitionError(
                "このプランには参加支援・アウトリーチ等の法に基づく事業がないため、支援決定は"
                "不要です。自治体への報告を記録して確定してください。"
            )
        if decided_on < locked.agreed_on:
            raise ValidationError(
                {"decided_on": "支援決定日は、会議で合意した日以降にしてください。"}
            )
        decision = SupportDecision.objects.create(
            plan=locked,
            decided_on=decided_on,
            decision_number=decision_number.strip(),
            notes=notes.strip(),
            decided_by=by,
        )
        _audit(by, "plan.support_decision", locked, diff({}, snapshot(decision)))
        _confirm(by=by, plan=locked, how="自治体の支援決定", action="case.support_decision")
    return decision


def plan_report_record(
    *, by, plan: SupportPlan, reported_on: datetime.date, reported_to: str, notes: str = ""
) -> PlanReport:
    """The agreed plan without statutory services is reported to the municipality (pattern 3)."""
    _manager(by, plan.case)
    errors = {}
    if reported_on is None:
        errors["reported_on"] = "報告日を入力してください。"
    elif reported_on > timezone.localdate():
        errors["reported_on"] = "報告日に未来の日付は指定できません。"
    if not reported_to.strip():
        errors["reported_to"] = "報告先（自治体の担当課・担当者）を入力してください。"
    errors.update(max_length_errors(PlanReport, reported_to=reported_to.strip()))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _agreed(plan)
        if locked.has_statutory_items:
            raise CaseTransitionError(
                "参加支援・アウトリーチ等の法に基づく事業を含むプランは、自治体の支援決定で"
                "確定します。"
            )
        if reported_on < locked.agreed_on:
            raise ValidationError({"reported_on": "報告日は、会議で合意した日以降にしてください。"})
        report = PlanReport.objects.create(
            plan=locked,
            reported_on=reported_on,
            reported_to=reported_to.strip(),
            notes=notes.strip(),
            recorded_by=by,
        )
        _audit(by, "plan.report", locked, diff({}, snapshot(report)))
        _confirm(by=by, plan=locked, how="自治体へ報告", action="case.plan_reported")
    return report
