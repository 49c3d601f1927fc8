"""Synthetic Japanese person records from several agencies, with ground truth.

A population of households is drawn, each person is known to 1–4 agencies
(sources), and every agency's record of a person is written the way agency
systems really differ::

    .venv/bin/python bench/linkage/generate.py --records 100000 --out /tmp/linkage100k
    # → /tmp/linkage100k/records.csv  (source,record_id,name,kana,dob,sex,address,phone)
    #   /tmp/linkage100k/truth.csv    (source,record_id,person_id,household_id)

Population:

* family names from the ``gimei`` list (kanji with its reading) with a
  Zipf-like weight, so that 佐藤 is about 2 % of people; given names with their
  readings from the same list, with a milder skew;
* households of 1–6 people at one address and, for 60 % of them, one
  landline: a couple (the wife has a maiden name), children with the family
  name, sometimes twins, sometimes a parent of the head — same surname, same
  address, same phone, different given name and date of birth: the hardest
  false merges; a quarter of households live in apartment buildings shared
  with other households (same block number, different room);
* every person known to 1–4 agencies (35/30/20/15 %).

Corruptions, per record (rates are the constants below):

* kanji variants of the family name (髙橋/高橋, 齋藤/斎藤/斉藤, 渡邊/渡邉/渡辺,
  﨑, 澤, 嶋, 濱, 櫻, 廣 …), with or without a space (half or full width);
* maiden names: a married woman's record at some agencies still has the
  family name and reading she had before marriage;
* readings in katakana, hiragana or half-width katakana, with or without a
  space, sometimes with one kana mistyped, sometimes missing;
* dates of birth in ISO, slashes, 8 digits, ``S55.3.1`` or ``昭和55年3月1日``,
  sometimes with two digits swapped or one mistyped, sometimes missing;
* addresses as 1-2-3, 一丁目二番三号, 1丁目2番地3 or full width, with or
  without prefecture and building, sometimes the previous address (moved),
  sometimes missing;
* phones as landline or mobile, with or without hyphens, in full width,
  often missing; sex as 男/女, 1/2 or M/F, sometimes missing.

Everything is drawn from one :class:`random.Random` seeded with ``--seed``,
so the same arguments write the same files byte for byte.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tsunagu.common.wareki import format_wareki, format_wareki_short
from tsunagu.demo.names import NamePart, family_names, given_names

SOURCES = (
    "kaigo",  # 介護保険課
    "seiho",  # 生活保護課
    "shogai",  # 障害福祉課
    "kosodate",  # 子育て支援課
    "houkatsu",  # 地域包括支援センター
    "shakyo",  # 社会福祉協議会
    "hoken",  # 保健センター
    "kokuho",  # 国保年金課
)
AGENCY_COUNTS = ((1, 0.35), (2, 0.30), (3, 0.20), (4, 0.15))

#: Family-name characters and the variants written for them in some records.
KANJI_VARIANTS = {
    "高": ("髙",),
    "斎": ("齋", "斉"),
    "辺": ("邊", "邉"),
    "崎": ("﨑", "嵜"),
    "沢": ("澤",),
    "島": ("嶋",),
    "浜": ("濱",),
    "富": ("冨",),
    "桜": ("櫻",),
    "広": ("廣",),
    "国": ("國",),
    "山": (),
}

# Rates per record.
P_KANJI_VARIANT = 0.30  # of records whose family name has a variant character
P_NAME_SPACE = (0.45, 0.30, 0.25)  # half-width space, full-width space, none
P_MAIDEN = 0.25  # of a married woman's records
P_KANA_MISSING = 0.08
P_KANA_FORM = (0.55, 0.30, 0.15)  # katakana, hiragana, half-width katakana
P_KANA_SPACE = 0.5
P_KANA_TYPO = 0.01
P_DOB_MISSING = 0.03
P_DOB_ERROR = 0.02
P_SEX_MISSING = 0.05
P_ADDRESS_MISSING = 0.04
P_ADDRESS_OLD = 0.05
P_BUILDING_DROPPED = 0.3
P_PREFECTURE = 0.3
P_PHONE_MISSING = 0.35
P_NAME_TYPO = 0.005

CITY = ("岐阜市", "大垣市", "各務原市", "関市", "羽島市")
TOWNS = [
    "今沢町",
    "司町",
    "金町",
    "神田町",
    "長住町",
    "加納本町",
    "加納栄町",
    "本荘",
    "鏡島",
    "則武",
    "長良",
    "岩田",
    "日野",
    "芥見",
    "茜部",
    "六条",
    "鶉",
    "柳津町",
    "黒野",
    "西改田",
    "城東通",
    "早田",
    "島",
    "則武中",
    "東鶉",
    "北一色",
    "福光",
    "正木",
    "市橋",
    "中鶉",
    "西鶉",
    "野一色",
    "領下",
    "粟野",
    "岩崎",
    "大洞",
    "雄総",
    "太郎丸",
    "石谷",
    "三田洞",
]
BUILDINGS = (
    "サンハイツ",
    "メゾン",
    "コーポ",
    "グランドール",
    "レジデンス",
    "ハイム",
    "パレス",
    "アーバン",
)
KANJI_DIGITS = "〇一二三四五六七八九"
SMALL_TYPO_KANA = {
    "カ": "ガ",
    "キ": "ギ",
    "コ": "ゴ",
    "シ": "ジ",
    "タ": "ダ",
    "ト": "ド",
    "ハ": "バ",
    "ヒ": "ビ",
    "ユ": "ユウ",
    "オ": "オウ",
}


def kanji_number(n: int) -> str:
    """18 → 十八, 40 → 四十, 105 → 百五 (the counting form used in addresses)."""
    if n == 0:
        return "〇"
    parts = []
    for unit, mark in ((1000, "千"), (100, "百"), (10, "十")):
        digit, n = divmod(n, unit)
        if digit:
            parts.append(("" if digit == 1 else KANJI_DIGITS[digit]) + mark)
    if n:
        parts.append(KANJI_DIGITS[n])
    return "".join(parts)


@dataclass
class Home:
    town: str
    chome: int | None  # None: 番地 style (40番地1)
    ban: int
    go: int
    building: str = ""
    room: str = ""
    landline: str = ""


@dataclass
class Person:
    person_id: int
    household_id: int
    family: NamePart
    given: NamePart
    sex: str  # "M" / "F"
    dob: date
    home: Home
    maiden: NamePart | None = None
    previous_home: Home | None = None
    mobile: str = ""
    sources: list[str] = field(default_factory=list)


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.families = family_names()
        self.family_weights = [1 / (rank + 10) for rank in range(len(self.families))]
        self.family_cum = _cumulative(self.family_weights)
        self.given = {}
        self.given_cum = {}
        for sex, key in (("M", "male"), ("F", "female")):
            names = list(given_names(key))
            random.Random(seed + 1).shuffle(names)
            self.given[sex] = names
            self.given_cum[sex] = _cumulative([1 / (rank + 200) for rank in range(len(names))])
        self.phone_numbers: set[str] = set()
        self.shared_buildings: list[Home] = []
        self.today = date(2026, 4, 1)

    # --- population -----------------------------------------------------------

    def family(self) -> NamePart:
        return self.rng.choices(self.families, cum_weights=self.family_cum)[0]

    def given_name(self, sex: str, avoid: set[str]) -> NamePart:
        for _ in range(20):
            name = self.rng.choices(self.given[sex], cum_weights=self.given_cum[sex])[0]
            if name.kanji not in avoid and name.kana not in avoid:
                return name
        return name

    def phone(self, prefix: str) -> str:
        while True:
            if prefix == "058":
                number = f"058{self.rng.randrange(2000000, 3999999):07d}"
            else:
                number = f"{prefix}{self.rng.randrange(10**8):08d}"
            if number not in self.phone_numbers:
                self.phone_numbers.add(number)
                return number

    def home(self) -> Home:
        rng = self.rng
        if self.shared_buildings and rng.random() < 0.25:
            base = rng.choice(self.shared_buildings)
            return Home(
                town=base.town,
                chome=base.chome,
                ban=base.ban,
                go=base.go,
                building=base.building,
                room=f"{rng.randint(1, 6)}0{rng.randint(1, 9)}",
            )
        town = rng.choice(TOWNS)
        if rng.random() < 0.6:
            chome, ban, go = rng.randint(1, 7), rng.randint(1, 30), rng.randint(1, 25)
        else:
            chome, ban, go = None, rng.randint(1, 999), rng.choice((0, 0, rng.randint(1, 12)))
        home = Home(town=f"{rng.choice(CITY)}{town}", chome=chome, ban=ban, go=go)
        if rng.random() < 0.2:
            home.building = f"{rng.choice(BUILDINGS)}{town}"
            home.room = f"{rng.randint(1, 6)}0{rng.randint(1, 9)}"
            self.shared_buildings.append(home)
        return home

    def dob(self, low_age: int, high_age: int) -> date:
        age_days = self.rng.randint(low_age * 365, high_age * 365 + 364)
        return self.today - timedelta(days=age_days)

    def household(self, household_id: int, next_id: int) -> list[Person]:
        rng = self.rng
        home = self.home()
        if rng.random() < 0.6:
            home.landline = self.phone("058")
        family = self.family()
        members: list[Person] = []
        used: set[str] = set()

        def add(sex: str, dob: date, maiden: NamePart | None = None) -> Person:
            given = self.given_name(sex, used)
            used.update((given.kanji, given.kana))
            person = Person(
                person_id=next_id + len(members),
                household_id=household_id,
                family=family,
                given=given,
                sex=sex,
                dob=dob,
                home=home,
                maiden=maiden,
            )
            members.append(person)
            return person

        kind = rng.random()
        if kind < 0.3:  # one person, often elderly
            sex = rng.choice("MF")
            add(
                sex, self.dob(20, 95), self._maiden() if sex == "F" and rng.random() < 0.6 else None
            )
        else:
            head_dob = self.dob(25, 85)
            add("M", head_dob)
            spouse_dob = head_dob + timedelta(days=rng.randint(-5 * 365, 3 * 365))
            if kind < 0.9:
                add("F", min(spouse_dob, self.today - timedelta(days=20 * 365)), self._maiden())
            head_age = (self.today - head_dob).days // 365
            if head_age < 70 and kind >= 0.45:
                n_children = rng.choice((1, 1, 2, 2, 2, 3, 4))
                for _ in range(n_children):
                    child_age = rng.randint(0, max(0, min(head_age - 20, 40)))
                    child_dob = self.dob(child_age, child_age)
                    add(rng.choice("MF"), child_dob)
                    if rng.random() < 0.02:  # twins
                        add(rng.choice("MF"), child_dob)
            if head_age < 60 and rng.random() < 0.15:  # a parent of the head
                add(rng.choice("MF"), self.dob(head_age + 22, min(head_age + 40, 100)))
        for person in members:
            if rng.random() < 0.6 and (self.today - person.dob).days > 15 * 365:
                person.mobile = self.phone(rng.choice(("090", "080", "070")))
            if rng.random() < P_ADDRESS_OLD * 2:
                person.previous_home = self.home()
        return members

    def _maiden(self) -> NamePart:
        return self.family()

    # --- records --------------------------------------------------------------

    def records(self, n_records: int):
        """Yield (record, truth) until ``n_records`` records are written."""
        rng = self.rng
        written = 0
        household_id = 0
        person_id = 0
        counters = dict.fromkeys(SOURCES, 0)
        counts, weights = zip(*AGENCY_COUNTS, strict=True)
        while written < n_records:
            household_id += 1
            members = self.household(household_id, person_id)
            person_id += len(members)
            for person in members:
                k = rng.choices(counts, weights=weights)[0]
                for source in rng.sample(SOURCES, k):
                    if written >= n_records:
                        return
                    counters[source] += 1
                    record_id = f"{source}-{counters[source]:07d}"
                    yield (
                        self.record(person, source, record_id),
                        (source, record_id, person.person_id, person.household_id),
                    )
                    written += 1

    def record(self, person: Person, source: str, record_id: str) -> list[str]:
        rng = self.rng
        family = person.family
        if person.maiden is not None and rng.random() < P_MAIDEN:
            family = person.maiden
        return [
            source,
            record_id,
            self.name(family.kanji, person.given.kanji),
            self.kana(family.kana, person.given.kana),
            self.dob_text(person.dob),
            self.sex_text(person.sex),
            self.address(person),
            self.phone_text(person),
        ]

    def name(self, family: str, given: str) -> str:
        rng = self.rng
        has_variant = any(KANJI_VARIANTS.get(char) for char in family)
        if has_variant and rng.random() < P_KANJI_VARIANT:
            family = "".join(
                rng.choice(KANJI_VARIANTS[c]) if KANJI_VARIANTS.get(c) else c for c in family
            )
        if rng.random() < P_NAME_TYPO and len(given) > 1:
            given = given[:-1]
        space = rng.choices((" ", "\u3000", ""), weights=P_NAME_SPACE)[0]
        return f"{family}{space}{given}"

    def kana(self, family: str, given: str) -> str:
        rng = self.rng
        if rng.random() < P_KANA_MISSING:
            return ""
        if rng.random() < P_KANA_TYPO:
            index = rng.randrange(len(given))
            given = (
                given[:index] + SMALL_TYPO_KANA.get(given[index], given[index]) + given[index + 1 :]
            )
        text = f"{family} {given}" if rng.random() < P_KANA_SPACE else family + given
        form = rng.choices(("kata", "hira", "half"), weights=P_KANA_FORM)[0]
        if form == "hira":
            text = "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)
        elif form == "half":
            text = _HALF_WIDTH(text)
        return text

    def dob_text(self, dob: date) -> str:
        rng = self.rng
        if rng.random() < P_DOB_MISSING:
            return ""
        if rng.random() < P_DOB_ERROR:
            dob = self._dob_error(dob)
        form = rng.random()
        if form < 0.35:
            return dob.isoformat()
        if form < 0.55:
            return f"{dob.year}/{dob.month}/{dob.day}"
        if form < 0.65:
            return dob.strftime("%Y%m%d")
        if form < 0.85:
            return format_wareki(dob)
        return format_wareki_short(dob)

    def _dob_error(self, dob: date) -> date:
        """Two adjacent digits swapped, or one digit mistyped, keeping a valid date."""
        rng = self.rng
        digits = list(dob.strftime("%Y%m%d"))
        for _ in range(10):
            candidate = digits[:]
            index = rng.randrange(2, 7)
            if rng.random() < 0.5:
                candidate[index], candidate[index + 1] = candidate[index + 1], candidate[index]
            else:
                candidate[index + 1] = str(rng.randrange(10))
            try:
                changed = date(
                    int("".join(candidate[:4])),
                    int("".join(candidate[4:6])),
                    int("".join(candidate[6:])),
                )
            except ValueError:
                continue
            if changed != dob and date(1900, 1, 1) <= changed <= self.today:
                return changed
        return dob

    def sex_text(self, sex: str) -> str:
        rng = self.rng
        if rng.random() < P_SEX_MISSING:
            return ""
        form = rng.randrange(3)
        return {"M": ("男", "1", "M"), "F": ("女", "2", "F")}[sex][form]

    def address(self, person: Person) -> str:
        rng = self.rng
        if rng.random() < P_ADDRESS_MISSING:
            return ""
        home = person.home
        if person.previous_home is not None and rng.random() < 0.5:
            home = person.previous_home
        form = rng.random()
        if home.chome is None:
            ban, go = home.ban, home.go
            if form < 0.4:
                block = f"{ban}番地" + (str(go) if go else "")
            elif form < 0.6:
                block = f"{kanji_number(ban)}番地" + (kanji_number(go) if go else "")
            elif form < 0.8:
                block = f"{ban}-{go}" if go else str(ban)
            else:
                block = _FULL_WIDTH(f"{ban}-{go}" if go else str(ban))
        elif form < 0.4:
            block = f"{home.chome}-{home.ban}-{home.go}"
        elif form < 0.6:
            block = (
                f"{kanji_number(home.chome)}丁目{kanji_number(home.ban)}番{kanji_number(home.go)}号"
            )
        elif form < 0.8:
            block = f"{home.chome}丁目{home.ban}番地{home.go}"
        else:
            block = _FULL_WIDTH(f"{home.chome}丁目{home.ban}-{home.go}")
        text = home.town + block
        if home.building and rng.random() >= P_BUILDING_DROPPED:
            room = home.room if rng.random() < 0.5 else f"{home.room}号室"
            text += rng.choice((" ", "\u3000", "")) + home.building + room
        if rng.random() < P_PREFECTURE:
            text = "岐阜県" + text
        return text

    def phone_text(self, person: Person) -> str:
        rng = self.rng
        numbers = [n for n in (person.home.landline, person.mobile) if n]
        if not numbers or rng.random() < P_PHONE_MISSING:
            return ""
        number = rng.choice(numbers)
        form = rng.random()
        if form < 0.4:
            return number
        split = (3, 3) if number.startswith("058") else (3, 4)
        hyphenated = (
            f"{number[: split[0]]}-{number[split[0] : split[0] + split[1]]}-{number[sum(split) :]}"
        )
        return hyphenated if form < 0.8 else _FULL_WIDTH(hyphenated)


def _cumulative(weights: list[float]) -> list[float]:
    total = 0.0
    out = []
    for weight in weights:
        total += weight
        out.append(total)
    return out


_FULL_TABLE = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
_HALF_KANA = {}
for _code in range(0xFF61, 0xFFA0):
    _full = unicodedata.normalize("NFKC", chr(_code))
    if len(_full) == 1:
        _HALF_KANA.setdefault(_full, chr(_code))
for _full_char in "ガギグゲゴザジズゼゾダヂヅデドバビブベボヴ":
    _HALF_KANA[_full_char] = _HALF_KANA[unicodedata.normalize("NFD", _full_char)[0]] + "ﾞ"
for _full_char in "パピプペポ":
    _HALF_KANA[_full_char] = _HALF_KANA[unicodedata.normalize("NFD", _full_char)[0]] + "ﾟ"
_HALF_KANA[" "] = " "


def _FULL_WIDTH(text: str) -> str:
    return text.translate(_FULL_TABLE)


def _HALF_WIDTH(text: str) -> str:
    return "".join(_HALF_KANA.get(c, c) for c in text)


HEADER = ["source", "record_id", "name", "kana", "dob", "sex", "address", "phone"]
TRUTH_HEADER = ["source", "record_id", "person_id", "household_id"]


def generate(n_records: int, seed: int = 20260401) -> tuple[list[list[str]], list[tuple]]:
    """Return ``n_records`` records (rows in the CLI's column order) and their truth rows."""
    records, truth = [], []
    for record, true in Generator(seed).records(n_records):
        records.append(record)
        truth.append(true)
    return records, truth


def write(out: Path, n_records: int, seed: int) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    records_path, truth_path = out / "records.csv", out / "truth.csv"
    with (
        records_path.open("w", encoding="utf-8", newline="") as records_file,
        truth_path.open("w", encoding="utf-8", newline="") as truth_file,
    ):
        records_writer, truth_writer = csv.writer(records_file), csv.writer(truth_file)
        records_writer.writerow(HEADER)
        truth_writer.writerow(TRUTH_HEADER)
        for record, true in Generator(seed).records(n_records):
            records_writer.writerow(record)
            truth_writer.writerow(true)
    return records_path, truth_path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20260401)
    parser.add_argument("--out", type=Path, required=True, help="directory for the CSV files")
    args = parser.parse_args(argv)
    records_path, truth_path = write(args.out, args.records, args.seed)
    print(f"{records_path} {truth_path}")


if __name__ == "__main__":
    main()
