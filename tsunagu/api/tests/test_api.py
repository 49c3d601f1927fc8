import datetime

import pytest
from django.utils import timezone

from conftest import PERSONA_NAMES
from tsunagu.accounts.services import api_token_issue
from tsunagu.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

STAFF = [name for name in PERSONA_NAMES if name != "guest"]


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_openapi_schema_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/me" in paths
    assert "/api/v1/agencies" in paths


def test_anonymous_requests_get_japanese_401(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "認証が必要です。"}


@pytest.mark.parametrize("name", [*STAFF, "guest"])
def test_me_over_session(login, personas, name):
    persona = personas[name]
    body = login(persona).get("/api/v1/me").json()
    assert body["username"] == persona.user.username
    assert body["acting_membership"]["agency_name"] == persona.agency.name
    assert body["acting_membership"]["role"] == persona.membership.role


def test_token_authenticates_as_its_membership(client, personas):
    persona = personas["coordinator"]
    _, raw = api_token_issue(membership=persona.membership, name="連携システム", by=None)
    body = client.get("/api/v1/me", **bearer(raw)).json()
    assert body["acting_membership"]["id"] == persona.membership.pk
    assert client.get("/api/v1/me", **bearer(raw + "x")).status_code == 401


def test_expired_revoked_and_deactivated_tokens_are_refused(client, personas):
    from tsunagu.accounts.services import api_token_revoke, user_deactivate

    persona = personas["desk"]
    _, raw_expired = api_token_issue(
        membership=persona.membership,
        name="期限切れ",
        by=None,
        expires_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    assert client.get("/api/v1/me", **bearer(raw_expired)).status_code == 401
    token, raw = api_token_issue(membership=persona.membership, name="失効", by=None)
    assert client.get("/api/v1/me", **bearer(raw)).status_code == 200
    api_token_revoke(token=token, by=None)
    assert client.get("/api/v1/me", **bearer(raw)).status_code == 401
    _, raw2 = api_token_issue(membership=persona.membership, name="無効化", by=None)
    user_deactivate(user=persona.user, by=None)
    assert client.get("/api/v1/me", **bearer(raw2)).status_code == 401


def test_only_the_hash_of_a_token_is_stored(personas):
    token, raw = api_token_issue(membership=personas["desk"].membership, name="x", by=None)
    assert raw not in (token.token_hash, token.prefix)
    assert AuditEvent.objects.filter(action="api_token.issue", target_id=str(token.pk)).exists()


@pytest.mark.parametrize("name", [*STAFF, "guest"])
def test_agency_directory_permissions(login, personas, name):
    response = login(personas[name]).get("/api/v1/agencies")
    if name == "guest":
        assert response.status_code == 403
        assert response.json()["detail"] == "この操作を行う権限がありません。"
    else:
        assert response.status_code == 200
        assert response.json()["count"] == 8


def test_agency_filters_and_detail(login, personas, agencies):
    client = login(personas["desk"])
    body = client.get("/api/v1/agencies", {"q": "包括"}).json()
    assert [a["code"] for a in body["items"]] == ["houkatsu"]
    assert body["items"][0]["area_name"] == "中央圏域"
    assert client.get("/api/v1/agencies", {"field": "housing"}).json()["count"] == 1
    detail = client.get(f"/api/v1/agencies/{agencies['office'].pk}").json()
    assert detail["name"] == "重層的支援推進室"
    assert client.get("/api/v1/agencies/999999").status_code == 404


def test_areas_are_a_hierarchy(login, personas):
    body = login(personas["desk"]).get("/api/v1/areas").json()
    parents = {a["code"]: a["parent_code"] for a in body}
    assert parents == {"city": None, "dl1": "city"}


@pytest.mark.parametrize("name", [*STAFF, "guest"])
def test_audit_events_only_for_the_program_office(login, personas, name):
    response = login(personas[name]).get("/api/v1/audit/events")
    assert response.status_code == (200 if name == "officer" else 403)


def test_audit_events_api_filters_and_is_itself_audited(login, personas):
    from tsunagu.audit.services import audit_record

    audit_record(
        actor=None, action="person.view", target_type="people.person", target_id=9, persons=[9]
    )
    client = login(personas["officer"])
    body = client.get("/api/v1/audit/events", {"person_id": 9}).json()
    # the listing itself is access to that person's history, so it is listed too
    assert [e["action"] for e in body["items"]] == ["audit.list", "person.view"]
    read = AuditEvent.objects.filter(action="audit.list").latest("seq")
    assert (read.via, read.person_ids) == ("api", [9])


def test_token_api_writes_need_no_csrf_but_session_is_csrf_checked(personas):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(personas["desk"].user)
    # all endpoints of this release are reads; GET works with the session
    assert csrf_client.get("/api/v1/me").status_code == 200


def test_date_parsing_endpoint(login, personas):
    client = login(personas["desk"])
    body = client.get("/api/v1/dates/parse", {"text": "S55.3.1"}).json()
    assert body == {
        "date": "1980-03-01",
        "wareki": "昭和55年3月1日",
        "wareki_with_seireki": "昭和55年3月1日（1980年）",
        "fiscal_year": 1979,
        "fiscal_year_label": "昭和54年度",
    }
    bad = client.get("/api/v1/dates/parse", {"text": "平成31年5月1日"})
    assert bad.status_code == 422
    assert "存在しません" in bad.json()["detail"]


def test_token_writes_need_no_csrf_cookie_but_session_writes_do(personas):
    from django.test import Client

    _, raw = api_token_issue(membership=personas["desk"].membership, name="連携", by=None)
    system = Client(enforce_csrf_checks=True)
    body = {"name": "高橋 ミツ", "name_kana": "タカハシ ミツ"}
    response = system.post(
        "/api/v1/persons/known-check", body, content_type="application/json", **bearer(raw)
    )
    assert response.status_code == 200
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas["desk"].user)
    refused = browser.post("/api/v1/persons/known-check", body, content_type="application/json")
    assert refused.status_code == 403
