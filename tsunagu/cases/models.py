"""多機関協働 cases: the case, its team, its status history and the person's consent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class CaseStatus(models.TextChoices):
    """domain.md §4."""

    INTAKE = "intake", "インテーク（利用申込・同意の確認）"
    ASSESSMENT = "assessment", "アセスメント"
    PLANNING = "planning", "プラン作成"
    IN_CONFERENCE = "in_conference", "会議で協議中"
    AWAITING_DECISION = "awaiting_decision", "支援決定待ち"
    ACTIVE = "active", "支援中"
    MONITORING = "monitoring", "モニタリング"
    REPLANNING = "replanning", "再プラン"
    CLOSED = "closed", "終結"
    SUSPENDED = "suspended", "中断"


class Case(models.Model):
    """A 多機関協働 case about a person and/or household, opened from an accepted referral."""

    person = models.ForeignKey(
        "people.Person",
        verbose_name="本人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    household = models.ForeignKey(
        "people.Household",
        verbose_name="世帯",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    referral = models.OneToOneField(
        "consultations.Referral",
        verbose_name="元のつなぎ",
        on_delete=models.PROTECT,
        related_name="case",
    )
    referring_agency = models.ForeignKey(
        "accounts.Agency", verbose_name="つなぎ元の機関", on_delete=models.PROTECT, related_name="+"
    )
    coordinating_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name="多機関協働事業者",
        on_delete=models.PROTECT,
        related_name="+",
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="担当コーディネーター",
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        "状態", max_length=30, choices=CaseStatus.choices, default=CaseStatus.INTAKE
    )
    is_urgent = models.BooleanField("緊急", default=False)
    opened_on = models.DateField("受付日")
    closed_on = models.DateField("終結日", null=True, blank=True)
    lead_agency_after_closure = models.ForeignKey(
        "accounts.Agency",
        verbose_name="終結後の主担当機関",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = "事例（多機関協働）"
        verbose_name_plural = "事例（多機関協働）"
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(household__isnull=False),
                name="case_has_subject",
            )
        ]

    def __str__(self) -> str:
        return f"事例 #{self.pk}"

    def subject_persons(self) -> list[int]:
        from tsunagu.people.models import subject_person_ids

        return subject_person_ids(self.person_id, self.household_id)

    def current_consent(self) -> Consent | None:
        """The latest consent version, or ``None``; a withdrawn one means no consent."""
        latest = self.consents.order_by("-version").first()
        return latest if latest and not latest.is_withdrawal else None


class CaseTeamMember(models.Model):
    """An agency on the case team (from the referral, the plan, or added by the coordinator)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="team")
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name="機関", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField("役割", max_length=100, blank=True)
    joined_on = models.DateField("参加日")
    left_on = models.DateField("離脱日", null=True, blank=True)

    class Meta:
        verbose_name = "支援チームの機関"
        verbose_name_plural = "支援チームの機関"
        constraints = [
            models.UniqueConstraint(
                fields=["case", "agency"],
                condition=Q(left_on__isnull=True),
                name="case_team_current_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} / {self.agency}"


class CaseStatusEvent(models.Model):
    """Every status change of a case, kept forever."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="status_events")
    from_status = models.CharField(max_length=30, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=30, choices=CaseStatus.choices)
    at = models.DateTimeField("日時")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField("メモ", blank=True)

    class Meta:
        verbose_name = "事例の状態の経過"
        verbose_name_plural = "事例の状態の経過"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status} → {self.to_status}"


class ConsentMethod(models.TextChoices):
    SIGNATURE = "signature", "署名（利用申込書）"
    ORAL = "oral", "口頭（立会人あり）"


class Consent(models.Model):
    """利用申込・本人同意, versioned: a new row for each change; withdrawal is a version too."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="consents")
    version = models.PositiveIntegerField("版")
    is_withdrawal = models.BooleanField("同意の撤回", default=False)
    given_by = models.CharField("同意した方", max_length=100)
    given_on = models.DateField("同意日（撤回日）")
    method = models.CharField("方法", max_length=20, choices=ConsentMethod.choices, blank=True)
    witness = models.CharField("立会人", max_length=100, blank=True)
    scope_agencies = models.ManyToManyField(
        "accounts.Agency", verbose_name="情報を共有してよい機関", related_name="+", blank=True
    )
    share_in_conference = models.BooleanField("重層的支援会議での共有に同意", default=False)
    notes = models.TextField("特記事項（共有しない情報など）", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("記録日時", auto_now_add=True)

    class Meta:
        verbose_name = "本人同意"
        verbose_name_plural = "本人同意"
        ordering = ["case", "version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="consent_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case} 同意 第{self.version}版{'（撤回）' if self.is_withdrawal else ''}"
