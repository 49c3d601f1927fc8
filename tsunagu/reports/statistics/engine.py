"""How a figure is counted: the pieces every program's section builds its tables from.

A table has one column per month of the period and a total. A row counts records of one kind
whose *deciding date* falls in the month (each row names that date in its definition), inside
the scope: the whole municipality, one agency, one 圏域. Counting is done by the database,
grouped by the local month (:class:`LocalMonth`) and, for a breakdown, by the dimension: one
query per row group, whatever the number of records.

The figures are kept as numbers here; small counts are hidden when rendered
(:func:`display`), so the screen, the API and the workbook hide the same cells.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import NotSupportedError, models
from django.db.models import Count, Q, Sum
from django.utils import timezone

from .period import Period

UNKNOWN = "不明"


def threshold() -> int:
    """Cells below this are shown as 「N未満」 outside the municipal office."""
    return int(settings.TSUNAGU.get("SMALL_COUNT_THRESHOLD", 3))


@dataclass(frozen=True)
class Scope:
    """Whose figures: ``agency_id`` None for the whole municipality; ``area_ids`` a 圏域 and the
    areas under it; ``protect`` hides small counts (the viewer is outside the office)."""

    agency_id: int | None = None
    area_id: int | None = None
    area_ids: frozenset[int] | None = None
    protect: bool = False

    def as_query(self) -> dict[str, str]:
        query = {"agency": str(self.agency_id)} if self.agency_id else {}
        if self.area_id:
            query["area"] = str(self.area_id)
        return query


@dataclass
class Row:
    label: str
    cells: list[float | int | None]
    total: float | int | None
    kind: str = "count"  # count (about persons) | plain (about no one) | days | target
    indent: int = 0
    links: list[str | None] = field(default_factory=list)
    total_link: str | None = None
    #: for a ``days`` row, how many records each cell was computed from
    samples: list[int] = field(default_factory=list)
    total_samples: int = 0


@dataclass
class Table:
    key: str
    title: str
    definition: str
    rows: list[Row]


@dataclass
class SectionResult:
    key: str
    title: str
    tables: list[Table]


Linker = Callable[[date, date], str | None]


# ------------------------------------------------------------------------------ scope


def scoped(
    qs: models.QuerySet,
    scope: Scope,
    *,
    agency: Sequence[str] = (),
    area: str | None = None,
) -> models.QuerySet:
    """``qs`` limited to the scope: records of the agency through any of the ``agency`` paths,
    and of the 圏域 through the ``area`` path."""
    if scope.agency_id is not None:
        if not agency:
            return qs.none()
        condition = Q()
        for path in agency:
            condition |= Q(**{path: scope.agency_id})
        qs = qs.filter(condition)
    if scope.area_ids is not None:
        if area is None:
            return qs.none()
        qs = qs.filter(**{f"{area}__in": scope.area_ids})
    return qs


def _field(model: type[models.Model], path: str) -> models.Field:
    parts = path.split("__")
    for part in parts[:-1]:
        model = model._meta.get_field(part).related_model
    return model._meta.get_field(parts[-1])


def in_period(qs: models.QuerySet, date_field: str, period: Period) -> models.QuerySet:
    """``qs`` whose ``date_field`` (a date or a date and time) falls in the period."""
    if isinstance(_field(qs.model, date_field), models.DateTimeField):
        start, end = period.bounds()
        return qs.filter(**{f"{date_field}__gte": start, f"{date_field}__lt": end})
    return qs.filter(**{f"{date_field}__gte": period.start, f"{date_field}__lte": period.end})


class LocalMonth(models.Func):
    """The local calendar month of a date or a date and time, as text ``YYYY-MM``, computed by
    the database's own functions (SQLite: ``substr`` / ``strftime`` with the zone's offset;
    PostgreSQL: ``to_char`` at the time zone). Django's ``TruncMonth`` would call a Python function
    for every row on SQLite, which a year of a city's consultations makes seconds long."""

    output_field = models.CharField()

    def __init__(self, expression: str, *, is_datetime: bool):
        super().__init__(models.F(expression))
        self.is_datetime = is_datetime

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        if not self.is_datetime:
            return f"substr({sql}, 1, 7)", params
        offset = timezone.localtime().utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset else 0
        return f"strftime('%%Y-%%m', {sql}, '{minutes:+d} minutes')", params

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        if not self.is_datetime:
            return f"to_char({sql}, 'YYYY-MM')", params
        zone = timezone.get_current_timezone_name()
        return f"to_char({sql} AT TIME ZONE %s, 'YYYY-MM')", (*params, zone)

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError("統計は SQLite と PostgreSQL で計算します")


