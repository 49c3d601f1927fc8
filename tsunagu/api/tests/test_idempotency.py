"""``Idempotency-Key`` on every API create: a double click or a retry makes one record.

Same key and same body: the first answer again (status and body). Same key, other body:
409. Same key while the first request still runs: 409. No key: as before. Keys belong
to one user: another user's identical key is a new request, never the first user's answer.
"""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from tsunagu.accounts.services import api_token_issue
from tsunagu.consultations import services as consultation_services
from tsunagu.consultations.models import Consultation, IssueCategory, Referral
from tsunagu.people import services as people_services

pytestmark = pytest.mark.django_db

API = "/api/v1"
KEY = "3f0c9a52-7d1e-4f7b-9a57-0d4c2b7e6a11"


@pytest.fixture
def subject(personas):
    """A person known to the desk (地域包括) with one consultation, consented to share."""
    desk = personas["desk"].user
    person = people_services.person_create(
        by=desk,
        name="山田 タロウ",
        name_kana="ヤマダ タロウ",
        birth_date=datetime.date(1973, 6, 15),
        sex="male",
    )
    category = IssueCategory.objects.get(code="hikikomori")
    consultation = consultation_services.consultation_record(
        by=desk,
        received_on=timezone.localdate(),
        channel="walk_in",
        consulter_type="family",
        summary="息子が長年外出していない",
        outcome="referred",
        categories=[category],
        primary_category=category,
        person=person,
        consent_to_share=True,
    )
    return person, consultation


def consultation_body(person, **overrides):
    return {
        "received_on": timezone.localdate().isoformat(),
        "channel": "phone",
        "consulter_type": "family",
        "person_id": person.pk,
        "categories": ["hikikomori"],
        "summary": "再度の相談",
        "outcome": "handled",
        **overrides,
    }


def referral_body(consultation, to_agency, **overrides):
    return {
        "consultation_id": consultation.pk,
        "to_agency_id": to_agency.pk,
        "reason": "息子さんへの訪問をお願いします。",
        **overrides,
    }


def routes(subject, personas):
    """(path, model, body, other body) of the two creates a double click hurts most."""
    person, consultation = subject
    outreach = personas["outreach"].agency
    return {
        "consultations": (
            "/consultations",
            Consultation,
            consultation_body(person),
            consultation_body(person, summary="別の相談"),
        ),
        "referrals": (
            "/referrals",
            Referral,
            referral_body(consultation, outreach),
            referral_body(consultation, outreach, reason="別の理由"),
        ),
    }


def post(client, path, data, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        f"{API}{path}", json.dumps(data), content_type="application/json", headers=headers
    )


def token_client(persona) -> Client:
    _, raw = api_token_issue(membership=persona.membership, name="連携システム", by=None)
    return Client(headers={"Authorization": f"Bearer {raw}"})


ROUTES = ["consultations", "referrals"]


@pytest.mark.parametrize("route", ROUTES)
def test_same_key_and_body_twice_makes_one_record_and_the_same_answer(
    login, personas, subject, route
):
    path, model, body, _ = routes(subject, personas)[route]
    client = login(personas["desk"])
    before = model.objects.count()
    first = post(client, path, body, KEY)
    second = post(client, path, body, KEY)
    assert first.status_code == 201, first.json()
    assert second.status_code == 201
    assert second.json() == first.json()
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert model.objects.count() == before + 1


@pytest.mark.parametrize("route", ROUTES)
def test_same_key_with_another_body_is_409(login, personas, subject, route):
    path, model, body, other = routes(subject, personas)[route]
    client = login(personas["desk"])
    before = model.objects.count()
    assert post(client, path, body, KEY).status_code == 201
    conflict = post(client, path, other, KEY)
    assert conflict.status_code == 409
    assert "Idempotency-Key" in conflict.json()["detail"]
    assert "別の内容" in conflict.json()["detail"]
    # the same key on another route is another body too
    other_path = "/referrals" if route == "consultations" else "/consultations"
    assert post(client, other_path, body, KEY).status_code == 409
    assert model.objects.count() == before + 1


@pytest.mark.parametrize("route", ROUTES)
def test_without_a_key_two_requests_make_two_records(login, personas, subject, route):
    path, model, body, _ = routes(subject, personas)[route]
    client = login(personas["desk"])
    before = model.objects.count()
    first = post(client, path, body)
    second = post(client, path, body)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert model.objects.count() == before + 2


@pytest.mark.parametrize("route", ROUTES)
def test_a_second_request_while_the_first_still_runs_is_409(
    login, personas, subject, route, monkeypatch
):
    """The duplicate arrives while the first request is inside its service call."""
    path, model, body, _ = routes(subject, personas)[route]
    service = "consultation_record" if route == "consultations" else "referral_send"
    real = getattr(consultation_services, service)
    client = login(personas["desk"])
    twin = Client()
    twin.force_login(personas["desk"].user)
    answers = []

    def slow_service(**kwargs):
        answers.append(post(twin, path, body, KEY))  # the double click
        return real(**kwargs)

    monkeypatch.setattr(consultation_services, service, slow_service)
    before = model.objects.count()
    first = post(client, path, body, KEY)
    assert first.status_code == 201
    [second] = answers
    assert second.status_code == 409
    assert "処理中" in second.json()["detail"]
    assert model.objects.count() == before + 1
    # once the first has finished, the retry gets its answer
    monkeypatch.setattr(consultation_services, service, real)
    assert post(twin, path, body, KEY).json() == first.json()


