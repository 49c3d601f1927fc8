"""A CSV file of person records as agency systems export it: the encoding, the header, the
fields and which column holds each, and the checks of every row.

Nothing here writes: the steps of an import (:mod:`tsunagu.linkage.services.imports`) keep
the file and its rows. A file is UTF-8 (with or without BOM) or Shift_JIS (CP932), has a
header row and at most :data:`MAX_BYTES` / :data:`MAX_ROWS`; every problem is a Japanese
message (a row's: row, column, message).
"""

from __future__ import annotations

import csv
import datetime
import io
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from tsunagu.common.validation import max_length_errors
from tsunagu.common.wareki import WarekiError, parse_date
from tsunagu.people.models import Person, Sex

from .models import ImportBatch

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000

ENCODING_LABELS = {
    "utf-8-sig": "UTF-8（BOM付き）",
    "utf-8": "UTF-8",
    "cp932": "Shift_JIS（CP932）",
}


@dataclass(frozen=True)
class ImportField:
    key: str
    label: str
    required: bool
    synonyms: tuple[str, ...]


#: The fields of a row, in the order the mapping form shows them.
IMPORT_FIELDS = (
    ImportField(
        "record_id",
        "取込元の番号",
        True,
        (
            "record_id",
            "recordid",
            "id",
            "番号",
            "管理番号",
            "宛名番号",
            "利用者番号",
            "利用者id",
            "整理番号",
            "識別番号",
            "ケース番号",
            "相談者番号",
            "no",
        ),
    ),
    ImportField(
        "name",
        "氏名",
        True,
        ("氏名", "名前", "name", "氏名漢字", "漢字氏名", "利用者名", "本人氏名", "対象者氏名"),
    ),
    ImportField(
        "kana",
        "フリガナ",
        True,
        (
            "フリガナ",
            "ふりがな",
            "カナ",
            "カナ氏名",
            "氏名カナ",
            "氏名フリガナ",
            "kana",
            "よみ",
            "ヨミ",
            "読み",
            "よみがな",
        ),
    ),
    ImportField(
        "dob",
        "生年月日",
        False,
        ("生年月日", "誕生日", "dob", "birth_date", "birthdate", "birthday"),
    ),
    ImportField("sex", "性別", False, ("性別", "性", "sex", "gender")),
    ImportField("address", "住所", False, ("住所", "現住所", "address", "所在地")),
    ImportField(
        "phone",
        "電話番号",
        False,
        ("電話番号", "電話", "tel", "phone", "連絡先", "携帯電話", "携帯"),
    ),
)
FIELDS_BY_KEY = {f.key: f for f in IMPORT_FIELDS}
# kana before name: 「氏名カナ」 contains both 氏名 and カナ
_SUGGEST_ORDER = ("record_id", "kana", "dob", "sex", "address", "phone", "name")

_SEX_VALUES = {
    "男": Sex.MALE,
    "男性": Sex.MALE,
    "m": Sex.MALE,
    "male": Sex.MALE,
    "1": Sex.MALE,
    "女": Sex.FEMALE,
    "女性": Sex.FEMALE,
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
    "2": Sex.FEMALE,
    "": Sex.UNKNOWN,
    "不明": Sex.UNKNOWN,
    "0": Sex.UNKNOWN,
    "9": Sex.UNKNOWN,
    "unknown": Sex.UNKNOWN,
}


# --- reading the file -------------------------------------------------------------------


def read_upload(file) -> bytes:
    """The bytes of an uploaded file of at most :data:`MAX_BYTES`."""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError({"file": _too_big(size)})
    data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": _too_big(len(data))})
    return data


