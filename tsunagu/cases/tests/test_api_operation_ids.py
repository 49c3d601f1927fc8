"""The cases API's OpenAPI operation ids are those it had before it became a package.

Clients generated from ``/api/v1/openapi.json`` name their methods after the operation ids,
and django-ninja derives an id from the module path, so moving a route to another module
would rename it. The old ids (``tsunagu_cases_api_*`` from ``cases/api.py``,
``tsunagu_cases_plan_api_*``, ``tsunagu_cases_monitoring_api_*``,
``tsunagu_cases_activity_api_*``) are written out here as they were; the assessment sheet's
routes, added after the split, follow the same scheme.
"""

import pytest

pytestmark = pytest.mark.django_db

CASES_TAG = "多機関協働"

BEFORE_THE_SPLIT = {
    # tsunagu/cases/api.py
    "tsunagu_cases_api_case_list",
    "tsunagu_cases_api_case_detail",
    "tsunagu_cases_api_consent_record",
    "tsunagu_cases_api_consent_withdraw",
    "tsunagu_cases_api_case_transition",
    "tsunagu_cases_api_team_add",
    "tsunagu_cases_api_team_leave",
    # tsunagu/cases/plan_api.py
    "tsunagu_cases_plan_api_plan_list",
    "tsunagu_cases_plan_api_plan_detail",
    "tsunagu_cases_plan_api_plan_create",
    "tsunagu_cases_plan_api_plan_update",
    "tsunagu_cases_plan_api_plan_item_add",
    "tsunagu_cases_plan_api_plan_item_remove",
    "tsunagu_cases_plan_api_support_decision",
    "tsunagu_cases_plan_api_plan_report",
    # tsunagu/cases/monitoring_api.py
    "tsunagu_cases_monitoring_api_monitoring_detail",
    "tsunagu_cases_monitoring_api_monitoring_record",
    "tsunagu_cases_monitoring_api_monitoring_start",
    "tsunagu_cases_monitoring_api_monitoring_due",
    # tsunagu/cases/activity_api.py
    "tsunagu_cases_activity_api_activity_list",
    "tsunagu_cases_activity_api_activity_create",
}

ASSESSMENT = {
    "tsunagu_cases_assessment_api_assessment_detail",
    "tsunagu_cases_assessment_api_assessment_version_list",
    "tsunagu_cases_assessment_api_assessment_record",
}


def cases_operations(client) -> dict[str, str]:
    """operation id → "METHOD path" of every operation of the cases API."""
    schema = client.get("/api/v1/openapi.json").json()
    found = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            op_id = operation["operationId"]
            if CASES_TAG in operation.get("tags", []) or op_id.startswith("tsunagu_cases"):
                found[op_id] = f"{method.upper()} {path}"
    return found


def test_the_cases_api_keeps_its_operation_ids(client):
    found = cases_operations(client)
    assert set(found) == BEFORE_THE_SPLIT | ASSESSMENT, {
        "unexpected": {k: v for k, v in found.items() if k not in BEFORE_THE_SPLIT | ASSESSMENT},
        "missing": sorted((BEFORE_THE_SPLIT | ASSESSMENT) - set(found)),
    }


def test_operation_ids_are_unique_across_the_api(client):
    schema = client.get("/api/v1/openapi.json").json()
    ids = [op["operationId"] for ops in schema["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
