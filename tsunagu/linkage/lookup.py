"""Real-time lookup (照会): which registered persons may be the person being registered?

A desk worker types a name, a reading, a date of birth and perhaps an address; before a new
person is created the register is asked who may already be this person. The answer is a
short list of candidates, each with a match probability and the reasons in Japanese.

Candidates are found through indexed blocking keys of :class:`~tsunagu.people.models.Person`
(each a plain B-tree index, so both databases answer from the index):

* the same name key (異体字 folded: 髙橋 = 高橋), whatever the date of birth, which may be
  mistyped or missing;
* the same reading key (hiragana, katakana and half-width kana fold together), for a name
  written with other kanji;
* the same loosely folded name key (斉藤/斎藤, 龍/竜), for the characters people confuse;
* the same date of birth, for a family name changed by marriage, a mistyped name or a
  name written in another script.

Each candidate is then scored with the comparisons of the batch linkage
(:mod:`tsunagu.linkage.batch`): name and reading as one piece of evidence, date of birth,
sex, address and phone as one piece of evidence with a strongly negative level for "same
household, another given name". The m and u probabilities are those the batch model
estimated on the synthetic population of ``bench/linkage`` (``lookup_model.json``, written by
``python -m tsunagu.linkage link … --model-output``), so a pair gets the same weight of
evidence here as in a batch run. The frequency of the name in the register adjusts the
weight of an exact name match (two 佐藤花子 among a million persons say less than one
鳳凰院一郎), and the prior is one in the size of the register.
"""

from __future__ import annotations

import datetime
import json
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tsunagu.linkage import rules
from tsunagu.linkage.address import normalize_address
from tsunagu.linkage.keys import stored_keys  # noqa: F401  (the keys stored on a person)
from tsunagu.linkage.normalize import _hiragana_to_katakana, name_keys, normalize_phone
from tsunagu.linkage.variants import fold_variants
from tsunagu.people.models import Person

__all__ = [
    "Candidate",
    "MatchKeys",
    "Probe",
    "keys_of_person",
    "keys_of_probe",
    "lookup",
    "score",
]

MODEL_PATH = Path(__file__).with_name("lookup_model.json")

#: A register is taken to hold at least this many persons when the prior and the frequency
#: of a name are computed: the model was estimated on a population of this order, and in a
#: small register (a new installation, a test) one person named 山田花子 says nothing about
#: how common the name is.
MIN_POPULATION = 100_000
#: Candidates below this probability are not reported.
MIN_PROBABILITY = 0.01
#: Rows read per blocking key at most (a name shared by more people than this is common
#: enough that the frequency adjustment has already made an exact name match weak).
BLOCK_CAP = 200
#: Rows read for one date of birth at most (about 30 per day in a register of a million).
DOB_BLOCK_CAP = 500
#: A woman old enough to have married and taken another family name.
ADULT_AGE = 16

_SEX = {"male": "m", "female": "f", "m": "m", "f": "f"}

#: Lowest m probability of a level, where the synthetic population that the model was
#: estimated on is cleaner than real registers: it never records the wrong sex, while
#: agency systems do (1 and 2 swapped between codings, a form filled in for a relative).
#: Without the floor a different sex alone would hide a person with the same name, date of
#: birth and address, and a duplicate would be registered unnoticed.
M_FLOORS = {("sex", "different"): 0.01}


@dataclass(frozen=True, slots=True)
class Probe:
    """What is known of the person being looked up (fields as typed)."""

    name: str = ""
    kana: str = ""
    birth_date: datetime.date | None = None
    sex: str = ""
    address: str = ""
    phones: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MatchKeys:
    """The comparison keys of one side of a pair (``None``: unknown)."""

    nm: str | None = None
    nm_loose: str | None = None
    fam: str | None = None
    given: str | None = None
    kn: str | None = None
    kn_fam: str | None = None
    kn_given: str | None = None
    dob: str | None = None  # YYYYMMDD
    sex: str | None = None
    addr: str | None = None
    bldg: str | None = None
    tels: frozenset[str] = frozenset()


@dataclass
class Candidate:
    """A registered person who may be the person looked up."""

    person_id: int
    probability: float
    match_weight: float
    reasons: list[str] = field(default_factory=list)
    levels: dict[str, str] = field(default_factory=dict)
    #: Why a person must decide whatever the figure (a key of ``rules.HOLD_REASONS``).
    hold: str = ""

    @property
    def band(self) -> str:
        """高 / 中 / 低, as the screens show it."""
        if self.probability >= 0.99:
            return "高"
        if self.probability >= 0.5:
            return "中"
        return "低"


