"""アウトリーチ over ``/api/v1/``: the caseload, records and their steps, contacts, plans on
a 支援会議 or 重層的支援会議, the meeting member's materials view, and the audit.

The answers follow the house rules: a record the user may not see 404 (``unrelated`` on every
record endpoint), a step by someone who does not work the record 403, a step the rules refuse
409, invalid input 422 by the request body's field names.
"""

import datetime
import json
import re

import pytest
from django.utils import timezone

from tsunagu.accounts.models import AgencyProgram
from tsunagu.audit.models import AuditEvent
from tsunagu.common.wareki import format_wareki
from tsunagu.consultations.models import Referral, ReferralKind
from tsunagu.meetings.models import Meeting, MeetingMember
from tsunagu.outreach import services
from tsunagu.outreach.models import OutreachContact, OutreachPlan, OutreachRecord
from tsunagu.outreach.workflow import AFTER_CONSENT_MEETING, BEFORE_CONSENT_MEETING
from tsunagu.people import services as people_services

pytestmark = pytest.mark.django_db

API = "/api/v1"


BEGAN = timezone.localdate() - datetime.timedelta(days=60)


def get(client, route, data=None):
    return client.get(f"{API}{route}", data or {})


def post(client, route, data=None):
    return client.post(f"{API}{route}", json.dumps(data or {}), content_type="application/json")


def patch(client, route, data):
    return client.patch(f"{API}{route}", json.dumps(data), content_type="application/json")


def days_ago(n: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=n)).isoformat()


def wareki_days_ago(n: int) -> str:
    return format_wareki(timezone.localdate() - datetime.timedelta(days=n))


def errors_of(response) -> dict:
    return response.json()["errors"]


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture
def record(personas) -> OutreachRecord:
    """A record of the CSW (outreach agency) about someone not yet identified."""
    return services.record_create(
        by=personas["outreach"].user,
        label="北部 60代男性 A",
        source="minsei",
        began_on=BEGAN,
        age_band="60s",
        known_facts="雨戸が閉まったまま。新聞がたまっている。",
        household_hint="80代の母と二人",
        informant_name="民生委員 佐藤",
        informant_contact="090-1111-2222",
        address="北町3丁目12番地",
    )


@pytest.fixture
def person(personas):
    """A person the CSW registered (it sees them)."""
    return people_services.person_create(
        by=personas["outreach"].user, name="北村 ジロウ", name_kana="キタムラ ジロウ"
    )


@pytest.fixture
def consented(personas, record, person) -> OutreachRecord:
    """The record with the person identified and their 利用申込 recorded."""
    user = personas["outreach"].user
    services.record_link_person(by=user, record=record, person=person)
    return services.consent_record(
        by=user,
        record=OutreachRecord.objects.get(pk=record.pk),
        consented_on=timezone.localdate() - datetime.timedelta(days=5),
        method="signed",
    )


def make_meeting(personas, kind: str, title: str) -> Meeting:
    return Meeting.objects.create(
        kind=kind,
        title=title,
        schedule="ad_hoc",
        format="in_person",
        starts_at=timezone.now() + datetime.timedelta(days=7),
        place="市役所 第3会議室",
        convening_agency=personas["coordinator"].agency,
        created_by=personas["coordinator"].user,
    )


def add_member(meeting: Meeting, persona, *, pledged=False, **fields) -> MeetingMember:
    return MeetingMember.objects.create(
        meeting=meeting,
        user=persona.user,
        agency=persona.agency,
        name=persona.user.display_name,
        pledged_at=timezone.now() if pledged else None,
        **fields,
    )


@pytest.fixture
def confidential(personas) -> Meeting:
    """A 支援会議: the outreach worker, the coordinator (pledged) and the desk (not pledged)
    are members."""
    meeting = make_meeting(personas, "confidential_meeting", "支援会議（12月）")
    add_member(meeting, personas["outreach"], pledged=True)
    add_member(meeting, personas["coordinator"], pledged=True)
    add_member(meeting, personas["desk"])
    return meeting


@pytest.fixture
def conference(personas) -> Meeting:
    meeting = make_meeting(personas, "conference", "重層的支援会議（12月定例）")
    add_member(meeting, personas["outreach"])
    add_member(meeting, personas["coordinator"])
    return meeting


@pytest.fixture
def plan(personas, record) -> OutreachPlan:
    return services.plan_create(
        by=personas["outreach"].user, record=record, approach="母親への介護の支援から関わる"
    )


# --- records: create, caseload, detail, corrections ----------------------------------------


