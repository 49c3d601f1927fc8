"""Japanese names with matching readings, for demo persons.

The kanji/reading pairs come from the name list shipped with the ``gimei`` package (MIT
licence), where every entry carries its own reading, so 氏名 and フリガナ always agree.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class NamePart:
    kanji: str
    kana: str  # katakana


@cache
def _name_data() -> dict:
    text = resources.files("gimei").joinpath("data/names.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _parts(entries) -> tuple[NamePart, ...]:
    return tuple(NamePart(kanji=e[0], kana=e[2]) for e in entries)


@cache
def family_names() -> tuple[NamePart, ...]:
    return _parts(_name_data()["last_name"])


@cache
def given_names(sex: str) -> tuple[NamePart, ...]:
    key = "male" if sex == "male" else "female"
    return _parts(_name_data()["first_name"][key])


def pick_family_name(rng: random.Random) -> NamePart:
    names = family_names()
    # The list is ordered roughly by frequency: favour common surnames as real rosters do.
    index = min(int(rng.paretovariate(1.2)) - 1, len(names) - 1)
    return names[index] if rng.random() < 0.6 else rng.choice(names)


def pick_given_name(rng: random.Random, sex: str) -> NamePart:
    return rng.choice(given_names(sex))
