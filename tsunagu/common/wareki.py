"""Japanese era (和暦) parsing and formatting.

Dates are handled in the proleptic Gregorian calendar of :mod:`datetime`.
Japan adopted the Gregorian calendar on 明治6年1月1日 (1873-01-01); earlier
dates followed the lunisolar calendar, so the supported range starts there.

Parsing accepts era notation (``昭和55年3月1日``, ``S55.3.1``, ``昭55.3.1``,
``令和元年5月1日``), western notation (``1980-03-01``, ``1980年3月1日``,
``19800301``), full-width characters and kanji numerals. Error messages are
written for end users, in Japanese.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

__all__ = [
    "ERAS",
    "ERA_PATTERN",
    "MAX_DATE",
    "MIN_DATE",
    "Era",
    "WarekiError",
    "age_on",
    "era_for",
    "format_era_year",
    "format_seireki_with_wareki",
    "format_wareki",
    "format_wareki_short",
    "format_wareki_with_seireki",
    "lookup_era",
    "normalize_input",
    "parse_date",
    "wareki_year",
]


class WarekiError(ValueError):
    """Invalid or unsupported date input; ``message`` is a Japanese text for end users."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Era:
    """A Japanese era (元号).

    ``start`` is the first day of the era in the Gregorian calendar and ``end``
    its last day (``None`` for the current era).
    """

    name: str
    letter: str
    start: date
    end: date | None

    @property
    def abbreviation(self) -> str:
        """One-character abbreviation, e.g. ``昭`` for 昭和."""
        return self.name[0]

    def contains(self, d: date) -> bool:
        """Return whether ``d`` falls within this era."""
        return self.start <= d and (self.end is None or d <= self.end)

    def gregorian_year(self, era_year: int) -> int:
        """Return the Gregorian year of year ``era_year`` of this era (1 = 元年)."""
        return self.start.year + era_year - 1


def _build_eras(starts: tuple[tuple[str, str, date], ...]) -> tuple[Era, ...]:
    eras: list[Era] = []
    for index, (name, letter, start) in enumerate(starts):
        if index + 1 < len(starts):
            next_start = starts[index + 1][2]
            end: date | None = date.fromordinal(next_start.toordinal() - 1)
        else:
            end = None
        eras.append(Era(name=name, letter=letter, start=start, end=end))
    return tuple(eras)


ERAS: tuple[Era, ...] = _build_eras(
    (
        ("明治", "M", date(1868, 10, 23)),
        ("大正", "T", date(1912, 7, 30)),
        ("昭和", "S", date(1926, 12, 25)),
        ("平成", "H", date(1989, 1, 8)),
        ("令和", "R", date(2019, 5, 1)),
    )
)
"""Supported eras, oldest first. Each era ends the day before the next starts."""

MIN_DATE = date(1873, 1, 1)
"""First supported date: 明治6年1月1日, when Japan adopted the Gregorian calendar."""

MAX_DATE = date(2200, 12, 31)
"""Last date accepted by :func:`parse_date`."""

_MEIJI = ERAS[0]
_MEIJI_FIRST_SOLAR_YEAR = 6

_LUNAR_MESSAGE = (
    "明治5年（1872年）以前は旧暦（太陰太陽暦）の日付のため入力できません。"
    "明治6年1月1日（1873年1月1日）以降の日付を入力してください"
)
_BEFORE_MIN_MESSAGE = (
    "1873年（明治6年）1月1日より前の日付は、旧暦（太陰太陽暦）の時代のため扱えません"
)

_EXAMPLES = "令和7年4月1日、R7.4.1、2025年4月1日、2025-04-01、20250401"

_ERA_BY_TOKEN: dict[str, Era] = {}
for _era in ERAS:
    _ERA_BY_TOKEN[_era.name] = _era
    _ERA_BY_TOKEN[_era.abbreviation] = _era
    _ERA_BY_TOKEN[_era.letter] = _era
del _era

ERA_PATTERN = "明治|大正|昭和|平成|令和|[明大昭平令MTSHR]"
"""Regular expression alternation matching an era token (use with ``re.IGNORECASE``)."""

_KANJI_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_KANJI_NUMBER_RE = re.compile("[" + "".join(_KANJI_DIGITS) + "十百千]+")
_D = "[一二三四五六七八九]"
_KANJI_UNIT_RE = re.compile(
    f"^(?:(?P<k>{_D})?千)?(?:(?P<h>{_D})?百)?(?:(?P<t>{_D})?十)?(?P<o>{_D})?$"
)
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\ufe63"
_DASH_TABLE = str.maketrans(dict.fromkeys(_DASHES, "-"))

