"""名寄せ review: candidate pairs of persons, and reversible merges.

A candidate pair (``MatchCandidate``) comes from a batch linkage run, the registration "is
this person known?" check or a worker; a coordinator or the municipal office confirms it
(which merges the two persons) or rejects it. A merge (``PersonMerge``) keeps the absorbed
person's record as it was (archived, with its provenance) and lists every row it re-pointed,
so that undoing it restores exactly the previous state.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class CandidateOrigin(models.TextChoices):
    BATCH = "batch", "一括名寄せ"
    REGISTRATION = "registration", "登録時の確認"
    MANUAL = "manual", "職員の指摘"


class CandidateStatus(models.TextChoices):
    PENDING = "pending", "確認待ち"
    CONFIRMED = "confirmed", "同一人物として統合"
    REJECTED = "rejected", "別人と判断"


class MatchCandidate(models.Model):
    """Two person records that may be the same person (``person_a`` has the lower id)."""

    person_a = models.ForeignKey(
        "people.Person", verbose_name="本人A", on_delete=models.PROTECT, related_name="+"
    )
    person_b = models.ForeignKey(
        "people.Person", verbose_name="本人B", on_delete=models.PROTECT, related_name="+"
    )
    match_probability = models.FloatField("一致確率")
    reasons = models.JSONField("一致した項目", default=list, blank=True)
    origin = models.CharField("検出元", max_length=20, choices=CandidateOrigin.choices)
    status = models.CharField(
        "状態",
        max_length=20,
        choices=CandidateStatus.choices,
        default=CandidateStatus.PENDING,
        db_index=True,
    )
    created_at = models.DateTimeField("検出日時", auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="確認者",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("確認日時", null=True, blank=True)
    review_note = models.TextField("確認メモ", blank=True)

    class Meta:
        verbose_name = "名寄せ候補"
        verbose_name_plural = "名寄せ候補"
        ordering = ["-match_probability", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person_a__lt=F("person_b")), name="match_candidate_ordered_pair"
            ),
            models.UniqueConstraint(
                fields=["person_a", "person_b"],
                condition=Q(status="pending"),
                name="match_candidate_pending_unique",
            ),
            models.CheckConstraint(
                condition=Q(match_probability__gte=0) & Q(match_probability__lte=1),
                name="match_candidate_probability_range",
            ),
        ]

    def __str__(self) -> str:
        return f"名寄せ候補 #{self.pk}（{self.person_a_id} / {self.person_b_id}）"

    @property
    def percent(self) -> float:
        """The probability in per cent as the screens show it: rounded down to 0.1 (never a
        higher figure than computed) and never 100.0 (a linkage is never a certainty)."""
        return min(math.floor(round(self.match_probability * 1000, 6)) / 10, 99.9)


class PersonMerge(models.Model):
    """One merge: ``merged`` was absorbed into ``survivor``; ``moved`` lists what changed.

    ``moved``: ``[{"model": "consultations.consultation", "pk": 12, "field": "person"}, …]``,
    the rows re-pointed from ``merged`` to ``survivor``. ``ended_memberships``: household
    memberships of ``merged`` in a household where ``survivor`` was already a member, ended
    on ``end_date`` instead of duplicated: ``[{"pk": 7, "end_date": "2026-12-01"}, …]``.
    """

    survivor = models.ForeignKey(
        "people.Person",
        verbose_name="残す記録",
        on_delete=models.PROTECT,
        related_name="merges_absorbed",
    )
    merged = models.ForeignKey(
        "people.Person",
        verbose_name="統合された記録",
        on_delete=models.PROTECT,
        related_name="merges_into",
    )
    candidate = models.ForeignKey(
        MatchCandidate,
        verbose_name="名寄せ候補",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merges",
    )
    reason = models.TextField("理由")
    is_automatic = models.BooleanField("自動統合", default=False)
    moved = models.JSONField("付け替えた記録", default=list)
    ended_memberships = models.JSONField("終了した世帯員記録", default=list)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="統合者",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    merged_at = models.DateTimeField("統合日時")
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="元に戻した職員",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unmerged_at = models.DateTimeField("元に戻した日時", null=True, blank=True)
    unmerge_reason = models.TextField("元に戻した理由", blank=True)

    class Meta:
        verbose_name = "名寄せ（統合）"
        verbose_name_plural = "名寄せ（統合）"
        ordering = ["-merged_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(survivor=F("merged")), name="person_merge_distinct_persons"
            ),
            models.UniqueConstraint(
                fields=["merged"],
                condition=Q(unmerged_at__isnull=True),
                name="person_merge_one_active_per_merged",
            ),
        ]

    def __str__(self) -> str:
        return f"名寄せ #{self.pk}（{self.merged_id} → {self.survivor_id}）"

    @property
    def is_active(self) -> bool:
        return self.unmerged_at is None


# --- CSV import -------------------------------------------------------------------------


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "アップロード済み（列の対応づけ待ち）"
    MAPPED = "mapped", "列の対応づけ済み"
    VALIDATED = "validated", "検証済み（取込待ち）"
    INVALID = "invalid", "誤りあり（取り込んでいません）"
    IMPORTING = "importing", "本人を登録中"
    LINKING = "linking", "名寄せ中"
    DONE = "done", "完了"
    FAILED = "failed", "失敗（取り込みを中止しました）"


class ImportOutcome(models.TextChoices):
    CREATED = "created", "新規登録"
    MATCHED_EXISTING = "matched_existing", "既存の本人と一致"
    QUEUED_FOR_REVIEW = "queued_for_review", "名寄せ確認待ち"


class ImportBatch(models.Model):
    """One uploaded CSV file of person records from an agency system, and its progress.

    ``mapping`` is ``{field: column index}`` for the fields of :data:`IMPORT_FIELDS` in
    ``tsunagu.linkage.csvfile``; ``errors`` lists ``{"row", "column", "message"}`` of the
    validation; ``linkage`` records what the linkage run did (or why it was skipped).
    """

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="取り込んだ職員",
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name="取込元の機関",
        on_delete=models.PROTECT,
        related_name="+",
    )
    source_label = models.CharField("取込元システム", max_length=100)
    original_filename = models.CharField("ファイル名", max_length=255)
    encoding = models.CharField("文字コード", max_length=20)
    content = models.BinaryField("ファイルの内容")
    header = models.JSONField("見出し行", default=list)
    mapping = models.JSONField("列の対応", default=dict, blank=True)
    row_count = models.PositiveIntegerField("行数", default=0)
    status = models.CharField(
        "状態",
        max_length=20,
        choices=ImportStatus.choices,
        default=ImportStatus.UPLOADED,
        db_index=True,
    )
    processed = models.PositiveIntegerField("処理済み件数", default=0)
    # the background job (tsunagu.common.jobs): when it was asked for, the job holding the
    # batch and its last heartbeat (a stale one: the job crashed and may be resumed)
    queued_at = models.DateTimeField("取込処理の依頼日時", null=True, blank=True)
    job_token = models.CharField("取込処理の識別子", max_length=32, blank=True)
    heartbeat_at = models.DateTimeField("取込処理の最終応答", null=True, blank=True)
    total_steps = models.PositiveIntegerField("処理の総量", default=0)
    errors = models.JSONField("検証の誤り", default=list, blank=True)
    error_summary = models.TextField("誤りの概要", blank=True)
    linkage = models.JSONField("名寄せの結果", default=dict, blank=True)
    created_count = models.PositiveIntegerField("新規登録", default=0)
    matched_count = models.PositiveIntegerField("既存と一致", default=0)
    queued_count = models.PositiveIntegerField("名寄せ確認待ち", default=0)
    created_at = models.DateTimeField("取込日時", auto_now_add=True)
    finished_at = models.DateTimeField("完了日時", null=True, blank=True)

    class Meta:
        verbose_name = "CSV取込"
        verbose_name_plural = "CSV取込"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"CSV取込 #{self.pk}（{self.original_filename}）"

    @property
    def is_running(self) -> bool:
        return self.status in (
            ImportStatus.VALIDATED,
            ImportStatus.IMPORTING,
            ImportStatus.LINKING,
        )

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        if not self.total_steps:
            return 0
        return min(99, int(self.processed * 100 / self.total_steps))  # 100: done


class ImportRecord(models.Model):
    """One row of an imported file: the values as read, the raw row and the person it became."""

    batch = models.ForeignKey(
        ImportBatch, verbose_name="CSV取込", on_delete=models.PROTECT, related_name="records"
    )
    row_number = models.PositiveIntegerField("行番号")
    record_id = models.CharField("取込元の番号", max_length=100)
    name = models.CharField("氏名", max_length=100)
    kana = models.CharField("フリガナ", max_length=100, blank=True)
    dob = models.DateField("生年月日", null=True, blank=True)
    sex = models.CharField("性別", max_length=10, blank=True)
    address = models.CharField("住所", max_length=200, blank=True)
    phone = models.CharField("電話番号", max_length=30, blank=True)
    raw = models.JSONField("元の行", default=list)
    person = models.ForeignKey(
        "people.Person",
        verbose_name="本人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField("取込結果", max_length=20, choices=ImportOutcome.choices, blank=True)

    class Meta:
        verbose_name = "CSV取込の行"
        verbose_name_plural = "CSV取込の行"
        ordering = ["batch", "row_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "record_id"], name="import_record_unique_record_id"
            ),
        ]
        indexes = [
            # the job's next chunk: the rows of the batch not yet written, in file order
            models.Index(fields=["batch", "outcome", "row_number"], name="import_record_todo_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number}（{self.record_id}）"
