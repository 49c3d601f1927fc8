"""Support plan screens and API: every URL × every persona, the draft's forms, the three
confirmation patterns through the UI and the API, and the audit of reads."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import PERSONA_NAMES
from tsunagu.audit.models import AuditEvent
from tsunagu.cases.models import CaseStatus, PlanStatus
from tsunagu.cases.tests.conftest import give_consent
from tsunagu.common.wareki import format_wareki
from tsunagu.meetings import services as meeting_services

from .flow import draft_plan, hold, meeting, to_planning

pytestmark = pytest.mark.django_db
C = CaseStatus
API = "/api/v1"
# As for the case itself (see test_views.ACCESS): the referring desk and a non-coordinator
# of the coordinating agency see the plan but take no step.
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


@pytest.fixture
def plan(personas, consented_case, agencies):
    # the consent names the referring 地域包括 too: it reads the plans, without managing them
    give_consent(personas, consented_case, agencies["council"], agencies["houkatsu"])
    case = to_planning(personas, consented_case)
    return draft_plan(personas, case, agencies)


def agreed(personas, plan):
    conference = hold(personas, meeting(personas))
    item = meeting_services.agenda_add(
        by=personas["coordinator"].user,
        meeting=conference,
        purpose="plan_adoption",
        case=plan.case,
    )
    meeting_services.decision_record(by=personas["coordinator"].user, item=item, outcome="agreed")
    plan.refresh_from_db()
    return plan


def u(name, plan, *extra):
    return reverse(f"cases:{name}", args=[plan.case_id, plan.pk, *extra])


def api_post(client, path, body):
    return client.post(f"{API}{path}", data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_reading_plans_per_persona(login, personas, plan, name):
    client = login(personas[name])
    pages = [
        reverse("cases:plan_list", args=[plan.case_id]),
        u("plan_detail", plan),
    ]
    expected = {"act": 200, "see": 200}.get(ACCESS[name], ACCESS[name])
    for path in pages:
        response = client.get(path)
        assert response.status_code == expected, (name, path)
    api = client.get(f"{API}/cases/{plan.case_id}/plans/{plan.pk}")
    assert api.status_code == expected
    if expected == 200:
        assert "息子の社会参加" in response.content.decode()
        assert api.json()["items"][1]["statutory_service"] == "participation"
        assert AuditEvent.objects.filter(action="plan.view", actor=personas[name].user).count() == 3


@pytest.mark.parametrize("name", [n for n in PERSONA_NAMES if ACCESS[n] != "act"])
def test_drafting_steps_are_refused_to_others(login, personas, plan, agencies, name):
    client = login(personas[name])
    expected = {"see": 403}.get(ACCESS[name], ACCESS[name])
    case_id = plan.case_id
    posts = [
        (reverse("cases:plan_create", args=[case_id]), {"goals": "g", "policy": "p"}),
        (u("plan_edit", plan), {"goals": "g", "policy": "p"}),
        (u("plan_item_add", plan), {"issue": "x", "action": "y", "agency": agencies["csw"].pk}),
        (u("plan_item_remove", plan, plan.items.first().pk), {}),
        (u("plan_report", plan), {"reported_on": "令和8年4月1日", "reported_to": "推進室"}),
    ]
    for path, data in posts:
        assert client.post(path, data).status_code == expected, (name, path)
    api = api_post(client, f"/cases/{case_id}/plans/{plan.pk}/items", {"issue": "x"})
    assert api.status_code == expected
    plan.refresh_from_db()
    assert plan.goals != "g"
    assert plan.items.count() == 2


def test_support_decision_only_by_a_municipal_officer(login, personas, plan):
    plan = agreed(personas, plan)
    data = {"decided_on": format_wareki(timezone.localdate())}
    for name in ("coordinator", "desk"):
        assert login(personas[name]).post(u("plan_support_decision", plan), data).status_code == 403
    assert (
        login(personas["unrelated"]).post(u("plan_support_decision", plan), data).status_code == 404
    )
    client = login(personas["coordinator"])
    page = client.get(u("plan_detail", plan)).content.decode()
    assert 'data-testid="awaiting-support-decision"' in page
    assert 'data-testid="support-decision-form"' not in page
    client = login(personas["officer"])
    page = client.get(u("plan_detail", plan)).content.decode()
    assert 'data-testid="support-decision-form"' in page
    bad = client.post(u("plan_support_decision", plan), {"decided_on": "令和99年1月1日"})
    assert bad.status_code == 422
    response = client.post(u("plan_support_decision", plan), {**data, "decision_number": "重-7"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CONFIRMED
    plan.case.refresh_from_db()
    assert plan.case.status == C.ACTIVE


def test_the_draft_through_the_screens(login, personas, consented_case, agencies):
    case = to_planning(personas, consented_case)
    client = login(personas["coordinator"])
    empty = client.post(reverse("cases:plan_create", args=[case.pk]), {"goals": "", "policy": ""})
    assert "本人の目標を入力してください。" in empty.content.decode()
    response = client.post(
        reverse("cases:plan_create", args=[case.pk]),
        {"goals": "外出できるようになる", "policy": "段階的に", "next_monitoring_on": "R8.99.1"},
    )
    assert response.status_code == 200  # a date that does not exist is refused in Japanese
    response = client.post(
        reverse("cases:plan_create", args=[case.pk]),
        {"goals": "外出できるようになる", "policy": "段階的に"},
    )
    plan = case.plans.get()
    assert response.url == u("plan_detail", plan)
    bad = client.post(u("plan_item_add", plan), {"issue": "", "action": "", "agency": ""})
    assert bad.status_code == 422
    assert "課題を入力してください。" in bad.content.decode()
    ok = client.post(
        u("plan_item_add", plan),
        {
            "issue": "就労",
            "action": "就労体験先の見学",
            "agency": agencies["council"].pk,
            "statutory_service": "participation",
            "period_start": "令和8年4月1日",
            "period_end": "令和8年9月30日",
        },
    )
    assert ok.status_code == 302
    item = plan.items.get()
    assert item.period_end.month == 9 and item.statutory_service == "participation"
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="plan-open"' in page


def test_report_confirms_a_plan_without_statutory_items_over_the_api(
    login, personas, consented_case, agencies
):
    case = to_planning(personas, consented_case)
    plan = draft_plan(personas, case, agencies, statutory=None)
    client = login(personas["coordinator"])
    body = {"reported_on": format_wareki(timezone.localdate()), "reported_to": "重層的支援推進室"}
    early = api_post(client, f"/cases/{case.pk}/plans/{plan.pk}/report", body)
    assert early.status_code == 409  # not agreed at a meeting yet
    plan = agreed(personas, plan)
    missing = api_post(client, f"/cases/{case.pk}/plans/{plan.pk}/report", {"reported_to": "x"})
    assert missing.status_code == 422
    done = api_post(client, f"/cases/{case.pk}/plans/{plan.pk}/report", body)
    assert done.status_code == 201
    assert done.json()["status"] == "confirmed"
    assert done.json()["report"]["reported_to"] == "重層的支援推進室"


def test_plan_api_create_and_items(login, personas, consented_case, agencies):
    case = to_planning(personas, consented_case)
    client = login(personas["coordinator"])
    created = api_post(client, f"/cases/{case.pk}/plans", {"goals": "目標", "policy": "方針"})
    assert created.status_code == 201
    plan_id = created.json()["id"]
    again = api_post(client, f"/cases/{case.pk}/plans", {"goals": "目標", "policy": "方針"})
    assert again.status_code == 409
    item = api_post(
        client,
        f"/cases/{case.pk}/plans/{plan_id}/items",
        {"issue": "見守り", "action": "訪問", "agency_id": agencies["houkatsu"].pk},
    )
    assert item.status_code == 201
    assert item.json()["items"][0]["agency_name"] == agencies["houkatsu"].name
    unknown = api_post(
        client,
        f"/cases/{case.pk}/plans/{plan_id}/items",
        {"issue": "x", "action": "y", "agency_id": 999999},
    )
    assert unknown.status_code == 422
    item_id = item.json()["items"][0]["id"]
    removed = client.delete(f"{API}/cases/{case.pk}/plans/{plan_id}/items/{item_id}")
    assert removed.status_code == 200 and removed.json()["items"] == []
