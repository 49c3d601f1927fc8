"""見守り over ``/api/v1/community/watches``: the list, a new watch, one watch, checks,
escalations, watchers and the end, with the house's answers (404 for a watch not seen, 403
for a step not the user's, 409 for an ended watch, 422 by field) and the audit."""

from __future__ import annotations

import json

import pytest

from tsunagu.audit.models import AuditEvent
from tsunagu.consultations.models import Referral

from ..models import SafetyCheck, Watch
from .test_watches_fixtures import *  # noqa: F403
from .test_watches_fixtures import days_ago

pytestmark = pytest.mark.django_db

API = "/api/v1"


def get(client, route, data=None):
    return client.get(f"{API}{route}", data or {})


def post(client, route, data=None):
    return client.post(f"{API}{route}", json.dumps(data or {}), content_type="application/json")


def test_list_and_detail_for_those_who_see(login, personas, watch, csw_watcher):
    for name in ("desk", "officer", "outreach"):
        client = login(personas[name])
        page = get(client, "/community/watches")
        assert page.status_code == 200, name
        assert [w["id"] for w in page.json()["items"]] == [watch.pk]
        assert page.json()["items"][0]["overdue"] is True
        detail = get(client, f"/community/watches/{watch.pk}")
        assert detail.status_code == 200
        assert detail.json()["watchers"][0]["agency_id"] == personas["outreach"].agency.pk
    # the CSW sees the watch, not the person's register: no name
    csw = login(personas["outreach"])
    assert get(csw, f"/community/watches/{watch.pk}").json()["person_name"] is None
    desk = login(personas["desk"])
    assert get(desk, f"/community/watches/{watch.pk}").json()["person_name"] == "山田 ハナ"
    assert AuditEvent.objects.filter(action="community.watch_list", context__via="api").exists()
    assert AuditEvent.objects.filter(action="community.watch_view", context__via="api").exists()


def test_unrelated_404_and_roles_outside_403(login, personas, watch):
    client = login(personas["unrelated"])
    assert get(client, "/community/watches").json()["items"] == []
    assert get(client, f"/community/watches/{watch.pk}").status_code == 404
    check = {"checked_on": days_ago(0).isoformat(), "outcome": "ok", "checked_by_name": "x"}
    assert post(client, f"/community/watches/{watch.pk}/checks", check).status_code == 404
    for name in ("guest", "admin"):
        client = login(personas[name])
        assert get(client, "/community/watches").status_code == 403
        assert get(client, f"/community/watches/{watch.pk}").status_code == 403
    assert not SafetyCheck.objects.exists()


def test_create_by_label_and_by_person(login, personas, person):
    client = login(personas["desk"])
    made = post(
        client,
        "/community/watches",
        {"label": "3丁目 80代女性", "reason": "姿を見ない", "starts_on": "令和8年12月1日"},
    )
    assert made.status_code == 201, made.content
    assert made.json()["label"] == "3丁目 80代女性"
    assert made.json()["next_check_on"] == "2026-12-08"
    by_person = post(
        client,
        "/community/watches",
        {"person_id": person.pk, "reason": "r", "starts_on": days_ago(0).isoformat()},
    )
    assert by_person.json()["person_name"] == person.name
    bad = post(client, "/community/watches", {"label": "x", "reason": "", "frequency": "daily"})
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) >= {"reason", "frequency", "starts_on"}
    unseen = post(
        login(personas["unrelated"]),
        "/community/watches",
        {"person_id": person.pk, "reason": "r", "starts_on": days_ago(0).isoformat()},
    )
    assert unseen.status_code == 404
    assert Watch.objects.count() == 2


def test_checks_and_the_prompt(login, personas, watch, named_watcher):
    client = login(personas["desk"])
    url = f"/community/watches/{watch.pk}/checks"
    first = post(
        client,
        url,
        {
            "checked_on": days_ago(2).isoformat(),
            "outcome": "unreachable",
            "watcher_id": named_watcher.pk,
        },
    )
    assert first.status_code == 201
    assert first.json()["escalation_prompted"] is False
    second = post(
        client,
        url,
        {
            "checked_on": days_ago(1).isoformat(),
            "outcome": "unreachable",
            "checked_by_name": "隣の方",
        },
    )
    assert second.json()["escalation_prompted"] is True
    assert second.json()["overdue"] is False
    future = post(
        client,
        url,
        {"checked_on": days_ago(-1).isoformat(), "outcome": "ok", "checked_by_name": "x"},
    )
    assert future.status_code == 422 and "checked_on" in future.json()["errors"]
    assert SafetyCheck.objects.count() == 2


def test_escalate_and_end(login, personas, watch, agencies, category):
    client = login(personas["desk"])
    esc = post(
        client,
        f"/community/watches/{watch.pk}/escalate",
        {
            "to": "consultation",
            "reason": "転倒",
            "agency_id": agencies["council"].pk,
            "category_ids": [category.pk],
        },
    )
    assert esc.status_code == 201, esc.content
    assert Referral.objects.get().consultation_id == esc.json()["consultation_id"]
    missing = post(client, f"/community/watches/{watch.pk}/escalate", {"to": "consultation"})
    assert missing.status_code == 422
    assert set(missing.json()["errors"]) >= {"reason", "agency_id", "category_ids"}
    no_reason = post(client, f"/community/watches/{watch.pk}/end", {"ended_on": "2026-12-01"})
    assert no_reason.status_code == 422 and "end_reason" in no_reason.json()["errors"]
    ended = post(
        client,
        f"/community/watches/{watch.pk}/end",
        {"ended_on": days_ago(0).isoformat(), "end_reason": "施設に入所"},
    )
    assert ended.status_code == 200 and ended.json()["next_check_on"] is None
    late = post(
        client,
        f"/community/watches/{watch.pk}/checks",
        {"checked_on": days_ago(0).isoformat(), "outcome": "ok", "checked_by_name": "x"},
    )
    assert late.status_code == 409


def test_watchers_are_the_keepers(login, personas, watch, agencies, csw_watcher):
    csw = login(personas["outreach"])
    refused = post(
        csw, f"/community/watches/{watch.pk}/watchers", {"kind": "neighbour", "name": "x"}
    )
    assert refused.status_code == 403
    desk = login(personas["desk"])
    added = post(
        desk,
        f"/community/watches/{watch.pk}/watchers",
        {"kind": "business", "name": "配食サービス"},
    )
    assert added.status_code == 201
    assert [w["name"] for w in added.json()["watchers"]][-1] == "配食サービス"
    twice = post(
        desk,
        f"/community/watches/{watch.pk}/watchers",
        {"kind": "other", "agency_id": agencies["csw"].pk},
    )
    assert twice.status_code == 409
