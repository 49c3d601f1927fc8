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
    # the C loader (libyaml) when PyYAML has it: the same data, several times faster
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _parts(entries) -> tuple[NamePart, ...]:
    return tuple(NamePart(kanji=e[0], kana=e[2]) for e in entries)


@cache
def family_names() -> tuple[NamePart, ...]:
    return _parts(_name_data()["last_name"])


@cache
def given_names(sex: str) -> tuple[NamePart, ...]:
    key = "male" if sex == "male" else "female"
    return _parts(_name_data()["first_name"][key])


@cache
def _family_weights() -> tuple[float, ...]:
    # The list runs roughly from common to rare; a Zipf-like curve gives the most common
    # surname about 2 % of people, close to the share of 佐藤 in Japan.
    return tuple(1 / (rank + 10) for rank in range(len(family_names())))


def pick_family_name(rng: random.Random) -> NamePart:
    return rng.choices(family_names(), weights=_family_weights())[0]


def pick_given_name(rng: random.Random, sex: str) -> NamePart:
    return rng.choice(given_names(sex))
