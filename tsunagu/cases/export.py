"""The cases' list and a case's plans as files for Excel, with each date in ISO and in 和暦.
A person's or household's name appears only where the page shows it (to those who may see
that record)."""

from __future__ import annotations

from tsunagu.common.spreadsheet import chunks, dated, day_cells, moment_cells

from . import selectors

CASES = "多機関協働の事例一覧"
CASE_HEADER = (
    "事例番号",
    *dated("受付日"),
    "本人ID",
    "本人",
    "世帯",
    "状態",
    "緊急",
    "つなぎ元",
    "多機関協働事業者",
    "担当コーディネーター",
    "同意",
    *dated("終結日"),
)
CASE_WIDTHS = (8, 12, 16, 8, 16, 16, 20, 6, 24, 24, 16, 6, 12, 16)
HIDDEN = "（共有されていません）"


def case_rows(user, cases):
    for batch in chunks(cases):
        selectors.mark_subjects(user, batch)
        for case in batch:
            person = household = ""
            if case.person_id:
                person = case.person.name if case.person_visible else HIDDEN
            if case.household_id:
                household = case.household.label if case.household_visible else HIDDEN
            yield [
                case.pk,
                *day_cells(case.opened_on),
                case.person_id if case.person_id and case.person_visible else "",
                person,
                household,
                case.get_status_display(),
                "緊急" if case.is_urgent else "",
                case.referring_agency.name,
                case.coordinating_agency.name,
                str(case.coordinator),
                selectors.CONSENT_LABELS[selectors.consent_state(case)],
                *day_cells(case.closed_on),
            ]


PLANS = "支援プラン"
PLAN_HEADER = (
    "版",
    "種別",
    "状態",
    *dated("作成日時"),
    "作成者",
    *dated("会議で合意した日"),
    *dated("確定日"),
    "本人の目標",
    "支援方針",
    *dated("次回モニタリング予定日"),
    *dated("評価予定日"),
    "項目の順番",
    "課題",
    "支援内容",
    "担当機関",
    "担当者",
    "頻度",
    *dated("期間（開始）"),
    *dated("期間（終了）"),
    "法に基づく事業",
    "同意の共有先外",
)
PLAN_WIDTHS = (5, 10, 14, 18, 20, 14, 12, 16, 12, 16, 40, 40, 12, 16, 12, 16, 6, 24, 40, 24)


def plan_rows(versions):
    """One row per item of each version, newest version first (a version without items has
    one row)."""
    for plan in versions:
        head = [
            plan.version,
            plan.get_kind_display(),
            plan.get_status_display(),
            *moment_cells(plan.created_at),
            str(plan.created_by),
            *day_cells(plan.agreed_on),
            *day_cells(plan.confirmed_on),
            plan.goals,
            plan.policy,
            *day_cells(plan.next_monitoring_on),
            *day_cells(plan.evaluation_on),
        ]
        items = list(plan.items.all())
        if not items:
            yield head
            continue
        for item in items:
            yield [
                *head,
                item.order,
                item.issue,
                item.action,
                item.agency.name,
                item.worker,
                item.frequency,
                *day_cells(item.period_start),
                *day_cells(item.period_end),
                item.get_statutory_service_display() if item.statutory_service else "",
                "○" if getattr(item, "consent_warning", "") else "",
            ]
