"""社会資源 (community resources): the directory a participation worker searches with the
person beside them, and the host profiles (受け入れ先) assessed before a match.

The shape follows Open Referral's HSDS 3.0 where it fits, so a city can exchange its
directory with others: an :class:`Organization` (提供団体) offers a :class:`Resource` (a
service at a location), open at the times of its :class:`Schedule` rows (weekly, or monthly
on given weeks: 毎週水曜 10:00–12:00, 第2・第4土曜) and :class:`ScheduleException` dates, with
the date its information was last confirmed (情報確認日, HSDS ``assured_date``). The directory
holds no personal data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ResourceKind(models.Model):
    """種類 of a resource (居場所, サロン, 子ども食堂 …): the municipality's list to extend."""

    code = models.SlugField("コード", max_length=40, unique=True)
    name = models.CharField("種類", max_length=50, unique=True)
    sort_order = models.PositiveIntegerField("表示順", default=0)
    is_active = models.BooleanField("有効", default=True)

    class Meta:
        verbose_name = "社会資源の種類"
        verbose_name_plural = "社会資源の種類"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Organization(models.Model):
    """提供団体 (HSDS organization): who runs the resource."""

    name = models.CharField("団体名", max_length=200)
    description = models.TextField("団体の説明", blank=True)
    phone = models.CharField("電話番号", max_length=30, blank=True)
    email = models.EmailField("メールアドレス", blank=True)
    url = models.URLField("ウェブサイト", blank=True)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = "提供団体"
        verbose_name_plural = "提供団体"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ResourceStatus(models.TextChoices):
    OPEN = "open", "受入可"
    PAUSED = "paused", "一時休止"
    ENDED = "ended", "終了"


class Target(models.TextChoices):
    """Who a resource is for, by generation (as the community activities count people)."""

    CHILDREN = "children", "子ども"
    YOUTH = "youth", "若者"
    WORKING_AGE = "working_age", "現役世代"
    ELDERLY = "elderly", "高齢者"


