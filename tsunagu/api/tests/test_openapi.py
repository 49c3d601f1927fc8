"""The OpenAPI schema documents the shared error answers of every operation."""

from __future__ import annotations

import json

import pytest

from tsunagu.api.openapi import complete_operation

API = "/api/v1"
REF = "#/components/schemas/"


@pytest.fixture(scope="module")
def schema():
    from tsunagu.api_v1 import api

    return json.loads(json.dumps(api.get_openapi_schema()))  # as served: keys are strings


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_operation_documents_the_error_answers_it_can_give(schema):
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        assert {"401", "403"} <= set(responses), (method, path)
        if operation.get("parameters") or "requestBody" in operation:
            assert {"400", "404", "422"} <= set(responses), (method, path)
        if method != "get":
            assert "409" in responses, (method, path)
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                assert "application/json" in response["content"], (method, path, status)


def test_a_422_has_the_errors_by_field(schema):
    assert schema["components"]["schemas"]["InvalidOut"]["required"] == ["detail", "errors"]
    tokens = schema["paths"][f"{API}/me/tokens"]["post"]["responses"]["422"]
    assert tokens["content"]["application/json"]["schema"] == {"$ref": REF + "InvalidOut"}


def test_an_operations_own_body_stays_beside_the_shared_one(schema):
    conflict = schema["paths"][f"{API}/persons"]["post"]["responses"]["409"]
    assert conflict["content"]["application/json"]["schema"] == {
        "anyOf": [{"$ref": REF + "DuplicateOut"}, {"$ref": REF + "RuleBrokenOut"}]
    }
    assert "Idempotency-Key" in conflict["description"]


def test_a_posts_success_documents_the_replay_header(schema):
    created = schema["paths"][f"{API}/persons"]["post"]["responses"]["201"]
    assert created["headers"]["Idempotent-Replayed"]["schema"]["enum"] == ["true"]
    read = schema["paths"][f"{API}/persons/{{person_id}}"]["get"]["responses"]["200"]
    assert "headers" not in read


def test_a_status_given_twice_is_one_the_operations_own_winning():
    operation = {
        "security": [{"TokenAuth": []}],
        "responses": {
            200: {"description": "ok"},
            409: {"description": "own", "content": {"application/json": {"schema": {"x": 1}}}},
            "409": {"description": "extra"},
        },
    }
    complete_operation(operation, "put")
    assert list(operation["responses"]) == ["200", "401", "403", "409"]
    own = operation["responses"]["409"]
    assert own["description"] == "own"
    assert own["content"]["application/json"]["schema"]["anyOf"][0] == {"x": 1}


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_no_two_answers_of_the_api_share_a_name(schema):
    """The schema names its components by class name: two answer classes of one name would
    be documented as one, and an answer checked against the other's fields (a meeting's
    members were documented as a 地域づくり platform's)."""
    from ninja import Schema

    by_name: dict[str, set[str]] = {}
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("tsunagu.") and cls.__name__.endswith("Out"):
            by_name.setdefault(cls.__name__, set()).add(cls.__module__)
    shared = {name: sorted(modules) for name, modules in by_name.items() if len(modules) > 1}
    assert not shared
    assert {"MeetingMemberOut", "HouseholdMemberOut", "PlatformMemberOut"} <= set(
        schema["components"]["schemas"]
    )
