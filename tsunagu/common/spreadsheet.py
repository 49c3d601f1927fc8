"""Lists as files to open in Excel, the same way on every page: .xlsx with a bold heading row,
text cells typed as text (a name beginning with ``=`` is no formula), column widths, frozen
panes and a 「説明」 sheet with when it was made; or CSV in UTF-8 with a BOM (Excel reads UTF-8
CSV correctly only with it), where text that Excel would read as a formula is quoted."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from io import BytesIO, StringIO
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
FORMULA_STARTS = ("=", "+", "-", "@")


def csv_safe(value):
    """A CSV cell Excel will not run as a formula."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def csv_bytes(header: Sequence, rows: Iterable[Sequence]) -> bytes:
    buffer = StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(
    title: str,
    header: Sequence,
    rows: Iterable[Sequence],
    *,
    widths: Sequence[int] = (),
    freeze: str = "A2",
    wrap: bool = False,
    about: Iterable[Sequence] = (),
    heading: str = "",
) -> bytes:
    """One sheet ``title`` (with ``heading`` above the header row when given) and a 「説明」
    sheet: when it was made, the ``about`` lines, and the number of rows."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    if heading:
        sheet.append([heading])
    sheet.append(list(header))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    alignment = Alignment(wrap_text=True, vertical="top") if wrap else None
    count = 0
    for row in rows:
        count += 1
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                if alignment is not None:
                    cell.alignment = alignment
    if freeze:
        sheet.freeze_panes = freeze
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    notes = book.create_sheet("説明")
    notes.append(["作成日時", timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    for line in about:
        notes.append(list(line))
    notes.append(["件数", count])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def file_response(body: bytes, fmt: str, ascii_name: str, name: str) -> HttpResponse:
    """The download of ``body`` (``fmt`` is ``xlsx`` or ``csv``), named in Japanese for
    browsers that read ``filename*`` and in ASCII for the others (names without extension)."""
    response = HttpResponse(body, content_type=XLSX if fmt == "xlsx" else CSV)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}.{fmt}\"; filename*=UTF-8''{quote(name)}.{fmt}"
    )
    return response
