"""The meetings API: every route for every persona, guests before, during and after their
invitation, materials ``null`` before a 支援会議 pledge, refused rules 409, bad input 422,
decisions applied to the case, and the audit trail."""

import datetime
import json

import pytest
from django.utils import timezone

from conftest import PERSONA_NAMES
from tsunagu.audit.models import AuditEvent
from tsunagu.cases.models import CaseStatus
from tsunagu.cases.services import plan as plan_services
from tsunagu.cases.tests.flow import draft_plan, hold, meeting, to_planning
from tsunagu.meetings import services
from tsunagu.meetings.models import ActionItem, Meeting, MeetingKind, MeetingMember
from tsunagu.resources.models import ResourceGap

pytestmark = pytest.mark.django_db

API = "/api/v1"
C = CaseStatus


NOT_FOUND = {"detail": "見つかりません。"}
FORBIDDEN = {"detail": "この操作を行う権限がありません。"}
# as on the screens
ACCESS = {
    "officer": "manage",
    "coordinator": "manage",
    "participation": "see",
    "guest": "see",
    "desk": 404,
    "outreach": 404,
    "community": 404,
    "unrelated": 404,
    "admin": 403,
}


def get(client, path, params=None):
    return client.get(f"{API}{path}", params or {})


def send(client, path, body=None, method="post"):
    return getattr(client, method)(
        f"{API}{path}", data=json.dumps(body or {}), content_type="application/json"
    )


@pytest.fixture
def held(personas, consented_case):
    coordinator = personas["coordinator"].user
    conference = meeting(personas)
    services.member_add(by=coordinator, meeting=conference, user=personas["officer"].user)
    services.member_add(by=coordinator, meeting=conference, user=personas["guest"].user)
    item = services.agenda_add(
        by=coordinator,
        meeting=conference,
        purpose="information",
        case=consented_case,
        title="世帯の状況の共有",
    )
    return conference, item


def write_routes(conference, item, members, action, agencies):
    m = f"/meetings/{conference.pk}"
    return [
        (f"{m}/members", {"name": "民生委員 佐藤"}, "post"),
        (f"{m}/members/{members['guest'].pk}/revoke", {}, "post"),
        (f"{m}/members/{members['officer'].pk}/pledge", {}, "post"),
        (f"{m}/attendance", {"attended": [members["officer"].pk]}, "post"),
        (f"{m}/agenda", {"purpose": "resource", "title": "居場所"}, "post"),
        (f"{m}/agenda/{item.pk}/withdraw", {"reason": "x"}, "post"),
        (f"{m}/agenda/{item.pk}/decision", {"outcome": "noted"}, "post"),
        (f"{m}/minutes", {"minutes": "x"}, "put"),
        (
            f"{m}/action-items",
            {"description": "x", "owner_agency_id": agencies["csw"].pk, "due_on": "R8.12.1"},
            "post",
        ),
        (f"{m}/action-items/{action.pk}/done", {}, "post"),
        (f"{m}/resource-gaps", {"description": "夜間の居場所"}, "post"),
    ]


