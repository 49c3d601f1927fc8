"""The worker's list as a file an office opens in Excel: .xlsx, or CSV with a BOM (Excel reads
UTF-8 CSV correctly only with it). Every record the filters find, read a chunk at a time with
each chunk's matches in one query. Text is always text: a value beginning with ``=`` is no
formula."""

from __future__ import annotations

from tsunagu.common import spreadsheet
from tsunagu.common.spreadsheet import chunks
from tsunagu.common.wareki import format_wareki

from .models import ACTIVE_MATCH, Match

TITLE = "参加支援の一覧"
HEADER = (
    "番号",
    "本人",
    "フリガナ",
    "参加支援事業者",
    "担当",
    "開始日",
    "多機関協働",
    "本人の目標",
    "進行中のマッチング",
    "マッチングの数",
    "終結日",
    "次のつながりの確認",
)
WIDTHS = (7, 16, 18, 24, 14, 16, 16, 40, 40, 8, 16, 16)


def _day(value) -> str:
    return format_wareki(value) if value else ""


def _plan(record) -> str:
    if record.case_id:
        text = f"事例 #{record.case_id}"
    elif record.outside_plan_reason:
        text = "プラン外"
    else:
        text = ""
    if record.is_early:
        text = f"{text}（支援決定前の関わり）" if text else "支援決定前の関わり"
    return text


def with_matches(records: list) -> list:
    """Set ``export_matches`` on each record: its matches with their resources (one query)."""
    found: dict[int, list[Match]] = {r.pk: [] for r in records}
    if found:
        for match in (
            Match.objects.filter(record_id__in=list(found))
            .select_related("resource")
            .order_by("record_id", "-proposed_on", "-id")
        ):
            found[match.record_id].append(match)
    for record in records:
        record.export_matches = found[record.pk]
    return records


def rows(records):
    """One row per record of the queryset ``records``."""
    for batch in chunks(records, spreadsheet.CHUNK):
        yield from _record_rows(with_matches(batch))


def _record_rows(records):
    for r in records:
        matches = getattr(r, "export_matches", [])
        active = [m for m in matches if m.status in ACTIVE_MATCH]
        yield [
            r.pk,
            r.person.name,
            r.person.name_kana,
            r.agency.name,
            r.worker.display_name or r.worker.get_username(),
            _day(r.started_on),
            _plan(r),
            r.goals,
            "、".join(f"{m.resource.name}（{m.get_status_display()}）" for m in active),
            len(matches),
            _day(r.closed_on),
            _day(r.next_keep_in_touch_on),
        ]
