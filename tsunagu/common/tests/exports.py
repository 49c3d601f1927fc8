"""Reading back a list's file in the export tests of every app."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

BOM = "\ufeff".encode()


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def xlsx(response):
    """(the sheet's rows as lists of values, the 「説明」 sheet as a dict, the sheet)."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(body(response)))
    sheet = book[book.sheetnames[0]]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    notes = {row[0].value: row[1].value for row in book["説明"].iter_rows()}
    return rows, notes, sheet


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    data = body(response)
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def as_dict(header, row) -> dict:
    return dict(zip(header, row, strict=True))
