"""Batch linkage (名寄せ) of person records exported by several agency systems.

:func:`link` takes records with the columns
``source, record_id, name, kana, dob, sex, address, phone`` (a list of dicts,
a dict of columns, a pandas DataFrame or a pyarrow Table), turns every field
into a match key with :mod:`tsunagu.linkage.normalize` and
:mod:`tsunagu.linkage.address`, scores candidate pairs with a Fellegi–Sunter
model in Splink on DuckDB, and clusters the pairs whose match probability
reaches the threshold. Pairs between the two ends of ``review_band`` are
returned for a person to confirm or reject; nothing below the threshold is
merged.

The model is designed for Japanese records, where a false merge shows one
person's welfare records to another person's workers:

* **A name and its reading are one piece of evidence.** 「高橋 太郎」 and
  「タカハシ タロウ」 say the same thing twice, so they are levels of one
  comparison (same name; same reading or kanji variant such as 斉藤/斎藤; same
  given name under another family name, as after marriage; one character
  apart; different) instead of two comparisons whose weights would add up.
* **Address and phone are one piece of evidence.** A household shares both,
  so they are also levels of one comparison (same address and phone; same
  address; same phone; same block number but another flat; different).
* **Household members are the hard negatives.** They share family name,
  address and landline; what tells them apart is the given name and the date
  of birth, so both comparisons keep a strongly negative "different" level
  and no blocking rule joins people on the household keys alone.
* Blocking rules join records that share a date of birth and a name or
  reading (also the given name only, for maiden names), or a name or reading
  and an address, a phone or a birth year (for mistyped dates of birth).

Parameters are estimated without labels: u probabilities by random sampling
and m probabilities by expectation maximisation on two blocking rules, with
fixed seeds and sample sizes, so the same input gives the same clusters.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing as mp
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from tsunagu.common.wareki import MAX_DATE, MIN_DATE
from tsunagu.linkage import rules
from tsunagu.linkage.address import normalize_address
from tsunagu.linkage.normalize import (
    normalize_dob,
    normalize_kana,
    normalize_name,
    normalize_phone,
    split_name,
)
from tsunagu.linkage.variants import fold_variants

__all__ = [
    "COLUMNS",
    "ClusterAssignment",
    "LinkResult",
    "LinkageInputError",
    "ReviewPair",
    "link",
    "prepare",
]

#: Input columns, in the order of the CSV files.
COLUMNS = ("source", "record_id", "name", "kana", "dob", "sex", "address", "phone")
REQUIRED = ("source", "record_id")

DEFAULT_THRESHOLD = 0.99
DEFAULT_REVIEW_BAND = (0.5, DEFAULT_THRESHOLD)
SEED = 20260401
#: Random record pairs sampled to estimate u probabilities.
U_PAIRS = 2e6

#: Stages reported to the ``progress`` callback, in order.
STAGES = ("normalising", "training", "predicting", "clustering")


class LinkageInputError(ValueError):
    """Invalid input; ``message`` is Japanese text for the person who supplied the file."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ClusterAssignment(NamedTuple):
    """One record's cluster.

    ``match_probability`` is the highest probability of the links that put the
    record in its cluster, or ``None`` for a record alone in its cluster.
    """

    source: str
    record_id: str
    cluster_id: str
    match_probability: float | None


class ReviewPair(NamedTuple):
    """A pair scored inside the review band: not merged, to be looked at by a person."""

    source_l: str
    record_id_l: str
    source_r: str
    record_id_r: str
    match_probability: float
    match_weight: float
    #: Why the pair is held for review whatever its probability (a key of
    #: :data:`tsunagu.linkage.rules.HOLD_REASONS`), or "" for a pair of the review band.
    reason: str = ""


@dataclass
class LinkResult:
    clusters: list[ClusterAssignment]
    review_pairs: list[ReviewPair]
    threshold: float
    review_band: tuple[float, float]
    seconds: dict[str, float] = field(default_factory=dict)
    #: The trained model (see :func:`trained_model`), or ``None`` when nothing was trained.
    model: dict[str, Any] | None = None

    @property
    def n_records(self) -> int:
        return len(self.clusters)

    @property
    def n_clusters(self) -> int:
        return len({c.cluster_id for c in self.clusters})

    def cluster_of(self, source: str, record_id: str) -> str:
        for assignment in self.clusters:
            if assignment.source == source and assignment.record_id == record_id:
                return assignment.cluster_id
        raise KeyError((source, record_id))


# --- Input ------------------------------------------------------------------


