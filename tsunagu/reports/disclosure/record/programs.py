"""アウトリーチ, 参加支援 and 見守り: the person's records in the other programs (the names
and contacts of informants and reporters left out)."""

from __future__ import annotations

from django.db.models import Prefetch

from tsunagu.community.models import CommunityReport, Escalation, SafetyCheck, Watch, Watcher
from tsunagu.outreach.models import OutreachContact, OutreachEvent, OutreachPlan, OutreachRecord
from tsunagu.participation.models import FollowUp, KeepInTouch, Match, ParticipationRecord

from .base import (
    DATE,
    LONG,
    MOMENT,
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

# ---------------------------------------------------------------------------- アウトリーチ


def outreach_part(subject: Subject) -> Part:
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


def participation_part(subject: Subject) -> Part:
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


def watches_part(subject: Subject) -> Part:
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
