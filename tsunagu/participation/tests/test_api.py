"""参加支援 over /api/v1/participation: the worker's list, a record with its matches, the moves
and the rules of 参加開始, follow-ups, closure and keeping in touch, what falls due; who gets
404 and 403; the audited reads; the OpenAPI document."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tsunagu.audit.models import AuditEvent
from tsunagu.cases.services import plan as plan_services
from tsunagu.cases.tests.conftest import *  # noqa: F403
from tsunagu.cases.tests.flow import draft_plan, hold, meeting, to_planning
from tsunagu.meetings import services as meeting_services
from tsunagu.participation import services
from tsunagu.participation.models import Match, MatchStatus, ParticipationRecord
from tsunagu.people.services import person_create
from tsunagu.resources import services as directory
from tsunagu.resources.models import ResourceKind

pytestmark = pytest.mark.django_db
API = "/api/v1/participation"
S = MatchStatus


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def worker(personas):
    return personas["participation"].user


@pytest.fixture
def person(worker, personas):
    return person_create(
        by=worker,
        name="高木 浩二",
        name_kana="タカギ コウジ",
        agency=personas["participation"].agency,
    )


@pytest.fixture
def record(worker, person):
    return services.record_open(
        by=worker,
        person=person,
        started_on=days_ago(60),
        goals="人の役に立つことを少しずつしたい",
        outside_plan_reason="多機関協働の事例ではなく、参加支援だけを希望",
    )


@pytest.fixture
def shop(worker):
    org = directory.organization_get_or_create(by=worker, name="八百屋まるやま")
    return directory.resource_create(
        by=worker,
        organization=org,
        name="八百屋まるやま 品出し体験",
        kind=ResourceKind.objects.get(code="work_experience"),
        confirmed_on=timezone.localdate(),
        capacity=1,
        places_free=1,
    )


def assess(worker, resource):
    directory.host_save(
        by=worker,
        resource=resource,
        contact_person="丸山 店主",
        tasks="品出し",
        assessment="午前中の品出しなら受け入れられる",
        assessed_on=timezone.localdate(),
    )


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def arranging(worker, record, resource) -> Match:
    match = services.match_propose(
        by=worker, record=record, resource=resource, proposed_on=days_ago(50)
    )
    return services.match_move(by=worker, match=match, to=S.ARRANGING, occurred_on=days_ago(45))


def test_open_a_record_and_read_it_whole(login, personas, person):
    client = login(personas["participation"])
    answer = post(
        client,
        f"{API}/records",
        {
            "person_id": person.pk,
            "started_on": "令和8年11月1日",
            "goals": "週に一度は外に出たい",
            "outside_plan_reason": "本人が参加支援だけを希望",
        },
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["started_on"] == "2026-11-01"
    assert body["person_name"] == "高木 浩二"
    assert body["decision_in_place"] is True and body["may_work"] is True
    assert body["matches"] == []
    detail = client.get(f"{API}/records/{body['id']}")
    assert detail.status_code == 200
    assert AuditEvent.objects.filter(
        action="participation.view", target_id=str(body["id"])
    ).exists()


def test_open_refuses_input_and_unseen_persons(login, personas, person):
    client = login(personas["participation"])
    answer = post(client, f"{API}/records", {"person_id": person.pk, "started_on": "2026-11-01"})
    assert answer.status_code == 422
    assert {"goals", "case_id"} <= set(answer.json()["errors"])
    answer = post(client, f"{API}/records", {"person_id": person.pk, "started_on": "あした"})
    assert answer.status_code == 422 and "started_on" in answer.json()["errors"]
    stranger = person_create(by=personas["unrelated"].user, name="他 人", name_kana="タ ニン")
    answer = post(
        client,
        f"{API}/records",
        {"person_id": stranger.pk, "started_on": "2026-11-01", "goals": "x", "is_early": True},
    )
    assert answer.status_code == 404
    assert not ParticipationRecord.objects.exists()


def test_list_with_state_and_words_audited_per_page(login, personas, record):
    client = login(personas["participation"])
    rows = client.get(f"{API}/records", {"q": "タカギ"}).json()
    assert [r["id"] for r in rows["items"]] == [record.pk]
    assert client.get(f"{API}/records", {"state": "closed"}).json()["items"] == []
    assert client.get(f"{API}/records", {"state": "x"}).status_code == 422
    event = AuditEvent.objects.filter(action="participation.list").latest("pk")
    assert event.context["page"] == "1"
    officer = login(personas["officer"]).get(f"{API}/records").json()
    assert officer["count"] == 1


def test_who_gets_404_and_403(login, personas, record, shop):
    match = services.match_propose(
        by=personas["participation"].user, record=record, resource=shop, proposed_on=days_ago(5)
    )
    client = login(personas["unrelated"])
    for url in (
        f"{API}/records/{record.pk}",
        f"{API}/records/{record.pk}/matches",
        f"{API}/records/{record.pk}/close",
        f"{API}/records/{record.pk}/keep-in-touch",
        f"{API}/records/{record.pk}/keep-in-touch/end",
        f"{API}/matches/{match.pk}/move",
        f"{API}/matches/{match.pk}/follow-ups",
    ):
        method = client.get if url.endswith(str(record.pk)) else lambda u: post(client, u, {})
        assert method(url).status_code == 404, url
    assert (
        client.patch(
            f"{API}/records/{record.pk}", {"goals": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
    for name in ("guest", "admin"):
        client = login(personas[name])
        assert client.get(f"{API}/records").status_code == 403
        assert client.get(f"{API}/records/{record.pk}").status_code == 403
        assert client.get(f"{API}/dues").status_code == 403
        assert (
            post(client, f"{API}/matches/{match.pk}/move", {"to": "arranging"}).status_code == 403
        )
    # the coordinator of the same agency sees the record but does not work it
    client = login(personas["coordinator"])
    assert client.get(f"{API}/records/{record.pk}").status_code == 200
    answer = post(
        client, f"{API}/matches/{match.pk}/move", {"to": "arranging", "occurred_on": "2026-12-01"}
    )
    assert answer.status_code == 403
    assert client.get(f"{API}/records").status_code == 403


def test_start_needs_the_host_assessment_and_a_reason_when_full(login, personas, record, shop):
    worker = personas["participation"].user
    client = login(personas["participation"])
    answer = post(
        client,
        f"{API}/records/{record.pk}/matches",
        {"resource_id": shop.pk, "proposed_on": days_ago(9).isoformat(), "note": "本人が興味"},
    )
    assert answer.status_code == 201
    match_id = answer.json()["matches"][0]["id"]
    assert answer.json()["matches"][0]["allowed_moves"] == ["arranging", "cancelled"]
    move = f"{API}/matches/{match_id}/move"
    answer = post(client, move, {"to": "started", "occurred_on": days_ago(8).isoformat()})
    assert answer.status_code == 409 and "to" in answer.json()["errors"]
    answer = post(client, move, {"to": "arranging", "occurred_on": days_ago(8).isoformat()})
    assert answer.status_code == 200
    answer = post(client, move, {"to": "started", "occurred_on": days_ago(5).isoformat()})
    assert answer.status_code == 409 and "アセスメント" in answer.json()["detail"]
    assess(worker, shop)
    directory.resource_update(by=worker, resource=shop, places_free=0)
    answer = post(client, move, {"to": "started", "occurred_on": days_ago(5).isoformat()})
    assert answer.status_code == 409
    assert "full_override_reason" in answer.json()["errors"]
    answer = post(
        client,
        move,
        {
            "to": "started",
            "occurred_on": days_ago(5).isoformat(),
            "full_override_reason": "店主と相談し、週1回午前のみ受け入れることで合意",
        },
    )
    assert answer.status_code == 200
    shown = answer.json()["matches"][0]
    assert shown["status"] == "started" and shown["full_override_reason"]
    assert [e["to_status"] for e in shown["events"]] == ["proposed", "arranging", "started"]
    assert {d["track"] for d in shown["next_due"] if d["due_on"]} == {"person", "host"}
    answer = post(client, move, {"to": "nowhere", "occurred_on": days_ago(1).isoformat()})
    assert answer.status_code == 422 and "to" in answer.json()["errors"]


def test_a_paused_resource_cannot_be_proposed(login, personas, record, shop):
    directory.resource_update(by=personas["participation"].user, resource=shop, status="paused")
    client = login(personas["participation"])
    answer = post(
        client,
        f"{API}/records/{record.pk}/matches",
        {"resource_id": shop.pk, "proposed_on": days_ago(1).isoformat()},
    )
    assert answer.status_code == 409 and "resource_id" in answer.json()["errors"]
    answer = post(
        client,
        f"{API}/records/{record.pk}/matches",
        {"resource_id": 999999, "proposed_on": days_ago(1).isoformat()},
    )
    assert answer.status_code == 422


def _decided_case(personas, case, agencies):
    """The 8050 case through its plan naming 参加支援 to the municipality's 支援決定."""
    planning = to_planning(personas, case)
    plan = draft_plan(personas, planning, agencies)
    conference = meeting(personas)
    item = meeting_services.agenda_add(
        by=personas["coordinator"].user, meeting=conference, purpose="plan_adoption", case=planning
    )
    hold(personas, conference)
    meeting_services.decision_record(by=personas["coordinator"].user, item=item, outcome="agreed")
    plan.refresh_from_db()
    return planning, plan


