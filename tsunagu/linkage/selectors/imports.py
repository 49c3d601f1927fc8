"""CSV import reads: the imports a user may see, the rows of one with their outcomes, the
counts of each outcome, and the progress of a running import."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.http import Http404

from tsunagu.common import jobs

from ..models import ImportBatch, ImportOutcome, ImportRecord, ImportStatus
from ..permissions import batches_visible_to


def batch_list(*, user) -> QuerySet:
    """The imports the user may see (newest first), with their agency and uploader."""
    # the file itself is read only where it is needed (the mapping preview, validation)
    return batches_visible_to(user).defer("content").select_related("agency", "uploaded_by")


def batch_get(*, user, pk: int) -> ImportBatch:
    """An import the user may see; DoesNotExist otherwise."""
    return batch_list(user=user).get(pk=pk)


def get_batch_for_user(user, pk, *, for_write: bool = False) -> ImportBatch:
    """An import as :func:`batch_get` reads it, for a page or endpoint of ``user``: ``Http404``
    unless the user may see it (the program office every import, a coordinator those of their
    acting agency); with ``for_write`` (map, validate, run), ``PermissionDenied`` unless the
    user reviews 名寄せ (``linkage.review``; today only reviewers see imports at all)."""
    from .review import require_reviewer

    try:
        batch = batch_get(user=user, pk=int(pk))
    except (ImportBatch.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc
    if for_write:
        require_reviewer(user)
    return batch


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


def job_state(batch: ImportBatch) -> str:
    """Where the background job of a running batch is: ``new`` (never handed over),
    ``waiting`` (for the worker), ``waiting_long`` (no worker took it within a minute),
    ``running``, or ``interrupted`` (it stopped: crashed, or an unexpected error). ``""`` when
    the batch is not running."""
    if not batch.is_running:
        return ""
    if batch.heartbeat_at is not None:
        return "interrupted" if jobs.is_stale(batch.heartbeat_at) else "running"
    if batch.error_summary:
        return "interrupted"
    if batch.queued_at is None:
        return "new"
    return "waiting_long" if jobs.is_stale(batch.queued_at) else "waiting"


#: What the page says of a job that is not simply running.
JOB_PHASES = {
    "new": "取り込みを始めていません",
    "waiting": "順番待ち（取込処理の開始を待っています）",
    "waiting_long": (
        "取込処理が1分以上始まっていません。取込処理（バックグラウンド処理）が動いているか、"
        "事務局（システム管理者）に確認してください。"
    ),
}


def progress(batch: ImportBatch) -> dict:
    """Status, counts and progress of a batch (for the screens and the API)."""
    linkage = batch.linkage or {}
    job = job_state(batch)
    if job == "interrupted":
        phase = batch.error_summary or (
            "取込処理が1分以上応答していません（中断されました）。"
            "「続きから再開」で残りの行を取り込めます。"
        )
    elif job in JOB_PHASES:
        phase = JOB_PHASES[job]
    elif "person_pairs" in linkage:
        queued, pairs = linkage.get("pairs_queued", 0), len(linkage["person_pairs"])
        phase = f"名寄せ候補を確認待ちに登録中（{queued:,}／{pairs:,}組）"
    elif batch.status == ImportStatus.LINKING:
        written = batch.created_count + batch.matched_count
        phase = f"本人を登録中（{written:,}／{batch.row_count:,}行）"
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
        "job": job,
        "can_resume": job in ("interrupted", "waiting_long", "new"),
        "created": batch.created_count,
        "matched_existing": batch.matched_count,
        "queued_for_review": batch.queued_count,
        "linkage_state": linkage.get("state", ""),
        "linkage_skipped_reason": linkage.get("reason", "")
        if linkage.get("state") == "skipped"
        else "",
        "candidates_added": linkage.get("added", 0),
    }