class LocalDaysBetween(models.Func):
    """Calendar days from one moment to another, each taken as its local date, computed by the
    database (SQLite: ``julianday`` of ``date`` with the zone's offset; PostgreSQL: the
    difference of the dates at the time zone)."""

    output_field = models.IntegerField()

    def __init__(self, first: str, last: str):
        super().__init__(models.F(first), models.F(last))

    def as_sqlite(self, compiler, connection, **extra):
        first, first_params = compiler.compile(self.source_expressions[0])
        last, last_params = compiler.compile(self.source_expressions[1])
        offset = timezone.localtime().utcoffset()
        shift = f"'{int(offset.total_seconds() // 60) if offset else 0:+d} minutes'"
        sql = (
            f"CAST(julianday(date({last}, {shift})) - julianday(date({first}, {shift})) AS INTEGER)"
        )
        return sql, (*first_params, *last_params)

    def as_postgresql(self, compiler, connection, **extra):
        first, first_params = compiler.compile(self.source_expressions[0])
        last, last_params = compiler.compile(self.source_expressions[1])
        zone = timezone.get_current_timezone_name()
        sql = f"(({last} AT TIME ZONE %s)::date - ({first} AT TIME ZONE %s)::date)"
        return sql, (*last_params, zone, *first_params, zone)

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError("統計は SQLite と PostgreSQL で計算します")


def month_of(qs: models.QuerySet, date_field: str) -> LocalMonth:
    is_datetime = isinstance(_field(qs.model, date_field), models.DateTimeField)
    return LocalMonth(date_field, is_datetime=is_datetime)


def _month_key(value: date | str) -> date:
    """A month's first day from ``YYYY-MM`` (what :class:`LocalMonth` gives) or from a date."""
    if isinstance(value, str):
        return date(int(value[:4]), int(value[5:7]), 1)
    return value.replace(day=1)


# ------------------------------------------------------------------------------ counting


def links_for(period: Period, link: Linker | None) -> tuple[list[str | None], str | None]:
    if link is None:
        return [None] * len(period.months), None
    return (
        [link(*period.month_range(m)) for m in period.months],
        link(period.start, period.end),
    )


def count_row(
    label: str,
    qs: models.QuerySet,
    date_field: str,
    period: Period,
    *,
    distinct: str | None = None,
    total_of: str | None = None,
    link: Linker | None = None,
    indent: int = 0,
    kind: str = "count",
) -> Row:
    """One row: the records of ``qs`` by the month of ``date_field``. With ``distinct``, a
    record counted once per month and once in the total (e.g. cases discussed); with
    ``total_of``, the sum of that field instead of a count (e.g. participants). ``kind`` is
    ``count`` for records about persons (small counts hidden) or ``plain`` for figures that
    are about no one (activities held, meetings held)."""
    measure = _measure(distinct, total_of)
    row = Crosstab(qs, date_field, period, measures={"_n": measure}).row(
        label, link=link, indent=indent, kind=kind
    )
    if distinct:
        within = in_period(qs, date_field, period).order_by()
        row.total = within.aggregate(_n=measure)["_n"]
    return row


