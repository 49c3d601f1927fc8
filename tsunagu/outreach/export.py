"""The caseload as a file an office opens in Excel: .xlsx, or CSV with a BOM (Excel reads
UTF-8 CSV correctly only with it). Text is always text: a label beginning with ``=`` is no
formula."""

from __future__ import annotations

import csv
from io import BytesIO, StringIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from tsunagu.common.wareki import format_wareki

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = (
    "番号",
    "緊急",
    "呼び名",
    "本人",
    "実施機関",
    "段階",
    "同意",
    "開始日",
    "初回面会日",
    "最後の接触日",
    "接触からの日数",
    "次の予定",
    "次の予定日",
    "注意",
    "終了日",
)


def _day(value) -> str:
    return format_wareki(value) if value else ""


def rows(records) -> list[list]:
    out = []
    for r in records:
        flags = []
        if r.overdue:
            flags.append("予定日超過")
        if r.silent:
            flags.append("長く接触なし")
        out.append(
            [
                r.pk,
                "緊急" if r.is_urgent else "",
                r.label,
                r.person.name if r.person_id else "（未特定）",
                r.agency.name,
                r.get_stage_display(),
                r.consent_label,
                _day(r.began_on),
                _day(r.first_met_on),
                _day(r.last_contact_on),
                r.days_since_contact,
                r.next_action,
                _day(r.next_action_on),
                "・".join(flags),
                _day(r.closed_on),
            ]
        )
    return out


def _safe(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def as_csv(records) -> bytes:
    buffer = StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for row in rows(records):
        writer.writerow([_safe(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(records) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "アウトリーチ担当一覧"
    sheet.append(list(HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows(records):
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    for column, width in zip(
        "ABCDEFGHIJKLMNO", (7, 6, 24, 16, 24, 12, 8, 16, 16, 16, 8, 28, 16, 16, 16), strict=True
    ):
        sheet.column_dimensions[column].width = width
    stamp = book.create_sheet("説明")
    stamp.append(["作成日時", timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    stamp.append(["件数", len(records)])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
