"""The yearly report as one Excel workbook, laid out the way an office files its 実施状況:
a cover sheet (municipality, 年度, period, whose figures, date made, all in 和暦), one sheet
per program with its tables (months across, 合計 last), and a sheet of every figure's
definition. Cells hidden from the viewer read 「3未満」 as on the screen."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from tsunagu.common.spreadsheet import file_response
from tsunagu.common.wareki import format_wareki

from .statistics.engine import cell_value, threshold

TITLE = Font(bold=True, size=14)
BOLD = Font(bold=True)
NOTE = Font(italic=True, size=9, color="555555")
HEAD = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def _cover(book: Workbook, result) -> None:
    sheet = book.active
    sheet.title = "表紙"
    period = result.period
    sheet.append(["重層的支援体制整備事業 実施状況"])
    sheet["A1"].font = TITLE
    sheet.append([])
    lines = [
        ("自治体", result.municipality),
        ("年度", period.label if period.fiscal_year is not None else "（期間を指定）"),
        ("期間", f"{format_wareki(period.start)}〜{format_wareki(period.end)}"),
        ("対象", result.scope_label),
        ("作成日", format_wareki(result.made_at.date())),
        ("作成日時", result.made_at.strftime("%Y-%m-%d %H:%M")),
    ]
    if result.scope.protect:
        lines.append(
            ("小さい数の扱い", f"{threshold()}件未満の数は「{threshold()}未満」と表示しています")
        )
    for label, value in lines:
        sheet.append([label, value])
        sheet.cell(sheet.max_row, 1).font = BOLD
    sheet.append([])
    sheet.append(["シート", "内容"])
    sheet.cell(sheet.max_row, 1).font = BOLD
    sheet.cell(sheet.max_row, 2).font = BOLD
    for section in result.sections:
        sheet.append([section.title, "、".join(t.title for t in section.tables)])
    sheet.append(["定義", "各表の数え方（どの記録を、どの日付の月で数えるか）"])
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 80


def _section(book: Workbook, section, sheet_name: str, result) -> None:
    sheet = book.create_sheet(sheet_name)
    months = result.period.month_labels
    width = len(months) + 2
    sheet.append([f"{section.title}（{result.period.label}・{result.scope_label}）"])
    sheet["A1"].font = TITLE
    for table in section.tables:
        sheet.append([])
        sheet.append([table.title])
        sheet.cell(sheet.max_row, 1).font = BOLD
        sheet.append(["項目", *months, "合計"])
        for column in range(1, width + 1):
            cell = sheet.cell(sheet.max_row, column)
            cell.font = BOLD
            cell.fill = HEAD
            cell.border = BOX
            cell.alignment = Alignment(horizontal="center")
        for row in table.rows:
            samples = row.samples or [None] * len(row.cells)
            values = [
                cell_value(v, kind=row.kind, samples=n, scope=result.scope)
                for v, n in zip(row.cells, samples, strict=True)
            ]
            total = cell_value(
                row.total, kind=row.kind, samples=row.total_samples or None, scope=result.scope
            )
            label = ("　" * row.indent) + row.label
            sheet.append([label, *values, total])
            for column in range(1, width + 1):
                cell = sheet.cell(sheet.max_row, column)
                cell.border = BOX
                if row.kind == "days" and isinstance(cell.value, float):
                    cell.number_format = "0.0"
                elif column > 1 and isinstance(cell.value, int):
                    cell.number_format = "#,##0"
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                    if column > 1:
                        cell.alignment = Alignment(horizontal="right")
        sheet.append([table.definition])
        sheet.cell(sheet.max_row, 1).font = NOTE
    sheet.column_dimensions["A"].width = 44
    for column in range(2, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 9
    sheet.freeze_panes = "B2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _definitions(book: Workbook, result) -> None:
    sheet = book.create_sheet("定義")
    sheet.append(["事業", "表", "数え方"])
    for cell in sheet[1]:
        cell.font = BOLD
    for section in result.sections:
        for table in section.tables:
            sheet.append([section.title, table.title, table.definition])
            sheet.cell(sheet.max_row, 3).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 100


def build(result) -> bytes:
    from .statistics.sections import sections

    sheets = {s.key: s.sheet for s in sections()}
    book = Workbook()
    _cover(book, result)
    for section in result.sections:
        _section(book, section, sheets.get(section.key, section.title)[:31], result)
    _definitions(book, result)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def response(result):
    period = result.period
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = (
        f"{period.fiscal_year}"
        if period.fiscal_year is not None
        else (f"{period.start:%Y%m%d}-{period.end:%Y%m%d}")
    )
    return file_response(
        build(result), "xlsx", f"jisshi_jokyo_{name}_{stamp}", f"実施状況_{name}_{stamp}"
    )
