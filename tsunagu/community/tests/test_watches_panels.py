"""The home page's 見守り・気づき widget and the person page's 見守り panel: what the user
may see, each read audited with the page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tsunagu.audit.models import AuditEvent

from .. import panels
from ..services import reports as report_services
from .test_watches_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


def test_widget_shows_overdue_checks_and_untriaged_reports(rf, personas, keeper, watch, report):
    request = rf.get("/")
    request.user = keeper
    answer = panels.dashboard_panel(keeper, request=request)["community_dashboard"]
    assert [w.pk for w in answer["watches"]] == [watch.pk]  # weekly, never checked in 30 days
    assert answer["watches"][0].overdue
    assert [r.pk for r in answer["reports"]] == [report.pk]
    assert answer["report_total"] == 1 and answer["reports_overdue"] == 0
    event = AuditEvent.objects.get(action="dashboard.view", context__panel="community")
    assert event.person_ids == [watch.person_id]


def test_widget_flags_a_report_past_three_office_days(rf, personas, keeper):
    old = report_services.report_record(
        by=keeper,
        received_at=timezone.now() - datetime.timedelta(days=12),
        origin="resident",
        what="古い通報",
    )
    request = rf.get("/")
    request.user = keeper
    answer = panels.dashboard_panel(keeper, request=request)["community_dashboard"]
    assert [r.pk for r in answer["reports"]] == [old.pk]
    assert answer["reports_overdue"] == 1


@pytest.mark.parametrize("name", ["unrelated", "guest", "admin"])
def test_widget_is_empty_for_others(rf, personas, watch, report, name):
    user = personas[name].user
    request = rf.get("/")
    request.user = user
    assert panels.dashboard_panel(user, request=request) == {}


def test_dashboard_page_runs_the_widget(login, personas, watch):
    page = login(personas["desk"]).get(reverse("dashboard"))
    assert page.status_code == 200
    assert page.context["community_dashboard"]["watch_total"] == 1


def test_person_panel_lists_the_watches_the_viewer_sees(personas, keeper, watch, person):
    answer = panels.person_panel(keeper, person)
    assert answer["community_watches"] == [watch]
    assert answer["audit"] == {"watches": [watch.pk]}
    assert panels.person_panel(personas["unrelated"].user, person) == {}
    assert panels.person_panel(personas["admin"].user, person) == {}


def test_person_page_audits_the_panel(login, personas, watch, person):
    page = login(personas["desk"]).get(reverse("people:person_detail", args=[person.pk]))
    assert page.status_code == 200
    assert page.context["community_watches"] == [watch]
    event = AuditEvent.objects.filter(action="person.view", target_id=str(person.pk)).last()
    assert event.context["watches"] == [watch.pk]