def _too_big(size: int) -> str:
    return (
        f"ファイルが大きすぎます（{size / 1024 / 1024:.1f}MB）。"
        f"1回に取り込めるのは{MAX_BYTES // 1024 // 1024}MBまでです。ファイルを分けてください。"
    )


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and its encoding (``utf-8-sig``, ``utf-8`` or ``cp932``).

    Both encodings are tried strictly; a file neither reads as is refused, as is a file with
    control characters (a spreadsheet or other binary file).
    """
    text = encoding = None
    candidates = ("utf-8-sig",) if data.startswith(b"\xef\xbb\xbf") else ("utf-8", "cp932")
    for name in candidates:
        try:
            text, encoding = data.decode(name), name
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise ValidationError(
            {
                "file": "文字コードを判別できません。UTF-8 または Shift_JIS（CP932）で"
                "保存したCSVファイルを選んでください。"
            }
        )
    if any(ch < " " and ch not in "\t\r\n" for ch in text) or "\x7f" in text:
        raise ValidationError(
            {
                "file": "CSVファイルではないようです（文字以外のデータが含まれています）。"
                "表計算ソフトから「CSV」形式で保存したファイルを選んでください。"
            }
        )
    return text, encoding


def read_rows(text: str) -> tuple[list[str], list[list[str]]]:
    """Header and data rows (blank lines skipped); ValidationError in Japanese otherwise."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise ValidationError(
            {"file": f"CSVとして読み取れません（{reader.line_num}行目付近）：{exc}"}
        ) from exc
    if not rows:
        raise ValidationError(
            {"file": "ファイルが空です。見出し行のあるCSVファイルを選んでください。"}
        )
    header = [cell.strip() for cell in rows[0]]
    if sum(1 for cell in header if cell) < 2:
        raise ValidationError(
            {
                "file": "見出し行がありません。"
                "1行目に列の名前（氏名、フリガナなど）を入れてください。"
            }
        )
    data = rows[1:]
    if not data:
        raise ValidationError({"file": "データの行がありません（見出し行だけです）。"})
    if len(data) > MAX_ROWS:
        raise ValidationError(
            {
                "file": f"行数が多すぎます（{len(data):,}行）。1回に取り込めるのは"
                f"{MAX_ROWS:,}行までです。ファイルを分けてください。"
            }
        )
    return header, data


def batch_rows(batch: ImportBatch) -> tuple[list[str], list[list[str]]]:
    text, _ = decode(bytes(batch.content))
    return read_rows(text)


def row_number(index: int) -> int:
    """The row as a spreadsheet shows it: the header is row 1, the first data row row 2."""
    return index + 2


def encoding_label(encoding: str) -> str:
    return ENCODING_LABELS.get(encoding, encoding)


# --- the column mapping -----------------------------------------------------------------


def _header_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    return "".join(ch for ch in text if ch not in " 　_-()（）[]【】・:：")


def suggest_mapping(header: list[str]) -> dict[str, int]:
    """``{field: column index}`` guessed from the header names (exact name first)."""
    keys = [_header_key(cell) for cell in header]
    found: dict[str, int] = {}
    used: set[int] = set()
    for exact in (True, False):
        for field_key in _SUGGEST_ORDER:
            if field_key in found:
                continue
            synonyms = [_header_key(s) for s in FIELDS_BY_KEY[field_key].synonyms]
            for index, key in enumerate(keys):
                if index in used or not key:
                    continue
                hit = key in synonyms if exact else any(len(s) > 1 and s in key for s in synonyms)
                if hit:
                    found[field_key] = index
                    used.add(index)
                    break
    return {f.key: found[f.key] for f in IMPORT_FIELDS if f.key in found}


def clean_mapping(header: list[str], mapping: dict) -> dict[str, int]:
    """A checked ``{field: column index}``; ValidationError keyed by field otherwise."""
    errors: dict[str, str] = {}
    clean: dict[str, int] = {}
    unknown = set(mapping or {}) - set(FIELDS_BY_KEY)
    if unknown:
        errors["mapping"] = f"不明な項目があります：{'、'.join(sorted(unknown))}"
    for field in IMPORT_FIELDS:
        value = (mapping or {}).get(field.key)
        if value is None or value == "":
            if field.required:
                errors[field.key] = f"「{field.label}」の列を選んでください。"
            continue
        try:
            index = int(value)
        except (TypeError, ValueError):
            errors[field.key] = f"「{field.label}」の列の指定が正しくありません。"
            continue
        if not 0 <= index < len(header):
            errors[field.key] = f"「{field.label}」の列の指定が正しくありません。"
            continue
        clean[field.key] = index
    seen: dict[int, str] = {}
    for key, index in clean.items():
        if index in seen:
            errors[key] = (
                f"列「{header[index]}」は「{FIELDS_BY_KEY[seen[index]].label}」にも選ばれています。"
            )
        seen.setdefault(index, key)
    if errors:
        raise ValidationError(errors)
    return clean


