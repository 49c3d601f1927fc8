"""事例, 同意, 支援プラン, 支援経過 and 会議: the 多機関協働 cases about the person and what
hangs on them (an assessment section from an agency holding tax information withheld)."""

from __future__ import annotations

from django.db.models import Prefetch, Q

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
from tsunagu.meetings.models import AgendaItem

from .base import (
    DATE,
    LONG,
    MOMENT,
    TAX_WITHHELD,
    Column,
    Part,
    Subject,
    Table,
    agency_name,
    each,
    joined,
    name_of,
    yes,
)

# ---------------------------------------------------------------------------- 事例


def cases_part(subject: Subject) -> Part:
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
                    f"（「{TAX_WITHHELD}」と示します）。"
                ),
            ),
        ],
        count=len(subject.case_ids),
    )


# ---------------------------------------------------------------------------- 同意


def consents_part(subject: Subject) -> Part:
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


def plans_part(subject: Subject) -> Part:
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


def activities_part(subject: Subject) -> Part:
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


def meetings_part(subject: Subject) -> Part:
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
