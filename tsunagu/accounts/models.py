"""Users, agencies (支援関係機関), areas (圏域) and role memberships."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    """Roles of domain.md §2; a user holds one per agency membership."""

    MUNICIPAL_OFFICER = "municipal_officer", "自治体職員（事務局）"
    COORDINATOR = "coordinator", "多機関協働事業者（コーディネーター）"
    DESK_WORKER = "desk_worker", "相談支援機関職員"
    OUTREACH_WORKER = "outreach_worker", "アウトリーチ支援員"
    PARTICIPATION_WORKER = "participation_worker", "参加支援員"
    COMMUNITY_COORDINATOR = "community_coordinator", "地域福祉コーディネーター"
    MEETING_GUEST = "meeting_guest", "会議ゲスト"
    ADMIN = "admin", "システム管理者"


class Field(models.TextChoices):
    """分野 of an agency."""

    ELDERLY = "elderly", "介護・高齢"
    DISABILITY = "disability", "障害"
    CHILDREN = "children", "子ども・子育て"
    POVERTY = "poverty", "生活困窮"
    HEALTH = "health", "保健・医療"
    HOUSING = "housing", "住まい"
    EDUCATION = "education", "教育"
    EMPLOYMENT = "employment", "就労"
    OTHER = "other", "その他"


class Operation(models.TextChoices):
    """運営形態."""

    DIRECT = "direct", "直営"
    COMMISSIONED = "commissioned", "委託"
    SUBSIDISED = "subsidised", "補助"


class Program(models.TextChoices):
    """The five programs of 重層的支援体制整備事業."""

    COMPREHENSIVE_CONSULTATION = "comprehensive_consultation", "包括的相談支援事業"
    MULTI_AGENCY = "multi_agency", "多機関協働事業"
    OUTREACH = "outreach", "アウトリーチ等を通じた継続的支援事業"
    PARTICIPATION = "participation", "参加支援事業"
    COMMUNITY_BUILDING = "community_building", "地域づくり事業"


class AreaKind(models.TextChoices):
    CITY = "city", "市全域"
    DAILY_LIFE = "daily_life", "日常生活圏域（地域包括支援センター圏域）"
    DISABILITY = "disability", "障がい相談支援圏域"
    HEALTH = "health", "保健センター圏域"
    DISTRICT = "district", "社協支部・地区"


class Area(models.Model):
    """圏域: a node of the municipality's area hierarchy."""

    code = models.SlugField("コード", max_length=64, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("種別", max_length=20, choices=AreaKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上位圏域",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    sort_order = models.PositiveIntegerField("表示順", default=0)
    is_active = models.BooleanField("有効", default=True)

    class Meta:
        verbose_name = "圏域"
        verbose_name_plural = "圏域"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list[Area]:
        """Parents from the nearest up to the root (cycles are refused by ``clean``)."""
        chain: list[Area] = []
        node = self.parent
        while node is not None and node not in chain:
            chain.append(node)
            node = node.parent
        return chain

    def path_label(self) -> str:
        return " > ".join(a.name for a in [*reversed(self.ancestors()), self])

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if (
            self.parent_id
            and self.pk
            and (self.parent_id == self.pk or self in self.parent.ancestors())
        ):
            raise ValidationError({"parent": "上位圏域に自分自身や下位の圏域は指定できません。"})


class AgencyQuerySet(models.QuerySet):
    def active(self) -> AgencyQuerySet:
        return self.filter(is_active=True)


class Agency(models.Model):
    """支援関係機関: a desk, office or organisation taking part in the program."""

    code = models.SlugField("コード", max_length=64, unique=True)
    name = models.CharField("機関名", max_length=200)
    name_kana = models.CharField("機関名（カナ）", max_length=200, blank=True)
    field = models.CharField("分野", max_length=20, choices=Field.choices)
    operation = models.CharField("運営形態", max_length=20, choices=Operation.choices)
    area = models.ForeignKey(
        Area, verbose_name="圏域", on_delete=models.PROTECT, related_name="agencies"
    )
    responsible_section = models.CharField("担当課", max_length=100, blank=True)
    site_count = models.PositiveIntegerField("設置数", default=1, validators=[MinValueValidator(1)])
    description = models.TextField("主な相談支援の内容", blank=True)
    phone = models.CharField("電話番号", max_length=30, blank=True)
    fax = models.CharField("FAX", max_length=30, blank=True)
    email = models.EmailField("メールアドレス", blank=True)
    address = models.CharField("所在地", max_length=200, blank=True)
    contact_person = models.CharField("担当者", max_length=100, blank=True)
    is_program_office = models.BooleanField(
        "重層的支援の事務局",
        default=False,
        help_text="「既に支援につながっている方」の照会で、問い合わせ先として案内される機関",
    )
    holds_tax_information = models.BooleanField(
        "税務部門",
        default=False,
        help_text="この機関が情報元のアセスメントの内容は、この機関の職員にだけ表示します（画面・API・"
        "会議資料・監査の記録。課税情報は支援会議でも共有しない）",
    )
    is_active = models.BooleanField("有効", default=True)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = "支援関係機関"
        verbose_name_plural = "支援関係機関"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def runs(self, program: str) -> bool:
        return any(p.program == program for p in self.programs.all())


class AgencyProgram(models.Model):
    """A program an agency runs, and whether as a 必須事業 (★ in the city's plan)."""

    agency = models.ForeignKey(
        Agency, verbose_name="機関", on_delete=models.CASCADE, related_name="programs"
    )
    program = models.CharField("事業", max_length=40, choices=Program.choices)
    is_mandatory = models.BooleanField("必須事業として実施", default=False)
    basis = models.CharField(
        "根拠となる事業",
        max_length=200,
        blank=True,
        help_text="例：【介護】地域包括支援センターの運営",
    )

    class Meta:
        verbose_name = "実施事業"
        verbose_name_plural = "実施事業"
        constraints = [
            models.UniqueConstraint(fields=["agency", "program"], name="agency_program_unique")
        ]
        ordering = ["agency", "program"]

    def __str__(self) -> str:
        mark = "★" if self.is_mandatory else ""
        return f"{mark}{self.get_program_display()}"


class User(AbstractUser):
    """A person who signs in. Never deleted while referenced: deactivate instead."""

    display_name = models.CharField("氏名", max_length=100, blank=True)
    display_name_kana = models.CharField("氏名（カナ）", max_length=100, blank=True)
    phone = models.CharField("電話番号", max_length=30, blank=True)
    is_service_account = models.BooleanField(
        "システム連携用アカウント",
        default=False,
        help_text="人ではなく他のシステムが使うアカウント。システム管理者は、個人情報を開く役割を"
        "持たない連携用アカウントに限って、APIトークンを発行できます",
    )

    objects = UserManager()

    class Meta:
        verbose_name = "利用者"
        verbose_name_plural = "利用者"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.get_username()

    def active_memberships(self):
        return self.memberships.filter(is_active=True, agency__is_active=True).select_related(
            "agency"
        )


# Roles that open personal data (clients, households, cases, meeting materials): granting one
# through the admin site needs a municipal officer's approval (四つの目), and an API token for
# one is issued only by its own user.
PERSONAL_DATA_ROLES = frozenset(set(Role.values) - {Role.ADMIN})


class Membership(models.Model):
    """A user's role at one agency. A user may hold several."""

    user = models.ForeignKey(
        User, verbose_name="利用者", on_delete=models.PROTECT, related_name="memberships"
    )
    agency = models.ForeignKey(
        Agency, verbose_name="機関", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField("役割", max_length=30, choices=Role.choices)
    title = models.CharField("職名", max_length=100, blank=True, help_text="例：福祉まるごと支援員")
    is_active = models.BooleanField("有効", default=True)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        verbose_name = "所属・役割"
        verbose_name_plural = "所属・役割"
        ordering = ["user", "agency", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"], name="membership_unique_role_per_agency"
            )
        ]
        indexes = [
            models.Index(
                fields=["agency", "role"], condition=Q(is_active=True), name="membership_active_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} / {self.get_role_display()}"


class ApiToken(models.Model):
    """A bearer token for another system calling ``/api/v1/``; only its hash is stored."""

    user = models.ForeignKey(
        User, verbose_name="利用者", on_delete=models.PROTECT, related_name="api_tokens"
    )
    membership = models.ForeignKey(
        Membership,
        verbose_name="利用する所属",
        on_delete=models.PROTECT,
        related_name="api_tokens",
    )
    name = models.CharField("用途", max_length=100)
    prefix = models.CharField("識別子", max_length=12, unique=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("発行日時", auto_now_add=True)
    expires_at = models.DateTimeField("有効期限", null=True, blank=True)
    last_used_at = models.DateTimeField("最終利用日時", null=True, blank=True)
    revoked_at = models.DateTimeField("失効日時", null=True, blank=True)
    issued_by = models.ForeignKey(
        User,
        verbose_name="発行者",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = "APIトークン"
        verbose_name_plural = "APIトークン"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class NotificationKind(models.TextChoices):
    MONITORING_DUE = "monitoring_due", "モニタリング・評価の予定"
    ACCOUNT_SECURITY = "account_security", "アカウントの安全"
    ROLE_GRANT = "role_grant", "役割付与の承認"
    OUTREACH_IDENTIFY = "outreach_identify", "アウトリーチ対象の本人の特定"
    OUTREACH_DUE = "outreach_due", "アウトリーチの予定・長く接触なし"


class RoleGrantStatus(models.TextChoices):
    PENDING = "pending", "承認待ち"
    APPROVED = "approved", "承認済み"
    REJECTED = "rejected", "却下"


class RoleGrantRequest(models.Model):
    """A role that opens personal data, proposed for a user by the system administrator and
    given only when a municipal officer other than the proposer and the user approves it."""

    user = models.ForeignKey(
        User, verbose_name="利用者", on_delete=models.PROTECT, related_name="role_grant_requests"
    )
    agency = models.ForeignKey(
        Agency, verbose_name="機関", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField("役割", max_length=30, choices=Role.choices)
    title = models.CharField("職名", max_length=100, blank=True)
    reason = models.CharField("理由", max_length=300, blank=True)
    proposed_by = models.ForeignKey(
        User, verbose_name="提案者", on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField("提案日時", auto_now_add=True)
    status = models.CharField(
        "状態", max_length=20, choices=RoleGrantStatus.choices, default=RoleGrantStatus.PENDING
    )
    decided_by = models.ForeignKey(
        User,
        verbose_name="承認・却下した職員",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("承認・却下日時", null=True, blank=True)
    decision_note = models.CharField("承認・却下の理由", max_length=300, blank=True)
    membership = models.ForeignKey(
        Membership,
        verbose_name="付与した所属",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "役割付与の申請"
        verbose_name_plural = "役割付与の申請"
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"],
                condition=Q(status="pending"),
                name="role_grant_one_pending",
            )
        ]

    def __str__(self) -> str:
        status = self.get_status_display()
        return f"{self.user} / {self.agency} / {self.get_role_display()}（{status}）"


class Notification(models.Model):
    """お知らせ for one user, shown in the app (names no person: case numbers and dates)."""

    recipient = models.ForeignKey(
        User, verbose_name="受け取る利用者", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField("種類", max_length=30, choices=NotificationKind.choices)
    message = models.CharField("内容", max_length=300)
    url = models.CharField("リンク先", max_length=300, blank=True)
    # What the notice is about (e.g. case, kind, due date and stage): one notice per key
    key = models.CharField("識別キー", max_length=200, editable=False)
    created_at = models.DateTimeField("通知日時", auto_now_add=True)
    read_at = models.DateTimeField("既読日時", null=True, blank=True)

    class Meta:
        verbose_name = "お知らせ"
        verbose_name_plural = "お知らせ"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key")
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return self.message


class LoginAttempt(AccessAttempt):
    """Failed sign-ins counted towards a lockout (django-axes' table, shown in Japanese)."""

    class Meta:
        proxy = True
        verbose_name = "ログインの失敗・ロック"
        verbose_name_plural = "ログインの失敗・ロック"
