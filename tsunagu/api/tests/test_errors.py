"""One family of API errors (tsunagu.api.errors), through real endpoints: a refused actor 403,
what the user may not see 404, a rule of the program 409, refused input 422 with the request
body's field names; the same bodies from every router. No API module keeps an error-mapping
context manager of its own: operations call services plainly."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import path
from django.utils import timezone
from ninja import NinjaAPI, Router

from tsunagu.api import errors
from tsunagu.api.errors import api_fields
from tsunagu.common.errors import NotVisible, RuleBroken
from tsunagu.consultations import services as consultation_services
from tsunagu.consultations.models import IssueCategory, Referral, ReferralStatus
from tsunagu.people import services as people_services

pytestmark = pytest.mark.django_db

API = "/api/v1"
PACKAGE = Path(__file__).resolve().parents[2]


def post(client, route, data=None):
    return client.post(f"{API}{route}", json.dumps(data or {}), content_type="application/json")


@pytest.fixture
def referral(personas) -> Referral:
    """The 地域包括 (desk) refers a mother it registered to the CSW (outreach)."""
    desk = personas["desk"].user
    mother = people_services.person_create(by=desk, name="山田 フミ", name_kana="ヤマダ フミ")
    household = people_services.household_create(by=desk, label="山田世帯")
    people_services.household_add_member(
        by=desk, household=household, person=mother, relation="head"
    )
    consultation = consultation_services.consultation_record(
        by=desk,
        received_on=timezone.localdate(),
        channel="walk_in",
        consulter_type="self",
        summary="母の介護のこと",
        outcome="referred",
        categories=list(IssueCategory.objects.filter(code="elderly_care")),
        person=mother,
        household=household,
        consent_to_share=True,
    )
    return consultation_services.referral_send(
        by=desk,
        consultation=consultation,
        to_agency=personas["outreach"].agency,
        reason="訪問をお願いします",
    )


def test_a_refused_actor_answers_403_with_the_services_message(login, personas, referral):
    response = post(login(personas["desk"]), f"/referrals/{referral.pk}/accept")
    assert response.status_code == 403
    assert response.json() == {"detail": "この操作はつなぎ先の機関だけが行えます。"}
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_a_missing_permission_answers_403(login, personas):
    response = login(personas["guest"]).get(f"{API}/persons")
    assert response.status_code == 403
    assert response.json() == {"detail": errors.FORBIDDEN}


def test_what_the_user_may_not_see_answers_404(login, personas, referral):
    client = login(personas["unrelated"])
    for route in (f"/persons/{referral.person_id}", f"/referrals/{referral.pk}"):
        response = client.get(f"{API}{route}")
        assert response.status_code == 404, route
        assert response.json() == {"detail": "見つかりません。"}
    response = post(client, f"/referrals/{referral.pk}/start")
    assert (response.status_code, response.json()) == (404, {"detail": "見つかりません。"})


def test_a_broken_rule_answers_409_naming_the_rule(login, personas, referral):
    response = post(login(personas["outreach"]), f"/referrals/{referral.pk}/start")
    rule = "「送付」のつなぎを「対応中」にはできません。"
    assert response.status_code == 409
    assert response.json() == {"detail": rule, "errors": {"__all__": [rule]}}
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_refused_input_answers_422_by_the_request_bodys_fields(login, personas, referral):
    client = login(personas["desk"])
    response = post(
        client,
        "/referrals",
        {
            "consultation_id": referral.consultation_id,
            "to_agency_id": personas["desk"].agency.pk,  # the service's ``to_agency``
            "reason": "もう一度",
        },
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": "入力内容に誤りがあります。",
        "errors": {"to_agency_id": ["自分の機関にはつなげません。"]},
    }
    assert Referral.objects.count() == 1
    # a service message that names no field goes under the operation's ``non_field``
    household = referral.household
    again = post(
        client,
        f"/households/{household.pk}/members",
        {"person_id": referral.person_id, "relation": "child"},
    )
    assert again.status_code == 422
    assert again.json()["errors"] == {"person_id": ["この方は既にこの世帯の世帯員です。"]}


# --- the handlers on any NinjaAPI that installs them ------------------------------------

probe = Router()


@probe.post("/rule")
@api_fields({"plan": "case_id"})
def rule_with_a_field(request):
    raise RuleBroken({"plan": "協議する作成中のプランがありません。"})


@probe.post("/hidden")
def hidden(request):
    raise NotVisible("指定された本人・世帯は見つかりません。")


@probe.post("/input")
def refused_input(request):
    raise ValidationError({"agency": "無効な機関です。", "__all__": "どちらか一方だけです。"})


probe_api = NinjaAPI(urls_namespace="api_errors_probe")
errors.install(probe_api)
probe_api.add_router("/", probe)
urlpatterns = [path("probe/", probe_api.urls)]


@pytest.mark.urls(__name__)
def test_a_rule_naming_a_field_still_answers_409_with_the_bodys_field(client):
    response = client.post("/probe/rule")
    message = "協議する作成中のプランがありません。"
    assert response.status_code == 409
    assert response.json() == {"detail": message, "errors": {"case_id": [message]}}


@pytest.mark.urls(__name__)
def test_not_visible_answers_404_never_403(client):
    response = client.post("/probe/hidden")
    assert (response.status_code, response.json()) == (404, {"detail": "見つかりません。"})


@pytest.mark.urls(__name__)
def test_an_operation_without_names_keeps_the_services_fields(client):
    response = client.post("/probe/input")
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "agency": ["無効な機関です。"],
        "__all__": ["どちらか一方だけです。"],
    }


# --- no error mapping left in the API modules -------------------------------------------


def _api_modules() -> list[Path]:
    found = []
    for module in sorted(PACKAGE.rglob("*.py")):
        parts = module.relative_to(PACKAGE).parts
        if "tests" in parts or "migrations" in parts:
            continue
        if "api" in parts[:-1] or module.stem.startswith("api") or module.stem.endswith("_api"):
            found.append(module)
    return found


def _error_mappers(module: Path) -> list[str]:
    """Definitions, imports and ``with`` blocks of an error-mapping context manager."""
    found = []
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names = [node.name] if "service_error" in node.name else []
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names = [alias.name for alias in node.names if "service_error" in alias.name]
        elif isinstance(node, ast.With):  # ``with service_errors(...)``, ``with app_errors()``
            names = [
                name
                for item in node.items
                if isinstance(item.context_expr, ast.Call)
                for name in [ast.unparse(item.context_expr.func)]
                if name.split(".")[-1].endswith("errors")
            ]
        else:
            continue
        found += [f"{module.relative_to(PACKAGE.parent)}:{node.lineno} {name}" for name in names]
    return found


def test_no_api_module_maps_service_errors_by_hand():
    modules = _api_modules()
    assert len(modules) >= 15  # every app's router and the plumbing are looked at
    found = [hit for module in modules for hit in _error_mappers(module)]
    assert not found, f"Let tsunagu.api.errors answer (use @api_fields to rename): {found}"
