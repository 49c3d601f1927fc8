"""The period a report covers: a 年度 (April–March) or any range of whole days, cut into
calendar months (the columns of every table)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from tsunagu.common.fiscal import (
    add_months,
    fiscal_year,
    fiscal_year_label,
    fiscal_year_range,
    parse_fiscal_year,
)
from tsunagu.common.wareki import WarekiError, format_wareki

#: the longest range a report covers (ten years of months)
MAX_YEARS = 10
#: the first 年度 a report may name: the program began in 令和3年度; earlier years are allowed
#: for the records a city carried over, but not before the Heisei era's records could exist
FIRST_FISCAL_YEAR = 2000


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    fiscal_year: int | None = None
    months: tuple[date, ...] = field(default=())

    @property
    def label(self) -> str:
        if self.fiscal_year is not None:
            return f"{fiscal_year_label(self.fiscal_year)}（{self.fiscal_year}年度）"
        return f"{format_wareki(self.start)}〜{format_wareki(self.end)}"

    @property
    def month_labels(self) -> list[str]:
        """「4月」… for one 年度; 「2025年4月」… when the range spans other years."""
        if self.fiscal_year is not None:
            return [f"{m.month}月" for m in self.months]
        return [f"{m.year}年{m.month}月" for m in self.months]

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as aware datetimes [start 0:00, the day after end 0:00) in local time."""
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone),
        )

    def month_range(self, month: date) -> tuple[date, date]:
        """The part of ``month`` inside the period."""
        last = add_months(month, 1) - timedelta(days=1)
        return max(month, self.start), min(last, self.end)

    def as_query(self) -> dict[str, str]:
        if self.fiscal_year is not None:
            return {"year": str(self.fiscal_year)}
        return {"date_from": self.start.isoformat(), "date_to": self.end.isoformat()}


def _months(start: date, end: date) -> tuple[date, ...]:
    months = []
    month = start.replace(day=1)
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return tuple(months)


def for_fiscal_year(year: int) -> Period:
    if year < FIRST_FISCAL_YEAR or year > timezone.localdate().year + 1:
        raise ValidationError(
            {"year": f"{year}年度の統計は出せません（{FIRST_FISCAL_YEAR}年度から来年度まで）"}
        )
    start, end = fiscal_year_range(year)
    return Period(start=start, end=end, fiscal_year=year, months=_months(start, end))


def for_range(start: date, end: date) -> Period:
    if end < start:
        raise ValidationError({"date_to": "終了日が開始日より前です。期間を確かめてください"})
    if add_months(start, 12 * MAX_YEARS) <= end:
        raise ValidationError({"date_to": f"期間は{MAX_YEARS}年以内にしてください"})
    if start.year < FIRST_FISCAL_YEAR:
        raise ValidationError({"date_from": f"{FIRST_FISCAL_YEAR}年より前の期間は出せません"})
    return Period(start=start, end=end, months=_months(start, end))


def parse(year: str = "", date_from: date | None = None, date_to: date | None = None) -> Period:
    """The period asked for: a 年度 written any way ``parse_fiscal_year`` reads (令和8年度, R8,
    2026), or a range; neither means this 年度. Bad input raises a ``ValidationError`` by field
    with a Japanese message."""
    if date_from or date_to:
        if not (date_from and date_to):
            missing = "date_to" if date_from else "date_from"
            raise ValidationError({missing: "期間の開始日と終了日を両方入力してください"})
        return for_range(date_from, date_to)
    if year:
        try:
            value = parse_fiscal_year(str(year))
        except WarekiError as error:
            raise ValidationError({"year": str(error)}) from error
        return for_fiscal_year(value)
    return for_fiscal_year(fiscal_year(timezone.localdate()))