def _columns(records: Any) -> dict[str, list]:
    """Return the input as a dict of equally long column lists."""
    if hasattr(records, "to_pydict"):  # pyarrow Table
        data = records.to_pydict()
    elif hasattr(records, "to_dict") and hasattr(records, "columns"):  # pandas DataFrame
        data = records.to_dict("list")
    elif isinstance(records, Mapping):
        data = {key: list(value) for key, value in records.items()}
    else:
        rows = list(records)
        missing = [c for c in REQUIRED if rows and c not in rows[0]]
        if missing:
            raise LinkageInputError(f"列「{missing[0]}」がありません。")
        data = {c: [row.get(c) for row in rows] for c in COLUMNS}
    for column in REQUIRED:
        if column not in data:
            raise LinkageInputError(f"列「{column}」がありません。")
    n = len(data["source"])
    columns = {}
    for column in COLUMNS:
        values = data.get(column)
        if values is None:
            values = [None] * n
        if not all(type(v) is str for v in values):
            values = ["" if v is None or v != v else str(v) for v in values]  # NaN → ""
        columns[column] = values
    for column in REQUIRED:
        for index, value in enumerate(columns[column]):
            if not value.strip():
                raise LinkageInputError(f"{index + 1}件目: 「{column}」が空です。")
    seen: set[tuple[str, str]] = set()
    for index, key in enumerate(zip(columns["source"], columns["record_id"], strict=True)):
        if key in seen:
            raise LinkageInputError(
                f"{index + 1}件目: source「{key[0]}」のrecord_id「{key[1]}」が重複しています。"
            )
        seen.add(key)
    return columns


# --- Normalisation ----------------------------------------------------------


def _memo(function: Callable[[str], Any], values: Sequence[str]) -> list:
    """Apply ``function`` to each value, once per distinct value."""
    results = {value: function(value) for value in dict.fromkeys(values)}
    return [results[value] for value in values]


def _apply_all(function: Callable[[str], Any], values: list[str]) -> list:
    return [function(value) for value in values]


#: From this many records on, addresses are normalised in a second process
#: (forked, where available) while names and readings are normalised here.
PARALLEL_FROM = 50_000


NameParts = tuple[str | None, str | None, str | None, str | None]


def _name_parts(name: str) -> NameParts:
    """(name key, loosely folded name key, family key, given key) of a written name."""
    key = normalize_name(name)
    if not key:
        return None, None, None, None
    family, given = split_name(name)
    family_key = normalize_name(family)
    # Name keys are made character by character, so the key of the given name
    # is what follows the family key (one call to normalize_name saved).
    if given and key.startswith(family_key) and len(key) > len(family_key):
        given_key = key[len(family_key) :]
    else:
        given_key = normalize_name(given)
    return key, fold_variants(key, loose=True), family_key or None, given_key or None


def _resplit(parts: NameParts, families: set[str]) -> NameParts:
    """Split a name key that :func:`split_name` could not split (no space, a
    surname missing from its list) after the longest of ``families`` that starts it."""
    key = parts[0] or ""
    for length in range(min(len(key) - 1, 5), 0, -1):
        if key[:length] in families:
            return parts[0], parts[1], key[:length], key[length:]
    return parts


def _kana_parts(kana: str) -> tuple[str | None, str | None, str | None]:
    """(reading key, family reading key, given reading key); parts only if spaced."""
    key = normalize_kana(kana)
    if not key:
        return None, None, None
    parts = kana.split(None, 1)
    if len(parts) == 2:
        family = normalize_kana(parts[0])
        if key.startswith(family) and len(key) > len(family):
            return key, family or None, key[len(family) :]
        return key, family or None, normalize_kana(parts[1]) or None
    return key, None, None


#: 1980-03-01, 1980/3/1, 1980.3.1 and 19800301, as ASCII: read without the full parser.
_WESTERN_DOB_RE = re.compile(r"(\d{4})([-/.]?)(\d{1,2})\2(\d{1,2})")


def _dob_key(text: str) -> str | None:
    """The date of birth as ``YYYYMMDD``; the common western forms take a fast path."""
    match = _WESTERN_DOB_RE.fullmatch(text)
    if match and (match.group(2) or len(text) == 8):
        try:
            dob = date(int(match.group(1)), int(match.group(3)), int(match.group(4)))
        except ValueError:
            return None
        if MIN_DATE <= dob <= MAX_DATE:
            return f"{dob.year:04d}{dob.month:02d}{dob.day:02d}"
        return None
    dob = normalize_dob(text)
    return f"{dob.year:04d}{dob.month:02d}{dob.day:02d}" if dob else None


