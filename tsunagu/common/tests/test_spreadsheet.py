"""Lists as Excel files: text stays text in both formats, and the 「説明」 sheet says when and
how many."""

import csv
import io

from openpyxl import load_workbook

from tsunagu.common.spreadsheet import csv_bytes, file_response, xlsx_bytes

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
