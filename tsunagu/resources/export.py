"""A search of the 社会資源 directory as a file to open in Excel: .xlsx, or CSV with a BOM
(Excel reads UTF-8 CSV correctly only with it). Text is always text: a name beginning with
``=`` is no formula."""

from __future__ import annotations

import csv
from io import BytesIO, StringIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from tsunagu.common.wareki import format_wareki

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = (
    "番号",
    "名称",
    "提供団体",
    "種類",
    "状態",
    "圏域",
    "所在地",
    "開いている日時",
    "対象の世代",
    "対象（属性）",
    "利用の条件",
    "定員",
    "いまの空き",
    "費用",
    "連絡先の担当者",
    "電話番号",
    "メールアドレス",
    "バリアフリー・配慮",
    "情報確認日",
    "再確認",
    "条件に合った理由",
)
WIDTHS = (7, 28, 24, 14, 9, 16, 28, 30, 16, 20, 28, 6, 9, 14, 14, 14, 24, 20, 16, 10, 36)


def rows(found) -> list[list]:
    """One line per search result (:class:`~tsunagu.resources.selectors.Row`)."""
    out = []
    for row in found:
        r = row.resource
        free = "" if r.places_free is None else ("満員" if r.is_full else r.places_free)
        out.append(
            [
                r.pk,
                r.name,
                r.organization.name,
                r.kind.name,
                r.get_status_display(),
                r.area.name if r.area_id else "",
                r.address,
                "\n".join(s.label for s in r.schedules.all()),
                "・".join(r.target_labels()),
                r.target_attributes,
                r.conditions,
                "" if r.capacity is None else r.capacity,
                free,
                r.cost,
                r.contact_name,
                r.phone,
                r.email,
                r.accessibility,
                format_wareki(r.confirmed_on),
                "要再確認" if row.stale else "",
                "・".join(row.reasons),
            ]
        )
    return out


def _safe(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def as_csv(found) -> bytes:
    buffer = StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for row in rows(found):
        writer.writerow([_safe(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(found) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "社会資源"
    sheet.append(list(HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in rows(found):
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                cell.alignment = wrap
    sheet.freeze_panes = "C2"
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    about = book.create_sheet("説明")
    about.append(["作成日時", timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    about.append(["件数", len(found)])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
