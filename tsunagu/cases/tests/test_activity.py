"""支援経過記録: who records on which case (team, coordinating agency, program office; after
closure the lead agency), the input rules, the coordinator seeing other agencies' entries
(case page, dashboard, log), both screens and the API for every persona, and the audit."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import PERSONA_NAMES
from tsunagu.audit.models import AuditEvent
from tsunagu.cases import permissions as case_permissions
from tsunagu.cases import services
from tsunagu.cases.models import Activity, Case, CaseStatus, CaseTeamMember
from tsunagu.cases.selectors import activity as activity_selectors
from tsunagu.cases.services import activity as activity_services
from tsunagu.cases.tests.conftest import give_consent

pytestmark = pytest.mark.django_db

API = "/api/v1"
NOT_FOUND = {"detail": "見つかりません。"}
FORBIDDEN = {"detail": "この操作を行う権限がありません。"}

# persona → what the log of ``case`` (coordinated by the 社協 of ``coordinator``, referred
# by the 地域包括 of ``desk``, both on the team) answers: "record" reads and records.
ACCESS = {
    "officer": "record",
    "coordinator": "record",
    "desk": "record",
    "participation": "record",  # the coordinating agency's staff
    "outreach": 404,
    "community": 404,
    "unrelated": 404,
    "guest": 403,
    "admin": 403,
}


def today() -> datetime.date:
    return timezone.localdate()


def _record(personas, case, who="desk", **overrides) -> Activity:
    arguments = {
        "occurred_on": today(),
        "kind": "visit",
        "summary": "自宅を訪問。母は元気そうだが、長男は自室から出てこなかった。",
    }
    arguments.update(overrides)
    return activity_services.activity_record(by=personas[who].user, case=case, **arguments)


def _leave_team(case, agency):
    CaseTeamMember.objects.filter(case=case, agency=agency).update(left_on=today())


def _close(case, lead_agency):
    """The case as a closure decision leaves it: closed, with a lead agency on the team."""
    CaseTeamMember.objects.create(case=case, agency=lead_agency, role="主担当", joined_on=today())
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSED, closed_on=today(), lead_agency_after_closure=lead_agency
    )
    case.refresh_from_db()
    return case


def url(name, case):
    return reverse(f"cases:{name}", args=[case.pk])


def html(response) -> str:
    return response.content.decode()


def api_get(client, path, params=None):
    return client.get(f"{API}{path}", params or {})


def api_post(client, path, body=None):
    return client.post(f"{API}{path}", data=json.dumps(body or {}), content_type="application/json")


def body(**overrides):
    data = {
        "occurred_on": today().isoformat(),
        "kind": "call",
        "summary": "長男に電話。応答なし。",
        "is_contact_attempt": True,
        "reached_person": False,
    }
    data.update(overrides)
    return data


# ----------------------------------------------------------------------------- service


@pytest.mark.parametrize("name", [n for n, a in ACCESS.items() if a == "record"])
def test_each_agency_that_may_record_records_for_itself(personas, case, name):
    entry = _record(personas, case, who=name, kind="accompany", summary="  病院に同行した。  ")
    entry.refresh_from_db()
    assert entry.agency == personas[name].agency
    assert entry.recorded_by == personas[name].user
    assert (entry.kind, entry.summary, entry.occurred_on) == (
        "accompany",
        "病院に同行した。",
        today(),
    )
    # the coordinating agency's own entries need no notice; every other agency's do
    own = personas[name].agency == case.coordinating_agency
    assert (entry.seen_by_coordinator_at is not None) == own


def test_an_agency_off_the_team_may_not_record(personas, case, agencies):
    _leave_team(case, agencies["houkatsu"])
    # the desk still sees the case (it referred it) but is no longer on its team
    assert Case.objects.filter(pk=case.pk).exists()
    assert not case_permissions.may_record_activity(personas["desk"].user, case)
    with pytest.raises(PermissionDenied, match="支援チームの機関"):
        _record(personas, case, who="desk")
    with pytest.raises(PermissionDenied, match="閲覧できません"):
        _record(personas, case, who="outreach")
    services.team_add(by=personas["coordinator"].user, case=case, agency=agencies["csw"])
    assert _record(personas, case, who="outreach").agency == agencies["csw"]
    assert Activity.objects.count() == 1


@pytest.mark.parametrize("name", ["guest", "admin", "unrelated", "community"])
def test_others_may_not_record(personas, case, name):
    with pytest.raises(PermissionDenied):
        _record(personas, case, who=name)
    assert not Activity.objects.exists()
    assert not AuditEvent.objects.filter(action="activity.record").exists()


def test_closed_case_only_lead_agency_and_coordinating_agency_record(personas, case, agencies):
    _close(case, agencies["csw"])
    for name in ("desk", "officer"):
        assert not case_permissions.may_record_activity(personas[name].user, case), name
        with pytest.raises(PermissionDenied, match="終結後の主担当機関"):
            _record(personas, case, who=name)
    assert _record(personas, case, who="outreach").agency == agencies["csw"]
    assert _record(personas, case, who="coordinator").agency == agencies["council"]
    assert Activity.objects.count() == 2


def test_the_stored_status_decides_not_a_stale_copy(personas, case, agencies):
    stale = Case.objects.get(pk=case.pk)
    _close(case, agencies["csw"])
    with pytest.raises(PermissionDenied):
        _record(personas, stale, who="desk")
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"occurred_on": None}, "occurred_on", "実施日を入力してください。"),
        (
            {"occurred_on": datetime.date.today() + datetime.timedelta(days=2)},
            "occurred_on",
            "実施日に未来の日付は指定できません。",
        ),
        ({"summary": "   "}, "summary", "内容を入力してください。"),
        ({"summary": "あ" * 4001}, "summary", "内容は4000文字以内で入力してください。"),
        ({"kind": "gossip"}, "kind", "種別を選択肢から選んでください。"),
        ({"kind": ""}, "kind", "種別を選択肢から選んでください。"),
        (
            {"reached_person": True},
            "reached_person",
            "「本人と連絡が取れた」は、本人への連絡の試みとして記録する場合に選んでください。",
        ),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(personas, case, overrides, field, message):
    with pytest.raises(ValidationError) as caught:
        _record(personas, case, **overrides)
    assert caught.value.message_dict[field] == [message]
    assert not Activity.objects.exists()
    assert not AuditEvent.objects.filter(action="activity.record").exists()


def test_permission_is_checked_before_input(personas, case):
    with pytest.raises(PermissionDenied):
        _record(personas, case, who="unrelated", summary="")


def test_record_is_audited(personas, case, household_8050):
    entry = _record(personas, case, is_contact_attempt=True, reached_person=True)
    event = AuditEvent.objects.get(action="activity.record")
    assert event.actor_id == personas["desk"].user.pk
    assert event.acting_agency_id == personas["desk"].agency.pk
    assert (event.target_type, event.target_id) == ("cases.activity", str(entry.pk))
    assert event.person_ids == sorted([household_8050["mother"].pk, household_8050["son"].pk])
    assert event.context == {"case": case.pk, "kind": "visit"}
    assert event.changes["summary"]["after"] == entry.summary
    assert event.changes["reached_person"]["after"] is True


def test_only_the_coordinator_marks_entries_seen(personas, case, agencies):
    desk_entries = [_record(personas, case), _record(personas, case, kind="call")]
    own = _record(personas, case, who="coordinator")
    assert activity_selectors.unseen_count(case) == 2
    # the program office and the desk look, but it is the coordinator who must take notice
    assert activity_services.activity_mark_seen(by=personas["officer"].user, case=case) == []
    assert activity_services.activity_mark_seen(by=personas["desk"].user, case=case) == []
    assert activity_selectors.unseen_count(case) == 2
    marked = activity_services.activity_mark_seen(by=personas["coordinator"].user, case=case)
    assert sorted(marked) == sorted(e.pk for e in desk_entries)
    assert activity_selectors.unseen_count(case) == 0
    own_seen_at = Activity.objects.get(pk=own.pk).seen_by_coordinator_at
    assert activity_services.activity_mark_seen(by=personas["coordinator"].user, case=case) == []
    assert Activity.objects.get(pk=own.pk).seen_by_coordinator_at == own_seen_at


def test_contact_attempts_in_the_order_made(personas, case):
    later = _record(personas, case, kind="call", is_contact_attempt=True)
    _record(personas, case, kind="information")
    earlier = _record(
        personas,
        case,
        kind="letter",
        occurred_on=today() - datetime.timedelta(days=7),
        is_contact_attempt=True,
        reached_person=True,
    )
    attempts = activity_selectors.contact_attempts(case)
    assert [a.pk for a in attempts] == [earlier.pk, later.pk]
    assert [a.pk for a in attempts.filter(reached_person=True)] == [earlier.pk]


# ------------------------------------------------------------------------------- views


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_pages_answer_each_persona(login, personas, case, name):
    _record(personas, case, summary="地域包括が訪問した記録")
    client = login(personas[name])
    expected = 200 if ACCESS[name] == "record" else ACCESS[name]
    response = client.get(url("activity_list", case))
    assert response.status_code == expected, name
    if expected == 200:
        assert "地域包括が訪問した記録" in html(response)
        assert response.headers["Cache-Control"].startswith("max-age=0")
        assert 'data-testid="activity-create-link"' in html(response)
    assert client.get(url("activity_create", case)).status_code == expected, name
    response = client.post(
        url("activity_create", case),
        {"occurred_on": today().isoformat(), "kind": "call", "summary": f"{name}の電話"},
    )
    assert response.status_code == (302 if expected == 200 else expected), name
    assert Activity.objects.count() == (2 if expected == 200 else 1)


def test_anonymous_is_sent_to_sign_in(client, case):
    for name in ("activity_list", "activity_create"):
        response = client.get(url(name, case))
        assert response.status_code == 302 and "login" in response["Location"]


def test_a_visible_case_off_the_team_reads_but_does_not_record(login, personas, case, agencies):
    give_consent(personas, case, agencies["houkatsu"])
    _record(personas, case, who="coordinator", summary="社協の面談記録")
    _leave_team(case, agencies["houkatsu"])
    client = login(personas["desk"])
    response = client.get(url("activity_list", case))
    assert response.status_code == 200
    assert "社協の面談記録" in html(response)
    assert 'data-testid="activity-create-link"' not in html(response)
    assert client.get(url("activity_create", case)).status_code == 403
    response = client.post(
        url("activity_create", case), {"occurred_on": "R8.11.1", "kind": "call", "summary": "x"}
    )
    assert response.status_code == 403
    assert Activity.objects.count() == 1
    detail = html(client.get(url("case_detail", case)))
    assert "社協の面談記録" in detail
    assert 'data-testid="activity-create-link"' not in detail


def test_closed_case_form_for_the_lead_agency_only(login, personas, case, agencies):
    _close(case, agencies["csw"])
    assert login(personas["desk"]).get(url("activity_create", case)).status_code == 403
    client = login(personas["outreach"])
    assert client.get(url("activity_create", case)).status_code == 200
    response = client.post(
        url("activity_create", case),
        {"occurred_on": today().isoformat(), "kind": "visit", "summary": "終結後の見守り訪問"},
    )
    assert response.status_code == 302
    assert Activity.objects.get().agency == agencies["csw"]


def test_form_records_and_redirects_to_the_log(login, personas, case):
    client = login(personas["desk"])
    form = client.get(url("activity_create", case))
    assert 'data-testid="activity-acting-agency">地域包括支援センター中央' in html(form)
    response = client.post(
        url("activity_create", case),
        {
            "occurred_on": "令和8年11月20日",
            "kind": "call",
            "summary": "長男に電話したが出なかった。",
            "is_contact_attempt": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("activity_list", case)
    entry = Activity.objects.get()
    assert entry.occurred_on == datetime.date(2026, 11, 20)
    assert (entry.is_contact_attempt, entry.reached_person) == (True, False)
    page = html(client.get(response["Location"]))
    assert "支援経過を記録しました。" in page
    assert "連絡の試み・連絡が取れず" in page


def test_bad_form_input_explains_and_changes_nothing(login, personas, case):
    client = login(personas["desk"])
    tomorrow = today() + datetime.timedelta(days=1)
    response = client.post(
        url("activity_create", case),
        {"occurred_on": tomorrow.isoformat(), "kind": "visit", "summary": "x"},
    )
    assert response.status_code == 200
    assert "実施日に未来の日付は指定できません。" in html(response)
    response = client.post(
        url("activity_create", case),
        {"occurred_on": "あした", "kind": "nope", "summary": "", "reached_person": "on"},
    )
    page = html(response)
    assert response.status_code == 200
    assert "種別を選択肢から選んでください。" in page
    assert "内容を入力してください。" in page
    assert 'data-testid="reached-person-error"' in page
    assert 'data-testid="form-errors"' in page
    assert not Activity.objects.exists()
    assert not AuditEvent.objects.filter(action="activity.record").exists()


def test_log_shows_entries_newest_first_in_wareki(login, personas, case, agencies):
    give_consent(personas, case, agencies["houkatsu"])
    _record(personas, case, occurred_on=datetime.date(2026, 10, 1), summary="十月の訪問")
    _record(
        personas,
        case,
        who="coordinator",
        kind="call",
        occurred_on=datetime.date(2026, 11, 2),
        summary="十一月の電話",
        is_contact_attempt=True,
        reached_person=True,
    )
    page = html(login(personas["desk"]).get(url("activity_list", case)))
    assert page.index("十一月の電話") < page.index("十月の訪問")
    assert "令和8年10月1日" in page and "令和8年11月2日" in page
    assert "連絡の試み・連絡が取れた" in page
    assert page.count('data-testid="activity-contact-attempt"') == 1
    assert "福祉まるごと支援員（社協）・coordinator さん" in page
    assert "地域包括支援センター中央・desk さん" in page
    assert ">電話<" in page and ">訪問<" in page


def test_log_filters_by_kind_and_agency_and_pages(login, personas, case, agencies):
    for n in range(26):
        _record(personas, case, summary=f"訪問その{n:02d}")
    _record(personas, case, who="coordinator", kind="meeting", summary="社協の面談")
    client = login(personas["coordinator"])
    first = html(client.get(url("activity_list", case)))
    assert "27件" in first
    assert first.count('data-testid="activity-row"') == 25
    second = html(client.get(url("activity_list", case) + "?page=2"))
    assert second.count('data-testid="activity-row"') == 2
    by_kind = html(client.get(url("activity_list", case), {"kind": "meeting"}))
    assert "1件" in by_kind and "社協の面談" in by_kind and "訪問その00" not in by_kind
    by_agency = client.get(url("activity_list", case), {"agency": agencies["houkatsu"].pk})
    assert "26件" in html(by_agency)
    # a filter value that is not offered is ignored, with a message
    odd = html(client.get(url("activity_list", case), {"kind": "gossip"}))
    assert "27件" in odd and "種別は選択肢から選んでください。" in odd
    paged = html(client.get(url("activity_list", case), {"kind": "visit", "page": "2"}))
    assert "kind=visit&amp;page=1" in paged


def test_reading_the_log_is_audited(login, personas, case, household_8050):
    entry = _record(personas, case)
    login(personas["officer"]).get(url("activity_list", case), {"kind": "visit"})
    event = AuditEvent.objects.filter(action="activity.list").latest("seq")
    assert event.actor_id == personas["officer"].user.pk
    assert event.target_id == str(case.pk)
    assert event.person_ids == sorted([household_8050["mother"].pk, household_8050["son"].pk])
    assert event.context == {"case": case.pk, "kind": "visit", "page": 1, "activities": [entry.pk]}
    login(personas["coordinator"]).get(url("activity_list", case))
    event = AuditEvent.objects.filter(action="activity.list").latest("seq")
    assert event.context["marked_seen"] == 1
    login(personas["desk"]).get(url("activity_create", case))
    event = AuditEvent.objects.filter(action="case.view").latest("seq")
    assert event.context["page"] == "activity_create"


def test_case_page_panel(login, personas, case):
    for n in range(6):
        _record(personas, case, summary=f"記録その{n}", occurred_on=today() - datetime.timedelta(n))
    coordinator_page = html(login(personas["coordinator"]).get(url("case_detail", case)))
    assert 'data-testid="activity-panel"' in coordinator_page
    assert "記録その0" in coordinator_page and "記録その4" in coordinator_page
    assert "記録その5" not in coordinator_page
    assert "すべての記録（6件）" in coordinator_page
    assert "コーディネーター未確認 6件" in coordinator_page
    assert 'data-testid="activity-create-link"' in coordinator_page
    desk_page = html(login(personas["desk"]).get(url("case_detail", case)))
    assert "記録その0" in desk_page
    assert 'data-testid="activity-unseen"' not in desk_page
    assert 'data-testid="activity-create-link"' in desk_page


def test_case_panel_context(rf, personas, case):
    request = rf.get("/")
    request.user = personas["desk"].user
    assert activity_selectors.case_panel(request.user, case)["activity_panel"]["rows"] == []
    entry = _record(personas, case)
    panel = activity_selectors.case_panel(request.user, case)["activity_panel"]
    assert ([r.pk for r in panel["rows"]], panel["count"], panel["unseen"]) == ([entry.pk], 1, None)
    assert panel["may_record"] is True
    request.user = personas["coordinator"].user
    assert activity_selectors.case_panel(request.user, case)["activity_panel"]["unseen"] == 1


def test_coordinator_sees_a_desk_entry_on_the_dashboard_until_opening_the_log(
    login, personas, case, household_8050
):
    _record(personas, case, summary="長男が初めて玄関まで出てきた。")
    client = login(personas["coordinator"])
    dashboard = html(client.get(reverse("dashboard")))
    assert 'data-testid="dashboard-activity"' in dashboard
    assert "長男が初めて玄関まで出てきた。" in dashboard
    assert 'data-testid="dashboard-activity-count">1<' in dashboard
    assert url("activity_list", case) in dashboard
    read = AuditEvent.objects.filter(action="dashboard.view", context__panel="activity").get()
    assert read.actor_id == personas["coordinator"].user.pk
    assert read.person_ids == sorted([household_8050["mother"].pk, household_8050["son"].pk])

    log = html(client.get(url("activity_list", case)))
    assert 'data-testid="activity-new"' in log
    assert 'data-testid="activity-newly-seen"' in log

    dashboard = html(client.get(reverse("dashboard")))
    assert "長男が初めて玄関まで出てきた。" not in dashboard
    assert 'data-testid="dashboard-activity-empty"' in dashboard
    assert 'data-testid="dashboard-activity-count">0<' in dashboard
    assert (
        AuditEvent.objects.filter(action="dashboard.view", context__panel="activity").count() == 1
    )
    # seen once, no longer new
    assert 'data-testid="activity-new"' not in html(client.get(url("activity_list", case)))


def test_dashboard_panel_per_role(login, personas, case, agencies):
    _record(personas, case, summary="包括からの報告")
    _record(personas, case, who="coordinator", summary="社協自身の記録")
    officer = html(login(personas["officer"]).get(reverse("dashboard")))
    assert "包括からの報告" in officer and "社協自身の記録" not in officer
    # the office looking does not count as the coordinator's notice
    login(personas["officer"]).get(url("activity_list", case))
    assert activity_selectors.unseen_count(case) == 1
    for name in ("desk", "participation", "outreach", "admin"):
        page = html(login(personas[name]).get(reverse("dashboard")))
        assert 'data-testid="dashboard-activity"' not in page, name
    # a coordinator of another agency does not see this case's entries
    from conftest import make_persona

    other = make_persona("other-coordinator", agencies["housing"], "coordinator")
    page = html(login(other).get(reverse("dashboard")))
    assert "包括からの報告" not in page
    assert 'data-testid="dashboard-activity-empty"' in page


def test_dashboard_shows_five_and_counts_all(rf, personas, case):
    for n in range(7):
        _record(personas, case, summary=f"報告{n}")
    request = rf.get("/")
    request.user = personas["coordinator"].user
    panel = activity_selectors.dashboard_panel(request.user, request=request)["activity_dashboard"]
    assert len(panel["rows"]) == 5 and panel["count"] == 7
    assert [r.summary for r in panel["rows"]] == [f"報告{n}" for n in (6, 5, 4, 3, 2)]
    request.user = personas["desk"].user
    assert activity_selectors.dashboard_panel(request.user, request=request) == {}


# --------------------------------------------------------------------------------- API


def test_openapi_lists_the_activity_path(client):
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    assert set(paths[f"{API}/cases/{{case_id}}/activities"]) == {"get", "post"}


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_api_per_persona(login, personas, case, name):
    _record(personas, case)
    client = login(personas[name])
    listing = api_get(client, f"/cases/{case.pk}/activities")
    created = api_post(client, f"/cases/{case.pk}/activities", body())
    if ACCESS[name] == "record":
        assert listing.status_code == 200
        assert listing.json()["count"] == 1
        assert created.status_code == 201, created.content
        assert created.json()["agency_id"] == personas[name].agency.pk
        assert Activity.objects.count() == 2
    else:
        expected = ACCESS[name]
        assert listing.status_code == expected, name
        assert created.status_code == expected, name
        if expected == 404:
            assert listing.json() == NOT_FOUND and created.json() == NOT_FOUND
        else:
            assert listing.json() == FORBIDDEN and created.json() == FORBIDDEN
        assert Activity.objects.count() == 1


def test_api_body_filters_and_audit(login, personas, case, agencies, household_8050):
    client = login(personas["desk"])
    response = api_post(client, f"/cases/{case.pk}/activities", body(occurred_on="令和8年11月21日"))
    assert response.status_code == 201
    data = response.json()
    entry = Activity.objects.get()
    assert data == {
        "id": entry.pk,
        "case_id": case.pk,
        "occurred_on": "2026-11-21",
        "occurred_on_wareki": "令和8年11月21日",
        "kind": "call",
        "kind_label": "電話",
        "agency_id": agencies["houkatsu"].pk,
        "agency_name": "地域包括支援センター中央",
        "summary": "長男に電話。応答なし。",
        "is_contact_attempt": True,
        "reached_person": False,
        "recorded_by_name": "desk さん",
        "recorded_at": data["recorded_at"],
        "seen_by_coordinator_at": None,
    }
    recorded = AuditEvent.objects.get(action="activity.record")
    assert recorded.via == "api"
    _record(personas, case, who="coordinator", kind="meeting")
    coordinator = login(personas["coordinator"])
    listing = api_get(coordinator, f"/cases/{case.pk}/activities").json()
    assert [item["kind"] for item in listing["items"]] == ["meeting", "call"]
    filtered = api_get(
        coordinator, f"/cases/{case.pk}/activities", {"agency_id": agencies["houkatsu"].pk}
    ).json()
    assert [item["id"] for item in filtered["items"]] == [entry.pk]
    assert (
        api_get(coordinator, f"/cases/{case.pk}/activities", {"kind": "meeting"}).json()["count"]
        == 1
    )
    event = AuditEvent.objects.filter(action="activity.list").latest("seq")
    assert event.via == "api"
    assert event.context["kind"] == "meeting"
    assert event.person_ids == sorted([household_8050["mother"].pk, household_8050["son"].pk])
    # reading over the API is not the coordinator opening the log
    assert activity_selectors.unseen_count(case) == 1
    bad = api_get(coordinator, f"/cases/{case.pk}/activities", {"kind": "gossip"})
    assert bad.status_code == 422
    assert bad.json()["errors"] == {"kind": ["種別の値が正しくありません。"]}


def test_api_refusals(login, personas, case, agencies):
    client = login(personas["desk"])
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    cases = [
        (body(occurred_on=tomorrow), "occurred_on", "実施日に未来の日付は指定できません。"),
        (body(occurred_on="あした"), "occurred_on", None),
        (body(occurred_on=None), "occurred_on", "実施日を入力してください。"),
        (body(kind="gossip"), "kind", "種別を選択肢から選んでください。"),
        (body(summary=" "), "summary", "内容を入力してください。"),
        (body(is_contact_attempt=False, reached_person=True), "reached_person", None),
    ]
    for payload, field, message in cases:
        response = api_post(client, f"/cases/{case.pk}/activities", payload)
        assert response.status_code == 422, payload
        assert response.json()["detail"] == "入力内容に誤りがあります。"
        assert field in response.json()["errors"], payload
        if message:
            assert response.json()["errors"][field] == [message]
    assert api_post(client, "/cases/999999/activities", body()).json() == NOT_FOUND
    assert api_get(client, "/cases/999999/activities").status_code == 404
    _leave_team(case, agencies["houkatsu"])
    # the desk still sees the case: not allowed answers 403, before looking at the input
    response = api_post(client, f"/cases/{case.pk}/activities", body(summary=""))
    assert response.status_code == 403
    assert "支援チームの機関" in response.json()["detail"]
    assert api_get(client, f"/cases/{case.pk}/activities").status_code == 200
    assert not Activity.objects.exists()


def test_the_dashboard_counts_unseen_entries_up_to_the_lists_cap(
    login, personas, case, monkeypatch
):
    """A coordinator back after weeks away is not made to wait for thousands to be counted:
    past the cap the panel says 「…件以上」."""
    monkeypatch.setattr(activity_selectors, "COUNT_CAP", 6)
    for n in range(8):
        _record(personas, case, summary=f"訪問 {n}")
    dashboard = html(login(personas["coordinator"]).get(reverse("dashboard")))
    assert 'data-testid="dashboard-activity-count">6+<' in dashboard
    assert "6件以上のうち新しい5件を表示しています。" in dashboard