def breakdown_rows(
    qs: models.QuerySet,
    date_field: str,
    dimension: str,
    period: Period,
    *,
    labels: Mapping | Iterable[tuple] = (),
    link: Callable[[object], Linker | None] | None = None,
    distinct: str | None = None,
    keep_empty: bool = True,
    indent: int = 0,
    kind: str = "count",
) -> list[Row]:
    """Rows of ``qs`` by the value of ``dimension``, one per label in ``labels``' order (kept
    at 0 when ``keep_empty``), then any other value, then 「不明」 for none."""
    table = Crosstab(
        qs, date_field, period, {dimension: dimension}, measures={"_n": _measure(distinct, None)}
    )
    return table.rows(
        dimension, labels=labels, link=link, keep_empty=keep_empty, indent=indent, kind=kind
    )


def _measure(distinct: str | None, total_of: str | None) -> models.Aggregate:
    if total_of:
        return Sum(total_of)
    return Count(distinct, distinct=True) if distinct else Count("pk")


class Crosstab:
    """Several rows from one scan: the records of ``qs`` in the period counted (or ``measures``
    summed) by month and by every dimension at once, then added up in Python for each row.
    ``dimensions`` maps a name to a field path or an expression; ``month`` is ``date_field``'s
    local month, or, with ``month_columns`` (a 年度 and a month kept on the record, e.g. an
    activity's), those stored columns — no function per row at all. With no ``date_field`` the
    caller has limited ``qs`` to the period itself (e.g. by the stored 年度)."""

    def __init__(
        self,
        qs: models.QuerySet,
        date_field: str | None,
        period: Period,
        dimensions: Mapping[str, str | models.Expression] = (),
        *,
        measures: Mapping[str, models.Aggregate] | None = None,
        month_columns: tuple[str, str] | None = None,
    ):
        self.period = period
        dimensions = dict(dimensions)
        if date_field is not None:
            qs = in_period(qs, date_field, period)
        qs = qs.order_by()
        expressions = {k: v for k, v in dimensions.items() if not isinstance(v, str)}
        if expressions:
            qs = qs.annotate(**expressions)
        names = [k if not isinstance(v, str) else v for k, v in dimensions.items()]
        self.keys = list(dimensions)
        self.measures = dict(measures or {"_n": Count("pk")})
        if month_columns:
            month = list(month_columns)
        else:
            qs = qs.annotate(_m=month_of(qs, date_field))
            month = ["_m"]
        index = {m: n for n, m in enumerate(period.months)}
        self.cells: list[tuple[int, tuple, dict]] = []
        for entry in qs.values(*month, *names).annotate(**self.measures):
            if month_columns:
                year, number = entry[month_columns[0]], entry[month_columns[1]]
                key = date(year + (1 if number < 4 else 0), number, 1)
            else:
                key = _month_key(entry["_m"])
            position = index.get(key)
            if position is None:
                continue
            values = tuple(entry[name] for name in names)
            self.cells.append((position, values, {m: entry[m] or 0 for m in self.measures}))

    def only(self, where) -> Crosstab:
        """The same counts, of the groups ``where(values)`` keeps (no new scan)."""
        kept = object.__new__(Crosstab)
        kept.period, kept.keys, kept.measures = self.period, self.keys, self.measures
        kept.cells = [
            cell for cell in self.cells if where(dict(zip(self.keys, cell[1], strict=True)))
        ]
        return kept

    def pairs(self, dimension: str):
        """(the month, the value of ``dimension``) once for each record counted: what
        :func:`days_rows` reads for a duration grouped by the database."""
        at = self.keys.index(dimension)
        measure = next(iter(self.measures))
        for position, values, amounts in self.cells:
            if values[at] is not None:
                for _ in range(amounts[measure]):
                    yield self.period.months[position], values[at]

    def _sum(self, where=None, measure: str | None = None) -> list[int]:
        measure = measure or next(iter(self.measures))
        out = [0] * len(self.period.months)
        for position, values, amounts in self.cells:
            if where is None or where(dict(zip(self.keys, values, strict=True))):
                out[position] += amounts[measure]
        return out

    def row(
        self,
        label: str,
        *,
        where=None,
        measure: str | None = None,
        link: Linker | None = None,
        indent: int = 0,
        kind: str = "count",
    ) -> Row:
        cells = self._sum(where, measure)
        links, total_link = links_for(self.period, link)
        return Row(
            label,
            list(cells),
            sum(cells),
            kind=kind,
            indent=indent,
            links=links,
            total_link=total_link,
        )

    def rows(
        self,
        dimension: str,
        *,
        labels: Mapping | Iterable[tuple] = (),
        link: Callable[[object], Linker | None] | None = None,
        keep_empty: bool = True,
        indent: int = 0,
        kind: str = "count",
        measure: str | None = None,
    ) -> list[Row]:
        """One row per value of ``dimension``, ordered as :func:`breakdown_rows` orders them."""
        labels = dict(labels)
        measure = measure or next(iter(self.measures))
        at = self.keys.index(dimension)
        counts: dict[object, list[int]] = {key: [0] * len(self.period.months) for key in labels}
        for position, values, amounts in self.cells:
            key = values[at]
            counts.setdefault(key, [0] * len(self.period.months))[position] += amounts[measure]
        return _ordered_rows(
            counts, labels, self.period, link=link, keep_empty=keep_empty, indent=indent, kind=kind
        )