def test_start_beside_a_case_waits_for_the_support_decision(
    login, personas, consented_case, agencies, household_8050, shop
):
    case, plan = _decided_case(personas, consented_case, agencies)
    client = login(personas["participation"])
    son = household_8050["son"]
    answer = post(
        client,
        f"{API}/records",
        {
            "person_id": son.pk,
            "case_id": case.pk,
            "started_on": days_ago(60).isoformat(),
            "goals": "家の外に居場所がほしい",
        },
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["case_id"] == case.pk and body["decision_in_place"] is False
    record = ParticipationRecord.objects.get(pk=body["id"])
    match = arranging(personas["participation"].user, record, shop)
    assess(personas["participation"].user, shop)
    move = f"{API}/matches/{match.pk}/move"
    answer = post(client, move, {"to": "started", "occurred_on": days_ago(3).isoformat()})
    assert answer.status_code == 409 and "支援決定" in answer.json()["detail"]
    plan_services.support_decision_make(
        by=personas["officer"].user,
        plan=plan,
        decided_on=timezone.localdate(),
        decision_number="重-1",
    )
    assert client.get(f"{API}/records/{record.pk}").json()["decision_in_place"] is True
    answer = post(client, move, {"to": "started", "occurred_on": days_ago(3).isoformat()})
    assert answer.status_code == 200
    # a case the worker may not see is 404
    answer = post(
        client,
        f"{API}/records",
        {"person_id": son.pk, "case_id": 999999, "started_on": "2026-11-01", "goals": "x"},
    )
    assert answer.status_code == 404


def test_follow_ups_closure_and_keeping_in_touch(login, personas, record, shop):
    worker = personas["participation"].user
    match = arranging(worker, record, shop)
    assess(worker, shop)
    client = login(personas["participation"])
    move = f"{API}/matches/{match.pk}/move"
    assert (
        post(client, move, {"to": "started", "occurred_on": days_ago(20).isoformat()}).status_code
        == 200
    )
    follow = f"{API}/matches/{match.pk}/follow-ups"
    answer = post(client, follow, {"track": "host", "occurred_on": days_ago(13).isoformat()})
    assert answer.status_code == 422 and "note" in answer.json()["errors"]
    answer = post(
        client,
        follow,
        {
            "track": "host",
            "occurred_on": days_ago(13).isoformat(),
            "note": "指示の出し方に迷う",
            "concern": True,
        },
    )
    assert answer.status_code == 201
    shown = answer.json()["matches"][0]
    assert shown["follow_ups"][0]["concern"] is True
    due = {d["track"]: d for d in shown["next_due"]}
    assert due["host"]["due_on"] == days_ago(6).isoformat()
    dues = client.get(f"{API}/dues").json()
    assert {(d["match_id"], d["track"]) for d in dues} == {(match.pk, "person"), (match.pk, "host")}
    read = AuditEvent.objects.filter(action="participation.list").latest("pk")
    assert read.context["dues"] is True
    close = f"{API}/records/{record.pk}/close"
    answer = post(client, close, {"closed_on": days_ago(1).isoformat(), "person_view": "続けたい"})
    assert answer.status_code == 409
    assert (
        post(client, move, {"to": "settled", "occurred_on": days_ago(2).isoformat()}).status_code
        == 200
    )
    answer = post(client, close, {"closed_on": days_ago(1).isoformat()})
    assert answer.status_code == 422 and "person_view" in answer.json()["errors"]
    answer = post(
        client, close, {"closed_on": days_ago(1).isoformat(), "person_view": "ここなら続けられる"}
    )
    assert answer.status_code == 200
    assert answer.json()["is_closed"] and answer.json()["next_keep_in_touch_on"]
    patch = client.patch(
        f"{API}/records/{record.pk}", {"goals": "x"}, content_type="application/json"
    )
    assert patch.status_code == 409
    keep = f"{API}/records/{record.pk}/keep-in-touch"
    answer = post(
        client, keep, {"occurred_on": timezone.localdate().isoformat(), "note": "元気に通っている"}
    )
    assert answer.status_code == 200 and len(answer.json()["keep_in_touch"]) == 1
    answer = post(
        client,
        f"{API}/records/{record.pk}/keep-in-touch/end",
        {"ended_on": timezone.localdate().isoformat(), "reason": "地域のサロンにもつながった"},
    )
    assert answer.status_code == 200 and answer.json()["next_keep_in_touch_on"] is None
    assert post(client, keep, {"occurred_on": "2026-12-01", "note": "x"}).status_code == 409


def test_goals_and_steps_are_updated(login, personas, record):
    client = login(personas["participation"])
    url = f"{API}/records/{record.pk}"
    answer = client.patch(url, {"steps": "月に一度面談"}, content_type="application/json")
    assert answer.status_code == 200
    assert answer.json()["steps"] == "月に一度面談"
    assert answer.json()["goals"] == record.goals
    answer = client.patch(url, {"goals": None}, content_type="application/json")
    assert answer.status_code == 422


def test_the_openapi_document_lists_the_participation_paths(client):
    document = client.get("/api/v1/openapi.json").json()
    paths = document["paths"]
    assert f"{API}/records/{{record_id}}" in paths
    assert f"{API}/matches/{{match_id}}/follow-ups" in paths
    assert f"{API}/dues" in paths
    tags = {
        op["tags"][0] for p, ops in paths.items() if "/participation/" in p for op in ops.values()
    }
    assert tags == {"参加支援"}
    names = [n for n in document["components"]["schemas"] if "Participation" in n]
    assert "ParticipationRecordDetailOut" in names
