"""The CSV imports' list and the merges' history as files for Excel, each moment in ISO and in
和暦."""

from __future__ import annotations

from tsunagu.common.spreadsheet import chunks, dated, moment_cells

from .models import ImportStatus
from .selectors import imports as import_selectors

IMPORTS = "CSV取込一覧"
IMPORT_HEADER = (
    "取込番号",
    *dated("取込日時"),
    "取込元システム",
    "ファイル名",
    "機関",
    "職員",
    "行数",
    "状態",
    "新規登録（候補なし）",
    "既存の本人と一致",
    "新規登録（名寄せ確認待ち）",
    *dated("完了日時"),
)
IMPORT_WIDTHS = (8, 18, 20, 20, 30, 24, 14, 8, 12, 12, 12, 14, 18, 20)


def import_rows(batches):
    for batch in chunks(batches):
        results = import_selectors.import_results(
            [b.pk for b in batch if b.status == ImportStatus.DONE]
        )
        for b in batch:
            result = results.get(b.pk)
            yield [
                b.pk,
                *moment_cells(b.created_at),
                b.source_label,
                b.original_filename,
                b.agency.name,
                str(b.uploaded_by),
                b.row_count,
                b.get_status_display(),
                result.created if result else "",
                result.matched if result else "",
                result.queued if result else "",
                *moment_cells(b.finished_at),
            ]


MERGES = "名寄せ統合の履歴"
MERGE_HEADER = (
    "統合番号",
    *dated("統合日時"),
    "残した記録の本人ID",
    "残した記録",
    "残した記録の登録機関",
    "統合された記録の本人ID",
    "統合された記録",
    "統合された記録の登録機関",
    "理由",
    "統合者",
    "状態",
    *dated("元に戻した日時"),
    "元に戻した職員",
    "元に戻した理由",
)
MERGE_WIDTHS = (8, 18, 20, 10, 16, 24, 10, 16, 24, 40, 14, 12, 18, 20, 14, 40)


def _agency(person) -> str:
    agency = person.registered_by_agency
    return agency.name if agency else ""


def merge_rows(merges):
    for m in merges.iterator(chunk_size=2000):
        yield [
            m.pk,
            *moment_cells(m.merged_at),
            m.survivor_id,
            m.survivor.name,
            _agency(m.survivor),
            m.merged_id,
            m.merged.name,
            _agency(m.merged),
            m.reason,
            "自動統合" if m.is_automatic else str(m.merged_by or ""),
            "元に戻し済み" if m.unmerged_at else "統合中",
            *moment_cells(m.unmerged_at),
            str(m.unmerged_by) if m.unmerged_by_id else "",
            m.unmerge_reason,
        ]
