"""The アウトリーチ screens with every persona: the outreach worker works its records, the
office sees them all, a pledged member of a 支援会議 sees only that meeting's materials, and
the unrelated agency gets 404 everywhere."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_persona
from tsunagu.accounts.models import AgencyProgram, Program, Role
from tsunagu.audit.models import AuditEvent
from tsunagu.common import spreadsheet
from tsunagu.common.tests.exports import as_dict, csv_rows, xlsx
from tsunagu.meetings.models import AgendaItem, Meeting, MeetingKind, MeetingMember
from tsunagu.outreach import export, services, workflow
from tsunagu.outreach.models import (
    ContactMethod,
    OutreachContact,
    OutreachPlan,
    OutreachPlanStatus,
    OutreachRecord,
    Stage,
)
from tsunagu.outreach.workflow import OutreachRuleError
from tsunagu.people.models import Person

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


@pytest.fixture
def record(personas):
    return services.record_create(
        by=personas["outreach"].user,
        label="北部 60代男性 A",
        source="minsei",
        began_on=_today() - datetime.timedelta(days=30),
        age_band="60s",
        known_facts="10年ほど外出していない様子。母（80代）と二人暮らし。",
        informant_name="民生委員 田中",
        informant_contact="090-0000-0000",
    )


def _meeting(personas, kind, *, past=True):
    return Meeting.objects.create(
        kind=kind,
        title="支援会議（12月）" if kind == MeetingKind.CONFIDENTIAL else "重層的支援会議（12月）",
        schedule="ad_hoc",
        format="in_person",
        starts_at=timezone.now() + datetime.timedelta(days=-1 if past else 7),
        convening_agency=personas["coordinator"].agency,
        created_by=personas["coordinator"].user,
    )


RECORD_PAGES = (
    "outreach:record_detail",
    "outreach:record_edit",
    "outreach:contact_create",
    "outreach:stage_change",
    "outreach:consent_record",
    "outreach:person_link",
    "outreach:urgent_set",
    "outreach:plan_create",
    "outreach:handover",
    "outreach:record_close",
    "outreach:record_reopen",
)


def test_worker_sees_the_caseload_and_every_page(login, personas, record):
    client = login(personas["outreach"])
    response = client.get(reverse("outreach:caseload"))
    assert response.status_code == 200
    assert "北部 60代男性 A" in response.content.decode()
    for name in RECORD_PAGES:
        assert client.get(reverse(name, args=[record.pk])).status_code == 200, name
    page = client.get(reverse("outreach:record_detail", args=[record.pk])).content.decode()
    assert "民生委員 田中" in page  # the informant, on the record's own page only
    assert AuditEvent.objects.filter(action="outreach.view", target_id=str(record.pk)).exists()


def test_unrelated_agency_gets_404_everywhere(login, personas, record):
    client = login(personas["unrelated"])
    for name in RECORD_PAGES:
        assert client.get(reverse(name, args=[record.pk])).status_code == 404, name
        assert client.post(reverse(name, args=[record.pk]), {}).status_code == 404, name
    # and its caseload (a desk worker has no outreach role) is refused
    assert client.get(reverse("outreach:caseload")).status_code == 403


@pytest.mark.parametrize("name", ["coordinator", "desk", "participation", "community"])
def test_other_staff_see_nothing(login, personas, record, name):
    client = login(personas[name])
    assert client.get(reverse("outreach:record_detail", args=[record.pk])).status_code == 404


@pytest.mark.parametrize("name", ["guest", "admin"])
def test_guest_and_admin_are_refused(login, personas, record, name):
    client = login(personas[name])
    assert client.get(reverse("outreach:caseload")).status_code == 403
    assert client.get(reverse("outreach:record_detail", args=[record.pk])).status_code in (403, 404)


def test_office_sees_every_record_but_does_not_create(login, personas, record):
    client = login(personas["officer"])
    response = client.get(reverse("outreach:caseload"))
    assert "北部 60代男性 A" in response.content.decode()
    assert client.get(reverse("outreach:record_detail", args=[record.pk])).status_code == 200
    assert client.get(reverse("outreach:record_create")).status_code == 403


def test_create_from_the_form(login, personas):
    client = login(personas["outreach"])
    response = client.post(
        reverse("outreach:record_create"),
        {
            "label": "南部 40代女性 B",
            "source": "resident",
            "began_on": "令和8年12月1日",
            "age_band": "40s",
            "known_facts": "ごみが溜まっている",
        },
    )
    assert response.status_code == 302
    record = OutreachRecord.objects.get(label="南部 40代女性 B")
    assert record.began_on == datetime.date(2026, 12, 1)
    assert record.agency == personas["outreach"].agency
    assert record.stage == Stage.GATHERING


def test_bad_input_shows_japanese_errors_and_writes_nothing(login, personas, record):
    client = login(personas["outreach"])
    future = (_today() + datetime.timedelta(days=3)).isoformat()
    response = client.post(
        reverse("outreach:contact_create", args=[record.pk]),
        {"occurred_on": future, "method": "letter", "staff": "支援員", "summary": "手紙"},
    )
    assert response.status_code == 200
    assert "未来の日付は指定できません" in response.content.decode()
    before = (record.began_on - datetime.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("outreach:contact_create", args=[record.pk]),
        {"occurred_on": before, "method": "letter", "staff": "支援員", "summary": "手紙"},
    )
    assert "開始日より前にはできません" in response.content.decode()
    response = client.post(
        reverse("outreach:stage_change", args=[record.pk]), {"stage": "home_visit"}
    )
    assert "日付を入力してください" in response.content.decode()
    response = client.post(
        reverse("outreach:consent_record", args=[record.pk]),
        {"consented_on": _today().isoformat(), "consent_method": "signed"},
    )
    assert "先に本人を特定" in response.content.decode()
    assert not OutreachContact.objects.exists()
    record.refresh_from_db()
    assert record.stage == Stage.GATHERING and record.consented_on is None


def test_contact_and_stage_from_the_forms(login, personas, record):
    client = login(personas["outreach"])
    for days in (20, 13, 6):
        response = client.post(
            reverse("outreach:contact_create", args=[record.pk]),
            {
                "occurred_on": (_today() - datetime.timedelta(days=days)).isoformat(),
                "method": ContactMethod.LETTER,
                "staff": "支援員 佐藤",
                "summary": "手紙を郵便受けに入れた",
                "next_action": "もう一度手紙",
                "next_action_on": _today().isoformat(),
            },
        )
        assert response.status_code == 302
    response = client.post(
        reverse("outreach:stage_change", args=[record.pk]),
        {"stage": Stage.RELATIONSHIP, "occurred_on": _today().isoformat(), "reason": ""},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.stage == Stage.RELATIONSHIP
    assert record.last_contact_on == _today() - datetime.timedelta(days=6)
    # going back needs a reason
    response = client.post(
        reverse("outreach:stage_change", args=[record.pk]),
        {"stage": Stage.GATHERING, "occurred_on": _today().isoformat(), "reason": ""},
    )
    assert "理由を入力してください" in response.content.decode()


def test_plan_goes_only_to_the_right_kind_of_meeting(login, personas, record):
    worker = personas["outreach"]
    plan = services.plan_create(by=worker.user, record=record, approach="母への支援から")
    conference = _meeting(personas, MeetingKind.CONFERENCE)
    MeetingMember.objects.create(meeting=conference, user=worker.user, name="支援員")
    client = login(worker)
    page = client.get(reverse("outreach:plan_to_meeting", args=[record.pk, plan.pk]))
    assert "支援会議" in page.content.decode()
    assert "重層的支援会議（12月）" not in page.content.decode()  # not offered before consent
    response = client.post(
        reverse("outreach:plan_to_meeting", args=[record.pk, plan.pk]), {"meeting": conference.pk}
    )
    assert response.status_code == 200  # not a choice before consent: refused with the rule
    assert response.context["form"].errors["meeting"] == [workflow.BEFORE_CONSENT_MEETING]
    assert not AgendaItem.objects.exists()
    response = client.post(
        reverse("outreach:plan_to_meeting", args=[record.pk, plan.pk]), {"meeting": 999999}
    )
    assert response.context["form"].errors["meeting"] == ["会議を選択肢から選んでください。"]
    confidential = _meeting(personas, MeetingKind.CONFIDENTIAL)
    MeetingMember.objects.create(meeting=confidential, user=worker.user, name="支援員")
    response = client.post(
        reverse("outreach:plan_to_meeting", args=[record.pk, plan.pk]),
        {"meeting": confidential.pk},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == OutreachPlanStatus.IN_MEETING
    assert plan.agenda_item.meeting == confidential


def test_pledged_member_sees_only_the_materials(login, personas, agencies, record):
    worker = personas["outreach"]
    plan = services.plan_create(by=worker.user, record=record, approach="母への支援から")
    meeting = _meeting(personas, MeetingKind.CONFIDENTIAL)
    MeetingMember.objects.create(meeting=meeting, user=worker.user, name="支援員")
    services.plan_to_meeting(by=worker.user, plan=plan, meeting=meeting)
    desk = personas["desk"]
    member = MeetingMember.objects.create(
        meeting=meeting, user=desk.user, agency=desk.agency, name="包括 職員"
    )
    client = login(desk)
    url = reverse("outreach:record_detail", args=[record.pk])
    assert client.get(url).status_code == 404  # not pledged yet
    member.pledged_at = timezone.now()
    member.save()
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "会議資料" in page and "母への支援から" in page
    assert "民生委員 田中" not in page  # the informant stays with the outreach agency
    # and nothing beyond the materials
    assert client.get(reverse("outreach:contact_create", args=[record.pk])).status_code == 403


def test_person_link_and_consent_and_handover(login, personas, agencies, record):
    from tsunagu.consultations.categories import install_standard_categories
    from tsunagu.consultations.models import IssueCategory, Referral

    install_standard_categories(IssueCategory)
    AgencyProgram.objects.create(agency=agencies["council"], program=Program.MULTI_AGENCY)
    worker = personas["outreach"]
    from tsunagu.people.services import person_create

    person = person_create(
        by=worker.user, name="山田 一郎", name_kana="ヤマダ イチロウ", agency=worker.agency
    )
    client = login(worker)
    page = client.get(reverse("outreach:person_link", args=[record.pk]), {"q": "山田"})
    assert "山田 一郎" in page.content.decode()
    response = client.post(reverse("outreach:person_link", args=[record.pk]), {"person": person.pk})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.person == person
    response = client.post(
        reverse("outreach:consent_record", args=[record.pk]),
        {"consented_on": _today().isoformat(), "consent_method": "oral", "note": "母同席"},
    )
    assert response.status_code == 302
    category = IssueCategory.objects.get(name="ひきこもり")
    response = client.post(
        reverse("outreach:handover", args=[record.pk]),
        {
            "to_agency": agencies["council"].pk,
            "reason": "母の介護と本人の就労、世帯全体の支援が必要",
            "criterion_household": "on",
            "tried_with_agencies": "地域包括支援センターと訪問を重ねた",
            "categories": [category.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record.refresh_from_db()
    referral = Referral.objects.get(pk=record.handover_referral_id)
    assert referral.kind == "multi_agency" and referral.person == person


def test_a_person_the_worker_may_not_see_cannot_be_linked(login, personas, record):
    stranger = Person.objects.create(name="他機関 花子", name_kana="タキカン ハナコ")
    client = login(personas["outreach"])
    response = client.post(
        reverse("outreach:person_link", args=[record.pk]), {"person": stranger.pk}
    )
    assert response.status_code == 404
    record.refresh_from_db()
    assert record.person is None


def test_caseload_filters_and_exports(login, personas, record):
    worker = personas["outreach"]
    other = services.record_create(
        by=worker.user,
        label="東部 30代女性 C",
        source="family",
        began_on=_today() - datetime.timedelta(days=200),
        is_urgent=True,
        urgent_note="12/1 救急に連絡",
    )
    client = login(worker)
    page = client.get(reverse("outreach:caseload")).content.decode()
    assert page.index("東部 30代女性 C") < page.index("北部 60代男性 A")  # urgent first
    silent = client.get(reverse("outreach:caseload"), {"flag": "silent"}).content.decode()
    assert "東部 30代女性 C" in silent and "北部 60代男性 A" not in silent
    found = client.get(reverse("outreach:caseload"), {"q": "北部"}).content.decode()
    assert "北部 60代男性 A" in found and "東部 30代女性 C" not in found
    lines = csv_rows(client.get(reverse("outreach:caseload"), {"export": "csv"}))
    assert lines[0] == list(export.HEADER)
    assert [line[2] for line in lines[1:]] == ["東部 30代女性 C", "北部 60代男性 A"]
    response = client.get(reverse("outreach:caseload"), {"export": "xlsx"})
    assert "outreach_" in response["Content-Disposition"]
    rows, notes, _sheet = xlsx(response)
    assert rows[0] == list(export.HEADER) and notes["件数"] == 2
    first = as_dict(rows[0], rows[1])
    assert first["番号"] == other.pk and first["緊急"] == "緊急"
    assert first["呼び名"] == "東部 30代女性 C" and first["本人"] == "（未特定）"
    assert first["注意"] == "長く接触なし" and first["接触からの日数"] == 200
    (event,) = AuditEvent.objects.filter(action="outreach.list", context__export="xlsx")
    assert event.context["rows"] == 2 and event.context["list"] == "アウトリーチ担当一覧"


def test_the_caseload_narrows_to_my_records_to_an_area_and_to_the_unidentified(
    login, personas, agencies, record
):
    import json

    from tsunagu.accounts.models import Area
    from tsunagu.people.services import person_create

    worker = personas["outreach"]
    colleague = make_persona("csw_second", agencies["csw"], Role.OUTREACH_WORKER)
    north = Area.objects.create(code="north", name="北部圏域", kind="daily_life")
    north_district = Area.objects.create(
        code="north1", name="北一地区", kind="district", parent=north
    )
    theirs = services.record_create(
        by=colleague.user,
        label="西部 50代男性 D",
        source="resident",
        began_on=_today(),
        area=north_district,
    )
    named = person_create(by=colleague.user, name="西 次郎", name_kana="ニシ ジロウ")
    services.record_link_person(by=colleague.user, record=theirs, person=named)
    client = login(worker)
    url = reverse("outreach:caseload")

    def labels(**query):
        page = client.get(url, query).content.decode()
        return [label for label in ("北部 60代男性 A", "西部 50代男性 D") if label in page]

    assert labels() == ["北部 60代男性 A", "西部 50代男性 D"]
    assert labels(assigned="mine") == ["北部 60代男性 A"]
    assert labels(assigned=str(colleague.user.pk)) == ["西部 50代男性 D"]
    assert labels(area=north.pk) == ["西部 50代男性 D"]  # the 地区 under the 圏域 too
    chosen = client.get(url, {"area": north.pk}).content.decode()
    assert f'<option value="{north.pk}" selected>北部圏域</option>' in chosen
    assert labels(identified="no") == ["北部 60代男性 A"]
    assert labels(identified="yes") == ["西部 50代男性 D"]
    page = client.get(url).content.decode()
    assert "担当 csw_second さん" in page
    first = as_dict(*xlsx(client.get(url, {"export": "xlsx", "assigned": "mine"}))[0][:2])
    assert first["担当職員"] == str(worker.user)
    answer = client.get("/api/v1/outreach/records", {"assigned": "mine"}).json()
    assert [r["label"] for r in answer["items"]] == ["北部 60代男性 A"]
    assert answer["items"][0]["assigned_to_name"] == str(worker.user)
    answer = client.get("/api/v1/outreach/records", {"identified": "yes", "area_id": north.pk})
    assert [r["label"] for r in answer.json()["items"]] == ["西部 50代男性 D"]
    bad = client.get("/api/v1/outreach/records", {"identified": "maybe", "assigned": "x"})
    assert bad.status_code == 422 and set(bad.json()["errors"]) >= {"identified", "assigned"}
    # the record's page and its edit form carry the assignee
    page = client.get(reverse("outreach:record_detail", args=[theirs.pk])).content.decode()
    assert "csw_second さん" in page
    response = client.post(
        reverse("outreach:record_edit", args=[theirs.pk]),
        {"label": theirs.label, "assigned_to": str(worker.user.pk)},
    )
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.assigned_to == worker.user
    desk = personas["desk"].user.pk
    response = client.post(
        reverse("outreach:record_edit", args=[theirs.pk]),
        {"label": theirs.label, "assigned_to": str(desk)},
    )
    assert "アウトリーチ支援員から選んでください" in response.content.decode()
    changed = client.patch(
        f"/api/v1/outreach/records/{theirs.pk}",
        json.dumps({"assigned_to_id": desk}),
        content_type="application/json",
    )
    assert changed.status_code == 422 and "assigned_to_id" in changed.json()["errors"]
    changed = client.patch(
        f"/api/v1/outreach/records/{theirs.pk}",
        '{"assigned_to_id": null}',
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["assigned_to_id"] is None


def test_the_caseload_file_has_every_record_read_a_chunk_at_a_time(
    login, personas, record, monkeypatch
):
    worker = personas["outreach"]
    named = Person.objects.create(name="東 一郎", name_kana="アズマ イチロウ")
    for n in range(4):
        made = services.record_create(
            by=worker.user, label=f"南部 {n}", source="family", began_on=_today()
        )
    OutreachRecord.objects.filter(pk=made.pk).update(person=named)
    monkeypatch.setattr(spreadsheet, "CHUNK", 2)
    client = login(worker)
    lines = csv_rows(client.get(reverse("outreach:caseload"), {"export": "csv"}))
    assert len(lines) == 1 + 5
    rows, notes, _sheet = xlsx(client.get(reverse("outreach:caseload"), {"export": "xlsx"}))
    assert len(rows) == 1 + 5 and notes["件数"] == 5
    events = AuditEvent.objects.filter(action="outreach.list")
    assert events.count() == 2
    assert all(e.person_ids == [named.pk] and e.context["rows"] == 5 for e in events)


def test_close_and_reopen(login, personas, agencies, record):
    client = login(personas["outreach"])
    response = client.post(
        reverse("outreach:record_close", args=[record.pk]),
        {"closed_on": _today().isoformat(), "closure_reason": "connected"},
    )
    assert "つながった機関を選んでください" in response.content.decode()
    response = client.post(
        reverse("outreach:record_close", args=[record.pk]),
        {
            "closed_on": _today().isoformat(),
            "closure_reason": "connected",
            "connected_agency": agencies["houkatsu"].pk,
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.is_closed and record.connected_agency == agencies["houkatsu"]
    response = client.post(
        reverse("outreach:record_reopen", args=[record.pk]), {"reason": "母から再度相談"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert not record.is_closed
    assert list(record.events.values_list("kind", flat=True)) == ["began", "closed", "reopened"]


def test_another_outreach_agency_sees_nothing(login, personas, agencies, record):
    other = make_persona("outreach2", agencies["community"], Role.OUTREACH_WORKER)
    client = login(other)
    assert "北部 60代男性 A" not in client.get(reverse("outreach:caseload")).content.decode()
    assert client.get(reverse("outreach:record_detail", args=[record.pk])).status_code == 404
    assert not OutreachPlan.objects.exists()


def test_a_record_begins_from_a_consultation_the_worker_sees(login, personas):
    from tsunagu.consultations.categories import install_standard_categories
    from tsunagu.consultations.models import IssueCategory
    from tsunagu.consultations.services import consultation_record
    from tsunagu.people.services import person_create

    install_standard_categories(IssueCategory)
    worker = personas["outreach"]
    mother = person_create(
        by=worker.user, name="長森 ハル", name_kana="ナガモリ ハル", agency=worker.agency
    )
    consultation = consultation_record(
        by=worker.user,
        received_on=_today(),
        channel="phone",
        consulter_type="family",
        summary="息子が10年外に出ていない",
        outcome="handled",
        categories=[IssueCategory.objects.get(name="ひきこもり")],
        person=mother,
        consent_to_share=True,
    )
    client = login(worker)
    page = client.get(reverse("consultations:consultation_detail", args=[consultation.pk]))
    assert "アウトリーチを始める" in page.content.decode()
    url = reverse("outreach:record_create") + f"?consultation={consultation.pk}"
    assert "相談 #" in client.get(url).content.decode()
    response = client.post(
        reverse("outreach:record_create"),
        {
            "consultation": consultation.pk,
            "label": "長森さんの長男",
            "source": "family",
            "began_on": _today().isoformat(),
        },
    )
    assert response.status_code == 302
    assert OutreachRecord.objects.get(label="長森さんの長男").from_consultation == consultation
    # and the consultation's page links the record, for whom may see it
    page = client.get(reverse("consultations:consultation_detail", args=[consultation.pk]))
    assert "アウトリーチ「長森さんの長男」" in page.content.decode()
    # a desk that sees the consultation (it received a referral from it) is not shown it
    from tsunagu.consultations.services import referral_send

    referral_send(
        by=worker.user,
        consultation=consultation,
        to_agency=personas["desk"].agency,
        reason="母の介護の相談",
    )
    desk = login(personas["desk"])
    page = desk.get(reverse("consultations:consultation_detail", args=[consultation.pk]))
    assert page.status_code == 200
    assert "長森さんの長男" not in page.content.decode()
    client = login(worker)
    # the button is the outreach worker's: the office does not begin records
    office = login(personas["officer"])
    page = office.get(reverse("consultations:consultation_detail", args=[consultation.pk]))
    assert "アウトリーチを始める" not in page.content.decode()
    # a consultation of another agency cannot be named
    client = login(worker)
    hidden = consultation_record(
        by=personas["unrelated"].user,
        received_on=_today(),
        channel="phone",
        consulter_type="family",
        summary="別の相談",
        outcome="handled",
        categories=[IssueCategory.objects.get(name="ひきこもり")],
        person=person_create(
            by=personas["unrelated"].user,
            name="別 太郎",
            name_kana="ベツ タロウ",
            agency=personas["unrelated"].agency,
        ),
    )
    assert (
        client.get(reverse("outreach:record_create") + f"?consultation={hidden.pk}").status_code
        == 404
    )


def test_known_check_answers_other_agencies_with_the_office_only(personas, record):
    """Before consent the 'is this person known?' check tells another agency only whom to
    contact (the program office), never the outreach agency or its notes."""
    from tsunagu.people.selectors import known_person_check
    from tsunagu.people.services import person_create

    worker = personas["outreach"]
    son = person_create(
        by=worker.user,
        name="長森 健司",
        name_kana="ナガモリ ケンジ",
        birth_date=datetime.date(1963, 5, 2),
        agency=worker.agency,
    )
    services.record_link_person(by=worker.user, record=record, person=son)
    personas["officer"].agency.is_program_office = True
    personas["officer"].agency.save()
    result = known_person_check(
        user=personas["desk"].user,
        name="長森 健司",
        name_kana="ナガモリ ケンジ",
        birth_date=datetime.date(1963, 5, 2),
    )
    assert result.found and result.hidden_count == len(result.matches)
    assert [m.person for m in result.matches] == [None] * len(result.matches)
    assert [a.pk for a in result.contacts] == [personas["officer"].agency.pk]
    # the outreach agency itself sees its person
    mine = known_person_check(
        user=worker.user,
        name="長森 健司",
        name_kana="ナガモリ ケンジ",
        birth_date=datetime.date(1963, 5, 2),
    )
    assert mine.matches[0].person == son


def test_a_record_cannot_close_before_its_last_contact(login, personas, record):
    worker = personas["outreach"]
    services.contact_record(
        by=worker.user,
        record=record,
        occurred_on=_today() - datetime.timedelta(days=2),
        method=ContactMethod.PHONE,
        staff="支援員",
        summary="母と電話で話した",
    )
    client = login(worker)
    response = client.post(
        reverse("outreach:record_close", args=[record.pk]),
        {
            "closed_on": (_today() - datetime.timedelta(days=5)).isoformat(),
            "closure_reason": "moved",
        },
    )
    assert "最後の接触日より前にはできません" in response.content.decode()
    record.refresh_from_db()
    assert not record.is_closed


def _ready_to_hand_over(personas, agencies, record) -> dict:
    """The son identified and consenting, the council running 多機関協働: the hand-over's
    arguments (``services.handover_to_multi_agency(by=, record=, **them)``)."""
    from tsunagu.consultations.categories import install_standard_categories
    from tsunagu.consultations.models import IssueCategory
    from tsunagu.people.services import person_create

    install_standard_categories(IssueCategory)
    AgencyProgram.objects.create(agency=agencies["council"], program=Program.MULTI_AGENCY)
    worker = personas["outreach"]
    son = person_create(
        by=worker.user, name="長森 健司", name_kana="ナガモリ ケンジ", agency=worker.agency
    )
    services.record_link_person(by=worker.user, record=record, person=son)
    services.consent_record(by=worker.user, record=record, consented_on=_today(), method="signed")
    return {
        "to_agency": agencies["council"],
        "reason": "世帯全体の支援",
        "tried_with_agencies": "包括と訪問",
        "criterion_household": True,
        "categories": [IssueCategory.objects.get(name="ひきこもり")],
    }


def test_the_record_shows_where_it_stands_in_the_case_plan(login, personas, agencies, record):
    from tsunagu.cases.models import PlanItem, PlanKind, SupportDecision, SupportPlan
    from tsunagu.consultations.services import referral_accept
    from tsunagu.outreach.selectors import statutory_standing

    handover = _ready_to_hand_over(personas, agencies, record)
    worker = personas["outreach"]
    assert statutory_standing(record) is None
    referral = services.handover_to_multi_agency(by=worker.user, record=record, **handover)
    record.refresh_from_db()
    assert statutory_standing(record) is None  # not accepted yet: no case
    referral_accept(by=personas["coordinator"].user, referral=referral)
    referral.refresh_from_db()
    standing = statutory_standing(record)
    assert standing.case_id == referral.case.pk and not standing.in_plan
    case_url = reverse("cases:case_detail", args=[referral.case.pk])
    case_page = login(personas["coordinator"]).get(case_url).content.decode()
    assert 'data-testid="case-outreach-not-in-plan"' in case_page
    plan = SupportPlan.objects.create(
        case=referral.case,
        version=1,
        kind=PlanKind.INITIAL,
        goals="外に出る",
        policy="関係づくり",
        created_by=personas["coordinator"].user,
    )
    PlanItem.objects.create(
        plan=plan,
        issue="ひきこもり",
        action="手紙と訪問",
        agency=worker.agency,
        statutory_service="outreach",
    )
    standing = statutory_standing(record)
    assert standing.in_plan and not standing.counts
    case_page = login(personas["coordinator"]).get(case_url).content.decode()
    assert 'data-testid="case-outreach-awaiting-decision"' in case_page
    page = login(worker).get(reverse("outreach:record_detail", args=[record.pk])).content.decode()
    assert "支援決定を待っています" in page
    SupportDecision.objects.create(
        plan=plan,
        decided_on=_today(),
        decision_number="重支第9号",
        decided_by=personas["officer"].user,
    )
    assert statutory_standing(record).counts
    page = login(worker).get(reverse("outreach:record_detail", args=[record.pk])).content.decode()
    assert "支援決定済み" in page and "重支第9号" in page


def test_a_returned_handover_is_followed_to_its_resend_and_may_be_made_again(
    login, personas, agencies, record
):
    """差戻し then 再送: the record follows the referral that now carries the hand-over, the
    new case shows the outreach history, and after a return the worker may hand over again."""
    from tsunagu.consultations.services import referral_accept, referral_resend, referral_return
    from tsunagu.outreach.selectors import current_handover, statutory_standing

    handover = _ready_to_hand_over(personas, agencies, record)
    worker, coordinator = personas["outreach"], personas["coordinator"]
    first = services.handover_to_multi_agency(by=worker.user, record=record, **handover)
    referral_return(by=coordinator.user, referral=first, reason="世帯の状況をもう少し")
    record.refresh_from_db()
    assert current_handover(record).status == "returned"
    page = login(worker).get(reverse("outreach:record_detail", args=[record.pk])).content.decode()
    assert 'data-testid="outreach-handover-returned"' in page and "世帯の状況をもう少し" in page
    assert 'data-testid="outreach-handover-link"' in page  # may hand over again

    again = referral_resend(
        by=worker.user, referral=first, to_agency=agencies["council"], reason="状況を追記"
    )
    assert current_handover(record) == again
    page = login(worker).get(reverse("outreach:record_detail", args=[record.pk])).content.decode()
    assert f"つなぎ #{again.pk}" in page and f"最初のつなぎ #{first.pk}" in page
    assert 'data-testid="outreach-handover-link"' not in page
    with pytest.raises(OutreachRuleError, match=f"つなぎ #{again.pk}"):
        services.handover_to_multi_agency(by=worker.user, record=record, **handover)
    referral_accept(by=coordinator.user, referral=again)
    again.refresh_from_db()
    case = again.case
    assert statutory_standing(record).case_id == case.pk
    case_page = login(coordinator).get(reverse("cases:case_detail", args=[case.pk]))
    assert record.label in case_page.content.decode()
    read = AuditEvent.objects.filter(action="case.view", target_id=str(case.pk)).latest("seq")
    assert read.context["outreach"] == [record.pk]  # the outreach history read is audited
    answer = login(worker).get(f"/api/v1/outreach/records/{record.pk}").json()
    assert answer["handover_referral_id"] == first.pk
    assert answer["current_handover_referral_id"] == again.pk
    assert answer["current_handover_status"] == "accepted"
    # the person is connected: the record closes naming the referral that connected them
    client = login(worker)
    close = client.get(reverse("outreach:record_close", args=[record.pk])).content.decode()
    assert f'<option value="{again.pk}">#{again.pk} ' in close
    response = client.post(
        reverse("outreach:record_close", args=[record.pk]),
        {
            "closed_on": _today().isoformat(),
            "closure_reason": "connected",
            "connected_referral": str(again.pk),
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.connected_referral, record.connected_agency) == (again, agencies["council"])
    page = client.get(reverse("outreach:record_detail", args=[record.pk])).content.decode()
    assert 'data-testid="outreach-connected-referral"' in page


def test_after_a_return_a_new_handover_replaces_the_first(login, personas, agencies, record):
    from tsunagu.consultations.services import referral_return
    from tsunagu.outreach.selectors import current_handover

    handover = _ready_to_hand_over(personas, agencies, record)
    worker = personas["outreach"]
    first = services.handover_to_multi_agency(by=worker.user, record=record, **handover)
    referral_return(by=personas["coordinator"].user, referral=first, reason="対象外")
    record.refresh_from_db()
    second = services.handover_to_multi_agency(by=worker.user, record=record, **handover)
    record.refresh_from_db()
    assert record.handover_referral == second and current_handover(record) == second
    assert record.events.filter(kind="handover").count() == 2


def test_the_handover_form_is_prefilled_from_the_record(login, personas, record):
    worker = personas["outreach"]
    record.household_hint = "80代の母と二人"
    record.save()
    for days in (20, 10):
        services.contact_record(
            by=worker.user,
            record=record,
            occurred_on=_today() - datetime.timedelta(days=days),
            method=ContactMethod.LETTER,
            staff="支援員",
            summary="手紙",
        )
    page = login(worker).get(reverse("outreach:handover", args=[record.pk])).content.decode()
    assert "10年ほど外出していない様子" in page  # the reason: what is known
    assert "接触2回（手紙を置いた・送った2回）" in page
    assert (
        'name="criterion_household" class="form-check-input" id="id_criterion_household" checked'
        in page
    )
    assert 'data-testid="outreach-criteria-why"' in page and "①：世帯について" in page
    suggestion = login(worker).get(f"/api/v1/outreach/records/{record.pk}").json()
    assert suggestion["suggested_criteria"]["household"] is True
    assert suggestion["suggested_criteria"]["why"][0].startswith("①")


def test_every_contact_pages_and_leaves_for_excel(login, personas, record):
    worker = personas["outreach"]
    for days in range(27, 0, -1):
        services.contact_record(
            by=worker.user,
            record=record,
            occurred_on=_today() - datetime.timedelta(days=days),
            method=ContactMethod.LETTER,
            staff="支援員",
            summary=f"手紙 {days}日前",
        )
    client = login(worker)
    url = reverse("outreach:contact_list", args=[record.pk])
    first = client.get(url).content.decode()
    assert first.count('data-testid="contact-row"') == 25 and "手紙 1日前" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert second.count('data-testid="contact-row"') == 2 and "手紙 27日前" in second
    rows, notes, _sheet = xlsx(client.get(url, {"export": "xlsx"}))
    assert rows[0] == list(export.CONTACT_HEADER) and notes["件数"] == 27
    assert notes["対象"] == record.label
    assert rows[1][1] == "手紙を置いた・送った" and rows[1][3] == "手紙 1日前"
    lines = csv_rows(client.get(url, {"export": "csv"}))
    assert [line[1] for line in lines[1:]].count("手紙を置いた・送った") == 27
    (event,) = AuditEvent.objects.filter(action="outreach.contact_list", context__export="csv")
    assert event.context["rows"] == 27 and event.context["outreach"] == record.pk
    # the unrelated agency: not found; a meeting member would see no contacts either
    assert login(personas["unrelated"]).get(url).status_code == 404


def test_the_record_sheet_prints_as_a_pdf(login, personas, record):
    worker = personas["outreach"]
    services.contact_record(
        by=worker.user,
        record=record,
        occurred_on=_today(),
        method=ContactMethod.VISIT_FAMILY,
        staff="支援員",
        summary="母が玄関に出た",
    )
    url = reverse("outreach:record_sheet_pdf", args=[record.pk])
    response = login(worker).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="outreach.print", target_id=str(record.pk)).exists()
    assert login(personas["unrelated"]).get(url).status_code == 404


def test_the_printed_sheet_leaves_the_informant_out(login, personas, record, monkeypatch):
    """The sheet goes out on home visits: the informant (a neighbour, a 民生委員) stays on the
    record's own page."""
    from tsunagu.meetings import pdf

    printed = []
    real = pdf.render_pdf
    monkeypatch.setattr(
        pdf, "render_pdf", lambda html, **kw: printed.append(html) or real(html, **kw)
    )
    url = reverse("outreach:record_sheet_pdf", args=[record.pk])
    assert login(personas["outreach"]).get(url).status_code == 200
    (html,) = printed
    assert record.label in html and "記録あり（システムの画面で確認）" in html
    assert "民生委員 田中" not in html and "090-0000-0000" not in html