def test_create_list_and_detail(login, personas):
    client = login(personas["outreach"])
    response = post(
        client,
        "/outreach/records",
        {
            "label": "南部 40代女性 B",
            "source": "family",
            "began_on": wareki_days_ago(10),  # 和暦
            "age_band": "40s",
            "known_facts": "数年外出していないと姉から",
            "informant_name": "姉",
            "informant_contact": "080-0000-1111",
        },
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["began_on"] == days_ago(10)
    assert created["began_on_wareki"] == wareki_days_ago(10)
    assert created["stage"] == "gathering"
    assert created["stage_label"] == "①情報収集"
    assert (created["consent"], created["consent_label"]) == ("before", "同意前")
    assert created["source_label"] == "家族"
    assert created["age_band_label"] == "40代"
    assert created["agency_name"] == personas["outreach"].agency.name
    assert created["assigned_to_id"] == personas["outreach"].user.pk  # the one who begins it
    assert (created["materials_only"], created["may_work"]) == (False, True)
    assert [e["kind_label"] for e in created["events"]] == ["開始"]
    record = OutreachRecord.objects.get(pk=created["id"])
    assert record.created_by == personas["outreach"].user
    assert AuditEvent.objects.filter(action="outreach.create", target_id=str(record.pk)).exists()

    listed = get(client, "/outreach/records").json()
    assert listed["count"] == 1
    assert listed["items"][0]["id"] == record.pk
    assert listed["items"][0]["days_since_contact"] == 10
    read = AuditEvent.objects.filter(action="outreach.list").latest("seq")
    assert read.context["outreach"] == [record.pk]
    assert read.via == "api"

    detail = get(client, f"/outreach/records/{record.pk}").json()
    assert detail["informant_name"] == "姉"
    assert detail["informant_contact"] == "080-0000-1111"
    assert detail["known_facts"] == "数年外出していないと姉から"
    view = AuditEvent.objects.filter(action="outreach.view").latest("seq")
    assert (view.target_id, view.context["outreach"]) == (str(record.pk), record.pk)
    assert "materials_only" not in view.context


def test_a_resent_create_with_the_same_key_makes_one_record(login, personas):
    client = login(personas["outreach"])
    body = json.dumps({"label": "A", "source": "minsei", "began_on": days_ago(1)})
    headers = {"Idempotency-Key": "outreach-create-0001"}
    first, again = (
        client.post(
            f"{API}/outreach/records", body, content_type="application/json", headers=headers
        )
        for _ in range(2)
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert OutreachRecord.objects.count() == 1


def test_create_refuses_bad_input_with_the_fields(login, personas):
    client = login(personas["outreach"])
    response = post(client, "/outreach/records", {})
    assert response.status_code == 422
    assert set(errors_of(response)) >= {"label", "source", "began_on"}
    future = post(
        client,
        "/outreach/records",
        {
            "label": "A",
            "source": "minsei",
            "began_on": (timezone.localdate() + datetime.timedelta(1)).isoformat(),
        },
    )
    assert future.status_code == 422
    assert errors_of(future) == {"began_on": ["開始日に未来の日付は指定できません。"]}
    bad_date = post(
        client,
        "/outreach/records",
        {"label": "A", "source": "minsei", "began_on": "平成31年5月1日"},
    )
    assert bad_date.status_code == 422
    assert "began_on" in errors_of(bad_date)
    urgent = post(
        client,
        "/outreach/records",
        {"label": "A", "source": "minsei", "began_on": days_ago(1), "is_urgent": True},
    )
    assert urgent.status_code == 422
    assert "urgent_note" in errors_of(urgent)
    unknown_area = post(
        client,
        "/outreach/records",
        {"label": "A", "source": "minsei", "began_on": days_ago(1), "area_id": 999999},
    )
    assert unknown_area.status_code == 422
    assert "area_id" in errors_of(unknown_area)
    assert not OutreachRecord.objects.exists()


def test_create_names_the_assignee_or_none(login, personas):
    client = login(personas["outreach"])
    body = {"label": "南部 B", "source": "family", "began_on": days_ago(1)}
    refused = post(client, "/outreach/records", body | {"assigned_to_id": personas["desk"].user.pk})
    assert refused.status_code == 422
    assert "アウトリーチ支援員" in refused.json()["errors"]["assigned_to_id"][0]
    unknown = post(client, "/outreach/records", body | {"assigned_to_id": 999999})
    assert unknown.status_code == 422 and "assigned_to_id" in unknown.json()["errors"]
    assert not OutreachRecord.objects.exists()
    none = post(client, "/outreach/records", body | {"assigned_to_id": None})
    assert none.status_code == 201 and none.json()["assigned_to_id"] is None


def test_create_with_a_person_the_user_may_not_see_is_404(login, personas):
    hidden = people_services.person_create(
        by=personas["desk"].user, name="山田 タロウ", name_kana="ヤマダ タロウ"
    )
    response = post(
        login(personas["outreach"]),
        "/outreach/records",
        {"label": "A", "source": "agency", "began_on": days_ago(1), "person_id": hidden.pk},
    )
    assert response.status_code == 404
    assert not OutreachRecord.objects.exists()


@pytest.mark.parametrize(
    "name", ["officer", "desk", "coordinator", "guest", "admin", "unrelated", "community"]
)
def test_only_outreach_workers_create_records(login, personas, name):
    body = {"label": "A", "source": "minsei", "began_on": days_ago(1)}
    response = post(login(personas[name]), "/outreach/records", body)
    assert response.status_code == 403
    assert not OutreachRecord.objects.exists()


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("outreach", 200),
        ("officer", 200),
        ("desk", 403),
        ("coordinator", 403),
        ("participation", 403),
        ("community", 403),
        ("guest", 403),
        ("admin", 403),
        ("unrelated", 403),
    ],
)
def test_caseload_needs_the_outreach_role(login, personas, record, name, status):
    response = get(login(personas[name]), "/outreach/records")
    assert response.status_code == status
    if status == 200:
        assert [r["id"] for r in response.json()["items"]] == [record.pk]