_SEX = {"男": "m", "男性": "m", "1": "m", "m": "m", "male": "m"}
_SEX |= {"女": "f", "女性": "f", "2": "f", "f": "f", "female": "f"}


def _sex_key(text: str) -> str | None:
    return _SEX.get(normalize_name(text))


#: 大字X字Y: the 小字 (字Y) is often left out; it is dropped so both forms compare equal.
_KOAZA_RE = re.compile(r"(大字[^0-9０-９字\s]+)字[^0-9０-９\s]+")


def _address_parts(text: str) -> tuple[str | None, str | None]:
    address = normalize_address(_KOAZA_RE.sub(r"\1", text))
    return address.base or None, address.building or None


#: A prefix is taken for the municipality when at least this share of the distinct
#: addresses start with it and some of them are also written without it.
MUNICIPALITY_SHARE = 0.02
_GUN_RE = re.compile(r"^[^0-9]{1,6}?郡[^0-9]{1,5}?[町村]")


def _municipality_prefixes(base: str) -> list[str]:
    """The prefixes of an address that may be its municipality: up to each 市 among the
    first eight characters, and a 郡 with its 町 or 村."""
    prefixes = [base[: i + 1] for i, ch in enumerate(base[:8]) if ch == "市" and i > 0]
    match = _GUN_RE.match(base)
    if match:
        prefixes.append(match.group(0))
    return [p for p in prefixes if len(p) < len(base)]


def _strip_municipalities(bases: list[str | None]) -> list[str | None]:
    """The addresses without the name of the municipality, where the records of one
    municipality write it in some records and leave it out in others (美濃川市川合726 and
    川合726). Which prefixes are a municipality is read from the records themselves: a
    prefix ending in 市 (or 郡…町/村) that starts at least :data:`MUNICIPALITY_SHARE` of
    the distinct addresses, some of which are also written without it. A place name that
    happens to contain 市 (市場町) is too rare a prefix to be taken."""
    distinct = {b for b in bases if b}
    counts: Counter = Counter()
    for base in distinct:
        counts.update(_municipality_prefixes(base))
    least = max(2, MUNICIPALITY_SHARE * len(distinct))
    prefixes = {
        prefix
        for prefix, count in counts.items()
        if count >= least
        and any(b[len(prefix) :] in distinct for b in distinct if b.startswith(prefix))
    }
    if not prefixes:
        return bases
    stripped: dict[str, str] = {}
    for base in distinct:
        known = [p for p in _municipality_prefixes(base) if p in prefixes]
        stripped[base] = base[len(max(known, key=len)) :] if known else base
    return [stripped[b] if b else b for b in bases]


def prepare(columns: Mapping[str, Sequence[str]], *, parallel: bool = True) -> dict[str, list]:
    """Return the match-key columns of the records (one list per column).

    With ``parallel`` (and only from the main thread: forking a threaded web worker is
    unsafe), addresses of a large input are normalised in a forked second process.

    Readings written without a space are split where the family name's
    reading ends, using the family readings of the records that were written
    with a space (「タカハシタロウ」 with family name 高橋 → タカハシ / タロウ).
    """
    n = len(columns["source"])
    address_job = None
    if (
        parallel
        and n >= PARALLEL_FROM
        and (os.cpu_count() or 1) > 1
        and "fork" in mp.get_all_start_methods()
        and threading.current_thread() is threading.main_thread()
    ):
        distinct_addresses = list(dict.fromkeys(columns["address"]))
        pool = mp.get_context("fork").Pool(1)
        address_job = pool.apply_async(_apply_all, (_address_parts, distinct_addresses))
    names = _memo(_name_parts, columns["name"])
    # Family names written with a space in some record (or found in the
    # surname list) also split the names that could not be split.
    families = {parts[2] for parts in names if parts[3]}
    unsplit = {
        name: parts
        for name, parts in zip(columns["name"], names, strict=True)
        if parts[0] and not parts[3]
    }
    if unsplit and families:
        resplit = {name: _resplit(parts, families) for name, parts in unsplit.items()}
        names = [
            resplit.get(name, parts) for name, parts in zip(columns["name"], names, strict=True)
        ]
    kanas = _memo(_kana_parts, columns["kana"])
    nm, nm_loose, fam, given = (list(c) for c in zip(*names, strict=True)) if n else ([],) * 4
    kn, kn_fam, kn_given = (list(c) for c in zip(*kanas, strict=True)) if n else ([],) * 3

    # Family name → its most common reading, from the records with a spaced reading.
    readings: dict[str, Counter] = {}
    for family, reading in zip(fam, kn_fam, strict=True):
        if family and reading:
            readings.setdefault(family, Counter())[reading] += 1
    reading_of = {
        family: min(counter.items(), key=lambda item: (-item[1], item[0]))[0]
        for family, counter in readings.items()
    }
    for index in range(n):
        if kn[index] and kn_given[index] is None and fam[index]:
            reading = reading_of.get(fam[index])
            if reading and kn[index].startswith(reading) and len(kn[index]) > len(reading):
                kn_fam[index] = reading
                kn_given[index] = kn[index][len(reading) :]

    dob = _memo(_dob_key, columns["dob"])
    if address_job is not None:
        by_text = dict(zip(distinct_addresses, address_job.get(), strict=True))
        pool.close()
        pool.join()
        addresses = [by_text[text] for text in columns["address"]]
    else:
        addresses = _memo(_address_parts, columns["address"])
    return {
        "unique_id": list(range(n)),
        "nm": nm,
        "nm_loose": nm_loose,
        "fam": fam,
        "given": given,
        "kn": kn,
        "kn_fam": kn_fam,
        "kn_given": kn_given,
        "dob": dob,
        "dob_days": _memo(rules.dob_days, dob),
        "yob": [d[:4] if d else None for d in dob],
        "sex": _memo(_sex_key, columns["sex"]),
        "addr": _strip_municipalities([a[0] for a in addresses]),
        "bldg": [a[1] for a in addresses],
        "tel": [p or None for p in _memo(normalize_phone, columns["phone"])],
    }