def _ordered_rows(counts, labels, period, *, link, keep_empty, indent, kind) -> list[Row]:
    ordered = [k for k in labels if k in counts]
    ordered += sorted((k for k in counts if k not in labels and k is not None), key=str)
    if None in counts:
        ordered.append(None)
    rows = []
    for key in ordered:
        cells = counts[key]
        if not keep_empty and not any(cells):
            continue
        label = UNKNOWN if key is None else str(labels.get(key, key))
        links, total_link = links_for(period, link(key) if link else None)
        rows.append(
            Row(
                label,
                list(cells),
                sum(cells),
                kind=kind,
                indent=indent,
                links=links,
                total_link=total_link,
            )
        )
    return rows


def percentile(values: Sequence[float], p: float) -> float | None:
    """The nearest-rank ``p``-th percentile (p in 0..100) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return float(ordered[rank - 1])


def days_rows(pairs: Iterable[tuple[date, float]], period: Period, *, what: str) -> list[Row]:
    """The median and the 90th percentile of a duration in days, by the month of its deciding
    date: ``pairs`` is (deciding date, days)."""
    index = {m: n for n, m in enumerate(period.months)}
    by_month: list[list[float]] = [[] for _ in period.months]
    everything: list[float] = []
    for day, days in pairs:
        position = index.get(_month_key(day))
        if position is None:
            continue
        by_month[position].append(days)
        everything.append(days)
    rows = []
    for label, p in ((f"{what}（中央値・日）", 50), (f"{what}（90パーセンタイル・日）", 90)):
        rows.append(
            Row(
                label,
                [percentile(values, p) for values in by_month],
                percentile(everything, p),
                kind="days",
                links=[None] * len(period.months),
                samples=[len(values) for values in by_month],
                total_samples=len(everything),
            )
        )
    return rows


# ------------------------------------------------------------------------------ rendering


def hidden(value, *, kind: str = "count", samples: int | None = None, scope: Scope) -> bool:
    """Whether a cell is hidden from this viewer: a count from 1 to the threshold − 1, or a
    duration computed from fewer records than the threshold."""
    if not scope.protect or value is None or kind in ("plain", "target"):
        return False
    limit = threshold()
    if kind == "days":
        return samples is not None and 0 < samples < limit
    return 0 < value < limit


def display(value, *, kind: str = "count", samples: int | None = None, scope: Scope) -> str:
    """A cell as shown on screen and in the API's ``display``: 「3未満」 when hidden, 「－」 for
    a duration with no record, a number otherwise."""
    if hidden(value, kind=kind, samples=samples, scope=scope):
        return f"{threshold()}未満"
    if value is None:
        return "－"
    if kind == "days":
        return f"{value:.1f}".removesuffix(".0")
    return f"{int(value):,}"


def cell_value(value, *, kind: str = "count", samples: int | None = None, scope: Scope):
    """A cell for the API and the workbook: the number, or the 「3未満」 text when hidden."""
    if hidden(value, kind=kind, samples=samples, scope=scope):
        return f"{threshold()}未満"
    return value
