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


CONTACT_HEADER = (
    "実施日",
    "方法",
    "実施した職員",
    "内容・様子",
    "本人に届いた",
    "次の予定",
    "次の予定日",
    "記録した機関",
)


def contact_rows(contacts) -> list[list]:
    return [
        [
            _day(c.occurred_on),
            c.get_method_display(),
            c.staff,
            c.summary,
            "○" if c.reached_person else "",
            c.next_action,
            _day(c.next_action_on),
            c.agency.name,
        ]
        for c in contacts
    ]


def contacts_csv(record, contacts) -> bytes:
    buffer = StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CONTACT_HEADER)
    for row in contact_rows(contacts):
        writer.writerow([_safe(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def contacts_xlsx(record, contacts) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "接触記録"
    sheet.append(list(CONTACT_HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in contact_rows(contacts):
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGH", (16, 20, 16, 60, 8, 28, 16, 24), strict=True):
        sheet.column_dimensions[column].width = width
    about = book.create_sheet("説明")
    about.append(["対象", record.label])
    about.append(["実施機関", record.agency.name])
    about.append(["作成日時", timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    about.append(["件数", len(contacts)])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
