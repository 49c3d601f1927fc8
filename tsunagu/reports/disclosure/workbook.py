"""The disclosure answer as one Excel workbook: a cover sheet (表紙), then one sheet per part.

Written by XlsxWriter in constant-memory mode into a temporary file that the response sends
and closes: each sheet's rows are written as they are read. A date column is two columns, the
date itself (``2026-11-20``, a date cell) and its 和暦 (``令和8年11月20日``); a date-time is the
local time (a date-time cell) and its 和暦 with the hour. Text is always text (a name that
begins with ``=`` is no formula).
"""

from __future__ import annotations

import datetime
import re
import tempfile
from dataclasses import dataclass

import xlsxwriter
from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tsunagu.common.wareki import format_wareki

from .record import DATE, LONG, MOMENT, Column, Part

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CELL_LIMIT = 32000
COVER_TITLE = "保有個人情報の開示請求に対する回答（本人の記録と閲覧・変更の履歴）"


@dataclass(frozen=True)
class Cover:
    """What the cover sheet says of the request and of who answered it."""

    municipality: str
    person_name: str
    person_kana: str
    person_id: int
    reference: str
    requested_on: datetime.date
    note: str
    made_at: datetime.datetime
    made_by: str  # 氏名（機関・役割）


def headings(column: Column) -> list[str]:
    if column.kind in (DATE, MOMENT):
        return [column.label, f"{column.label}（和暦）"]
    return [column.label]


def cells(column: Column, value) -> list:
    """The Excel cells of one value (two for a date or date-time column)."""
    if column.kind == DATE:
        if isinstance(value, datetime.date):
            return [value, format_wareki(value)]
        return ["", value or ""]
    if column.kind == MOMENT:
        if isinstance(value, datetime.datetime):
            local = timezone.localtime(value).replace(tzinfo=None, microsecond=0)
            return [local, f"{format_wareki(local.date())} {local:%H:%M}"]
        return ["", value or ""]
    return [value]


def _text(value: str) -> str:
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    return text if len(text) <= CELL_LIMIT else text[: CELL_LIMIT - 1] + "…"


def sheet_name(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "", title)[:31]


class _Formats:
    def __init__(self, book):
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.caption = book.add_format({"bold": True, "font_size": 11, "font_color": "#1F3864"})
        self.heading = book.add_format(
            {"bold": True, "pattern": 1, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}
        )
        self.day = book.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
        self.moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm", "valign": "top"})
        self.plain = book.add_format({"valign": "top"})
        self.wrapped = book.add_format({"text_wrap": True, "valign": "top"})
        self.note = book.add_format({"italic": True, "font_color": "#555555"})
        self.bold = book.add_format({"bold": True, "valign": "top"})


def _write(sheet, row: int, column: int, value, fmt: _Formats, wrap: bool) -> None:
    if value is None or value == "":
        return
    if isinstance(value, datetime.datetime):
        sheet.write_datetime(row, column, value, fmt.moment)
    elif isinstance(value, datetime.date):
        sheet.write_datetime(row, column, value, fmt.day)
    elif isinstance(value, bool):
        sheet.write_string(row, column, "はい" if value else "いいえ", fmt.plain)
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value, fmt.plain)
    else:
        sheet.write_string(row, column, _text(str(value)), fmt.wrapped if wrap else fmt.plain)


def _widths(part: Part) -> list[int]:
    widths: list[int] = []
    for table in part.tables:
        n = 0
        for column in table.columns:
            for kind_width in _column_widths(column):
                if n < len(widths):
                    widths[n] = max(widths[n], kind_width)
                else:
                    widths.append(kind_width)
                n += 1
    return widths


def _column_widths(column: Column) -> list[int]:
    if column.kind == DATE:
        return [11, 17]
    if column.kind == MOMENT:
        return [16, 22]
    return [column.width]