@pytest.mark.parametrize("route", ROUTES)
def test_another_user_with_the_same_key_is_not_served_the_first_answer(
    login, personas, subject, route
):
    path, model, body, _ = routes(subject, personas)[route]
    first = post(login(personas["desk"]), path, body, KEY)
    assert first.status_code == 201
    before = model.objects.count()
    # the municipal office sees the same consultation and may send the same body
    officer = token_client(personas["officer"])
    own = post(officer, path, body, KEY)
    assert own.status_code == 201
    assert own.json()["id"] != first.json()["id"]
    assert not own.has_header("Idempotent-Replayed")
    assert model.objects.count() == before + 1
    # a worker of an unrelated agency gets its own 404, not the desk's record
    stranger = post(token_client(personas["unrelated"]), path, body, KEY)
    assert (stranger.status_code, stranger.json()) == (404, {"detail": "見つかりません。"})
    assert not stranger.has_header("Idempotent-Replayed")


def test_the_key_belongs_to_the_user_over_session_and_token(login, personas, subject):
    path, _, body, _ = routes(subject, personas)["consultations"]
    first = post(login(personas["desk"]), path, body, KEY)
    again = post(token_client(personas["desk"]), path, body, KEY)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"


def test_body_is_compared_as_json_not_as_bytes(login, personas, subject):
    path, _, body, _ = routes(subject, personas)["consultations"]
    client = login(personas["desk"])
    first = post(client, path, body, KEY)
    reordered = dict(reversed(list(body.items())))
    raw = json.dumps(reordered, indent=2, ensure_ascii=False)
    again = client.post(
        f"{API}{path}", raw, content_type="application/json", headers={"Idempotency-Key": KEY}
    )
    assert again.status_code == 201
    assert again.json() == first.json()


def test_a_refused_request_does_not_hold_the_key(login, personas, subject):
    path, model, body, _ = routes(subject, personas)["consultations"]
    client = login(personas["desk"])
    refused = post(client, path, {**body, "summary": ""}, KEY)
    assert refused.status_code == 422
    before = model.objects.count()
    fixed = post(client, path, body, KEY)
    assert fixed.status_code == 201
    assert post(client, path, body, KEY).json() == fixed.json()
    assert model.objects.count() == before + 1


def test_a_failing_request_writes_nothing_and_can_be_retried(login, personas, subject, monkeypatch):
    path, model, body, _ = routes(subject, personas)["consultations"]
    real = consultation_services.consultation_record

    def fails_after_writing(**kwargs):
        real(**kwargs)
        raise RuntimeError("接続が切れました")

    monkeypatch.setattr(consultation_services, "consultation_record", fails_after_writing)
    client = login(personas["desk"])
    client.raise_request_exception = False
    before = model.objects.count()
    assert post(client, path, body, KEY).status_code == 500
    assert model.objects.count() == before  # the write went with the failure
    monkeypatch.setattr(consultation_services, "consultation_record", real)
    assert post(client, path, body, KEY).status_code == 201
    assert model.objects.count() == before + 1


def test_keys_expire_after_a_day(login, personas, subject):
    from tsunagu.api.models import IdempotencyKey

    path, _, body, _ = routes(subject, personas)["consultations"]
    client = login(personas["desk"])
    first = post(client, path, body, KEY)
    IdempotencyKey.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    later = post(client, path, body, KEY)
    assert later.status_code == 201
    assert later.json()["id"] != first.json()["id"]


def test_purge_removes_expired_keys(login, personas, subject):
    from django.core.management import call_command

    from tsunagu.api.models import IdempotencyKey

    path, _, body, _ = routes(subject, personas)["consultations"]
    client = login(personas["desk"])
    post(client, path, body, KEY)
    post(client, path, body, "another-key")
    IdempotencyKey.objects.filter(key=KEY).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    call_command("purge_request_keys", verbosity=0)
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["another-key"]


@pytest.mark.parametrize("key", ["", " ", "x" * 256, "キー"])
def test_a_malformed_key_is_refused(login, personas, subject, key):
    path, model, body, _ = routes(subject, personas)["consultations"]
    client = login(personas["desk"])
    before = model.objects.count()
    response = client.post(
        f"{API}{path}",
        json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert model.objects.count() == before


def test_anonymous_request_with_a_key_is_401_and_holds_nothing(client, subject):
    from tsunagu.api.models import IdempotencyKey

    response = post(client, "/consultations", consultation_body(subject[0]), KEY)
    assert response.status_code == 401
    assert not IdempotencyKey.objects.exists()


def test_openapi_documents_the_header_on_every_post(client):
    schema = client.get(f"{API}/openapi.json").json()
    assert "Idempotency-Key" in schema["info"]["description"]
    posts = [ops["post"] for ops in schema["paths"].values() if "post" in ops]
    assert len(posts) > 30
    for operation in posts:
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert names.count("Idempotency-Key") == 1, operation["operationId"]
    gets = [ops["get"] for ops in schema["paths"].values() if "get" in ops]
    for operation in gets:
        assert "Idempotency-Key" not in json.dumps(operation.get("parameters", []))