# --- Model ------------------------------------------------------------------


def _level(
    sql: str, label: str, *, null: bool = False, tf_adjustment_column: str | None = None
) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    if tf_adjustment_column:
        # The level is not a plain exact match (the reading may be missing),
        # so its own u probability is the base of the adjustment.
        level["tf_adjustment_column"] = tf_adjustment_column
        level["disable_tf_exact_match_detection"] = True
    return level


def _one_apart(column: str) -> str:
    """SQL: the two values are one edit apart (Levenshtein ≤ 1).

    The edit distance is only computed for pairs that pass a cheap test (their
    lengths differ by at most one and they share the first or the last
    character, as every pair one edit apart of two or more characters does),
    which keeps the cost of random sampling low. (DuckDB's Damerau–Levenshtein
    is ten times slower than its Levenshtein.)
    """
    left, right = f"{column}_l", f"{column}_r"
    return (
        f"(abs(length({left}) - length({right})) <= 1"
        f" AND (left({left}, 1) = left({right}, 1) OR right({left}, 1) = right({right}, 1))"
        f" AND levenshtein({left}, {right}) <= 1)"
    )


#: SQL: the given names are known and clearly different: in kanji, with a
#: different reading (誠児/英二, セイジ/エイジ: twins), or, without kanji, in a
#: reading more than one character apart. Within one household this is the
#: mark of another person: a sibling, a twin, a spouse.
_GIVEN_DIFFERS = (
    "((given_l IS NOT NULL AND given_r IS NOT NULL AND given_l <> given_r"
    " AND NOT coalesce(kn_given_l = kn_given_r, false))"
    " OR (kn_given_l IS NOT NULL AND kn_given_r IS NOT NULL AND kn_given_l <> kn_given_r"
    f" AND NOT {_one_apart('kn_given')} AND (given_l IS NULL OR given_r IS NULL)))"
)
#: SQL: the same given name — in kanji when both records have it, else in reading.
_SAME_GIVEN = (
    "(given_l = given_r OR (kn_given_l = kn_given_r AND (given_l IS NULL OR given_r IS NULL)))"
)


