"""アウトリーチ等を通じた継続的支援 (社会福祉法第106条の4第2項第4号; domain.md §5.4): the
records of people the program reaches before they ask, the stages of the work, every contact
with them, and the versioned outreach plan.

A record may begin with no identified person: a working label (「北部 60代男性 A」) and what is
known. It is linked to a registered person later, keeping its history. Its stage, consent,
urgency and closure change only through :mod:`tsunagu.outreach.services`, which keeps an
event for each change (who, when, why).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tsunagu.common.models import VisibleQuerySet


class Stage(models.TextChoices):
    """000 §4 ①–⑤, in order."""

    GATHERING = "gathering", "①情報収集"
    PREPARATION = "preparation", "②事前調整"
    RELATIONSHIP = "relationship", "③関係性構築"
    HOME_VISIT = "home_visit", "④家庭訪問"
    ACCOMPANYING = "accompanying", "⑤同行支援"


STAGE_ORDER = {value: n for n, value in enumerate(Stage.values)}


class Source(models.TextChoices):
    """入口: how the information about the person came in."""

    MEETING = "meeting", "会議"
    AGENCY = "agency", "関係機関"
    MINSEI = "minsei", "民生委員・児童委員"
    RESIDENT = "resident", "地域住民"
    FAMILY = "family", "家族"
    SELF = "self", "本人"
    BUSINESS = "business", "事業者"
    OTHER = "other", "その他"


class AgeBand(models.TextChoices):
    UNDER_20 = "under_20", "10代以下"
    TWENTIES = "20s", "20代"
    THIRTIES = "30s", "30代"
    FORTIES = "40s", "40代"
    FIFTIES = "50s", "50代"
    SIXTIES = "60s", "60代"
    SEVENTIES = "70s", "70代"
    OVER_80 = "80_plus", "80代以上"
    UNKNOWN = "unknown", "不明"


class ConsentMethod(models.TextChoices):
    """How the 利用申込 (the person's application and consent) was obtained."""

    SIGNED = "signed", "申込書に署名"
    ORAL = "oral", "口頭（記録者・立会人あり）"
    GUARDIAN = "guardian", "保護者・後見人による申込"


class ClosureReason(models.TextChoices):
    CONNECTED = "connected", "適切な機関につながった"
    MOVED = "moved", "転居"
    DIED = "died", "死亡"
    REFUSED = "refused", "本人の強い拒否で一時終了"
    OTHER = "other", "その他"


class OutreachRecord(models.Model):
    """アウトリーチ対象: one person (known or not yet) an outreach agency works to reach."""

    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name="アウトリーチ実施機関",
        on_delete=models.PROTECT,
        related_name="+",
    )
    label = models.CharField(
        "呼び名", max_length=60, help_text="本人が特定できるまでの仮の呼び名（例：北部 60代男性 A）"
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name="本人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outreach_records",
    )
    age_band = models.CharField(
        "年代", max_length=10, choices=AgeBand.choices, default=AgeBand.UNKNOWN
    )
    area = models.ForeignKey(
        "accounts.Area", verbose_name="圏域", on_delete=models.PROTECT, null=True, blank=True
    )
    address = models.CharField("住所（分かれば）", max_length=200, blank=True)
    household_hint = models.CharField(
        "世帯について分かっていること", max_length=300, blank=True, help_text="例：80代の母と二人"
    )
    known_facts = models.TextField("分かっていること・心配なこと", blank=True)
    source = models.CharField("情報の入口", max_length=20, choices=Source.choices)
    # the informant is kept apart from the narrative: shown only on the record's own page
    informant_name = models.CharField("情報提供者の氏名", max_length=100, blank=True)
    informant_contact = models.CharField("情報提供者の連絡先", max_length=100, blank=True)
    began_on = models.DateField("開始日")
    stage = models.CharField("段階", max_length=20, choices=Stage.choices, default=Stage.GATHERING)
    # 同意後: the person's 利用申込 (application and consent)
    consented_on = models.DateField("利用申込（同意）の日", null=True, blank=True)
    consent_method = models.CharField(
        "同意の取り方", max_length=20, choices=ConsentMethod.choices, blank=True
    )
    consent_note = models.CharField("同意についての記録", max_length=300, blank=True)
    first_met_on = models.DateField("初回面会日", null=True, blank=True)
    last_contact_on = models.DateField("最後の接触日", null=True, blank=True)
    next_action = models.CharField("次の予定", max_length=200, blank=True)
    next_action_on = models.DateField("次の予定日", null=True, blank=True)
    is_urgent = models.BooleanField("緊急", default=False)
    urgent_note = models.CharField("緊急対応の記録（連絡先と日時）", max_length=300, blank=True)
    urgent_since = models.DateTimeField("緊急にした日時", null=True, blank=True)
    # where the record began, when it began from another record
    from_consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name="元の相談",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outreach_records",
    )
    from_referral = models.ForeignKey(
        "consultations.Referral",
        verbose_name="元のつなぎ",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outreach_records_from",
    )
    from_agenda_item = models.ForeignKey(
        "meetings.AgendaItem",
        verbose_name="元の議題",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outreach_records_from",
    )
    # 多機関協働 へのつなぎ (the record stays open beside the case)
    handover_referral = models.ForeignKey(
        "consultations.Referral",
        verbose_name="多機関協働へのつなぎ",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outreach_records_handed_over",
    )
    closed_on = models.DateField("終了日", null=True, blank=True)
    closure_reason = models.CharField(
        "終了の理由", max_length=20, choices=ClosureReason.choices, blank=True
    )
    closure_note = models.CharField("終了についての記録", max_length=300, blank=True)
    connected_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name="つながった機関",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    connected_referral = models.ForeignKey(
        "consultations.Referral",
        verbose_name="つながったときのつなぎ",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # the outreach worker who carries the record (担当): a worker of the record's agency
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="担当職員",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    objects = VisibleQuerySet.as_manager()  # .visible_to(user): tsunagu.access

    class Meta:
        verbose_name = "アウトリーチ対象"
        verbose_name_plural = "アウトリーチ対象"
        ordering = ["-is_urgent", "next_action_on", "id"]
        indexes = [
            # the caseload's order (urgent first, then the next action's date, none last) over
            # the open records: of one agency, and of the whole city for the program office.
            # An ascending index keeps NULLs last on PostgreSQL, as the caseload orders them
            # (SQLite cannot index NULLS LAST; it sorts the few rows it reads).
            models.Index(
                fields=["agency", "-is_urgent", "next_action_on", "id"],
                condition=Q(closed_on__isnull=True),
                name="outreach_caseload",
            ),
            models.Index(
                fields=["-is_urgent", "next_action_on", "id"],
                condition=Q(closed_on__isnull=True),
                name="outreach_open_order",
            ),
            models.Index(fields=["agency", "last_contact_on"], name="outreach_silence"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(consented_on__isnull=True) | ~Q(consent_method=""),
                name="outreach_consent_has_method",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | ~Q(closure_reason=""),
                name="outreach_closure_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(is_urgent=False) | ~Q(urgent_note=""),
                name="outreach_urgent_has_note",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    @property
    def has_consent(self) -> bool:
        return self.consented_on is not None

    @property
    def consent_label(self) -> str:
        return "同意後" if self.has_consent else "同意前"

    def subject_persons(self) -> list[int]:
        return [self.person_id] if self.person_id else []


class EventKind(models.TextChoices):
    BEGAN = "began", "開始"
    STAGE = "stage", "段階の変更"
    PERSON = "person", "本人の特定"
    IDENTIFY_REQUEST = "identify_request", "事務局へ本人の特定を依頼"
    CONSENT = "consent", "同意（利用申込）"
    URGENT = "urgent", "緊急の指定"
    URGENT_CLEARED = "urgent_cleared", "緊急の解除"
    HANDOVER = "handover", "多機関協働へのつなぎ"
    CLOSED = "closed", "終了"
    REOPENED = "reopened", "再開"


class OutreachEvent(models.Model):
    """The history of a record: every change of stage, consent, urgency and closure."""

    record = models.ForeignKey(OutreachRecord, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("出来事", max_length=20, choices=EventKind.choices)
    from_stage = models.CharField("変更前の段階", max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField("変更後の段階", max_length=20, choices=Stage.choices, blank=True)
    occurred_on = models.DateField("日付")
    note = models.CharField("理由・記録", max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("記録日時", auto_now_add=True)

    class Meta:
        verbose_name = "アウトリーチの経過"
        verbose_name_plural = "アウトリーチの経過"
        ordering = ["record", "at", "id"]

    def __str__(self) -> str:
        return f"{self.record} / {self.get_kind_display()}"

    @property
    def goes_back(self) -> bool:
        return (
            self.kind == EventKind.STAGE
            and bool(self.from_stage)
            and STAGE_ORDER[self.to_stage] < STAGE_ORDER[self.from_stage]
        )


class ContactMethod(models.TextChoices):
    LETTER = "letter", "手紙を置いた・送った"
    FLYER = "flyer", "チラシ等の情報提供"
    MESSAGE = "message", "メール・チャット"
    PHONE = "phone", "電話"
    VISIT_MET = "visit_met", "訪問（本人に会えた）"
    VISIT_NOT_MET = "visit_not_met", "訪問（会えなかった）"
    VISIT_FAMILY = "visit_family", "訪問（家族のみ）"
    ACCOMPANY = "accompany", "同行支援"
    COORDINATION = "coordination", "関係機関・家族との調整"


#: methods that meet the person face to face (the first one sets 初回面会日)
MEETING_METHODS = frozenset({ContactMethod.VISIT_MET, ContactMethod.ACCOMPANY})


class OutreachContact(models.Model):
    """接触記録: one interaction (or attempt) with the person, the family or the agencies."""

    record = models.ForeignKey(OutreachRecord, on_delete=models.PROTECT, related_name="contacts")
    occurred_on = models.DateField("実施日")
    method = models.CharField("方法", max_length=20, choices=ContactMethod.choices)
    staff = models.CharField("実施した職員", max_length=100)
    summary = models.TextField("内容・様子")
    reached_person = models.BooleanField("本人に届いた・会えた", default=False)
    next_action = models.CharField("次の予定", max_length=200, blank=True)
    next_action_on = models.DateField("次の予定日", null=True, blank=True)
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name="記録した機関", on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("記録日時", auto_now_add=True)

    class Meta:
        verbose_name = "接触記録"
        verbose_name_plural = "接触記録"
        ordering = ["-occurred_on", "-recorded_at", "-id"]
        indexes = [models.Index(fields=["record", "occurred_on"], name="outreach_contact_day")]

    def __str__(self) -> str:
        return f"{self.record} / {self.occurred_on} {self.get_method_display()}"


class OutreachPlanStatus(models.TextChoices):
    DRAFT = "draft", "作成中"
    IN_MEETING = "in_meeting", "会議で協議中"
    AGREED = "agreed", "会議で合意"
    REVISE = "revise", "修正して再協議"
    NOT_AGREED = "not_agreed", "見送り"


class OutreachPlan(models.Model):
    """アウトリーチ支援計画, versioned: a new version never overwrites an earlier one."""

    record = models.ForeignKey(OutreachRecord, on_delete=models.PROTECT, related_name="plans")
    version = models.PositiveIntegerField("版")
    approach = models.TextField("関わりの切口", help_text="例：家族への支援、趣味、キーパーソン")
    network = models.TextField("本人を取り巻くネットワーク", blank=True)
    risks = models.TextField("リスク", blank=True)
    emergency_route = models.TextField("緊急時の対応（警察・医療との連携）", blank=True)
    goals = models.TextField("当面の目標", blank=True)
    status = models.CharField(
        "状態", max_length=20, choices=OutreachPlanStatus.choices, default=OutreachPlanStatus.DRAFT
    )
    with_consent = models.BooleanField("同意後の計画", default=False)
    agenda_item = models.OneToOneField(
        "meetings.AgendaItem",
        verbose_name="協議した議題",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outreach_plan",
    )
    decision_text = models.TextField("会議の決定", blank=True)
    decided_on = models.DateField("決定日", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)

    class Meta:
        verbose_name = "アウトリーチ支援計画"
        verbose_name_plural = "アウトリーチ支援計画"
        ordering = ["record", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["record", "version"], name="outreach_plan_version")
        ]

    def __str__(self) -> str:
        return f"{self.record} 第{self.version}版"
