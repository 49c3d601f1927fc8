"""包括的相談支援: consultations at any desk, closed-loop referrals (つなぎ), help-desk routing."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tsunagu.common.models import VisibleQuerySet
from tsunagu.people.models import subject_person_ids


class IssueCategory(models.Model):
    """相談内容の分類 (domain.md §7); each municipality may extend the list."""

    code = models.SlugField("コード", max_length=40, unique=True)
    name = models.CharField("分類名", max_length=50, unique=True)
    sort_order = models.PositiveIntegerField("表示順", default=0)
    is_active = models.BooleanField("有効", default=True)

    class Meta:
        verbose_name = "相談内容の分類"
        verbose_name_plural = "相談内容の分類"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class HelpDeskRoute(models.Model):
    """ヘルプデスク: which agencies handle a consultation theme (suggested when referring)."""

    category = models.ForeignKey(
        IssueCategory, verbose_name="相談内容", on_delete=models.CASCADE, related_name="routes"
    )
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name="つなぎ先", on_delete=models.CASCADE, related_name="+"
    )
    sort_order = models.PositiveIntegerField("表示順", default=0)
    note = models.CharField("備考", max_length=200, blank=True)

    class Meta:
        verbose_name = "ヘルプデスクの振り分け"
        verbose_name_plural = "ヘルプデスクの振り分け"
        ordering = ["category", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "agency"], name="helpdesk_route_unique")
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.agency}"


class Channel(models.TextChoices):
    WALK_IN = "walk_in", "来所"
    PHONE = "phone", "電話"
    HOME_VISIT = "home_visit", "訪問"
    ONLINE = "online", "メール・SNS"
    FROM_AGENCY = "from_agency", "関係機関から"
    FROM_RESIDENT = "from_resident", "地域住民から"


class ConsulterType(models.TextChoices):
    SELF = "self", "本人"
    FAMILY = "family", "家族"
    MINSEI = "minsei", "民生委員"
    RESIDENT = "resident", "地域住民"
    AGENCY = "agency", "関係機関"


class Outcome(models.TextChoices):
    HANDLED = "handled", "当該機関で対応"
    INFORMATION = "information", "情報提供"
    REFERRED = "referred", "他機関へつなぎ"
    MULTI_AGENCY = "multi_agency", "多機関協働へ"
    CLOSED = "closed", "終了"


class Consultation(models.Model):
    """相談受付: one consultation received at any desk, about a person and/or a household."""

    agency = models.ForeignKey(
        "accounts.Agency", verbose_name="受付機関", on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="受付者", on_delete=models.PROTECT, related_name="+"
    )
    received_on = models.DateField("受付日")
    channel = models.CharField("相談経路", max_length=20, choices=Channel.choices)
    consulter_type = models.CharField("相談者", max_length=20, choices=ConsulterType.choices)
    consulter_name = models.CharField("相談者氏名", max_length=100, blank=True)
    consulter_relation = models.CharField("本人との関係", max_length=100, blank=True)
    person = models.ForeignKey(
        "people.Person",
        verbose_name="本人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
    )
    household = models.ForeignKey(
        "people.Household",
        verbose_name="世帯",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
    )
    categories = models.ManyToManyField(
        IssueCategory, verbose_name="相談内容", through="ConsultationCategory", related_name="+"
    )
    summary = models.TextField("相談内容（概要）")
    consent_to_share = models.BooleanField(
        "関係機関との情報共有への同意",
        default=False,
        help_text="申込票の「同意あり」版で受け付けた場合",
    )
    outcome = models.CharField("対応結果", max_length=20, choices=Outcome.choices)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    objects = VisibleQuerySet.as_manager()  # .visible_to(user): tsunagu.access

    class Meta:
        verbose_name = "相談受付"
        verbose_name_plural = "相談受付"
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["agency", "received_on"], name="consultation_agency_idx"),
            models.Index(fields=["received_on"], name="consultation_date_idx"),
            # the yearly statistics read a period's consultations from the index alone
            models.Index(
                fields=["received_on", "agency", "channel", "consulter_type", "outcome", "person"],
                name="consultation_statistics_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(household__isnull=False),
                name="consultation_has_subject",
            )
        ]

    def __str__(self) -> str:
        return f"相談 #{self.pk}"

    def categories_for_display(self) -> list[ConsultationCategory]:
        """Chosen categories, the most pressing one (◎) first (uses prefetched links)."""
        return sorted(
            self.category_links.all(),
            key=lambda link: (not link.is_primary, link.category.sort_order),
        )

    def subject_persons(self) -> list[int]:
        """Ids of the persons this consultation concerns (for the audit trail)."""

        return subject_person_ids(self.person_id, self.household_id)


class ConsultationCategory(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="category_links"
    )
    category = models.ForeignKey(IssueCategory, on_delete=models.PROTECT, related_name="+")
    is_primary = models.BooleanField("最も困っていること（◎）", default=False)

    class Meta:
        verbose_name = "相談内容"
        verbose_name_plural = "相談内容"
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "category"], name="consultation_category_unique"
            ),
            models.UniqueConstraint(
                fields=["consultation"],
                condition=Q(is_primary=True),
                name="consultation_one_primary_category",
            ),
        ]
        # the yearly statistics count a period's categories from the index alone
        indexes = [
            models.Index(
                fields=["consultation", "category", "is_primary"],
                name="consultation_category_stat_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{'◎' if self.is_primary else ''}{self.category}"


class ReferralKind(models.TextChoices):
    STANDARD = "standard", "他機関へのつなぎ"
    MULTI_AGENCY = "multi_agency", "多機関協働へのつなぎ"


class ReferralStatus(models.TextChoices):
    SENT = "sent", "送付"
    ACCEPTED = "accepted", "受理"
    RETURNED = "returned", "差戻し"
    IN_PROGRESS = "in_progress", "対応中"
    COMPLETED = "completed", "完了"


class ReferralOutcome(models.TextChoices):
    SUPPORT_STARTED = "support_started", "支援開始"
    INFORMATION_ONLY = "information_only", "情報提供のみ"
    NOT_ELIGIBLE = "not_eligible", "対象外"
    UNREACHABLE = "unreachable", "連絡がつかない"
    DECLINED = "declined", "本人辞退"
    REREFERRED = "rereferred", "他機関へ再紹介"


class Referral(models.Model):
    """つなぎ: a closed loop between agencies; it ends in 完了 or in an acknowledged 差戻し."""

    kind = models.CharField(
        "種別", max_length=20, choices=ReferralKind.choices, default=ReferralKind.STANDARD
    )
    consultation = models.ForeignKey(
        Consultation,
        verbose_name="元の相談",
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name="本人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    household = models.ForeignKey(
        "people.Household",
        verbose_name="世帯",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    from_agency = models.ForeignKey(
        "accounts.Agency", verbose_name="つなぎ元", on_delete=models.PROTECT, related_name="+"
    )
    to_agency = models.ForeignKey(
        "accounts.Agency", verbose_name="つなぎ先", on_delete=models.PROTECT, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="送付者", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("つなぐ理由・依頼内容")
    status = models.CharField(
        "状態", max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    sent_at = models.DateTimeField("送付日時")
    respond_by = models.DateTimeField("回答期限")
    responded_at = models.DateTimeField("受理・差戻し日時", null=True, blank=True)
    return_reason = models.TextField("差戻しの理由", blank=True)
    return_acknowledged_at = models.DateTimeField("差戻し確認日時", null=True, blank=True)
    completed_at = models.DateTimeField("完了日時", null=True, blank=True)
    outcome = models.CharField("結果", max_length=20, choices=ReferralOutcome.choices, blank=True)
    outcome_note = models.TextField("結果の補足", blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name="前のつなぎ",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_referrals",
        help_text="差戻し後の再送、または他機関への再紹介の元",
    )
    # 多機関協働へのつなぎ: eligibility (domain.md §5.1)
    criterion_household = models.BooleanField(
        "① 複合的な課題を抱え世帯として支援が必要", default=False
    )
    criterion_gap = models.BooleanField("② どこにもつながらない狭間のケース", default=False)
    criterion_new_resource = models.BooleanField("③ 新たな資源開発や仕組みが必要", default=False)
    tried_with_agencies = models.TextField("これまでに他機関と連携して試みたこと", blank=True)
    is_urgent = models.BooleanField("緊急性あり（既存の支援を並行して進める）", default=False)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    objects = VisibleQuerySet.as_manager()  # .visible_to(user): tsunagu.access

    class Meta:
        verbose_name = "つなぎ"
        verbose_name_plural = "つなぎ"
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["to_agency", "status"], name="referral_inbox_idx"),
            models.Index(fields=["from_agency", "status"], name="referral_outbox_idx"),
            # the inbox, the outbox and the home page's panels read in their order, without
            # sorting all of an agency's referrals for one page
            models.Index(fields=["to_agency", "status", "respond_by"], name="referral_waiting_idx"),
            models.Index(fields=["to_agency", "sent_at", "id"], name="referral_inbox_order_idx"),
            models.Index(fields=["from_agency", "sent_at", "id"], name="referral_outbox_order_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_agency=models.F("to_agency")), name="referral_not_to_self"
            ),
        ]

    def __str__(self) -> str:
        return f"つなぎ #{self.pk}（{self.from_agency} → {self.to_agency}）"

    def subject_persons(self) -> list[int]:

        return subject_person_ids(self.person_id, self.household_id)


class ReferralEvent(models.Model):
    """Every change of a referral's state, kept forever (nothing referred disappears)."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=20, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    at = models.DateTimeField("日時")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    note = models.TextField("メモ", blank=True)

    class Meta:
        verbose_name = "つなぎの経過"
        verbose_name_plural = "つなぎの経過"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.from_status} → {self.to_status}"


class EligibilityCriteria(models.Model):
    """多機関協働へつなぐ基準の文言 (each municipality may word its own, domain.md §5.1)."""

    household_text = models.TextField(
        "①の文言", default="複雑・複合化した課題を有し、世帯として支援が必要であること。"
    )
    gap_text = models.TextField("②の文言", default="どこにも繋がらない狭間のケースであること。")
    new_resource_text = models.TextField(
        "③の文言", default="新たな資源開発や支援の仕組みに繋げたいケースであること。"
    )
    condition_text = models.TextField(
        "あわせて満たす条件",
        default=(
            "各相談窓口等での対応や既存のネットワーク等による連携では課題解決が困難なケースで"
            "あること（各相談窓口において、多機関との連携による課題解決を試みていること）。"
        ),
    )
    urgent_text = models.TextField(
        "緊急時の扱い",
        default="緊急性を要するものについては、多機関協働事業の支援を待たずに並行して既存の支援を進める。",
    )
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = "多機関協働へつなぐ基準"
        verbose_name_plural = "多機関協働へつなぐ基準"

    def __str__(self) -> str:
        return "多機関協働へつなぐ基準"