# --- Keys -------------------------------------------------------------------


def _dob_key(day: datetime.date | None) -> str | None:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}" if day else None


def keys_of_probe(probe: Probe) -> MatchKeys:
    keys = name_keys(probe.name or "", probe.kana or "")
    address = normalize_address(probe.address or "")
    tels = frozenset(t for t in (normalize_phone(p) for p in probe.phones) if t)
    return MatchKeys(
        nm=keys.name or None,
        nm_loose=fold_variants(keys.name, loose=True) or None,
        fam=keys.family or None,
        given=keys.given or None,
        kn=keys.kana or None,
        kn_fam=keys.kana_family or None,
        kn_given=keys.kana_given or None,
        dob=_dob_key(probe.birth_date),
        sex=_SEX.get(probe.sex or ""),
        addr=address.base or None,
        bldg=address.building or None,
        tels=tels,
    )


def keys_of_person(person: Any) -> MatchKeys:
    """Keys of a :class:`~tsunagu.people.models.Person` from its stored search keys."""
    return MatchKeys(
        nm=person.key_name or None,
        nm_loose=person.key_name_loose or None,
        fam=person.key_family or None,
        given=person.key_given or None,
        kn=person.key_kana or None,
        kn_fam=person.key_kana_family or None,
        kn_given=person.key_kana_given or None,
        dob=_dob_key(person.birth_date),
        sex=_SEX.get(person.sex or ""),
        addr=person.key_address or None,
        bldg=person.key_building or None,
        tels=frozenset(person.key_phones.split()),
    )


# --- Comparisons (the levels of tsunagu.linkage.batch._comparisons) ---------------


