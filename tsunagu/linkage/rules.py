"""Rules of 名寄せ that no weight of evidence may override.

The batch linkage (:mod:`tsunagu.linkage.batch`) and the real-time check
(:mod:`tsunagu.linkage.lookup`) weigh evidence; the rules here say when the evidence may not
be trusted to decide alone:

* **A date of birth that differs vetoes a match** unless the difference is a known slip of
  the pen: day and month swapped, one day or one year off, one digit mistyped or two
  neighbouring digits swapped, or the year of another 和暦 era written with the same
  number (昭和5年 for 平成5年: 63 years). Two records of one person are never put together
  automatically across such a veto, directly or through a chain of other records.
* **The same name in one household across generations goes to a person.** A father and a
  son who share a full name (a name handed down, common in the 8050 households this program
  serves) share the address, the landline and often the reading; only the date of birth
  tells them apart, and a record without one cannot be told apart at all. Such pairs are
  held for review with the reason, never merged automatically; so are, in one household,
  two records of which one has no date of birth, and two given names written in
  different kanji (twins are given names read alike).

Dates of birth are compared as ``YYYYMMDD`` strings. Nothing here needs Django.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date

__all__ = [
    "DOB_LEVELS",
    "ERA_OFFSETS",
    "HOLD_REASONS",
    "dob_level",
    "dob_sql_levels",
    "other_given_name",
    "vetoes",
]

#: First years of the eras a living person may be born in (明治, 大正, 昭和, 平成, 令和).
ERA_STARTS = (1868, 1912, 1926, 1989, 2019)
#: Years between the same era year in two eras (昭和↔平成 63, 大正↔昭和 14, 平成↔令和 30 …).
ERA_OFFSETS = tuple(sorted({b - a for a, b in itertools.combinations(ERA_STARTS, 2)}))
#: Dates of birth further apart than this (and not a slip) are "years apart".
YEARS_APART_DAYS = 366

#: The levels of the date-of-birth comparison, in the order they are tried.
DOB_LEVELS = (
    "same",
    "day and month swapped",
    "one day apart",
    "one year apart",
    "era year",
    "one digit apart",
    "different",
    "years apart",
)

#: Why a pair is held for a person to decide (keys stored with the pair; Japanese labels).
HOLD_GENERATION = "same_household_generation"
HOLD_GENERATION_NO_DOB = "same_household_same_name_no_dob"
HOLD_CHAIN = "chain"
HOLD_DOB_VETO = "dob_years_apart"
HOLD_OTHER_GIVEN = "same_household_other_given_name"
HOLD_NO_DOB = "same_household_no_dob"
HOLD_REASONS = {
    HOLD_GENERATION: "同一世帯・同名・生年月日が異なる（親子・きょうだいなど別の方の可能性）",
    HOLD_GENERATION_NO_DOB: "同一世帯に同名で生年月日の異なる方がいる（生年月日のない記録）",
    HOLD_CHAIN: "ほかの記録を介してつながるが、その記録どうしが矛盾する（生年月日・名など）",
    HOLD_DOB_VETO: "生年月日が異なる（入力誤りのパターンに当たらない）",
    HOLD_NO_DOB: "同一世帯で生年月日のない記録（同姓同名の家族と区別できない）",
    HOLD_OTHER_GIVEN: "同一世帯で名の漢字が異なる（双子・きょうだいの可能性）",
}


def _has_kanji(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


def given_names_differ(a: str | None, b: str | None) -> bool:
    """Two names (or given names) that differ in kanji even once variant characters are
    folded (結衣 and 結依, 陽菜 and 陽奈, 美咲 and 美咲希): in one household, two persons —
    twins are given names read alike — until a person has looked, even though a name cut
    short by a system that keeps fewer characters (仁 for 仁梨) looks the same. ``a`` and
    ``b`` are folded name keys; what differs between them must be written in kanji (きよ
    and キヨ, or 文 and フミ, are one name written in two scripts)."""
    if not a or not b or a == b:
        return False
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    parts = [part for part in (a[start : len(a) - end], b[start : len(b) - end]) if part]
    return bool(parts) and all(_has_kanji(part) for part in parts)


def _date(key: str) -> date | None:
    try:
        return date(int(key[:4]), int(key[4:6]), int(key[6:8]))
    except ValueError:
        return None


def _digits_apart(a: str, b: str) -> bool:
    """One digit mistyped, or two neighbouring digits swapped."""
    differ = [i for i in range(len(a)) if a[i] != b[i]]
    return len(differ) == 1 or (
        len(differ) == 2
        and differ[1] == differ[0] + 1
        and a[differ[0]] == b[differ[1]]
        and a[differ[1]] == b[differ[0]]
    )


def dob_level(a: str | None, b: str | None) -> str | None:
    """The level of two dates of birth (``YYYYMMDD``); ``None`` when one is unknown."""
    if not a or not b:
        return None
    if a == b:
        return "same"
    if a[:4] == b[:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6]:
        return "day and month swapped"
    x, y = _date(a), _date(b)
    days = abs((x - y).days) if x and y else None
    if days == 1:
        return "one day apart"
    if a[4:] == b[4:]:
        years = abs(int(a[:4]) - int(b[:4]))
        if years == 1:
            return "one year apart"
        if years in ERA_OFFSETS:
            return "era year"
    if len(a) == len(b) and _digits_apart(a, b):
        return "one digit apart"
    if days is not None and days <= YEARS_APART_DAYS:
        return "different"
    return "years apart"


#: Levels of two known dates of birth that are no slip of the pen: they forbid an automatic
#: match (a person of one household born months apart is a sibling, not a typing error).
VETO_LEVELS = frozenset({"different", "years apart"})


def vetoes(a: str | None, b: str | None) -> bool:
    """Whether two dates of birth forbid an automatic match."""
    return dob_level(a, b) in VETO_LEVELS


def dob_days(key: str | None) -> int | None:
    """Days since 0001-01-01 of a ``YYYYMMDD`` key (for the SQL levels)."""
    day = _date(key) if key else None
    return day.toordinal() if day else None


def dob_sql_levels(column: str = "dob", days: str = "dob_days") -> list[tuple[str, str]]:
    """``(sql_condition, label)`` of the non-null levels of :data:`DOB_LEVELS` for Splink,
    in SQL that DuckDB and Spark both read (``substr``, ``abs``, ``CASE``, ``IN``), on the
    ``YYYYMMDD`` column and its day number (:func:`dob_days`)."""
    left, right = f"{column}_l", f"{column}_r"

    def part(side: str, start: int, length: int | None = None) -> str:
        if length is None:
            return f"substr({side}, {start})"
        return f"substr({side}, {start}, {length})"

    def equal(start: int, length: int | None = None) -> str:
        return f"{part(left, start, length)} = {part(right, start, length)}"

    year_gap = f"abs(cast({part(left, 1, 4)} AS INTEGER) - cast({part(right, 1, 4)} AS INTEGER))"
    digits = " + ".join(
        f"CASE WHEN {part(left, i, 1)} <> {part(right, i, 1)} THEN 1 ELSE 0 END"
        for i in range(1, 9)
    )
    swaps = " OR ".join(
        f"({part(left, 1, i - 1)} = {part(right, 1, i - 1)}"
        f" AND {part(left, i, 1)} = {part(right, i + 1, 1)}"
        f" AND {part(left, i + 1, 1)} = {part(right, i, 1)}"
        f" AND {part(left, i + 2)} = {part(right, i + 2)})"
        for i in range(1, 8)
    )
    gap = f"abs({days}_l - {days}_r)"
    return [
        (f"{left} = {right}", "same"),
        (
            f"{equal(1, 4)} AND {part(left, 5, 2)} = {part(right, 7, 2)}"
            f" AND {part(left, 7, 2)} = {part(right, 5, 2)}",
            "day and month swapped",
        ),
        (f"{gap} = 1", "one day apart"),
        (f"{equal(5)} AND {year_gap} = 1", "one year apart"),
        (f"{equal(5)} AND {year_gap} IN ({', '.join(map(str, ERA_OFFSETS))})", "era year"),
        (f"({digits}) = 1 OR {swaps}", "one digit apart"),
        (f"{gap} <= {YEARS_APART_DAYS}", "different"),
        ("ELSE", "years apart"),
    ]


def other_given_name(a: Sequence[str | None], b: Sequence[str | None]) -> bool:
    """Two records of one household that name two persons in kanji: ``a`` and ``b`` are
    ``(name, family, given, reading)`` — the loosely folded name, family and given name keys
    and the reading key. The same family name with given names in other kanji, or the same
    full reading with names in other kanji (陽菜 / 陽奈 where the family name could not be
    split off)."""
    name_a, family_a, given_a, reading_a = a
    name_b, family_b, given_b, reading_b = b
    if not name_a or not name_b or name_a == name_b:
        return False
    return bool(
        (family_a is not None and family_a == family_b and given_names_differ(given_a, given_b))
        or (reading_a is not None and reading_a == reading_b and given_names_differ(name_a, name_b))
    )


def household_holds(
    names: Sequence[Sequence[str | None]],
    households: Sequence[Sequence[str | None]],
    dobs: Sequence[str | None],
) -> dict[tuple[int, int], str]:
    """Pairs of records (``i < j``) that share a name key and a household key and that a
    person must tell apart: the dates of birth are years apart (:data:`HOLD_GENERATION`),
    or one is missing where the household holds that name with dates of birth years apart
    (:data:`HOLD_GENERATION_NO_DOB`).

    ``names[k]`` and ``households[k]`` are the keys of record ``k`` (e.g. its name and its
    reading; its address and its phone), ``None`` where unknown.
    """
    groups: dict[tuple, list[int]] = {}
    for record, (record_names, record_households) in enumerate(zip(names, households, strict=True)):
        for n, name in enumerate(record_names):
            if not name:
                continue
            for h, household in enumerate(record_households):
                if household:
                    groups.setdefault((n, name, h, household), []).append(record)
    holds: dict[tuple[int, int], str] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        known = [k for k in members if dobs[k]]
        generations = any(vetoes(dobs[a], dobs[b]) for a, b in itertools.combinations(known, 2))
        if not generations:
            continue
        for a, b in itertools.combinations(sorted(set(members)), 2):
            if dobs[a] and dobs[b]:
                if vetoes(dobs[a], dobs[b]):
                    holds[a, b] = HOLD_GENERATION
            else:
                holds.setdefault((a, b), HOLD_GENERATION_NO_DOB)
    return holds
