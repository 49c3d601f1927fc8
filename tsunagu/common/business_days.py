"""開庁日 (office days): weekdays that are not national holidays or the year-end closure.

National holidays (including 振替休日 and 国民の休日) come from the ``holidays`` package;
municipal offices also close from 12月29日 to 1月3日 (年末年始).
"""

from __future__ import annotations

import datetime
from functools import cache

import holidays


@cache
def _national_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("JP", years=year, language="ja")


def is_year_end_closure(day: datetime.date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def holiday_name(day: datetime.date) -> str | None:
    if is_year_end_closure(day):
        return "年末年始"
    return _national_holidays(day.year).get(day)


def is_office_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and holiday_name(day) is None


def add_office_days(start: datetime.date, days: int) -> datetime.date:
    """The date ``days`` office days after ``start`` (``start`` itself never counts)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    remaining = days
    while remaining:
        day += datetime.timedelta(days=1)
        if is_office_day(day):
            remaining -= 1
    return day
