"""Screens of meetings: every URL for every persona, guests before, during and after their
invitation, a 支援会議 member before and after the pledge, decisions through the screens
(quorum, consent, closure), the case page's and the dashboard's panels, and the audit."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from conftest import PERSONA_NAMES
from tsunagu.audit.models import AuditEvent
from tsunagu.cases.models import Activity, CaseStatus
from tsunagu.cases.services import plan as plan_services
from tsunagu.cases.tests.conftest import give_consent
from tsunagu.cases.tests.flow import draft_plan, hold, meeting, to_planning
from tsunagu.common.wareki import format_wareki
from tsunagu.meetings import services
from tsunagu.meetings.models import (
    ActionItem,
    Meeting,
    MeetingKind,
    MeetingMember,
)
from tsunagu.resources.models import ResourceGap

pytestmark = pytest.mark.django_db
C = CaseStatus


# persona → what a conference convened by the 社協 (``coordinator``), with the officer and
# an invited guest as members, answers: "manage", "see" (sees, may not run it), 404, 403
ACCESS = {
    "officer": "manage",
    "coordinator": "manage",
    "participation": "see",  # same agency as the convenor, not a coordinator
    "guest": "see",  # invited to this meeting
    "desk": 404,
    "outreach": 404,
    "community": 404,
    "unrelated": 404,
    "admin": 403,
}
FORM_PAGES = (
    "member_add",
    "agenda_add",
    "minutes_edit",
    "action_item_add",
    "resource_gap_add",
)
ITEM_PAGES = ("agenda_withdraw", "decision_record")
PLEDGE_TEXT_PART = "一年以下の拘禁刑又は百万円以下の罰金"


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def html(response) -> str:
    return response.content.decode()


def url(name, meeting_obj, *args):
    return reverse(f"meetings:{name}", args=[meeting_obj.pk, *args])


@pytest.fixture
def held(personas, consented_case):
    """A conference an hour ago: the coordinator, the officer and a guest; an item about the
    consented case (information sharing)."""
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


@pytest.fixture
def confidential(personas, case):
    """A 支援会議 about the case without consent; the desk is a member without a pledge."""
    coordinator = personas["coordinator"].user
    meeting_obj = meeting(personas, MeetingKind.CONFIDENTIAL)
    services.member_add(by=coordinator, meeting=meeting_obj, user=personas["desk"].user)
    services.agenda_add(
        by=coordinator,
        meeting=meeting_obj,
        purpose="information",
        case=case,
        title="夜間の見守り体制",
    )
    return meeting_obj


# --------------------------------------------------------------- every URL × every persona


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_pages_answer_each_persona(login, personas, held, name):
    conference, item = held
    client = login(personas[name])
    access = ACCESS[name]
    seen = {"manage": 200, "see": 200}.get(access, access)
    managed = {"manage": 200, "see": 403}.get(access, access)
    response = client.get(reverse("meetings:meeting_list"))
    assert response.status_code == (403 if name == "admin" else 200), name
    if response.status_code == 200:
        assert response.context["total"] == (1 if access in ("manage", "see") else 0), name
    response = client.get(url("meeting_detail", conference))
    assert response.status_code == seen, name
    if seen == 200:
        assert "no-store" in response["Cache-Control"]
    for page in FORM_PAGES:
        assert client.get(url(page, conference)).status_code == managed, (name, page)
    for page in ITEM_PAGES:
        assert client.get(url(page, conference, item.pk)).status_code == managed, (name, page)
    creating = client.get(reverse("meetings:meeting_create"))
    assert creating.status_code == (200 if access == "manage" else 403), name


@pytest.mark.parametrize("name", [n for n in PERSONA_NAMES if ACCESS[n] != "manage"])
def test_steps_by_others_change_nothing(login, personas, held, agencies, name):
    conference, item = held
    client = login(personas[name])
    expected = {"see": 403}.get(ACCESS[name], ACCESS[name])
    officer_member = conference.members.get(user=personas["officer"].user)
    guest_member = conference.members.get(user=personas["guest"].user)
    action = services.action_item_add(
        by=personas["coordinator"].user,
        meeting=conference,
        description="住まいの候補を探す",
        owner_agency=agencies["housing"],
        due_on=timezone.localdate(),
    )
    posts = [
        (url("member_add", conference), {"name": "民生委員 佐藤", "agency": ""}),
        (url("invitation_revoke", conference, guest_member.pk), {}),
        (url("pledge_record", conference, officer_member.pk), {}),
        (url("attendance_record", conference), {"attended": [officer_member.pk]}),
        (url("agenda_add", conference), {"purpose": "resource", "title": "居場所"}),
        (url("agenda_withdraw", conference, item.pk), {"reason": "x"}),
        (url("decision_record", conference, item.pk), {"outcome": "noted"}),
        (url("minutes_edit", conference), {"minutes": "書き換え"}),
        (
            url("action_item_add", conference),
            {"description": "x", "owner_agency": agencies["csw"].pk, "due_on": "R8.12.1"},
        ),
        (url("action_item_done", conference, action.pk), {}),
        (url("resource_gap_add", conference), {"description": "夜間の居場所"}),
    ]
    for address, data in posts:
        assert client.post(address, data).status_code == expected, (name, address)
    create = client.post(
        reverse("meetings:meeting_create"),
        {"kind": "conference", "title": "x", "schedule": "regular", "format": "in_person"},
    )
    assert create.status_code == 403
    assert conference.members.count() == 3
    assert conference.agenda.count() == 1
    item.refresh_from_db()
    assert (item.outcome, item.is_withdrawn) == ("", False)
    conference.refresh_from_db()
    assert conference.minutes == ""
    assert ActionItem.objects.get().done_on is None
    assert ResourceGap.objects.count() == 0
    assert MeetingMember.objects.filter(pledged_at__isnull=False).count() == 0
    assert MeetingMember.objects.filter(attended=True).count() == 0
    guest_member.refresh_from_db()
    assert guest_member.invitation_revoked_at is None
    assert Meeting.objects.count() == 1


def test_anonymous_users_are_sent_to_login(client, held):
    conference, _ = held
    for address in (reverse("meetings:meeting_list"), url("meeting_detail", conference)):
        response = client.get(address)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_missing_meetings_and_items_answer_404(login, personas, held):
    conference, _ = held
    client = login(personas["officer"])
    assert client.get(reverse("meetings:meeting_detail", args=[999999])).status_code == 404
    assert client.get(reverse("meetings:agenda_add", args=[999999])).status_code == 404
    assert client.get(url("decision_record", conference, 999999)).status_code == 404
    assert client.post(url("pledge_record", conference, 999999)).status_code == 404
    assert client.get(url("attendance_record", conference)).status_code == 405


# ------------------------------------------------------------------------------- guests


def test_guest_before_during_and_after_the_invitation(login, personas, consented_case):
    coordinator = personas["coordinator"].user
    conference = meeting(personas)
    client = login(personas["guest"])
    assert client.get(url("meeting_detail", conference)).status_code == 404  # not invited yet
    member = services.member_add(by=coordinator, meeting=conference, user=personas["guest"].user)
    assert member.is_guest
    response = client.get(url("meeting_detail", conference))
    assert response.status_code == 200
    assert response.context["materials"] is True
    assert client.get(reverse("meetings:meeting_list")).context["total"] == 1
    # the invitation ran out
    MeetingMember.objects.filter(pk=member.pk).update(
        invited_until=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert client.get(url("meeting_detail", conference)).status_code == 404
    assert client.get(reverse("meetings:meeting_list")).context["total"] == 0
    # renewed, then revoked by the convenor on the screen
    MeetingMember.objects.filter(pk=member.pk).update(
        invited_until=timezone.now() + datetime.timedelta(hours=2)
    )
    assert client.get(url("meeting_detail", conference)).status_code == 200
    manager = login(personas["coordinator"])
    response = manager.post(url("invitation_revoke", conference, member.pk))
    assert response.status_code == 302
    client = login(personas["guest"])
    assert client.get(url("meeting_detail", conference)).status_code == 404


def test_guest_sees_only_the_meeting_invited_to(login, personas, held):
    conference, _ = held
    other = meeting(personas)
    client = login(personas["guest"])
    assert client.get(url("meeting_detail", other)).status_code == 404
    rows = client.get(reverse("meetings:meeting_list")).context["rows"]
    assert [m.pk for m in rows] == [conference.pk]


# -------------------------------------------------------------------------- 支援会議 pledge


def test_confidential_member_sees_materials_only_after_the_pledge(
    login, personas, confidential, household_8050
):
    client = login(personas["desk"])
    response = client.get(url("meeting_detail", confidential))
    assert response.status_code == 200
    page = html(response)
    assert "支援会議の資料を見るには、守秘義務の誓約が必要です" in page
    assert "社会福祉法第106条の6" in page and PLEDGE_TEXT_PART in page
    assert 'data-testid="pledge-self"' in page
    assert "山田 フミ" not in page and "夜間の見守り体制" not in page
    assert 'data-testid="agenda-table"' not in page
    event = AuditEvent.objects.filter(action="meeting.view").latest("seq")
    assert event.person_ids == []
    # the summary sheet stays closed before the pledge
    item = confidential.agenda.get()
    assert (
        client.get(reverse("meetings:summary_sheet", args=[confidential.pk, item.pk])).status_code
        == 403
    )
    member = confidential.members.get(user=personas["desk"].user)
    response = client.post(url("pledge_record", confidential, member.pk))
    assert response.status_code == 302
    assert "守秘義務の誓約を記録しました" in messages_of(response)[0]
    member.refresh_from_db()
    assert member.pledged_at is not None and member.pledge_recorded_by == personas["desk"].user
    page = html(client.get(url("meeting_detail", confidential)))
    assert "山田 フミ" in page and "夜間の見守り体制" in page
    assert 'data-testid="summary-sheet-link"' in page
    assert "支援会議の資料を見るには" not in page
    event = AuditEvent.objects.filter(action="meeting.view").latest("seq")
    assert household_8050["mother"].pk in event.person_ids
    assert event.context["meeting"] == confidential.pk


def test_convenor_records_a_paper_pledge(login, personas, confidential):
    member = confidential.members.get(user=personas["desk"].user)
    client = login(personas["coordinator"])
    page = html(client.get(url("meeting_detail", confidential)))
    assert f'data-testid="pledge-paper-{member.pk}"' in page
    response = client.post(url("pledge_record", confidential, member.pk))
    assert "書面" in messages_of(response)[0]
    member.refresh_from_db()
    assert member.pledge_recorded_by == personas["coordinator"].user
    response = client.post(url("pledge_record", confidential, member.pk))
    assert messages_of(response)[-1] == "守秘義務の誓約は既に記録されています。"


def test_attendance_at_a_confidential_meeting_needs_pledges(login, personas, confidential):
    client = login(personas["coordinator"])
    desk = confidential.members.get(user=personas["desk"].user)
    response = client.post(url("attendance_record", confidential), {"attended": [desk.pk]})
    assert "支援会議に出席するには守秘義務の誓約が必要です" in messages_of(response)[0]
    desk.refresh_from_db()
    assert desk.attended is None


# ----------------------------------------------------------------------- list and create


def test_list_filters_and_wareki(login, personas, held):
    conference, _ = held
    upcoming = meeting(personas, MeetingKind.CASE, hours_ago=-48)
    client = login(personas["coordinator"])
    address = reverse("meetings:meeting_list")
    page = html(client.get(address))
    assert format_wareki(timezone.localtime(conference.starts_at).date()) in page
    assert 'data-testid="meeting-create-link"' in page
    assert client.get(address, {"kind": "case_meeting"}).context["total"] == 1
    assert client.get(address, {"when": "upcoming"}).context["rows"][0].pk == upcoming.pk
    assert client.get(address, {"when": "past"}).context["rows"][0].pk == conference.pk
    assert client.get(address, {"q": "重層"}).context["total"] == 1
    assert client.get(address, {"schedule": "ad_hoc"}).context["total"] == 1
    response = client.get(address, {"kind": "nonsense"})
    assert "種類は選択肢から選んでください。" in html(response)
    partial = client.get(address, HTTP_HX_REQUEST="true")
    assert "<html" not in html(partial) and 'data-testid="meeting-table"' in html(partial)
    assert 'data-testid="meeting-create-link"' not in html(
        login(personas["participation"]).get(address)
    )


def test_list_pages_by_25(login, personas):
    for _ in range(26):
        meeting(personas)
    client = login(personas["coordinator"])
    response = client.get(reverse("meetings:meeting_list"))
    assert len(response.context["rows"]) == 25
    assert len(client.get(reverse("meetings:meeting_list"), {"page": 2}).context["rows"]) == 1


def test_create_a_meeting(login, personas):
    client = login(personas["coordinator"])
    address = reverse("meetings:meeting_create")
    response = client.post(address, {"kind": "", "title": "", "starts_on": "R8.2.30"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"kind", "title", "schedule", "format", "starts_on", "starts_time"}
    response = client.post(
        address,
        {
            "kind": "confidential_meeting",
            "title": "支援会議（随時）",
            "schedule": "ad_hoc",
            "format": "online",
            "starts_on": "R8.12.3",
            "starts_time": "14:30",
            "place": "オンライン会議室",
        },
    )
    created = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("meeting_detail", created)
    local = timezone.localtime(created.starts_at)
    assert (local.date(), local.hour, local.minute) == (datetime.date(2026, 12, 3), 14, 30)
    assert created.convening_agency == personas["coordinator"].agency
    assert created.members.get().user == personas["coordinator"].user
    assert AuditEvent.objects.filter(action="meeting.create").exists()
    page = html(client.get(url("meeting_detail", created)))
    assert 'data-testid="confidential-notice"' in page and PLEDGE_TEXT_PART in page


# ------------------------------------------------------------------------------- detail


def test_detail_shows_members_agenda_and_links(login, personas, held, household_8050):
    conference, item = held
    client = login(personas["coordinator"])
    page = html(client.get(url("meeting_detail", conference)))
    assert page.count('data-testid="member-row"') == 3
    assert "ゲスト" in page
    assert "会議ゲスト" in page  # the guest's role
    assert 'data-testid="quorum-problems"' in page
    assert reverse("cases:case_detail", args=[item.case_id]) in page
    assert reverse("meetings:summary_sheet", args=[conference.pk, item.pk]) in page
    assert "山田 フミ" in page and "世帯の状況の共有" in page
    assert 'data-testid="confidential-notice"' not in page
    event = AuditEvent.objects.filter(action="meeting.view").latest("seq")
    assert set(event.person_ids) >= {
        household_8050["mother"].pk,
        household_8050["son"].pk,
    }
    # the guest sees the item but no link to the case, nor any step
    page = html(login(personas["guest"]).get(url("meeting_detail", conference)))
    assert "世帯の状況の共有" in page
    assert reverse("cases:case_detail", args=[item.case_id]) not in page
    assert 'data-testid="agenda-add-link"' not in page
    assert 'data-testid="attendance-form"' not in page


def test_attendance_and_quorum_on_the_page(login, personas, held):
    conference, _ = held
    client = login(personas["coordinator"])
    ids = [m.pk for m in conference.members.exclude(user=personas["guest"].user)]
    response = client.post(url("attendance_record", conference), {"attended": ids})
    assert messages_of(response) == ["出席を記録しました。"]
    page = html(client.get(url("meeting_detail", conference)))
    assert 'data-testid="quorum-ok"' in page
    assert conference.members.filter(attended=True).count() == 2
    assert conference.members.get(user=personas["guest"].user).attended is False


def test_member_add_a_user_and_an_outside_guest(login, personas, held, agencies):
    conference, _ = held
    client = login(personas["coordinator"])
    response = client.get(url("member_add", conference))
    choices = dict(response.context["form"].fields["membership"].choices)
    assert personas["desk"].membership.pk in choices
    assert personas["officer"].membership.pk not in choices  # already a member
    assert personas["admin"].membership.pk not in choices
    response = client.post(url("member_add", conference), {})
    assert "利用者を選ぶか" in response.context["form"].errors["membership"][0]
    response = client.post(
        url("member_add", conference), {"membership": personas["desk"].membership.pk}
    )
    assert response.status_code == 302
    desk = conference.members.get(user=personas["desk"].user)
    assert (desk.agency, desk.role, desk.is_guest) == (agencies["houkatsu"], "desk_worker", False)
    response = client.post(
        url("member_add", conference),
        {
            "name": "民生委員 佐藤",
            "agency": agencies["minsei"].pk,
            "is_guest": "on",
            "invited_until_on": format_wareki(timezone.localdate() - datetime.timedelta(days=1)),
        },
    )
    assert "招待の期限には、現在より後の日時" in html(response)
    response = client.post(
        url("member_add", conference),
        {"name": "民生委員 佐藤", "agency": agencies["minsei"].pk, "is_guest": "on"},
    )
    assert response.status_code == 302
    outsider = conference.members.get(name="民生委員 佐藤")
    assert outsider.user is None and outsider.is_guest and outsider.invited_until is not None


def test_minutes_action_items_and_gaps(login, personas, held, agencies):
    conference, item = held
    client = login(personas["coordinator"])
    response = client.post(url("minutes_edit", conference), {"minutes": "母の介護について協議"})
    assert response.status_code == 302
    conference.refresh_from_db()
    assert conference.minutes == "母の介護について協議"
    response = client.post(url("action_item_add", conference), {"description": ""})
    assert set(response.context["form"].errors) >= {"description", "owner_agency", "due_on"}
    response = client.post(
        url("action_item_add", conference),
        {
            "description": "介護サービスの調整",
            "owner_agency": agencies["houkatsu"].pk,
            "owner_name": "包括 田中",
            "due_on": format_wareki(timezone.localdate() + datetime.timedelta(days=7)),
            "agenda_item": item.pk,
        },
    )
    assert response.status_code == 302
    action = ActionItem.objects.get()
    assert (action.owner_agency, action.agenda_item) == (agencies["houkatsu"], item)
    response = client.post(url("resource_gap_add", conference), {"description": "夜間の居場所"})
    assert response.status_code == 302
    page = html(client.get(url("meeting_detail", conference)))
    assert "母の介護について協議" in page
    assert "介護サービスの調整" in page and "夜間の居場所" in page
    response = client.post(url("action_item_done", conference, action.pk))
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.done_on == timezone.localdate()
    response = client.post(url("action_item_done", conference, action.pk))
    assert messages_of(response)[-1] == "この宿題は既に完了しています。"


# ----------------------------------------------------------------------------- decisions


@pytest.fixture
def planning_case(personas, consented_case, agencies):
    case = to_planning(personas, consented_case)
    draft_plan(personas, case, agencies, statutory=None)
    return case


def test_quorum_refused_on_the_screen(login, personas, planning_case):
    conference = meeting(personas)
    client = login(personas["coordinator"])
    response = client.post(
        url("agenda_add", conference), {"purpose": "plan_adoption", "case": planning_case.pk}
    )
    assert response.status_code == 302
    item = conference.agenda.get()
    assert item.plan.version == 1
    page = html(client.get(url("decision_record", conference, item.pk)))
    assert "自治体職員（事務局）の出席が記録されていません" in page
    response = client.post(url("decision_record", conference, item.pk), {"outcome": "agreed"})
    assert response.status_code == 200
    assert any("自治体職員" in text for text in messages_of(response))
    assert 'class="alert alert-danger' in html(response)
    item.refresh_from_db()
    assert item.outcome == ""
    hold(personas, conference)
    response = client.post(url("decision_record", conference, item.pk), {"outcome": "agreed"})
    assert response.status_code == 302
    planning_case.refresh_from_db()
    assert planning_case.status == C.AWAITING_DECISION
    page = html(client.get(url("meeting_detail", conference)))
    assert "承認・決定" in page
    # a decided item offers no further decision
    response = client.get(url("decision_record", conference, item.pk))
    assert response.status_code == 302


def test_case_without_consent_refused_on_a_conference_agenda(login, personas, case):
    conference = meeting(personas)
    client = login(personas["coordinator"])
    response = client.post(
        url("agenda_add", conference), {"purpose": "information", "case": case.pk}
    )
    assert response.status_code == 200
    assert (
        "本人の同意（会議での共有）がない事例は、支援会議（社会福祉法第106条の6）の"
        "議題にしてください。"
    ) in messages_of(response)
    assert conference.agenda.count() == 0
    confidential = meeting(personas, MeetingKind.CONFIDENTIAL)
    response = client.post(
        url("agenda_add", confidential), {"purpose": "information", "case": case.pk}
    )
    assert response.status_code == 302
    assert confidential.agenda.count() == 1


def test_agenda_form_preselects_and_labels_cases(login, personas, consented_case):
    conference = meeting(personas)
    client = login(personas["coordinator"])
    response = client.get(
        url("agenda_add", conference), {"case": consented_case.pk, "purpose": "progress"}
    )
    form = response.context["form"]
    assert (form.initial["case"], form.initial["purpose"]) == (consented_case.pk, "progress")
    label = dict(form.fields["case"].choices)[consented_case.pk]
    assert label.startswith(f"事例 #{consented_case.pk} 山田世帯（本人 山田 フミ）・インテーク")
    # the coordinator's agency sees the household and the person through consent
    assert AuditEvent.objects.filter(action="meeting.agenda_form").exists()
    response = client.post(url("agenda_add", conference), {"purpose": "progress", "case": ""})
    assert "事例を選んでください。" in html(response)


def _active_case(personas, case):
    conference = hold(personas, meeting(personas))
    item = services.agenda_add(
        by=personas["coordinator"].user, meeting=conference, purpose="plan_adoption", case=case
    )
    services.decision_record(by=personas["coordinator"].user, item=item, outcome="agreed")
    plan_services.plan_report_record(
        by=personas["coordinator"].user,
        plan=case.plans.get(),
        reported_on=timezone.localdate(),
        reported_to="推進室",
    )
    case.refresh_from_db()
    assert case.status == C.ACTIVE
    return conference


def test_closure_with_a_lead_agency_closes_the_case(login, personas, planning_case, agencies):
    conference = _active_case(personas, planning_case)
    client = login(personas["coordinator"])
    response = client.post(
        url("agenda_add", conference), {"purpose": "closure", "case": planning_case.pk}
    )
    assert response.status_code == 302
    item = conference.agenda.get(purpose="closure")
    form = client.get(url("decision_record", conference, item.pk)).context["form"]
    assert [c[0] for c in form.fields["outcome"].choices] == ["agreed", "not_agreed"]
    assert "lead_agency" in form.fields and "contact_attempts" not in form.fields
    response = client.post(url("decision_record", conference, item.pk), {"outcome": "agreed"})
    assert response.status_code == 200
    assert "主担当機関を指名してください" in html(response)
    response = client.post(
        url("decision_record", conference, item.pk),
        {"outcome": "agreed", "lead_agency": agencies["houkatsu"].pk, "decision_text": "終結"},
    )
    assert response.status_code == 302
    planning_case.refresh_from_db()
    assert planning_case.status == C.CLOSED
    assert planning_case.lead_agency_after_closure == agencies["houkatsu"]
    assert AuditEvent.objects.filter(action="meeting.decision").count() == 2
    page = html(client.get(url("meeting_detail", conference)))
    assert "終結後の主担当機関：地域包括支援センター中央" in page


def test_suspension_prefills_the_contact_attempts(login, personas, planning_case, agencies):
    conference = _active_case(personas, planning_case)
    Activity.objects.create(
        case=planning_case,
        occurred_on=timezone.localdate() - datetime.timedelta(days=10),
        kind="visit",
        agency=agencies["council"],
        summary="自宅を訪問したが不在",
        is_contact_attempt=True,
        recorded_by=personas["coordinator"].user,
    )
    client = login(personas["coordinator"])
    client.post(url("agenda_add", conference), {"purpose": "suspension", "case": planning_case.pk})
    item = conference.agenda.get(purpose="suspension")
    form = client.get(url("decision_record", conference, item.pk)).context["form"]
    prefilled = form.initial["contact_attempts"]
    assert "自宅を訪問したが不在" in prefilled and "訪問" in prefilled
    response = client.post(
        url("decision_record", conference, item.pk), {"outcome": "agreed", "contact_attempts": ""}
    )
    assert "連絡の試みを記録してください" in html(response)
    response = client.post(
        url("decision_record", conference, item.pk),
        {"outcome": "agreed", "contact_attempts": prefilled},
    )
    assert response.status_code == 302
    planning_case.refresh_from_db()
    assert planning_case.status == C.SUSPENDED


def test_withdraw_an_item_returns_the_plan(login, personas, planning_case):
    conference = meeting(personas, hours_ago=-24)
    client = login(personas["coordinator"])
    client.post(
        url("agenda_add", conference), {"purpose": "plan_adoption", "case": planning_case.pk}
    )
    item = conference.agenda.get()
    response = client.post(url("agenda_withdraw", conference, item.pk), {"reason": ""})
    assert "取り下げの理由を入力してください。" in html(response)
    response = client.post(url("agenda_withdraw", conference, item.pk), {"reason": "資料不足"})
    assert response.status_code == 302
    item.refresh_from_db()
    planning_case.refresh_from_db()
    assert item.is_withdrawn and planning_case.status == C.PLANNING


# ------------------------------------------------------------------------------- panels


def test_case_page_lists_its_agenda_items_and_offers_meetings(
    login, personas, consented_case, agencies
):
    past = meeting(personas)
    services.agenda_add(
        by=personas["coordinator"].user, meeting=past, purpose="information", case=consented_case
    )
    upcoming = meeting(personas, hours_ago=-24)
    client = login(personas["coordinator"])
    response = client.get(reverse("cases:case_detail", args=[consented_case.pk]))
    page = html(response)
    assert 'data-testid="case-agenda-row"' in page
    assert reverse("meetings:meeting_detail", args=[past.pk]) in page
    offer = f"{url('agenda_add', upcoming)}?case={consented_case.pk}&amp;purpose=information"
    assert offer in page
    # the referring desk, which the consent does not name, sees no meeting materials
    page = html(login(personas["desk"]).get(reverse("cases:case_detail", args=[consented_case.pk])))
    assert 'data-testid="case-agenda-row"' not in page
    # once the consent names it, it sees the case's agenda, without the meeting link or offers
    give_consent(personas, consented_case, agencies["council"], agencies["houkatsu"])
    page = html(login(personas["desk"]).get(reverse("cases:case_detail", args=[consented_case.pk])))
    assert 'data-testid="case-agenda-row"' in page
    assert reverse("meetings:meeting_detail", args=[past.pk]) not in page
    assert 'data-testid="case-agenda-offers"' not in page


def test_dashboard_panel(login, personas, confidential, agencies):
    coordinator = personas["coordinator"].user
    soon = meeting(personas, MeetingKind.CONFIDENTIAL, hours_ago=-48)
    services.member_add(by=coordinator, meeting=soon, user=personas["desk"].user)
    far = meeting(personas, hours_ago=-24 * 40)
    services.action_item_add(
        by=coordinator,
        meeting=confidential,
        description="訪問の日程調整",
        owner_agency=agencies["houkatsu"],
        due_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    page = html(login(personas["desk"]).get(reverse("dashboard")))
    assert 'data-testid="dashboard-meetings"' in page
    assert reverse("meetings:meeting_detail", args=[soon.pk]) in page
    assert reverse("meetings:meeting_detail", args=[far.pk]) not in page
    assert 'data-testid="dashboard-pledge-needed"' in page
    assert "訪問の日程調整" in page and "期限超過" in page
    page = html(login(personas["coordinator"]).get(reverse("dashboard")))
    assert reverse("meetings:meeting_detail", args=[soon.pk]) in page
    assert 'data-testid="dashboard-unpledged"' in page
    assert 'data-testid="dashboard-meetings"' not in html(
        login(personas["admin"]).get(reverse("dashboard"))
    )


def test_dashboard_shows_a_guest_their_invitations(login, personas, held):
    conference, _ = held
    page = html(login(personas["guest"]).get(reverse("dashboard")))
    assert "招待されている会議" in page
    assert reverse("meetings:meeting_detail", args=[conference.pk]) in page


def test_navigation_has_meetings_for_those_who_use_them(login, personas):
    page = html(login(personas["desk"]).get(reverse("dashboard")))
    assert f'href="{reverse("meetings:meeting_list")}">会議<' in page
    page = html(login(personas["admin"]).get(reverse("dashboard")))
    assert f'href="{reverse("meetings:meeting_list")}"' not in page


def test_guest_pledges_at_a_confidential_meeting_and_others_stay_outside(
    login, personas, confidential
):
    member = services.member_add(
        by=personas["coordinator"].user, meeting=confidential, user=personas["guest"].user
    )
    client = login(personas["guest"])
    page = html(client.get(url("meeting_detail", confidential)))
    assert 'data-testid="pledge-self"' in page and "夜間の見守り体制" not in page
    client.post(url("pledge_record", confidential, member.pk))
    assert "夜間の見守り体制" in html(client.get(url("meeting_detail", confidential)))
    # the convenor's participation worker sees the meeting but is no member: no materials
    page = html(login(personas["participation"]).get(url("meeting_detail", confidential)))
    assert "この会議の構成員ではありません" in page
    assert 'data-testid="pledge-self"' not in page and "夜間の見守り体制" not in page


def test_without_consent_only_a_confidential_meeting_is_offered(login, personas, case):
    """A case without consent to sharing at meetings is offered only 支援会議, which are the
    only meetings the agenda accepts it at (社会福祉法第106条の6)."""
    case_meeting = meeting(personas, MeetingKind.CASE, hours_ago=-24)
    confidential_meeting = meeting(personas, MeetingKind.CONFIDENTIAL, hours_ago=-24)
    page = html(login(personas["coordinator"]).get(reverse("cases:case_detail", args=[case.pk])))
    assert url("agenda_add", case_meeting) not in page
    assert url("agenda_add", confidential_meeting) in page
