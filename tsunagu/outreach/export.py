"""The caseload as a file an office opens in Excel: .xlsx, or CSV with a BOM (Excel reads
UTF-8 CSV correctly only with it). Text is always text: a label beginning with ``=`` is no
formula."""

from __future__ import annotations

from tsunagu.common.spreadsheet import csv_bytes, xlsx_bytes
from tsunagu.common.wareki import format_wareki

HEADER = (
    "番号",
    "緊急",
    "呼び名",
    "本人",
    "実施機関",
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


def rows(records) -> list[list]:
    out = []
    for r in records:
        flags = []
        if r.overdue:
            flags.append("予定日超過")
        if r.silent:
            flags.append("長く接触なし")
        out.append(
            [
                r.pk,
                "緊急" if r.is_urgent else "",
                r.label,
                r.person.name if r.person_id else "（未特定）",
                r.agency.name,
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
        )
    return out


def as_csv(records) -> bytes:
    return csv_bytes(HEADER, rows(records))


def as_xlsx(records) -> bytes:
    widths = (7, 6, 24, 16, 24, 12, 8, 16, 16, 16, 8, 28, 16, 16, 16)
    return xlsx_bytes("アウトリーチ担当一覧", HEADER, rows(records), widths=widths)


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


def contact_rows(contacts) -> list[list]:
    return [
        [
            _day(c.occurred_on),
            c.get_method_display(),
            c.staff,
            c.summary,
            "○" if c.reached_person else "",
            c.next_action,
            _day(c.next_action_on),
            c.agency.name,
        ]
        for c in contacts
    ]


def contacts_csv(record, contacts) -> bytes:
    return csv_bytes(CONTACT_HEADER, contact_rows(contacts))


def contacts_xlsx(record, contacts) -> bytes:
    return xlsx_bytes(
        "接触記録",
        CONTACT_HEADER,
        contact_rows(contacts),
        widths=(16, 20, 16, 60, 8, 28, 16, 24),
        about=[["対象", record.label], ["実施機関", record.agency.name]],
    )
