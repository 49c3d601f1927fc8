"""The demo's アウトリーチ: every stage, an unnamed record, letters before a first meeting, a
hand-over to 多機関協働 (accepted: its case shows the record), a closure, a silent and an urgent record, plans at both kinds of
meeting; all written through the services (history and audit), and seeded once."""

from __future__ import annotations

import datetime
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tsunagu import access
from tsunagu.accounts.models import Program, User
from tsunagu.audit.models import AuditEvent
from tsunagu.cases.models import CaseStatus
from tsunagu.consultations.models import Consultation, ReferralKind, ReferralStatus
from tsunagu.demo.outreach import AGENCY, COORDINATING, HANDOVERS, seed_outreach
from tsunagu.meetings.models import MeetingKind
from tsunagu.outreach import selectors
from tsunagu.outreach.models import (
    ClosureReason,
    ContactMethod,
    EventKind,
    OutreachContact,
    OutreachEvent,
    OutreachPlan,
    OutreachPlanStatus,
    OutreachRecord,
    Stage,
)
from tsunagu.outreach.selectors import CaseloadFilter
from tsunagu.outreach.workflow import is_silent


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker):
    """The demo city, seeded once for this module in a transaction rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", households=4, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_city, db):
    """Each test runs in its own savepoint inside the seeded module's transaction."""


def acting(username: str) -> User:
    user = User.objects.get(username=username)
    user.acting_membership = user.memberships.select_related("agency").get()
    return user


def records() -> list[OutreachRecord]:
    """The outreach demo's records (not the one a 見守り's escalation began: demo/community.py)."""
    from tsunagu.community.models import Escalation

    begun_from_watches = Escalation.objects.filter(outreach_record__isnull=False).values(
        "outreach_record_id"
    )
    return list(
        OutreachRecord.objects.exclude(pk__in=begun_from_watches)
        .select_related("agency", "person")
        .order_by("id")
    )


def from_watches() -> list[int]:
    from tsunagu.community.models import Escalation

    return list(
        Escalation.objects.filter(outreach_record__isnull=False).values_list(
            "outreach_record_id", flat=True
        )
    )


def test_every_stage_open_and_closed_records_of_the_outreach_agency(demo):
    found = records()
    assert 8 <= len(found) <= 12
    assert {r.agency.code for r in found} == {AGENCY}
    assert {r.stage for r in found} == set(Stage.values)
    assert {r.stage for r in found if not r.is_closed} == set(Stage.values)
    assert {r.source for r in found} >= {"minsei", "resident", "agency", "family"}
    assert all(r.known_facts and r.informant_name for r in found)
    today = timezone.localdate()
    assert all(r.began_on <= today and (r.last_contact_on or r.began_on) <= today for r in found)


def test_one_record_is_still_unnamed(demo):
    unnamed = [r for r in records() if r.person_id is None]
    assert len(unnamed) == 1
    (record,) = unnamed
    assert record.stage == Stage.GATHERING and not record.is_closed
    assert record.label == "北部 60代男性 A"
    assert "民生委員" in record.informant_name


def test_letters_then_a_first_meeting_and_the_person_identified(demo):
    reached = []
    for record in records():
        contacts = list(record.contacts.order_by("occurred_on", "id"))
        letters = [c for c in contacts if c.method == ContactMethod.LETTER]
        met = [c for c in contacts if c.method == ContactMethod.VISIT_MET]
        if len(letters) >= 3 and met and met[0].occurred_on > letters[-1].occurred_on:
            reached.append((record, met[0]))
    assert reached
    record, first = reached[0]
    assert record.first_met_on == first.occurred_on
    assert first.reached_person
    assert record.person_id is not None
    assert record.events.filter(kind=EventKind.PERSON).exists()
    assert record.stage == Stage.HOME_VISIT


def test_handed_over_after_consent_with_a_multi_agency_referral(demo):
    handed = [r for r in records() if r.handover_referral_id]
    assert len(handed) == HANDOVERS
    (record,) = handed
    referral = record.handover_referral
    assert record.has_consent and record.consent_method
    assert referral.kind == ReferralKind.MULTI_AGENCY
    assert referral.status == ReferralStatus.ACCEPTED  # by the coordinator: the case opened
    assert referral.from_agency.code == AGENCY
    assert referral.to_agency.runs(Program.MULTI_AGENCY)
    assert referral.person_id == record.person_id
    assert referral.consultation.agency.code == AGENCY
    events = list(record.events.values_list("kind", flat=True))
    assert events.index(EventKind.CONSENT) < events.index(EventKind.HANDOVER)
    assert not record.is_closed  # the record stays open beside the case
    coordinator = acting("coordinator")
    assert access.referrals_visible_to(coordinator).filter(pk=referral.pk).exists()


