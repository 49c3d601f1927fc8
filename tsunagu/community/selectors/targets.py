"""The yearly targets beside their actuals, computed from the records (never typed in).

An :class:`~tsunagu.community.models.Indicator` names a measure of the records and its
filters; :func:`board` reads each source of a 年度 once, grouped by area and month (and kind)
in the database — activities by the 年度 and month kept on each row, dated records by the day —
and derives every indicator and the areas under each target's area from those groups in
Python. The progress expected by now is the target times the share of the year gone.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from tsunagu.accounts.models import Area
from tsunagu.common.fiscal import fiscal_year, fiscal_year_range
from tsunagu.resources.models import GapStatus, Resource, ResourceGapEvent

from ..models import (
    Activity,
    ActivityConsultation,
    AttributeCount,
    Evaluation,
    Indicator,
    Measure,
    SafetyCheck,
    Target,
    Watch,
)

#: the months of a 年度, April first
MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


def _bounds(year: int) -> tuple[datetime.datetime, datetime.datetime, datetime.date, datetime.date]:
    first, last = fiscal_year_range(year)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min)
    )
    return start, end, first, last


def _month_key(value) -> int:
    """The month number of a truncated date or datetime (local time)."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return value.month


def _grouped(qs, *, area: str, month: str, value) -> dict[tuple[int | None, int], int]:
    """``{(area_id, month): value}`` from one aggregated query, by local month of ``month``
    (a datetime column: a small table only — the function runs per row on SQLite)."""
    rows = (
        qs.annotate(_month=TruncMonth(month))
        .values(area, "_month")
        .annotate(_value=value)
        .values_list(area, "_month", "_value")
    )
    out: dict[tuple[int | None, int], int] = defaultdict(int)
    for area_id, month_value, amount in rows:
        if month_value is None:
            continue
        out[(area_id, _month_key(month_value))] += int(amount or 0)
    return out


def _by_day(qs, *, area: str, day: str, value) -> dict[tuple[int | None, int], int]:
    """``{(area_id, month): value}`` grouping by a date column itself (no function per row;
    at most one group per area and day), summed into months here."""
    out: dict[tuple[int | None, int], int] = defaultdict(int)
    for area_id, on, amount in (
        qs.values(area, day).annotate(_value=value).values_list(area, day, "_value")
    ):
        out[(area_id, on.month)] += int(amount or 0)
    return out


class Facts:
    """What a 年度's records say, each source read once (in one aggregated query) and shared
    by every indicator that counts it."""

    ACTIVITY_SUMS = ("participants", "children", "youth", "working_age", "elderly")

    def __init__(self, year: int):
        self.year = year
        self.start, self.end, self.first, self.last = _bounds(year)
        self._cache: dict[str, object] = {}

    def _once(self, key: str, compute):
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def activities(self) -> list[dict]:
        """Activities of the year by area, month and kind: the count and every sum."""
        return self._once(
            "activities",
            lambda: list(
                Activity.objects.filter(fiscal_year=self.year)
                .values("area_id", "month", "kind_id")
                .annotate(
                    n=Count("id"),
                    new_connections=Sum("new_connections"),
                    **{name: Sum(name) for name in self.ACTIVITY_SUMS},
                )
                .order_by()
            ),
        )

    def attributes(self) -> list[dict]:
        return self._once(
            "attributes",
            lambda: list(
                AttributeCount.objects.filter(activity__fiscal_year=self.year)
                .values("attribute_id", "activity__area_id", "activity__month", "activity__kind_id")
                .annotate(n=Sum("count"))
                .order_by()
            ),
        )

    def consultations(self) -> list[dict]:
        return self._once(
            "consultations",
            lambda: list(
                ActivityConsultation.objects.filter(activity__fiscal_year=self.year)
                .values("activity__area_id", "activity__month", "activity__kind_id")
                .annotate(n=Count("id"))
                .order_by()
            ),
        )


def measure_counts(
    indicator: Indicator, year: int, facts: Facts | None = None
) -> dict[tuple[int | None, int], int]:
    """What an indicator counts in a 年度, by (area id, month)."""
    facts = facts or Facts(year)
    m = indicator.measure
    kind = indicator.activity_kind_id
    out: dict[tuple[int | None, int], int] = defaultdict(int)
    if m in (Measure.ACTIVITIES, Measure.PARTICIPANTS, Measure.NEW_CONNECTIONS):
        column = {
            Measure.ACTIVITIES: "n",
            Measure.PARTICIPANTS: indicator.generation or "participants",
            Measure.NEW_CONNECTIONS: "new_connections",
        }[m]
        for row in facts.activities():
            if kind is None or row["kind_id"] == kind:
                out[(row["area_id"], row["month"])] += int(row[column] or 0)
        return out
    if m == Measure.ATTRIBUTE_PARTICIPANTS:
        for row in facts.attributes():
            if row["attribute_id"] == indicator.attribute_id and (
                kind is None or row["activity__kind_id"] == kind
            ):
                out[(row["activity__area_id"], row["activity__month"])] += int(row["n"] or 0)
        return out
    if m == Measure.CONSULTATIONS_RAISED:
        for row in facts.consultations():
            if kind is None or row["activity__kind_id"] == kind:
                out[(row["activity__area_id"], row["activity__month"])] += int(row["n"])
        return out
    start, end, first, last = facts.start, facts.end, facts.first, facts.last
    if m == Measure.PLACES_CREATED:
        made = Resource.objects.filter(created_at__gte=start, created_at__lt=end)
        return _grouped(made, area="area_id", month="created_at", value=Count("id"))
    if m == Measure.GAPS_DEVELOPED:
        events = ResourceGapEvent.objects.filter(
            status=GapStatus.DEVELOPED, at__gte=start, at__lt=end
        )
        return _grouped(
            events, area="gap__area_id", month="at", value=Count("gap_id", distinct=True)
        )
    if m == Measure.WATCHES_STARTED:
        started = Watch.objects.filter(starts_on__gte=first, starts_on__lte=last)
        return _by_day(started, area="area_id", day="starts_on", value=Count("id"))
    if m == Measure.SAFETY_CHECKS:
        checks = SafetyCheck.objects.filter(checked_on__gte=first, checked_on__lte=last)
        return _by_day(checks, area="watch__area_id", day="checked_on", value=Count("id"))
    return out