def test_caseload_filters(login, personas, record, consented, agencies):
    user = personas["outreach"].user
    other = services.record_create(
        by=user, label="東部 70代女性 C", source="resident", began_on=BEGAN
    )
    services.urgent_set(by=user, record=other, note="12/1 10時 救急へ連絡")
    client = login(personas["outreach"])

    def ids(**params):
        response = get(client, "/outreach/records", params)
        assert response.status_code == 200, response.json()
        return [r["id"] for r in response.json()["items"]]

    assert ids() == [other.pk, record.pk]  # urgent first
    assert ids(flag="urgent") == [other.pk]
    assert ids(consent="after") == [record.pk]
    assert ids(consent="before") == [other.pk]
    assert ids(q="東部") == [other.pk]
    assert ids(q="キタムラ") == [record.pk]  # the linked person's kana
    assert ids(stage="preparation") == []
    assert ids(state="closed") == []
    for bad in ({"stage": "x"}, {"consent": "x"}, {"state": "x"}, {"flag": "x"}):
        response = get(client, "/outreach/records", bad)
        assert response.status_code == 422
        assert list(errors_of(response)) == list(bad)
    # the program office narrows to one agency
    office = login(personas["officer"])
    assert get(office, "/outreach/records", {"agency_id": agencies["csw"].pk}).json()["count"] == 2
    assert get(office, "/outreach/records", {"agency_id": agencies["council"].pk}).json() == {
        "items": [],
        "count": 0,
    }


def test_caseload_audits_the_persons_shown(login, personas, consented, person):
    get(login(personas["outreach"]), "/outreach/records", {"q": "北部"})
    read = AuditEvent.objects.filter(action="outreach.list").latest("seq")
    assert read.person_ids == [person.pk]
    assert read.context["outreach"] == [consented.pk]
    assert read.context["q"] == "北部"


