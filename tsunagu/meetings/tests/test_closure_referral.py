"""A case closed by a conference closes the loop of the 多機関協働 referral it came from."""

import pytest
from django.urls import reverse

from tsunagu.audit.models import AuditEvent
from tsunagu.cases import services as case_services
from tsunagu.cases.models import CaseStatus
from tsunagu.cases.services import plan as plan_services
from tsunagu.cases.tests.flow import draft_plan, hold, meeting, to_planning
from tsunagu.consultations import services as referral_services
from tsunagu.consultations.models import ReferralEvent, ReferralOutcome, ReferralStatus
from tsunagu.meetings import services

C = CaseStatus


@pytest.fixture
def active_case(personas, consented_case, agencies):
    case = to_planning(personas, consented_case)
    draft_plan(personas, case, agencies, statutory=None)
    conference = hold(personas, meeting(personas))
    item = services.agenda_add(
        by=personas["coordinator"].user, meeting=conference, purpose="plan_adoption", case=case
    )
    services.decision_record(by=personas["coordinator"].user, item=item, outcome="agreed")
    plan_services.plan_report_record(
        by=personas["coordinator"].user,
        plan=case.plans.get(),
        reported_on=case.opened_on,
        reported_to="推進室",
    )
    case.refresh_from_db()
    assert case.status == C.ACTIVE
    return case, conference


def close(personas, case, conference, agencies, *, by="officer"):
    item = services.agenda_add(
        by=personas["coordinator"].user, meeting=conference, purpose="closure", case=case
    )
    services.decision_record(
        by=personas[by].user, item=item, outcome="agreed", lead_agency=agencies["houkatsu"]
    )
    case.refresh_from_db()
    assert case.status == C.CLOSED
    return case


def test_closure_completes_the_originating_referral(login, personas, agencies, active_case):
    case, conference = active_case
    assert case.referral.status == ReferralStatus.ACCEPTED
    # recorded by the program office, not by the receiving (coordinating) agency
    close(personas, case, conference, agencies, by="officer")
    referral = case.referral
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    assert referral.outcome == ReferralOutcome.SUPPORT_STARTED
    assert referral.completed_at is not None
    event = referral.events.order_by("at", "id").last()
    assert (event.from_status, event.to_status) == (ReferralStatus.ACCEPTED, "completed")
    assert f"事例 #{case.pk} の終結" in event.note
    assert AuditEvent.objects.filter(action="referral.complete").count() == 1
    # the sending desk sees the loop closed on the referral's page
    page = login(personas["desk"]).get(reverse("consultations:referral_detail", args=[referral.pk]))
    html = page.content.decode()
    assert "完了" in html and "支援開始" in html and "終結" in html


def test_the_loop_closes_once_and_reopening_keeps_it_closed(personas, agencies, active_case):
    case, conference = active_case
    case = close(personas, case, conference, agencies, by="coordinator")
    # a case closed again later finds its referral completed already: nothing changes
    assert (
        referral_services.referral_complete_with_case(by=personas["coordinator"].user, case=case)
        is None
    )
    case = case_services.case_transition(
        by=personas["coordinator"].user, case=case, to=C.ASSESSMENT, note="再び困りごと"
    )
    case.referral.refresh_from_db()
    assert case.referral.status == ReferralStatus.COMPLETED  # reopening keeps the loop closed
    assert ReferralEvent.objects.filter(referral=case.referral, to_status="completed").count() == 1


def test_the_rule_needs_a_closed_case(personas, case):
    with pytest.raises(referral_services.TransitionError, match="終結していない"):
        referral_services.referral_complete_with_case(by=personas["coordinator"].user, case=case)
    case.referral.refresh_from_db()
    assert case.referral.status == ReferralStatus.ACCEPTED
