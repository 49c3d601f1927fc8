"""The statistics over the API: ``GET /api/v1/reports/statistics`` answers the same figures as
the page and the workbook (one computation). A cell is a number, or the text 「3未満」 where it
is hidden from the caller (outside the office), or null for a duration with no record.

Staff who work with persons read their own agency's figures (``agency`` another agency: 422);
the office reads any agency's or the whole municipality's. A reversed range, a range over ten
years, an unknown 年度 or an unknown agency or 圏域: 422 with the field and a Japanese message.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from ninja import Query, Router, Schema

from tsunagu.api.permissions import require_perm
from tsunagu.api.schemas import ErrorOut, InvalidOut

from ..statistics import period as periods
from ..statistics import report, scope_for
from ..statistics.engine import cell_value, threshold
from ..statistics.sections import section as find_section

router = Router()


class StatisticsQuery(Schema):
    year: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    agency: int | None = None
    area: int | None = None
    section: str = ""


class RowOut(Schema):
    label: str
    kind: str
    indent: int
    cells: list[int | float | str | None]
    total: int | float | str | None


class TableOut(Schema):
    key: str
    title: str
    definition: str
    rows: list[RowOut]


class SectionOut(Schema):
    key: str
    title: str
    tables: list[TableOut]


class StatisticsOut(Schema):
    municipality: str
    fiscal_year: int | None
    period_label: str
    start: datetime.date
    end: datetime.date
    months: list[str]
    agency_id: int | None
    area_id: int | None
    scope_label: str
    small_counts_hidden: bool
    threshold: int
    made_at: datetime.datetime
    sections: list[SectionOut]


def as_json(result) -> dict:
    scope = result.scope

    def row_out(row) -> dict:
        samples = row.samples or [None] * len(row.cells)
        return {
            "label": row.label,
            "kind": row.kind,
            "indent": row.indent,
            "cells": [
                cell_value(v, kind=row.kind, samples=n, scope=scope)
                for v, n in zip(row.cells, samples, strict=True)
            ],
            "total": cell_value(
                row.total, kind=row.kind, samples=row.total_samples or None, scope=scope
            ),
        }

    return {
        "municipality": result.municipality,
        "fiscal_year": result.period.fiscal_year,
        "period_label": result.period.label,
        "start": result.period.start,
        "end": result.period.end,
        "months": result.period.month_labels,
        "agency_id": scope.agency_id,
        "area_id": scope.area_id,
        "scope_label": result.scope_label,
        "small_counts_hidden": scope.protect,
        "threshold": threshold(),
        "made_at": result.made_at,
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "tables": [
                    {
                        "key": t.key,
                        "title": t.title,
                        "definition": t.definition,
                        "rows": [row_out(r) for r in t.rows],
                    }
                    for t in s.tables
                ],
            }
            for s in result.sections
        ],
    }


@router.get(
    "/statistics",
    response={200: StatisticsOut, 401: ErrorOut, 403: ErrorOut, 422: InvalidOut},
    summary="年度別実施状況（統計）",
)
def statistics(request, query: Query[StatisticsQuery]):
    require_perm(request, "reports.view")
    if query.section and find_section(query.section) is None:
        raise ValidationError({"section": f"「{query.section}」という事業の統計はありません"})
    period = periods.parse(query.year, query.date_from, query.date_to)
    scope = scope_for(request.user, agency_id=query.agency, area_id=query.area)
    return as_json(report(period, scope, only=query.section))