class Resource(models.Model):
    """社会資源: a place or activity (HSDS service at a location)."""

    organization = models.ForeignKey(
        Organization, verbose_name="提供団体", on_delete=models.PROTECT, related_name="resources"
    )
    name = models.CharField("名称", max_length=200)
    kind = models.ForeignKey(
        ResourceKind, verbose_name="種類", on_delete=models.PROTECT, related_name="resources"
    )
    description = models.TextField("内容", blank=True)
    #: who it is for by generation: the codes of :class:`Target` between bars
    #: (「|youth|working_age|」), so that one ``contains`` finds them on every database
    targets = models.CharField("対象の世代", max_length=100, blank=True)
    target_attributes = models.CharField(
        "対象（属性）", max_length=200, blank=True, help_text="例：障害のある人、ひきこもりの方"
    )
    conditions = models.TextField("利用の条件", blank=True)
    area = models.ForeignKey(
        "accounts.Area",
        verbose_name="圏域",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    postal_code = models.CharField("郵便番号", max_length=8, blank=True)
    address = models.CharField("所在地", max_length=200, blank=True)
    capacity = models.PositiveIntegerField("定員", null=True, blank=True)
    places_free = models.PositiveIntegerField("いまの空き", null=True, blank=True)
    cost = models.CharField("費用", max_length=100, blank=True, help_text="例：無料、1回300円")
    contact_name = models.CharField("連絡先の担当者", max_length=100, blank=True)
    phone = models.CharField("電話番号", max_length=30, blank=True)
    email = models.EmailField("メールアドレス", blank=True)
    accessibility = models.CharField(
        "バリアフリー・配慮", max_length=300, blank=True, help_text="例：車いす可、駐車場あり"
    )
    status = models.CharField(
        "状態", max_length=10, choices=ResourceStatus.choices, default=ResourceStatus.OPEN
    )
    confirmed_on = models.DateField("情報確認日")
    #: name, organisation, description, conditions and address, normalised for search
    search_text = models.TextField(editable=False, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = "社会資源"
        verbose_name_plural = "社会資源"
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["status", "kind", "area"], name="resource_search"),
            models.Index(fields=["status", "confirmed_on"], name="resource_recheck"),
            # the search's order: its first page is read from the index, not sorted
            models.Index(fields=["status", "name", "id"], name="resource_by_name"),
            # a kind's first page in that order (not the open resources of every kind walked
            # by name until 25 of the kind turn up)
            models.Index(fields=["status", "kind", "name", "id"], name="resource_kind_by_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__isnull=True)
                | Q(places_free__isnull=True)
                | Q(places_free__lte=models.F("capacity")),
                name="resource_places_within_capacity",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_full(self) -> bool:
        return self.places_free is not None and self.places_free == 0

    @property
    def target_list(self) -> list[str]:
        return [t for t in self.targets.split("|") if t in Target.values]

    def target_labels(self) -> list[str]:
        return [Target(t).label for t in self.target_list]


def targets_value(codes) -> str:
    """The stored form of a set of :class:`Target` codes, in the choices' order."""
    chosen = [t for t in Target.values if t in set(codes)]
    return f"|{'|'.join(chosen)}|" if chosen else ""


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "毎週"
    MONTHLY = "monthly", "毎月（第n週）"


WEEKDAYS = ["月", "火", "水", "木", "金", "土", "日"]  # Monday = 0, as ``date.weekday()``


class Schedule(models.Model):
    """When a resource is open (HSDS schedule): weekly on a weekday, or monthly on the given
    weeks of the month (第2・第4土曜), from ``opens_at`` to ``closes_at``."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="schedules")
    freq = models.CharField("くり返し", max_length=10, choices=Frequency.choices)
    weekday = models.PositiveSmallIntegerField(
        "曜日", choices=[(n, f"{d}曜") for n, d in enumerate(WEEKDAYS)]
    )
    #: the weeks of the month (1–5) of a monthly pattern, e.g. [2, 4]; empty when weekly
    weeks = models.JSONField("第n週", default=list, blank=True)
    opens_at = models.TimeField("開始時刻")
    closes_at = models.TimeField("終了時刻")
    note = models.CharField("備考", max_length=200, blank=True)

    class Meta:
        verbose_name = "開いている日時"
        verbose_name_plural = "開いている日時"
        ordering = ["resource", "weekday", "opens_at", "id"]
        indexes = [
            models.Index(fields=["weekday", "opens_at"], name="schedule_day_time"),
            # "open on this day at this time" asked of each resource (the search's EXISTS):
            # without it SQLite probes the day's rows of every resource in turn
            models.Index(fields=["resource", "weekday", "opens_at"], name="schedule_resource_day"),
            # "open on this day at this time", answered from the index alone (the search
            # joins the matching schedules to their resources)
            models.Index(
                fields=["weekday", "opens_at", "closes_at", "resource"], name="schedule_open_at"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        day = f"{WEEKDAYS[self.weekday]}曜"
        when = (
            f"毎週{day}"
            if self.freq == Frequency.WEEKLY
            else "・".join(f"第{w}" for w in self.weeks) + day
        )
        return f"{when} {self.opens_at:%H:%M}〜{self.closes_at:%H:%M}"


class ScheduleException(models.Model):
    """A date the usual schedule does not hold: closed (休み), or open at other times."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField("日付")
    is_closed = models.BooleanField("休み", default=True)
    opens_at = models.TimeField("開始時刻", null=True, blank=True)
    closes_at = models.TimeField("終了時刻", null=True, blank=True)
    note = models.CharField("備考", max_length=200, blank=True)

    class Meta:
        verbose_name = "予定の例外"
        verbose_name_plural = "予定の例外"
        ordering = ["resource", "date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "date"], name="schedule_exception_once")
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.date}"


class HostProfile(models.Model):
    """受け入れ先: a resource that takes a person in (a shop, a farm, a workplace), with what
    can be carved out for them and the host's own assessment, made before any match (000 §5:
    assess the host too). Hosts are not users of the system."""

    resource = models.OneToOneField(
        Resource, verbose_name="社会資源", on_delete=models.CASCADE, related_name="host"
    )
    contact_person = models.CharField("受け入れ先の担当者", max_length=100)
    tasks = models.TextField("切り出せる業務・役割", help_text="例：品出し、袋詰め、草取り")
    conditions = models.TextField("受け入れの条件", blank=True)
    concerns = models.TextField("受け入れ先の心配ごと", blank=True)
    assessment = models.TextField("受け入れ先のアセスメント", blank=True)
    assessed_on = models.DateField("アセスメントの日", null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = "受け入れ先"
        verbose_name_plural = "受け入れ先"

    def __str__(self) -> str:
        return f"{self.resource}（{self.contact_person}）"

    @property
    def is_assessed(self) -> bool:
        return self.assessed_on is not None and bool(self.assessment.strip())


class GapStatus(models.TextChoices):
    OPEN = "open", "未対応"
    CONSIDERING = "considering", "検討中"
    DEVELOPING = "developing", "開発中"
    DEVELOPED = "developed", "開発済み"


class GapOrigin(models.TextChoices):
    MEETING = "meeting", "会議"
    MATCHING = "matching", "参加支援のマッチング"
    COMMUNITY = "community", "地域づくり"
    OTHER = "other", "その他"


class ResourceGap(models.Model):
    """不足する社会資源 (地域課題): a need no resource meets, from a meeting or from matching,
    kept until a resource is developed for it (未対応 → 検討中 → 開発中 → 開発済み). Holds no
    personal data: the people it affects are counted from the records that link to it, which
    belong to the higher apps (meetings, participation) and are shown there."""

    description = models.TextField("不足している社会資源・仕組み")
    kind = models.ForeignKey(
        ResourceKind,
        verbose_name="求められる資源の種類",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    targets = models.CharField("対象の世代", max_length=100, blank=True)
    target_attributes = models.CharField("対象（属性）", max_length=200, blank=True)
    area = models.ForeignKey(
        "accounts.Area",
        verbose_name="圏域",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    origin = models.CharField(
        "把握の経路", max_length=20, choices=GapOrigin.choices, default=GapOrigin.OTHER
    )
    status = models.CharField(
        "状況", max_length=20, choices=GapStatus.choices, default=GapStatus.OPEN
    )
    #: the resource that met the need (開発済み)
    met_by = models.ForeignKey(
        Resource,
        verbose_name="対応した社会資源",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gaps_met",
    )
    search_text = models.TextField(editable=False, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = "不足する社会資源（地域課題）"
        verbose_name_plural = "不足する社会資源（地域課題）"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="resource_gap_list")]

    def __str__(self) -> str:
        return self.description[:40]

    @property
    def target_list(self) -> list[str]:
        return [t for t in self.targets.split("|") if t in Target.values]

    def target_labels(self) -> list[str]:
        return [Target(t).label for t in self.target_list]


class ResourceGapEvent(models.Model):
    """A step of a gap (登録, 状況の変更, 対応した資源): its history, with the date and who."""

    gap = models.ForeignKey(ResourceGap, on_delete=models.CASCADE, related_name="events")
    status = models.CharField("状況", max_length=20, choices=GapStatus.choices)
    note = models.TextField("経過", blank=True)
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("日時", auto_now_add=True)

    class Meta:
        verbose_name = "不足する社会資源の経過"
        verbose_name_plural = "不足する社会資源の経過"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.gap} / {self.get_status_display()}"
