"""The caseload and a record's contacts as files an office opens in Excel: .xlsx, or CSV
with a BOM (Excel reads UTF-8 CSV correctly only with it). Every row the filters find, read a
chunk at a time. Text is always text: a label beginning with ``=`` is no formula."""

from __future__ import annotations

from tsunagu.common import spreadsheet
from tsunagu.common.spreadsheet import chunks
from tsunagu.common.wareki import format_wareki

from . import selectors

TITLE = "アウトリーチ担当一覧"

HEADER = (
    "番号",
    "緊急",
    "呼び名",
    "本人",
    "実施機関",
    "担当職員",
    "段階",
    "同意",
    "開始日",
    "初回面会日",
    "最後の接触日",
    "接触からの日数",
    "次の予定",
    "次の予定日",
    "注意",
    "終了日",
)


def _day(value) -> str:
    return format_wareki(value) if value else ""


WIDTHS = (7, 6, 24, 16, 24, 14, 12, 8, 16, 16, 16, 8, 28, 16, 16, 16)


def rows(records):
    """One row per record of the queryset ``records``, with the days since the last contact
    and the flags of the caseload page."""
    for batch in chunks(records, spreadsheet.CHUNK):
        yield from _record_rows(selectors.with_rows(batch))


def _record_rows(records):
    for r in records:
        flags = []
        if r.overdue:
            flags.append("予定日超過")
        if r.silent:
            flags.append("長く接触なし")
        yield [
            r.pk,
            "緊急" if r.is_urgent else "",
            r.label,
            r.person.name if r.person_id else "（未特定）",
            r.agency.name,
            str(r.assigned_to) if r.assigned_to_id else "",
            r.get_stage_display(),
            r.consent_label,
            _day(r.began_on),
            _day(r.first_met_on),
            _day(r.last_contact_on),
            r.days_since_contact,
            r.next_action,
            _day(r.next_action_on),
            "・".join(flags),
            _day(r.closed_on),
        ]


CONTACT_HEADER = (
    "実施日",
    "方法",
    "実施した職員",
    "内容・様子",
    "本人に届いた",
    "次の予定",
    "次の予定日",
    "記録した機関",
)


CONTACTS = "接触記録"
CONTACT_WIDTHS = (16, 20, 16, 60, 8, 28, 16, 24)


def contact_about(record) -> list[list[str]]:
    return [["対象", record.label], ["実施機関", record.agency.name]]


def contact_rows(contacts):
    """One row per contact of the queryset ``contacts``."""
    for c in contacts.iterator(chunk_size=spreadsheet.CHUNK):
        yield [
            _day(c.occurred_on),
            c.get_method_display(),
            c.staff,
            c.summary,
            "○" if c.reached_person else "",
            c.next_action,
            _day(c.next_action_on),
            c.agency.name,
        ]
