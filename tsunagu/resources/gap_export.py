"""The 不足する社会資源 register as a file to open in Excel: .xlsx, or CSV with a BOM. Text is
always text (a description beginning with ``=`` is no formula). No personal data: the people
waiting are a count."""

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
    "登録日",
    "不足している社会資源・仕組み",
    "求められる資源の種類",
    "対象の世代",
    "対象（属性）",
    "圏域",
    "把握の経路",
    "状況",
    "待っている人数",
    "対応した社会資源",
)
WIDTHS = (7, 16, 50, 18, 16, 24, 16, 18, 10, 10, 28)


def rows(found) -> list[list]:
    return [
        [
            gap.pk,
            format_wareki(timezone.localdate(gap.created_at)),
            gap.description,
            gap.kind.name if gap.kind_id else "",
            "・".join(gap.target_labels()),
            gap.target_attributes,
            gap.area.name if gap.area_id else "",
            gap.get_origin_display(),
            gap.get_status_display(),
            getattr(gap, "people", 0),
            gap.met_by.name if gap.met_by_id else "",
        ]
        for gap in found
    ]


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
    sheet.title = "不足する社会資源"
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