def _comparisons() -> list:
    """The model's comparisons.

    The maiden-name level needs to know whether a person is old enough to have married;
    it reads the ``minor`` column (see :func:`link`) rather than the date of birth, so
    that the name comparison does not use the ``dob`` column and is estimated by the
    expectation maximisation that blocks on the date of birth (Splink leaves a comparison
    untrained in a session whose blocking rule uses one of its columns).
    """
    from splink import comparison_library as cl

    adult = "coalesce(NOT minor_l, true) AND coalesce(NOT minor_r, true)"

    name = cl.CustomComparison(
        output_column_name="name",
        comparison_description="氏名と読み (one piece of evidence)",
        comparison_levels=[
            _level(
                "(nm_l IS NULL AND kn_l IS NULL) OR (nm_r IS NULL AND kn_r IS NULL)",
                "null",
                null=True,
            ),
            _level(
                "(nm_l = nm_r AND (kn_l = kn_r OR kn_l IS NULL OR kn_r IS NULL))"
                " OR (kn_l = kn_r AND (nm_l IS NULL OR nm_r IS NULL))",
                "same name",
                tf_adjustment_column="nm",
            ),
            _level("nm_loose_l = nm_loose_r OR kn_l = kn_r", "same reading or kanji variant"),
            _level(
                f"{_SAME_GIVEN} AND NOT coalesce(fam_l = fam_r OR kn_fam_l = kn_fam_r, false)"
                f" AND (sex_l = 'f' OR sex_r = 'f') AND {adult}",
                "same given name, other family name (a woman's name before marriage)",
            ),
            _level(
                f"({_one_apart('kn')}"
                " AND (nm_loose_l = nm_loose_r OR nm_l IS NULL OR nm_r IS NULL))"
                f" OR ({_one_apart('nm')} AND (kn_l IS NULL OR kn_r IS NULL))",
                "one character apart in the reading or (without reading) in the name",
            ),
            _level("ELSE", "different"),
        ],
    )
    # Explicit slips of the pen instead of a generic distance; "years apart" is not a slip
    # and vetoes an automatic match (rules.vetoes, applied when clustering).
    dob = cl.CustomComparison(
        output_column_name="dob",
        comparison_description="生年月日",
        comparison_levels=[
            _level("dob_l IS NULL OR dob_r IS NULL", "null", null=True),
            *(_level(sql, label) for sql, label in rules.dob_sql_levels()),
        ],
    )
    sex = cl.CustomComparison(
        output_column_name="sex",
        comparison_description="性別",
        comparison_levels=[
            _level("sex_l IS NULL OR sex_r IS NULL", "null", null=True),
            _level("sex_l = sex_r", "same"),
            _level("ELSE", "different"),
        ],
    )
    same_address = "addr_l = addr_r AND (bldg_l IS NULL OR bldg_r IS NULL OR bldg_l = bldg_r)"
    contact = cl.CustomComparison(
        output_column_name="contact",
        comparison_description="住所と電話 (one piece of evidence)",
        comparison_levels=[
            _level(
                "(addr_l IS NULL OR addr_r IS NULL) AND (tel_l IS NULL OR tel_r IS NULL)",
                "null",
                null=True,
            ),
            # Fixed, not estimated: random pairs seldom share a household, so an
            # estimated u would make this level count *for* a match, while it is
            # the pattern of a sibling, a twin or a spouse (m: almost never).
            {
                **_level(
                    f"(addr_l = addr_r OR tel_l = tel_r) AND {_GIVEN_DIFFERS}",
                    "same household, another given name",
                ),
                "m_probability": 1e-6,
                "u_probability": 1e-4,
                "fix_m_probability": True,
                "fix_u_probability": True,
            },
            _level(f"{same_address} AND tel_l = tel_r", "same address and phone"),
            _level(same_address, "same address"),
            _level("tel_l = tel_r", "same phone"),
            _level("addr_l = addr_r", "same block number, other flat"),
            _level("ELSE", "different"),
        ],
    )
    # Two records of one agency under two numbers are more often two persons than two
    # records of two agencies: an agency looks its own clients up before registering.
    source = cl.CustomComparison(
        output_column_name="source",
        comparison_description="記録元",
        comparison_levels=[
            _level("src_l IS NULL OR src_r IS NULL", "null", null=True),
            _level("src_l = src_r", "same source"),
            _level("ELSE", "other source"),
        ],
    )
    return [name, dob, sex, contact, source]


def _blocking_rules() -> list:
    from splink import block_on

    return [
        # The same name (dates of birth mistyped or missing, moved); the same
        # reading (kanji written otherwise) with the same birth year or address.
        # Readings alone are shared by too many people (sum of squares ~2.5 × names).
        block_on("nm"),
        block_on("kn", "yob"),
        block_on("kn", "addr"),
        # The given name only, for a family name changed by marriage.
        block_on("given", "dob"),
        block_on("kn_given", "dob"),
        block_on("given", "addr"),
        block_on("kn_given", "addr"),
        block_on("given", "tel"),
        block_on("kn_given", "tel"),
        # A name mistyped or missing: the same date of birth at the same place.
        block_on("dob", "addr"),
        block_on("dob", "tel"),
    ]


# --- Linkage ----------------------------------------------------------------


