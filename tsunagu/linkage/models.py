"""名寄せ review: candidate pairs of persons, and reversible merges.

A candidate pair (``MatchCandidate``) comes from a batch linkage run, the registration "is
this person known?" check or a worker; a coordinator or the municipal office confirms it
(which merges the two persons) or rejects it. A merge (``PersonMerge``) keeps the absorbed
person's record as it was (archived, with its provenance) and lists every row it re-pointed,
so that undoing it restores exactly the previous state.
"""

from __future__ import annotations

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
        return round(self.match_probability * 100, 1)


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
