"""CSV import of person records exported by an agency system, then 名寄せ.

The steps, each a service:

1. :func:`import_upload` keeps the file (bytes in the database) after checking that it can be
   read (:mod:`tsunagu.linkage.csvfile`: UTF-8 or Shift_JIS, a header row, the size limits).
2. :func:`import_map` stores which column holds which field
   (:func:`tsunagu.linkage.csvfile.suggest_mapping` proposes one from the header names).
3. :func:`import_validate` checks every row and lists per-row Japanese errors (row, column,
   message). With any error the batch is ``invalid`` and nothing is written but the errors;
   otherwise the rows are kept as :class:`ImportRecord` (not yet persons).
4. :func:`import_start` hands the validated batch to a background job
   (:func:`run_import`, run by ``manage.py db_worker``); the status page and the API only read
   its progress.

The job (:func:`import_work`). **Matching comes first and writes nothing**: it finds the pairs
of the rows with one another and with the registered persons (:mod:`tsunagu.linkage.matching`);
any failure of it marks the batch ``failed`` with a Japanese message and nothing of the file is
written. Then the rows are written **in chunks of :data:`CHUNK`, each one short committed
transaction** with its audit event and the grants of the new persons, so the import holds no
lock other users need: every row is matched to an existing person by the exact normalised key
(name key and date of birth, reading not contradicting) or becomes a new person registered by
the uploading agency. Last, the pairs go to the review queue, in committed chunks too, with
:func:`tsunagu.linkage.services.review.candidates_from_pairs` (origin ``batch``; merged only
at ``TSUNAGU["LINKAGE_AUTO_MERGE_THRESHOLD"]``) and the batch is ``done``.

The job beats (:mod:`tsunagu.common.jobs`) at every chunk. A job that dies (the worker killed,
the machine restarted) shows as interrupted within a minute; an unexpected error interrupts it
too, with the chunk in hand rolled back. Either way the rows written before stay, and
resuming (:func:`import_start` again) goes on from the first row not written. A row the
register refuses stops the import for good (``failed``), saying how many rows were written.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from tsunagu.accounts.acting import acting
from tsunagu.accounts.models import Membership
from tsunagu.audit.services import audit_record
from tsunagu.common import jobs, touches
from tsunagu.common.errors import RuleBroken
from tsunagu.people.models import Person, Sex
from tsunagu.people.services import person_create

from .. import csvfile, matching
from ..models import (
    CandidateOrigin,
    CandidateStatus,
    ImportBatch,
    ImportOutcome,
    ImportRecord,
    ImportStatus,
    MatchCandidate,
)
from ..normalize import name_keys
from ..permissions import batches_visible_to
from ..selectors.imports import job_state
from .review import candidates_from_pairs

logger = logging.getLogger(__name__)

MAX_STORED_ERRORS = 1000
SOURCE_LABEL_MAX = 100

NOT_REVIEWER = "CSV取込は自治体職員（事務局）または多機関協働事業者のみが行えます。"
NO_AGENCY = "所属機関を選んでから取り込んでください。"

#: Shown (screen and API) when the matching step fails, whatever the cause.
MATCHING_FAILED = (
    "名寄せ（同じ方の記録の照合）を実行できなかったため、このファイルは取り込んでいません。"
    "本人も名寄せ候補も1件も登録していません。時間をおいて取り込み直し、"
    "同じことが続く場合は事務局（システム管理者）に連絡してください。"
)
#: Shown when writing the persons fails for a reason that is not the file's.
UNEXPECTED = "予期しない誤りが発生しました。時間をおいて取り込み直してください"
#: Shown when the job stopped on an unexpected error; the rows written before it stay.
INTERRUPTED = (
    "予期しない誤りで取り込みが中断しました。それまでに登録した行はそのままです。"
    "「続きから再開」で残りの行を取り込めます。"
)


# --- permissions ------------------------------------------------------------------------


def _require_importer(by) -> None:
    if by is None or not by.has_perm("linkage.review"):
        raise PermissionDenied(NOT_REVIEWER)


def _require_batch(by, batch: ImportBatch) -> ImportBatch:
    _require_importer(by)
    if not batches_visible_to(by).filter(pk=batch.pk).exists():
        raise PermissionDenied("指定されたCSV取込は見つかりません。")
    return batch


# --- 1. upload --------------------------------------------------------------------------


def import_upload(*, by, file, source_label: str) -> ImportBatch:
    """Keep an uploaded CSV file (status ``uploaded``) after checking it can be read."""
    _require_importer(by)
    membership = acting(by).membership
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
    data = csvfile.read_upload(file)
    text, encoding = csvfile.decode(data)
    header, rows = csvfile.read_rows(text)
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
            mapping=csvfile.suggest_mapping(header),
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


# --- 2. mapping -------------------------------------------------------------------------


def import_map(*, by, batch: ImportBatch, mapping: dict) -> ImportBatch:
    """Store which column holds which field (氏名、フリガナ and 取込元の番号 are required)."""
    _require_batch(by, batch)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status not in (ImportStatus.UPLOADED, ImportStatus.MAPPED, ImportStatus.INVALID):
            raise ValidationError("取込を始めた後は列の対応を変更できません。")
        batch.mapping = csvfile.clean_mapping(batch.header, mapping)
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


def import_validate(*, by, batch: ImportBatch) -> ImportBatch:
    """Check every row. Any error: status ``invalid`` with the per-row errors, nothing else
    written. No error: the rows are kept (not yet as persons) and the batch is ``validated``.
    """
    _require_batch(by, batch)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status not in (ImportStatus.MAPPED, ImportStatus.INVALID):
            raise ValidationError("列の対応を決めてから検証してください。")
        mapping = csvfile.clean_mapping(batch.header, batch.mapping)
        header, rows = csvfile.batch_rows(batch)
        parsed, errors = csvfile.parse_rows(header, rows, mapping)
        if errors:
            _keep_errors(batch, errors)
        else:
            _keep_rows(batch, parsed)
        batch.save(update_fields=["status", "errors", "error_summary", "processed", "total_steps"])
        audit_record(
            actor=by,
            action="linkage.import_validate",
            target=batch,
            context={"status": batch.status, "rows": len(rows), "errors": len(errors)},
        )
    return batch


def _keep_errors(batch: ImportBatch, errors: list[dict]) -> None:
    """``invalid``: the first :data:`MAX_STORED_ERRORS` errors and a summary; no row kept."""
    bad_rows = len({e["row"] for e in errors})
    batch.status = ImportStatus.INVALID
    batch.errors = errors[:MAX_STORED_ERRORS]
    batch.error_summary = (
        f"{bad_rows:,}行に{len(errors):,}件の誤りがあります。"
        "ファイルは取り込んでいません。修正して取り込み直してください。"
    )
    if len(errors) > MAX_STORED_ERRORS:
        batch.error_summary += f"（最初の{MAX_STORED_ERRORS:,}件を表示しています）"


def _keep_rows(batch: ImportBatch, parsed: list[csvfile.ParsedRow]) -> None:
    """``validated``: the rows replace any kept before, to become persons in the next steps."""
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


# --- 4. the job ------------------------------------------------------------------------

#: Rows written per committed chunk (each chunk is one short transaction). SQLite has one
#: writer at a time: there a chunk is smaller, so other users' writes wait less.
CHUNK = 200
SQLITE_CHUNK = 50
#: Pairs put in the review queue per committed chunk.
PAIR_CHUNK = 200


class _TakenOver(Exception):
    """Another job took the batch over (this one was taken as crashed): stop, roll back."""


def _held(batch_id: int):
    return ImportBatch.objects.filter(pk=batch_id)


def import_start(*, by, batch: ImportBatch) -> ImportBatch:
    """Hand a validated batch to the background job, or resume one that was interrupted.

    The job is written in the same transaction (the worker sees it once this commits). A batch
    already waiting for the worker or running answers as it is: a double click or a repeated
    API call never starts a second job.
    """
    _require_batch(by, batch)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().defer("content").get(pk=batch.pk)
        if not batch.is_running:
            raise RuleBroken("検証に通っていないか、終了した取込のため、取り込みを始められません。")
        _enqueue(batch, by)
    batch.refresh_from_db()
    return batch


def _enqueue(batch: ImportBatch, by) -> bool:
    """Queue the job of a locked, running batch unless one is waiting or running already."""
    state = job_state(batch)
    if state in ("waiting", "running"):
        return False
    ImportBatch.objects.filter(pk=batch.pk).update(
        queued_at=timezone.now(), heartbeat_at=None, job_token="", error_summary=""
    )
    audit_record(
        actor=by,
        action="linkage.import_resume" if state != "new" else "linkage.import_start",
        target=batch,
        context={"status": batch.status, "processed": batch.processed, "was": state},
    )
    run_import.enqueue(batch.pk)
    return True


def resume_crashed_imports() -> list[int]:
    """Queue again every import whose job stopped answering (the worker was killed, the
    machine restarted): for cron, so that nobody has to press 「続きから再開」. An import
    stopped by an unexpected error is left to a person (the same error would recur)."""
    resumed = []
    stale = ImportBatch.objects.filter(
        status__in=RUNNING, heartbeat_at__lt=timezone.now() - jobs.STALE_AFTER
    )
    for pk in stale.values_list("pk", flat=True):
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().defer("content").get(pk=pk)
            if job_state(batch) == "interrupted" and _enqueue(batch, None):
                resumed.append(pk)
    return resumed


@task()
def run_import(batch_id: int) -> str:
    """The background job of one CSV import (``manage.py db_worker`` runs it)."""
    return import_work(batch_id)


def import_work(batch_id: int, *, chunk: int | None = None) -> str:
    """Run a batch to its end: matching (nothing written but the pairs), then the persons in
    committed chunks of ``chunk`` rows, then the pairs to the review queue and the result.

    The job claims the batch (:func:`tsunagu.common.jobs.claim`) and beats at every chunk, so
    a crashed job shows as interrupted within a minute and a resumed one goes on from the
    first row not yet written. Returns the status it left.
    """
    chunk = chunk or (SQLITE_CHUNK if connection.vendor == "sqlite" else CHUNK)
    token = jobs.new_token()
    rows = _held(batch_id)
    if not jobs.claim(rows.filter(status__in=RUNNING), token=token):
        return "busy"
    # the file itself (up to 20 MB) is not read again at every chunk
    batch = ImportBatch.objects.defer("content").select_related("uploaded_by").get(pk=batch_id)
    by = batch.uploaded_by
    # the job acts, and is audited, as the uploader in the agency the file came from
    by.acting_membership = (
        Membership.objects.filter(user=by, agency_id=batch.agency_id)
        .order_by("-is_active", "id")
        .first()
    )
    try:
        while batch.is_running:
            if batch.status == ImportStatus.VALIDATED:
                try:
                    with jobs.Heartbeat(rows, token=token):
                        _run_linkage(batch, by, token)
                except _TakenOver:
                    raise
                except Exception as exc:  # the file is not imported: nothing of it is written
                    logger.exception("CSV import %s: the matching step failed", batch_id)
                    _fail(batch, by, exc, summary=MATCHING_FAILED)
            elif not _write_chunk(batch, by, token, chunk):
                _complete(batch, by, token)
            batch.refresh_from_db()
    except _TakenOver:
        return "taken_over"
    except ValidationError as exc:  # a row the register refuses: stop, keep what is written
        _fail(batch, by, exc)
    except Exception as exc:
        logger.exception("CSV import %s: interrupted", batch_id)
        _interrupt(batch, by, token, exc)
    batch.refresh_from_db()
    return batch.status


#: The statuses in which a job has work to do.
RUNNING = (ImportStatus.VALIDATED, ImportStatus.IMPORTING, ImportStatus.LINKING)


def _fail(batch: ImportBatch, by, exc: Exception, *, summary: str = "") -> None:
    """``failed``: the job stops for good, with a Japanese message saying what is written."""
    message = "、".join(exc.messages) if isinstance(exc, ValidationError) else UNEXPECTED
    batch.refresh_from_db()
    written = batch.created_count + batch.matched_count
    if not summary:
        summary = f"取り込みを中止しました（{message}）。"
        summary += (
            f"それまでの{written:,}行は登録済みです（取込結果に表示しています）。"
            if written
            else "このファイルの本人は1件も登録していません。"
        )
    with transaction.atomic():
        linkage = {
            k: v
            for k, v in (batch.linkage or {}).items()
            if k not in ("pairs", "person_pairs", "pairs_queued")
        }
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED,
            error_summary=summary[:2000],
            finished_at=timezone.now(),
            heartbeat_at=None,
            job_token="",
            linkage=linkage,
        )
        audit_record(
            actor=by,
            action="linkage.import_fail",
            target=batch,
            context={
                "reason": message[:200],
                "written": written,
                "error": f"{type(exc).__name__}: {exc}"[:500],
            },
        )
    batch.refresh_from_db()


def _interrupt(batch: ImportBatch, by, token: str, exc: Exception) -> None:
    """An unexpected error: the chunk in hand is rolled back, the rows written before stay,
    and the batch waits to be resumed (status unchanged)."""
    with transaction.atomic():
        if ImportBatch.objects.filter(pk=batch.pk, job_token=token).update(
            heartbeat_at=None, job_token="", error_summary=INTERRUPTED
        ):
            audit_record(
                actor=by,
                action="linkage.import_interrupt",
                target=batch,
                context={"error": f"{type(exc).__name__}: {exc}"[:500]},
            )


# --- the matching step ------------------------------------------------------------------


def _run_linkage(batch: ImportBatch, by, token: str) -> None:
    """The matching step: find the pairs of the rows with one another and with the
    registered persons. Writes nothing but the pairs, on the batch (→ ``linking``)."""
    records = list(batch.records.order_by("row_number"))
    pool = list(matching.link_pool(records).order_by("id"))
    started = timezone.now()
    if len(records) + len(pool) < 2:
        state = {"state": "skipped", "reason": "比べる記録が2件未満です。", "pairs": []}
    else:
        pairs, method = matching.score_pairs(records, pool)
        state = {
            "state": "matched",
            "method": method,
            "compared": len(records) + len(pool),
            "pairs": sorted(pairs, key=lambda p: (-p[2], p[0], p[1])),
            "seconds": round((timezone.now() - started).total_seconds(), 1),
        }
    with transaction.atomic():
        if not jobs.beat(
            _held(batch.pk),
            token=token,
            status=ImportStatus.LINKING,
            processed=len(records),
            total_steps=2 * len(records),
            linkage=state,
        ):
            raise _TakenOver
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


# --- the writing step -------------------------------------------------------------------


def _write_chunk(batch: ImportBatch, by, token: str, chunk: int) -> bool:
    """The next ``chunk`` rows not yet written, each matched to an existing person or
    registered, in one committed transaction with its audit event and the grants of the new
    persons. False when every row is written."""
    records = list(batch.records.filter(outcome="").order_by("row_number")[:chunk])
    if not records:
        return False
    created = matched = 0
    with transaction.atomic(), touches.batch():
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
        ImportRecord.objects.bulk_update(records, ["person", "outcome"])
        audit_record(
            actor=by,
            action="linkage.import_persons",
            target=batch,
            persons=sorted({r.person_id for r in records}),
            context={
                "rows": [records[0].row_number, records[-1].row_number],
                "created": created,
                "matched_existing": matched,
                "matched": [
                    {"row": r.row_number, "person": r.person_id}
                    for r in records
                    if r.outcome == ImportOutcome.MATCHED_EXISTING
                ],
            },
        )
        if not jobs.beat(
            _held(batch.pk),
            token=token,
            processed=F("processed") + len(records),
            created_count=F("created_count") + created,
            matched_count=F("matched_count") + matched,
        ):
            raise _TakenOver
    return True


def _complete(batch: ImportBatch, by, token: str) -> None:
    """The pairs found, now between persons, to the review queue in committed chunks of
    :data:`PAIR_CHUNK` (resumed after the last chunk queued), then the result (→ ``done``)."""
    batch.refresh_from_db()
    state = dict(batch.linkage)
    if "pairs" in state:  # the rows are persons now: name the pairs by person, once
        person_of = dict(batch.records.values_list("row_number", "person_id"))
        found: dict[tuple[int, int], float] = {}
        for ref_a, ref_b, p in state.pop("pairs"):
            a, b = (person_of[int(r[1:])] if r[0] == "r" else int(r[1:]) for r in (ref_a, ref_b))
            if a != b:
                key = (min(a, b), max(a, b))
                found[key] = max(found.get(key, 0.0), p)
        state["person_pairs"] = [
            [a, b, p] for (a, b), p in sorted(found.items(), key=lambda item: (-item[1], item[0]))
        ]
        state["pairs_queued"] = 0
        _save_state(batch, token, state)
    while state["pairs_queued"] < len(state["person_pairs"]):
        start = state["pairs_queued"]
        chunk = state["person_pairs"][start : start + PAIR_CHUNK]
        with transaction.atomic():
            persons = Person.objects.in_bulk({x for a, b, _ in chunk for x in (a, b)})
            result = candidates_from_pairs(
                [
                    (a, b, p, matching.pair_reasons(persons[a], persons[b]))
                    for a, b, p in chunk
                    if a in persons and b in persons
                ],
                origin=CandidateOrigin.BATCH,
            )
            counts = {k: getattr(result, k) for k in ("added", "existing", "skipped", "merged")}
            for key, value in counts.items():
                state[key] = state.get(key, 0) + value
            state["pairs_queued"] = start + len(chunk)
            audit_record(
                actor=by,
                action="linkage.import_queue",
                target=batch,
                persons=sorted(persons),
                context={**counts, "pairs": [start, start + len(chunk)]},
            )
            _save_state(batch, token, state)
    with transaction.atomic():
        state.pop("person_pairs", None)
        state.pop("pairs_queued", None)
        _finish(batch, by, token, state)


def _save_state(batch: ImportBatch, token: str, state: dict) -> None:
    if not jobs.beat(_held(batch.pk), token=token, linkage=state):
        raise _TakenOver


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


def person_create_for(by, batch: ImportBatch, record: ImportRecord) -> Person:

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


def _finish(batch: ImportBatch, by, token: str, state: dict) -> None:
    """The outcome of the rows whose new person waits for review, and the batch ``done``.
    The persons were audited chunk by chunk (``linkage.import_persons``): the closing event
    gives the counts."""
    pending = MatchCandidate.objects.filter(status=CandidateStatus.PENDING)
    # only a person this file registered is 「新規登録・名寄せ確認待ち」; a row matched to an
    # existing person stays 「既存の本人と一致」 even when that person has a pair waiting
    queued = batch.records.filter(outcome=ImportOutcome.CREATED).filter(
        Q(person__in=pending.values("person_a")) | Q(person__in=pending.values("person_b"))
    )
    queued_count = queued.update(outcome=ImportOutcome.QUEUED_FOR_REVIEW)
    if not jobs.beat(
        _held(batch.pk),
        token=token,
        status=ImportStatus.DONE,
        queued_count=queued_count,
        processed=batch.total_steps,
        finished_at=timezone.now(),
        linkage=state,
        heartbeat_at=None,
        job_token="",
    ):
        raise _TakenOver
    audit_record(
        actor=by,
        action="linkage.import_done",
        target=batch,
        context={
            "created": batch.created_count,
            "matched_existing": batch.matched_count,
            "queued_for_review": queued_count,
            "linkage": state,
        },
    )