def test_update_corrects_what_is_known(login, personas, record, city):
    client = login(personas["outreach"])
    response = patch(
        client,
        f"/outreach/records/{record.pk}",
        {"label": "北部 60代男性 A（北村さん）", "area_id": city.pk, "known_facts": "母が入院"},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["label"] == "北部 60代男性 A（北村さん）"
    assert body["area_name"] == "テスト市全域"
    assert body["known_facts"] == "母が入院"
    assert body["informant_name"] == "民生委員 佐藤"  # not sent: unchanged
    event = AuditEvent.objects.filter(action="outreach.update").latest("seq")
    assert "label" in event.changes
    cleared = patch(client, f"/outreach/records/{record.pk}", {"area_id": None})
    assert cleared.json()["area_id"] is None
    assert patch(client, f"/outreach/records/{record.pk}", {"label": None}).status_code == 422
    blank = patch(client, f"/outreach/records/{record.pk}", {"label": " "})
    assert (blank.status_code, errors_of(blank)) == (422, {"label": ["呼び名を入力してください。"]})
    bad_band = patch(client, f"/outreach/records/{record.pk}", {"age_band": "x"})
    assert "age_band" in errors_of(bad_band)
    unknown = patch(client, f"/outreach/records/{record.pk}", {"area_id": 999999})
    assert "area_id" in errors_of(unknown)


def test_the_program_office_sees_and_works_every_record(login, personas, record):
    client = login(personas["officer"])
    detail = get(client, f"/outreach/records/{record.pk}").json()
    assert (detail["materials_only"], detail["may_work"]) == (False, True)
    assert detail["informant_name"] == "民生委員 佐藤"
    moved = post(
        client,
        f"/outreach/records/{record.pk}/stage",
        {"stage": "preparation", "occurred_on": days_ago(1)},
    )
    assert moved.status_code == 200, moved.json()


# --- 404 for those who may not see the record, on every record endpoint ----------------------


def record_routes(record, plan):
    r = f"/outreach/records/{record.pk}"
    return [
        ("get", r, None),
        ("patch", r, {"label": "x"}),
        ("post", f"{r}/person", {"person_id": 1}),
        ("post", f"{r}/stage", {"stage": "preparation", "occurred_on": days_ago(1)}),
        ("post", f"{r}/consent", {"consented_on": days_ago(1), "consent_method": "signed"}),
        ("get", f"{r}/contacts", None),
        ("post", f"{r}/contacts", {"occurred_on": days_ago(1), "method": "phone"}),
        ("post", f"{r}/urgent", {"note": "x"}),
        ("post", f"{r}/urgent/clear", {}),
        ("get", f"{r}/plans", None),
        ("post", f"{r}/plans", {"approach": "x"}),
        ("post", f"/outreach/plans/{plan.pk}/meeting", {"meeting_id": 1}),
        ("post", f"{r}/handover", {"to_agency_id": 1}),
        ("post", f"{r}/close", {"closure_reason": "moved", "closed_on": days_ago(1)}),
        ("post", f"{r}/reopen", {"reason": "x"}),
    ]


def call(client, method, route, body):
    if method == "get":
        return get(client, route)
    if method == "patch":
        return patch(client, route, body)
    return post(client, route, body)


@pytest.mark.parametrize(
    "name", ["unrelated", "admin", "guest", "desk", "coordinator", "participation", "community"]
)
def test_who_may_not_see_the_record_gets_404_on_every_endpoint(login, personas, record, plan, name):
    client = login(personas[name])
    for method, route, body in record_routes(record, plan):
        response = call(client, method, route, body)
        assert response.status_code == 404, (method, route, response.content)
        assert response.json() == {"detail": "見つかりません。"}
    assert OutreachRecord.objects.get(pk=record.pk).stage == "gathering"
    assert not OutreachContact.objects.exists()


def test_unrelated_gets_404_even_on_a_record_whose_plan_is_in_a_meeting(
    login, personas, record, plan, confidential
):
    services.plan_to_meeting(by=personas["outreach"].user, plan=plan, meeting=confidential)
    client = login(personas["unrelated"])
    for method, route, body in record_routes(record, plan):
        assert call(client, method, route, body).status_code == 404, (method, route)


def test_a_missing_record_is_404(login, personas):
    client = login(personas["outreach"])
    assert get(client, "/outreach/records/999999").status_code == 404
    assert post(client, "/outreach/records/999999/urgent", {"note": "x"}).status_code == 404
    assert post(client, "/outreach/plans/999999/meeting", {"meeting_id": 1}).status_code == 404


# --- the person --------------------------------------------------------------------------


def test_link_person(login, personas, record, person):
    client = login(personas["outreach"])
    missing = post(client, f"/outreach/records/{record.pk}/person", {})
    assert (missing.status_code, errors_of(missing)) == (
        422,
        {"person_id": ["本人を選んでください。"]},
    )
    hidden = people_services.person_create(
        by=personas["desk"].user, name="山田 タロウ", name_kana="ヤマダ タロウ"
    )
    refused = post(client, f"/outreach/records/{record.pk}/person", {"person_id": hidden.pk})
    assert refused.status_code == 404
    linked = post(client, f"/outreach/records/{record.pk}/person", {"person_id": person.pk})
    assert linked.status_code == 200, linked.json()
    body = linked.json()
    assert (body["person_id"], body["person_name"]) == (person.pk, "北村 ジロウ")
    assert body["events"][-1]["kind_label"] == "本人の特定"
    event = AuditEvent.objects.filter(action="outreach.link_person").latest("seq")
    assert event.person_ids == [person.pk]
    another = people_services.person_create(
        by=personas["outreach"].user, name="北村 サブロウ", name_kana="キタムラ サブロウ"
    )
    conflict = post(client, f"/outreach/records/{record.pk}/person", {"person_id": another.pk})
    assert conflict.status_code == 409
    assert "person_id" in errors_of(conflict)


# --- stage ---------------------------------------------------------------------------------


def test_stage_moves_forward_and_back_with_date_and_reason(login, personas, record):
    client = login(personas["outreach"])
    route = f"/outreach/records/{record.pk}/stage"
    forward = post(client, route, {"stage": "home_visit", "occurred_on": wareki_days_ago(3)})
    assert forward.status_code == 200, forward.json()
    body = forward.json()
    assert (body["stage"], body["stage_label"]) == ("home_visit", "④家庭訪問")
    last = body["events"][-1]
    assert (last["from_stage_label"], last["to_stage_label"]) == ("①情報収集", "④家庭訪問")
    assert last["occurred_on"] == days_ago(3)
    assert last["goes_back"] is False
    back_without_reason = post(client, route, {"stage": "preparation", "occurred_on": days_ago(1)})
    assert back_without_reason.status_code == 422
    assert errors_of(back_without_reason) == {
        "reason": ["段階を戻すときは、理由を入力してください。"]
    }
    back = post(
        client,
        route,
        {"stage": "preparation", "occurred_on": days_ago(1), "reason": "訪問を拒まれた"},
    )
    assert back.status_code == 200
    assert back.json()["events"][-1]["goes_back"] is True
    assert AuditEvent.objects.filter(action="outreach.stage").count() == 2


def test_stage_refusals(login, personas, record):
    client = login(personas["outreach"])
    route = f"/outreach/records/{record.pk}/stage"
    no_date = post(client, route, {"stage": "preparation"})
    assert (no_date.status_code, errors_of(no_date)) == (
        422,
        {"occurred_on": ["日付を入力してください。"]},
    )
    future = post(
        client,
        route,
        {
            "stage": "preparation",
            "occurred_on": (timezone.localdate() + datetime.timedelta(1)).isoformat(),
        },
    )
    assert errors_of(future) == {"occurred_on": ["日付に未来の日付は指定できません。"]}
    before = post(client, route, {"stage": "preparation", "occurred_on": days_ago(61)})
    assert errors_of(before) == {"occurred_on": ["日付は開始日より前にはできません。"]}
    unknown = post(client, route, {"stage": "x", "occurred_on": days_ago(1)})
    assert errors_of(unknown) == {"stage": ["段階を選択肢から選んでください。"]}
    same = post(client, route, {"stage": "gathering", "occurred_on": days_ago(1)})
    assert same.status_code == 409
    assert errors_of(same) == {"stage": ["既に「①情報収集」の段階です。"]}
    assert not AuditEvent.objects.filter(action="outreach.stage").exists()


def test_a_worker_of_the_agency_without_the_outreach_role_gets_403(login, personas, record):
    from conftest import make_persona
    from tsunagu.accounts.models import Role

    desk_of_csw = make_persona("csw_desk", personas["outreach"].agency, Role.DESK_WORKER)
    client = login(desk_of_csw)
    detail = get(client, f"/outreach/records/{record.pk}")
    assert detail.status_code == 200
    assert detail.json()["may_work"] is False
    refused = post(
        client,
        f"/outreach/records/{record.pk}/stage",
        {"stage": "preparation", "occurred_on": days_ago(1)},
    )
    assert refused.status_code == 403
    assert "アウトリーチ実施機関の支援員" in refused.json()["detail"]
    assert get(client, "/outreach/records").status_code == 403


# --- consent --------------------------------------------------------------------------------


def test_consent_needs_an_identified_person(login, personas, record):
    """A rule of the record's state (no person linked yet), not of the request body: 409."""
    response = post(
        login(personas["outreach"]),
        f"/outreach/records/{record.pk}/consent",
        {"consented_on": days_ago(1), "consent_method": "signed"},
    )
    assert response.status_code == 409
    assert "先に本人を特定" in response.json()["detail"]
    assert "consented_on" in errors_of(response)
    assert OutreachRecord.objects.get(pk=record.pk).consented_on is None


def test_consent_recorded(login, personas, record, person):
    client = login(personas["outreach"])
    services.record_link_person(by=personas["outreach"].user, record=record, person=person)
    route = f"/outreach/records/{record.pk}/consent"
    missing = post(client, route, {})
    assert missing.status_code == 422
    assert set(errors_of(missing)) == {"consented_on", "consent_method"}
    future = post(
        client,
        route,
        {
            "consented_on": (timezone.localdate() + datetime.timedelta(1)).isoformat(),
            "consent_method": "signed",
        },
    )
    assert errors_of(future) == {"consented_on": ["同意の日に未来の日付は指定できません。"]}
    response = post(
        client,
        route,
        {"consented_on": wareki_days_ago(2), "consent_method": "oral", "consent_note": "立会：母"},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["consent"], body["consent_label"]) == ("after", "同意後")
    assert body["consented_on_wareki"] == wareki_days_ago(2)
    assert body["consent_method_label"] == "口頭（記録者・立会人あり）"
    assert body["consent_note"] == "立会：母"
    assert AuditEvent.objects.filter(action="outreach.consent").exists()
    again = post(client, route, {"consented_on": days_ago(1), "consent_method": "signed"})
    assert again.status_code == 409


# --- contacts -------------------------------------------------------------------------------


def test_contacts_recorded_and_listed(login, personas, record):
    client = login(personas["outreach"])
    route = f"/outreach/records/{record.pk}/contacts"
    letter = post(
        client,
        route,
        {
            "occurred_on": wareki_days_ago(20),
            "method": "letter",
            "staff": "CSW 田中",
            "summary": "手紙をポストに入れた",
        },
    )
    assert letter.status_code == 201, letter.json()
    assert letter.json()["method_label"] == "手紙を置いた・送った"
    assert letter.json()["occurred_on"] == days_ago(20)
    met = post(
        client,
        route,
        {
            "occurred_on": days_ago(5),
            "method": "visit_met",
            "staff": "CSW 田中",
            "summary": "玄関先で5分話せた",
            "next_action": "再訪問",
            "next_action_on": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
        },
    )
    assert met.status_code == 201
    assert met.json()["reached_person"] is True
    assert met.json()["agency_name"] == personas["outreach"].agency.name
    detail = get(client, f"/outreach/records/{record.pk}").json()
    assert detail["last_contact_on"] == days_ago(5)
    assert detail["first_met_on"] == days_ago(5)
    assert detail["next_action"] == "再訪問"
    assert detail["contact_count"] == 2
    assert [c["method"] for c in detail["recent_contacts"]] == ["visit_met", "letter"]
    listed = get(client, route).json()
    assert listed["count"] == 2
    assert [c["summary"] for c in listed["items"]] == ["玄関先で5分話せた", "手紙をポストに入れた"]
    read = AuditEvent.objects.filter(action="outreach.contact_list").latest("seq")
    assert read.context["contacts"] == [c["id"] for c in listed["items"]]
    assert AuditEvent.objects.filter(action="outreach.contact").count() == 2


def test_contact_refusals(login, personas, record):
    client = login(personas["outreach"])
    route = f"/outreach/records/{record.pk}/contacts"
    base = {"method": "phone", "staff": "CSW 田中", "summary": "電話に出なかった"}
    future = post(
        client,
        route,
        {**base, "occurred_on": (timezone.localdate() + datetime.timedelta(1)).isoformat()},
    )
    assert future.status_code == 422
    assert errors_of(future) == {"occurred_on": ["実施日に未来の日付は指定できません。"]}
    before = post(client, route, {**base, "occurred_on": days_ago(61)})
    assert errors_of(before) == {"occurred_on": ["実施日は開始日より前にはできません。"]}
    empty = post(client, route, {})
    assert set(errors_of(empty)) >= {"occurred_on", "method", "staff", "summary"}
    not_met = post(
        client,
        route,
        {**base, "method": "visit_not_met", "occurred_on": days_ago(1), "reached_person": True},
    )
    assert "reached_person" in errors_of(not_met)
    bad_date = post(client, route, {**base, "occurred_on": "令和百年"})
    assert "occurred_on" in errors_of(bad_date)
    assert not OutreachContact.objects.exists()


# --- urgency ----------------------------------------------------------------------------------


def test_urgent_set_and_cleared(login, personas, record):
    client = login(personas["outreach"])
    route = f"/outreach/records/{record.pk}/urgent"
    missing = post(client, route, {})
    assert missing.status_code == 422
    assert list(errors_of(missing)) == ["note"]
    marked = post(client, route, {"note": "12/5 22時 警察へ通報"})
    assert marked.status_code == 200
    assert (marked.json()["is_urgent"], marked.json()["urgent_note"]) == (
        True,
        "12/5 22時 警察へ通報",
    )
    assert marked.json()["urgent_since"] is not None
    cleared = post(client, f"{route}/clear", {"note": "入院で安全を確認"})
    assert cleared.status_code == 200
    assert cleared.json()["is_urgent"] is False
    assert [e["kind"] for e in cleared.json()["events"]][-2:] == ["urgent", "urgent_cleared"]
    again = post(client, f"{route}/clear")
    assert again.status_code == 409
    assert again.json()["detail"] == "この対象は緊急になっていません。"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"outreach.urgent", "outreach.urgent_clear"} <= actions