def _subtrees() -> dict[int, set[int]]:
    """Each area with every area under it."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in Area.objects.values_list("pk", "parent_id"):
        children[parent].append(pk)
    out: dict[int, set[int]] = {}

    def walk(pk: int) -> set[int]:
        if pk not in out:
            found = {pk}
            for child in children.get(pk, []):
                found |= walk(child)
            out[pk] = found
        return out[pk]

    for pk in [p for kids in children.values() for p in kids]:
        walk(pk)
    return out


@dataclass
class Row:
    indicator: Indicator
    target: Target | None
    actual: int
    by_month: list[int | None] = field(default_factory=list)
    expected: float | None = None  # the share of the target due by now

    @property
    def value(self) -> int | None:
        return self.target.value if self.target else None

    @property
    def achieved(self) -> float | None:
        """Actual over target, as a percentage (None without a target or for a target of 0)."""
        if not self.target or not self.target.value:
            return None
        return round(100 * self.actual / self.target.value, 1)

    @property
    def on_track(self) -> bool | None:
        if self.expected is None:
            return None
        return self.actual >= self.expected


def year_share(year: int, today: datetime.date | None = None) -> float:
    """The share of the 年度 gone by ``today`` (0 before it, 1 after it)."""
    today = today or timezone.localdate()
    first, last = fiscal_year_range(year)
    if today < first:
        return 0.0
    if today > last:
        return 1.0
    return ((today - first).days + 1) / ((last - first).days + 1)


def board(year: int, area: Area | None = None, *, today: datetime.date | None = None) -> list[Row]:
    """Every active indicator (and any other with a target this year) with its target for the
    年度 and area (city-wide when ``area`` is None), the actual to date and month by month."""
    today = today or timezone.localdate()
    targets = {
        t.indicator_id: t
        for t in Target.objects.filter(fiscal_year=year, area=area).select_related("set_by")
    }
    indicators = list(
        Indicator.objects.filter(is_active=True).select_related("activity_kind", "attribute")
    )
    known = {i.pk for i in indicators}
    indicators += list(
        Indicator.objects.filter(pk__in=set(targets) - known).select_related(
            "activity_kind", "attribute"
        )
    )
    inside = _subtrees().get(area.pk, {area.pk}) if area is not None else None
    share = year_share(year, today)
    first_day, _ = fiscal_year_range(year)
    begun = {
        m for m in MONTHS if datetime.date(first_day.year + (1 if m < 4 else 0), m, 1) <= today
    }
    facts = Facts(year)
    rows = []
    for indicator in indicators:
        counts = measure_counts(indicator, year, facts)
        by_month = dict.fromkeys(MONTHS, 0)
        for (area_id, month), amount in counts.items():
            if inside is None or area_id in inside:
                by_month[month] += amount
        target = targets.get(indicator.pk)
        actual = sum(by_month.values())
        rows.append(
            Row(
                indicator=indicator,
                target=target,
                actual=actual,
                # a month that has not begun is blank, not 0
                by_month=[by_month[m] if m in begun else None for m in MONTHS],
                expected=round(target.value * share, 1) if target else None,
            )
        )
    return rows


def evaluation(year: int, area: Area | None = None) -> Evaluation | None:
    return (
        Evaluation.objects.filter(fiscal_year=year, area=area).select_related("written_by").first()
    )


def current_year() -> int:
    return fiscal_year(timezone.localdate())


def years_with_data() -> list[int]:
    """The 年度 to offer: from the first with a target or an activity to next year."""
    now = current_year()
    first = Target.objects.order_by("fiscal_year").values_list("fiscal_year", flat=True).first()
    oldest = Activity.objects.order_by("starts_at").values_list("starts_at", flat=True).first()
    years = [now]
    if first:
        years.append(first)
    if oldest:
        years.append(fiscal_year(timezone.localdate(oldest)))
    return list(range(now + 1, min(years) - 1, -1))
