"""Linkage results broken down by pattern: what a pair of records looks like.

Every pair of records that is one person (a true pair) or that a method put in one cluster
(a predicted pair) is classified by comparing the two records as they were written, the
same way on every population, so the figures of two generators can be set side by side:

* a true pair gets one label per way its records differ (``dob_transposed``,
  ``dob_day1``, ``dob_year1``, ``dob_era``, ``dob_digit``, ``dob_other``,
  ``dob_missing``, ``maiden``, ``kana_only``, ``kanji_variant``, ``name_other``,
  ``kana_missing``, ``addr_differs``, ``addr_missing``), or ``clean``;
* a false pair (two persons) gets one label for the relation that makes the two persons
  look alike: in one household ``parent_child_same_name`` (the same name, dates of birth
  more than a year apart), ``same_name_dob_missing`` (the same name, a date of birth
  missing), ``twins`` (the same date of birth), ``household_other``; in two households
  ``same_name_stranger`` or ``other``.

Per label of the first kind: true pairs, found (true pairs in one cluster), false pairs
(two persons in one cluster whose records differ that way), precision, recall and F1. Per
relation: false pairs in one cluster, and how many of them are in one household. The
product's readers of dates, names and addresses only *read* the records; the labels are
decided here.
"""

from __future__ import annotations

import csv
import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ERA_STARTS = (1868, 1912, 1926, 1989, 2019)
ERA_OFFSETS = frozenset(b - a for a, b in itertools.combinations(ERA_STARTS, 2))

TRUE_LABELS = (
    "clean",
    "dob_transposed",
    "dob_day1",
    "dob_year1",
    "dob_era",
    "dob_digit",
    "dob_other",
    "dob_missing",
    "maiden",
    "kana_only",
    "kanji_variant",
    "name_other",
    "kana_missing",
    "addr_differs",
    "addr_missing",
)
FALSE_LABELS = (
    "parent_child_same_name",
    "same_name_dob_missing",
    "twins",
    "household_other",
    "same_name_stranger",
    "other",
)


@dataclass(frozen=True, slots=True)
class Keys:
    name: str
    family: str
    given: str
    has_kanji: bool
    loose: str
    kana: str
    dob: date | None
    address: str


def _has_kanji(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)


class Reader:
    """Reads records into comparable keys (each distinct text once)."""

    def __init__(self) -> None:
        from tsunagu.linkage.address import normalize_address
        from tsunagu.linkage.normalize import (
            normalize_dob,
            normalize_kana,
            normalize_name,
            split_name,
        )
        from tsunagu.linkage.variants import fold_variants

        self._name = normalize_name
        self._kana = normalize_kana
        self._split = split_name
        self._dob = normalize_dob
        self._address = normalize_address
        self._fold = fold_variants
        self._cache: dict[tuple, Keys] = {}

    def keys(self, name: str, kana: str, dob: str, address: str) -> Keys:
        key = (name, kana, dob, address)
        found = self._cache.get(key)
        if found is None:
            family, given = self._split(name)
            normalized = self._name(name)
            found = self._cache[key] = Keys(
                name=normalized,
                family=self._name(family),
                given=self._name(given),
                has_kanji=_has_kanji(name),
                loose=self._fold(normalized, loose=True),
                kana=self._kana(kana),
                dob=self._dob(dob) if dob else None,
                address=self._address(address).base if address else "",
            )
        return found


def dob_label(a: date | None, b: date | None) -> str | None:
    if a is None or b is None:
        return "dob_missing"
    if a == b:
        return None
    if a.year == b.year and a.month == b.day and a.day == b.month:
        return "dob_transposed"
    if abs((a - b).days) == 1:
        return "dob_day1"
    same_day = (a.month, a.day) == (b.month, b.day)
    if same_day and abs(a.year - b.year) == 1:
        return "dob_year1"
    if same_day and abs(a.year - b.year) in ERA_OFFSETS:
        return "dob_era"
    x, y = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    differ = [i for i in range(8) if x[i] != y[i]]
    if len(differ) == 1 or (
        len(differ) == 2 and differ[1] == differ[0] + 1 and x[differ[0]] == y[differ[1]]
    ):
        return "dob_digit"  # one digit mistyped, or two neighbours swapped
    return "dob_other"