# --- plans and meetings ----------------------------------------------------------------------


def test_plans_versioned(login, personas, record):
    client = login(personas["outreach"])
    route = f"/outreach/records/{record.pk}/plans"
    missing = post(client, route, {"goals": "x"})
    assert missing.status_code == 422
    assert list(errors_of(missing)) == ["approach"]
    first = post(client, route, {"approach": "母親の介護から", "risks": "自傷の恐れ"})
    assert first.status_code == 201, first.json()
    assert (first.json()["version"], first.json()["status_label"]) == (1, "作成中")
    second = post(client, route, {"approach": "趣味の釣りから"})
    assert second.json()["version"] == 2
    listed = get(client, route).json()
    assert [p["version"] for p in listed] == [2, 1]
    assert AuditEvent.objects.filter(action="outreach.plan_list").exists()
    assert AuditEvent.objects.filter(action="outreach.plan_create").count() == 2


def test_before_consent_a_plan_goes_only_to_a_confidential_meeting(
    login, personas, record, plan, confidential, conference
):
    client = login(personas["outreach"])
    route = f"/outreach/plans/{plan.pk}/meeting"
    missing = post(client, route, {})
    assert (missing.status_code, list(errors_of(missing))) == (422, ["meeting_id"])
    wrong = post(client, route, {"meeting_id": conference.pk})
    assert wrong.status_code == 409
    assert wrong.json() == {
        "detail": BEFORE_CONSENT_MEETING,
        "errors": {"meeting_id": [BEFORE_CONSENT_MEETING]},
    }
    assert not conference.agenda.exists()
    placed = post(client, route, {"meeting_id": confidential.pk})
    assert placed.status_code == 201, placed.json()
    body = placed.json()
    assert (body["status"], body["status_label"]) == ("in_meeting", "会議で協議中")
    assert body["meeting_id"] == confidential.pk
    assert body["meeting_kind_label"] == "支援会議（社会福祉法第106条の6）"
    assert body["with_consent"] is False
    assert AuditEvent.objects.filter(action="outreach.plan_to_meeting").exists()
    # while it is in the meeting: no new version, not on another agenda
    busy = post(client, f"/outreach/records/{record.pk}/plans", {"approach": "別の切口"})
    assert busy.status_code == 409
    twice = post(client, route, {"meeting_id": confidential.pk})
    assert twice.status_code == 409


