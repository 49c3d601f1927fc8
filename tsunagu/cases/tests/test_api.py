"""The 多機関協働 cases API: every route for every persona, consent and withdrawal over the
API, the coordinator's moves (refused ones 409), the team, and the audit trail."""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from conftest import PERSONA_NAMES
from tsunagu.accounts.services import api_token_issue
from tsunagu.audit.models import AuditEvent
from tsunagu.cases.models import Case, CaseStatus, CaseTeamMember, Consent

pytestmark = pytest.mark.django_db

API = "/api/v1"
C = CaseStatus
NOT_FOUND = {"detail": "見つかりません。"}
FORBIDDEN = {"detail": "この操作を行う権限がありません。"}
# as on the screens: "act" sees and takes steps, "see" only sees, else the status answered
ACCESS = {
    "officer": "act",
    "coordinator": "act",
    "desk": "see",
    "participation": "see",
    "outreach": 404,
    "community": 404,
    "unrelated": 404,
    "guest": 403,
    "admin": 403,
}


def get(client, path, params=None):
    return client.get(f"{API}{path}", params or {})


def post(client, path, body=None, **extra):
    return client.post(
        f"{API}{path}", data=json.dumps(body or {}), content_type="application/json", **extra
    )


def today() -> datetime.date:
    return timezone.localdate()


def consent_body(agencies, **overrides):
    body = {
        "given_by": "山田 フミ",
        "given_on": today().isoformat(),
        "method": "signature",
        "scope_agency_ids": [agencies["csw"].pk],
        "share_in_conference": True,
    }
    body.update(overrides)
    return body


def write_routes(case, agencies):
    return [
        (f"/cases/{case.pk}/consents", consent_body(agencies)),
        (
            f"/cases/{case.pk}/consents/withdraw",
            {"given_by": "山田 フミ", "given_on": today().isoformat()},
        ),
        (
            f"/cases/{case.pk}/transition",
            {"to": "assessment", "note": "x", "without_consent": True},
        ),
        (f"/cases/{case.pk}/team", {"agency_id": agencies["housing"].pk, "role": "住まい"}),
    ]


