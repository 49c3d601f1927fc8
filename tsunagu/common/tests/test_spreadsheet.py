"""Lists as Excel files: text stays text in both formats, and the 「説明」 sheet says when and
how many."""

import csv
import datetime
import io

from django.utils import timezone
from openpyxl import load_workbook

from tsunagu.common import spreadsheet
from tsunagu.common.spreadsheet import (
    XLSX,
    csv_bytes,
    dated,
    day_cells,
    file_response,
    moment_cells,
    stream_csv,
    stream_xlsx,
    xlsx_bytes,
)

ROWS = [[1, "=1+1 住まい", None], [2, "@home", "ふつう"]]


def test_csv_has_a_bom_and_never_a_formula():
    body = csv_bytes(["番号", "内容", "備考"], ROWS)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows == [["番号", "内容", "備考"], ["1", "'=1+1 住まい", ""], ["2", "'@home", "ふつう"]]


def test_xlsx_types_text_as_text_and_notes_when_and_how_many():
    body = xlsx_bytes(
        "一覧", ["番号", "内容", "備考"], iter(ROWS), heading="見出し", about=[["条件", "すべて"]]
    )
    book = load_workbook(io.BytesIO(body))
    sheet = book["一覧"]
    assert sheet["A1"].value == "見出し" and sheet["B2"].value == "内容"
    assert sheet["B3"].value == "=1+1 住まい" and sheet["B3"].data_type == "s"
    notes = [[c.value for c in row] for row in book["説明"].iter_rows()]
    assert [n[0] for n in notes] == ["作成日時", "条件", "件数"] and notes[2][1] == 2


def test_the_download_names_the_file_in_japanese_and_ascii():
    response = file_response(b"x", "csv", "watches_20261206", "見守り一覧_20261206")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="watches_20261206.csv"' in response["Content-Disposition"]
    assert "filename*=UTF-8''%E8%A6%8B" in response["Content-Disposition"]


# ---------------------------------------------------------------------- streamed lists


def _xlsx_of(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_a_streamed_xlsx_has_a_bold_frozen_header_text_as_text_and_its_notes():
    day = datetime.date(2026, 4, 1)
    rows = (
        [n, "=1+1", *day_cells(day), f"行{n}\x0b"] if n == 1 else [n, "#N/A", "", "", "@x"]
        for n in range(1, 4)
    )
    response = stream_xlsx(
        "相談一覧",
        ["番号", "内容", *dated("受付日"), "備考"],
        rows,
        widths=(6, 30),
        about=[["条件：受付日から", "2026-04-01"]],
        filename_ascii="consultations_20260401",
        filename_ja="相談一覧_20260401",
    )
    assert response["Content-Type"] == XLSX
    assert 'filename="consultations_20260401.xlsx"' in response["Content-Disposition"]
    assert "filename*=UTF-8''%E7%9B%B8%E8%AB%87" in response["Content-Disposition"]
    book = _xlsx_of(response)
    sheet = book["相談一覧"]
    assert [c.value for c in sheet[1]] == ["番号", "内容", "受付日", "受付日（和暦）", "備考"]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert round(sheet.column_dimensions["B"].width) in (30, 31)  # Excel adds its padding
    assert sheet["A2"].value == 1 and sheet["B2"].value == "=1+1" and sheet["B2"].data_type == "s"
    assert sheet["C2"].value == datetime.datetime(2026, 4, 1) and sheet["C2"].is_date
    assert sheet["D2"].value == "令和8年4月1日"
    assert sheet["E2"].value == "行1"  # a control character Excel refuses is left out
    assert sheet["B3"].value == "#N/A" and sheet["B3"].data_type == "s"
    assert sheet.max_row == 4
    notes = [[c.value for c in row] for row in book["説明"].iter_rows()]
    assert [n[0] for n in notes] == ["作成日時", "条件：受付日から", "件数"]
    assert notes[-1][1] == 3


def test_a_streamed_csv_starts_with_a_bom_and_quotes_formulas_across_chunks(monkeypatch):
    monkeypatch.setattr(spreadsheet, "CSV_FLUSH", 100)
    moment = timezone.make_aware(datetime.datetime(2026, 4, 1, 10, 30, 15))
    rows = ([n, "=1+1", *moment_cells(moment)] for n in range(200))
    response = stream_csv(
        ["番号", "内容", *dated("送付日時")],
        rows,
        filename_ascii="referrals_20260401",
        filename_ja="つなぎ一覧_20260401",
    )
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="referrals_20260401.csv"' in response["Content-Disposition"]
    chunks = list(response.streaming_content)
    assert len(chunks) > 10  # sent as it is written
    body = b"".join(chunks)
    assert body.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert lines[0] == ["番号", "内容", "送付日時", "送付日時（和暦）"]
    assert lines[1] == ["0", "'=1+1", "2026-04-01 10:30:15", "令和8年4月1日 10:30"]
    assert len(lines) == 201


def test_the_rows_are_read_once_as_they_are_written():
    seen = []

    def rows():
        for n in range(5):
            seen.append(n)
            yield [n]

    response = stream_csv(["番号"], rows(), filename_ascii="a", filename_ja="あ")
    assert seen == []  # nothing read before the response is sent
    b"".join(response.streaming_content)
    assert seen == [0, 1, 2, 3, 4]


def test_empty_dates_are_empty_cells():
    assert day_cells(None) == ("", "")
    assert moment_cells(None) == ("", "")