def test_openapi_lists_the_meeting_paths(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    for path in (
        "/meetings",
        "/meetings/{meeting_id}",
        "/meetings/{meeting_id}/members",
        "/meetings/{meeting_id}/members/{member_id}/pledge",
        "/meetings/{meeting_id}/members/{member_id}/revoke",
        "/meetings/{meeting_id}/attendance",
        "/meetings/{meeting_id}/agenda",
        "/meetings/{meeting_id}/agenda/{item_id}/withdraw",
        "/meetings/{meeting_id}/agenda/{item_id}/decision",
        "/meetings/{meeting_id}/minutes",
        "/meetings/{meeting_id}/action-items",
        "/meetings/{meeting_id}/action-items/{action_id}/done",
        "/meetings/{meeting_id}/resource-gaps",
    ):
        assert f"{API}{path}" in paths, path


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_reads_per_persona(login, personas, held, name):
    conference, _ = held
    client = login(personas[name])
    listing = get(client, "/meetings")
    detail = get(client, f"/meetings/{conference.pk}")
    access = ACCESS[name]
    if access == 403:
        assert (listing.status_code, listing.json()) == (403, FORBIDDEN)
        assert (detail.status_code, detail.json()) == (403, FORBIDDEN)
    elif access == 404:
        assert listing.json() == {"items": [], "count": 0}
        assert (detail.status_code, detail.json()) == (404, NOT_FOUND)
    else:
        assert [item["id"] for item in listing.json()["items"]] == [conference.pk]
        assert detail.status_code == 200
        body = detail.json()
        assert body["may_manage"] is (access == "manage")
        assert body["materials_visible"] is True
        assert body["agenda"][0]["title"] == "世帯の状況の共有"


@pytest.mark.parametrize("name", [n for n in PERSONA_NAMES if ACCESS[n] != "manage"])
def test_writes_by_others_change_nothing(login, personas, held, agencies, name):
    conference, item = held
    members = {
        "officer": conference.members.get(user=personas["officer"].user),
        "guest": conference.members.get(user=personas["guest"].user),
    }
    action = services.action_item_add(
        by=personas["coordinator"].user,
        meeting=conference,
        description="住まいの候補を探す",
        owner_agency=agencies["housing"],
        due_on=timezone.localdate(),
    )
    client = login(personas[name])
    expected = {"see": 403}.get(ACCESS[name], ACCESS[name])
    for path, body, method in write_routes(conference, item, members, action, agencies):
        response = send(client, path, body, method)
        assert response.status_code == expected, (name, path)
        if expected == 404:
            assert response.json() == NOT_FOUND
    created = send(
        client,
        "/meetings",
        {"kind": "conference", "title": "x", "schedule": "regular", "format": "in_person"},
    )
    assert created.status_code == 403
    assert Meeting.objects.count() == 1
    assert conference.members.count() == 3
    assert MeetingMember.objects.filter(pledged_at__isnull=False).count() == 0
    assert MeetingMember.objects.filter(invitation_revoked_at__isnull=False).count() == 0
    assert MeetingMember.objects.filter(attended=True).count() == 0
    item.refresh_from_db()
    assert (item.outcome, item.is_withdrawn) == ("", False)
    assert conference.agenda.count() == 1
    conference.refresh_from_db()
    assert conference.minutes == ""
    assert ActionItem.objects.get().done_on is None
    assert ResourceGap.objects.count() == 0


def test_missing_meeting_answers_404(login, personas, held, agencies):
    client = login(personas["officer"])
    assert get(client, "/meetings/999999").json() == NOT_FOUND
    conference, _ = held
    assert send(client, f"/meetings/{conference.pk}/agenda/999999/decision").status_code == 404
    assert send(client, f"/meetings/{conference.pk}/members/999999/pledge").status_code == 404
    assert send(client, "/meetings/999999/attendance", {"attended": []}).status_code == 404


def test_the_guest_before_during_and_after_the_invitation(login, personas, consented_case):
    conference = meeting(personas)
    client = login(personas["guest"])
    path = f"/meetings/{conference.pk}"
    assert get(client, path).status_code == 404
    coordinator = login(personas["coordinator"])
    body = send(coordinator, f"{path}/members", {"user_id": personas["guest"].user.pk}).json()
    guest = next(m for m in body["members"] if m["user_id"] == personas["guest"].user.pk)
    assert (guest["is_guest"], guest["invitation_state"]) == (True, "valid")
    client = login(personas["guest"])
    assert get(client, path).status_code == 200
    MeetingMember.objects.filter(pk=guest["id"]).update(
        invited_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert get(client, path).json() == NOT_FOUND
    assert get(client, "/meetings").json()["count"] == 0
    MeetingMember.objects.filter(pk=guest["id"]).update(
        invited_until=timezone.now() + datetime.timedelta(hours=1)
    )
    coordinator = login(personas["coordinator"])
    body = send(coordinator, f"{path}/members/{guest['id']}/revoke").json()
    revoked = next(m for m in body["members"] if m["id"] == guest["id"])
    assert revoked["invitation_state"] == "revoked"
    again = send(coordinator, f"{path}/members/{guest['id']}/revoke")
    assert again.status_code == 422
    client = login(personas["guest"])
    assert get(client, path).status_code == 404


def test_confidential_materials_are_null_until_the_pledge(login, personas, case, household_8050):
    coordinator = personas["coordinator"].user
    confidential = meeting(personas, MeetingKind.CONFIDENTIAL)
    member = services.member_add(by=coordinator, meeting=confidential, user=personas["desk"].user)
    services.agenda_add(
        by=coordinator, meeting=confidential, purpose="information", case=case, title="見守り"
    )
    services.resource_gap_add(by=coordinator, meeting=confidential, description="夜間の居場所")
    client = login(personas["desk"])
    path = f"/meetings/{confidential.pk}"
    body = get(client, path).json()
    assert body["is_confidential"] is True and body["materials_visible"] is False
    assert body["minutes"] is None
    assert body["action_items"] is None and body["resource_gaps"] is None
    (item,) = body["agenda"]
    assert item["purpose"] == "information"
    assert item["case_id"] is None and item["person_name"] is None and item["title"] is None
    assert AuditEvent.objects.filter(action="meeting.view").latest("seq").person_ids == []
    # only the member may pledge for themself (or the convenor)
    assert (
        send(login(personas["participation"]), f"{path}/members/{member.pk}/pledge").status_code
        == 403
    )
    client = login(personas["desk"])
    body = send(client, f"{path}/members/{member.pk}/pledge").json()
    assert body["materials_visible"] is True
    (item,) = body["agenda"]
    assert (item["case_id"], item["person_name"], item["title"]) == (case.pk, "山田 フミ", "見守り")
    assert item["case_visible"] is True  # the desk referred the case
    assert [g["description"] for g in body["resource_gaps"]] == ["夜間の居場所"]
    get(client, path)
    event = AuditEvent.objects.filter(action="meeting.view").latest("seq")
    assert household_8050["mother"].pk in event.person_ids
    assert event.context["meeting"] == confidential.pk


def test_create_and_validate(login, personas):
    client = login(personas["coordinator"])
    response = send(client, "/meetings", {"kind": "x", "title": " "})
    assert response.status_code == 422
    assert set(response.json()["errors"]) >= {"kind", "title", "schedule", "format", "starts_at"}
    response = send(
        client,
        "/meetings",
        {
            "kind": "conference",
            "title": "重層的支援会議（12月定例）",
            "schedule": "regular",
            "series": "毎月第2火曜",
            "format": "hybrid",
            "starts_at": "2026-12-08T14:00:00+09:00",
            "place": "市役所 第3会議室",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["kind_label"] == "重層的支援会議"
    assert body["convening_agency_name"] == "福祉まるごと支援員（社協）"
    assert [m["user_id"] for m in body["members"]] == [personas["coordinator"].user.pk]
    assert body["quorum_problems"]
    assert body["minutes"] == "" and body["action_items"] == []
    assert Meeting.objects.get().starts_at == datetime.datetime(
        2026, 12, 8, 5, 0, tzinfo=datetime.UTC
    )
    listing = get(client, "/meetings", {"when": "upcoming"}).json()
    assert listing["count"] == 1
    assert get(client, "/meetings", {"when": "x"}).status_code == 422
    assert get(client, "/meetings", {"kind": "case_meeting"}).json()["count"] == 0


def test_non_consented_case_refused_on_a_conference_409(login, personas, case):
    conference = meeting(personas)
    client = login(personas["coordinator"])
    response = send(
        client, f"/meetings/{conference.pk}/agenda", {"purpose": "information", "case_id": case.pk}
    )
    assert response.status_code == 409
    assert "支援会議（社会福祉法第106条の6）の議題にしてください" in response.json()["detail"]
    assert conference.agenda.count() == 0
    response = send(
        client,
        f"/meetings/{conference.pk}/agenda",
        {"purpose": "information", "case_id": 999999},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"case_id": ["指定された事例が見つかりません。"]}


@pytest.fixture
def planning_case(personas, consented_case, agencies):
    case = to_planning(personas, consented_case)
    draft_plan(personas, case, agencies, statutory=None)
    return case


def test_decision_needs_the_quorum_then_applies(login, personas, planning_case):
    conference = meeting(personas)
    client = login(personas["coordinator"])
    path = f"/meetings/{conference.pk}"
    body = send(
        client, f"{path}/agenda", {"purpose": "plan_adoption", "case_id": planning_case.pk}
    ).json()
    (item,) = body["agenda"]
    assert item["plan_version"] == 1
    response = send(client, f"{path}/agenda/{item['id']}/decision", {"outcome": "agreed"})
    assert response.status_code == 409
    assert "自治体職員" in response.json()["detail"]
    response = send(client, f"{path}/agenda/{item['id']}/decision", {"outcome": "noted"})
    assert response.status_code == 422
    assert "outcome" in response.json()["errors"]
    officer = send(client, f"{path}/members", {"user_id": personas["officer"].user.pk}).json()
    ids = [m["id"] for m in officer["members"]]
    body = send(client, f"{path}/attendance", {"attended": ids}).json()
    assert body["quorum_problems"] == []
    body = send(client, f"{path}/agenda/{item['id']}/decision", {"outcome": "agreed"}).json()
    assert body["agenda"][0]["outcome"] == "agreed"
    planning_case.refresh_from_db()
    assert planning_case.status == C.AWAITING_DECISION
    again = send(client, f"{path}/agenda/{item['id']}/decision", {"outcome": "agreed"})
    assert again.status_code == 409


def test_closure_over_the_api_names_the_lead_agency(login, personas, planning_case, agencies):
    conference = hold(personas, meeting(personas))
    coordinator = personas["coordinator"].user
    item = services.agenda_add(
        by=coordinator, meeting=conference, purpose="plan_adoption", case=planning_case
    )
    services.decision_record(by=coordinator, item=item, outcome="agreed")
    plan_services.plan_report_record(
        by=coordinator,
        plan=planning_case.plans.get(),
        reported_on=timezone.localdate(),
        reported_to="推進室",
    )
    client = login(personas["coordinator"])
    path = f"/meetings/{conference.pk}"
    body = send(
        client, f"{path}/agenda", {"purpose": "closure", "case_id": planning_case.pk}
    ).json()
    closure = next(i for i in body["agenda"] if i["purpose"] == "closure")
    response = send(client, f"{path}/agenda/{closure['id']}/decision", {"outcome": "agreed"})
    assert response.status_code == 422
    assert "lead_agency_id" in response.json()["errors"]
    response = send(
        client,
        f"{path}/agenda/{closure['id']}/decision",
        {"outcome": "agreed", "lead_agency_id": 999999},
    )
    assert response.json()["errors"] == {"lead_agency_id": ["指定された機関が見つかりません。"]}
    body = send(
        client,
        f"{path}/agenda/{closure['id']}/decision",
        {"outcome": "agreed", "lead_agency_id": agencies["houkatsu"].pk},
    ).json()
    closure = next(i for i in body["agenda"] if i["purpose"] == "closure")
    assert closure["lead_agency_name"] == "地域包括支援センター中央"
    planning_case.refresh_from_db()
    assert planning_case.status == C.CLOSED
    assert planning_case.lead_agency_after_closure == agencies["houkatsu"]


def test_minutes_actions_gaps_and_withdrawal(login, personas, held, agencies, city):
    conference, item = held
    client = login(personas["coordinator"])
    path = f"/meetings/{conference.pk}"
    body = send(client, f"{path}/minutes", {"minutes": "協議の記録"}, "put").json()
    assert body["minutes"] == "協議の記録"
    response = send(client, f"{path}/action-items", {"description": "x"})
    assert response.status_code == 422
    assert "owner_agency_id" in response.json()["errors"]
    response = send(
        client,
        f"{path}/action-items",
        {
            "description": "介護サービスの調整",
            "owner_agency_id": agencies["houkatsu"].pk,
            "due_on": "令和8年12月1日",
            "agenda_item_id": item.pk,
        },
    )
    assert response.status_code == 201
    (action,) = response.json()["action_items"]
    assert (action["due_on"], action["agenda_item_id"]) == ("2026-12-01", item.pk)
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(f"{API}{path}/action-items/{action['id']}/done?done_on={future}")
    assert response.status_code == 422
    assert "done_on" in response.json()["errors"]
    done = client.post(f"{API}{path}/action-items/{action['id']}/done").json()  # no body
    assert done["action_items"][0]["done_on"] == timezone.localdate().isoformat()
    again = send(client, f"{path}/action-items/{action['id']}/done")
    assert again.status_code == 422
    response = send(client, f"{path}/resource-gaps", {"description": "居場所", "area_id": city.pk})
    assert response.json()["resource_gaps"][0]["area_name"] == "テスト市全域"
    assert send(client, f"{path}/resource-gaps", {"description": ""}).status_code == 422
    response = send(client, f"{path}/agenda/{item.pk}/withdraw", {"reason": ""})
    assert response.status_code == 422
    body = send(client, f"{path}/agenda/{item.pk}/withdraw", {"reason": "次回へ"}).json()
    assert body["agenda"][0]["is_withdrawn"] is True
    assert body["agenda"][0]["withdrawn_reason"] == "次回へ"
    assert send(client, f"{path}/agenda/{item.pk}/withdraw", {"reason": "x"}).status_code == 409
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "meeting.minutes",
        "meeting.action_item_add",
        "meeting.action_item_done",
        "meeting.resource_gap_add",
        "meeting.agenda_withdraw",
    } <= actions


def test_owner_agency_marks_its_action_item_done(login, personas, held, agencies):
    """The participation worker may not run the meeting, but its agency owns the item."""
    conference, _ = held
    owned = services.action_item_add(
        by=personas["coordinator"].user,
        meeting=conference,
        description="居場所の見学の調整",
        owner_agency=agencies["council"],
        due_on=timezone.localdate(),
    )
    other = services.action_item_add(
        by=personas["coordinator"].user,
        meeting=conference,
        description="住まいの候補",
        owner_agency=agencies["housing"],
        due_on=timezone.localdate(),
    )
    client = login(personas["participation"])
    path = f"/meetings/{conference.pk}/action-items"
    assert send(client, f"{path}/{other.pk}/done").status_code == 403
    body = send(client, f"{path}/{owned.pk}/done").json()
    done = {a["id"]: a["done_on"] for a in body["action_items"]}
    assert done == {owned.pk: timezone.localdate().isoformat(), other.pk: None}