def _write_part(book, part: Part, fmt: _Formats) -> dict[str, int]:
    """The part's sheet; the number of rows of each table."""
    sheet = book.add_worksheet(sheet_name(part.sheet))
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    for n, width in enumerate(_widths(part)):
        sheet.set_column(n, n, width)
    sheet.write_string(0, 0, part.title, fmt.title)
    row = 1
    if part.note:
        sheet.write_string(row, 0, part.note, fmt.note)
        row += 1
    counts: dict[str, int] = {}
    for table in part.tables:
        row += 1
        sheet.write_string(row, 0, table.title, fmt.caption)
        row += 1
        if table.note:
            sheet.write_string(row, 0, table.note, fmt.note)
            row += 1
        labels = [label for column in table.columns for label in headings(column)]
        sheet.write_row(row, 0, labels, fmt.heading)
        if len(part.tables) == 1:
            sheet.freeze_panes(row + 1, 0)
        row += 1
        count = 0
        for values in table.rows():
            count += 1
            n = 0
            for column, value in zip(table.columns, values, strict=True):
                for cell in cells(column, value):
                    _write(sheet, row, n, cell, fmt, column.kind == LONG)
                    n += 1
            row += 1
        if count == 0:
            sheet.write_string(row, 0, "記録はありません。", fmt.note)
            row += 1
        counts[table.title] = count
    return counts


def _write_cover(sheet, cover: Cover, parts: list[Part], counts: dict, fmt: _Formats) -> None:
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 80)
    sheet.set_paper(9)
    sheet.write_string(0, 0, COVER_TITLE, fmt.title)
    made = timezone.localtime(cover.made_at)
    lines = [
        ("自治体", cover.municipality),
        ("事業", "重層的支援体制整備事業（社会福祉法第106条の4）"),
        ("本人", f"{cover.person_name}（{cover.person_kana}）"),
        ("本人番号", str(cover.person_id)),
        ("受付番号", cover.reference),
        (
            "請求日",
            f"{format_wareki(cover.requested_on)}（{cover.requested_on.isoformat()}）",
        ),
        ("備考", cover.note),
        ("作成日", f"{format_wareki(made.date())}（{made:%Y-%m-%d}）"),
        ("作成日時", f"{made:%Y-%m-%d %H:%M:%S}"),
        ("作成者", cover.made_by),
    ]
    row = 2
    for label, text in lines:
        sheet.write_string(row, 0, label, fmt.bold)
        if text:
            sheet.write_string(row, 1, _text(text), fmt.wrapped)
        row += 1
    row += 1
    sheet.write_string(row, 0, "シートの一覧", fmt.caption)
    row += 1
    sheet.write_row(row, 0, ["シート", "内容（件数）"], fmt.heading)
    row += 1
    for part in parts:
        detail = "、".join(f"{title} {n}件" for title, n in counts[part.key].items())
        sheet.write_string(row, 0, part.sheet, fmt.plain)
        sheet.write_string(row, 1, f"{part.title}：{detail}", fmt.wrapped)
        row += 1
    row += 1
    sheet.write_string(row, 0, "注記", fmt.caption)
    row += 1
    for note in NOTES:
        sheet.write_string(row, 1, note, fmt.wrapped)
        row += 1


NOTES = (
    "日付は西暦（ISO 8601）の列と和暦の列の両方で示しています。日時は日本時間です。",
    "世帯の他の方については、世帯の一覧（氏名・続柄）だけを載せています。",
    "税務情報を持つ機関からの情報によるアセスメントの項目は、内容を載せていません。",
    "情報提供者・通報者の氏名と連絡先、会議録は、第三者の情報を含むため載せていません。",
    "開示するかどうかの判断（不開示情報の確認）は、この書類をもとに事務局が行ってください。",
)


def workbook(parts: list[Part], cover: Cover):
    """The workbook in a temporary file (at its start) that the caller sends and closes,
    and the rows written per part and table: ``{part key: {table title: rows}}``."""
    spool = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by the response
    try:
        book = xlsxwriter.Workbook(
            spool,
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        fmt = _Formats(book)
        cover_sheet = book.add_worksheet("表紙")
        counts = {part.key: _write_part(book, part, fmt) for part in parts}
        # the cover is the first sheet; its rows are written last, once the counts are known
        _write_cover(cover_sheet, cover, parts, counts, fmt)
        book.close()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool, counts