def test_the_case_opened_from_the_hand_over_shows_the_outreach_record(demo, client):
    (record,) = [r for r in records() if r.handover_referral_id]
    case = record.handover_referral.case
    assert case.status == CaseStatus.INTAKE
    assert case.person_id == record.person_id
    assert case.coordinating_agency.code == COORDINATING
    coordinator = acting("coordinator")
    assert access.cases_visible_to(coordinator).filter(pk=case.pk).exists()
    client.force_login(coordinator)
    page = client.get(reverse("cases:case_detail", args=[case.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="case-outreach-panel"' in text
    assert record.label in text
    assert record.contacts.order_by("-occurred_on", "-id").first().summary[:40] in text


def test_one_record_closed_connected_to_an_agency(demo):
    closed = [r for r in records() if r.is_closed]
    assert len(closed) == 1
    (record,) = closed
    assert record.closure_reason == ClosureReason.CONNECTED
    assert record.connected_agency is not None
    assert record.connected_agency.code != AGENCY
    assert record.events.filter(kind=EventKind.CLOSED, occurred_on=record.closed_on).exists()
    worker = acting("outreach")
    assert record not in selectors.caseload(user=worker)
    assert record in selectors.caseload(user=worker, filters=CaseloadFilter(state="closed"))


def test_one_record_silent_for_more_than_100_days(demo):
    today = timezone.localdate()
    long_ago = today - datetime.timedelta(days=100)
    silent = [r for r in records() if is_silent(r, today)]
    assert len(silent) == 1
    (record,) = silent
    assert record.began_on < long_ago and record.last_contact_on < long_ago
    assert record.next_action_on < today  # its next step is overdue too
    worker = acting("outreach")
    flagged = selectors.caseload(user=worker, filters=CaseloadFilter(flag="silent"))
    assert list(flagged) == [record]
    (row,) = selectors.rows_for_page([record.pk])
    assert row.silent and row.overdue and row.days_since_contact > 100


def test_one_urgent_record_with_the_calls_made(demo):
    urgent = [r for r in records() if r.is_urgent]
    assert len(urgent) == 1
    (record,) = urgent
    assert "警察" in record.urgent_note and "救急" in record.urgent_note
    assert record.urgent_since is not None
    assert record.events.filter(kind=EventKind.URGENT).exists()
    worker = acting("outreach")
    assert selectors.caseload(user=worker).first() == record  # urgent first


def test_plan_before_consent_agreed_at_the_confidential_meeting(demo):
    plans = OutreachPlan.objects.filter(agenda_item__meeting__kind=MeetingKind.CONFIDENTIAL)
    (plan,) = plans
    assert plan.status == OutreachPlanStatus.AGREED and plan.decided_on and plan.decision_text
    assert not plan.with_consent and not plan.record.has_consent
    meeting = plan.agenda_item.meeting
    assert meeting.starts_at < timezone.now()
    assert plan.record.label in meeting.minutes
    # its members pledged; a member of another agency sees the record as the meeting's materials
    members = {m.user.username: m for m in meeting.members.select_related("user")}
    assert members["outreach"].pledged_at is not None
    hikikomori = acting("hikikomori")
    assert access.outreach_records_visible_to(hikikomori).filter(pk=plan.record_id).exists()
    assert not access.works_outreach_record(hikikomori, plan.record)
    housing = acting("housing")  # not a member of this meeting
    assert not access.outreach_records_visible_to(housing).filter(pk=plan.record_id).exists()


def test_plan_after_consent_waits_on_the_next_conference(demo):
    plans = OutreachPlan.objects.filter(status=OutreachPlanStatus.IN_MEETING)
    (plan,) = plans
    assert plan.with_consent and plan.record.has_consent
    meeting = plan.agenda_item.meeting
    assert meeting.kind == MeetingKind.CONFERENCE and meeting.starts_at > timezone.now()


def test_written_through_the_services_with_history_and_audit(demo):
    found = records()
    for record in found:
        kinds = Counter(record.events.values_list("kind", flat=True))
        assert kinds[EventKind.BEGAN] == 1
        stage_events = record.events.filter(kind=EventKind.STAGE).order_by("at", "id")
        if record.stage != Stage.GATHERING:
            assert stage_events.last().to_stage == record.stage
    audited = Counter(
        AuditEvent.objects.filter(action__startswith="outreach.").values_list("action", flat=True)
    )
    assert audited["outreach.create"] == len(found) + len(from_watches())
    assert audited["outreach.contact"] == OutreachContact.objects.count()
    assert audited["outreach.stage"] == OutreachEvent.objects.filter(kind=EventKind.STAGE).count()
    assert audited["outreach.handover"] == HANDOVERS
    assert audited["outreach.close"] == 1


def test_office_and_worker_caseloads(demo):
    open_records = [r for r in records() if not r.is_closed]
    worker = acting("outreach")
    officer = acting("officer")
    # the caseload also holds the record a 見守り's escalation began (demo/community.py)
    assert selectors.caseload(user=worker).count() == len(open_records) + len(from_watches())
    assert selectors.caseload(user=officer).count() == len(open_records) + len(from_watches())
    assert selectors.caseload(user=worker, filters=CaseloadFilter(q="北部")).count() == 2
    assert not selectors.caseload(user=acting("desk")).exists()


def test_seeding_again_changes_nothing(demo):
    before = (
        OutreachRecord.objects.count(),
        OutreachContact.objects.count(),
        OutreachEvent.objects.count(),
        Consultation.objects.count(),
    )
    assert seed_outreach() == 0
    call_command("seed_demo", households=4, stdout=io.StringIO())
    after = (
        OutreachRecord.objects.count(),
        OutreachContact.objects.count(),
        OutreachEvent.objects.count(),
        Consultation.objects.count(),
    )
    assert after == before