def test_the_link_page_leads_to_asking_the_office(login, personas, record):
    client = login(personas["outreach"])
    page = client.get(reverse("outreach:person_link", args=[record.pk])).content.decode()
    assert 'data-testid="identify-request-link"' in page
    url = reverse("outreach:identify_request", args=[record.pk])
    empty = client.post(url, {"note": ""})
    assert "事務局に伝えることを入力してください" in empty.content.decode()
    assert not record.events.filter(kind="identify_request").exists()
    response = client.post(url, {"note": "母の話では長森健司"})
    assert response.status_code == 302
    assert record.events.filter(kind="identify_request").count() == 1
    assert login(personas["unrelated"]).get(url).status_code == 404


def test_a_record_begun_from_an_agenda_item_is_linked_from_the_meeting(login, personas):
    worker = personas["outreach"]
    meeting = _meeting(personas, MeetingKind.CONFERENCE)
    MeetingMember.objects.create(meeting=meeting, user=worker.user, name="支援員")
    MeetingMember.objects.create(meeting=meeting, user=personas["desk"].user, name="包括")
    item = AgendaItem.objects.create(
        meeting=meeting, order=1, purpose="information", title="北部の見守りの報告"
    )
    client = login(worker)
    response = client.post(
        reverse("outreach:record_create") + f"?agenda_item={item.pk}",
        {
            "label": "北部 70代女性 E",
            "source": "meeting",
            "began_on": _today().isoformat(),
            "agenda_item": str(item.pk),
            "assigned_to": str(worker.user.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = OutreachRecord.objects.get(label="北部 70代女性 E")
    assert record.from_agenda_item == item
    meeting_url = reverse("meetings:meeting_detail", args=[meeting.pk])
    page = client.get(meeting_url).content.decode()
    assert "アウトリーチ「北部 70代女性 E」を開始" in page
    assert reverse("outreach:record_detail", args=[record.pk]) in page
    # another member of the meeting does not learn of the record
    other = login(personas["desk"]).get(meeting_url).content.decode()
    assert "北部の見守りの報告" in other and "北部 70代女性 E" not in other


def test_the_record_leads_to_the_identified_persons_household(login, personas, record):
    from tsunagu.people import services as people_services

    worker = personas["outreach"].user
    son = people_services.person_create(by=worker, name="長森 健司", name_kana="ナガモリ ケンジ")
    mother = people_services.person_create(by=worker, name="長森 トメ", name_kana="ナガモリ トメ")
    home = people_services.household_create(by=worker, label="長森家")
    people_services.household_add_member(by=worker, household=home, person=son, relation="child")
    people_services.household_add_member(by=worker, household=home, person=mother, relation="head")
    client = login(personas["outreach"])
    url = reverse("outreach:record_detail", args=[record.pk])
    assert 'data-testid="outreach-household"' not in client.get(url).content.decode()
    services.record_link_person(by=worker, record=record, person=son)
    page = client.get(url).content.decode()
    assert reverse("people:household_detail", args=[home.pk]) in page and "長森家" in page
    read = AuditEvent.objects.filter(action="outreach.view").latest("seq")
    assert read.context["households"] == [home.pk]
    answer = client.get(f"/api/v1/outreach/records/{record.pk}").json()
    assert answer["households"] == [{"id": home.pk, "label": "長森家"}]
