"""The parts of a disclosure answer for one person, as tables of rows read a chunk at a time.

A :class:`Part` is one sheet of the workbook and one chapter of the PDF; it holds
:class:`Table` s, each with its columns and a function that yields its rows. Rows hold plain
values (text, dates, date-times); the workbook and the PDF decide how to show them (a date
column is two columns in Excel: the date and its 和暦).

Which records are this person's: those about the person (``person`` is them), and those about
one of their households with no person named (a household's consultation or case). A record
about another member of the household is that member's, not this person's.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch, Q
from django.utils import timezone

from tsunagu.accounts.acting import acting
from tsunagu.audit.labels import action_label, kind_label, role_label
from tsunagu.audit.models import AuditEvent
from tsunagu.cases.models import (
    Activity,
    Assessment,
    AssessmentSource,
    Case,
    CaseStatus,
    CaseStatusEvent,
    CaseTeamMember,
    Consent,
    MonitoringRecord,
    PlanItem,
    SupportPlan,
)
from tsunagu.cases.selectors.assessment import SECTIONS, withheld_sections
from tsunagu.common.wareki import format_wareki
from tsunagu.community.models import CommunityReport, Escalation, SafetyCheck, Watch, Watcher
from tsunagu.consultations.models import Consultation, Referral, ReferralEvent
from tsunagu.grants.selectors import person_access
from tsunagu.meetings.models import AgendaItem
from tsunagu.outreach.models import OutreachContact, OutreachEvent, OutreachPlan, OutreachRecord
from tsunagu.participation.models import FollowUp, KeepInTouch, Match, ParticipationRecord
from tsunagu.people.models import Household, HouseholdMember, Person

#: Rows read from the database at a time.
CHUNK = 2000

#: What an assessment section from an agency holding tax information shows instead of its text.
TAX_WITHHELD = "（税務情報のため記載しません）"

TEXT, LONG, DATE, MOMENT = "text", "long", "date", "moment"


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = TEXT  # text / long (wrapped) / date / moment (a date-time)
    width: int = 14


@dataclass
class Table:
    title: str
    columns: tuple[Column, ...]
    rows: Callable[[], Iterable[Sequence]]
    #: the PDF's narrower form of a wide table: its columns and how a row becomes one
    pdf_columns: tuple[Column, ...] = ()
    pdf_row: Callable[[Sequence], Sequence] | None = None
    #: the PDF's limit of rows (the workbook has them all); 0: no limit
    pdf_limit: int = 0
    note: str = ""


@dataclass
class Part:
    key: str
    sheet: str  # the sheet's name and the chapter's title
    title: str
    tables: list[Table]
    count: int  # the number of records the summary page shows
    note: str = ""


@dataclass
class Subject:
    """The person, the office user answering, and the ids of the person's households and
    cases (read once)."""

    person: Person
    user: object
    household_ids: list[int] = field(default_factory=list)
    case_ids: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, person: Person, user) -> Subject:
        households = sorted(
            set(
                HouseholdMember.objects.filter(person=person).values_list("household_id", flat=True)
            )
        )
        subject = cls(person=person, user=user, household_ids=households)
        subject.case_ids = list(
            Case.objects.filter(subject.about()).order_by("pk").values_list("pk", flat=True)
        )
        return subject

    def about(self, prefix: str = "") -> Q:
        """The person's records: about them, or about one of their households alone."""
        return Q(**{f"{prefix}person": self.person}) | Q(
            **{f"{prefix}person__isnull": True, f"{prefix}household_id__in": self.household_ids}
        )


# ---------------------------------------------------------------------------- values