_MONTH_DAY = (
    r"(?:年(?P<m1>\d{1,2})月(?P<d1>\d{1,2})日?"
    r"|(?P<sep>[./\- ])(?P<m2>\d{1,2})(?P=sep)(?P<d2>\d{1,2}))$"
)
_ERA_RE = re.compile(rf"^(?P<era>{ERA_PATTERN})(?P<y>\d{{1,3}}|元){_MONTH_DAY}", re.IGNORECASE)
_ERA_COMPACT_RE = re.compile(
    r"^(?P<era>[MTSHR])(?P<y>\d{2})(?P<m>\d{2})(?P<d>\d{2})$", re.IGNORECASE
)
_WESTERN_RE = re.compile(rf"^(?P<y>\d{{4}}){_MONTH_DAY}")
_WESTERN_COMPACT_RE = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
_SHORT_YEAR_RE = re.compile(
    r"^(?P<y>\d{1,3})(?:年\d{1,2}月\d{1,2}日?|(?P<sep>[./\- ])\d{1,2}(?P=sep)\d{1,2})$"
)
_SHORT_YEAR_COMPACT_RE = re.compile(r"^\d{6}$")


def _kanji_number(token: str) -> str:
    """Convert a run of kanji numerals to ASCII digits; return it unchanged if malformed."""
    if not any(c in "十百千" for c in token):
        return "".join(str(_KANJI_DIGITS[c]) for c in token)
    match = _KANJI_UNIT_RE.match(token)
    if match is None:
        return token
    value = 0
    for group, unit in (("k", 1000), ("h", 100), ("t", 10)):
        digit = match.group(group)
        marker = {1000: "千", 100: "百", 10: "十"}[unit]
        if marker in token:
            value += (_KANJI_DIGITS[digit] if digit else 1) * unit
    ones = match.group("o")
    if ones:
        value += _KANJI_DIGITS[ones]
    return str(value)


def normalize_input(text: str) -> str:
    """Normalise user input for parsing.

    Applies Unicode NFKC (full-width digits, letters and punctuation become
    ASCII; ``㍼`` becomes ``昭和``), unifies dash-like characters to ``-``,
    converts kanji numerals (``五十五``, ``二〇二五``) to ASCII digits, and
    removes whitespace except a single space between two numbers, which is kept
    as a separator.
    """
    s = unicodedata.normalize("NFKC", text).translate(_DASH_TABLE)
    s = _KANJI_NUMBER_RE.sub(lambda m: _kanji_number(m.group(0)), s)
    s = re.sub(r"\s+", " ", s.strip())
    s = re.sub(r" ?([^\d ]) ?", r"\1", s)
    return s


def lookup_era(token: str) -> Era:
    """Return the era for a name (``昭和``), abbreviation (``昭``) or letter (``S``/``s``)."""
    era = _ERA_BY_TOKEN.get(token) or _ERA_BY_TOKEN.get(token.upper())
    if era is None:
        raise WarekiError(f"「{token}」は元号として認識できません（明治・大正・昭和・平成・令和）")
    return era


def format_era_year(era: Era, year: int, *, gannen: bool = True) -> str:
    """Format an era year, e.g. ``令和7年``; year 1 becomes ``令和元年`` when ``gannen``."""
    return f"{era.name}{'元' if year == 1 and gannen else year}年"


def _check_month_day(label: str, year: int, month: int, day: int) -> None:
    if not 1 <= month <= 12:
        raise WarekiError(f"{label}は存在しません（月は1〜12で入力してください）")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise WarekiError(f"{label}は存在しません（{year}年{month}月は{last}日までです）")


def _check_year_range(year: int) -> None:
    if year < MIN_DATE.year:
        raise WarekiError(_BEFORE_MIN_MESSAGE)
    if year > MAX_DATE.year:
        raise WarekiError(f"{MAX_DATE.year}年より後の日付は入力できません")


def _era_date(era: Era, era_year: int, month: int, day: int) -> date:
    label = f"{format_era_year(era, era_year)}{month}月{day}日"
    if era_year == 0:
        raise WarekiError(
            f"{era.name}0年は存在しません（元号の最初の年は「{era.name}元年」または"
            f"「{era.name}1年」と入力してください）"
        )
    if era is _MEIJI and era_year < _MEIJI_FIRST_SOLAR_YEAR:
        raise WarekiError(_LUNAR_MESSAGE)
    year = era.gregorian_year(era_year)
    _check_year_range(year)
    _check_month_day(label, year, month, day)
    result = date(year, month, day)
    index = ERAS.index(era)
    if result < era.start:
        previous = ERAS[index - 1]
        assert previous.end is not None
        raise WarekiError(
            f"{label}は存在しません（{era.name}は{format_wareki(era.start)}から。"
            f"{format_wareki(previous.end)}以前は{previous.name}で入力してください）"
        )
    if era.end is not None and result > era.end:
        following = ERAS[index + 1]
        raise WarekiError(
            f"{label}は存在しません（{era.name}は{format_wareki(era.end)}まで。"
            f"{format_wareki(following.start)}以降は{following.name}で入力してください）"
        )
    return result


