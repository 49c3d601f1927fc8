"""The demo's 多機関協働 cases and meetings: every status, the program's rules, idempotence."""

from __future__ import annotations

import datetime
import io
import itertools
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tsunagu import access
from tsunagu.accounts.models import User
from tsunagu.audit.models import AuditEvent
from tsunagu.cases.models import (
    Activity,
    Case,
    CaseStatus,
    CaseStatusEvent,
    PlanReport,
    PlanStatus,
    SupportDecision,
    SupportPlan,
)
from tsunagu.cases.selectors import activity, monitoring
from tsunagu.consultations.models import Consultation, Referral
from tsunagu.demo.cases import RESOURCE_GAP, SERIES, conference_days, third_thursday
from tsunagu.demo.services import DEMO_USERS
from tsunagu.meetings.models import (
    DECISION_KINDS,
    ActionItem,
    AgendaItem,
    Meeting,
    MeetingKind,
    MeetingMember,
)
from tsunagu.people.models import Person
from tsunagu.resources.models import ResourceGap

C = CaseStatus


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker):
    """The demo city, seeded once for this module in a transaction rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", households=6, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_city, db):
    """Each test runs in its own savepoint inside the seeded module's transaction."""


def acting(username: str) -> User:
    user = User.objects.get(username=username)
    user.acting_membership = user.memberships.select_related("agency").get()
    return user


def test_demo_users_have_fictitious_addresses_so_reminders_go_out(demo):
    users = User.objects.filter(username__in=[u.username for u in DEMO_USERS])
    assert users.count() == len(DEMO_USERS)
    for user in users:
        assert user.email.endswith(("@example.jp", ".example.lg.jp")), user.email
    assert User.objects.get(username="coordinator").email == "coordinator@example.jp"
    assert User.objects.get(username="officer").email == "officer@demo-city.example.lg.jp"


# ---------------------------------------------------------------------------------- dates


def test_conference_days_are_third_thursdays_around_today():
    for offset in range(800):
        today = datetime.date(2026, 1, 1) + datetime.timedelta(days=offset)
        past, upcoming = conference_days(today)
        assert len(past) == 3, today
        for day in (*past, upcoming):
            assert day.weekday() == 3 and 15 <= day.day <= 21, today
        assert past[0] < past[1] < past[2] < today < upcoming, today
        months = [d.year * 12 + d.month for d in (*past, upcoming)]
        assert months[1] - months[0] == months[2] - months[1] == 1, today  # monthly
        # the next follows the last held; on a meeting day itself, that day's is left out
        meeting_day = today == third_thursday(today.year, today.month)
        assert months[3] - months[2] == (2 if meeting_day else 1), today


# ------------------------------------------------------------------------------- statuses


def test_every_status_is_present_and_reached_through_recorded_moves(demo):
    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert set(statuses) == set(C.values)
    assert statuses[C.ACTIVE] >= 2
    assert Case.objects.count() >= 12
    for case in Case.objects.all():
        events = list(CaseStatusEvent.objects.filter(case=case).order_by("at", "id"))
        assert events[0].to_status == C.INTAKE
        assert events[-1].to_status == case.status
        for before, after in itertools.pairwise(events):
            assert after.from_status == before.to_status


def test_plans_are_confirmed_only_by_a_decision_and_a_support_decision_or_report(demo):
    confirmed = SupportPlan.objects.filter(confirmed_on__isnull=False)
    assert confirmed.count() >= 5
    for plan in confirmed:
        item = plan.agreed_at_item
        assert item is not None and item.outcome == "agreed"
        assert item.meeting.kind in DECISION_KINDS
        assert plan.agreed_on <= plan.confirmed_on <= timezone.localdate()
        decision = SupportDecision.objects.filter(plan=plan).first()
        report = PlanReport.objects.filter(plan=plan).first()
        if plan.has_statutory_items:
            assert decision is not None and report is None
            assert decision.decided_by.username == "officer"
            assert decision.decided_on == plan.confirmed_on
        else:
            assert report is not None and decision is None
            assert report.reported_on == plan.confirmed_on
    how = {
        "decision": confirmed.filter(support_decision__isnull=False).count(),
        "report": confirmed.filter(report__isnull=False).count(),
    }
    assert how["decision"] >= 2 and how["report"] >= 2
    active = Case.objects.filter(status=C.ACTIVE)
    assert {p.has_statutory_items for c in active for p in c.plans.filter(status="confirmed")} == {
        True,
        False,
    }


def test_each_supported_case_has_its_plan(demo):
    for case in Case.objects.filter(status__in=[C.ACTIVE, C.MONITORING, C.CLOSED]):
        assert case.plans.filter(status=PlanStatus.CONFIRMED).count() == 1
    replanning = Case.objects.get(status=C.REPLANNING)
    assert replanning.plans.filter(status=PlanStatus.CONFIRMED).exists()
    assert replanning.plans.filter(status=PlanStatus.DRAFT, kind="replan").exists()
    assert replanning.monitorings.filter(outcome="replan").exists()
    planning = Case.objects.get(status=C.PLANNING)
    draft = planning.plans.get(status=PlanStatus.DRAFT)
    assert draft.items.exists()


def test_awaiting_case_waits_for_the_officers_support_decision(demo):
    case = Case.objects.get(status=C.AWAITING_DECISION)
    plan = case.plans.get(status=PlanStatus.AGREED)
    assert plan.items.filter(statutory_service="participation").exists()
    assert not SupportDecision.objects.filter(plan=plan).exists()
    assert access.cases_visible_to(acting("officer")).filter(pk=case.pk).exists()


