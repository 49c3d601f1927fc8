"""Requests the API cannot use answer 4xx in Japanese, in the usual error body, never 500:
a body that cannot be read (multipart without a boundary, broken JSON), a body too large,
input the schema refuses, and page numbers out of range on every paged list."""

from __future__ import annotations

import json
import re

import pytest
from django.test import override_settings

from tsunagu.api import errors
from tsunagu.api.pagination import MAX_PAGE, PAGE_OUT_OF_RANGE
from tsunagu.api_v1 import api

pytestmark = pytest.mark.django_db

API = "/api/v1"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _japanese(body: dict) -> bool:
    texts = [body["detail"], *(m for ms in body.get("errors", {}).values() for m in ms)]
    return all(JAPANESE.search(text) for text in texts)


@pytest.fixture
def officer(login, personas):
    client = login(personas["officer"])
    client.raise_request_exception = False  # a 500 is an answer to look at, not a crash
    return client


# --- a body that cannot be read ---------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=é"],
)
def test_multipart_without_a_usable_boundary_answers_400_in_japanese(officer, content_type):
    response = officer.generic(
        "POST", f"{API}/linkage/imports", b"--x\r\n\r\nabc", content_type=content_type
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": errors.UNREADABLE}


def test_with_an_idempotency_key_it_is_still_the_json_400(officer):
    """The key's check reads the body before the operation runs: its error is answered the
    same way, and the key is not used."""
    for _ in range(2):
        response = officer.generic(
            "POST",
            f"{API}/linkage/imports",
            b"abc",
            content_type="multipart/form-data",
            HTTP_IDEMPOTENCY_KEY="import-1",
        )
        assert response.status_code == 400
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {"detail": errors.UNREADABLE}


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_with_an_idempotency_key_a_body_over_the_limit_is_still_413(officer):
    body = json.dumps({"name": "山田 太郎", "contact_notes": "あ" * 2000})
    response = officer.post(
        f"{API}/persons", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="p-1"
    )
    assert (response.status_code, response.json()) == (413, {"detail": errors.too_large()})


def test_broken_json_answers_400_in_japanese(officer):
    response = officer.generic(
        "POST", f"{API}/persons", b'{"name": ', content_type="application/json"
    )
    assert (response.status_code, response.json()) == (400, {"detail": errors.UNREADABLE})


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_a_body_over_the_limit_answers_413_in_japanese(officer):
    body = json.dumps(
        {"name": "山田 太郎", "name_kana": "ヤマダ タロウ", "contact_notes": "あ" * 2000}
    )
    response = officer.post(f"{API}/persons", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {"detail": errors.too_large()}
    assert "1 KB" in errors.too_large()  # the limit the settings give


# --- the schema's errors: by field, in Japanese -----------------------------------------


def test_the_schemas_errors_answer_by_field_in_japanese(officer):
    response = officer.post(
        f"{API}/persons",
        json.dumps({"name": 5, "confirm_not_duplicate": "maybe"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == errors.INVALID
    assert body["errors"]["name"] == ["文字列で指定してください。"]
    assert body["errors"]["confirm_not_duplicate"] == ["true または false で指定してください。"]
    assert _japanese(body)


def test_schema_errors_name_nested_fields_and_keep_our_own_messages():
    found = errors.schema_errors(
        [
            {"type": "missing", "loc": ("body", "payload", "rows", 0, "name")},
            {"type": "less_than_equal", "loc": ("query", "page"), "ctx": {"le": 100000}},
            {
                "type": "value_error",
                "loc": ("body", "payload", "kind"),
                "msg": "Value error, 種類が違います。",
            },
            {"type": "value_error", "loc": ("body", "payload", "x"), "msg": "Value error, bad"},
            {"type": "something_new", "loc": ()},
        ]
    )
    assert found == {
        "rows.0.name": ["入力してください。"],
        "page": ["100,000以下の値を指定してください。"],
        "kind": ["種類が違います。"],
        "x": ["値が正しくありません。"],
        "__all__": ["値が正しくありません。"],
    }


# --- page numbers on every paged list ---------------------------------------------------


def _paged_lists() -> list[str]:
    """Every GET operation of the API that takes a ``page`` (its path parameters as 1)."""
    schema = api.get_openapi_schema()
    found = []
    for route, methods in schema["paths"].items():
        get = methods.get("get")
        if get and any(p["name"] == "page" for p in get.get("parameters", [])):
            found.append(re.sub(r"\{[^}]+\}", "1", route))
    return sorted(found)


PAGED = _paged_lists()


def test_the_paged_lists_are_found():
    assert len(PAGED) >= 20
    assert f"{API}/persons" in PAGED
    assert f"{API}/agencies" in PAGED  # ninja's own PageNumberPagination
    assert f"{API}/audit/events" in PAGED


@pytest.mark.parametrize("route", PAGED)
def test_no_paged_list_answers_500_for_a_huge_page(officer, route):
    for page in ("1000000000000000000", "99999999999999999999999", str(MAX_PAGE + 1)):
        response = officer.get(route, {"page": page})
        assert response.status_code == 422, (route, page, response.content[:300])
        body = response.json()
        assert body["detail"] == errors.INVALID
        assert body["errors"]["page"] in (
            [PAGE_OUT_OF_RANGE],
            [f"{MAX_PAGE:,}以下の値を指定してください。"],
        )


@pytest.mark.parametrize(("page", "message"), [("0", "1以上"), ("-1", "1以上"), ("abc", "整数")])
def test_a_page_that_is_no_page_answers_422_in_japanese(officer, page, message):
    for route in (f"{API}/persons", f"{API}/agencies"):
        response = officer.get(route, {"page": page})
        assert response.status_code == 422, route
        [text] = response.json()["errors"]["page"]
        assert message in text


def test_the_last_page_and_a_huge_page_size_still_answer(officer):
    for params in ({"page": MAX_PAGE}, {"page_size": "1000000000000000000"}, {"page": 1}):
        response = officer.get(f"{API}/persons", params)
        assert response.status_code == 200, params
        assert response.json()["items"] == []


def test_the_bounds_are_in_the_openapi_schema():
    schema = api.get_openapi_schema()
    [page] = [
        p for p in schema["paths"][f"{API}/persons"]["get"]["parameters"] if p["name"] == "page"
    ]
    assert page["schema"]["maximum"] == MAX_PAGE
    assert page["schema"]["minimum"] == 1


# --- dates are dates ---------------------------------------------------------------------


@pytest.mark.parametrize("route", ["audit/events", "consultations", "community/activities"])
def test_a_number_is_no_date_in_a_lists_filter(officer, route):
    for value in ("0", "86400", "-1"):
        response = officer.get(f"{API}/{route}", {"date_to": value})
        assert response.status_code == 422, (route, value)
        assert response.json()["errors"]["date_to"] == [
            "日付（例：2025-04-01）で指定してください。"
        ]
    assert officer.get(f"{API}/{route}", {"date_to": "2025-04-01"}).status_code == 200
