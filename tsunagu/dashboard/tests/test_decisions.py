"""The municipal officer's dashboard: 支援決定待ち (cases whose plan a meeting agreed)."""

from django.urls import reverse

from tsunagu.audit.models import AuditEvent
from tsunagu.cases.models import CaseStatus
from tsunagu.cases.tests.conftest import *  # noqa: F403
from tsunagu.cases.tests.flow import draft_plan, hold, meeting, to_planning
from tsunagu.meetings import services as meeting_services


def agree_plan(personas, case, agencies, *, statutory="participation"):
    case = to_planning(personas, case)
    plan = draft_plan(personas, case, agencies, statutory=statutory)
    conference = meeting(personas)
    item = meeting_services.agenda_add(
        by=personas["coordinator"].user, meeting=conference, purpose="plan_adoption", case=case
    )
    hold(personas, conference)
    meeting_services.decision_record(by=personas["coordinator"].user, item=item, outcome="agreed")
    case.refresh_from_db()
    plan.refresh_from_db()
    return case, plan


def test_officer_dashboard_lists_cases_awaiting_the_support_decision(
    login, personas, agencies, consented_case
):
    case, plan = agree_plan(personas, consented_case, agencies)
    assert case.status == CaseStatus.AWAITING_DECISION
    response = login(personas["officer"]).get("/")
    html = response.content.decode()
    assert 'data-testid="dashboard-decisions"' in html
    assert "支援決定待ち" in html
    assert html.count('data-testid="dashboard-decision-row"') == 1
    assert reverse("cases:case_detail", args=[case.pk]) in html
    assert reverse("cases:plan_detail", args=[case.pk, plan.pk]) in html
    assert "山田世帯" in html and "支援決定が必要" in html and "支援決定を記録する" in html
    assert response.context["decision_dashboard"]["count"] == 1
    event = AuditEvent.objects.filter(action="dashboard.view").latest("seq")
    assert event.context["panel"] == "awaiting_decision"
    assert set(event.person_ids) == set(case.subject_persons())


def test_plan_without_statutory_items_waits_for_the_report(
    login, personas, agencies, consented_case
):
    case, plan = agree_plan(personas, consented_case, agencies, statutory=None)
    html = login(personas["officer"]).get("/").content.decode()
    assert "自治体への報告で確定" in html
    assert reverse("cases:plan_detail", args=[case.pk, plan.pk]) in html


def test_no_waiting_cases_shows_an_empty_panel_and_others_see_no_panel(
    login, personas, agencies, consented_case
):
    html = login(personas["officer"]).get("/").content.decode()
    assert 'data-testid="dashboard-decisions-empty"' in html
    agree_plan(personas, consented_case, agencies)
    for name in ("coordinator", "desk", "unrelated", "admin", "guest"):
        page = login(personas[name]).get("/")
        assert "decision_dashboard" not in page.context
        assert 'data-testid="dashboard-decisions"' not in page.content.decode()