def true_labels(a: Keys, b: Keys) -> list[str]:
    labels = []
    dob = dob_label(a.dob, b.dob)
    if dob:
        labels.append(dob)
    if a.name != b.name and a.name and b.name:
        if a.has_kanji != b.has_kanji:
            labels.append("kana_only")
        elif a.given and a.given == b.given and a.family != b.family:
            labels.append("maiden")
        elif a.loose == b.loose:
            labels.append("kanji_variant")
        else:
            labels.append("name_other")
    if not a.kana or not b.kana:
        labels.append("kana_missing")
    if not a.address or not b.address:
        labels.append("addr_missing")
    elif a.address != b.address:
        labels.append("addr_differs")
    return labels or ["clean"]


def false_label(a: Keys, b: Keys, same_household: bool) -> str:
    same_name = (a.name and a.name == b.name) or (a.kana and a.kana == b.kana)
    if same_household:
        if same_name and (a.dob is None or b.dob is None):
            return "same_name_dob_missing"
        if same_name and abs((a.dob - b.dob).days) > 366:
            return "parent_child_same_name"
        if a.dob is not None and a.dob == b.dob:
            return "twins"
        return "household_other"
    return "same_name_stranger" if same_name else "other"


@dataclass
class PatternCounts:
    pairs: Counter = field(default_factory=Counter)  # true pairs per label
    found: Counter = field(default_factory=Counter)  # true pairs in one cluster per label
    false: Counter = field(default_factory=Counter)  # false pairs in one cluster per relation
    #: false pairs in one cluster per way the two records differ (the labels of true pairs)
    false_differ: Counter = field(default_factory=Counter)
    false_household: Counter = field(default_factory=Counter)


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        return list(reader)


def by_pattern(records: Path, truth: Path, clusters: Path) -> PatternCounts:
    rows = _read_csv(records)
    index = {(r[0], r[1]): i for i, r in enumerate(rows)}
    person = [""] * len(rows)
    household = [""] * len(rows)
    for source, record_id, p, h, *_ in _read_csv(truth):
        i = index[source, record_id]
        person[i], household[i] = p, h
    cluster_members: dict[str, list[int]] = defaultdict(list)
    for source, record_id, cluster, *_ in _read_csv(clusters):
        cluster_members[cluster].append(index[source, record_id])
    cluster_of = [""] * len(rows)
    for cluster, members in cluster_members.items():
        for i in members:
            cluster_of[i] = cluster
    reader = Reader()
    keys = [reader.keys(r[2], r[3], r[4], r[6]) for r in rows]
    counts = PatternCounts()
    person_members: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(person):
        person_members[p].append(i)
    for members in person_members.values():
        for i, j in itertools.combinations(members, 2):
            together = cluster_of[i] == cluster_of[j]
            for label in true_labels(keys[i], keys[j]):
                counts.pairs[label] += 1
                if together:
                    counts.found[label] += 1
    for members in cluster_members.values():
        if len(members) < 2:
            continue
        for i, j in itertools.combinations(members, 2):
            if person[i] == person[j]:
                continue
            same_household = household[i] == household[j]
            label = false_label(keys[i], keys[j], same_household)
            counts.false[label] += 1
            for differ in true_labels(keys[i], keys[j]):
                counts.false_differ[differ] += 1
            if same_household:
                counts.false_household[label] += 1
    return counts


def table(counts: PatternCounts) -> list[str]:
    """Markdown rows: the true-pair labels (recall), then the false-pair relations."""
    lines = [
        "| pattern | true pairs | found | false pairs | precision | recall | F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    for label in TRUE_LABELS:
        n, found, false = counts.pairs[label], counts.found[label], counts.false_differ[label]
        if not n and not false:
            continue
        precision = found / (found + false) if found + false else 1.0
        recall = found / n if n else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        lines.append(
            f"| {label} | {n} | {found} | {false} | {precision:.4f} | {recall:.4f} | {f1:.4f} |"
        )
    lines += [
        "",
        "| relation (two persons) | false pairs in one cluster | of them in one household |",
        "|---|---|---|",
    ]
    for label in FALSE_LABELS:
        lines.append(f"| {label} | {counts.false[label]} | {counts.false_household[label]} |")
    return lines
