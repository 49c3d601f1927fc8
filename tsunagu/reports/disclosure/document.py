"""The disclosure answer as a printable A4 PDF: the same parts as the workbook, rendered with
WeasyPrint and the IPAex fonts (``tsunagu.meetings.pdf``: nothing fetched from the network).

A narrow table is printed as a table; a wide one as one small card per record (the label
beside each value that is not empty). The access history is a table of four columns, at most
:data:`~.record.access.PDF_EVENT_LIMIT` events (newest first; the workbook has them all).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence

from django.template.loader import render_to_string
from django.utils import timezone

from tsunagu.common.wareki import format_wareki
from tsunagu.meetings.pdf import render_pdf

from .record import DATE, MOMENT, Column, Part, Table
from .workbook import NOTES, Cover

#: A table with more columns than this is printed as cards.
GRID_COLUMNS = 7
HEADER = "取扱注意（開示請求）"


def display(column: Column, value) -> tuple[str, str]:
    """(what to print, the ISO form beside it) of one value."""
    if value is None or value == "":
        return "", ""
    if column.kind == MOMENT and isinstance(value, datetime.datetime):
        local = timezone.localtime(value)
        return f"{format_wareki(local.date())} {local:%H:%M}", f"{local:%Y-%m-%d %H:%M}"
    if column.kind in (DATE, MOMENT) and isinstance(value, datetime.date):
        return format_wareki(value), value.isoformat()
    if isinstance(value, bool):
        return ("はい" if value else "いいえ"), ""
    return str(value), ""


class _Counted:
    """The rows of a table as the template prints them, counted."""

    def __init__(self, table: Table):
        self.table = table
        self.count = 0
        self.truncated = 0
        self.grid = bool(table.pdf_columns) or len(table.columns) <= GRID_COLUMNS
        self.columns = table.pdf_columns or table.columns

    def __iter__(self) -> Iterator[list]:
        limit = self.table.pdf_limit
        for values in self.table.rows():
            if limit and self.count >= limit:
                self.truncated += 1
                continue
            self.count += 1
            yield self._cells(values)

    def _cells(self, values: Sequence) -> list:
        if self.table.pdf_row is not None:
            values = self.table.pdf_row(values)
        cells = []
        for column, value in zip(self.columns, values, strict=True):
            text, iso = display(column, value)
            if self.grid or text:
                cells.append({"label": column.label, "text": text, "iso": iso})
        return cells


def pdf(parts: list[Part], cover: Cover) -> tuple[bytes, dict]:
    """The PDF's bytes and the rows printed per part and table (events beyond the PDF's
    limit are not counted; ``truncated`` in the table's entry says how many)."""
    chapters = []
    for part in parts:
        tables = [_Counted(table) for table in part.tables]
        chapters.append({"part": part, "tables": tables})
    made = timezone.localtime(cover.made_at)
    html = render_to_string(
        "reports/disclosure_pdf.html",
        {
            "cover": cover,
            "requested_on": format_wareki(cover.requested_on),
            "made_on": format_wareki(made.date()),
            "made_at": made,
            "chapters": chapters,
            "notes": NOTES,
        },
    )
    counts = {
        chapter["part"].key: {t.table.title: t.count for t in chapter["tables"]}
        for chapter in chapters
    }
    truncated = {
        chapter["part"].key: {t.table.title: t.truncated for t in chapter["tables"] if t.truncated}
        for chapter in chapters
    }
    return render_pdf(html, header=HEADER), {
        "counts": counts,
        "truncated": {k: v for k, v in truncated.items() if v},
    }
