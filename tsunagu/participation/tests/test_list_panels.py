"""The worker's list (search, paging, Excel and CSV of the filtered list, audited), the home
page's widget of what falls due (at most ten rows and 「ほか N 件」) and the person page's
参加支援 section (only the records the viewer sees, its ids in the page's audited read)."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tsunagu.audit.models import AuditEvent
from tsunagu.cases.tests.conftest import *  # noqa: F403
from tsunagu.common import spreadsheet
from tsunagu.common.tests.exports import as_dict, csv_rows, xlsx
from tsunagu.participation import export, panels, services
from tsunagu.participation.panels import DASHBOARD_ROWS
from tsunagu.people.panels import AUDIT, render_panels
from tsunagu.people.services import person_create
from tsunagu.resources import services as directory
from tsunagu.resources.models import ResourceKind

pytestmark = pytest.mark.django_db
NAMES = ["高木", "森", "岡田", "西田", "山口", "北村", "林", "石原", "佐藤", "鈴木", "田中", "伊藤"]
KANA = ["タカギ", "モリ", "オカダ", "ニシダ", "ヤマグチ", "キタムラ", "ハヤシ", "イシハラ"]
KANA += ["サトウ", "スズキ", "タナカ", "イトウ"]


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def worker(personas):
    return personas["participation"].user


def person_of(worker, personas, n: int, given="太郎"):
    return person_create(
        by=worker,
        name=f"{NAMES[n % 12]} {given}{n}",
        name_kana=f"{KANA[n % 12]} タロウ",
        agency=personas["participation"].agency,
    )


def open_record(worker, person, goals="外に出たい"):
    return services.record_open(
        by=worker,
        person=person,
        started_on=days_ago(200),
        goals=goals,
        outside_plan_reason="参加支援だけを希望",
    )


# ------------------------------------------------------------------------------ the list


def test_export_the_filtered_list_as_csv_and_xlsx(login, personas, worker):
    takagi = open_record(worker, person_of(worker, personas, 0), goals="=1+1 人の役に立ちたい")
    mori = open_record(worker, person_of(worker, personas, 1))
    services.record_close(by=worker, record=mori, closed_on=days_ago(1), person_view="満足")
    org = directory.organization_get_or_create(by=worker, name="八百屋まるやま")
    shop = directory.resource_create(
        by=worker,
        organization=org,
        name="八百屋まるやま 品出し体験",
        kind=ResourceKind.objects.get(code="work_experience"),
        confirmed_on=timezone.localdate(),
    )
    services.match_propose(by=worker, record=takagi, resource=shop, proposed_on=days_ago(5))
    client = login(personas["participation"])
    url = reverse("participation:record_list")
    page = client.get(url, {"q": "タカギ"}).content.decode()
    assert 'data-testid="participation-export-xlsx"' in page
    assert "q=%E3%82%BF%E3%82%AB%E3%82%AE&amp;export=xlsx" in page  # the filter carries over

    answer = client.get(url, {"state": "open", "export": "csv"})
    assert "attachment" in answer["Content-Disposition"]
    assert "participation_" in answer["Content-Disposition"]
    rows = csv_rows(answer)
    assert rows[0] == list(export.HEADER)
    assert [r[1] for r in rows[1:]] == ["高木 太郎0"]
    assert rows[1][7] == "'=1+1 人の役に立ちたい"  # text, never a formula
    assert rows[1][8] == "八百屋まるやま 品出し体験（提案）" and rows[1][6] == "プラン外"
    event = AuditEvent.objects.filter(action="participation.list", context__export="csv").get()
    assert event.person_ids == [takagi.person_id]
    assert event.context["rows"] == 1 and event.context["state"] == "open"

    answer = client.get(url, {"state": "all", "export": "xlsx"})
    sheet_rows, notes, sheet = xlsx(answer)
    assert sheet.title == "参加支援の一覧" and sheet_rows[0] == list(export.HEADER)
    assert sorted(row[1] for row in sheet_rows[1:]) == ["森 太郎1", "高木 太郎0"]
    first = as_dict(sheet_rows[0], sheet_rows[2])  # newest first: 高木 was opened first
    assert first["本人"] == "高木 太郎0" and first["本人の目標"] == "=1+1 人の役に立ちたい"
    assert first["進行中のマッチング"] == "八百屋まるやま 品出し体験（提案）"
    assert first["マッチングの数"] == 1 and first["多機関協働"] == "プラン外"
    assert notes["条件"] == "状態：すべて" and notes["件数"] == 2
    event = AuditEvent.objects.filter(action="participation.list", context__export="xlsx").get()
    assert sorted(event.person_ids) == sorted([takagi.person_id, mori.person_id])
    assert event.context["rows"] == 2


def test_the_export_has_every_record_read_a_chunk_at_a_time(login, personas, worker, monkeypatch):
    for n in range(5):
        open_record(worker, person_of(worker, personas, n))
    monkeypatch.setattr(spreadsheet, "CHUNK", 2)
    client = login(personas["participation"])
    url = reverse("participation:record_list")
    rows = csv_rows(client.get(url, {"export": "csv"}))
    assert len(rows) == 1 + 5 and len({row[0] for row in rows[1:]}) == 5
    sheet_rows, notes, _sheet = xlsx(client.get(url, {"export": "xlsx"}))
    assert len(sheet_rows) == 1 + 5 and notes["件数"] == 5
    for event in AuditEvent.objects.filter(action="participation.list"):
        assert len(event.person_ids) == 5 and event.context["rows"] == 5


def test_the_export_holds_only_the_agencys_records_and_is_refused_to_others(
    login, personas, worker
):
    open_record(worker, person_of(worker, personas, 0))
    client = login(personas["officer"])  # the office exports every agency's records
    answer = client.get(reverse("participation:record_list"), {"export": "csv"})
    assert [row[1] for row in csv_rows(answer)[1:]] == ["高木 太郎0"]
    for name in ("unrelated", "desk", "coordinator"):
        client = login(personas[name])
        answer = client.get(reverse("participation:record_list"), {"export": "csv"})
        assert answer.status_code == 403, name
    assert AuditEvent.objects.filter(context__export="csv").count() == 1


def test_the_list_pages_and_searches(login, personas, worker):
    for n in range(27):
        open_record(worker, person_of(worker, personas, n))
    client = login(personas["participation"])
    url = reverse("participation:record_list")
    first = client.get(url).content.decode()
    assert "27件" in first and first.count('data-testid="participation-row"') == 25
    second = client.get(url, {"page": 2}).content.decode()
    assert second.count('data-testid="participation-row"') == 2
    found = client.get(url, {"q": "ヤマグチ"}).content.decode()
    assert found.count('data-testid="participation-row"') == 2  # n = 4 and 16
    assert "山口 太郎4" in found and "山口 太郎16" in found


# ------------------------------------------------------------------------- the home widget


def test_the_home_widget_shows_ten_rows_and_how_many_more(login, personas, worker):
    records = []
    for n in range(DASHBOARD_ROWS + 2):
        record = open_record(worker, person_of(worker, personas, n))
        services.record_close(
            by=worker, record=record, closed_on=days_ago(120 - n), person_view="満足"
        )
        records.append(record)
    client = login(personas["participation"])
    page = client.get(reverse("dashboard")).content.decode()
    assert page.count('data-testid="dashboard-participation-row"') == DASHBOARD_ROWS
    assert "ほか 2 件" in page and 'data-testid="dashboard-participation-more"' in page
    assert reverse("participation:dues_list") in page
    assert f'<span class="badge text-bg-primary">{DASHBOARD_ROWS + 2}</span>' in page
    event = AuditEvent.objects.filter(action="dashboard.view", context__panel="participation")
    shown = event.get().context["participation"]
    assert len(shown) == DASHBOARD_ROWS  # the read covers the rows shown
    assert sorted(shown) == sorted(r.pk for r in records[:DASHBOARD_ROWS])


def test_a_short_list_has_no_more_link(login, personas, worker):
    record = open_record(worker, person_of(worker, personas, 0))
    services.record_close(by=worker, record=record, closed_on=days_ago(100), person_view="満足")
    page = login(personas["participation"]).get(reverse("dashboard")).content.decode()
    assert page.count('data-testid="dashboard-participation-row"') == 1
    assert 'data-testid="dashboard-participation-more"' not in page


# --------------------------------------------------------------------- the person page panel


def test_the_person_panel_shows_the_records_the_viewer_sees(personas, worker):
    person = person_of(worker, personas, 0)
    record = open_record(worker, person)
    answer = panels.person_panel(worker, person)
    assert [r.pk for r in answer["participation_records"]] == [record.pk]
    assert answer[AUDIT] == {"participation": [record.pk]}
    context, audited = render_panels([panels.person_panel], personas["officer"].user, person)
    assert audited == {"participation": [record.pk]}
    html = render_to_string("participation/_person_panel.html", context)
    assert 'data-testid="person-participation-panel"' in html
    assert reverse("participation:record_detail", args=[record.pk]) in html
    assert "マッチング 0件" in html
    # the colleague of the agency sees it; other agencies see nothing
    assert panels.person_panel(personas["coordinator"].user, person)
    for name in ("unrelated", "desk", "outreach"):
        assert panels.person_panel(personas[name].user, person) == {}, name


def test_the_list_shows_ten_dues_and_the_dues_page_all_of_them(login, personas, worker):
    for n in range(DASHBOARD_ROWS + 3):
        record = open_record(worker, person_of(worker, personas, n))
        services.record_close(
            by=worker, record=record, closed_on=days_ago(120 - n), person_view="満足"
        )
    client = login(personas["participation"])
    page = client.get(reverse("participation:record_list"), {"state": "all"}).content.decode()
    assert 'data-testid="participation-due"' not in page  # the list does not wait for them
    page = client.get(reverse("participation:dues_list"), {"panel": 1}).content.decode()
    assert page.count('data-testid="participation-due"') == 10
    event = AuditEvent.objects.filter(action="participation.list").latest("pk")
    assert len(event.person_ids) == 10 and event.context["panel"] == "list"
    assert "ほか 3 件（すべて見る）" in page
    assert reverse("participation:dues_list") in page
    response = client.get(reverse("participation:dues_list"))
    body = response.content.decode()
    assert response.status_code == 200 and body.count('data-testid="participation-due"') == 13
    assert "13件" in body and "期限超過 13件" in body
    event = AuditEvent.objects.filter(action="participation.list").latest("pk")
    assert len(event.person_ids) == 13 and event.context["dues"] == 13
    for name in ("unrelated", "desk", "coordinator"):
        assert login(personas[name]).get(reverse("participation:dues_list")).status_code == 403
