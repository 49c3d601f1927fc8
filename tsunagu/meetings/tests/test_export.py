"""The meetings' list as a file: cell by cell with the 和暦 start, the filters, only the
meetings the agency may see, one audited read per file."""

import datetime

import pytest
from django.urls import reverse

from tsunagu.audit.models import AuditEvent
from tsunagu.common.tests.exports import as_dict, csv_rows, xlsx

from .conftest import make_meeting

pytestmark = pytest.mark.django_db


def test_the_meetings_leave_as_xlsx_cell_by_cell(login, personas, conference, confidential):
    conference.series = "=1+1"
    conference.save(update_fields=["series"])
    response = login(personas["coordinator"]).get(
        reverse("meetings:meeting_list"), {"export": "xlsx"}
    )
    rows, notes, sheet = xlsx(response)
    header = rows[0]
    assert header[:4] == ["会議番号", "開催日時", "開催日時（和暦）", "会議名"]
    assert len(rows) == 3 and notes["件数"] == 2
    line = next(n for n, r in enumerate(rows) if r[0] == conference.pk)
    row = as_dict(header, rows[line])
    assert row["開催日時"] == datetime.datetime(2026, 12, 8, 14, 0)
    assert row["開催日時（和暦）"] == "令和8年12月8日 14:00"
    assert row["会議名"] == "重層的支援会議（12月定例）"
    assert row["種類"] == conference.get_kind_display()
    assert row["開催区分"] == conference.get_schedule_display()
    assert row["場所・接続先"] == "市役所 第3会議室"
    assert row["招集する機関"] == "福祉まるごと支援員（社協）"
    assert row["定例会議の系列"] == "=1+1"
    series = header.index("定例会議の系列") + 1
    assert sheet.cell(row=line + 1, column=series).data_type == "s"
    assert row["中止"] is None and row["議題の数"] == 0


def test_the_filters_and_the_agency_limit_the_csv(login, personas, conference, confidential):
    client = login(personas["coordinator"])
    url = reverse("meetings:meeting_list")
    rows = csv_rows(client.get(url, {"export": "csv", "schedule": "ad_hoc"}))
    assert [r[3] for r in rows[1:]] == ["支援会議（12月）"]
    assert rows[1][1:3] == ["2026-12-08 14:00:00", "令和8年12月8日 14:00"]
    (event,) = AuditEvent.objects.filter(action="meeting.list")
    assert event.context == {
        "schedule": "ad_hoc",
        "export": "csv",
        "list": "会議一覧",
        "rows": 1,
    }
    assert event.actor == personas["coordinator"].user
    other = make_meeting(personas, "conference", "住宅課の会議")
    other.convening_agency = personas["unrelated"].agency
    other.save(update_fields=["convening_agency"])
    mine = csv_rows(login(personas["unrelated"]).get(url, {"export": "csv"}))
    assert [r[3] for r in mine[1:]] == ["住宅課の会議"]


def test_the_list_links_both_files(login, personas, conference):
    text = login(personas["coordinator"]).get(
        reverse("meetings:meeting_list"), {"kind": "conference"}
    )
    assert 'href="?kind=conference&amp;export=csv"' in text.content.decode()