def test_openapi_lists_the_case_paths(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    for path in (
        "/cases",
        "/cases/{case_id}",
        "/cases/{case_id}/consents",
        "/cases/{case_id}/consents/withdraw",
        "/cases/{case_id}/transition",
        "/cases/{case_id}/team",
    ):
        assert f"{API}{path}" in paths, path


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_reads_per_persona(login, personas, consented_case, name):
    client = login(personas[name])
    listing = get(client, "/cases")
    detail = get(client, f"/cases/{consented_case.pk}")
    access = ACCESS[name]
    if access == 403:
        assert (listing.status_code, listing.json()) == (403, FORBIDDEN)
        assert (detail.status_code, detail.json()) == (403, FORBIDDEN)
    elif access == 404:
        assert listing.json() == {"items": [], "count": 0}
        assert (detail.status_code, detail.json()) == (404, NOT_FOUND)
    else:
        assert [item["id"] for item in listing.json()["items"]] == [consented_case.pk]
        assert detail.status_code == 200
        assert detail.json()["id"] == consented_case.pk


@pytest.mark.parametrize("name", [n for n in PERSONA_NAMES if ACCESS[n] != "act"])
def test_writes_by_others_change_nothing(login, personas, consented_case, agencies, name):
    client = login(personas[name])
    expected = {"see": 403}.get(ACCESS[name], ACCESS[name])
    for path, body in write_routes(consented_case, agencies):
        response = post(client, path, body)
        assert response.status_code == expected, (name, path)
        if expected == 404:
            assert response.json() == NOT_FOUND
    consented_case.refresh_from_db()
    assert consented_case.status == C.INTAKE
    assert Consent.objects.filter(case=consented_case).count() == 1
    assert CaseTeamMember.objects.filter(case=consented_case).count() == 2


def test_missing_case_answers_404(login, personas, agencies):
    client = login(personas["officer"])
    assert get(client, "/cases/999999").json() == NOT_FOUND
    for path, body in write_routes(Case(pk=999999), agencies):
        assert post(client, path, body).status_code == 404, path


def test_detail_body(login, personas, consented_case, household_8050, agencies):
    # The referring agency, not named by the consent, knows the case but not its content.
    limited = get(login(personas["desk"]), f"/cases/{consented_case.pk}").json()
    assert limited["content_visible"] is False
    assert limited["consents"] == []
    assert limited["person_name"] == "山田 フミ"  # it registered her itself
    assert [m["shared_by_consent"] for m in limited["team"]] == [True, False]
    assert "本人同意の共有先に含まれていません" in limited["team"][1]["consent_warning"]
    body = get(login(personas["coordinator"]), f"/cases/{consented_case.pk}").json()
    assert body["content_visible"] is True
    assert body["status"] == "intake"
    assert body["status_label"] == "インテーク（利用申込・同意の確認）"
    assert body["is_urgent"] is True
    assert body["opened_on"] == today().isoformat()
    assert body["person_id"] == household_8050["mother"].pk
    assert body["person_name"] == "山田 フミ"
    assert body["person_visible"] is True
    assert body["household_label"] == "山田世帯"
    assert body["household_visible"] is True
    assert body["referral_id"] == consented_case.referral_id
    assert body["referral_visible"] is True
    assert body["referring_agency_name"] == "地域包括支援センター中央"
    assert body["coordinating_agency_name"] == "福祉まるごと支援員（社協）"
    assert body["coordinator_name"] == "coordinator さん"
    assert (body["consent"], body["consent_label"], body["consent_version"]) == ("given", "あり", 1)
    assert [(m["agency_name"], m["role"]) for m in body["team"]] == [
        ("福祉まるごと支援員（社協）", "多機関協働事業者"),
        ("地域包括支援センター中央", "つなぎ元"),
    ]
    assert [(e["from_status"], e["to_status"]) for e in body["status_events"]] == [("", "intake")]
    assert body["status_events"][0]["by_name"] == "coordinator さん"
    (consent,) = body["consents"]
    assert consent["version"] == 1
    assert consent["person_id"] == household_8050["mother"].pk
    assert (consent["is_current"], consent["by_guardian"]) == (True, False)
    assert consent["is_withdrawal"] is False
    assert consent["method_label"] == "署名（利用申込書）"
    assert consent["scope_agencies"] == [
        {"id": agencies["council"].pk, "name": "福祉まるごと支援員（社協）"}
    ]
    assert consent["recorded_by_name"] == "coordinator さん"


def test_list_filters_paging_and_audit(login, personas, case, household_8050):
    client = login(personas["coordinator"])
    assert get(client, "/cases", {"q": "山田世帯"}).json()["count"] == 1
    assert get(client, "/cases", {"q": "佐藤"}).json()["count"] == 0
    assert get(client, "/cases", {"status": "intake"}).json()["count"] == 1
    assert get(client, "/cases", {"status": "closed"}).json()["count"] == 0
    response = get(client, "/cases", {"status": "nonsense"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"status": ["状態の値が正しくありません。"]}
    body = get(client, "/cases", {"q": "フミ"}).json()
    assert body["items"][0]["consent"] == "none"
    event = AuditEvent.objects.filter(action="case.list").latest("seq")
    assert event.person_ids == sorted([household_8050["mother"].pk, household_8050["son"].pk])
    assert event.context["q"] == "フミ"
    assert event.context["cases"] == [case.pk]
    assert event.via == "api"
    get(client, f"/cases/{case.pk}")
    event = AuditEvent.objects.filter(action="case.view").latest("seq")
    assert event.target_id == str(case.pk)
    assert event.person_ids == sorted([household_8050["mother"].pk, household_8050["son"].pk])


def test_consent_grants_the_named_agency_until_withdrawal(
    login, personas, case, agencies, household_8050
):
    mother = household_8050["mother"]
    outreach = personas["outreach"]
    assert get(login(outreach), f"/persons/{mother.pk}").status_code == 404
    response = post(
        login(personas["coordinator"]), f"/cases/{case.pk}/consents", consent_body(agencies)
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["consent"], body["consent_version"]) == ("given", 1)
    # named, but not on the team: the consent alone opens nothing (domain.md §6)
    assert get(login(outreach), f"/persons/{mother.pk}").status_code == 404
    assert get(login(outreach), f"/cases/{case.pk}").status_code == 404
    team = post(
        login(personas["coordinator"]), f"/cases/{case.pk}/team", {"agency_id": agencies["csw"].pk}
    )
    assert team.status_code == 201
    assert get(login(outreach), f"/persons/{mother.pk}").status_code == 200
    assert get(login(outreach), f"/cases/{case.pk}").json()["content_visible"] is True

    response = post(
        login(personas["coordinator"]),
        f"/cases/{case.pk}/consents/withdraw",
        {"given_by": "山田 フミ", "given_on": "令和8年11月22日", "notes": "電話で申出"},
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["consent"], body["consent_label"], body["consent_version"]) == (
        "withdrawn",
        "撤回",
        2,
    )
    assert [c["is_withdrawal"] for c in body["consents"]] == [False, True]
    assert get(login(outreach), f"/persons/{mother.pk}").status_code == 404
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"consent.record", "consent.withdraw"} <= actions


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"method": "oral"}, {"witness": ["口頭で同意を得た場合は立会人を入力してください。"]}),
        ({"given_on": None}, {"given_on": ["同意日を入力してください。"]}),
        ({"given_on": "令和8年13月1日"}, None),
        ({"method": "email"}, {"method": ["同意の方法を選んでください。"]}),
        (
            {"scope_agency_ids": [], "share_in_conference": False},
            {
                "scope_agency_ids": [
                    "情報を共有してよい機関、または会議での共有を1つ以上選んでください。"
                ]
            },
        ),
        (
            {"scope_agency_ids": [999999]},
            {"scope_agency_ids": ["指定された機関が見つかりません：999999"]},
        ),
        ({"given_by": "x" * 101}, None),
    ],
)
def test_consent_refuses_bad_input(login, personas, case, agencies, overrides, errors):
    response = post(
        login(personas["coordinator"]),
        f"/cases/{case.pk}/consents",
        consent_body(agencies, **overrides),
    )
    assert response.status_code == 422
    if errors:
        assert response.json()["errors"] == errors
    assert not Consent.objects.filter(case=case).exists()


