"""Lists as files to open in Excel, the same way on every page: .xlsx with a bold heading row,
text cells typed as text (a name beginning with ``=`` is no formula), column widths, frozen
panes and a 「説明」 sheet with when it was made; or CSV in UTF-8 with a BOM (Excel reads UTF-8
CSV correctly only with it), where text that Excel would read as a formula is quoted."""

from __future__ import annotations

import csv
import datetime
import re
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from io import BytesIO, StringIO
from urllib.parse import quote

import xlsxwriter
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from tsunagu.audit.services import audit_read

from .wareki import format_wareki

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


# ---------------------------------------------------------------------- streamed lists
#
# A whole list (100,000 rows and more) leaves in constant memory: the rows come from
# ``queryset.iterator(chunk_size=CHUNK)``; the .xlsx is written row by row by XlsxWriter in
# constant-memory mode into a temporary file that the response reads and deletes; the CSV is
# sent as it is written.

EXPORT_FORMATS = ("xlsx", "csv")
CHUNK = 2000
CSV_FLUSH = 64 * 1024


def export_format(request) -> str:
    """``xlsx`` or ``csv`` when the page is asked for a file (``?export=``), else ``""``."""
    fmt = request.GET.get("export", "")
    return fmt if fmt in EXPORT_FORMATS else ""


def query_without_page(request) -> str:
    """The page's query string without its page number and file format: the filters that a
    link to another page or to a file keeps."""
    query = request.GET.copy()
    for key in ("page", "export"):
        query.pop(key, None)
    return query.urlencode()


def chunks(queryset, size: int = CHUNK):
    """The queryset read ``size`` rows at a time (``iterator(chunk_size=size)``; prefetches are
    made per chunk), as lists: what a caller adds to the rows (names, counts) it reads once a
    chunk."""
    batch = []
    for obj in queryset.iterator(chunk_size=size):
        batch.append(obj)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def dated(label: str) -> tuple[str, str]:
    """The two headings of a date: ``受付日`` (ISO) and ``受付日（和暦）``."""
    return label, f"{label}（和暦）"


def day_cells(value) -> tuple:
    """A date as two cells: the date itself (``2026-04-01``; a date cell in Excel) and
    ``令和8年4月1日``; two empty cells without one."""
    if value is None:
        return "", ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value, format_wareki(value)


def moment_cells(value) -> tuple:
    """A moment as two cells in local time: ``2026-04-01 10:30:00`` and
    ``令和8年4月1日 10:30``; two empty cells without one."""
    if value is None:
        return "", ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    local = local.replace(tzinfo=None, microsecond=0)
    return local, f"{format_wareki(local.date())} {local:%H:%M}"


def filter_lines(form) -> list[list[str]]:
    """The 「説明」 lines of a list form's filters in use (``条件：受付日から`` and its value as
    the page shows it), or one line saying there were none."""
    lines = []
    for name, value in getattr(form, "cleaned_data", {}).items():
        if value in (None, "", False, [], ()):
            continue
        field = form.fields[name]
        text = "はい" if value is True else value
        choices = getattr(field, "choices", None)
        if choices is not None and not hasattr(field, "queryset"):
            text = dict((str(k), v) for k, v in choices).get(str(value), value)
        if isinstance(value, datetime.date):
            text = f"{value.isoformat()}（{format_wareki(value)}）"
        lines.append([f"条件：{field.label or name}", str(text)])
    return lines or [["条件", "なし（すべて）"]]


def _disposition(ascii_name: str, name: str, fmt: str) -> str:
    return f"attachment; filename=\"{ascii_name}.{fmt}\"; filename*=UTF-8''{quote(name)}.{fmt}"