def link(
    records: Any,
    threshold: float = DEFAULT_THRESHOLD,
    review_band: tuple[float, float] | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    seed: int = SEED,
    parallel: bool = True,
    backend: str = "duckdb",
    backend_options: Mapping[str, Any] | None = None,
    strict_household: bool = False,
) -> LinkResult:
    """Link person records and cluster them.

    ``parallel=False`` keeps all the work in this process (for a web request: see
    :func:`prepare`). ``backend`` names the engine Splink runs on
    (:func:`tsunagu.linkage.engines.engine`, with ``backend_options``).
    ``strict_household`` holds for review, besides the pairs the rules of
    :mod:`tsunagu.linkage.rules` always hold, every pair of one household (the same address
    or phone) of which one record has no date of birth: a son without a date of birth
    cannot be told from his father of the same name, at the cost of reviewing every such
    pair (see bench/linkage/README.md for what it costs in recall).

    ``threshold`` is the match probability from which two records are the
    same person; ``review_band`` ``(lo, hi)`` selects the pairs with
    ``lo <= match_probability < hi`` for human review (default: from 0.5 to
    the threshold). ``progress`` is called with each stage name of
    :data:`STAGES` as the stage starts. Raises :class:`LinkageInputError` for a
    missing column, an empty ``source``/``record_id`` or a duplicate record.
    """
    review_band = review_band or (min(DEFAULT_REVIEW_BAND[0], threshold), threshold)
    lo, hi = review_band
    if not 0 < lo <= hi <= 1 or not 0 < threshold <= 1:
        raise LinkageInputError("しきい値は0より大きく1以下で、下限≦上限にしてください。")
    report = progress or (lambda stage: None)
    seconds: dict[str, float] = {}
    started = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal started
        now = time.perf_counter()
        seconds[stage] = now - started
        started = now

    # Normalising allocates millions of small objects and no cycles: the cyclic
    # garbage collector would only rescan them over and over.
    collecting = gc.isenabled()
    gc.disable()
    try:
        columns = _columns(records)
        report("normalising")
        prepared = prepare(columns, parallel=parallel)
    finally:
        if collecting:
            gc.enable()
    lap("normalising")
    n = len(prepared["unique_id"])
    if n < 2:
        clusters = [
            ClusterAssignment(s, r, _cluster_name(i), None)
            for i, (s, r) in enumerate(zip(columns["source"], columns["record_id"], strict=True))
        ]
        return LinkResult(clusters, [], threshold, review_band, seconds)

    adult_born_before = _adult_born_before(prepared["dob"])
    prepared["src"] = list(columns["source"])
    prepared["minor"] = [
        None if dob is None else dob >= adult_born_before for dob in prepared["dob"]
    ]

    from splink import Linker, SettingsCreator

    from tsunagu.linkage.engines import engine as make_engine

    logging.getLogger("splink").setLevel(logging.ERROR)
    runner = make_engine(backend, **(backend_options or {}))
    try:
        table = runner.register(prepared)
        settings = SettingsCreator(
            link_type="dedupe_only",
            comparisons=_comparisons(),
            blocking_rules_to_generate_predictions=_blocking_rules(),
            retain_intermediate_calculation_columns=False,
            retain_matching_columns=False,
        )
        linker = Linker(table, settings, log_level=None)

        report("training")
        model = _train(linker, n, seed=seed)
        lap("training")

        report("predicting")
        predictions = linker.inference.predict(threshold_match_probability=min(lo, threshold))
        lap("predicting")

        report("clustering")
        # millions of small tuples and lists, no cycles: see the normalising step
        gc.disable()
        try:
            cluster_of, best, review = _clusters_and_review(
                runner,
                predictions,
                prepared,
                threshold=threshold,
                band=(lo, hi),
                strict_household=strict_household,
            )
        finally:
            if collecting:
                gc.enable()
    finally:
        runner.close()

    source, record_id = columns["source"], columns["record_id"]
    names = [_cluster_name(number) for number in range(max(cluster_of, default=-1) + 1)]
    gc.disable()
    try:
        clusters = [
            ClusterAssignment(source[uid], record_id[uid], names[cluster_of[uid]], best[uid])
            for uid in range(n)
        ]
    finally:
        if collecting:
            gc.enable()
    review_pairs = [
        ReviewPair(source[left], record_id[left], source[right], record_id[right], p, w, why)
        for left, right, p, w, why in review
    ]
    lap("clustering")
    return LinkResult(clusters, review_pairs, threshold, review_band, seconds, model)


