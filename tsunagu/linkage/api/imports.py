"""CSV import over the API (for integrations): upload and validate in one request, start (or
resume) the background job, and read its progress.

Only the municipal program office and coordinators (``linkage.review``, 403 otherwise); an
import of another agency answers 404. A file with row errors answers 422
``{"detail", "errors": {"rows": [{"row", "column", "message"}]}, "id"}`` and imports nothing.
"""

from __future__ import annotations

import datetime
import json

from django.core.exceptions import ValidationError
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from tsunagu.api.errors import invalid
from tsunagu.api.permissions import require_perm
from tsunagu.api.schemas import ErrorOut, InvalidOut, RuleBrokenOut
from tsunagu.audit.services import audit_read
from tsunagu.common.errors import RuleBroken

from .. import csvfile
from ..models import ImportBatch, ImportStatus
from ..selectors import imports as selectors
from ..services import imports as services

# Every route keeps the operation id it had before the API became a package, so clients
# generated from the OpenAPI schema keep their method names.
router = Router()


class ImportOut(Schema):
    id: int
    status: str
    status_label: str
    phase: str
    percent: int
    processed: int
    total: int
    running: bool
    job: str
    can_resume: bool
    source_label: str
    filename: str
    encoding: str
    encoding_label: str
    row_count: int
    mapping: dict[str, str]
    created: int
    matched_existing: int
    queued_for_review: int
    linkage_state: str
    linkage_skipped_reason: str
    candidates_added: int
    error_summary: str
    created_at: datetime.datetime
    finished_at: datetime.datetime | None


class RowError(Schema):
    row: int
    column: str
    message: str


class RowErrors(Schema):
    rows: list[RowError]


class RowsInvalidOut(Schema):
    detail: str
    id: int
    errors: RowErrors


def _out(batch: ImportBatch) -> dict:
    return {
        **selectors.progress(batch),
        "id": batch.pk,
        "source_label": batch.source_label,
        "filename": batch.original_filename,
        "encoding": batch.encoding,
        "encoding_label": csvfile.encoding_label(batch.encoding),
        "row_count": batch.row_count,
        "mapping": {k: batch.header[v] for k, v in (batch.mapping or {}).items()},
        "error_summary": batch.error_summary,
        "created_at": batch.created_at,
        "finished_at": batch.finished_at,
    }


def _mapping(batch: ImportBatch, raw: str) -> dict:
    """The mapping given as JSON: ``{field: column index or header name}``."""
    if not raw.strip():
        return batch.mapping
    try:
        given = json.loads(raw)
    except ValueError as exc:
        raise invalid({"mapping": "列の対応はJSONで指定してください。"}) from exc
    if not isinstance(given, dict):
        raise invalid({"mapping": "列の対応は {項目: 列番号または見出し} で指定してください。"})
    mapping = {}
    for key, value in given.items():
        if isinstance(value, str) and value in batch.header:
            value = batch.header.index(value)
        mapping[key] = value
    return mapping


@router.post(
    "/linkage/imports",
    response={201: ImportOut, 403: ErrorOut, 422: RowsInvalidOut | InvalidOut},
    summary="CSVファイルを取り込み、検証する",
    operation_id="tsunagu_linkage_import_api_import_create",
)
def import_create(
    request,
    file: File[UploadedFile],
    source_label: Form[str],
    mapping: Form[str] = "",
):
    """UTF-8 または Shift_JIS（CP932）のCSV。``mapping`` は省略すると見出しから推定します
    （例：``{"record_id": "利用者番号", "name": 1, "kana": 2}``）。検証に通ると ``validated``
    で返り、``/run`` で取り込みと名寄せを行います。"""
    require_perm(request, "linkage.review")
    batch = services.import_upload(by=request.user, file=file, source_label=source_label)
    try:
        batch = services.import_map(by=request.user, batch=batch, mapping=_mapping(batch, mapping))
    except ValidationError as exc:
        raise invalid(
            {f"mapping.{k}": v for k, v in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {"mapping": exc.messages}
        ) from exc
    batch = services.import_validate(by=request.user, batch=batch)
    if batch.status == ImportStatus.INVALID:
        return Status(
            422,
            {
                "detail": batch.error_summary,
                "id": batch.pk,
                "errors": {"rows": batch.errors},
            },
        )
    return Status(201, _out(batch))


@router.post(
    "/linkage/imports/{batch_id}/run",
    response={202: ImportOut, 403: ErrorOut, 404: ErrorOut, 409: RuleBrokenOut},
    summary="取り込みと名寄せを始める（中断した取込は続きから再開する）",
    operation_id="tsunagu_linkage_import_api_import_run",
)
def import_run(request, batch_id: int):
    """取り込みはバックグラウンドで行います。``GET /linkage/imports/{id}`` で進み具合
    （``percent``、``job``: ``waiting`` / ``running`` / ``interrupted`` …）を確かめてください。
    実行中・順番待ちの取込に繰り返し送っても、処理は1つしか動きません。"""
    require_perm(request, "linkage.review")
    batch = selectors.get_batch_for_user(request.user, batch_id, for_write=True)
    if batch.status in (ImportStatus.UPLOADED, ImportStatus.MAPPED, ImportStatus.INVALID):
        raise RuleBroken("検証に通っていないため取り込めません。")
    batch = services.import_start(by=request.user, batch=batch)
    persons = list(batch.records.exclude(person=None).values_list("person_id", flat=True))
    audit_read(request, "linkage.import_view", batch, persons=persons, context={"via": "run"})
    return Status(202, _out(batch))


@router.get(
    "/linkage/imports/{batch_id}",
    response={200: ImportOut, 403: ErrorOut, 404: ErrorOut},
    summary="CSV取込の状態",
    operation_id="tsunagu_linkage_import_api_import_get",
)
def import_get(request, batch_id: int):
    require_perm(request, "linkage.review")
    batch = selectors.get_batch_for_user(request.user, batch_id)
    audit_read(request, "linkage.import_view", batch, context={"status": batch.status})
    return Status(200, _out(batch))
