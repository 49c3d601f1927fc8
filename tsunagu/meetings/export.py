"""The meetings' list as a file for Excel (no personal data: the meetings, not their agenda
items), the start in ISO and in 和暦."""

from __future__ import annotations

from tsunagu.common.spreadsheet import moment_cells

TITLE = "会議一覧"
HEADER = (
    "会議番号",
    "開催日時",
    "開催日時（和暦）",
    "会議名",
    "種類",
    "開催区分",
    "開催方法",
    "場所・接続先",
    "招集する機関",
    "定例会議の系列",
    "中止",
    "議題の数",
)
WIDTHS = (8, 18, 20, 36, 24, 10, 12, 24, 24, 20, 6, 8)


def rows(meetings):
    for m in meetings.iterator(chunk_size=2000):
        yield [
            m.pk,
            *moment_cells(m.starts_at),
            m.title,
            m.get_kind_display(),
            m.get_schedule_display(),
            m.get_format_display(),
            m.place,
            m.convening_agency.name,
            m.series,
            "中止" if m.is_cancelled else "",
            m.agenda_count,
        ]
