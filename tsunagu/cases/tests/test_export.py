"""The cases' list and a case's plans as files: cell by cell with 和暦 dates, the filters, only
what the agency may see, one audited read per file."""

import datetime

import pytest
from django.urls import reverse

from tsunagu.audit.models import AuditEvent
from tsunagu.cases.tests.conftest import give_consent
from tsunagu.common.tests.exports import as_dict, csv_rows, xlsx
from tsunagu.common.wareki import format_wareki

from .flow import draft_plan, to_planning

pytestmark = pytest.mark.django_db


def test_the_cases_leave_as_xlsx_cell_by_cell(login, personas, case, household_8050):
    response = login(personas["coordinator"]).get(reverse("cases:case_list"), {"export": "xlsx"})
    rows, notes, sheet = xlsx(response)
    header = rows[0]
    assert header[:3] == ["事例番号", "受付日", "受付日（和暦）"]
    assert sheet.freeze_panes == "A2" and notes["件数"] == 1
    row = as_dict(header, rows[1])
    assert row["事例番号"] == case.pk
    opened = case.opened_on
    assert row["受付日"] == datetime.datetime(opened.year, opened.month, opened.day)
    assert row["受付日（和暦）"] == format_wareki(opened)
    assert row["本人ID"] == household_8050["mother"].pk
    assert row["本人"] == "山田 フミ" and row["世帯"] == "山田世帯"
    assert row["状態"] == "インテーク（利用申込・同意の確認）"
    assert row["緊急"] == "緊急"
    assert row["つなぎ元"] == "地域包括支援センター中央"
    assert row["多機関協働事業者"] == "福祉まるごと支援員（社協）"
    assert row["担当コーディネーター"] == "coordinator さん"
    assert row["同意"] == "なし"
    assert row["終結日"] is None
    (event,) = AuditEvent.objects.filter(action="case.list")
    assert event.context["export"] == "xlsx" and event.context["rows"] == 1
    assert event.person_ids == sorted([household_8050["mother"].pk, household_8050["son"].pk])


def test_the_filters_and_the_agency_limit_the_csv(login, personas, case):
    client = login(personas["coordinator"])
    url = reverse("cases:case_list")
    assert len(csv_rows(client.get(url, {"export": "csv", "status": "intake"}))) == 2
    assert len(csv_rows(client.get(url, {"export": "csv", "status": "closed"}))) == 1
    assert len(csv_rows(client.get(url, {"export": "csv", "q": "佐藤"}))) == 1
    events = AuditEvent.objects.filter(action="case.list").order_by("seq")
    assert [(e.context.get("status"), e.context["rows"]) for e in events] == [
        ("intake", 1),
        ("closed", 0),
        (None, 0),
    ]
    assert events[2].context["q"] == "佐藤" and events[2].person_ids == []
    unrelated = login(personas["unrelated"]).get(url, {"export": "csv"})
    assert csv_rows(unrelated)[1:] == []


def test_the_case_list_links_both_files(login, personas, case):
    html = login(personas["coordinator"]).get(reverse("cases:case_list"), {"q": "山田"})
    text = html.content.decode()
    assert "Excelで出力" in text and 'href="?q=%E5%B1%B1%E7%94%B0&amp;export=xlsx"' in text


@pytest.fixture
def plan(personas, consented_case, agencies):
    give_consent(personas, consented_case, agencies["council"], agencies["houkatsu"])
    case = to_planning(personas, consented_case)
    plan = draft_plan(personas, case, agencies)
    plan.goals = "=1+1"
    plan.save(update_fields=["goals"])
    return plan


def test_a_cases_plans_leave_one_row_per_item(login, personas, plan, household_8050):
    url = reverse("cases:plan_list", args=[plan.case_id])
    client = login(personas["coordinator"])
    assert "CSVで出力" in client.get(url).content.decode()
    rows, notes, sheet = xlsx(client.get(url, {"export": "xlsx"}))
    header = rows[0]
    assert len(rows) == 3 and notes["件数"] == 2 and notes["事例番号"] == plan.case_id
    first = as_dict(header, rows[1])
    assert first["版"] == 1 and first["種別"] == "初回プラン" and first["状態"] == "作成中"
    assert first["作成日時（和暦）"].startswith(format_wareki(plan.created_at.date())[:3])
    assert first["本人の目標"] == "=1+1"
    assert sheet.cell(row=2, column=header.index("本人の目標") + 1).data_type == "s"
    assert first["課題"] == "母の介護負担" and first["担当機関"] == "地域包括支援センター中央"
    assert first["頻度"] == "月1回"
    assert as_dict(header, rows[2])["課題"] == "息子の社会参加"
    csv = csv_rows(client.get(url, {"export": "csv"}))
    assert as_dict(csv[0], csv[1])["本人の目標"] == "'=1+1"
    events = AuditEvent.objects.filter(action="plan.view", context__page="plan_list")
    assert [e.context.get("export") for e in events.order_by("seq")] == [None, "xlsx", "csv"]
    event = events.order_by("seq").last()
    assert event.context["rows"] == 2 and event.target_id == str(plan.case_id)
    assert household_8050["mother"].pk in event.person_ids
    assert login(personas["unrelated"]).get(url, {"export": "csv"}).status_code == 404