def test_closed_case_names_a_houkatsu_center_as_lead_agency(demo):
    case = Case.objects.get(status=C.CLOSED)
    assert case.lead_agency_after_closure.code.startswith("houkatsu_")
    assert case.lead_agency_after_closure.name.startswith("地域包括支援センター")
    item = AgendaItem.objects.get(case=case, purpose="closure")
    assert item.outcome == "agreed"
    assert item.lead_agency_id == case.lead_agency_after_closure_id
    assert item.meeting.kind == MeetingKind.CONFERENCE
    assert case.closed_on == timezone.localtime(item.meeting.starts_at).date()
    assert case.team.filter(agency=case.lead_agency_after_closure, left_on__isnull=True).exists()


def test_suspension_records_the_contact_attempts(demo):
    case = Case.objects.get(status=C.SUSPENDED)
    item = AgendaItem.objects.get(case=case, purpose="suspension")
    assert item.outcome == "agreed" and item.contact_attempts
    attempts = Activity.objects.filter(case=case, is_contact_attempt=True)
    assert attempts.count() >= 3
    assert not attempts.filter(reached_person=True).exists()
    assert all(a.occurred_on < timezone.localdate(item.meeting.starts_at) for a in attempts)


def test_case_without_consent_is_only_on_a_confidential_meeting(demo):
    without = [c for c in Case.objects.all() if c.current_consent() is None]
    on_agenda = [c for c in without if c.agenda_items.exists()]
    assert on_agenda, "the neighbour without consent is discussed at a 支援会議"
    for case in without:
        kinds = set(case.agenda_items.values_list("meeting__kind", flat=True))
        assert kinds <= {MeetingKind.CONFIDENTIAL}
    meeting = on_agenda[0].agenda_items.get().meeting
    assert meeting.starts_at < timezone.now()
    members = MeetingMember.objects.filter(meeting=meeting)
    assert {m.user.username for m in members} == {
        "coordinator",
        "officer",
        "hikikomori",
        "outreach",
    }
    assert all(m.pledged_at is not None and m.attended for m in members)
    hikikomori = acting("hikikomori")
    assert access.meeting_materials_visible(hikikomori, meeting)
    # every case with consent shares it at a conference before being put on one
    for item in AgendaItem.objects.filter(meeting__kind=MeetingKind.CONFERENCE, case__isnull=False):
        consents = item.case.consents.filter(share_in_conference=True, is_withdrawal=False)
        assert consents.exists()


# -------------------------------------------------------------------------------- meetings


def test_regular_series_held_monthly_with_the_next_one_upcoming(demo):
    series = list(Meeting.objects.filter(series=SERIES).order_by("starts_at"))
    now = timezone.now()
    held = [m for m in series if m.starts_at < now]
    upcoming = [m for m in series if m.starts_at > now]
    assert len(held) >= 3 and len(upcoming) == 1
    for meeting in series:
        assert meeting.kind == MeetingKind.CONFERENCE and meeting.schedule == "regular"
        day = timezone.localtime(meeting.starts_at).date()
        assert day.weekday() == 3 and 15 <= day.day <= 21
    for meeting in held:
        present = {m.user.username for m in meeting.members.filter(attended=True)}
        assert {"coordinator", "officer"} <= present
        assert meeting.minutes
        assert meeting.agenda.exclude(outcome="").exists()
        assert not meeting.agenda.filter(outcome="", is_withdrawn=False).exists()
    (next_meeting,) = upcoming
    waiting = next_meeting.agenda.filter(outcome="", is_withdrawn=False)
    assert waiting.filter(purpose="plan_adoption", case__status=C.IN_CONFERENCE).exists()
    assert not next_meeting.members.filter(attended__isnull=False).exists()
    gap = ResourceGap.objects.get(description=RESOURCE_GAP)
    assert gap.meeting_link.meeting in held
    assert gap.origin == "meeting"
    assert ActionItem.objects.filter(meeting__in=held).count() >= 2
    assert Meeting.objects.filter(kind=MeetingKind.CASE).count() == 1
    assert Meeting.objects.filter(kind=MeetingKind.CONFIDENTIAL).count() == 1


# ------------------------------------------------------------------------------- dashboards


def test_dashboards_have_work_to_show(demo):
    coordinator = acting("coordinator")
    dues = monitoring.due_for_user(coordinator)
    assert any(d.is_overdue for d in dues)
    assert any(not d.is_overdue and d.needs_attention for d in dues)
    assert Case.objects.filter(status=C.MONITORING).exists()
    unseen = activity.unseen_for(coordinator)
    assert unseen.count() >= 3
    assert len({a.agency_id for a in unseen}) >= 3  # from several agencies
    coordinating = Activity.objects.exclude(agency__code="marugoto")
    assert coordinating.filter(seen_by_coordinator_at__isnull=False).exists()
    assert ActionItem.objects.filter(done_on__isnull=True).exists()
    assert ActionItem.objects.filter(done_on__isnull=False).exists()


# ---------------------------------------------------------------------- idempotence, audit


def counts() -> dict[str, int]:
    models = (
        Case,
        CaseStatusEvent,
        SupportPlan,
        Activity,
        Meeting,
        MeetingMember,
        AgendaItem,
        ActionItem,
        ResourceGap,
        Consultation,
        Referral,
        Person,
        AuditEvent,
    )
    return {model.__name__: model.objects.count() for model in models}


def test_second_run_adds_nothing_and_the_audit_chain_verifies(demo):
    before = counts()
    call_command("seed_demo", households=6, stdout=io.StringIO())
    assert counts() == before
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "正常" in out.getvalue()