# --- the rows ---------------------------------------------------------------------------


@dataclass
class ParsedRow:
    row: int
    raw: list[str]
    record_id: str
    name: str
    kana: str
    dob: datetime.date | None
    sex: str
    address: str
    phone: str


def parse_rows(header: list[str], rows: list[list[str]], mapping: dict[str, int]):
    """(parsed rows, errors): each error ``{"row", "column", "message"}`` in Japanese."""
    today = timezone.localdate()
    errors: list[dict] = []
    parsed: list[ParsedRow] = []
    first_row_of: dict[str, int] = {}  # record id → the row it is first on
    for index, row in enumerate(rows):
        number = row_number(index)
        values = {field.key: _cell(row, mapping.get(field.key)) for field in IMPORT_FIELDS}
        row_parsed, problems = _parse_row(
            values, raw=row, number=number, first_row_of=first_row_of, today=today
        )
        errors.extend(
            {
                "row": number,
                "column": header[mapping[key]] or FIELDS_BY_KEY[key].label,
                "message": message,
            }
            for key, message in problems
        )
        if row_parsed is not None:
            parsed.append(row_parsed)
    return parsed, errors


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


def _parse_row(
    values: dict[str, str],
    *,
    raw: list[str],
    number: int,
    first_row_of: dict[str, int],
    today: datetime.date,
) -> tuple[ParsedRow | None, list[tuple[str, str]]]:
    """One row, or ``(None, [(field, message), …])`` when any of its checks fails."""
    problems = _record_id_problems(values["record_id"], number, first_row_of)
    if not values["name"]:
        problems.append(("name", "氏名が空です。"))
    if not values["kana"]:
        problems.append(("kana", "フリガナが空です（本人の登録に必要です）。"))
    dob, problem = _birth_date(values["dob"], today)
    if problem:
        problems.append(("dob", problem))
    sex = _SEX_VALUES.get(unicodedata.normalize("NFKC", values["sex"]).lower())
    if sex is None:
        problems.append(
            ("sex", f"性別「{values['sex']}」は「男」「女」または空欄で入力してください。")
        )
    too_long = max_length_errors(
        Person,
        name=values["name"],
        name_kana=values["kana"],
        address=values["address"],
        phone=values["phone"],
    )
    for field_name, message in too_long.items():
        problems.append(({"name_kana": "kana"}.get(field_name, field_name), message))
    if problems:
        return None, problems
    row = ParsedRow(
        row=number,
        raw=list(raw),
        record_id=values["record_id"],
        name=values["name"],
        kana=values["kana"],
        dob=dob,
        sex=sex,
        address=values["address"],
        phone=values["phone"],
    )
    return row, []


def _record_id_problems(
    record_id: str, number: int, first_row_of: dict[str, int]
) -> list[tuple[str, str]]:
    """The row's number in the agency system: given, once in the file, 100 characters at most."""
    problems = []
    if not record_id:
        problems.append(("record_id", "取込元の番号が空です。"))
    elif record_id in first_row_of:
        problems.append(
            (
                "record_id",
                f"取込元の番号「{record_id}」が{first_row_of[record_id]}行目と重複しています。",
            )
        )
    else:
        first_row_of[record_id] = number
    if len(record_id) > 100:
        problems.append(("record_id", "取込元の番号は100文字以内にしてください。"))
    return problems


def _birth_date(text: str, today: datetime.date) -> tuple[datetime.date | None, str]:
    """A date of birth (西暦 or 和暦) not in the future, and the problem with it if any."""
    if not text:
        return None, ""
    try:
        dob = parse_date(text)
    except WarekiError as exc:
        return None, f"生年月日「{text}」を読み取れません：{exc.message}"
    if dob > today:
        return dob, f"生年月日「{text}」が未来の日付になっています。"
    return dob, ""