def _train(linker: Any, n: int, *, seed: int) -> dict[str, Any]:
    """Estimate the model on the records themselves, and return it (:func:`trained_model`).

    The prior from the pairs agreeing on name and date of birth or on reading and date of
    birth (taken as 80% of the true matches); the u probabilities from random pairs (at most
    :data:`U_PAIRS`, a level never hit given one observation); the m probabilities by
    expectation maximisation on the pairs sharing a date of birth, then on those sharing a
    name.
    """
    from splink import block_on

    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on("nm", "dob"), block_on("kn", "dob")], recall=0.8
    )
    training.estimate_u_using_random_sampling(
        max_pairs=min(U_PAIRS, n * (n - 1) / 2),
        seed=seed,
        min_count_per_level=None,
        num_chunks=1,
    )
    _fill_unobserved_u(linker, U_PAIRS)
    em_pairs = 2e6
    training.estimate_parameters_using_expectation_maximisation(
        block_on("dob"), estimate_without_term_frequencies=True, max_pairs=em_pairs
    )
    training.estimate_parameters_using_expectation_maximisation(
        block_on("nm"), estimate_without_term_frequencies=True, max_pairs=em_pairs
    )
    return trained_model(linker)


def _clusters_and_review(
    runner: Any,
    predictions: Any,
    prepared: Mapping[str, list],
    *,
    threshold: float,
    band: tuple[float, float],
    strict_household: bool = False,
) -> tuple[list[int], list[float | None], list[tuple]]:
    """The cluster of each record, each record's best probability in its cluster, and the
    pairs for review ``(left, right, probability, weight, reason)``, likeliest first.

    ``strict_household`` also holds every pair of one household of which one record has no
    date of birth (:data:`~tsunagu.linkage.rules.HOLD_NO_DOB`).

    Pairs from ``threshold`` on join two records unless a rule forbids it (see
    :func:`_constrained_clusters`); the pairs refused go to review with the rule's reason,
    as do the predicted pairs of the review ``band`` (``lo <= match_probability < hi``).
    """
    n = len(prepared["unique_id"])
    holds = _holds(prepared)
    dobs, addr, tel = prepared["dob"], prepared["addr"], prepared["tel"]
    name, fam, kana = prepared["nm_loose"], prepared["fam"], prepared["kn"]
    given = _memo(lambda g: fold_variants(g, loose=True) if g else None, prepared["given"])

    def conflict(i: int, j: int) -> str | None:
        reason = holds.get((i, j) if i < j else (j, i))
        if reason:
            return reason
        if rules.vetoes(dobs[i], dobs[j]):
            return rules.HOLD_DOB_VETO
        if (addr[i] is not None and addr[i] == addr[j]) or (
            tel[i] is not None and tel[i] == tel[j]
        ):
            if strict_household and (dobs[i] is None or dobs[j] is None):
                return rules.HOLD_NO_DOB
            if rules.other_given_name(
                (name[i], fam[i], given[i], kana[i]), (name[j], fam[j], given[j], kana[j])
            ):
                return rules.HOLD_OTHER_GIVEN
        return None

    edges = runner.rows(
        predictions,
        "unique_id_l, unique_id_r, match_probability, match_weight",
        f"match_probability >= {float(threshold)!r}",
        "match_probability DESC, unique_id_l, unique_id_r",  # the order they are taken in
    )
    cluster_of, best, refused = _constrained_clusters(n, edges, conflict)
    lo, hi = band
    review = [
        (left, right, p, w, conflict(left, right) or "")
        for left, right, p, w in runner.rows(
            predictions,
            "unique_id_l, unique_id_r, match_probability, match_weight",
            f"match_probability >= {float(lo)!r} AND match_probability < {float(hi)!r}",
        )
    ]
    review += refused
    review.sort(key=lambda pair: (-pair[2], pair[0], pair[1]))
    return cluster_of, best, review


def _holds(prepared: Mapping[str, list]) -> dict[tuple[int, int], str]:
    """The pairs a person must tell apart (:func:`tsunagu.linkage.rules.household_holds`):
    the same name or reading at the same address or phone, generations apart."""
    names = list(zip(prepared["nm"], prepared["kn"], strict=True))
    households = list(zip(prepared["addr"], prepared["tel"], strict=True))
    return rules.household_holds(names, households, prepared["dob"])


