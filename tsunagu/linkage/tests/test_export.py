"""The CSV imports' list and the merges' history as files: cell by cell with 和暦 moments, only
what the agency may see, one audited read per file."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tsunagu.audit.models import AuditEvent
from tsunagu.cases.tests.conftest import *  # noqa: F403
from tsunagu.common.tests.exports import as_dict, csv_rows, xlsx
from tsunagu.common.wareki import format_wareki
from tsunagu.linkage.services.merge import person_merge
from tsunagu.linkage.tests.test_import_views import (  # noqa: F401
    CSV,
    done_batch,
    make_batch,
    no_splink,
)
from tsunagu.linkage.tests.test_merge import twins  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_imports_leave_as_xlsx_cell_by_cell(personas, login):
    done = done_batch(personas["coordinator"])
    waiting = make_batch(personas["coordinator"], CSV.replace("山田 太郎", "=1+1"))
    waiting.original_filename = "=1+1.csv"
    waiting.save(update_fields=["original_filename"])
    response = login(personas["coordinator"]).get(
        reverse("linkage:import_list"), {"export": "xlsx"}
    )
    rows, notes, sheet = xlsx(response)
    header = rows[0]
    assert header[:3] == ["取込番号", "取込日時", "取込日時（和暦）"]
    assert notes["件数"] == 2
    by_id = {row[0]: as_dict(header, row) for row in rows[1:]}
    row = by_id[done.pk]
    local = timezone.localtime(done.created_at)
    assert row["取込日時"] == local.replace(tzinfo=None, microsecond=0)
    assert row["取込日時（和暦）"] == f"{format_wareki(local.date())} {local:%H:%M}"
    assert row["取込元システム"] == "介護" and row["ファイル名"] == "export.csv"
    assert row["機関"] == "福祉まるごと支援員（社協）" and row["職員"] == "coordinator さん"
    assert row["行数"] == 2 and row["状態"] == done.get_status_display()
    assert row["新規登録（候補なし）"] == 2 and row["既存の本人と一致"] == 0
    assert by_id[waiting.pk]["ファイル名"] == "=1+1.csv"
    assert by_id[waiting.pk]["新規登録（候補なし）"] is None
    name = header.index("ファイル名") + 1
    assert all(sheet.cell(row=r, column=name).data_type == "s" for r in (2, 3))
    (event,) = AuditEvent.objects.filter(action="linkage.import_list")
    assert event.context == {"export": "xlsx", "list": "CSV取込一覧", "rows": 2}


def test_another_agencys_imports_stay_out_of_the_csv(personas, login, agencies):
    from conftest import make_persona
    from tsunagu.accounts.models import Role

    batch = make_batch(personas["coordinator"])
    batch.original_filename = "=1+1.csv"
    batch.save(update_fields=["original_filename"])
    other = make_persona("coordinator2", agencies["csw"], Role.COORDINATOR)
    assert csv_rows(login(other).get(reverse("linkage:import_list"), {"export": "csv"}))[1:] == []
    rows = csv_rows(
        login(personas["officer"]).get(reverse("linkage:import_list"), {"export": "csv"})
    )
    assert len(rows) == 2 and as_dict(rows[0], rows[1])["ファイル名"] == "'=1+1.csv"
    assert (
        "CSVで出力"
        in login(personas["officer"]).get(reverse("linkage:import_list")).content.decode()
    )


def test_the_merges_leave_with_their_persons_audited(login, personas, twins):
    merge = person_merge(
        by=personas["officer"].user, survivor=twins["mother"], merged=twins["dup"], reason="=同一"
    )
    client = login(personas["coordinator"])
    assert "Excelで出力" in client.get(reverse("linkage:merge_list")).content.decode()
    rows, notes, _ = xlsx(client.get(reverse("linkage:merge_list"), {"export": "xlsx"}))
    header = rows[0]
    assert notes["件数"] == 1
    row = as_dict(header, rows[1])
    assert row["統合番号"] == merge.pk
    assert row["統合日時（和暦）"].startswith(format_wareki(timezone.localdate())[:4])
    assert row["残した記録の本人ID"] == twins["mother"].pk and row["残した記録"] == "山田 フミ"
    assert row["統合された記録の本人ID"] == twins["dup"].pk
    assert row["統合された記録"] == "山田 ふみ"
    assert row["理由"] == "=同一" and row["統合者"] == "officer さん"
    assert row["状態"] == "統合中" and row["元に戻した日時"] is None
    csv = csv_rows(client.get(reverse("linkage:merge_list"), {"export": "csv"}))
    assert as_dict(csv[0], csv[1])["理由"] == "'=同一"
    events = AuditEvent.objects.filter(action="linkage.merge_list", context__export__isnull=False)
    assert [e.context["export"] for e in events.order_by("seq")] == ["xlsx", "csv"]
    assert events.first().person_ids == sorted([twins["mother"].pk, twins["dup"].pk])
    assert events.first().context["rows"] == 1