def _text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def stream_xlsx(
    title: str,
    header: Sequence,
    rows: Iterable[Sequence],
    *,
    widths: Sequence[int] = (),
    about: Iterable[Sequence] = (),
    filename_ascii: str,
    filename_ja: str,
    freeze_columns: int = 0,
    wrap: bool = False,
    heading: str = "",
) -> FileResponse:
    """The rows as one sheet ``title`` (``heading`` above the header row when given; bold
    header row, frozen below it and right of the first ``freeze_columns`` columns, ``widths``;
    with ``wrap`` text wraps in its cell, top aligned) and a 「説明」 sheet (作成日時, the
    ``about`` lines, 件数), written in constant memory to a temporary file that the response
    sends and then deletes.

    XlsxWriter in ``constant_memory`` mode writes each row as it comes (about twice as fast as
    openpyxl's write-only workbook); text is always written as text (a value beginning with
    ``=`` is no formula, ``0123`` keeps its zero), dates as date cells."""
    made = timezone.localtime()
    spool = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by the response
    try:
        book = xlsxwriter.Workbook(
            spool,
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "remove_timezone": True,
            },
        )
        bold = book.add_format({"bold": True})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        wrapped = book.add_format({"text_wrap": True, "valign": "top"}) if wrap else None
        sheet = book.add_worksheet(_sheet_name(title))
        top = 1 if heading else 0
        if heading:
            sheet.write_string(0, 0, _text(heading))
        sheet.freeze_panes(top + 1, freeze_columns)
        for index, width in enumerate(widths):
            sheet.set_column(index, index, width)
        sheet.write_row(top, 0, [_text(str(label)) for label in header], bold)
        count = 0
        for count, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                _write(sheet, top + count, column, value, day, moment, wrapped)
        notes = book.add_worksheet("説明")
        lines = [["作成日時", made.strftime("%Y-%m-%d %H:%M")], *about, ["件数", count]]
        for number, line in enumerate(lines):
            for column, value in enumerate(line):
                _write(notes, number, column, value, day, moment)
        book.close()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    response = FileResponse(spool, content_type=XLSX)
    response["Content-Disposition"] = _disposition(filename_ascii, filename_ja, "xlsx")
    return response


def _sheet_name(title: str) -> str:
    """A sheet name Excel accepts: 31 characters at most, none of ``[]:*?/\\``."""
    return re.sub(r"[\[\]:*?/\\]", "", title)[:31] or "一覧"


def _write(sheet, row: int, column: int, value, day, moment, text=None) -> None:
    if value is None or value == "":
        return  # an empty cell is not written at all
    if isinstance(value, str):
        sheet.write_string(row, column, _text(value), text)
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, datetime.datetime):
        sheet.write_datetime(row, column, value, moment)
    elif isinstance(value, datetime.date):
        sheet.write_datetime(row, column, value, day)
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, column, value)
    else:
        sheet.write_string(row, column, _text(str(value)))


def _csv_chunks(header: Sequence, rows: Iterable[Sequence]):
    buffer = StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
        if buffer.tell() >= CSV_FLUSH:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def stream_csv(
    header: Sequence, rows: Iterable[Sequence], *, filename_ascii: str, filename_ja: str
) -> StreamingHttpResponse:
    """The rows as CSV in UTF-8 with a BOM, sent while they are read (text Excel would run
    as a formula quoted, as :func:`csv_safe`)."""
    response = StreamingHttpResponse(_csv_chunks(header, rows), content_type=CSV)
    response["Content-Disposition"] = _disposition(filename_ascii, filename_ja, "csv")
    return response


def stream_list(
    fmt: str,
    *,
    title: str,
    header: Sequence,
    rows: Iterable[Sequence],
    widths: Sequence[int] = (),
    about: Iterable[Sequence] = (),
    filename_ascii: str,
    filename_ja: str,
    freeze_columns: int = 0,
    wrap: bool = False,
):
    """:func:`stream_xlsx` or :func:`stream_csv` by ``fmt``, the file names dated today
    (``consultations_20260401``, ``相談一覧_20260401``)."""
    stamp = timezone.localdate().strftime("%Y%m%d")
    names = {"filename_ascii": f"{filename_ascii}_{stamp}", "filename_ja": f"{filename_ja}_{stamp}"}
    if fmt == "xlsx":
        look = {"freeze_columns": freeze_columns, "wrap": wrap}
        return stream_xlsx(title, header, rows, widths=widths, about=about, **look, **names)
    return stream_csv(header, rows, **names)


def audit_export(
    request,
    action: str,
    target=None,
    *,
    fmt: str,
    title: str,
    count: int,
    persons: Iterable[int] = (),
    filters: dict | None = None,
    context: dict | None = None,
) -> None:
    """One audited read for a list that leaves as a file: the list, its filters, the format,
    how many rows and the persons they concern (ids)."""
    audit_read(
        request,
        action,
        target,
        persons=persons,
        context={
            **{k: str(v) for k, v in (filters or {}).items() if v not in (None, "", False, [])},
            **(context or {}),
            "export": fmt,
            "list": title,
            "rows": count,
        },
    )
