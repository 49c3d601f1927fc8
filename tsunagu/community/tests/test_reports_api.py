"""気づき・通報 over ``/api/v1/community/reports``: the list, a new report, one report and
the office's triage, with the house's answers and the audit."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from tsunagu.audit.models import AuditEvent

from ..models import CommunityReport
from ..services import reports as services
from .test_watches_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db

API = "/api/v1"


def get(client, route, data=None):
    return client.get(f"{API}{route}", data or {})


def post(client, route, data=None):
    return client.post(f"{API}{route}", json.dumps(data or {}), content_type="application/json")


def test_list_and_detail(login, personas, keeper, report):
    old = services.report_record(
        by=keeper,
        received_at=timezone.now() - datetime.timedelta(days=12),
        origin="resident",
        what="古い通報",
    )
    for name in ("desk", "officer"):
        client = login(personas[name])
        items = get(client, "/community/reports").json()["items"]
        assert [r["id"] for r in items] == [old.pk, report.pk]
        assert [r["triage_overdue"] for r in items] == [True, False]
        assert get(client, f"/community/reports/{report.pk}").status_code == 200
    assert AuditEvent.objects.filter(action="community.report_view", context__via="api").exists()
    assert AuditEvent.objects.filter(action="community.report_list", context__via="api").exists()
    unrelated = login(personas["unrelated"])
    assert get(unrelated, "/community/reports").json()["items"] == []
    assert get(unrelated, f"/community/reports/{report.pk}").status_code == 404
    assert get(login(personas["guest"]), "/community/reports").status_code == 403
    bad = get(login(personas["desk"]), "/community/reports", {"state": "lost"})
    assert bad.status_code == 422


def test_create(login, personas):
    client = login(personas["desk"])
    made = post(client, "/community/reports", {"origin": "minsei", "what": "夜に大声"})
    assert made.status_code == 201, made.content
    assert made.json()["agency_id"] == personas["desk"].agency.pk
    assert made.json()["triage_label"] == "未振り分け"
    bad = post(client, "/community/reports", {"origin": "police", "what": ""})
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"origin", "what"}
    assert CommunityReport.objects.count() == 1


def test_triage(login, personas, report, agencies):
    desk = login(personas["desk"])
    assert (
        post(
            desk,
            f"/community/reports/{report.pk}/triage",
            {"triage": "no_action", "no_action_reason": "x"},
        ).status_code
        == 403
    )
    assert (
        post(
            login(personas["unrelated"]),
            f"/community/reports/{report.pk}/triage",
            {"triage": "no_action", "no_action_reason": "x"},
        ).status_code
        == 404
    )
    office = login(personas["officer"])
    url = f"/community/reports/{report.pk}/triage"
    missing = post(office, url, {"triage": "no_action"})
    assert missing.status_code == 422 and "no_action_reason" in missing.json()["errors"]
    no_agency = post(office, url, {"triage": "watch"})
    assert no_agency.status_code == 422 and "agency_id" in no_agency.json()["errors"]
    done = post(
        office,
        url,
        {"triage": "watch", "agency_id": agencies["csw"].pk, "watch_label": "3丁目 新聞の方"},
    )
    assert done.status_code == 200, done.content
    assert done.json()["triage"] == "watch" and done.json()["watch_id"]
    again = post(office, url, {"triage": "no_action", "no_action_reason": "x"})
    assert again.status_code == 409
    # the CSW keeps the new watch: it now sees the report
    csw = login(personas["outreach"])
    assert get(csw, f"/community/reports/{report.pk}").status_code == 200
