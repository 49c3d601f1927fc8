"""多機関協働 cases: the case, its team, its status history and the person's consent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tsunagu.common.models import VisibleQuerySet
from tsunagu.people.models import subject_person_ids


class CaseStatus(models.TextChoices):
    """domain.md §4."""

    INTAKE = "intake", "インテーク（利用申込・同意の確認）"
    ASSESSMENT = "assessment", "アセスメント"
    PLANNING = "planning", "プラン作成"
    IN_CONFERENCE = "in_conference", "会議で協議中"
    AWAITING_DECISION = "awaiting_decision", "支援決定・自治体への報告待ち"
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
    # The next monitoring and evaluation of the current plan, as
    # ``selectors.monitoring.next_due_dates`` gives them (None when not monitored). Kept by
    # ``services.monitoring.refresh_due_dates`` whenever the case, a plan or a monitoring
    # record is saved, so that the home page finds what falls due from an index.
    monitoring_due_on = models.DateField("次回モニタリング予定日", null=True, editable=False)
    evaluation_due_on = models.DateField("次回評価予定日", null=True, editable=False)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    objects = VisibleQuerySet.as_manager()  # .visible_to(user): tsunagu.access

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
        # the case list's order: a page of the newest cases is read off the index
        indexes = [
            models.Index(fields=["-opened_on", "-id"], name="case_newest_first"),
            # what falls due on the home page: the office's (all cases) and a coordinating
            # agency's, each date read from its own index (selectors.monitoring)
            *(
                models.Index(
                    fields=fields,
                    condition=models.Q(**{f"{fields[-1]}__isnull": False}),
                    name=name,
                )
                for fields, name in (
                    (["monitoring_due_on"], "case_monitoring_due_on"),
                    (["evaluation_due_on"], "case_evaluation_due_on"),
                    (["coordinating_agency", "monitoring_due_on"], "case_agency_monitoring_due"),
                    (["coordinating_agency", "evaluation_due_on"], "case_agency_evaluation_due"),
                )
            ),
        ]

    def __str__(self) -> str:
        return f"事例 #{self.pk}"

    def subject_persons(self) -> list[int]:
        """The case's person and its household's current members. A case read for a page
        (``cases.selectors.case_get``) carries them read once for the request."""
        known = getattr(self, "subject_ids", None)
        if known is not None:
            return list(known)
        return subject_person_ids(self.person_id, self.household_id)

    def current_consent(self) -> Consent | None:
        """The principal's current consent, or ``None``; a withdrawn one means no consent.

        The principal is the case's person; a household case without one is governed by the
        latest current consent of any of its members."""
        current = self.consents.filter(is_current=True)
        if self.person_id is None:
            return current.filter(is_withdrawal=False).order_by("-version").first()
        latest = current.filter(person_id=self.person_id).first()
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
    left_reason = models.CharField("離脱の理由", max_length=200, blank=True)

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
    person = models.ForeignKey(
        "people.Person",
        verbose_name="同意の対象となる方",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
        help_text="同意は一人ずつ記録します（世帯の他の方の情報は、その方自身の同意で共有）。",
    )
    is_current = models.BooleanField(
        "その方の最新の版", default=True, editable=False, db_index=True
    )
    is_withdrawal = models.BooleanField("同意の撤回", default=False)
    given_by = models.CharField("同意した方", max_length=100)
    by_guardian = models.BooleanField(
        "保護者（法定代理人）による同意",
        default=False,
        help_text="未成年の方の同意は保護者が行います。",
    )
    given_on = models.DateField("同意日（撤回日）")
    method = models.CharField("方法", max_length=20, choices=ConsentMethod.choices, blank=True)
    witness = models.CharField("立会人", max_length=100, blank=True)
    scope_agencies = models.ManyToManyField(
        "accounts.Agency", verbose_name="情報を共有してよい機関", related_name="+", blank=True
    )
    share_in_conference = models.BooleanField(
        "会議（重層的支援会議・ケース会議など）での共有に同意", default=False
    )
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


class AssessmentSection(models.TextChoices):
    """The sections of the インテーク・アセスメントシート, in the order of the sheet."""

    PERSON = "person", "本人の状況"
    HOUSEHOLD = "household", "世帯の状況"
    LIFE_HISTORY = "life_history", "生活歴"
    HEALTH = "health", "健康"
    INCOME_DEBT = "income_debt", "収入・債務"
    HOUSING = "housing", "住まい"
    WORK = "work", "就労"
    SOCIAL_TIES = "social_ties", "社会とのつながり"
    WISHES = "wishes", "本人の意向"
    STRENGTHS = "strengths", "強み"
    ISSUES = "issues", "把握した課題"
    ASSESSOR_VIEW = "assessor_view", "見立て"


class Assessment(models.Model):
    """インテーク・アセスメントシート, versioned: each save is a new version; none is changed."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assessments")
    version = models.PositiveIntegerField("版")
    person = models.TextField(AssessmentSection.PERSON.label, blank=True)
    household = models.TextField(AssessmentSection.HOUSEHOLD.label, blank=True)
    life_history = models.TextField(AssessmentSection.LIFE_HISTORY.label, blank=True)
    health = models.TextField(AssessmentSection.HEALTH.label, blank=True)
    income_debt = models.TextField(AssessmentSection.INCOME_DEBT.label, blank=True)
    housing = models.TextField(AssessmentSection.HOUSING.label, blank=True)
    work = models.TextField(AssessmentSection.WORK.label, blank=True)
    social_ties = models.TextField(AssessmentSection.SOCIAL_TIES.label, blank=True)
    wishes = models.TextField(AssessmentSection.WISHES.label, blank=True)
    strengths = models.TextField(AssessmentSection.STRENGTHS.label, blank=True)
    issues = models.TextField(AssessmentSection.ISSUES.label, blank=True)
    assessor_view = models.TextField(AssessmentSection.ASSESSOR_VIEW.label, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="記録者", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("記録日時", auto_now_add=True)

    class Meta:
        verbose_name = "インテーク・アセスメントシート"
        verbose_name_plural = "インテーク・アセスメントシート"
        ordering = ["case", "version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="assessment_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case} アセスメント 第{self.version}版"


class AssessmentSource(models.Model):
    """The agency a section's information came from (a section may name several)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="sources")
    section = models.CharField("項目", max_length=30, choices=AssessmentSection.choices)
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name="情報元の機関", on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField("補足", max_length=200, blank=True)

    class Meta:
        verbose_name = "アセスメントの情報元"
        verbose_name_plural = "アセスメントの情報元"
        ordering = ["assessment", "section", "id"]

    def __str__(self) -> str:
        return f"{self.assessment} / {self.get_section_display()} / {self.agency}"


class PlanStatus(models.TextChoices):
    """A support plan's path to confirmation (domain.md §5.3)."""

    DRAFT = "draft", "作成中"
    IN_CONFERENCE = "in_conference", "会議で協議中"
    AGREED = "agreed", "会議で合意（確定待ち）"
    CONFIRMED = "confirmed", "確定"
    SUPERSEDED = "superseded", "再プランにより終了"


class PlanKind(models.TextChoices):
    INITIAL = "initial", "初回プラン"
    REPLAN = "replan", "再プラン"


class StatutoryService(models.TextChoices):
    """法に基づく事業: items naming one need the municipality's 支援決定."""

    NONE = "", "—（法定事業以外）"
    PARTICIPATION = "participation", "参加支援事業"
    OUTREACH = "outreach", "アウトリーチ等を通じた継続的支援事業"


class SupportPlan(models.Model):
    """支援プラン, versioned: 初回プラン then 再プラン…; a confirmed plan is never edited."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plans")
    version = models.PositiveIntegerField("版")
    kind = models.CharField("種別", max_length=20, choices=PlanKind.choices)
    status = models.CharField(
        "状態", max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    goals = models.TextField("本人の目標")
    policy = models.TextField("支援方針")
    next_monitoring_on = models.DateField("次回モニタリング予定日", null=True, blank=True)
    evaluation_on = models.DateField("評価予定日", null=True, blank=True)
    agreed_at_item = models.ForeignKey(
        "meetings.AgendaItem",
        verbose_name="合意した会議の議題",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agreed_on = models.DateField("会議で合意した日", null=True, blank=True)
    confirmed_on = models.DateField("確定日", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="作成者", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = "支援プラン"
        verbose_name_plural = "支援プラン"
        ordering = ["case", "version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="plan_version_unique"),
            models.CheckConstraint(
                condition=~Q(status__in=["agreed", "confirmed"]) | Q(agreed_at_item__isnull=False),
                name="plan_agreed_has_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()}（第{self.version}版）"

    @property
    def has_statutory_items(self) -> bool:
        return any(item.statutory_service for item in self.items.all())


class PlanItem(models.Model):
    """One line of a plan: an issue, what is done, by which agency, how often, until when."""

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveIntegerField("順番", default=0)
    issue = models.CharField("課題", max_length=200)
    action = models.TextField("支援内容")
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name="担当機関", on_delete=models.PROTECT, related_name="+"
    )
    worker = models.CharField("担当者", max_length=100, blank=True)
    frequency = models.CharField("頻度", max_length=100, blank=True)
    period_start = models.DateField("期間（開始）", null=True, blank=True)
    period_end = models.DateField("期間（終了）", null=True, blank=True)
    statutory_service = models.CharField(
        "法に基づく事業", max_length=20, choices=StatutoryService.choices, blank=True
    )

    class Meta:
        verbose_name = "支援プランの項目"
        verbose_name_plural = "支援プランの項目"
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return f"{self.plan} / {self.issue}"


class SupportDecision(models.Model):
    """支援決定: the municipality decides to provide the statutory services of a plan."""

    plan = models.OneToOneField(
        SupportPlan, on_delete=models.PROTECT, related_name="support_decision"
    )
    decided_on = models.DateField("支援決定日")
    decision_number = models.CharField("決定番号", max_length=50, blank=True)
    notes = models.TextField("備考", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="決定者", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("記録日時", auto_now_add=True)

    class Meta:
        verbose_name = "支援決定"
        verbose_name_plural = "支援決定"

    def __str__(self) -> str:
        return f"{self.plan} 支援決定"


class PlanReport(models.Model):
    """The report of a plan without statutory services to the municipality (§5.3 pattern 3)."""

    plan = models.OneToOneField(SupportPlan, on_delete=models.PROTECT, related_name="report")
    reported_on = models.DateField("報告日")
    reported_to = models.CharField("報告先（自治体の担当）", max_length=100)
    notes = models.TextField("備考", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="記録者", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("記録日時", auto_now_add=True)

    class Meta:
        verbose_name = "自治体への報告"
        verbose_name_plural = "自治体への報告"

    def __str__(self) -> str:
        return f"{self.plan} 報告"


class MonitoringKind(models.TextChoices):
    MONITORING = "monitoring", "モニタリング"
    EVALUATION = "evaluation", "評価"


class MonitoringOutcome(models.TextChoices):
    CONTINUE = "continue", "現在のプランで支援を継続"
    REPLAN = "replan", "再プランを作成する"
    PROPOSE_CLOSURE = "propose_closure", "終結を会議に諮る"


class MonitoringRecord(models.Model):
    """A monitoring or evaluation of a confirmed plan, and when the next one falls due."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="monitorings")
    plan = models.ForeignKey(SupportPlan, on_delete=models.PROTECT, related_name="monitorings")
    kind = models.CharField("種別", max_length=20, choices=MonitoringKind.choices)
    done_on = models.DateField("実施日")
    findings = models.TextField("確認した内容")
    outcome = models.CharField("結果", max_length=20, choices=MonitoringOutcome.choices)
    next_due_on = models.DateField("次回予定日", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="記録者", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("記録日時", auto_now_add=True)

    class Meta:
        verbose_name = "モニタリング・評価"
        verbose_name_plural = "モニタリング・評価"
        ordering = ["case", "done_on", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()} {self.done_on}"


class MonitoringReminder(models.Model):
    """One reminder e-mail sent for a due date: the command never sends the same one twice."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("種別", max_length=20, choices=MonitoringKind.choices)
    due_on = models.DateField("予定日")
    stage = models.CharField("段階", max_length=20)  # "due" or "overdue"
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField("送信日時", auto_now_add=True)

    class Meta:
        verbose_name = "モニタリングの通知"
        verbose_name_plural = "モニタリングの通知"
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "due_on", "stage", "recipient"],
                name="monitoring_reminder_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()} {self.due_on} {self.stage}"


class ActivityKind(models.TextChoices):
    VISIT = "visit", "訪問"
    CALL = "call", "電話"
    LETTER = "letter", "手紙"
    MESSAGE = "message", "メール・チャット"
    ACCOMPANY = "accompany", "同行支援"
    MEETING = "meeting", "面談・会議"
    INFORMATION = "information", "情報提供を受けた"
    OTHER = "other", "その他"


class Activity(models.Model):
    """支援経過記録: a dated entry by any team agency; it reaches the coordinator at once."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="activities")
    occurred_on = models.DateField("実施日")
    kind = models.CharField("種別", max_length=20, choices=ActivityKind.choices)
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name="記録した機関", on_delete=models.PROTECT, related_name="+"
    )
    summary = models.TextField("内容")
    is_contact_attempt = models.BooleanField(
        "本人への連絡の試み", default=False, help_text="中断を協議するときの記録になります。"
    )
    reached_person = models.BooleanField("本人と連絡が取れた", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="記録者", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("記録日時", auto_now_add=True)
    seen_by_coordinator_at = models.DateTimeField(
        "コーディネーターの確認日時", null=True, blank=True
    )

    class Meta:
        verbose_name = "支援経過記録"
        verbose_name_plural = "支援経過記録"
        ordering = ["case", "-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["case", "occurred_on"], name="activity_case_date"),
            # the coordinators' 未確認 entries, newest first (the home page)
            models.Index(
                fields=["-recorded_at", "-id"],
                name="activity_unseen",
                condition=models.Q(seen_by_coordinator_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()} {self.occurred_on}"
