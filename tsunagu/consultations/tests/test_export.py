"""The consultations' and the referrals' lists as files: every row the filters find, cell by
cell, in ISO and 和暦; only what the agency may see; one audited read per file."""

import datetime

import pytest
from django.urls import reverse

from tsunagu.audit.models import AuditEvent
from tsunagu.common.tests.exports import as_dict, csv_rows, xlsx
from tsunagu.consultations import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def formula(personas, household_8050, categories):
    """A consultation whose summary Excel would read as a formula."""
    return services.consultation_record(
        by=personas["desk"].user,
        received_on=datetime.date(2026, 4, 1),
        channel="phone",
        consulter_type="self",
        person=household_8050["son"],
        categories=[categories["hikikomori"]],
        summary="=1+1",
        outcome="handled",
    )


@pytest.fixture
def referral(personas, agencies, consultation, household_8050):
    return services.referral_send(
        by=personas["desk"].user,
        consultation=consultation,
        to_agency=agencies["csw"],
        person=household_8050["son"],
        reason="ひきこもりの息子さんへの訪問をお願いします。",
    )


def test_the_consultations_leave_as_xlsx_cell_by_cell(
    login, personas, consultation, formula, referral, household_8050
):
    response = login(personas["desk"]).get(
        reverse("consultations:consultation_list"), {"export": "xlsx"}
    )
    rows, notes, sheet = xlsx(response)
    header = rows[0]
    assert header[:4] == ["相談番号", "受付日", "受付日（和暦）", "受付機関"]
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert len(rows) == 3 and notes["件数"] == 2
    first = as_dict(header, rows[1])  # newest first
    assert first["相談番号"] == consultation.pk
    assert first["受付日"] == datetime.datetime(2026, 11, 20)
    assert first["受付日（和暦）"] == "令和8年11月20日"
    assert first["受付機関"] == "地域包括支援センター中央"
    assert first["受付者"] == "desk さん"
    assert first["相談経路"] == "来所"
    assert first["相談者"] == "家族"
    assert first["相談者氏名"] == "山田 フミ"
    assert first["本人との関係"] == "母"
    assert first["本人ID"] == household_8050["mother"].pk
    assert first["本人"] == "山田 フミ"
    assert first["世帯"] == "山田世帯"
    assert first["最も困っていること"] == "8050問題"
    assert first["相談内容"].startswith("8050問題・")
    assert (
        first["相談内容（概要）"] == "母の介護が必要になり、長年ひきこもっている息子の今後が心配。"
    )
    assert first["情報共有への同意"] == "あり"
    assert first["対応結果"] == "他機関へつなぎ"
    assert first["つなぎ件数"] == 1
    second = as_dict(header, rows[2])
    assert second["相談内容（概要）"] == "=1+1"
    assert sheet.cell(row=3, column=header.index("相談内容（概要）") + 1).data_type == "s"
    assert second["受付日（和暦）"] == "令和8年4月1日"
    assert response["Content-Disposition"].startswith('attachment; filename="consultations_')


def test_the_consultations_leave_as_csv_with_a_bom_and_the_filters(
    login, personas, consultation, formula
):
    response = login(personas["desk"]).get(
        reverse("consultations:consultation_list"),
        {"export": "csv", "date_from": "R8.4.1", "date_to": "R8.4.30"},
    )
    rows = csv_rows(response)
    assert len(rows) == 2  # the November consultation is filtered out
    row = as_dict(rows[0], rows[1])
    assert row["相談番号"] == str(formula.pk)
    assert row["受付日"] == "2026-04-01" and row["受付日（和暦）"] == "令和8年4月1日"
    assert row["相談内容（概要）"] == "'=1+1"
    assert "母の介護" not in response.getvalue().decode("utf-8-sig")
    event = AuditEvent.objects.get(action="consultation.list")
    assert event.actor == personas["desk"].user
    assert event.context["export"] == "csv" and event.context["rows"] == 1
    assert event.context["list"] == "相談一覧"
    assert event.context["date_from"] == "2026-04-01" and event.context["date_to"] == "2026-04-30"
    assert event.person_ids == [formula.person_id]


def test_one_audited_read_names_every_person_of_the_file(
    login, personas, consultation, formula, household_8050
):
    login(personas["desk"]).get(reverse("consultations:consultation_list"), {"export": "xlsx"})
    event = AuditEvent.objects.get(action="consultation.list")
    assert event.context["rows"] == 2 and event.context["export"] == "xlsx"
    # the household consultation concerns every current member
    assert event.person_ids == sorted([household_8050["mother"].pk, household_8050["son"].pk])


def test_an_unrelated_agency_exports_nothing_it_cannot_see(login, personas, consultation):
    client = login(personas["unrelated"])
    rows = csv_rows(client.get(reverse("consultations:consultation_list"), {"export": "csv"}))
    assert rows == [rows[0]]
    xrows, notes, _ = xlsx(
        client.get(reverse("consultations:consultation_list"), {"export": "xlsx"})
    )
    assert len(xrows) == 1 and notes["件数"] == 0
    event = AuditEvent.objects.filter(action="consultation.list").latest("seq")
    assert event.context["rows"] == 0 and event.person_ids == []


def test_the_list_offers_both_files_with_its_filters(login, personas, consultation):
    page = login(personas["desk"]).get(
        reverse("consultations:consultation_list"), {"q": "山田", "page": 1}
    )
    text = page.content.decode()
    assert "Excelで出力" in text and "CSVで出力" in text
    assert 'href="?q=%E5%B1%B1%E7%94%B0&amp;export=xlsx"' in text


def test_the_referrals_leave_with_their_box_and_status(login, personas, referral, household_8050):
    client = login(personas["desk"])
    url = reverse("consultations:referral_list")
    rows, notes, _ = xlsx(client.get(url, {"box": "outbox", "export": "xlsx"}))
    header = rows[0]
    assert len(rows) == 2 and notes["条件：表示"] == "送信（自機関から）"
    row = as_dict(header, rows[1])
    assert row["つなぎ番号"] == referral.pk
    assert row["つなぎ元"] == "地域包括支援センター中央"
    assert row["つなぎ先"] == "コミュニティソーシャルワーカー"
    assert row["本人"] == "山田 一郎"
    assert row["状態"] == referral.get_status_display()
    assert row["送付日時（和暦）"].startswith("令和")
    assert row["元の相談番号"] == referral.consultation_id
    # the desk sent it: its inbox (the default) has nothing, and a status filter leaves it out
    _, inbox, _ = xlsx(client.get(url, {"export": "xlsx"}))
    assert inbox["条件：表示"] == "受信（自機関あて）" and inbox["件数"] == 0
    assert (
        len(csv_rows(client.get(url, {"box": "outbox", "status": "completed", "export": "csv"})))
        == 1
    )
    events = AuditEvent.objects.filter(action="referral.list").order_by("seq")
    assert [e.context["rows"] for e in events] == [1, 0, 0]
    assert events[1].context["box"] == "inbox"
    assert events[0].context["box"] == "outbox"
    assert events[0].person_ids == [household_8050["son"].pk]
    unrelated = login(personas["unrelated"]).get(url, {"box": "all", "export": "csv"})
    assert "山田" not in unrelated.getvalue().decode("utf-8-sig")
