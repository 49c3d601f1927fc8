"""CSV import of person records exported by an agency system, then 名寄せ.

The steps, each a service:

1. :func:`import_upload` keeps the file (bytes in the database) after checking that it is a
   CSV in UTF-8 (with or without BOM) or Shift_JIS (CP932), with a header row and at most
   :data:`MAX_BYTES` / :data:`MAX_ROWS`.
2. :func:`import_map` stores which column holds which field (:func:`suggest_mapping`
   proposes one from the header names).
3. :func:`import_validate` checks every row and lists per-row Japanese errors (row, column,
   message). With any error the batch is ``invalid`` and nothing is written but the errors;
   otherwise the rows are kept as :class:`ImportRecord` (not yet persons).
4. :func:`import_step` advances a validated batch by one step (matching, then writing); the
   status page calls it once per progress poll, the API runs all of them.

Transactions (no half-imported file): **matching comes first and writes nothing**. One step
finds the pairs of the rows with one another and with the registered persons (all of them in
a small register, else those sharing a family name or its reading): from
:data:`TRAIN_FROM` records with the Splink model trained on them
(:func:`tsunagu.linkage.batch.link`), below that — or when training fails — with the stored
weights of the real-time lookup (``lookup_model.json``). Any failure of this step marks the
batch ``failed`` with a Japanese message and nothing of the file is written. The next step
writes **the persons and the pairs in one transaction**: every row is matched to an existing
person by the exact normalised key (name key and date of birth, reading not contradicting) or
becomes a new person registered by the uploading agency, and the pairs go to the review queue
with :func:`tsunagu.linkage.services.candidates_from_pairs` (origin ``batch``; merged only at
``TSUNAGU["LINKAGE_AUTO_MERGE_THRESHOLD"]``). If anything fails, the whole step is rolled back
and the batch is ``failed``: no person and no pair of the file exists.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from tsunagu import access
from tsunagu.audit.services import audit_record
from tsunagu.common.validation import max_length_errors
from tsunagu.common.wareki import WarekiError, parse_date
from tsunagu.people.models import Person, Sex

from ..address import normalize_address
from ..models import CandidateOrigin, ImportBatch, ImportOutcome, ImportRecord, ImportStatus
from ..normalize import name_keys, normalize_phone

logger = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_STORED_ERRORS = 1000
SOURCE_LABEL_MAX = 100
PREVIEW_ROWS = 3
#: Up to this many persons in the database, linkage compares against all of them.
SMALL_POOL = 20_000
#: Pairs from this probability go to the review queue.
REVIEW_LOW = 0.5
#: From this many records compared (rows and registered persons), the Splink model is
#: trained on them; below, the pairs are scored with the stored weights of the lookup.
#: Under a few thousand records a blocking rule of the expectation maximisation may find no
#: pair at all (Splink then refuses to train) and the u probabilities rest on too few random
#: pairs; the stored weights were estimated on 100,000 records (bench/linkage/README.md).
TRAIN_FROM = 20_000
#: A step running longer than this is taken as abandoned (the process died).
STALE_STEP = timedelta(minutes=15)

NOT_REVIEWER = "CSV取込は自治体職員（事務局）または多機関協働事業者のみが行えます。"
NO_AGENCY = "所属機関を選んでから取り込んでください。"

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
_SEX_LINK = {Sex.MALE: "男", Sex.FEMALE: "女"}


# --- reading the file -------------------------------------------------------------------


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


# --- permissions ------------------------------------------------------------------------


def _require_importer(by) -> None:
    if by is None or not by.has_perm("linkage.review"):
        raise PermissionDenied(NOT_REVIEWER)


def batches_visible_to(user):
    """The program office sees every import; a coordinator those of their acting agency."""
    if user is None or not user.has_perm("linkage.review"):
        return ImportBatch.objects.none()
    if access.sees_everything(user):
        return ImportBatch.objects.all()
    return ImportBatch.objects.filter(agency_id=access.acting_agency_id(user))


def _require_batch(by, batch: ImportBatch) -> ImportBatch:
    _require_importer(by)
    if not batches_visible_to(by).filter(pk=batch.pk).exists():
        raise PermissionDenied("指定されたCSV取込は見つかりません。")
    return batch


# --- 1. upload --------------------------------------------------------------------------


def import_upload(*, by, file, source_label: str) -> ImportBatch:
    """Keep an uploaded CSV file (status ``uploaded``) after checking it can be read."""
    _require_importer(by)
    membership = getattr(by, "acting_membership", None)
    if membership is None:
        raise PermissionDenied(NO_AGENCY)
    source_label = (source_label or "").strip()
    errors = {}
    if not source_label:
        errors["source_label"] = "取込元システムの名前を入力してください。"
    elif len(source_label) > SOURCE_LABEL_MAX:
        errors["source_label"] = f"取込元システムは{SOURCE_LABEL_MAX}文字以内で入力してください。"
    if file is None:
        errors["file"] = "CSVファイルを選んでください。"
    if errors:
        raise ValidationError(errors)
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError({"file": _too_big(size)})
    data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": _too_big(len(data))})
    text, encoding = decode(data)
    header, rows = read_rows(text)
    filename = (getattr(file, "name", "") or "upload.csv").rsplit("/", 1)[-1][:255]
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            uploaded_by=by,
            agency=membership.agency,
            source_label=source_label,
            original_filename=filename,
            encoding=encoding,
            content=data,
            header=header,
            mapping=suggest_mapping(header),
            row_count=len(rows),
        )
        audit_record(
            actor=by,
            action="linkage.import_upload",
            target=batch,
            context={
                "filename": filename,
                "encoding": encoding,
                "rows": len(rows),
                "bytes": len(data),
                "source_label": source_label,
            },
        )
    return batch


def _too_big(size: int) -> str:
    return (
        f"ファイルが大きすぎます（{size / 1024 / 1024:.1f}MB）。"
        f"1回に取り込めるのは{MAX_BYTES // 1024 // 1024}MBまでです。ファイルを分けてください。"
    )


# --- 2. mapping -------------------------------------------------------------------------


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


def import_map(*, by, batch: ImportBatch, mapping: dict) -> ImportBatch:
    """Store which column holds which field (氏名、フリガナ and 取込元の番号 are required)."""
    _require_batch(by, batch)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status not in (ImportStatus.UPLOADED, ImportStatus.MAPPED, ImportStatus.INVALID):
            raise ValidationError("取込を始めた後は列の対応を変更できません。")
        batch.mapping = clean_mapping(batch.header, mapping)
        batch.status = ImportStatus.MAPPED
        batch.errors = []
        batch.error_summary = ""
        batch.save(update_fields=["mapping", "status", "errors", "error_summary"])
        audit_record(
            actor=by,
            action="linkage.import_map",
            target=batch,
            context={"mapping": {k: batch.header[v] for k, v in batch.mapping.items()}},
        )
    return batch


# --- 3. validation ----------------------------------------------------------------------


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
    first_row_of: dict[str, int] = {}

    def column(key: str) -> str:
        return header[mapping[key]] or FIELDS_BY_KEY[key].label

    def value(row: list[str], key: str) -> str:
        index = mapping.get(key)
        if index is None or index >= len(row):
            return ""
        return row[index].strip()

    for index, row in enumerate(rows):
        number = row_number(index)
        row_errors: list[dict] = []

        def error(key: str, message: str, number=number, row_errors=row_errors) -> None:
            row_errors.append({"row": number, "column": column(key), "message": message})

        record_id = value(row, "record_id")
        name = value(row, "name")
        kana = value(row, "kana")
        dob_text = value(row, "dob")
        sex_text = value(row, "sex")
        address = value(row, "address")
        phone = value(row, "phone")
        if not record_id:
            error("record_id", "取込元の番号が空です。")
        elif record_id in first_row_of:
            error(
                "record_id",
                f"取込元の番号「{record_id}」が{first_row_of[record_id]}行目と重複しています。",
            )
        else:
            first_row_of[record_id] = number
        if len(record_id) > 100:
            error("record_id", "取込元の番号は100文字以内にしてください。")
        if not name:
            error("name", "氏名が空です。")
        if not kana:
            error("kana", "フリガナが空です（本人の登録に必要です）。")
        dob = None
        if dob_text:
            try:
                dob = parse_date(dob_text)
            except WarekiError as exc:
                error("dob", f"生年月日「{dob_text}」を読み取れません：{exc.message}")
            else:
                if dob > today:
                    error("dob", f"生年月日「{dob_text}」が未来の日付になっています。")
        sex = _SEX_VALUES.get(unicodedata.normalize("NFKC", sex_text).lower())
        if sex is None:
            error("sex", f"性別「{sex_text}」は「男」「女」または空欄で入力してください。")
        too_long = max_length_errors(
            Person, name=name, name_kana=kana, address=address, phone=phone
        )
        for field_name, message in too_long.items():
            key = {"name_kana": "kana"}.get(field_name, field_name)
            error(key, message)
        if row_errors:
            errors.extend(row_errors)
            continue
        parsed.append(
            ParsedRow(
                row=number,
                raw=list(row),
                record_id=record_id,
                name=name,
                kana=kana,
                dob=dob,
                sex=sex,
                address=address,
                phone=phone,
            )
        )
    return parsed, errors


def import_validate(*, by, batch: ImportBatch) -> ImportBatch:
    """Check every row. Any error: status ``invalid`` with the per-row errors, nothing else
    written. No error: the rows are kept (not yet as persons) and the batch is ``validated``.
    """
    _require_batch(by, batch)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status not in (ImportStatus.MAPPED, ImportStatus.INVALID):
            raise ValidationError("列の対応を決めてから検証してください。")
        mapping = clean_mapping(batch.header, batch.mapping)
        header, rows = batch_rows(batch)
        parsed, errors = parse_rows(header, rows, mapping)
        if errors:
            bad_rows = len({e["row"] for e in errors})
            batch.status = ImportStatus.INVALID
            batch.errors = errors[:MAX_STORED_ERRORS]
            batch.error_summary = (
                f"{bad_rows:,}行に{len(errors):,}件の誤りがあります。"
                "ファイルは取り込んでいません。修正して取り込み直してください。"
            )
            if len(errors) > MAX_STORED_ERRORS:
                batch.error_summary += f"（最初の{MAX_STORED_ERRORS:,}件を表示しています）"
        else:
            ImportRecord.objects.filter(batch=batch).delete()
            ImportRecord.objects.bulk_create(
                [
                    ImportRecord(
                        batch=batch,
                        row_number=p.row,
                        record_id=p.record_id,
                        name=p.name,
                        kana=p.kana,
                        dob=p.dob,
                        sex=p.sex,
                        address=p.address,
                        phone=p.phone,
                        raw=p.raw,
                    )
                    for p in parsed
                ],
                batch_size=1000,
            )
            batch.status = ImportStatus.VALIDATED
            batch.errors = []
            batch.error_summary = ""
            batch.processed = 0
            batch.total_steps = 2 * len(parsed)
        batch.save(update_fields=["status", "errors", "error_summary", "processed", "total_steps"])
        audit_record(
            actor=by,
            action="linkage.import_validate",
            target=batch,
            context={"status": batch.status, "rows": len(rows), "errors": len(errors)},
        )
    return batch


# --- 4. steps ---------------------------------------------------------------------------


def _claim(batch: ImportBatch, status: str) -> bool:
    """Take the batch for one step (False when another request is running one)."""
    now = timezone.now()
    return bool(
        ImportBatch.objects.filter(pk=batch.pk, status=status)
        .filter(Q(step_started_at__isnull=True) | Q(step_started_at__lt=now - STALE_STEP))
        .update(step_started_at=now)
    )


def _release(batch: ImportBatch, **fields) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(step_started_at=None, **fields)
    batch.refresh_from_db()


def import_step(*, batch: ImportBatch, chunk: int = 500, by=None) -> ImportBatch:
    """Advance a running batch by one step; returns the batch as it now is.

    ``validated``: the matching step (nothing written but the pairs it found, on the batch;
    → ``linking``). ``linking``: the persons and the pairs, all in one transaction
    (→ ``done``). Any failure of either step: ``failed`` with a Japanese message, nothing of
    the file written. Other statuses: nothing to do. (``chunk`` is kept for callers.)
    """
    batch.refresh_from_db()
    by = by or batch.uploaded_by
    if batch.status == ImportStatus.VALIDATED and _claim(batch, ImportStatus.VALIDATED):
        try:
            _run_linkage(batch, by)
        except Exception as exc:  # the file is not imported: nothing of it is written
            logger.exception("CSV import %s: the matching step failed", batch.pk)
            _fail(batch, by, exc, summary=MATCHING_FAILED)
        return batch
    if batch.status == ImportStatus.LINKING and _claim(batch, ImportStatus.LINKING):
        try:
            _apply(batch, by)
        except Exception as exc:  # any failure: the file is not imported
            if not isinstance(exc, ValidationError):
                logger.exception("CSV import %s: writing the persons failed", batch.pk)
            _fail(batch, by, exc)
        return batch
    return batch


def import_run(*, by, batch: ImportBatch, chunk: int = 500) -> ImportBatch:
    """Every remaining step, synchronously (for integrations)."""
    _require_batch(by, batch)
    batch.refresh_from_db()
    while batch.is_running:
        before = (batch.status, batch.processed, batch.linkage.get("state"))
        batch = import_step(batch=batch, chunk=chunk, by=by)
        if (batch.status, batch.processed, batch.linkage.get("state")) == before:
            break  # another request holds the batch
    return batch


#: Shown (screen and API) when the matching step fails, whatever the cause.
MATCHING_FAILED = (
    "名寄せ（同じ方の記録の照合）を実行できなかったため、このファイルは取り込んでいません。"
    "本人も名寄せ候補も1件も登録していません。時間をおいて取り込み直し、"
    "同じことが続く場合は事務局（システム管理者）に連絡してください。"
)
#: Shown when writing the persons fails for a reason that is not the file's.
UNEXPECTED = "予期しない誤りが発生しました。時間をおいて取り込み直してください"


def _fail(batch: ImportBatch, by, exc: Exception, *, summary: str = "") -> None:
    message = "、".join(exc.messages) if isinstance(exc, ValidationError) else UNEXPECTED
    summary = (
        summary
        or f"取り込みに失敗したため、このファイルの本人は1件も登録していません。（{message}）"
    )
    with transaction.atomic():
        linkage = {k: v for k, v in (batch.linkage or {}).items() if k != "pairs"}
        _release(
            batch,
            status=ImportStatus.FAILED,
            error_summary=summary[:2000],
            finished_at=timezone.now(),
            created_count=0,
            matched_count=0,
            linkage=linkage,
        )
        audit_record(
            actor=by,
            action="linkage.import_fail",
            target=batch,
            context={"reason": message[:200], "error": f"{type(exc).__name__}: {exc}"[:500]},
        )


def _exact_match(record: ImportRecord, keys) -> Person | None:
    """The one existing person with the same name key and date of birth (reading agreeing)."""
    if record.dob is None or not keys.name:
        return None
    found = [
        p
        for p in Person.objects.filter(
            is_archived=False, key_name=keys.name, birth_date=record.dob
        ).order_by("id")[:3]
        if not (keys.kana and p.key_kana and p.key_kana != keys.kana)
    ]
    return found[0] if len(found) == 1 else None


def _write_persons(batch: ImportBatch, by) -> dict[int, int]:
    """Each row matched to an existing person or registered; ``{row number: person pk}``.
    Runs inside the transaction of :func:`_apply`."""
    created = matched = 0
    records = list(batch.records.order_by("row_number"))
    with transaction.atomic():
        for record in records:
            keys = name_keys(record.name, record.kana)
            person = _exact_match(record, keys)
            if person is not None:
                record.outcome = ImportOutcome.MATCHED_EXISTING
                matched += 1
            else:
                try:
                    person = person_create_for(by, batch, record)
                except ValidationError as exc:
                    raise ValidationError(
                        f"{record.row_number}行目：{'、'.join(exc.messages)}"
                    ) from exc
                record.outcome = ImportOutcome.CREATED
                created += 1
            record.person = person
        ImportRecord.objects.bulk_update(records, ["person", "outcome"], batch_size=1000)
        audit_record(
            actor=by,
            action="linkage.import_persons",
            target=batch,
            persons=sorted({r.person_id for r in records}),
            context={
                "created": created,
                "matched_existing": matched,
                "matched": [
                    {"row": r.row_number, "person": r.person_id}
                    for r in records
                    if r.outcome == ImportOutcome.MATCHED_EXISTING
                ],
            },
        )
        _release(batch, created_count=created, matched_count=matched)
    return {r.row_number: r.person_id for r in records}


def person_create_for(by, batch: ImportBatch, record: ImportRecord) -> Person:
    from tsunagu.people.services import person_create

    return person_create(
        by=by,
        name=record.name,
        name_kana=record.kana,
        birth_date=record.dob,
        sex=record.sex or Sex.UNKNOWN,
        address=record.address,
        phone=record.phone,
        agency=batch.agency,
        purpose="CSV取込",
    )


# --- linkage ----------------------------------------------------------------------------


def _row_keys(record: ImportRecord):
    from ..lookup import Probe, keys_of_probe

    return keys_of_probe(
        Probe(
            name=record.name,
            kana=record.kana,
            birth_date=record.dob,
            sex=record.sex or "",
            address=record.address,
            phones=(record.phone,) if record.phone else (),
        )
    )


def _link_pool(records: list[ImportRecord]):
    """The registered persons the rows are compared with: all of them in a small register,
    otherwise those sharing a family name or its reading with a row."""
    persons = Person.objects.filter(is_archived=False)
    if persons.count() <= SMALL_POOL:
        return persons
    keys = [name_keys(r.name, r.kana) for r in records]
    families = {k.family for k in keys if k.family}
    readings = {k.kana_family for k in keys if k.kana_family}
    return persons.filter(Q(key_family__in=families) | Q(key_kana_family__in=readings))


def _link_columns(records: list[ImportRecord], persons) -> dict[str, list[str]]:
    """The rows (``r<row>``) and the persons (``p<pk>``) as input of the batch linkage."""
    columns: dict[str, list[str]] = {
        c: [] for c in ("source", "record_id", "name", "kana", "dob", "sex", "address", "phone")
    }

    def add(ref, name, kana, dob, sex, address, phone):
        columns["source"].append("import")
        columns["record_id"].append(ref)
        columns["name"].append(name)
        columns["kana"].append(kana)
        columns["dob"].append(dob.isoformat() if dob else "")
        columns["sex"].append(_SEX_LINK.get(sex, ""))
        columns["address"].append(address)
        columns["phone"].append(phone)

    for r in records:
        add(f"r{r.row_number}", r.name, r.kana, r.dob, r.sex, r.address, r.phone)
    for p in persons:
        add(
            f"p{p.pk}",
            p.name,
            p.name_kana,
            p.birth_date,
            p.sex,
            p.address,
            p.phone or p.mobile_phone,
        )
    return columns


def pair_reasons(a: Person, b: Person) -> list[str]:
    """The fields on which two persons agree (keys of the review screens' labels)."""
    reasons = []
    if a.key_name and a.key_name == b.key_name:
        reasons.append("name")
    elif a.key_family and a.key_family == b.key_family:
        reasons.append("family")
    if a.key_kana and a.key_kana == b.key_kana:
        reasons.append("kana")
    if a.birth_date and a.birth_date == b.birth_date:
        reasons.append("dob")
    if a.sex != Sex.UNKNOWN and a.sex == b.sex:
        reasons.append("sex")
    if a.address and normalize_address(a.address) == normalize_address(b.address):
        reasons.append("address")
    phones_a = {normalize_phone(x) for x in (a.phone, a.mobile_phone)} - {""}
    phones_b = {normalize_phone(x) for x in (b.phone, b.mobile_phone)} - {""}
    if phones_a & phones_b:
        reasons.append("phone")
    return reasons


def _score_pairs(records: list[ImportRecord], pool: list[Person]) -> tuple[list[list], str]:
    """``([[ref, ref, probability], …], method)``: every pair with an imported row from
    :data:`REVIEW_LOW` on, refs ``r<row>`` and ``p<person pk>``.

    From :data:`TRAIN_FROM` records the Splink model is trained on them (``trained``);
    below, or when training fails (too few pairs in a blocking rule for the expectation
    maximisation), the pairs are scored with the stored weights of the real-time lookup
    (``stored``: ``lookup_model.json``), so the known check and the import weigh alike.
    """
    if len(records) + len(pool) >= TRAIN_FROM:
        try:
            return _pairs_trained(records, pool), "trained"
        except Exception:
            logger.warning(
                "CSV import: training failed; the stored weights are used", exc_info=True
            )
    return _pairs_stored(records, pool), "stored"


def _pairs_stored(records: list[ImportRecord], pool: list[Person]) -> list[list]:
    from django.db.models import Max

    from .. import lookup

    refs = [f"r{r.row_number}" for r in records] + [f"p{p.pk}" for p in pool]
    keys = [_row_keys(r) for r in records] + [lookup.keys_of_person(p) for p in pool]
    index: dict[tuple[str, str], list[int]] = {}
    for i, k in enumerate(keys):
        for name in ("nm", "kn", "nm_loose", "dob"):
            value = getattr(k, name)
            if value:
                index.setdefault((name, value), []).append(i)
    population = max(Person.objects.aggregate(top=Max("pk"))["top"] or 0, len(keys))
    today = timezone.localdate()
    caps = (
        ("nm", lookup.BLOCK_CAP),
        ("kn", lookup.BLOCK_CAP),
        ("nm_loose", lookup.BLOCK_CAP),
        ("dob", lookup.DOB_BLOCK_CAP),
    )
    pairs = []
    for i in range(len(records)):
        k = keys[i]
        near: set[int] = set()
        for name, cap in caps:
            value = getattr(k, name)
            if value:
                near.update(index[(name, value)][:cap])
        name_count = len(index.get(("nm", k.nm), ())) if k.nm else 0
        for j in sorted(near):
            if j == i or (j < len(records) and j < i):
                continue  # each pair of rows once
            c = lookup.score(k, keys[j], population=population, name_count=name_count, today=today)
            if c.probability >= REVIEW_LOW:
                pairs.append([refs[i], refs[j], c.probability])
    return pairs


def _pairs_trained(records: list[ImportRecord], pool: list[Person]) -> list[list]:
    from .. import batch as linkage_batch
    from .. import lookup

    result = linkage_batch.link(
        _link_columns(records, pool),
        threshold=linkage_batch.DEFAULT_THRESHOLD,
        review_band=(REVIEW_LOW, 1.0),
        parallel=False,  # inside a web request: never fork the server process
    )
    found: dict[tuple[str, str], float] = {}

    def add(x: str, y: str, p: float) -> None:
        if x == y or (x[0] == "p" and y[0] == "p"):
            return
        key = (min(x, y), max(x, y))
        found[key] = max(found.get(key, 0.0), min(max(float(p), 0.0), 1.0))

    for pair in result.review_pairs:
        add(pair.record_id_l, pair.record_id_r, pair.match_probability)
    # pairs at or above the threshold are clustered: they go to the review queue as well
    clusters: dict[str, list] = {}
    for c in result.clusters:
        clusters.setdefault(c.cluster_id, []).append(c)
    for members in clusters.values():
        if len(members) < 2 or len(members) > 50:
            continue
        for i, x in enumerate(members):
            for y in members[i + 1 :]:
                p = min(x.match_probability or 0.0, y.match_probability or 0.0)
                add(x.record_id, y.record_id, max(p, result.threshold))
    # the same cap as the lookup: a pair on which some evidence disagrees is never certain
    keys = {f"r{r.row_number}": _row_keys(r) for r in records}
    keys |= {f"p{p.pk}": lookup.keys_of_person(p) for p in pool}
    today = timezone.localdate()
    return [
        [a, b, lookup.calibrated(p, lookup.pair_levels(keys[a], keys[b], today=today))]
        for (a, b), p in found.items()
    ]


def _run_linkage(batch: ImportBatch, by) -> None:
    """The matching step: find the pairs of the rows with one another and with the
    registered persons. Writes nothing but the pairs, on the batch (→ ``linking``)."""
    records = list(batch.records.order_by("row_number"))
    pool = list(_link_pool(records).order_by("id"))
    started = timezone.now()
    if len(records) + len(pool) < 2:
        state = {"state": "skipped", "reason": "比べる記録が2件未満です。", "pairs": []}
    else:
        pairs, method = _score_pairs(records, pool)
        state = {
            "state": "matched",
            "method": method,
            "compared": len(records) + len(pool),
            "pairs": sorted(pairs, key=lambda p: (-p[2], p[0], p[1])),
            "seconds": round((timezone.now() - started).total_seconds(), 1),
        }
    with transaction.atomic():
        _release(
            batch,
            status=ImportStatus.LINKING,
            processed=len(records),
            total_steps=2 * len(records),
            linkage=state,
        )
        audit_record(
            actor=by,
            action="linkage.import_link",
            target=batch,
            context={
                "compared": state.get("compared", 0),
                "pairs": len(state["pairs"]),
                "method": state.get("method", ""),
            },
        )


def _apply(batch: ImportBatch, by) -> None:
    """The persons of the file and the pairs found, in one transaction (→ ``done``)."""
    from .review import candidates_from_pairs

    with transaction.atomic():
        person_of = _write_persons(batch, by)
        state = dict(batch.linkage)
        found: dict[tuple[int, int], float] = {}
        for ref_a, ref_b, p in state.pop("pairs", []):
            a, b = (person_of[int(r[1:])] if r[0] == "r" else int(r[1:]) for r in (ref_a, ref_b))
            if a != b:
                key = (min(a, b), max(a, b))
                found[key] = max(found.get(key, 0.0), p)
        persons = Person.objects.in_bulk({x for pair in found for x in pair})
        pairs = [
            [a, b, p, pair_reasons(persons[a], persons[b])]
            for (a, b), p in sorted(found.items(), key=lambda item: (-item[1], item[0]))
        ]
        if pairs:
            result = candidates_from_pairs([tuple(p) for p in pairs], origin=CandidateOrigin.BATCH)
            counts = {k: getattr(result, k) for k in ("added", "existing", "skipped", "merged")}
            state.update(counts)
            audit_record(
                actor=by,
                action="linkage.import_queue",
                target=batch,
                persons=sorted({x for a, b, _, _ in pairs for x in (a, b)}),
                context=counts,
            )
        _release(batch, linkage=state)
        _finish(batch, by)


def _finish(batch: ImportBatch, by) -> None:
    from ..models import CandidateStatus, MatchCandidate

    with transaction.atomic():
        batch.refresh_from_db()
        persons = set(batch.records.exclude(person=None).values_list("person_id", flat=True))
        queued_persons = set()
        pending = MatchCandidate.objects.filter(status=CandidateStatus.PENDING).filter(
            Q(person_a__in=persons) | Q(person_b__in=persons)
        )
        for a, b in pending.values_list("person_a_id", "person_b_id"):
            queued_persons |= {a, b} & persons
        # only a person this file registered is 「新規登録・名寄せ確認待ち」; a row matched to an
        # existing person stays 「既存の本人と一致」 even when that person has a pair waiting
        queued = batch.records.filter(outcome=ImportOutcome.CREATED, person__in=queued_persons)
        queued_count = queued.update(outcome=ImportOutcome.QUEUED_FOR_REVIEW)
        state = dict(batch.linkage)
        state.pop("pairs", None)  # the queue holds them now
        _release(
            batch,
            status=ImportStatus.DONE,
            queued_count=queued_count,
            processed=batch.total_steps,
            finished_at=timezone.now(),
            linkage=state,
        )
        audit_record(
            actor=by,
            action="linkage.import_done",
            target=batch,
            persons=sorted(persons),
            context={
                "created": batch.created_count,
                "matched_existing": batch.matched_count,
                "queued_for_review": queued_count,
                "linkage": {k: v for k, v in state.items() if k != "pairs"},
            },
        )


#: How the result screens name each row's outcome.
OUTCOME_LABELS = {
    ImportOutcome.CREATED: "新規登録",
    ImportOutcome.MATCHED_EXISTING: "既存の本人と一致",
    ImportOutcome.QUEUED_FOR_REVIEW: "新規登録・名寄せ確認待ち",
}


@dataclass(frozen=True)
class ImportResult:
    """The rows of a finished file by outcome; each row is counted exactly once."""

    created: int = 0  # new person, no pair waiting for review
    matched: int = 0  # an existing person (same name and date of birth)
    queued: int = 0  # new person with a pair waiting for review

    @property
    def new_persons(self) -> int:
        return self.created + self.queued

    @property
    def rows(self) -> int:
        return self.created + self.matched + self.queued


def import_results(batch_ids) -> dict[int, ImportResult]:
    """:class:`ImportResult` of each given batch, counted from its rows (one query)."""
    counts: dict[int, dict[str, int]] = {pk: {} for pk in batch_ids}
    rows = (
        ImportRecord.objects.filter(batch_id__in=list(counts))
        .values("batch_id", "outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["batch_id"]][row["outcome"]] = row["n"]
    return {
        pk: ImportResult(
            created=c.get(ImportOutcome.CREATED, 0),
            matched=c.get(ImportOutcome.MATCHED_EXISTING, 0),
            queued=c.get(ImportOutcome.QUEUED_FOR_REVIEW, 0),
        )
        for pk, c in counts.items()
    }


def import_records(batch: ImportBatch):
    """The rows of a batch in file order, each with its outcome."""
    return batch.records.order_by("row_number")


def progress(batch: ImportBatch) -> dict:
    """Status, counts and progress of a batch (for the screens and the API)."""
    linkage = batch.linkage or {}
    if batch.status == ImportStatus.LINKING:
        phase = f"本人と名寄せ候補を登録中（候補{len(linkage.get('pairs', [])):,}組）"
    elif batch.status == ImportStatus.VALIDATED:
        phase = "名寄せ中（同じ方の記録を探しています）"
    else:
        phase = batch.get_status_display()
    return {
        "status": batch.status,
        "status_label": batch.get_status_display(),
        "phase": phase,
        "percent": batch.percent,
        "processed": batch.processed,
        "total": batch.total_steps,
        "running": batch.is_running,
        "created": batch.created_count,
        "matched_existing": batch.matched_count,
        "queued_for_review": batch.queued_count,
        "linkage_state": linkage.get("state", ""),
        "linkage_skipped_reason": linkage.get("reason", "")
        if linkage.get("state") == "skipped"
        else "",
        "candidates_added": linkage.get("added", 0),
    }
