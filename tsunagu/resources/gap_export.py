"""The 不足する社会資源 register as a file to open in Excel: .xlsx, or CSV with a BOM. Text is
always text (a description beginning with ``=`` is no formula). Every gap the search finds,
read a chunk at a time with each chunk's counts. No personal data: the people waiting are a
count."""

from __future__ import annotations

from django.utils import timezone

from tsunagu.common import spreadsheet
from tsunagu.common.spreadsheet import chunks
from tsunagu.common.wareki import format_wareki

from . import gaps

TITLE = "不足する社会資源"

HEADER = (
    "番号",
    "登録日",
    "不足している社会資源・仕組み",
    "求められる資源の種類",
    "対象の世代",
    "対象（属性）",
    "圏域",
    "把握の経路",
    "状況",
    "待っている人数",
    "対応した社会資源",
)
WIDTHS = (7, 16, 50, 18, 16, 24, 16, 18, 10, 10, 28)


def rows(found):
    """One line per gap of the search's queryset ``found``, with how many people wait on it."""
    for batch in chunks(found, spreadsheet.CHUNK):
        for gap in gaps.with_people(batch):
            yield [
                gap.pk,
                format_wareki(timezone.localdate(gap.created_at)),
                gap.description,
                gap.kind.name if gap.kind_id else "",
                "・".join(gap.target_labels()),
                gap.target_attributes,
                gap.area.name if gap.area_id else "",
                gap.get_origin_display(),
                gap.get_status_display(),
                getattr(gap, "people", 0),
                gap.met_by.name if gap.met_by_id else "",
            ]