def _eq(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a == b


_SCRIPT_FOLD = str.maketrans(_hiragana_to_katakana())


def _eq_script(a: str | None, b: str | None) -> bool:
    """Equal names once hiragana and katakana are taken as one script (name keys keep the
    script as written: 「高木 きよ」 and 「高木 キヨ」 are one name written two ways)."""
    return _eq(a, b) or (
        a is not None and b is not None and a.translate(_SCRIPT_FOLD) == b.translate(_SCRIPT_FOLD)
    )


def _within_one_edit(a: str, b: str) -> bool:
    """Levenshtein distance ≤ 1."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _one_apart(a: str | None, b: str | None) -> bool:
    """As the batch SQL: lengths within one, first or last character shared, one edit."""
    if a is None or b is None:
        return False
    return (
        abs(len(a) - len(b)) <= 1
        and (a[:1] == b[:1] or a[-1:] == b[-1:])
        and _within_one_edit(a, b)
    )


def _same_given(p: MatchKeys, q: MatchKeys) -> bool:
    return _eq_script(p.given, q.given) or (
        _eq(p.kn_given, q.kn_given) and (p.given is None or q.given is None)
    )


def _given_differs(p: MatchKeys, q: MatchKeys) -> bool:
    if _eq(p.kn, q.kn):
        # the same full reading: the given names are read alike (one written in kanji or
        # kana, or a reading without a space that could not be split)
        return False
    if (
        p.given is not None
        and q.given is not None
        and not _eq_script(p.given, q.given)
        and not _eq(p.kn_given, q.kn_given)
    ):
        return True
    return (
        p.kn_given is not None
        and q.kn_given is not None
        and p.kn_given != q.kn_given
        and not _one_apart(p.kn_given, q.kn_given)
        and (p.given is None or q.given is None)
    )


def _adult(dob: str | None, adult_born_before: str) -> bool:
    return dob is None or dob < adult_born_before


def name_level(p: MatchKeys, q: MatchKeys, adult_born_before: str) -> str | None:
    if (p.nm is None and p.kn is None) or (q.nm is None and q.kn is None):
        return None
    if (_eq_script(p.nm, q.nm) and (_eq(p.kn, q.kn) or p.kn is None or q.kn is None)) or (
        _eq(p.kn, q.kn) and (p.nm is None or q.nm is None)
    ):
        return "same name"
    if _eq(p.nm_loose, q.nm_loose) or _eq(p.kn, q.kn):
        return "same reading or kanji variant"
    if (
        _same_given(p, q)
        and not (_eq(p.fam, q.fam) or _eq(p.kn_fam, q.kn_fam))
        and (p.sex == "f" or q.sex == "f")
        and _adult(p.dob, adult_born_before)
        and _adult(q.dob, adult_born_before)
    ):
        return "same given name, other family name (a woman's name before marriage)"
    if (
        _one_apart(p.kn, q.kn) and (_eq(p.nm_loose, q.nm_loose) or p.nm is None or q.nm is None)
    ) or (_one_apart(p.nm, q.nm) and (p.kn is None or q.kn is None)):
        return "one character apart in the reading or (without reading) in the name"
    return "different"


def dob_level(p: MatchKeys, q: MatchKeys) -> str | None:
    return rules.dob_level(p.dob, q.dob)


def sex_level(p: MatchKeys, q: MatchKeys) -> str | None:
    if p.sex is None or q.sex is None:
        return None
    return "same" if p.sex == q.sex else "different"


def contact_level(p: MatchKeys, q: MatchKeys) -> str | None:
    same_tel = bool(p.tels & q.tels)
    if (p.addr is None or q.addr is None) and (not p.tels or not q.tels):
        return None
    same_addr = _eq(p.addr, q.addr)
    if (same_addr or same_tel) and _given_differs(p, q):
        return "same household, another given name"
    same_address = same_addr and (p.bldg is None or q.bldg is None or p.bldg == q.bldg)
    if same_address and same_tel:
        return "same address and phone"
    if same_address:
        return "same address"
    if same_tel:
        return "same phone"
    if same_addr:
        return "same block number, other flat"
    return "different"


#: What the screens say of each level (nothing is said of a level that is unknown).
REASONS = {
    ("name", "same given name, other family name (a woman's name before marriage)"): (
        "名が一致・姓が異なる（旧姓の可能性）"
    ),
    ("name", "one character apart in the reading or (without reading) in the name"): (
        "氏名が1文字違い"
    ),
    ("name", "different"): "氏名が異なる",
    ("dob", "same"): "生年月日が一致",
    ("dob", "day and month swapped"): "生年月日の月と日が入れ替わっている",
    ("dob", "one day apart"): "生年月日が1日違い",
    ("dob", "one year apart"): "生まれ年が1年違い（月日は一致）",
    ("dob", "era year"): "生まれ年が元号違い（和暦の年と月日は一致）",
    ("dob", "one digit apart"): "生年月日が1桁違い",
    ("dob", "different"): "生年月日が異なる",
    ("dob", "years apart"): "生年月日が何年も異なる",
    ("sex", "different"): "性別が異なる",
    ("contact", "same household, another given name"): "同じ世帯の別の方の可能性",
    ("contact", "same address and phone"): "住所・電話が一致",
    ("contact", "same address"): "住所が一致",
    ("contact", "same phone"): "電話番号が一致",
    ("contact", "same block number, other flat"): "同じ番地（部屋は別）",
}


def _name_reasons(p: MatchKeys, q: MatchKeys, level: str) -> list[str]:
    if level in ("same name", "same reading or kanji variant"):
        reasons = []
        if _eq_script(p.nm, q.nm):
            reasons.append("氏名が一致")
        elif _eq(p.nm_loose, q.nm_loose):
            reasons.append("氏名が異体字違いで一致（斉・斎など）")
        if _eq(p.kn, q.kn):
            reasons.append("フリガナが一致")
        return reasons
    return [REASONS[("name", level)]]


# --- Model ------------------------------------------------------------------


@dataclass(frozen=True)
class Model:
    weights: dict[tuple[str, str], float]
    u: dict[tuple[str, str], float]

    @classmethod
    def load(cls, data: dict[str, Any]) -> Model:
        weights, u = {}, {}
        for comparison, levels in data["comparisons"].items():
            for level in levels:
                key = (comparison, level["label"])
                m = max(level["m"], M_FLOORS.get(key, 0.0))
                weights[key] = math.log2(m / level["u"])
                u[key] = level["u"]
        return cls(weights=weights, u=u)


@cache
def model() -> Model:
    return Model.load(json.loads(MODEL_PATH.read_text(encoding="utf-8")))


def pair_levels(
    probe: MatchKeys, person: MatchKeys, *, today: datetime.date | None = None
) -> dict[str, str | None]:
    """The level of each comparison (``None``: unknown on one side)."""
    adult_from = _dob_key(_years_before(today or datetime.date.today(), ADULT_AGE))
    return {
        "name": name_level(probe, person, adult_from),
        "dob": dob_level(probe, person),
        "sex": sex_level(probe, person),
        "contact": contact_level(probe, person),
    }


def score(
    probe: MatchKeys,
    person: MatchKeys,
    *,
    population: int,
    name_count: int = 1,
    today: datetime.date | None = None,
    person_id: int = 0,
) -> Candidate:
    """Score one pair; ``name_count`` is how many registered persons share the probe's name
    key and ``population`` how many persons the register holds (both only estimates)."""
    population = max(population, MIN_POPULATION)
    levels = pair_levels(probe, person, today=today)
    m = model()
    weight = math.log2(1 / population)
    reasons = []
    for comparison, level in levels.items():
        if level is None:
            continue
        weight += m.weights[(comparison, level)]
        if (comparison, level) == ("name", "same name"):
            # term frequency: the share of the register that bears this name
            frequency = max(name_count, 1) / population
            weight += math.log2(m.u[(comparison, level)] / frequency)
        if comparison == "name":
            reasons.extend(_name_reasons(probe, person, level))
            continue
        reason = REASONS.get((comparison, level))
        if reason:
            reasons.append(reason)
    held = holds(probe, person, levels)
    levels = {k: v for k, v in levels.items() if v is not None}
    probability = calibrated(1 / (1 + 2.0 ** (-weight)), levels)
    for key in reversed(held):
        reasons.insert(0, rules.HOLD_REASONS[key])
        probability = min(probability, HOLD_CAPS.get(key, 1.0))
    return Candidate(
        person_id=person_id,
        probability=probability,
        match_weight=weight,
        reasons=reasons,
        levels=levels,
        hold=held[0] if held else "",
    )


#: Name levels that say "the same name", and contact levels that say "one household".
_SAME_NAME = frozenset({"same name", "same reading or kanji variant"})
_ONE_HOUSEHOLD = frozenset(
    {"same address and phone", "same address", "same phone", "same block number, other flat"}
)


def cautions(a: Any, b: Any, *, today: datetime.date | None = None) -> list[str]:
    """Why two registered persons must not be merged without a person deciding (keys of
    :data:`tsunagu.linkage.rules.HOLD_REASONS`), see :func:`holds`."""
    p, q = keys_of_person(a), keys_of_person(b)
    return holds(p, q, pair_levels(p, q, today=today))


def holds(p: MatchKeys, q: MatchKeys, levels: dict[str, str | None]) -> list[str]:
    """The rules of :mod:`tsunagu.linkage.rules` that hold a pair back from an automatic
    merge: dates of birth that differ without a slip (for the same name in one household:
    another generation), and in one household given names in other kanji or a date of
    birth missing on one side."""
    contact = levels.get("contact")
    household = contact in _ONE_HOUSEHOLD or contact == "same household, another given name"
    if levels.get("dob") in rules.VETO_LEVELS:
        if levels.get("name") in _SAME_NAME and household:
            return [rules.HOLD_GENERATION]
        return [rules.HOLD_DOB_VETO]
    if not household:
        return []
    found = []
    if rules.other_given_name(
        (p.nm_loose, p.fam, _loose(p.given), p.kn), (q.nm_loose, q.fam, _loose(q.given), q.kn)
    ):
        found.append(rules.HOLD_OTHER_GIVEN)
    if levels.get("dob") is None and levels.get("name") in _SAME_NAME:
        found.append(rules.HOLD_NO_DOB)
    return found


def _loose(key: str | None) -> str | None:
    return fold_variants(key, loose=True) if key else None


#: The highest probability shown for a pair held back by a rule (see :func:`holds`):
#: dates of birth that differ stay below 中; given names in other kanji in one household
#: (twins read alike) below 高.
HOLD_CAPS = {
    rules.HOLD_GENERATION: 0.49,
    rules.HOLD_DOB_VETO: 0.49,
    rules.HOLD_OTHER_GIVEN: 0.9,
}


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# --- Lookup against the register ----------------------------------------------------


@dataclass
class LookupResult:
    candidates: list[Candidate]
    #: More persons share the name than were read: a date of birth narrows the answer.
    common_name: bool = False


def lookup(
    probe: Probe,
    *,
    limit: int = 10,
    min_probability: float = MIN_PROBABILITY,
    today: datetime.date | None = None,
) -> LookupResult:
    """Registered persons who may be ``probe``, best first.

    Every person not archived is searched; the caller decides what the user may be shown of
    each candidate. Every query runs on one indexed
    key and reads at most :data:`BLOCK_CAP` rows (:data:`DOB_BLOCK_CAP` for a date of birth).
    """
    from django.db.models import Max

    persons = Person.objects.filter(is_archived=False)
    keys = keys_of_probe(probe)
    if keys.nm is None and keys.kn is None:
        return LookupResult(candidates=[])
    ids: dict[int, None] = {}
    name_count = 0
    common = False
    blocks: list[tuple[dict[str, Any], int]] = []
    if keys.nm:
        blocks.append(({"key_name": keys.nm}, BLOCK_CAP))
    if keys.kn:
        blocks.append(({"key_kana": keys.kn}, BLOCK_CAP))
    if keys.nm_loose and keys.nm_loose != keys.nm:
        blocks.append(({"key_name_loose": keys.nm_loose}, BLOCK_CAP))
    if probe.birth_date:
        blocks.append(({"birth_date": probe.birth_date}, DOB_BLOCK_CAP))
    for condition, cap in blocks:
        found = list(persons.filter(**condition).order_by().values_list("pk", flat=True)[:cap])
        if "key_name" in condition:
            name_count = len(found)
            common = len(found) >= cap and probe.birth_date is None
        ids.update(dict.fromkeys(found))
    if not ids:
        return LookupResult(candidates=[])
    population = Person.objects.aggregate(top=Max("pk"))["top"] or 0
    rows = Person.objects.filter(pk__in=list(ids)).only(
        "pk",
        "sex",
        "birth_date",
        "key_name",
        "key_name_loose",
        "key_family",
        "key_given",
        "key_kana",
        "key_kana_family",
        "key_kana_given",
        "key_address",
        "key_building",
        "key_phones",
    )
    candidates = []
    for row in rows:
        candidate = score(
            keys,
            keys_of_person(row),
            population=population,
            name_count=name_count,
            today=today,
            person_id=row.pk,
        )
        # a parent of the same name in the household is shown whatever the figure
        if candidate.probability >= min_probability or candidate.hold == rules.HOLD_GENERATION:
            candidates.append(candidate)
    candidates.sort(key=lambda c: (-c.match_weight, c.person_id))
    return LookupResult(candidates=candidates[:limit], common_name=common)


# --- Display ----------------------------------------------------------------


#: Levels at which the evidence speaks against the pair being one person.
DISAGREEING = frozenset(
    {
        ("name", "same given name, other family name (a woman's name before marriage)"),
        ("name", "one character apart in the reading or (without reading) in the name"),
        ("name", "different"),
        *(("dob", level) for level in rules.DOB_LEVELS if level != "same"),
        ("sex", "different"),
        ("contact", "same household, another given name"),
        ("contact", "same block number, other flat"),
        ("contact", "different"),
    }
)


def disagreeing(levels: dict[str, str | None]) -> list[tuple[str, str]]:
    """The (comparison, level) pairs of ``levels`` at which the evidence disagrees."""
    return [item for item in levels.items() if item in DISAGREEING]


#: The highest probability of a pair on which some evidence disagrees: still 高 (measured
#: on the bench population, such pairs are as reliable as the others of the band; see
#: bench/linkage/README.md), but never shown as a certainty and never at a threshold of
#: automatic merging above it.
DISAGREEING_CAP = 0.99


def calibrated(probability: float, levels: dict[str, str | None]) -> float:
    """The probability to show and store: at most :data:`DISAGREEING_CAP` when some
    evidence disagrees (a date of birth, a name, a sex or an address that differs), and at
    most the cap of :data:`HOLD_CAPS` when the dates of birth differ without a slip."""
    if levels.get("dob") in rules.VETO_LEVELS:
        return min(probability, HOLD_CAPS[rules.HOLD_DOB_VETO])
    if disagreeing(levels):
        return min(probability, DISAGREEING_CAP)
    return probability


def display_percent(probability: float) -> str:
    """A probability as the screens show it: rounded down (a figure never reads as a higher
    band than its badge), never 100 % and never 0 %."""
    value = min(probability * 100, 99.9)
    if value >= 95:
        return f"{math.floor(round(value * 10, 6)) / 10:.1f}"
    return str(max(math.floor(value), 1))
