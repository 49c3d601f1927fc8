"""A search of the 社会資源 directory as a file to open in Excel: .xlsx, or CSV with a BOM
(Excel reads UTF-8 CSV correctly only with it). Every resource the search finds, read a chunk
at a time with each chunk's schedules. Text is always text: a name beginning with ``=`` is no
formula."""

from __future__ import annotations

from tsunagu.common import spreadsheet
from tsunagu.common.spreadsheet import chunks
from tsunagu.common.wareki import format_wareki

from . import selectors

TITLE = "社会資源"

HEADER = (
    "番号",
    "名称",
    "提供団体",
    "種類",
    "状態",
    "圏域",
    "所在地",
    "開いている日時",
    "対象の世代",
    "対象（属性）",
    "利用の条件",
    "定員",
    "いまの空き",
    "費用",
    "連絡先の担当者",
    "電話番号",
    "メールアドレス",
    "バリアフリー・配慮",
    "情報確認日",
    "再確認",
    "条件に合った理由",
)
WIDTHS = (7, 28, 24, 14, 9, 16, 28, 30, 16, 20, 28, 6, 9, 14, 14, 14, 24, 20, 16, 10, 36)


def rows(resources, criteria):
    """One line per resource of the search's queryset ``resources``, with why it matched."""
    for batch in chunks(selectors.with_related(resources), spreadsheet.CHUNK):
        yield from _rows(selectors.explain(batch, criteria))


def _rows(found):
    """One line per search result (:class:`~tsunagu.resources.selectors.Row`)."""
    for row in found:
        r = row.resource
        free = "" if r.places_free is None else ("満員" if r.is_full else r.places_free)
        yield [
            r.pk,
            r.name,
            r.organization.name,
            r.kind.name,
            r.get_status_display(),
            r.area.name if r.area_id else "",
            r.address,
            "\n".join(s.label for s in r.schedules.all()),
            "・".join(r.target_labels()),
            r.target_attributes,
            r.conditions,
            "" if r.capacity is None else r.capacity,
            free,
            r.cost,
            r.contact_name,
            r.phone,
            r.email,
            r.accessibility,
            format_wareki(r.confirmed_on),
            "要再確認" if row.stale else "",
            "・".join(row.reasons),
        ]
