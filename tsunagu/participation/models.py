"""参加支援 (社会福祉法第106条の4第2項第2号; domain.md §5.5): a place in the community for each
person. A participation record follows one person (and their household), usually beside the
多機関協働 case whose 重層的支援会議 found participation support needed, or earlier as
支援決定前の関わり. Its matches pair the person with a 社会資源 (提案 → 見学・調整 → 参加開始 →
定着 → 終了, or 中止), followed up on two tracks — with the person and with the host
(受け入れ先支援). After closure the worker keeps in touch (つながりの維持) every few months.

Statuses change only through :mod:`tsunagu.participation.services`, with an event each.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tsunagu.common.models import VisibleQuerySet


class ParticipationRecord(models.Model):
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name="参加支援事業者", on_delete=models.PROTECT, related_name="+"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="担当の参加支援員",
        on_delete=models.PROTECT,
        related_name="+",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name="本人",
        on_delete=models.PROTECT,
        related_name="participation_records",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="多機関協働の事例",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participation_records",
    )
    started_on = models.DateField("開始日")
    #: 支援決定前の関わり: begun before a 重層的支援会議 found it needed (000 allows early contact)
    is_early = models.BooleanField("支援決定前の関わり", default=False)
    #: why the record is not part of a 多機関協働 plan (then no 支援決定 is needed to start)
    outside_plan_reason = models.CharField(
        "多機関協働のプラン外で行う理由", max_length=300, blank=True
    )
    goals = models.TextField("本人の目標（本人の言葉で）")
    steps = models.TextField("取り組むこと・役割分担", blank=True)
    closed_on = models.DateField("終結日", null=True, blank=True)
    person_view = models.TextField("本人の受け止め（終結時）", blank=True)
    closure_note = models.CharField("終結についての記録", max_length=300, blank=True)
    keep_in_touch_months = models.PositiveSmallIntegerField("つながりの維持の間隔（月）", default=3)
    next_keep_in_touch_on = models.DateField("次のつながりの確認", null=True, blank=True)
    keep_in_touch_ended_on = models.DateField("つながりの維持の終了日", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    objects = VisibleQuerySet.as_manager()  # .visible_to(user): tsunagu.access

    class Meta:
        verbose_name = "参加支援"
        verbose_name_plural = "参加支援"
        ordering = ["-started_on", "-id"]
        indexes = [
            # the worker's list: an agency's open (or closed) records in the list's order
            models.Index(
                fields=["agency", "closed_on", "-started_on", "-id"], name="participation_agency"
            ),
            # the office's list: every agency's records in the list's order
            models.Index(fields=["-started_on", "-id"], name="participation_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | ~Q(person_view=""),
                name="participation_closure_has_person_view",
            )
        ]

    def __str__(self) -> str:
        return f"参加支援 #{self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    def subject_persons(self) -> list[int]:
        return [self.person_id]


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", "提案"
    ARRANGING = "arranging", "見学・調整"
    STARTED = "started", "参加開始"
    SETTLED = "settled", "定着"
    ENDED = "ended", "終了"
    CANCELLED = "cancelled", "中止"


#: matches still under way (a resource's place is taken from 参加開始 to 終了)
ACTIVE_MATCH = (
    MatchStatus.PROPOSED,
    MatchStatus.ARRANGING,
    MatchStatus.STARTED,
    MatchStatus.SETTLED,
)


class Match(models.Model):
    """参加支援マッチング: the person × a community resource."""

    record = models.ForeignKey(
        ParticipationRecord, on_delete=models.PROTECT, related_name="matches"
    )
    resource = models.ForeignKey(
        "resources.Resource", verbose_name="社会資源", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "状況", max_length=20, choices=MatchStatus.choices, default=MatchStatus.PROPOSED
    )
    proposed_on = models.DateField("提案日")
    started_on = models.DateField("参加開始日", null=True, blank=True)
    settled_on = models.DateField("定着の確認日", null=True, blank=True)
    ended_on = models.DateField("終了・中止の日", null=True, blank=True)
    end_reason = models.CharField("終了・中止の理由", max_length=300, blank=True)
    #: a start at a full resource, allowed only with a recorded reason
    full_override_reason = models.CharField("満員での受け入れの理由", max_length=300, blank=True)
    note = models.TextField("メモ", blank=True)

    class Meta:
        verbose_name = "参加支援マッチング"
        verbose_name_plural = "参加支援マッチング"
        ordering = ["record", "-proposed_on", "-id"]
        indexes = [
            models.Index(fields=["status", "resource"], name="match_status_resource"),
            # what falls due: the matches under way of an agency's open records
            models.Index(fields=["record", "status", "started_on"], name="match_record_status"),
        ]

    def __str__(self) -> str:
        return f"{self.record} × {self.resource}"


class MatchEvent(models.Model):
    match = models.ForeignKey(Match, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=20, choices=MatchStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=MatchStatus.choices)
    occurred_on = models.DateField("日付")
    note = models.CharField("記録", max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("記録日時", auto_now_add=True)

    class Meta:
        verbose_name = "マッチングの経過"
        verbose_name_plural = "マッチングの経過"
        ordering = ["match", "at", "id"]

    def __str__(self) -> str:
        return f"{self.match} {self.get_to_status_display()}"


class Track(models.TextChoices):
    PERSON = "person", "本人"
    HOST = "host", "受け入れ先"


class FollowUp(models.Model):
    """定着支援・フォローアップ on one track: with the person, or with the host (受け入れ先支援)."""

    match = models.ForeignKey(Match, on_delete=models.PROTECT, related_name="follow_ups")
    track = models.CharField("相手", max_length=10, choices=Track.choices)
    occurred_on = models.DateField("実施日")
    note = models.TextField("様子・話したこと")
    #: the host (or the person) raised a concern the team should know of
    concern = models.BooleanField("支援チームに伝えたい心配ごと", default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("記録日時", auto_now_add=True)

    class Meta:
        verbose_name = "フォローアップ"
        verbose_name_plural = "フォローアップ"
        ordering = ["match", "-occurred_on", "-id"]
        indexes = [models.Index(fields=["match", "track", "occurred_on"], name="follow_up_track")]

    def __str__(self) -> str:
        return f"{self.match} {self.get_track_display()} {self.occurred_on}"


class KeepInTouch(models.Model):
    """つながりの維持: a contact after closure to keep the connection."""

    record = models.ForeignKey(
        ParticipationRecord, on_delete=models.PROTECT, related_name="keep_in_touch"
    )
    occurred_on = models.DateField("実施日")
    note = models.TextField("様子")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("記録日時", auto_now_add=True)

    class Meta:
        verbose_name = "つながりの維持"
        verbose_name_plural = "つながりの維持"
        ordering = ["record", "-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.record} {self.occurred_on}"


class GapNeed(models.Model):
    """No resource fits the person: the record waits on a 不足する社会資源 (found in matching).
    The register counts the people a gap affects from these rows."""

    record = models.ForeignKey(
        ParticipationRecord, on_delete=models.PROTECT, related_name="gap_needs"
    )
    gap = models.ForeignKey(
        "resources.ResourceGap", on_delete=models.PROTECT, related_name="participation_needs"
    )
    note = models.CharField("合う資源がなかった事情", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        verbose_name = "不足する社会資源を待つ参加支援"
        verbose_name_plural = "不足する社会資源を待つ参加支援"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "gap"], name="participation_gap_need_once")
        ]

    def __str__(self) -> str:
        return f"{self.record_id} / {self.gap}"