def test_consent_dates_in_the_future_and_in_wareki(login, personas, case, agencies):
    client = login(personas["coordinator"])
    future = (today() + datetime.timedelta(days=3)).isoformat()
    response = post(client, f"/cases/{case.pk}/consents", consent_body(agencies, given_on=future))
    assert response.json()["errors"] == {"given_on": ["同意日に未来の日付は指定できません。"]}
    response = post(
        client, f"/cases/{case.pk}/consents", consent_body(agencies, given_on="R8.11.1")
    )
    assert response.status_code == 201
    assert response.json()["consents"][0]["given_on"] == "2026-11-01"


def test_withdrawal_needs_a_consent(login, personas, case):
    client = login(personas["coordinator"])
    body = {"given_by": "山田 フミ", "given_on": today().isoformat()}
    response = post(client, f"/cases/{case.pk}/consents/withdraw", body)
    assert response.status_code == 422
    assert response.json()["errors"] == {"__all__": ["山田 フミさんの撤回できる同意がありません。"]}
    response = post(client, f"/cases/{case.pk}/consents/withdraw", {"given_by": "山田 フミ"})
    assert response.json()["errors"] == {"given_on": ["撤回日を入力してください。"]}
    assert not Consent.objects.filter(case=case).exists()


def test_transitions_over_the_api(login, personas, case):
    client = login(personas["coordinator"])
    path = f"/cases/{case.pk}/transition"
    response = post(client, path, {"to": "assessment"})
    assert response.status_code == 409
    assert "支援会議（社会福祉法第106条の6）" in response.json()["detail"]
    response = post(client, path, {"to": "assessment", "without_consent": True})
    assert response.status_code == 422
    assert response.json()["errors"] == {"note": ["同意のないまま進める理由を入力してください。"]}
    response = post(client, path, {"to": "nowhere"})
    assert response.json()["errors"] == {"to": ["進める先の状態が正しくありません。"]}
    case.refresh_from_db()
    assert case.status == C.INTAKE

    response = post(client, path, {"to": "assessment", "without_consent": True, "note": "連絡不通"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "assessment"
    assert body["status_events"][-1]["note"] == "同意なし（支援会議で扱う）: 連絡不通"
    assert post(client, path, {"to": "planning"}).json()["status"] == "planning"
    response = post(client, path, {"to": "in_conference"})
    assert response.status_code == 409
    assert "会議の決定・支援決定" in response.json()["detail"]
    case.refresh_from_db()
    assert case.status == C.PLANNING
    assert AuditEvent.objects.filter(action="case.transition").count() == 2


def test_reopening_over_the_api_needs_a_reason(login, personas, consented_case):
    # closure comes from a meeting decision (a later slice); set up directly
    Case.objects.filter(pk=consented_case.pk).update(status=C.CLOSED)
    officer = login(personas["officer"])
    path = f"/cases/{consented_case.pk}/transition"
    response = post(officer, path, {"to": "assessment"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"note": ["再開の理由を入力してください。"]}
    response = post(officer, path, {"to": "assessment", "note": "再度の相談"})
    assert response.status_code == 200
    assert response.json()["status"] == "assessment"
    assert AuditEvent.objects.filter(action="case.reopen").count() == 1


def test_team_over_the_api(login, personas, case, agencies):
    client = login(personas["coordinator"])
    path = f"/cases/{case.pk}/team"
    assert get(login(personas["unrelated"]), f"/cases/{case.pk}").status_code == 404
    client = login(personas["coordinator"])
    for body, errors in [
        ({}, {"agency_id": ["追加する機関を選んでください。"]}),
        ({"agency_id": 999999}, {"agency_id": ["指定された機関が見つかりません。"]}),
        (
            {"agency_id": agencies["council"].pk},
            {"agency_id": ["この機関は既に支援チームにいます。"]},
        ),
        (
            {"agency_id": agencies["housing"].pk, "role": "x" * 101},
            {"role": ["役割は100文字以内で入力してください。"]},
        ),
    ]:
        response = post(client, path, body)
        assert response.status_code == 422, body
        assert response.json()["errors"] == errors
    agencies["minsei"].is_active = False
    agencies["minsei"].save()
    response = post(client, path, {"agency_id": agencies["minsei"].pk})
    assert response.json()["errors"] == {"agency_id": ["無効になっている機関は追加できません。"]}
    assert CaseTeamMember.objects.filter(case=case).count() == 2

    response = post(client, path, {"agency_id": agencies["housing"].pk, "role": "住まいの確保"})
    assert response.status_code == 201
    assert ("住宅・空家対策課", "住まいの確保") in [
        (m["agency_name"], m["role"]) for m in response.json()["team"]
    ]
    body = get(login(personas["unrelated"]), f"/cases/{case.pk}").json()
    assert body["id"] == case.pk
    # on the team, but without consent the person's record stays closed
    assert body["person_visible"] is False
    assert body["referral_visible"] is False
    assert AuditEvent.objects.filter(action="case.team_add").count() == 1


def test_tokens_write_and_session_writes_are_csrf_checked(personas, case, agencies):
    _, raw = api_token_issue(membership=personas["coordinator"].membership, name="連携", by=None)
    token_client = Client(headers={"Authorization": f"Bearer {raw}"})
    response = post(token_client, f"/cases/{case.pk}/consents", consent_body(agencies))
    assert response.status_code == 201
    assert Consent.objects.get(case=case).recorded_by == personas["coordinator"].user
    session = Client(enforce_csrf_checks=True)
    session.force_login(personas["coordinator"].user)
    response = post(session, f"/cases/{case.pk}/transition", {"to": "assessment"})
    assert response.status_code in (401, 403)
    case.refresh_from_db()
    assert case.status == C.INTAKE