def _constrained_clusters(
    n: int, edges: list[tuple], conflict: Callable[[int, int], str | None]
) -> tuple[list[int], list[float | None], list[tuple]]:
    """Cluster records 0..n-1 by the links ``(left, right, probability, weight)``, never
    putting two records that ``conflict`` into one cluster, directly or through others
    (A≈B and B≈C do not join A and C when A and C conflict).

    Links are taken likeliest first; a link that would join a conflicting pair is refused
    and returned as ``(left, right, probability, weight, reason)`` — the reason of the link
    itself, or :data:`~tsunagu.linkage.rules.HOLD_CHAIN` when the conflict is between other
    records of the two clusters. Returns each record's cluster number (clusters numbered in
    the order of their first record), its best probability among the links taken, and the
    refused links.
    """
    parent = list(range(n))
    members: dict[int, list[int]] = {}
    best: list[float | None] = [None] * n
    refused: list[tuple] = []

    def find(node: int) -> int:
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:  # path compression
            parent[node], node = root, parent[node]
        return root

    for left, right, probability, weight in sorted(edges, key=lambda e: (-e[2], e[0], e[1])):
        reason = conflict(left, right)
        root_left, root_right = find(left), find(right)
        if reason is None and root_left != root_right:
            group_left = members.get(root_left, [root_left])
            group_right = members.get(root_right, [root_right])
            if any(
                conflict(a, b) for a in group_left for b in group_right if (a, b) != (left, right)
            ):
                reason = rules.HOLD_CHAIN
        if reason is not None:
            refused.append((left, right, probability, weight, reason))
            continue
        for node in (left, right):
            if best[node] is None or probability > best[node]:
                best[node] = probability
        if root_left != root_right:
            if root_right < root_left:
                root_left, root_right = root_right, root_left
            parent[root_right] = root_left
            members[root_left] = members.pop(root_left, [root_left]) + members.pop(
                root_right, [root_right]
            )
    number_of: dict[int, int] = {}
    cluster_of = []
    for node in range(n):
        root = find(node)
        if root not in number_of:
            number_of[root] = len(number_of)
        cluster_of.append(number_of[root])
    return cluster_of, best, refused


def trained_model(linker: Any) -> dict[str, Any]:
    """The estimated parameters as plain data: the prior and, per comparison, the m and u
    probability of every non-null level (in the order of :func:`_comparisons`).

    :mod:`tsunagu.linkage.lookup` scores one person against the register with these
    figures, so the real-time check and the batch linkage weigh evidence alike.
    """
    settings = linker._settings_obj
    comparisons = {}
    for comparison in settings.comparisons:
        levels = []
        for level in comparison.comparison_levels:
            if level.is_null_level:
                continue
            levels.append(
                {
                    "label": level.label_for_charts,
                    "m": float(level.m_probability),
                    "u": float(level.u_probability),
                }
            )
        comparisons[comparison.output_column_name] = levels
    return {
        "probability_two_random_records_match": float(
            settings._probability_two_random_records_match
        ),
        "comparisons": comparisons,
    }


def _adult_born_before(dobs: list[str | None]) -> str:
    """``YYYYMMDD`` 16 years before the latest date of birth in the records.

    The latest birth stands for the date of the export, so the result depends
    on the input only (not on the day the linkage runs).
    """
    latest = max((dob for dob in dobs if dob), default=None)
    if latest is None:
        return "99999999"
    return f"{int(latest[:4]) - 16:04d}{latest[4:]}"


def _fill_unobserved_u(linker: Any, sampled_pairs: float) -> None:
    """Give levels that random sampling never hit the u of one observation.

    Agreeing on a phone number or on an address with another flat is rarer
    among random pairs than one in the pairs sampled; Splink would leave the
    level without a u probability. One observation in the sample is an upper
    bound of the true u, so the weight given is, if anything, too small.
    """
    for comparison in linker._settings_obj.comparisons:
        for level in comparison.comparison_levels:
            if level.is_null_level:
                continue
            if not isinstance(level._u_probability, float) or level._u_probability <= 0:
                level.u_probability = 1 / sampled_pairs


def _cluster_name(index: int) -> str:
    return f"C{index + 1:07d}"


def assignments_by_record(result: LinkResult) -> dict[tuple[str, str], ClusterAssignment]:
    """Index the clusters of a result by ``(source, record_id)``."""
    return {(c.source, c.record_id): c for c in result.clusters}


def records_from_rows(rows: Iterable[Sequence[str]]) -> dict[str, list[str]]:
    """Columns from rows in the order of :data:`COLUMNS` (as CSV files are written)."""
    columns: dict[str, list[str]] = {c: [] for c in COLUMNS}
    lists = [columns[c] for c in COLUMNS]
    for row in rows:
        for target, value in zip(lists, row, strict=False):
            target.append(value)
    return columns
