"""The 気づき・通報 screens with every persona: the receiving agency and the office see a
report, the office triages it; other agencies get 404 (until it becomes a watch they see),
guests and administrators 403."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tsunagu.audit.models import AuditEvent
from tsunagu.common.tests.exports import csv_rows, xlsx

from ..models import CommunityReport
from ..services import reports as services
from .test_watches_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


def _pages(report):
    return [reverse("community:report_detail", args=[report.pk])]


@pytest.mark.parametrize("name", ["desk", "officer"])
def test_receiving_agency_and_office_see_it(login, personas, report, name):
    client = login(personas[name])
    page = client.get(reverse("community:report_list"))
    assert page.status_code == 200 and "新聞が3日分たまっている。" in page.content.decode()
    assert client.get(reverse("community:report_detail", args=[report.pk])).status_code == 200
    assert AuditEvent.objects.filter(
        action="community.report_view", target_id=str(report.pk), actor=personas[name].user
    ).exists()
    assert AuditEvent.objects.filter(
        action="community.report_list", actor=personas[name].user, context__reports=[report.pk]
    ).exists()


@pytest.mark.parametrize("name", ["unrelated", "outreach", "coordinator"])
def test_other_agencies_get_404(login, personas, report, name):
    client = login(personas[name])
    page = client.get(reverse("community:report_list"))
    assert page.status_code == 200 and not page.context["rows"]
    assert client.get(reverse("community:report_detail", args=[report.pk])).status_code == 404
    assert client.get(reverse("community:report_triage", args=[report.pk])).status_code == 404


@pytest.mark.parametrize("name", ["guest", "admin", "participation"])
def test_roles_outside_watching_get_403(login, personas, report, name):
    client = login(personas[name])
    assert client.get(reverse("community:report_list")).status_code == 403
    assert client.get(reverse("community:report_detail", args=[report.pk])).status_code == 403


def test_only_the_office_triages(login, personas, report):
    client = login(personas["desk"])
    assert client.get(reverse("community:report_triage", args=[report.pk])).status_code == 403
    detail = client.get(reverse("community:report_detail", args=[report.pk]))
    assert not detail.context["may_triage"]


def test_record_a_report(login, personas):
    client = login(personas["desk"])
    response = client.post(
        reverse("community:report_create"),
        {
            "received_on": str(timezone.localdate() - datetime.timedelta(days=1)),
            "received_time": "09:15",
            "origin": "minsei",
            "reporter_name": "民生委員 田中",
            "what": "夜に大声が聞こえる",
            "place": "中央2丁目",
        },
    )
    report = CommunityReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("community:report_detail", args=[report.pk])
    assert timezone.localtime(report.received_at).time() == datetime.time(9, 15)
    tomorrow = str(timezone.localdate() + datetime.timedelta(days=1))
    page = client.post(
        reverse("community:report_create"),
        {"received_on": tomorrow, "origin": "resident", "what": "x"},
    )
    assert "受付日時に未来の日時は指定できません。" in page.content.decode()
    assert page.context["form"].errors["received_on"]
    assert CommunityReport.objects.count() == 1
    assert report.agency == personas["desk"].agency


def test_a_report_heard_at_an_activity_links_it(login, personas, city):
    from ..models import Activity, ActivityKind

    salon = Activity.objects.create(
        kind=ActivityKind.objects.get(code="salon"),
        title="中央ふれあいサロン",
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        area=city,
        place_text="中央公民館",
        created_by=personas["community"].user,
    )
    old = Activity.objects.create(
        kind=ActivityKind.objects.get(code="salon"),
        title="去年のサロン",
        starts_at=timezone.now() - datetime.timedelta(days=400),
        area=city,
        created_by=personas["community"].user,
    )
    client = login(personas["community"])
    page = client.get(reverse("community:report_create"), {"activity": salon.pk})
    form = page.context["form"]
    assert form.initial["activity"] == salon.pk and form.initial["place"] == "中央公民館"
    assert old.pk not in form.fields["activity"].objects  # only the last 60 days'
    response = client.post(
        reverse("community:report_create"),
        {
            "received_on": str(timezone.localdate()),
            "origin": "resident",
            "what": "隣の方をこの1週間見かけない",
            "activity": str(salon.pk),
        },
    )
    report = CommunityReport.objects.get()
    assert response.status_code == 302 and report.activity == salon
    detail = client.get(reverse("community:report_detail", args=[report.pk])).content.decode()
    assert 'data-testid="report-activity"' in detail and "中央ふれあいサロン" in detail
    refused = client.post(
        reverse("community:report_create"),
        {
            "received_on": str(timezone.localdate()),
            "origin": "resident",
            "what": "x",
            "activity": "999999",
        },
    )
    assert refused.status_code == 200 and CommunityReport.objects.count() == 1
    assert "気づいた地域づくり活動を選択肢から選んでください。" in refused.content.decode()


def test_report_errors_in_japanese(login, personas):
    client = login(personas["desk"])
    page = client.post(
        reverse("community:report_create"),
        {"received_on": str(timezone.localdate()), "origin": "resident", "what": ""},
    )
    assert "気づいたことを入力してください。" in page.content.decode()
    assert not CommunityReport.objects.exists()


def test_untriaged_first_and_overdue_flagged(login, personas, keeper, report):
    old = services.report_record(
        by=keeper,
        received_at=timezone.now() - datetime.timedelta(days=10),
        origin="resident",
        what="古い通報",
    )
    done = services.report_record(
        by=keeper,
        received_at=timezone.now() - datetime.timedelta(days=20),
        origin="resident",
        what="済み",
    )
    services.report_triage(
        by=personas["officer"].user, report=done, triage="no_action", no_action_reason="誤報"
    )
    rows = login(personas["desk"]).get(reverse("community:report_list")).context["rows"]
    assert [r.pk for r in rows] == [old.pk, report.pk, done.pk]
    assert [r.overdue for r in rows] == [True, False, False]


def test_triage_no_action_needs_a_reason_then_once(login, personas, report):
    client = login(personas["officer"])
    url = reverse("community:report_triage", args=[report.pk])
    assert client.get(url).status_code == 200
    page = client.post(url, {"triage": "no_action"})
    assert "対応しない理由を入力してください。" in page.content.decode()
    report.refresh_from_db()
    assert report.triage == ""
    response = client.post(url, {"triage": "no_action", "no_action_reason": "既に家族が対応"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.triage == "no_action"
    again = client.get(url)
    assert again.status_code == 302  # triaged once: back to the report with the rule


def test_triage_into_a_watch_shows_it_to_the_watch_keeper(login, personas, report, agencies):
    client = login(personas["officer"])
    client.post(
        reverse("community:report_triage", args=[report.pk]),
        {
            "triage": "watch",
            "agency": agencies["csw"].pk,
            "watch_label": "3丁目 新聞の方",
            "watch_frequency": "weekly",
        },
    )
    report.refresh_from_db()
    assert report.watch.agency == agencies["csw"]
    csw = login(personas["outreach"])
    assert csw.get(reverse("community:report_detail", args=[report.pk])).status_code == 200


def test_triage_with_an_unknown_outreach_number(login, personas, report):
    page = login(personas["officer"]).post(
        reverse("community:report_triage", args=[report.pk]),
        {"triage": "outreach", "outreach_record": "9999"},
    )
    assert "この番号のアウトリーチ対象は見つかりません。" in page.content.decode()


def test_export(login, personas, report):
    client = login(personas["officer"])
    response = client.get(reverse("community:report_list"), {"export": "xlsx"})
    assert "reports_" in response["Content-Disposition"]
    values, notes, sheet = xlsx(response)
    assert sheet.title == "気づき・通報" and values[0][:3] == ["番号", "受付日時", "受け付けた機関"]
    assert sheet.cell(2, 10).value == report.what and notes["件数"] == 1
    assert values[1][0] == report.pk and values[1][10] == "未振り分け"
    rows = csv_rows(client.get(reverse("community:report_list"), {"export": "csv"}))
    assert rows[1][0] == str(report.pk) and rows[1][9] == report.what
    (event,) = AuditEvent.objects.filter(action="community.report_list", context__export="xlsx")
    assert event.context["rows"] == 1
    assert event.person_ids == ([report.person_id] if report.person_id else [])


def test_triage_into_a_consultation_with_a_person_found(
    login, personas, report, person, agencies, category
):
    client = login(personas["officer"])
    url = reverse("community:report_triage", args=[report.pk])
    page = client.get(url, {"q": "山田"})
    assert (str(person.pk), person.name) in [
        (str(v), str(label)) for v, label in page.context["form"].fields["person"].choices
    ]
    response = client.post(
        url,
        {
            "triage": "consultation",
            "person": person.pk,
            "agency": agencies["houkatsu"].pk,
            "categories": [category.pk],
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.triage == "consultation" and report.consultation.person == person