def test_after_consent_a_plan_goes_only_to_a_conference(
    login, personas, consented, confidential, conference
):
    plan = services.plan_create(
        by=personas["outreach"].user, record=consented, approach="同行支援で受診へ"
    )
    client = login(personas["outreach"])
    route = f"/outreach/plans/{plan.pk}/meeting"
    wrong = post(client, route, {"meeting_id": confidential.pk})
    assert wrong.status_code == 409
    assert errors_of(wrong) == {"meeting_id": [AFTER_CONSENT_MEETING]}
    placed = post(client, route, {"meeting_id": conference.pk})
    assert placed.status_code == 201
    assert placed.json()["with_consent"] is True
    assert placed.json()["meeting_kind"] == "conference"


def test_a_meeting_the_worker_may_not_see_is_404(login, personas, plan):
    elsewhere = make_meeting(personas, "confidential_meeting", "支援会議（他）")
    response = post(
        login(personas["outreach"]),
        f"/outreach/plans/{plan.pk}/meeting",
        {"meeting_id": elsewhere.pk},
    )
    assert response.status_code == 404
    assert not elsewhere.agenda.exists()


# --- the meeting member's materials view -------------------------------------------------------


@pytest.fixture
def on_agenda(personas, record, confidential):
    """Two plan versions; the second is on the 支援会議's agenda."""
    user = personas["outreach"].user
    services.contact_record(
        by=user,
        record=record,
        occurred_on=timezone.localdate() - datetime.timedelta(days=3),
        method="letter",
        staff="CSW 田中",
        summary="手紙を置いた",
    )
    first = services.plan_create(by=user, record=record, approach="第1版の切口")
    second = services.plan_create(by=user, record=record, approach="第2版の切口")
    services.plan_to_meeting(by=user, plan=second, meeting=confidential)
    return first, second


