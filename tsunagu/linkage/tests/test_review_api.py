"""The 名寄せ API: every route for every persona, confirm / reject, unmerge (twice: 409),
invisible persons 404, bad input 422, and the audit trail."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from conftest import PERSONA_NAMES
from tsunagu.accounts.services import api_token_issue
from tsunagu.audit.models import AuditEvent
from tsunagu.cases.tests.conftest import *  # noqa: F403
from tsunagu.linkage.models import CandidateStatus, MatchCandidate, PersonMerge
from tsunagu.linkage.services.merge import person_merge
from tsunagu.linkage.services.review import candidate_add
from tsunagu.linkage.tests.test_merge import candidate, fk_snapshot, stranger, twins  # noqa: F401
from tsunagu.people import services as people_services
from tsunagu.people.models import Person

pytestmark = pytest.mark.django_db

API = "/api/v1"
NOT_FOUND = {"detail": "見つかりません。"}
FORBIDDEN = {"detail": "この操作を行う権限がありません。"}
REVIEWERS = {"officer", "coordinator"}


def get(client, path, params=None):
    return client.get(f"{API}{path}", params or {})


def post(client, path, body=None):
    return client.post(f"{API}{path}", data=json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def merge(personas, twins):
    return person_merge(
        by=personas["officer"].user, survivor=twins["mother"], merged=twins["dup"], reason="同一"
    )


def test_openapi_lists_the_linkage_paths(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    for path in (
        "/linkage/candidates",
        "/linkage/candidates/{candidate_id}",
        "/linkage/candidates/{candidate_id}/confirm",
        "/linkage/candidates/{candidate_id}/reject",
        "/linkage/merges",
        "/linkage/merges/{merge_id}",
        "/linkage/merges/{merge_id}/unmerge",
    ):
        assert f"{API}{path}" in paths, path


# --- personas ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_reads_per_persona(login, personas, twins, candidate, name):
    client = login(personas[name])
    responses = [
        get(client, "/linkage/candidates"),
        get(client, f"/linkage/candidates/{candidate.pk}"),
    ]
    merge = person_merge(
        by=personas["officer"].user, survivor=twins["mother"], merged=twins["dup"], reason="同一"
    )
    responses += [get(client, "/linkage/merges"), get(client, f"/linkage/merges/{merge.pk}")]
    if name in REVIEWERS:
        assert [r.status_code for r in responses] == [200] * 4, name
        assert [c["id"] for c in responses[0].json()["items"]] == [candidate.pk]
        assert responses[1].json()["id"] == candidate.pk
        assert [m["id"] for m in responses[2].json()["items"]] == [merge.pk]
        assert responses[3].json()["id"] == merge.pk
        # the duplicate is archived now: the pair leaves the queue
        assert get(client, "/linkage/candidates").json()["count"] == 0
    else:
        for r in responses:
            assert (r.status_code, r.json()) == (403, FORBIDDEN), name


@pytest.mark.parametrize("name", sorted(set(PERSONA_NAMES) - REVIEWERS))
def test_writes_by_others_change_nothing(login, personas, twins, candidate, name):
    client = login(personas[name])
    confirm = post(
        client,
        f"/linkage/candidates/{candidate.pk}/confirm",
        {"survivor_id": twins["mother"].pk},
    )
    reject = post(client, f"/linkage/candidates/{candidate.pk}/reject", {"note": "別人"})
    assert (confirm.status_code, reject.status_code) == (403, 403)
    merge = person_merge(
        by=personas["officer"].user, survivor=twins["mother"], merged=twins["dup"], reason="x"
    )
    undo = post(client, f"/linkage/merges/{merge.pk}/unmerge", {"reason": "誤り"})
    assert (undo.status_code, undo.json()) == (403, FORBIDDEN)
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.PENDING
    assert PersonMerge.objects.get().unmerged_at is None


def test_a_coordinator_gets_404_for_persons_they_cannot_see(login, personas, twins, stranger):
    hidden = candidate_add(
        person_a=twins["dup"], person_b=stranger, probability=0.9, origin="batch"
    )
    client = login(personas["coordinator"])
    assert get(client, "/linkage/candidates").json()["count"] == 0
    assert get(client, f"/linkage/candidates/{hidden.pk}").json() == NOT_FOUND
    for path, body in (
        (f"/linkage/candidates/{hidden.pk}/confirm", {"survivor_id": twins["dup"].pk}),
        (f"/linkage/candidates/{hidden.pk}/reject", {"note": "別人"}),
    ):
        response = post(client, path, body)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), path
    other = people_services.person_create(
        by=personas["unrelated"].user, name="山田 フミコ", name_kana="ヤマダ フミコ"
    )
    hidden_merge = person_merge(
        by=personas["officer"].user, survivor=stranger, merged=other, reason="x"
    )
    assert get(client, f"/linkage/merges/{hidden_merge.pk}").status_code == 404
    assert post(client, f"/linkage/merges/{hidden_merge.pk}/unmerge", {"reason": "x"}).json() == (
        NOT_FOUND
    )
    assert Person.objects.get(pk=other.pk).is_archived


def test_missing_ids_answer_404(login, personas):
    client = login(personas["officer"])
    assert get(client, "/linkage/candidates/999999").json() == NOT_FOUND
    assert post(client, "/linkage/candidates/999999/reject", {"note": "x"}).status_code == 404
    assert post(client, "/linkage/merges/999999/unmerge", {"reason": "x"}).status_code == 404


# --- bodies -----------------------------------------------------------------------------


def test_list_and_detail_bodies(login, personas, twins, candidate):
    client = login(personas["coordinator"])
    listing = get(client, "/linkage/candidates").json()
    assert listing["count"] == 1
    item = listing["items"][0]
    assert item["percent"] == 93.0
    assert item["reason_labels"] == ["氏名", "フリガナ", "生年月日"]
    assert item["origin_label"] == "一括名寄せ"
    detail = get(client, f"/linkage/candidates/{candidate.pk}").json()
    sides = {detail["side_a"]["id"]: detail["side_a"], detail["side_b"]["id"]: detail["side_b"]}
    dup = sides[twins["dup"].pk]
    assert dup["birth_date_wareki"] == "昭和18年5月2日"
    assert dup["address"] == "岐阜市中央一丁目2番3号"
    assert {"label": "山田ふみ世帯", "relation": "世帯主"} in dup["households"]
    assert dup["registered_by_agency_name"] == "福祉まるごと支援員（社協）"
    assert dup["consultations"] == 1
    assert sides[twins["mother"].pk]["registered_by_agency_name"] == "地域包括支援センター中央"
    events = AuditEvent.objects.filter(
        action__in=["linkage.candidate_list", "linkage.candidate_view"]
    )
    assert events.count() == 2
    for event in events:
        assert event.person_ids == sorted([twins["mother"].pk, twins["dup"].pk])
        assert event.via == "api"


def test_probability_filters(login, personas, candidate):
    client = login(personas["officer"])
    assert get(client, "/linkage/candidates", {"band": "high"}).json()["count"] == 1
    assert get(client, "/linkage/candidates", {"band": "low"}).json()["count"] == 0
    assert get(client, "/linkage/candidates", {"min_probability": 0.95}).json()["count"] == 0
    assert get(client, "/linkage/candidates", {"max_probability": 0.95}).json()["count"] == 1
    bad = get(client, "/linkage/candidates", {"band": "very"})
    assert bad.status_code == 422 and "band" in bad.json()["errors"]
    assert get(client, "/linkage/candidates", {"min_probability": 2}).status_code == 422


# --- confirm, reject, unmerge -----------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REVIEWERS))
def test_confirm_then_unmerge_restores_everything(login, personas, twins, candidate, name):
    before = fk_snapshot(twins["mother"], twins["dup"])
    client = login(personas[name])
    response = post(
        client,
        f"/linkage/candidates/{candidate.pk}/confirm",
        {"survivor_id": twins["mother"].pk, "note": "本人に確認"},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["survivor"]["id"] == twins["mother"].pk
    assert body["merged"]["id"] == twins["dup"].pk and body["merged"]["is_archived"] is True
    assert body["candidate_id"] == candidate.pk and body["is_active"] is True
    assert {
        "model": "consultations.consultation",
        "pk": twins["dup_consultation"].pk,
        "field": "person",
    } in body["moved"]
    again = post(
        client, f"/linkage/candidates/{candidate.pk}/confirm", {"survivor_id": twins["dup"].pk}
    )
    # the merged record is archived: the pair is no longer one the reviewer can open
    assert again.status_code in (404, 409)
    undo = post(client, f"/linkage/merges/{body['id']}/unmerge", {"reason": "別人と判明"})
    assert undo.status_code == 200, undo.json()
    assert undo.json()["is_active"] is False
    assert undo.json()["unmerge_reason"] == "別人と判明"
    assert fk_snapshot(twins["mother"], twins["dup"]) == before
    twice = post(client, f"/linkage/merges/{body['id']}/unmerge", {"reason": "もう一度"})
    assert twice.status_code == 409
    assert "既に元に戻されています" in twice.json()["detail"]
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions.count("person.merge") == 1 and actions.count("person.unmerge") == 1
    assert "linkage.candidate_confirm" in actions


def test_confirm_validation(login, personas, candidate, stranger):
    client = login(personas["officer"])
    missing = post(client, f"/linkage/candidates/{candidate.pk}/confirm", {})
    assert missing.status_code == 422
    assert missing.json()["errors"] == {"survivor_id": ["残す記録を選んでください。"]}
    third = post(
        client, f"/linkage/candidates/{candidate.pk}/confirm", {"survivor_id": stranger.pk}
    )
    assert third.status_code == 422
    assert "survivor_id" in third.json()["errors"]
    assert not PersonMerge.objects.exists()


def test_reject_then_a_second_decision_is_409(login, personas, twins, candidate):
    client = login(personas["coordinator"])
    empty = post(client, f"/linkage/candidates/{candidate.pk}/reject", {"note": " "})
    assert empty.status_code == 422
    assert empty.json()["errors"] == {"note": ["別人と判断した理由を入力してください。"]}
    done = post(client, f"/linkage/candidates/{candidate.pk}/reject", {"note": "別人"})
    assert done.status_code == 200
    assert done.json()["status"] == "rejected"
    assert done.json()["review_note"] == "別人"
    again = post(
        client,
        f"/linkage/candidates/{candidate.pk}/confirm",
        {"survivor_id": twins["mother"].pk},
    )
    assert again.status_code == 409
    assert not PersonMerge.objects.exists()
    event = AuditEvent.objects.get(action="linkage.candidate_reject")
    assert event.person_ids == sorted([twins["mother"].pk, twins["dup"].pk])


def test_unmerge_needs_a_reason(login, personas, twins, merge):
    response = post(login(personas["officer"]), f"/linkage/merges/{merge.pk}/unmerge", {})
    assert response.status_code == 422
    assert response.json()["errors"] == {"reason": ["元に戻す理由を入力してください。"]}
    assert Person.objects.get(pk=twins["dup"].pk).is_archived


def test_a_token_client_of_a_coordinator_reviews(personas, candidate):
    _, raw = api_token_issue(membership=personas["coordinator"].membership, name="連携", by=None)
    token_client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert get(token_client, "/linkage/candidates").json()["count"] == 1
    assert MatchCandidate.objects.get().status == CandidateStatus.PENDING
