"""地域づくり事業 (社会福祉法第106条の4第2項第3号) and 見守り (003: 見つける・つなげる・見守る).

The community side has two kinds of record:

* what the community does, which holds no personal data beyond organisers' contacts:
  :class:`Activity` (a salon, a 集いの場, a 子ども食堂, a 協議体 …, with its participants counted
  by generation and attribute and what came of it), :class:`Platform` (a recurring gathering of
  member organisations, with its history), and the yearly :class:`Target` per
  :class:`Indicator` (成果目標, whose actuals are computed from the records, never typed in);
* who the community watches over, which is personal data: :class:`Watch` (an identified person
  or a working label), its :class:`Watcher` rows, the :class:`SafetyCheck` log (安否確認), the
  :class:`Escalation` that turns a worrying check into a consultation or an outreach record, and
  :class:`CommunityReport` (気づき・通報 from residents, companies and 民生委員, recorded by
  staff and triaged by the office).

Statuses change only through :mod:`tsunagu.community.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tsunagu.common.fiscal import fiscal_year as fiscal_year_of
from tsunagu.common.models import VisibleQuerySet

# ------------------------------------------------------------------------------ activities


class ActivityKind(models.Model):
    """種類 of a community activity (サロン, 集いの場・プラットフォーム, 子ども食堂 …): the
    municipality's list to extend."""

    code = models.SlugField("コード", max_length=40, unique=True)
    name = models.CharField("種類", max_length=50, unique=True)
    sort_order = models.PositiveIntegerField("表示順", default=0)
    is_active = models.BooleanField("有効", default=True)

    class Meta:
        verbose_name = "地域づくり活動の種類"
        verbose_name_plural = "地域づくり活動の種類"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class ParticipantAttribute(models.Model):
    """An attribute participants are counted by (障害のある人, 外国籍の人, 初参加 …):
    configurable."""

    code = models.SlugField("コード", max_length=40, unique=True)
    name = models.CharField("属性", max_length=50, unique=True)
    sort_order = models.PositiveIntegerField("表示順", default=0)
    is_active = models.BooleanField("有効", default=True)

    class Meta:
        verbose_name = "参加者の属性"
        verbose_name_plural = "参加者の属性"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Platform(models.Model):
    """プラットフォーム: a recurring gathering (集いの場 ぷらっと, 協議体) with its member
    organisations; its meetings are activities that name it."""

    name = models.CharField("名称", max_length=200)
    area = models.ForeignKey(
        "accounts.Area",
        verbose_name="圏域・社協支部",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    description = models.TextField("目的・内容", blank=True)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="地域福祉コーディネーター",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    started_on = models.DateField("開始日")
    ended_on = models.DateField("終了日", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = "プラットフォーム"
        verbose_name_plural = "プラットフォーム"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class PlatformMember(models.Model):
    """A member organisation of a platform: an agency of the system, or a group by name
    (自治会, NPO, 商店街 …)."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="members")
    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField("団体名", max_length=200)
    role = models.CharField("役割", max_length=100, blank=True)
    joined_on = models.DateField("参加日")
    left_on = models.DateField("退会日", null=True, blank=True)

    class Meta:
        verbose_name = "プラットフォームの構成団体"
        verbose_name_plural = "プラットフォームの構成団体"
        ordering = ["joined_on", "id"]

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    """地域づくり活動: one salon, gathering, 子ども食堂, 協議体 or course held on a day, with
    its participants counted (no names) and what came of it."""

    kind = models.ForeignKey(
        ActivityKind, verbose_name="種類", on_delete=models.PROTECT, related_name="activities"
    )
    title = models.CharField("名称", max_length=200)
    starts_at = models.DateTimeField("開始日時")
    ends_at = models.DateTimeField("終了日時", null=True, blank=True)
    #: the 社会資源 where it was held, when the place is in the directory
    place = models.ForeignKey(
        "resources.Resource",
        verbose_name="場所（社会資源）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    place_text = models.CharField("場所", max_length=200, blank=True)
    area = models.ForeignKey(
        "accounts.Area", verbose_name="圏域・社協支部", on_delete=models.PROTECT, related_name="+"
    )
    platform = models.ForeignKey(
        Platform,
        verbose_name="プラットフォーム",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="地域福祉コーディネーター",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # participants by generation; their sum is the number of participants
    children = models.PositiveIntegerField("子ども", default=0)
    youth = models.PositiveIntegerField("若者", default=0)
    working_age = models.PositiveIntegerField("現役世代", default=0)
    elderly = models.PositiveIntegerField("高齢者", default=0)
    participants = models.PositiveIntegerField("参加者数", default=0)
    new_connections = models.PositiveIntegerField("新たなつながり（人）", default=0)
    discussed = models.TextField("話し合ったこと・内容", blank=True)
    outcome = models.TextField("生まれたこと・次の動き", blank=True)
    #: the 年度 and the month of ``starts_at`` in local time, kept by :meth:`save` so that
    #: the yearly targets count a year's activities by month without a function per row
    fiscal_year = models.PositiveSmallIntegerField("年度", default=0, editable=False)
    month = models.PositiveSmallIntegerField("月", default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = "地域づくり活動"
        verbose_name_plural = "地域づくり活動"
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["starts_at", "kind", "area"], name="community_activity_when"),
            models.Index(fields=["area", "starts_at"], name="community_activity_area"),
            # the targets' one grouped read of a 年度: every column it sums is in the index
            models.Index(
                fields=[
                    "fiscal_year",
                    "area",
                    "month",
                    "kind",
                    "participants",
                    "children",
                    "youth",
                    "working_age",
                    "elderly",
                    "new_connections",
                ],
                name="community_activity_year",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    participants=models.F("children")
                    + models.F("youth")
                    + models.F("working_age")
                    + models.F("elderly")
                ),
                name="community_activity_participants_add_up",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.fiscal_year, self.month = year_and_month(self.starts_at)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "fiscal_year", "month"}
        super().save(*args, **kwargs)


def year_and_month(moment) -> tuple[int, int]:
    """The 年度 and month of a moment, in local time."""
    if moment is None:
        return 0, 0
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return fiscal_year_of(local.date()), local.month


class ActivityOrganiser(models.Model):
    """主催・運営: an agency of the system, or a residents' group by name."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="organisers")
    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField("団体名", max_length=200)
    contact = models.CharField("連絡先", max_length=100, blank=True)

    class Meta:
        verbose_name = "主催・運営"
        verbose_name_plural = "主催・運営"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class AttributeCount(models.Model):
    """How many participants of an activity had an attribute (a subset of the participants)."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="attribute_counts"
    )
    attribute = models.ForeignKey(ParticipantAttribute, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField("人数")

    class Meta:
        verbose_name = "属性別の参加者数"
        verbose_name_plural = "属性別の参加者数"
        ordering = ["attribute__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "attribute"], name="community_attribute_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attribute_id}: {self.count}"


class ActivityConsultation(models.Model):
    """A consultation raised at an activity (a salon that found someone in trouble shows it).
    The consultation is personal data: shown only to those who may see it."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="consultation_links"
    )
    consultation = models.ForeignKey(
        "consultations.Consultation", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "活動から生まれた相談"
        verbose_name_plural = "活動から生まれた相談"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "consultation"], name="community_consultation_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} / {self.consultation_id}"


class ActivityGap(models.Model):
    """A 不足する社会資源 noticed at an activity (the register is ``resources``)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="gap_links")
    gap = models.OneToOneField(
        "resources.ResourceGap", on_delete=models.CASCADE, related_name="activity_link"
    )

    class Meta:
        verbose_name = "活動で気づいた不足する社会資源"
        verbose_name_plural = "活動で気づいた不足する社会資源"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.activity_id} / {self.gap_id}"


# --------------------------------------------------------------------------------- targets


class Measure(models.TextChoices):
    """What an indicator counts, from the records (the office picks one and its filters)."""

    ACTIVITIES = "activities", "活動の回数"
    PARTICIPANTS = "participants", "参加者数（延べ）"
    ATTRIBUTE_PARTICIPANTS = "attribute_participants", "属性別の参加者数（延べ）"
    NEW_CONNECTIONS = "new_connections", "新たなつながり（人）"
    CONSULTATIONS_RAISED = "consultations_raised", "活動から生まれた相談の件数"
    PLACES_CREATED = "places_created", "新たに登録された社会資源の数"
    GAPS_DEVELOPED = "gaps_developed", "開発済みになった不足する社会資源の数"
    WATCHES_STARTED = "watches_started", "始まった見守りの数"
    SAFETY_CHECKS = "safety_checks", "安否確認の回数"


class Indicator(models.Model):
    """成果目標の指標: a measure of the records with its filters, defined by the office
    (which records, which filter), not in code."""

    code = models.SlugField("コード", max_length=40, unique=True)
    name = models.CharField("指標", max_length=100)
    measure = models.CharField("数えるもの", max_length=30, choices=Measure.choices)
    activity_kind = models.ForeignKey(
        ActivityKind,
        verbose_name="活動の種類（絞り込み）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    attribute = models.ForeignKey(
        ParticipantAttribute,
        verbose_name="参加者の属性（属性別の参加者数のとき）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    generation = models.CharField(
        "世代（参加者数の絞り込み）",
        max_length=20,
        blank=True,
        choices=[
            ("children", "子ども"),
            ("youth", "若者"),
            ("working_age", "現役世代"),
            ("elderly", "高齢者"),
        ],
    )
    unit = models.CharField("単位", max_length=10, default="件")
    sort_order = models.PositiveIntegerField("表示順", default=0)
    is_active = models.BooleanField("有効", default=True)

    class Meta:
        verbose_name = "成果目標の指標"
        verbose_name_plural = "成果目標の指標"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """成果目標: the value an indicator should reach in a 年度, city-wide or for an area."""

    fiscal_year = models.PositiveIntegerField("年度（西暦の開始年）")
    indicator = models.ForeignKey(
        Indicator, verbose_name="指標", on_delete=models.PROTECT, related_name="targets"
    )
    area = models.ForeignKey(
        "accounts.Area",
        verbose_name="圏域（空欄は市全体）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    value = models.PositiveIntegerField("目標値")
    note = models.CharField("備考", max_length=300, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField("設定日時", auto_now=True)

    class Meta:
        verbose_name = "成果目標"
        verbose_name_plural = "成果目標"
        ordering = ["-fiscal_year", "indicator__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "indicator", "area"], name="community_target_once"
            ),
            models.UniqueConstraint(
                fields=["fiscal_year", "indicator"],
                condition=Q(area__isnull=True),
                name="community_target_city_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.indicator}"


class Evaluation(models.Model):
    """The yearly evaluation (PDCA, 002) of a 年度's targets, city-wide or for an area."""

    fiscal_year = models.PositiveIntegerField("年度（西暦の開始年）")
    area = models.ForeignKey(
        "accounts.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField("評価と次年度への改善")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField("記入日時", auto_now=True)

    class Meta:
        verbose_name = "成果目標の評価"
        verbose_name_plural = "成果目標の評価"
        ordering = ["-fiscal_year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "area"], name="community_evaluation_once"
            ),
            models.UniqueConstraint(
                fields=["fiscal_year"],
                condition=Q(area__isnull=True),
                name="community_evaluation_city_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year}"


# ------------------------------------------------------------------------------------ watch


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "週1回"
    BIWEEKLY = "biweekly", "2週に1回"
    MONTHLY = "monthly", "月1回"
    ANY = "any", "随時"


FREQUENCY_DAYS = {"weekly": 7, "biweekly": 14, "monthly": 31}


class WatcherKind(models.TextChoices):
    MINSEI = "minsei", "民生委員・児童委員"
    HOUKATSU = "houkatsu", "地域包括支援センター"
    NEIGHBOUR = "neighbour", "近隣住民"
    BUSINESS = "business", "協力事業者（新聞販売店・配食・電気ガス・宅配など）"
    CHIKU_SHAKYO = "chiku_shakyo", "地区社協"
    OTHER = "other", "その他"


class Watch(models.Model):
    """見守り: a person the community keeps an eye on — identified, or a working label —
    kept by an agency, watched by the watchers named, checked at a cadence until a date."""

    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name="見守りを担う機関",
        on_delete=models.PROTECT,
        related_name="+",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name="本人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="watches",
    )
    label = models.CharField(
        "呼び名",
        max_length=60,
        help_text="本人が特定できないときの仮の呼び名（例：3丁目 80代女性）",
    )
    area = models.ForeignKey(
        "accounts.Area", verbose_name="圏域", on_delete=models.PROTECT, null=True, blank=True
    )
    address = models.CharField("住所・目印", max_length=200, blank=True)
    reason = models.TextField("見守りの理由")
    frequency = models.CharField(
        "確認の頻度", max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    starts_on = models.DateField("開始日")
    until_on = models.DateField("終了予定日", null=True, blank=True)
    #: when the next check falls due (None for 随時 and after the end); kept by the services
    next_check_on = models.DateField("次の確認日", null=True, blank=True)
    last_check_on = models.DateField("最後の確認日", null=True, blank=True)
    ended_on = models.DateField("終了日", null=True, blank=True)
    end_reason = models.CharField("終了の理由", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = "見守り"
        verbose_name_plural = "見守り"
        ordering = ["next_check_on", "id"]
        indexes = [
            models.Index(
                fields=["agency", "next_check_on", "id"],
                condition=Q(ended_on__isnull=True),
                name="community_watch_due",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Watcher(models.Model):
    """Who watches: an agency of the system (it then sees the watch), or a person outside the
    system by name (民生委員, a neighbour, the newspaper shop)."""

    watch = models.ForeignKey(Watch, on_delete=models.CASCADE, related_name="watchers")
    kind = models.CharField("見守る人・機関の種類", max_length=20, choices=WatcherKind.choices)
    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField("氏名・名称", max_length=100)
    contact = models.CharField("連絡先", max_length=100, blank=True)

    class Meta:
        verbose_name = "見守る人・機関"
        verbose_name_plural = "見守る人・機関"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class CheckOutcome(models.TextChoices):
    OK = "ok", "異常なし"
    ABSENT = "absent", "不在"
    NEEDS_ACTION = "needs_action", "要対応"
    UNREACHABLE = "unreachable", "連絡つかず"


class SafetyCheck(models.Model):
    """安否確認: one check against a watch."""

    watch = models.ForeignKey(Watch, on_delete=models.PROTECT, related_name="checks")
    checked_on = models.DateField("確認日")
    watcher = models.ForeignKey(
        Watcher,
        verbose_name="確認した人・機関",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    checked_by_name = models.CharField("確認した人（記録のみ）", max_length=100, blank=True)
    outcome = models.CharField("結果", max_length=20, choices=CheckOutcome.choices)
    note = models.TextField("様子・記録", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("記録日時", auto_now_add=True)

    class Meta:
        verbose_name = "安否確認"
        verbose_name_plural = "安否確認"
        ordering = ["-checked_on", "-id"]
        indexes = [models.Index(fields=["watch", "-checked_on", "-id"], name="community_check_log")]

    def __str__(self) -> str:
        return f"{self.checked_on} {self.get_outcome_display()}"


class ReportOrigin(models.TextChoices):
    RESIDENT = "resident", "地域住民"
    BUSINESS = "business", "事業者"
    MINSEI = "minsei", "民生委員・児童委員"
    ACTIVITY = "activity", "地域づくり活動の場"
    OTHER = "other", "その他"


class Triage(models.TextChoices):
    CONSULTATION = "consultation", "相談につないだ"
    OUTREACH = "outreach", "アウトリーチにつないだ"
    WATCH = "watch", "見守りにした"
    NO_ACTION = "no_action", "対応なし"


class CommunityReport(models.Model):
    """気づき・通報: what a resident, a company or a 民生委員 noticed, recorded by staff (the
    reporters are not users) and triaged by the office into a consultation, an outreach
    record, a watch, or no action with a reason."""

    agency = models.ForeignKey(
        "accounts.Agency", verbose_name="受け付けた機関", on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField("受付日時")
    origin = models.CharField("通報者の種類", max_length=20, choices=ReportOrigin.choices)
    reporter_name = models.CharField("通報者の氏名・名称", max_length=100, blank=True)
    reporter_contact = models.CharField("通報者への連絡方法", max_length=100, blank=True)
    noticed_on = models.DateField("気づいた日", null=True, blank=True)
    place = models.CharField("場所", max_length=200, blank=True)
    area = models.ForeignKey(
        "accounts.Area", verbose_name="圏域", on_delete=models.PROTECT, null=True, blank=True
    )
    what = models.TextField("気づいたこと")
    person = models.ForeignKey(
        "people.Person",
        verbose_name="本人（分かれば）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name="気づいた活動",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
    )
    triage = models.CharField("振り分け", max_length=20, choices=Triage.choices, blank=True)
    triaged_at = models.DateTimeField("振り分け日時", null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    no_action_reason = models.CharField("対応しない理由", max_length=300, blank=True)
    consultation = models.ForeignKey(
        "consultations.Consultation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outreach_record = models.ForeignKey(
        "outreach.OutreachRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    watch = models.ForeignKey(
        Watch, on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = "気づき・通報"
        verbose_name_plural = "気づき・通報"
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(
                fields=["received_at", "id"],
                condition=Q(triage=""),
                name="community_report_untriaged",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d} {self.get_origin_display()}"


class Escalation(models.Model):
    """A watch's worrying checks (要対応, or 連絡つかず twice in a row) turned into a
    consultation at a desk or an outreach record: the loop closes in those records."""

    watch = models.ForeignKey(Watch, on_delete=models.PROTECT, related_name="escalations")
    safety_check = models.ForeignKey(
        SafetyCheck, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consultation = models.ForeignKey(
        "consultations.Consultation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outreach_record = models.ForeignKey(
        "outreach.OutreachRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField("つないだ理由")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("日時", auto_now_add=True)

    class Meta:
        verbose_name = "見守りからのつなぎ"
        verbose_name_plural = "見守りからのつなぎ"
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(consultation__isnull=False) | Q(outreach_record__isnull=False),
                name="community_escalation_goes_somewhere",
            )
        ]

    def __str__(self) -> str:
        return f"{self.watch_id} {self.at:%Y-%m-%d}"