def wareki_iso(value) -> str:
    """``令和8年11月20日（2026-11-20）``; a date-time in local time with its hour."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value)
        return f"{format_wareki(local.date())} {local:%H:%M}（{local:%Y-%m-%d %H:%M}）"
    return f"{format_wareki(value)}（{value.isoformat()}）"


def yes(value: bool | None) -> str:
    return "はい" if value else ""


def name_of(user) -> str:
    if user is None:
        return ""
    return getattr(user, "display_name", "") or user.get_username()


def agency_name(agency) -> str:
    return agency.name if agency is not None else ""


def each(queryset) -> Iterator:
    return queryset.iterator(chunk_size=CHUNK)


def joined(lines: Iterable[str]) -> str:
    return "\n".join(line for line in lines if line)


# ---------------------------------------------------------------------------- 本人


def _person(subject: Subject) -> Part:
    person = subject.person

    def rows():
        yield "本人番号", str(person.pk)
        yield "氏名", person.name
        yield "フリガナ", person.name_kana
        yield "生年月日", wareki_iso(person.birth_date) or "不明"
        yield "性別", person.get_sex_display()
        yield "郵便番号", person.postal_code
        yield "住所", person.address
        yield "電話番号", person.phone
        yield "携帯電話", person.mobile_phone
        yield "連絡上の注意", person.contact_notes
        yield "登録機関", agency_name(person.registered_by_agency)
        yield "登録日時", wareki_iso(person.created_at)
        yield "更新日時", wareki_iso(person.updated_at)
        if person.is_archived:
            yield "アーカイブ", "アーカイブ済み"

    table = Table("本人の情報", (Column("項目", width=18), Column("内容", LONG, 70)), rows=rows)
    return Part("person", "本人", "本人の情報", [table], count=1)


# ---------------------------------------------------------------------------- 世帯


def _households(subject: Subject) -> Part:
    person = subject.person
    members = (
        HouseholdMember.objects.filter(household_id__in=subject.household_ids)
        .select_related("household", "person")
        .order_by("household_id", "start_date", "id")
    )

    def household_rows():
        seen = set()
        for link in each(members.filter(person=person)):
            if link.household_id in seen:
                continue
            seen.add(link.household_id)
            household = link.household
            yield (
                str(household.pk),
                household.label,
                household.address,
                household.notes,
                agency_name(household.registered_by_agency),
            )

    def member_rows():
        for link in each(members):
            yield (
                f"{link.household.label}（#{link.household_id}）",
                "この方" if link.person_id == person.pk else link.person.name,
                link.get_relation_display(),
                link.start_date,
                link.end_date,
            )

    return Part(
        "households",
        "世帯",
        "世帯と続柄",
        [
            Table(
                "世帯",
                (
                    Column("世帯番号", width=10),
                    Column("世帯の呼称", width=20),
                    Column("住所", LONG, 30),
                    Column("備考", LONG, 40),
                    Column("登録機関", width=24),
                ),
                rows=household_rows,
            ),
            Table(
                "世帯員と続柄（世帯主から見た続柄）",
                (
                    Column("世帯", width=24),
                    Column("世帯員", width=18),
                    Column("続柄", width=12),
                    Column("世帯員となった日", DATE),
                    Column("世帯を離れた日", DATE),
                ),
                rows=member_rows,
                note="ほかの世帯員については、氏名と続柄だけを載せています。",
            ),
        ],
        count=len(subject.household_ids),
    )


# ---------------------------------------------------------------------------- 相談・つなぎ


def _consultations(subject: Subject) -> Part:
    queryset = (
        Consultation.objects.filter(subject.about())
        .select_related("agency", "recorded_by", "household")
        .prefetch_related("category_links__category")
        .order_by("received_on", "id")
    )

    def rows():
        for c in each(queryset):
            categories = "、".join(
                f"{'◎' if link.is_primary else ''}{link.category.name}"
                for link in c.categories_for_display()
            )
            yield (
                str(c.pk),
                c.received_on,
                c.agency.name,
                name_of(c.recorded_by),
                c.get_channel_display(),
                c.get_consulter_type_display(),
                c.consulter_name,
                c.consulter_relation,
                "本人" if c.person_id else f"世帯「{c.household.label}」",
                categories,
                c.summary,
                "あり" if c.consent_to_share else "なし",
                c.get_outcome_display(),
                c.created_at,
            )

    columns = (
        Column("相談番号", width=9),
        Column("受付日", DATE),
        Column("受付機関", width=24),
        Column("受付者", width=14),
        Column("相談経路", width=12),
        Column("相談者", width=10),
        Column("相談者氏名", width=14),
        Column("本人との関係", width=12),
        Column("対象", width=14),
        Column("相談内容", LONG, 30),
        Column("相談内容（概要）", LONG, 50),
        Column("情報共有への同意", width=10),
        Column("対応結果", width=14),
        Column("登録日時", MOMENT),
    )
    return Part(
        "consultations",
        "相談",
        "相談受付",
        [Table("相談受付", columns, rows=rows)],
        count=queryset.count(),
    )


def _referral_events(referral: Referral) -> str:
    lines = []
    for event in referral.events.all():
        local = timezone.localtime(event.at)
        lines.append(
            f"{format_wareki(local.date())} {local:%H:%M} {event.get_to_status_display()}"
            f"（{event.agency.name}）{('：' + event.note) if event.note else ''}"
        )
    return joined(lines)


def _referrals(subject: Subject) -> Part:
    queryset = (
        Referral.objects.filter(subject.about())
        .select_related("from_agency", "to_agency", "sent_by")
        .prefetch_related(
            Prefetch("events", queryset=ReferralEvent.objects.select_related("agency"))
        )
        .order_by("sent_at", "id")
    )

    def rows():
        for r in each(queryset):
            criteria = "、".join(
                label
                for label, on in (
                    ("①世帯の複合的な課題", r.criterion_household),
                    ("②狭間のケース", r.criterion_gap),
                    ("③新たな資源開発", r.criterion_new_resource),
                )
                if on
            )
            yield (
                str(r.pk),
                r.get_kind_display(),
                f"相談 #{r.consultation_id}",
                r.from_agency.name,
                r.to_agency.name,
                name_of(r.sent_by),
                r.sent_at,
                r.respond_by,
                r.get_status_display(),
                r.reason,
                criteria,
                r.tried_with_agencies,
                yes(r.is_urgent),
                r.responded_at,
                r.return_reason,
                r.completed_at,
                r.get_outcome_display(),
                r.outcome_note,
                _referral_events(r),
            )

    columns = (
        Column("つなぎ番号", width=9),
        Column("種別", width=18),
        Column("元の相談", width=10),
        Column("つなぎ元", width=22),
        Column("つなぎ先", width=22),
        Column("送付者", width=14),
        Column("送付日時", MOMENT),
        Column("回答期限", MOMENT),
        Column("状態", width=10),
        Column("つなぐ理由・依頼内容", LONG, 40),
        Column("多機関協働の基準", width=24),
        Column("これまでに試みたこと", LONG, 30),
        Column("緊急性", width=8),
        Column("受理・差戻し日時", MOMENT),
        Column("差戻しの理由", LONG, 24),
        Column("完了日時", MOMENT),
        Column("結果", width=14),
        Column("結果の補足", LONG, 24),
        Column("経過", LONG, 40),
    )
    return Part(
        "referrals",
        "つなぎ",
        "つなぎ（紹介）",
        [Table("つなぎ", columns, rows=rows)],
        count=queryset.count(),
    )


# ---------------------------------------------------------------------------- 事例


def _cases(subject: Subject) -> Part:
    cases = (
        Case.objects.filter(pk__in=subject.case_ids)
        .select_related(
            "referring_agency", "coordinating_agency", "coordinator", "lead_agency_after_closure"
        )
        .order_by("opened_on", "id")
    )

    def case_rows():
        for case in each(cases):
            yield (
                str(case.pk),
                case.opened_on,
                case.get_status_display(),
                yes(case.is_urgent),
                "本人" if case.person_id else "世帯",
                case.referring_agency.name,
                case.coordinating_agency.name,
                name_of(case.coordinator),
                f"つなぎ #{case.referral_id}",
                case.closed_on,
                agency_name(case.lead_agency_after_closure),
            )

    team = (
        CaseTeamMember.objects.filter(case_id__in=subject.case_ids)
        .select_related("agency")
        .order_by("case_id", "joined_on", "id")
    )

    def team_rows():
        for member in each(team):
            yield (
                f"事例 #{member.case_id}",
                member.agency.name,
                member.role,
                member.joined_on,
                member.left_on,
                member.left_reason,
            )

    statuses = dict(CaseStatus.choices)
    events = (
        CaseStatusEvent.objects.filter(case_id__in=subject.case_ids)
        .select_related("by")
        .order_by("case_id", "at", "id")
    )

    def status_rows():
        for event in each(events):
            yield (
                f"事例 #{event.case_id}",
                event.at,
                statuses.get(event.from_status, ""),
                statuses.get(event.to_status, event.to_status),
                name_of(event.by),
                event.note,
            )

    assessments = (
        Assessment.objects.filter(case_id__in=subject.case_ids)
        .select_related("recorded_by")
        .prefetch_related(
            Prefetch("sources", queryset=AssessmentSource.objects.select_related("agency"))
        )
        .order_by("case_id", "version")
    )

    def assessment_rows():
        for assessment in each(assessments):
            # the request is answered to an audience, not one reader: every section from an
            # agency holding tax information is withheld (cases.selectors.assessment)
            withheld = withheld_sections(assessment, None)
            sources: dict[str, list[str]] = {}
            for source in assessment.sources.all():
                note = f"（{source.note}）" if source.note else ""
                sources.setdefault(source.section, []).append(f"{source.agency.name}{note}")
            for code, label in SECTIONS:
                if code in withheld:
                    text, named = TAX_WITHHELD, ""
                else:
                    text, named = getattr(assessment, code), "、".join(sources.get(code, []))
                if not text and not named:
                    continue
                yield (
                    f"事例 #{assessment.case_id}",
                    f"第{assessment.version}版",
                    assessment.recorded_at,
                    name_of(assessment.recorded_by),
                    label,
                    text,
                    named,
                )

    return Part(
        "cases",
        "事例",
        "多機関協働の事例",
        [
            Table(
                "事例",
                (
                    Column("事例番号", width=9),
                    Column("受付日", DATE),
                    Column("状態", width=20),
                    Column("緊急", width=6),
                    Column("対象", width=8),
                    Column("つなぎ元の機関", width=22),
                    Column("多機関協働事業者", width=22),
                    Column("担当コーディネーター", width=16),
                    Column("元のつなぎ", width=10),
                    Column("終結日", DATE),
                    Column("終結後の主担当機関", width=22),
                ),
                rows=case_rows,
            ),
            Table(
                "支援チーム",
                (
                    Column("事例", width=10),
                    Column("機関", width=24),
                    Column("役割", width=16),
                    Column("参加日", DATE),
                    Column("離脱日", DATE),
                    Column("離脱の理由", LONG, 24),
                ),
                rows=team_rows,
            ),
            Table(
                "事例の状態の経過",
                (
                    Column("事例", width=10),
                    Column("日時", MOMENT),
                    Column("変更前", width=20),
                    Column("変更後", width=20),
                    Column("操作者", width=14),
                    Column("メモ", LONG, 30),
                ),
                rows=status_rows,
            ),
            Table(
                "アセスメント",
                (
                    Column("事例", width=10),
                    Column("版", width=8),
                    Column("記録日時", MOMENT),
                    Column("記録者", width=14),
                    Column("項目", width=14),
                    Column("内容", LONG, 60),
                    Column("情報元", width=24),
                ),
                rows=assessment_rows,
                note=(
                    "税務情報を持つ機関からの情報による項目は、内容と情報元を載せていません"
                    f"（{TAX_WITHHELD}）。"
                ),
            ),
        ],
        count=len(subject.case_ids),
    )


# ---------------------------------------------------------------------------- 同意


def _consents(subject: Subject) -> Part:
    person = subject.person
    queryset = (
        Consent.objects.filter(
            Q(person=person) | Q(person__isnull=True, case_id__in=subject.case_ids)
        )
        .select_related("recorded_by")
        .prefetch_related("scope_agencies")
        .order_by("case_id", "version")
    )

    def rows():
        for consent in each(queryset):
            yield (
                f"事例 #{consent.case_id}",
                f"第{consent.version}版",
                "撤回" if consent.is_withdrawal else "同意",
                consent.given_by,
                yes(consent.by_guardian),
                consent.given_on,
                consent.get_method_display(),
                consent.witness,
                "、".join(a.name for a in consent.scope_agencies.all()),
                yes(consent.share_in_conference),
                consent.notes,
                "最新" if consent.is_current else "過去の版",
                consent.recorded_at,
                name_of(consent.recorded_by),
            )

    columns = (
        Column("事例", width=10),
        Column("版", width=8),
        Column("同意・撤回", width=10),
        Column("同意した方", width=14),
        Column("保護者による同意", width=10),
        Column("同意日（撤回日）", DATE),
        Column("方法", width=18),
        Column("立会人", width=14),
        Column("情報を共有してよい機関", LONG, 40),
        Column("会議での共有に同意", width=10),
        Column("特記事項", LONG, 30),
        Column("版の状態", width=10),
        Column("記録日時", MOMENT),
        Column("記録者", width=14),
    )
    return Part(
        "consents",
        "同意",
        "本人同意（利用申込）",
        [Table("本人同意", columns, rows=rows)],
        count=queryset.count(),
    )


# ---------------------------------------------------------------------------- 支援プラン


def _plans(subject: Subject) -> Part:
    plans = (
        SupportPlan.objects.filter(case_id__in=subject.case_ids)
        .select_related("created_by", "support_decision", "report")
        .order_by("case_id", "version")
    )

    def plan_rows():
        for plan in each(plans):
            decision = getattr(plan, "support_decision", None)
            report = getattr(plan, "report", None)
            yield (
                f"事例 #{plan.case_id}",
                f"第{plan.version}版",
                plan.get_kind_display(),
                plan.get_status_display(),
                plan.goals,
                plan.policy,
                plan.next_monitoring_on,
                plan.evaluation_on,
                plan.agreed_on,
                plan.confirmed_on,
                decision.decided_on if decision else None,
                decision.decision_number if decision else "",
                report.reported_on if report else None,
                name_of(plan.created_by),
                plan.created_at,
            )

    items = (
        PlanItem.objects.filter(plan__case_id__in=subject.case_ids)
        .select_related("plan", "agency")
        .order_by("plan__case_id", "plan__version", "order", "id")
    )

    def item_rows():
        for item in each(items):
            yield (
                f"事例 #{item.plan.case_id}",
                f"第{item.plan.version}版",
                item.issue,
                item.action,
                item.agency.name,
                item.worker,
                item.frequency,
                item.period_start,
                item.period_end,
                item.get_statutory_service_display() if item.statutory_service else "",
            )

    monitorings = (
        MonitoringRecord.objects.filter(case_id__in=subject.case_ids)
        .select_related("plan", "recorded_by")
        .order_by("case_id", "done_on", "id")
    )

    def monitoring_rows():
        for record in each(monitorings):
            yield (
                f"事例 #{record.case_id}",
                f"第{record.plan.version}版",
                record.get_kind_display(),
                record.done_on,
                record.findings,
                record.get_outcome_display(),
                record.next_due_on,
                name_of(record.recorded_by),
            )

    return Part(
        "plans",
        "支援プラン",
        "支援プランとモニタリング",
        [
            Table(
                "支援プラン",
                (
                    Column("事例", width=10),
                    Column("版", width=8),
                    Column("種別", width=10),
                    Column("状態", width=16),
                    Column("本人の目標", LONG, 40),
                    Column("支援方針", LONG, 40),
                    Column("次回モニタリング予定日", DATE),
                    Column("評価予定日", DATE),
                    Column("会議で合意した日", DATE),
                    Column("確定日", DATE),
                    Column("支援決定日", DATE),
                    Column("決定番号", width=12),
                    Column("自治体への報告日", DATE),
                    Column("作成者", width=14),
                    Column("作成日時", MOMENT),
                ),
                rows=plan_rows,
            ),
            Table(
                "支援プランの項目",
                (
                    Column("事例", width=10),
                    Column("版", width=8),
                    Column("課題", LONG, 24),
                    Column("支援内容", LONG, 36),
                    Column("担当機関", width=22),
                    Column("担当者", width=12),
                    Column("頻度", width=10),
                    Column("期間（開始）", DATE),
                    Column("期間（終了）", DATE),
                    Column("法に基づく事業", width=20),
                ),
                rows=item_rows,
            ),
            Table(
                "モニタリング・評価",
                (
                    Column("事例", width=10),
                    Column("プラン", width=8),
                    Column("種別", width=10),
                    Column("実施日", DATE),
                    Column("確認した内容", LONG, 50),
                    Column("結果", width=20),
                    Column("次回予定日", DATE),
                    Column("記録者", width=14),
                ),
                rows=monitoring_rows,
            ),
        ],
        count=plans.count(),
    )


# ---------------------------------------------------------------------------- 支援経過


def _activities(subject: Subject) -> Part:
    queryset = (
        Activity.objects.filter(case_id__in=subject.case_ids)
        .select_related("agency", "recorded_by")
        .order_by("case_id", "occurred_on", "id")
    )

    def rows():
        for activity in each(queryset):
            yield (
                f"事例 #{activity.case_id}",
                activity.occurred_on,
                activity.get_kind_display(),
                activity.agency.name,
                name_of(activity.recorded_by),
                activity.summary,
                yes(activity.is_contact_attempt),
                yes(activity.reached_person),
                activity.recorded_at,
            )

    columns = (
        Column("事例", width=10),
        Column("実施日", DATE),
        Column("種別", width=12),
        Column("記録した機関", width=24),
        Column("記録者", width=14),
        Column("内容", LONG, 60),
        Column("本人への連絡の試み", width=10),
        Column("本人と連絡が取れた", width=10),
        Column("記録日時", MOMENT),
    )
    return Part(
        "activities",
        "支援経過",
        "支援経過記録",
        [Table("支援経過", columns, rows=rows)],
        count=queryset.count(),
    )


# ---------------------------------------------------------------------------- 会議


def _meetings(subject: Subject) -> Part:
    queryset = (
        AgendaItem.objects.filter(
            Q(case_id__in=subject.case_ids) | Q(outreach_plan__record__person=subject.person)
        )
        .select_related("meeting", "meeting__convening_agency", "lead_agency")
        .prefetch_related("action_items__owner_agency")
        .order_by("meeting__starts_at", "meeting_id", "order", "id")
    )

    def rows():
        for item in each(queryset):
            meeting = item.meeting
            tasks = joined(
                f"{task.description}（{task.owner_agency.name}、期限 {format_wareki(task.due_on)}"
                f"{'、完了' if task.done_on else ''}）"
                for task in item.action_items.all()
            )
            yield (
                meeting.title + ("（中止）" if meeting.is_cancelled else ""),
                meeting.get_kind_display(),
                meeting.starts_at,
                meeting.place,
                meeting.convening_agency.name,
                item.title or item.get_purpose_display(),
                item.get_purpose_display(),
                f"事例 #{item.case_id}" if item.case_id else "アウトリーチ支援計画",
                item.withdrawn_reason or "取り下げ" if item.is_withdrawn else "",
                item.get_outcome_display() if item.outcome else "",
                item.decision_text,
                agency_name(item.lead_agency),
                item.decided_at,
                tasks,
            )

    columns = (
        Column("会議", width=24),
        Column("会議の種類", width=20),
        Column("開始日時", MOMENT),
        Column("場所", width=16),
        Column("招集した機関", width=22),
        Column("議題", width=20),
        Column("目的", width=14),
        Column("対象", width=12),
        Column("取り下げ", width=16),
        Column("決定", width=12),
        Column("決定の内容", LONG, 40),
        Column("終結後の主担当機関", width=20),
        Column("決定日時", MOMENT),
        Column("宿題", LONG, 36),
    )
    return Part(
        "meetings",
        "会議",
        "会議（議題になったもの）",
        [
            Table(
                "議題",
                columns,
                rows=rows,
                note="会議録は他の方の議題も含むため載せていません。決定と宿題は議題ごとに載せています。",
            )
        ],
        count=queryset.count(),
    )


# ---------------------------------------------------------------------------- アウトリーチ


def _outreach(subject: Subject) -> Part:
    records = (
        OutreachRecord.objects.filter(person=subject.person)
        .select_related("agency", "connected_agency", "area")
        .order_by("began_on", "id")
    )
    ids = list(records.values_list("pk", flat=True))

    def record_rows():
        for record in each(records):
            yield (
                str(record.pk),
                record.label,
                record.agency.name,
                record.began_on,
                record.get_stage_display(),
                record.get_age_band_display(),
                record.address,
                record.household_hint,
                record.known_facts,
                record.get_source_display(),
                record.consented_on,
                record.get_consent_method_display() if record.consent_method else "",
                record.consent_note,
                record.first_met_on,
                record.last_contact_on,
                record.next_action,
                yes(record.is_urgent),
                record.urgent_note,
                record.closed_on,
                record.get_closure_reason_display() if record.closure_reason else "",
                record.closure_note,
                agency_name(record.connected_agency),
            )

    contacts = (
        OutreachContact.objects.filter(record_id__in=ids)
        .select_related("agency")
        .order_by("record_id", "occurred_on", "id")
    )

    def contact_rows():
        for contact in each(contacts):
            yield (
                f"#{contact.record_id}",
                contact.occurred_on,
                contact.get_method_display(),
                contact.staff,
                contact.agency.name,
                contact.summary,
                yes(contact.reached_person),
                contact.next_action,
            )

    events = OutreachEvent.objects.filter(record_id__in=ids).order_by("record_id", "at", "id")

    def event_rows():
        for event in each(events):
            change = ""
            if event.to_stage:
                before = event.get_from_stage_display() if event.from_stage else ""
                change = f"{before}→{event.get_to_stage_display()}"
            yield (
                f"#{event.record_id}",
                event.occurred_on,
                event.get_kind_display(),
                change,
                (event.note),
            )

    plans = OutreachPlan.objects.filter(record_id__in=ids).order_by("record_id", "version")

    def plan_rows():
        for plan in each(plans):
            yield (
                f"#{plan.record_id}",
                f"第{plan.version}版",
                plan.approach,
                plan.network,
                plan.risks,
                plan.emergency_route,
                plan.goals,
                plan.get_status_display(),
                plan.decision_text,
                plan.decided_on,
            )

    return Part(
        "outreach",
        "アウトリーチ",
        "アウトリーチ等を通じた継続的支援",
        [
            Table(
                "アウトリーチの記録",
                (
                    Column("番号", width=8),
                    Column("呼び名", width=16),
                    Column("実施機関", width=22),
                    Column("開始日", DATE),
                    Column("段階", width=12),
                    Column("年代", width=8),
                    Column("住所", LONG, 24),
                    Column("世帯について", LONG, 24),
                    Column("分かっていること・心配なこと", LONG, 40),
                    Column("情報の入口", width=12),
                    Column("利用申込（同意）の日", DATE),
                    Column("同意の取り方", width=16),
                    Column("同意についての記録", LONG, 24),
                    Column("初回面会日", DATE),
                    Column("最後の接触日", DATE),
                    Column("次の予定", LONG, 20),
                    Column("緊急", width=6),
                    Column("緊急対応の記録", LONG, 24),
                    Column("終了日", DATE),
                    Column("終了の理由", width=16),
                    Column("終了についての記録", LONG, 24),
                    Column("つながった機関", width=20),
                ),
                rows=record_rows,
                note="情報提供者の氏名・連絡先は、第三者の情報のため載せていません。",
            ),
            Table(
                "接触記録",
                (
                    Column("記録", width=8),
                    Column("実施日", DATE),
                    Column("方法", width=18),
                    Column("実施した職員", width=14),
                    Column("記録した機関", width=22),
                    Column("内容・様子", LONG, 50),
                    Column("本人に届いた・会えた", width=10),
                    Column("次の予定", LONG, 20),
                ),
                rows=contact_rows,
            ),
            Table(
                "アウトリーチの経過",
                (
                    Column("記録", width=8),
                    Column("日付", DATE),
                    Column("出来事", width=18),
                    Column("段階の変更", width=24),
                    Column("理由・記録", LONG, 40),
                ),
                rows=event_rows,
            ),
            Table(
                "アウトリーチ支援計画",
                (
                    Column("記録", width=8),
                    Column("版", width=8),
                    Column("関わりの切口", LONG, 30),
                    Column("本人を取り巻くネットワーク", LONG, 30),
                    Column("リスク", LONG, 24),
                    Column("緊急時の対応", LONG, 24),
                    Column("当面の目標", LONG, 24),
                    Column("状態", width=12),
                    Column("会議の決定", LONG, 24),
                    Column("決定日", DATE),
                ),
                rows=plan_rows,
            ),
        ],
        count=len(ids),
    )


# ---------------------------------------------------------------------------- 参加支援


def _participation(subject: Subject) -> Part:
    records = (
        ParticipationRecord.objects.filter(person=subject.person)
        .select_related("agency", "worker")
        .order_by("started_on", "id")
    )
    ids = list(records.values_list("pk", flat=True))

    def record_rows():
        for record in each(records):
            yield (
                str(record.pk),
                record.agency.name,
                name_of(record.worker),
                f"事例 #{record.case_id}" if record.case_id else "",
                record.started_on,
                yes(record.is_early),
                record.outside_plan_reason,
                record.goals,
                record.steps,
                record.closed_on,
                record.person_view,
                record.closure_note,
                record.next_keep_in_touch_on,
                record.keep_in_touch_ended_on,
            )

    matches = (
        Match.objects.filter(record_id__in=ids)
        .select_related("resource")
        .order_by("record_id", "proposed_on", "id")
    )

    def match_rows():
        for match in each(matches):
            yield (
                f"#{match.record_id}",
                str(match.resource),
                match.get_status_display(),
                match.proposed_on,
                match.started_on,
                match.settled_on,
                match.ended_on,
                match.end_reason,
                match.note,
            )

    follow_ups = (
        FollowUp.objects.filter(match__record_id__in=ids)
        .select_related("match__resource")
        .order_by("match__record_id", "occurred_on", "id")
    )

    def follow_up_rows():
        for entry in each(follow_ups):
            yield (
                f"#{entry.match.record_id}",
                str(entry.match.resource),
                entry.get_track_display(),
                entry.occurred_on,
                entry.note,
                yes(entry.concern),
            )

    touches = KeepInTouch.objects.filter(record_id__in=ids).order_by("record_id", "occurred_on")

    def touch_rows():
        for entry in each(touches):
            yield f"#{entry.record_id}", entry.occurred_on, entry.note

    return Part(
        "participation",
        "参加支援",
        "参加支援",
        [
            Table(
                "参加支援の記録",
                (
                    Column("番号", width=8),
                    Column("参加支援事業者", width=22),
                    Column("担当の参加支援員", width=14),
                    Column("多機関協働の事例", width=10),
                    Column("開始日", DATE),
                    Column("支援決定前の関わり", width=10),
                    Column("プラン外で行う理由", LONG, 24),
                    Column("本人の目標", LONG, 36),
                    Column("取り組むこと・役割分担", LONG, 36),
                    Column("終結日", DATE),
                    Column("本人の受け止め", LONG, 30),
                    Column("終結についての記録", LONG, 24),
                    Column("次のつながりの確認", DATE),
                    Column("つながりの維持の終了日", DATE),
                ),
                rows=record_rows,
            ),
            Table(
                "マッチング",
                (
                    Column("記録", width=8),
                    Column("社会資源", width=24),
                    Column("状況", width=10),
                    Column("提案日", DATE),
                    Column("参加開始日", DATE),
                    Column("定着の確認日", DATE),
                    Column("終了・中止の日", DATE),
                    Column("終了・中止の理由", LONG, 24),
                    Column("メモ", LONG, 30),
                ),
                rows=match_rows,
            ),
            Table(
                "フォローアップ",
                (
                    Column("記録", width=8),
                    Column("社会資源", width=24),
                    Column("相手", width=10),
                    Column("実施日", DATE),
                    Column("様子・話したこと", LONG, 50),
                    Column("支援チームに伝えたい心配ごと", width=10),
                ),
                rows=follow_up_rows,
            ),
            Table(
                "つながりの維持",
                (Column("記録", width=8), Column("実施日", DATE), Column("様子", LONG, 60)),
                rows=touch_rows,
            ),
        ],
        count=len(ids),
    )


# ---------------------------------------------------------------------------- 見守り


def _watches(subject: Subject) -> Part:
    watches = (
        Watch.objects.filter(person=subject.person)
        .select_related("agency", "area")
        .prefetch_related(Prefetch("watchers", queryset=Watcher.objects.order_by("id")))
        .order_by("starts_on", "id")
    )
    ids = list(Watch.objects.filter(person=subject.person).values_list("pk", flat=True))

    def watch_rows():
        for watch in each(watches):
            watchers = "、".join(
                f"{w.name}（{w.get_kind_display()}）" for w in watch.watchers.all()
            )
            yield (
                str(watch.pk),
                watch.agency.name,
                watch.address,
                watch.reason,
                watch.get_frequency_display(),
                watch.starts_on,
                watch.until_on,
                watch.last_check_on,
                watch.next_check_on,
                watch.ended_on,
                watch.end_reason,
                watchers,
            )

    checks = (
        SafetyCheck.objects.filter(watch_id__in=ids)
        .select_related("watcher")
        .order_by("watch_id", "checked_on", "id")
    )

    def check_rows():
        for check in each(checks):
            who = check.watcher.name if check.watcher else check.checked_by_name
            yield (
                f"#{check.watch_id}",
                check.checked_on,
                who,
                check.get_outcome_display(),
                check.note,
            )

    escalations = Escalation.objects.filter(watch_id__in=ids).order_by("watch_id", "at", "id")

    def escalation_rows():
        for escalation in each(escalations):
            where = joined(
                (
                    f"相談 #{escalation.consultation_id}" if escalation.consultation_id else "",
                    f"アウトリーチ #{escalation.outreach_record_id}"
                    if escalation.outreach_record_id
                    else "",
                )
            )
            yield f"#{escalation.watch_id}", escalation.at, where, escalation.reason

    reports = (
        CommunityReport.objects.filter(person=subject.person)
        .select_related("agency")
        .order_by("received_at", "id")
    )

    def report_rows():
        for report in each(reports):
            yield (
                str(report.pk),
                report.received_at,
                report.agency.name,
                report.get_origin_display(),
                report.noticed_on,
                report.place,
                report.what,
                report.get_triage_display() if report.triage else "未振り分け",
                report.no_action_reason,
            )

    return Part(
        "watches",
        "見守り",
        "見守り・安否確認・気づき",
        [
            Table(
                "見守り",
                (
                    Column("番号", width=8),
                    Column("見守りを担う機関", width=22),
                    Column("住所・目印", LONG, 24),
                    Column("見守りの理由", LONG, 36),
                    Column("確認の頻度", width=10),
                    Column("開始日", DATE),
                    Column("終了予定日", DATE),
                    Column("最後の確認日", DATE),
                    Column("次の確認日", DATE),
                    Column("終了日", DATE),
                    Column("終了の理由", LONG, 20),
                    Column("見守る人・機関", LONG, 36),
                ),
                rows=watch_rows,
            ),
            Table(
                "安否確認",
                (
                    Column("見守り", width=8),
                    Column("確認日", DATE),
                    Column("確認した人・機関", width=20),
                    Column("結果", width=10),
                    Column("様子・記録", LONG, 50),
                ),
                rows=check_rows,
            ),
            Table(
                "見守りからのつなぎ",
                (
                    Column("見守り", width=8),
                    Column("日時", MOMENT),
                    Column("つないだ先", width=20),
                    Column("つないだ理由", LONG, 50),
                ),
                rows=escalation_rows,
            ),
            Table(
                "気づき・通報",
                (
                    Column("番号", width=8),
                    Column("受付日時", MOMENT),
                    Column("受け付けた機関", width=22),
                    Column("通報者の種類", width=14),
                    Column("気づいた日", DATE),
                    Column("場所", width=20),
                    Column("気づいたこと", LONG, 50),
                    Column("振り分け", width=16),
                    Column("対応しない理由", LONG, 24),
                ),
                rows=report_rows,
                note="通報者の氏名・連絡先は、第三者の情報のため載せていません。",
            ),
        ],
        count=len(ids) + reports.count(),
    )


# ---------------------------------------------------------------------------- 閲覧の根拠


def _grants(subject: Subject) -> Part:
    access = person_access(user=subject.user, person=subject.person)
    rows = access.rows if access is not None else []
    columns = (
        Column("機関", width=28),
        Column("対象", width=24),
        Column("根拠", width=30),
        Column("開始", MOMENT),
        Column("終了", MOMENT),
    )

    def table_rows(current: bool):
        def rows_of():
            for row in rows:
                if row.is_current == current:
                    yield (
                        row.agency_name,
                        row.subject,
                        row.basis_label,
                        row.valid_from,
                        row.valid_until if row.valid_until else "現在も",
                    )

        return rows_of

    return Part(
        "grants",
        "閲覧の根拠",
        "誰がこの方の情報を見られるか、その根拠",
        [
            Table("現在の根拠", columns, rows=table_rows(True)),
            Table("終わった根拠（閲覧できた期間）", columns, rows=table_rows(False)),
        ],
        count=len(rows),
        note=(
            "対象が世帯・事例の行は、この方が世帯員である（あった）世帯、この方が本人である"
            "多機関協働の事例の記録を見られる根拠です。自治体の事務局は事業全体を所管するため、"
            "この表の根拠によらず、すべての方の情報を見られます。"
        ),
    )


# ---------------------------------------------------------------------------- 閲覧・変更の履歴

VIA_LABELS = {"web": "画面", "api": "API", "admin": "管理画面", "cli": "コマンド"}
#: The longest text of a context or changes cell (an Excel cell holds 32,767 characters).
DETAIL_LIMIT = 4000
#: The events the PDF lists (newest first); the workbook lists them all.
PDF_EVENT_LIMIT = 3000


def _detail(value) -> str:
    if not value:
        return ""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= DETAIL_LIMIT else text[: DETAIL_LIMIT - 1] + "…"


def _target_labels(events: Sequence[AuditEvent]) -> dict[tuple[str, str], str]:
    """``{(target_type, target_id): label}``: the kind and number of each target, a record of
    a case named by its case (``事例 #3 のアセスメント（#5）``)."""
    ids_by_type: dict[str, set[str]] = {}
    for event in events:
        if event.target_type and event.target_id:
            ids_by_type.setdefault(event.target_type, set()).add(event.target_id)
    labels: dict[tuple[str, str], str] = {}
    for target_type, ids in ids_by_type.items():
        kind = kind_label(target_type)
        for target_id in ids:
            labels[(target_type, target_id)] = f"{kind} #{target_id}"
        model = _model(target_type)
        numbers = [int(i) for i in ids if i.isdigit()]
        if model is None or not numbers or target_type == "cases.case":
            continue
        try:
            case_field = model._meta.get_field("case")
        except FieldDoesNotExist:
            continue
        if not case_field.concrete:  # a reverse relation (a referral's case) names no case
            continue
        rows = model._default_manager.filter(pk__in=numbers).values_list("pk", "case_id")
        for pk, case_id in rows:
            if case_id is not None:
                labels[(target_type, str(pk))] = f"事例 #{case_id} の{kind}（#{pk}）"
    return labels


def _model(target_type: str):
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


def history_events(person: Person):
    """Every audit event linked to ``person``, newest first."""
    return (
        AuditEvent.objects.filter(person_links__person_id=person.pk)
        .select_related("actor", "acting_agency")
        .order_by("-occurred_at", "-id")
    )


def _history(subject: Subject) -> Part:
    person = subject.person
    households = {
        str(pk): label
        for pk, label in Household.objects.filter(pk__in=subject.household_ids).values_list(
            "pk", "label"
        )
    }
    queryset = history_events(person)

    def label_of(event, labels) -> str:
        if not event.target_type:
            return ""
        if event.target_type == "people.person":
            if event.target_id == str(person.pk):
                return f"この方（本人 #{person.pk}）"
            return f"別の方（本人 #{event.target_id}）"
        if event.target_type == "people.household":
            if event.target_id in households:
                return f"{households[event.target_id]}（世帯 #{event.target_id}）"
            return f"世帯 #{event.target_id}"
        key = (event.target_type, event.target_id)
        return labels.get(key) or f"{kind_label(event.target_type)} #{event.target_id}"

    def rows():
        batch: list[AuditEvent] = []

        def flush():
            labels = _target_labels(batch)
            for event in batch:
                yield (
                    event.occurred_at,
                    name_of(event.actor) or event.actor_username,
                    event.actor_username,
                    agency_name(event.acting_agency),
                    role_label(event.acting_role),
                    action_label(event.action),
                    label_of(event, labels),
                    event.purpose,
                    _detail(event.context),
                    _detail(event.changes),
                    VIA_LABELS.get(event.via, event.via),
                    event.action,
                    str(event.seq),
                )

        for event in each(queryset):
            batch.append(event)
            if len(batch) >= CHUNK:
                yield from flush()
                batch = []
        if batch:
            yield from flush()

    def pdf_row(row: Sequence) -> Sequence:
        who = joined((row[1], "・".join(v for v in (row[3], row[4]) if v)))
        what = joined((row[5], row[6]))
        why = joined((row[7], row[8][:300] + ("…" if len(row[8]) > 300 else "")))
        return row[0], who, what, why

    return Part(
        "history",
        "閲覧・変更の履歴",
        "閲覧・変更の履歴（新しい順）",
        [
            Table(
                "閲覧・変更の履歴",
                (
                    Column("日時", MOMENT),
                    Column("操作者", width=16),
                    Column("操作者ID", width=14),
                    Column("所属機関", width=24),
                    Column("役割", width=20),
                    Column("操作", width=28),
                    Column("対象", width=28),
                    Column("目的", width=24),
                    Column("文脈", LONG, 40),
                    Column("変更内容", LONG, 40),
                    Column("経路", width=8),
                    Column("操作の記号", width=24),
                    Column("連番", width=10),
                ),
                rows=rows,
                pdf_columns=(
                    Column("日時", MOMENT),
                    Column("操作者・所属機関・役割", LONG),
                    Column("操作・対象", LONG),
                    Column("目的・文脈", LONG),
                ),
                pdf_row=pdf_row,
                pdf_limit=PDF_EVENT_LIMIT,
            )
        ],
        count=queryset.count(),
        note=(
            "この方に関わる記録の閲覧と変更を、監査ログから新しい順にすべて載せています"
            "（操作者・操作時の所属機関と役割・操作・対象・目的・文脈）。"
        ),
    )


# ---------------------------------------------------------------------------- the answer

BUILDERS: tuple[Callable[[Subject], Part], ...] = (
    _person,
    _households,
    _consultations,
    _referrals,
    _cases,
    _consents,
    _plans,
    _activities,
    _meetings,
    _outreach,
    _participation,
    _watches,
    _grants,
    _history,
)


def parts(subject: Subject) -> list[Part]:
    """Every part, in the order of the workbook's sheets (counts read, rows not yet)."""
    return [build(subject) for build in BUILDERS]


def may_answer(user) -> bool:
    """Only the program office answers a disclosure request."""
    return acting(user).is_office