def _western_date(year: int, month: int, day: int) -> date:
    _check_year_range(year)
    _check_month_day(f"{year}年{month}月{day}日", year, month, day)
    return date(year, month, day)


def _month_day(match: re.Match[str]) -> tuple[int, int]:
    month = match.group("m1") or match.group("m2")
    day = match.group("d1") or match.group("d2")
    return int(month), int(day)


def parse_date(text: str) -> date:
    """Parse a date written in era or western notation.

    Accepted forms include ``昭和55年3月1日``, ``S55.3.1``, ``s55/3/1``,
    ``S55-03-01``, ``S550301``, ``昭55.3.1``, ``令和元年5月1日``, ``R元.5.1``,
    ``1980-03-01``, ``1980/3/1``, ``1980.3.1``, ``1980年3月1日`` and
    ``19800301``, also with full-width characters, spaces and kanji numerals
    (``昭和五十五年三月一日``). The trailing ``日`` may be omitted.

    Raises :class:`WarekiError` for empty or unreadable input, nonexistent
    dates, dates outside the stated era, two-digit western years and dates
    outside :data:`MIN_DATE`..:data:`MAX_DATE`.
    """
    if not text or not text.strip():
        raise WarekiError("日付が入力されていません")
    s = normalize_input(text)

    match = _ERA_RE.match(s)
    if match:
        era = lookup_era(match.group("era"))
        raw_year = match.group("y")
        era_year = 1 if raw_year == "元" else int(raw_year)
        month, day = _month_day(match)
        return _era_date(era, era_year, month, day)

    match = _ERA_COMPACT_RE.match(s)
    if match:
        era = lookup_era(match.group("era"))
        return _era_date(era, int(match.group("y")), int(match.group("m")), int(match.group("d")))

    match = _WESTERN_RE.match(s)
    if match:
        month, day = _month_day(match)
        return _western_date(int(match.group("y")), month, day)

    match = _WESTERN_COMPACT_RE.match(s)
    if match:
        return _western_date(int(match.group("y")), int(match.group("m")), int(match.group("d")))

    if _SHORT_YEAR_RE.match(s) or _SHORT_YEAR_COMPACT_RE.match(s):
        raise WarekiError(
            f"「{text.strip()}」は年が4桁でないため、どの年か判断できません。"
            "西暦は4桁で（例: 1980年3月1日）、または元号を付けて（例: 昭和55年3月1日）"
            "入力してください"
        )

    raise WarekiError(
        f"「{text.strip()}」は日付として読み取れません。{_EXAMPLES} のように入力してください"
    )


def era_for(d: date) -> Era:
    """Return the era in force on ``d``.

    Raises :class:`WarekiError` for dates before :data:`MIN_DATE`, which
    cannot be expressed in the Gregorian-based era calendar.
    """
    if d < MIN_DATE:
        raise WarekiError(_BEFORE_MIN_MESSAGE)
    for era in reversed(ERAS):
        if era.start <= d:
            return era
    raise WarekiError(_BEFORE_MIN_MESSAGE)  # pragma: no cover - MIN_DATE lies within 明治


def wareki_year(d: date) -> tuple[Era, int]:
    """Return the era of ``d`` and the year within that era (1 for 元年)."""
    era = era_for(d)
    return era, d.year - era.start.year + 1


def format_wareki(d: date, *, gannen: bool = True) -> str:
    """Format as ``令和7年4月1日``; the first year is written ``元年`` when ``gannen``."""
    era, year = wareki_year(d)
    return f"{format_era_year(era, year, gannen=gannen)}{d.month}月{d.day}日"


def format_wareki_with_seireki(d: date, *, gannen: bool = True) -> str:
    """Format as ``令和7年4月1日（2025年）``."""
    return f"{format_wareki(d, gannen=gannen)}（{d.year}年）"


def format_seireki_with_wareki(d: date, *, gannen: bool = True) -> str:
    """Format as ``2025年4月1日（令和7年）``."""
    era, year = wareki_year(d)
    return f"{d.year}年{d.month}月{d.day}日（{format_era_year(era, year, gannen=gannen)}）"


def format_wareki_short(d: date) -> str:
    """Format as ``R7.4.1`` (era letter, era year, month, day; no ``元``)."""
    era, year = wareki_year(d)
    return f"{era.letter}{year}.{d.month}.{d.day}"


def age_on(birth: date, on: date) -> int:
    """Return the age in completed years on ``on`` for someone born on ``birth``.

    A person born on February 29 becomes a year older on March 1 in non-leap
    years. Raises :class:`WarekiError` if ``on`` precedes ``birth``.
    """
    if on < birth:
        raise WarekiError("基準日が生年月日より前になっています")
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
