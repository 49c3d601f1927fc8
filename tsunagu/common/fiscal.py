"""Japanese fiscal years (年度), running from April 1 to March 31.

A fiscal year is identified by the Gregorian year in which it starts: fiscal
year 2025 (令和7年度) runs from 2025-04-01 to 2026-03-31.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

from tsunagu.common.wareki import (
    ERA_PATTERN,
    MAX_DATE,
    MIN_DATE,
    Era,
    WarekiError,
    era_for,
    format_era_year,
    format_wareki,
    lookup_era,
    normalize_input,
)

__all__ = [
    "FISCAL_YEAR_ERA_OVERRIDES",
    "MAX_FISCAL_YEAR",
    "MIN_FISCAL_YEAR",
    "fiscal_quarter",
    "fiscal_year",
    "fiscal_year_label",
    "fiscal_year_label_with_seireki",
    "fiscal_year_range",
    "parse_fiscal_year",
]

FISCAL_YEAR_START_MONTH = 4

MIN_FISCAL_YEAR = MIN_DATE.year
"""First supported fiscal year (明治6年度)."""

MAX_FISCAL_YEAR = MAX_DATE.year
"""Last fiscal year accepted by :func:`parse_fiscal_year`."""

FISCAL_YEAR_ERA_OVERRIDES: Mapping[int, str] = MappingProxyType({2019: "令和"})
"""Fiscal years labelled with an era other than the one in force on April 1.

A fiscal year is normally labelled with the era in force on its first day
(FY1988 is 昭和63年度 and FY1989 is 平成元年度). After the era changed on
2019-05-01, the government refers to FY2019, which began on 平成31年4月1日,
as 令和元年度; this table records that practice.
"""

_ERA_FY_RE = re.compile(rf"^(?P<era>{ERA_PATTERN})(?P<y>\d{{1,3}}|元)(?:年度)?$", re.IGNORECASE)
_WESTERN_FY_RE = re.compile(r"^(?:FY)?(?P<y>\d{4})(?:年度)?$", re.IGNORECASE)
_SHORT_FY_RE = re.compile(r"^(?:FY)?\d{1,3}(?:年度)?$", re.IGNORECASE)

_FY_EXAMPLES = "令和7年度、R7、2025年度、2025"


def fiscal_year(d: date) -> int:
    """Return the fiscal year containing ``d`` (2025 for 2025-04-01..2026-03-31)."""
    return d.year if d.month >= FISCAL_YEAR_START_MONTH else d.year - 1


def fiscal_year_range(fy: int) -> tuple[date, date]:
    """Return the first and last day of fiscal year ``fy``."""
    return date(fy, FISCAL_YEAR_START_MONTH, 1), date(fy + 1, FISCAL_YEAR_START_MONTH - 1, 31)


def fiscal_quarter(d: date) -> int:
    """Return the fiscal quarter of ``d``: 1 for April–June, …, 4 for January–March."""
    return (d.month - FISCAL_YEAR_START_MONTH) % 12 // 3 + 1


def _fiscal_era_year(fy: int) -> tuple[Era, int]:
    if fy < MIN_FISCAL_YEAR:
        raise WarekiError(
            f"{MIN_FISCAL_YEAR}年度（明治6年度）より前の年度は、旧暦の時代のため扱えません"
        )
    override = FISCAL_YEAR_ERA_OVERRIDES.get(fy)
    era = lookup_era(override) if override else era_for(fiscal_year_range(fy)[0])
    return era, fy - era.start.year + 1


def fiscal_year_label(fy: int, *, gannen: bool = True) -> str:
    """Return the era label of fiscal year ``fy``, e.g. ``令和7年度`` or ``平成元年度``.

    The era is the one in force on April 1 of the fiscal year, except for the
    years listed in :data:`FISCAL_YEAR_ERA_OVERRIDES`.
    """
    era, year = _fiscal_era_year(fy)
    return f"{format_era_year(era, year, gannen=gannen)}度"


def fiscal_year_label_with_seireki(fy: int, *, gannen: bool = True) -> str:
    """Return e.g. ``令和7年度（2025年度）``."""
    return f"{fiscal_year_label(fy, gannen=gannen)}（{fy}年度）"


def _check_fiscal_year_range(fy: int) -> None:
    if fy < MIN_FISCAL_YEAR:
        raise WarekiError(
            f"{MIN_FISCAL_YEAR}年度（明治6年度）より前の年度は、旧暦の時代のため入力できません"
        )
    if fy > MAX_FISCAL_YEAR:
        raise WarekiError(f"{MAX_FISCAL_YEAR}年度より後の年度は入力できません")


def _era_fiscal_year(era: Era, era_year: int) -> int:
    if era_year == 0:
        raise WarekiError(
            f"{era.name}0年度は存在しません（元号の最初の年は「{era.name}元年度」または"
            f"「{era.name}1年度」と入力してください）"
        )
    fy = era.gregorian_year(era_year)
    _check_fiscal_year_range(fy)
    first_day = fiscal_year_range(fy)[0]
    if era.end is not None and era.end < first_day:
        label = f"{format_era_year(era, era_year)}度"
        raise WarekiError(
            f"{label}は存在しません（{era.name}は{format_wareki(era.end)}まで。"
            f"{fy}年度は{fiscal_year_label(fy)}です）"
        )
    return fy


def parse_fiscal_year(text: str) -> int:
    """Parse a fiscal year such as ``令和7年度``, ``R7``, ``2025`` or ``2025年度``.

    Full-width characters and kanji numerals are accepted. An era year is
    accepted when the era was in force during part of that fiscal year, so
    both ``平成31年度`` and ``令和元年度`` give 2019, while ``平成32年度`` and
    ``昭和64年度`` are rejected. Raises :class:`WarekiError` for bad input.
    """
    if not text or not text.strip():
        raise WarekiError("年度が入力されていません")
    s = normalize_input(text)

    match = _ERA_FY_RE.match(s)
    if match:
        era = lookup_era(match.group("era"))
        raw_year = match.group("y")
        return _era_fiscal_year(era, 1 if raw_year == "元" else int(raw_year))

    match = _WESTERN_FY_RE.match(s)
    if match:
        fy = int(match.group("y"))
        _check_fiscal_year_range(fy)
        return fy

    if _SHORT_FY_RE.match(s):
        raise WarekiError(
            f"「{text.strip()}」は年が4桁でないため、どの年度か判断できません。"
            f"{_FY_EXAMPLES} のように、元号を付けるか西暦4桁で入力してください"
        )
    raise WarekiError(
        f"「{text.strip()}」は年度として読み取れません。{_FY_EXAMPLES} のように入力してください"
    )


def add_months(date: date, months: int) -> date:
    """``date`` moved by whole months; a day the target month lacks becomes its last day
    (1月31日 + 1か月 = 2月28日、閏年は29日)."""
    index = date.year * 12 + (date.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date.replace(year=year, month=month, day=min(date.day, last))
