"""Support plans, meeting decisions and the three confirmation patterns (domain.md §5.2–5.3)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tsunagu.audit.models import AuditEvent
from tsunagu.cases import services as case_services
from tsunagu.cases.models import CaseStatus, PlanKind, PlanStatus
from tsunagu.cases.services import plan as plan_services
from tsunagu.cases.workflow import CaseTransitionError
from tsunagu.meetings import services as meeting_services
from tsunagu.meetings.models import MeetingKind
from tsunagu.meetings.services import MeetingRuleError

from .flow import draft_plan, hold, meeting, to_planning

C = CaseStatus


@pytest.fixture
def planning_case(personas, consented_case):
    return to_planning(personas, consented_case)


def test_add_months_clamps_to_the_month_end():
    assert plan_services.add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert plan_services.add_months(datetime.date(2027, 11, 30), 3) == datetime.date(2028, 2, 29)
    assert plan_services.add_months(datetime.date(2026, 10, 15), 6) == datetime.date(2027, 4, 15)


def test_plan_needs_goals_policy_and_the_planning_status(personas, consented_case, agencies):
    coordinator = personas["coordinator"].user
    with pytest.raises(CaseTransitionError, match="プラン作成"):
        plan_services.plan_create(by=coordinator, case=consented_case, goals="g", policy="p")
    case = to_planning(personas, consented_case)
    with pytest.raises(ValidationError) as excinfo:
        plan_services.plan_create(by=coordinator, case=case, goals=" ", policy="")
    assert set(excinfo.value.message_dict) == {"goals", "policy"}
    with pytest.raises(PermissionDenied):
        plan_services.plan_create(by=personas["desk"].user, case=case, goals="g", policy="p")
    plan = draft_plan(personas, case, agencies)
    assert (plan.version, plan.kind, plan.status) == (1, PlanKind.INITIAL, PlanStatus.DRAFT)
    with pytest.raises(CaseTransitionError, match="作成中のプラン"):
        plan_services.plan_create(by=coordinator, case=case, goals="g", policy="p")
    assert AuditEvent.objects.filter(action="plan.item_add").count() == 2


def test_plan_item_validation(personas, planning_case, agencies):
    plan = draft_plan(personas, planning_case, agencies, statutory=None)
    with pytest.raises(ValidationError) as excinfo:
        plan_services.plan_item_add(
            by=personas["coordinator"].user,
            plan=plan,
            issue="",
            action="",
            agency=None,
            period_start=timezone.localdate(),
            period_end=timezone.localdate() - datetime.timedelta(days=1),
            statutory_service="x",
        )
    assert set(excinfo.value.message_dict) == {
        "issue",
        "action",
        "agency",
        "period_end",
        "statutory_service",
    }
    assert plan.items.count() == 1


def test_conference_agrees_then_support_decision_confirms(personas, planning_case, agencies):
    plan = draft_plan(personas, planning_case, agencies)
    conference = meeting(personas)
    item = meeting_services.agenda_add(
        by=personas["coordinator"].user,
        meeting=conference,
        purpose="plan_adoption",
        case=planning_case,
    )
    planning_case.refresh_from_db()
    plan.refresh_from_db()
    assert (planning_case.status, plan.status) == (C.IN_CONFERENCE, PlanStatus.IN_CONFERENCE)
    with pytest.raises(CaseTransitionError, match="変更できません"):
        plan_services.plan_item_add(
            by=personas["coordinator"].user,
            plan=plan,
            issue="x",
            action="y",
            agency=agencies["csw"],
        )
    # No decision without the coordinator AND the municipal officer present.
    with pytest.raises(MeetingRuleError, match="自治体職員"):
        meeting_services.decision_record(
            by=personas["coordinator"].user, item=item, outcome="agreed"
        )
    hold(personas, conference)
    meeting_services.decision_record(by=personas["coordinator"].user, item=item, outcome="agreed")
    plan.refresh_from_db()
    planning_case.refresh_from_db()
    assert (plan.status, plan.agreed_at_item_id) == (PlanStatus.AGREED, item.pk)
    assert planning_case.status == C.AWAITING_DECISION
    # Statutory items: the report is not enough; only the municipality's 支援決定 confirms.
    with pytest.raises(CaseTransitionError, match="支援決定"):
        plan_services.plan_report_record(
            by=personas["coordinator"].user,
            plan=plan,
            reported_on=timezone.localdate(),
            reported_to="推進室",
        )
    with pytest.raises(PermissionDenied):
        plan_services.support_decision_make(
            by=personas["coordinator"].user, plan=plan, decided_on=timezone.localdate()
        )
    plan_services.support_decision_make(
        by=personas["officer"].user,
        plan=plan,
        decided_on=timezone.localdate(),
        decision_number="重-1",
    )
    plan.refresh_from_db()
    planning_case.refresh_from_db()
    assert plan.status == PlanStatus.CONFIRMED
    assert plan.next_monitoring_on == plan_services.add_months(timezone.localdate(), 3)
    assert plan.evaluation_on == plan_services.add_months(timezone.localdate(), 6)
    assert planning_case.status == C.ACTIVE
    team = set(
        planning_case.team.filter(left_on__isnull=True).values_list("agency__code", flat=True)
    )
    assert {"houkatsu", "council"} <= team


def test_plan_without_statutory_items_is_confirmed_by_the_report(personas, planning_case, agencies):
    plan = draft_plan(personas, planning_case, agencies, statutory=None)
    conference = hold(personas, meeting(personas))
    item = meeting_services.agenda_add(
        by=personas["coordinator"].user,
        meeting=conference,
        purpose="plan_adoption",
        case=planning_case,
    )
    meeting_services.decision_record(by=personas["coordinator"].user, item=item, outcome="agreed")
    with pytest.raises(CaseTransitionError, match="不要"):
        plan_services.support_decision_make(
            by=personas["officer"].user, plan=plan, decided_on=timezone.localdate()
        )
    plan_services.plan_report_record(
        by=personas["coordinator"].user,
        plan=plan,
        reported_on=timezone.localdate(),
        reported_to="重層的支援推進室",
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CONFIRMED
    assert AuditEvent.objects.filter(action="case.plan_reported").exists()


def test_revision_sends_the_plan_back(personas, planning_case, agencies):
    plan = draft_plan(personas, planning_case, agencies)
    conference = hold(personas, meeting(personas))
    item = meeting_services.agenda_add(
        by=personas["coordinator"].user,
        meeting=conference,
        purpose="plan_adoption",
        case=planning_case,
    )
    with pytest.raises(ValidationError, match="修正が必要な点"):
        meeting_services.decision_record(
            by=personas["coordinator"].user, item=item, outcome="revise"
        )
    meeting_services.decision_record(
        by=personas["coordinator"].user,
        item=item,
        outcome="revise",
        decision_text="就労の項目を追加",
    )
    plan.refresh_from_db()
    planning_case.refresh_from_db()
    assert (plan.status, planning_case.status) == (PlanStatus.DRAFT, C.PLANNING)
    with pytest.raises(MeetingRuleError, match="既に記録"):
        meeting_services.decision_record(
            by=personas["coordinator"].user, item=item, outcome="agreed"
        )


def test_case_without_consent_goes_only_to_a_pledged_confidential_meeting(personas, case, agencies):
    case = to_planning(personas, case)
    draft_plan(personas, case, agencies)
    conference = meeting(personas)
    with pytest.raises(MeetingRuleError, match="支援会議"):
        meeting_services.agenda_add(
            by=personas["coordinator"].user, meeting=conference, purpose="plan_adoption", case=case
        )
    confidential = meeting(personas, MeetingKind.CONFIDENTIAL)
    officer_member = meeting_services.member_add(
        by=personas["coordinator"].user, meeting=confidential, user=personas["officer"].user
    )
    with pytest.raises(MeetingRuleError, match="誓約"):
        meeting_services.attendance_record(
            by=personas["coordinator"].user, meeting=confidential, attended=[officer_member.pk]
        )
    item = meeting_services.agenda_add(
        by=personas["coordinator"].user, meeting=confidential, purpose="plan_adoption", case=case
    )
    confidential.members.update(attended=None)
    hold(personas, confidential, officer=False)
    meeting_services.decision_record(by=personas["coordinator"].user, item=item, outcome="agreed")
    case.refresh_from_db()
    assert case.status == C.AWAITING_DECISION


def test_consent_withdrawal_takes_the_case_off_pending_conference_agendas(
    personas, planning_case, agencies
):
    draft_plan(personas, planning_case, agencies)
    conference = meeting(personas, hours_ago=-24)  # tomorrow
    item = meeting_services.agenda_add(
        by=personas["coordinator"].user,
        meeting=conference,
        purpose="plan_adoption",
        case=planning_case,
    )
    case_services.consent_withdraw(
        by=personas["coordinator"].user,
        case=planning_case,
        given_by="山田 フミ",
        given_on=timezone.localdate(),
    )
    item.refresh_from_db()
    planning_case.refresh_from_db()
    assert item.is_withdrawn and "同意" in item.withdrawn_reason
    assert planning_case.status == C.PLANNING
    assert planning_case.plans.get().status == PlanStatus.DRAFT


def _active_case(personas, case, agencies):
    draft_plan(personas, case, agencies, statutory=None)
    conference = hold(personas, meeting(personas))
    item = meeting_services.agenda_add(
        by=personas["coordinator"].user, meeting=conference, purpose="plan_adoption", case=case
    )
    meeting_services.decision_record(by=personas["coordinator"].user, item=item, outcome="agreed")
    plan_services.plan_report_record(
        by=personas["coordinator"].user,
        plan=case.plans.get(),
        reported_on=timezone.localdate(),
        reported_to="推進室",
    )
    case.refresh_from_db()
    return case, conference


def test_closure_only_by_decision_naming_the_lead_agency(personas, planning_case, agencies):
    case, conference = _active_case(personas, planning_case, agencies)
    with pytest.raises(CaseTransitionError, match="会議の決定"):
        case_services.case_transition(by=personas["coordinator"].user, case=case, to=C.CLOSED)
    item = meeting_services.agenda_add(
        by=personas["coordinator"].user, meeting=conference, purpose="closure", case=case
    )
    with pytest.raises(ValidationError, match="主担当機関"):
        meeting_services.decision_record(
            by=personas["coordinator"].user, item=item, outcome="agreed"
        )
    meeting_services.decision_record(
        by=personas["coordinator"].user,
        item=item,
        outcome="agreed",
        lead_agency=agencies["houkatsu"],
    )
    case.refresh_from_db()
    assert (case.status, case.lead_agency_after_closure_id) == (C.CLOSED, agencies["houkatsu"].pk)
    assert case.closed_on == timezone.localtime(conference.starts_at).date()
    # Reopening keeps the history and goes back to assessment.
    case = case_services.case_transition(
        by=personas["coordinator"].user, case=case, to=C.ASSESSMENT, note="再び困りごと"
    )
    assert case.status == C.ASSESSMENT and case.status_events.count() > 6


def test_suspension_records_the_contact_attempts(personas, planning_case, agencies):
    case, conference = _active_case(personas, planning_case, agencies)
    item = meeting_services.agenda_add(
        by=personas["coordinator"].user, meeting=conference, purpose="suspension", case=case
    )
    with pytest.raises(ValidationError, match="連絡の試み"):
        meeting_services.decision_record(
            by=personas["coordinator"].user, item=item, outcome="agreed"
        )
    meeting_services.decision_record(
        by=personas["coordinator"].user,
        item=item,
        outcome="agreed",
        contact_attempts="10/1 訪問不在、10/8 手紙、10/15 電話不通",
    )
    case.refresh_from_db()
    assert case.status == C.SUSPENDED
    assert "10/8 手紙" in case.status_events.last().note


def test_decision_purposes_need_a_conference_or_confidential_meeting(
    personas, planning_case, agencies
):
    draft_plan(personas, planning_case, agencies)
    case_meeting = meeting(personas, MeetingKind.CASE)
    with pytest.raises(MeetingRuleError, match="重層的支援会議または支援会議"):
        meeting_services.agenda_add(
            by=personas["coordinator"].user,
            meeting=case_meeting,
            purpose="plan_adoption",
            case=planning_case,
        )
    item = meeting_services.agenda_add(
        by=personas["coordinator"].user,
        meeting=case_meeting,
        purpose="progress",
        case=planning_case,
    )
    meeting_services.decision_record(
        by=personas["coordinator"].user, item=item, outcome="noted", decision_text="共有した"
    )
    planning_case.refresh_from_db()
    assert planning_case.status == C.PLANNING


def test_a_decision_cannot_precede_the_meeting(personas, planning_case, agencies):
    draft_plan(personas, planning_case, agencies)
    future = meeting(personas, hours_ago=-48)
    item = meeting_services.agenda_add(
        by=personas["coordinator"].user, meeting=future, purpose="plan_adoption", case=planning_case
    )
    with pytest.raises(MeetingRuleError, match="開催前"):
        meeting_services.decision_record(
            by=personas["coordinator"].user, item=item, outcome="agreed"
        )


def test_a_plan_moves_only_along_the_workflow(personas, planning_case, agencies):
    """Every plan status move goes through ``cases.services.plan`` and the table in
    ``cases.workflow``: a draft cannot be agreed or confirmed without a meeting."""
    plan = draft_plan(personas, planning_case, agencies)
    by = personas["coordinator"].user
    with pytest.raises(CaseTransitionError, match="作成中"):
        plan_services.plan_agree(
            by=by,
            plan=plan,
            case=planning_case,
            item=None,
            on=timezone.localdate(),
            note="",
            context={},
        )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert planning_case.status == CaseStatus.PLANNING


def _plan_status_writes(source: str) -> int:
    """How many times ``source`` writes a plan status: ``.update(status=PlanStatus.X)`` or
    ``obj.status = PlanStatus.X``."""
    import ast

    def is_plan_status(node) -> bool:
        return (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "PlanStatus"
        )

    count = 0
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "update":
            count += sum(1 for k in node.keywords if k.arg == "status" and is_plan_status(k.value))
        elif isinstance(node, ast.Assign) and is_plan_status(node.value):
            count += sum(1 for t in node.targets if getattr(t, "attr", "") == "status")
    return count


def test_no_other_module_writes_a_plan_status():
    """A plan's status is written in one place, ``cases.services.plan._set_status``, along
    the moves of ``cases.workflow.PLAN_TRANSITIONS``; meetings call its functions."""
    from pathlib import Path

    assert _plan_status_writes("Plan.objects.filter(pk=1).update(status=PlanStatus.AGREED)")
    assert _plan_status_writes("plan.status = PlanStatus.DRAFT")
    root = Path(__file__).resolve().parents[2]
    writers = sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and "migrations" not in path.parts
        and _plan_status_writes(path.read_text(encoding="utf-8"))
    )
    assert writers == [], writers
