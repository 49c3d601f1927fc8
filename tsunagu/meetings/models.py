"""Meetings: 重層的支援会議 (conference), 支援会議 (confidential meeting), case and liaison
meetings; their members, pledges, guests, agenda, decisions, action items and resource gaps.

A decision recorded on an agenda item applies its effect to the case and plan atomically
(``services.decision_record``); nothing here changes a case by itself.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tsunagu.common.models import VisibleQuerySet


class MeetingKind(models.TextChoices):
    CONFERENCE = "conference", "重層的支援会議"
    CONFIDENTIAL = "confidential_meeting", "支援会議（社会福祉法第106条の6）"
    CASE = "case_meeting", "ケース会議"
    LIAISON = "liaison", "連携会議"
    STEERING = "steering", "運営会議"


DECISION_KINDS = frozenset({MeetingKind.CONFERENCE, MeetingKind.CONFIDENTIAL})


class Schedule(models.TextChoices):
    REGULAR = "regular", "定例"
    AD_HOC = "ad_hoc", "随時"


class Format(models.TextChoices):
    IN_PERSON = "in_person", "対面"
    ONLINE = "online", "オンライン"
    HYBRID = "hybrid", "対面とオンライン"


class Meeting(models.Model):
    kind = models.CharField("会議の種類", max_length=30, choices=MeetingKind.choices)
    title = models.CharField("会議名", max_length=200)
    schedule = models.CharField("開催区分", max_length=20, choices=Schedule.choices)
    format = models.CharField("開催方法", max_length=20, choices=Format.choices)
    starts_at = models.DateTimeField("開始日時")
    place = models.CharField("場所・接続先", max_length=200, blank=True)
    convening_agency = models.ForeignKey(
        "accounts.Agency", verbose_name="招集する機関", on_delete=models.PROTECT, related_name="+"
    )
    series = models.CharField(
        "定例会議の系列", max_length=100, blank=True, help_text="例：毎月第2火曜の定例会"
    )
    minutes = models.TextField("議事録", blank=True)
    is_cancelled = models.BooleanField("中止", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    objects = VisibleQuerySet.as_manager()  # .visible_to(user): tsunagu.access

    class Meta:
        verbose_name = "会議"
        verbose_name_plural = "会議"
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_kind_display()}）"

    @property
    def is_confidential(self) -> bool:
        return self.kind == MeetingKind.CONFIDENTIAL

    @property
    def takes_decisions(self) -> bool:
        return self.kind in DECISION_KINDS


class MeetingMember(models.Model):
    """A member of a meeting: a user of the system, or someone outside it (民生委員 …)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="利用者",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_memberships",
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name="所属機関",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField("氏名", max_length=100)
    role = models.CharField("会議での立場", max_length=30, blank=True)
    is_guest = models.BooleanField("ゲスト（この会議だけの招待）", default=False)
    invited_until = models.DateTimeField("招待の期限", null=True, blank=True)
    invitation_revoked_at = models.DateTimeField("招待の取消日時", null=True, blank=True)
    pledged_at = models.DateTimeField("守秘義務の誓約日時", null=True, blank=True)
    pledge_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    attended = models.BooleanField("出席", null=True, blank=True)

    class Meta:
        verbose_name = "会議の構成員"
        verbose_name_plural = "会議の構成員"
        ordering = ["meeting", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=Q(user__isnull=False),
                name="meeting_member_user_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting} / {self.name}"


class AgendaPurpose(models.TextChoices):
    PLAN_ADOPTION = "plan_adoption", "プランの決定"
    REPLAN = "replan", "再プランの決定"
    CLOSURE = "closure", "終結の判断"
    SUSPENSION = "suspension", "中断の判断"
    PROGRESS = "progress", "経過の確認"
    INFORMATION = "information", "情報共有"
    RESOURCE = "resource", "社会資源の開発"
    OUTREACH_PLAN = "outreach_plan", "アウトリーチ支援計画の協議"


#: Purposes owned by a program app, which puts its own records on the agenda
#: (``tsunagu.meetings.hooks``): not offered when adding an item on the meeting's page.
PROGRAM_PURPOSES = frozenset({AgendaPurpose.OUTREACH_PLAN})
#: The purposes a meeting's page offers
CASE_PURPOSE_CHOICES = [
    (v, label) for v, label in AgendaPurpose.choices if v not in PROGRAM_PURPOSES
]


# Purposes whose decision moves a case (domain.md §5.2: the four mandatory timings).
DECISION_PURPOSES = frozenset(
    {
        AgendaPurpose.PLAN_ADOPTION,
        AgendaPurpose.REPLAN,
        AgendaPurpose.CLOSURE,
        AgendaPurpose.SUSPENSION,
    }
)


class DecisionOutcome(models.TextChoices):
    AGREED = "agreed", "承認・決定"
    REVISE = "revise", "修正して再協議"
    NOT_AGREED = "not_agreed", "見送り"
    NOTED = "noted", "確認・共有した"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agenda")
    order = models.PositiveIntegerField("順番", default=0)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="事例",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    plan = models.ForeignKey(
        "cases.SupportPlan",
        verbose_name="協議するプラン",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    purpose = models.CharField("目的", max_length=20, choices=AgendaPurpose.choices)
    title = models.CharField("議題", max_length=200, blank=True)
    is_withdrawn = models.BooleanField("取り下げ", default=False)
    withdrawn_reason = models.CharField("取り下げの理由", max_length=200, blank=True)
    # The decision (one per item, recorded once)
    outcome = models.CharField("決定", max_length=20, choices=DecisionOutcome.choices, blank=True)
    decision_text = models.TextField("決定の内容", blank=True)
    lead_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name="終結後の主担当機関",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    contact_attempts = models.TextField("連絡の試み（中断の判断）", blank=True)
    decided_at = models.DateTimeField("決定日時", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "議題"
        verbose_name_plural = "議題"
        ordering = ["meeting", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(purpose="closure", outcome="agreed") | Q(lead_agency__isnull=False),
                name="closure_decision_names_lead_agency",
            ),
            models.CheckConstraint(
                condition=~Q(purpose="suspension", outcome="agreed") | ~Q(contact_attempts=""),
                name="suspension_decision_records_attempts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} / {self.get_purpose_display()}"

    @property
    def is_decided(self) -> bool:
        return bool(self.outcome)


class ActionItem(models.Model):
    """宿題: who does what by when, agreed at a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="action_items")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.PROTECT, null=True, blank=True, related_name="action_items"
    )
    description = models.CharField("内容", max_length=300)
    owner_agency = models.ForeignKey(
        "accounts.Agency", verbose_name="担当機関", on_delete=models.PROTECT, related_name="+"
    )
    owner_name = models.CharField("担当者", max_length=100, blank=True)
    due_on = models.DateField("期限")
    done_on = models.DateField("完了日", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        verbose_name = "会議の宿題"
        verbose_name_plural = "会議の宿題"
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description


class MeetingGap(models.Model):
    """A 不足する社会資源 raised at a meeting: the register itself is ``resources.ResourceGap``
    (below this app); this row says at which meeting it was found."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="gap_links")
    gap = models.OneToOneField(
        "resources.ResourceGap", on_delete=models.CASCADE, related_name="meeting_link"
    )

    class Meta:
        verbose_name = "会議で把握した不足する社会資源"
        verbose_name_plural = "会議で把握した不足する社会資源"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.meeting} / {self.gap}"