def test_a_pledged_member_sees_the_record_as_materials(login, personas, record, on_agenda):
    first, second = on_agenda
    client = login(personas["coordinator"])
    response = get(client, f"/outreach/records/{record.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["materials_only"], body["may_work"]) == (True, False)
    assert body["label"] == "北部 60代男性 A"
    assert body["known_facts"] == "雨戸が閉まったまま。新聞がたまっている。"
    assert body["stage_label"] == "①情報収集"
    assert body["informant_name"] is None
    assert body["informant_contact"] is None
    assert body["address"] is None  # as on the web's materials page
    assert "北町3丁目" not in response.content.decode()
    assert body["events"] == []
    assert body["recent_contacts"] == []
    assert body["contact_count"] is None
    assert [p["id"] for p in body["plans"]] == [second.pk]
    assert "民生委員 佐藤" not in response.content.decode()
    assert [p["id"] for p in get(client, f"/outreach/records/{record.pk}/plans").json()] == [
        second.pk
    ]
    read = AuditEvent.objects.filter(action="outreach.view").latest("seq")
    assert read.actor_username == "coordinator"
    assert read.context["materials_only"] is True
    # no contacts, no steps
    contacts = get(client, f"/outreach/records/{record.pk}/contacts")
    assert contacts.status_code == 403
    stage = post(
        client,
        f"/outreach/records/{record.pk}/stage",
        {"stage": "preparation", "occurred_on": days_ago(1)},
    )
    assert stage.status_code == 403
    # a version not on the agenda is not there for the member
    hidden = post(client, f"/outreach/plans/{first.pk}/meeting", {"meeting_id": 1})
    assert hidden.status_code == 404
    on_it = post(client, f"/outreach/plans/{second.pk}/meeting", {"meeting_id": 1})
    assert on_it.status_code == 403
    # not in the caseload: the caseload is the outreach agency's
    assert get(client, "/outreach/records").status_code == 403


def test_an_unpledged_member_of_the_confidential_meeting_gets_404(
    login, personas, record, on_agenda
):
    client = login(personas["desk"])
    assert get(client, f"/outreach/records/{record.pk}").status_code == 404
    assert get(client, f"/outreach/records/{record.pk}/plans").status_code == 404
    MeetingMember.objects.filter(user=personas["desk"].user).update(pledged_at=timezone.now())
    assert get(client, f"/outreach/records/{record.pk}").json()["materials_only"] is True


def test_a_pledged_guest_sees_the_materials_until_the_item_is_withdrawn(
    login, personas, record, on_agenda, confidential
):
    add_member(confidential, personas["guest"], pledged=True, is_guest=True)
    client = login(personas["guest"])
    body = get(client, f"/outreach/records/{record.pk}").json()
    assert body["materials_only"] is True
    assert body["informant_name"] is None
    assert body["person_name"] is None
    assert post(client, f"/outreach/records/{record.pk}/urgent", {"note": "x"}).status_code == 403
    confidential.agenda.update(is_withdrawn=True)
    assert get(client, f"/outreach/records/{record.pk}").status_code == 404


# --- hand-over, closure, reopening -------------------------------------------------------------


@pytest.fixture
def coordinator_agency(agencies):
    AgencyProgram.objects.create(
        agency=agencies["council"], program="multi_agency", is_mandatory=True
    )
    return agencies["council"]


def handover_body(agency, **overrides):
    return {
        "to_agency_id": agency.pk,
        "reason": "母子ともに支援が必要",
        "tried_with_agencies": "地域包括・保健センターと訪問したが進まない",
        "criterion_household": True,
        "categories": ["hikikomori"],
        **overrides,
    }


def test_handover_before_consent_is_409(login, personas, record, coordinator_agency):
    response = post(
        login(personas["outreach"]),
        f"/outreach/records/{record.pk}/handover",
        handover_body(coordinator_agency),
    )
    assert response.status_code == 409
    assert "同意" in response.json()["detail"]
    assert not Referral.objects.exists()


def test_handover_after_consent(login, personas, consented, coordinator_agency, agencies):
    client = login(personas["outreach"])
    route = f"/outreach/records/{consented.pk}/handover"
    no_agency = post(client, route, handover_body(coordinator_agency, to_agency_id=None))
    assert list(errors_of(no_agency)) == ["to_agency_id"]
    unknown = post(client, route, handover_body(coordinator_agency, categories=["nonexistent"]))
    assert unknown.status_code == 422
    assert list(errors_of(unknown)) == ["categories"]
    no_category = post(client, route, handover_body(coordinator_agency, categories=[]))
    assert list(errors_of(no_category)) == ["categories"]
    no_criteria = post(client, route, handover_body(coordinator_agency, criterion_household=False))
    assert no_criteria.status_code == 422
    assert "criteria" in errors_of(no_criteria)
    not_multi = post(client, route, handover_body(agencies["housing"]))
    assert not_multi.status_code == 422
    assert "to_agency_id" in errors_of(not_multi)
    assert not Referral.objects.exists()
    response = post(client, route, handover_body(coordinator_agency))
    assert response.status_code == 201, response.json()
    referral = Referral.objects.get()
    assert response.json()["handover_referral_id"] == referral.pk
    assert response.json()["is_closed"] is False  # the record stays open beside the case
    assert (referral.kind, referral.to_agency) == (ReferralKind.MULTI_AGENCY, coordinator_agency)
    assert referral.person_id == consented.person_id
    assert AuditEvent.objects.filter(action="outreach.handover").exists()
    again = post(client, route, handover_body(coordinator_agency))
    assert again.status_code == 409
    assert Referral.objects.count() == 1


def test_close_and_reopen(login, personas, record, agencies):
    client = login(personas["outreach"])
    r = f"/outreach/records/{record.pk}"
    no_agency = post(
        client, f"{r}/close", {"closed_on": days_ago(1), "closure_reason": "connected"}
    )
    assert no_agency.status_code == 422
    assert errors_of(no_agency) == {"connected_agency_id": ["つながった機関を選んでください。"]}
    no_note = post(client, f"{r}/close", {"closed_on": days_ago(1), "closure_reason": "refused"})
    assert list(errors_of(no_note)) == ["closure_note"]
    no_date = post(client, f"{r}/close", {"closure_reason": "moved"})
    assert list(errors_of(no_date)) == ["closed_on"]
    not_ours = post(
        client,
        f"{r}/close",
        {"closed_on": days_ago(1), "closure_reason": "connected", "connected_referral_id": 99999},
    )
    assert list(errors_of(not_ours)) == ["connected_referral_id"]
    closed = post(
        client,
        f"{r}/close",
        {
            "closed_on": wareki_days_ago(1),
            "closure_reason": "connected",
            "connected_agency_id": agencies["houkatsu"].pk,
        },
    )
    assert closed.status_code == 200, closed.json()
    body = closed.json()
    assert (body["is_closed"], body["closed_on"]) == (True, days_ago(1))
    assert body["closure_reason_label"] == "適切な機関につながった"
    assert body["connected_agency_name"] == agencies["houkatsu"].name
    assert body["connected_referral_id"] is None
    # a closed record takes no stage, contact or plan
    for route, data in (
        (f"{r}/stage", {"stage": "preparation", "occurred_on": days_ago(1)}),
        (
            f"{r}/contacts",
            {"occurred_on": days_ago(1), "method": "phone", "staff": "x", "summary": "x"},
        ),
        (f"{r}/plans", {"approach": "x"}),
    ):
        response = post(client, route, data)
        assert response.status_code == 409, route
        assert "再開" in response.json()["detail"]
    assert get(client, "/outreach/records").json()["count"] == 0
    assert get(client, "/outreach/records", {"state": "closed"}).json()["count"] == 1
    assert post(client, f"{r}/reopen", {}).status_code == 422
    reopened = post(client, f"{r}/reopen", {"reason": "再び引きこもっていると連絡"})
    assert reopened.status_code == 200
    assert reopened.json()["is_closed"] is False
    assert [e["kind"] for e in reopened.json()["events"]][-2:] == ["closed", "reopened"]
    assert post(client, f"{r}/reopen", {"reason": "x"}).status_code == 409
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"outreach.close", "outreach.reopen"} <= actions


# --- the OpenAPI schema -------------------------------------------------------------------------


def test_openapi_documents_every_outreach_operation(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    operations = [
        (f"{method.upper()} {path}", operation)
        for path, methods in paths.items()
        if path.startswith(f"{API}/outreach/")
        for method, operation in methods.items()
    ]
    assert len(operations) == 18
    for name, operation in operations:
        assert operation["tags"] == ["アウトリーチ"], name
        assert operation["summary"], name
        assert operation.get("description"), name  # the Japanese docstring
    assert "/api/v1/outreach/plans/{plan_id}/meeting" in paths


def test_openapi_components_of_the_outreach_api_are_its_own(client):
    """A component is named after its schema class: the outreach answers and bodies take
    names no other API uses (``PlanOut`` and ``ConsentIn`` are the 多機関協働 API's)."""
    schema = client.get(f"{API}/openapi.json").json()
    text = json.dumps(
        {path: ops for path, ops in schema["paths"].items() if path.startswith(f"{API}/outreach/")}
    )
    refs = set(re.findall(r"#/components/schemas/(\w+)", text))
    shared = {"ErrorOut", "InvalidOut", "RuleBrokenOut"}
    assert refs - shared
    assert all(ref.startswith(("Outreach", "PagedOutreach")) for ref in refs - shared), refs
    components = schema["components"]["schemas"]
    assert "approach" in components["OutreachPlanOut"]["properties"]
    assert "approach" not in components["PlanOut"]["properties"]
