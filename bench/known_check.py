"""Latency and answers of the "is this person known?" check (本人確認の照会) on N persons.

Loads N persons with names, readings, dates of birth and addresses (realistic surname
frequencies), then asks the check as a desk worker for persons that exist — written as
registered; with a kanji variant (髙/高, 﨑/崎, 邊/辺, 齋/斎 …), a hiragana reading and no
space; with one digit of the date of birth mistyped; under another family name with the
same given name and date of birth (a maiden name); without a date of birth — and for
persons that do not. Prints, per kind of question, how often the person asked for was
among the candidates and first among them, and p50/p95 of the time. Nothing is asserted.

``--own-share`` is the share of persons registered by the desk's own agency; the others
belong to another agency, so the desk sees them only as a count (the visibility check runs
on every answer).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HIRAGANA = {chr(c): chr(c - 0x60) for c in range(0x30A1, 0x30F7)}
#: Common form → a variant written in family registers.
VARIANTS = {"高": "髙", "崎": "﨑", "辺": "邊", "斎": "齋", "沢": "澤", "島": "嶋", "浜": "濱"}
TOWNS = ["司町", "今沢町", "美江寺町", "長良", "則武", "鷺山", "本荘", "加納", "茜部", "岩野田"]


@dataclass(frozen=True)
class Ask:
    person_id: int | None  # the person meant, or None for nobody
    name: str
    kana: str
    dob: datetime.date | None
    sex: str = ""
    address: str = ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--own-share", type=float, default=1.0)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="tsunagu-bench-")
    os.environ.setdefault("TSUNAGU_SQLITE_PATH", str(Path(tmp) / "known.sqlite3"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tsunagu.settings.local"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from tsunagu import access
    from tsunagu.accounts.models import Agency, Area, Membership, Role, User
    from tsunagu.demo.names import pick_family_name, pick_given_name
    from tsunagu.people.models import Person
    from tsunagu.people.selectors import known_person_check

    city, _ = Area.objects.get_or_create(code="bench-city", defaults={"name": "市", "kind": "city"})
    desk_agency, _ = Agency.objects.get_or_create(
        code="bench-desk",
        defaults={"name": "相談窓口", "field": "elderly", "operation": "direct", "area": city},
    )
    other_agency, _ = Agency.objects.get_or_create(
        code="bench-other",
        defaults={"name": "他の機関", "field": "disability", "operation": "direct", "area": city},
    )
    Agency.objects.get_or_create(
        code="bench-office",
        defaults={
            "name": "事務局",
            "field": "other",
            "operation": "direct",
            "area": city,
            "is_program_office": True,
        },
    )
    user, _ = User.objects.get_or_create(username="bench-known-desk")
    membership, _ = Membership.objects.get_or_create(
        user=user, agency=desk_agency, role=Role.DESK_WORKER
    )
    user.acting_membership = membership

    rng = random.Random(11)
    first_day = datetime.date(1930, 1, 1).toordinal()
    last_day = datetime.date(2020, 12, 31).toordinal()
    existing = Person.objects.count()
    started = time.perf_counter()
    batch = []
    for _ in range(existing, args.persons):
        sex = rng.choice(["male", "female"])
        family, given = pick_family_name(rng), pick_given_name(rng, sex)
        person = Person(
            name=f"{family.kanji} {given.kanji}",
            name_kana=f"{family.kana} {given.kana}",
            sex=sex,
            birth_date=datetime.date.fromordinal(rng.randint(first_day, last_day)),
            address=f"岐阜市{rng.choice(TOWNS)}{rng.randint(1, 9)}-{rng.randint(1, 30)}"
            f"-{rng.randint(1, 20)}",
            registered_by_agency=desk_agency if rng.random() < args.own_share else other_agency,
        )
        person.refresh_search_keys()
        batch.append(person)
        if len(batch) == 5000:
            Person.objects.bulk_create(batch)
            batch = []
    if batch:
        Person.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE people_person")
    load = time.perf_counter() - started

    total = Person.objects.count()
    sample_ids = [rng.randint(1, total) for _ in range(args.repeat)]
    sample = list(
        Person.objects.filter(pk__in=sample_ids).only(
            "name", "name_kana", "birth_date", "sex", "address"
        )
    )
    women = [p for p in sample if p.sex == "female"]

    def as_hiragana(text: str) -> str:
        return "".join(HIRAGANA.get(ch, ch) for ch in text)

    def variant(name: str) -> str:
        return "".join(VARIANTS.get(ch, ch) for ch in name)

    def mistyped(day: datetime.date) -> datetime.date:
        """One digit of YYYYMMDD changed (a date that exists)."""
        digits = day.strftime("%Y%m%d")
        while True:
            i = rng.randrange(2, 8)
            typed = digits[:i] + str(rng.randrange(10)) + digits[i + 1 :]
            try:
                other = datetime.date(int(typed[:4]), int(typed[4:6]), int(typed[6:]))
            except ValueError:
                continue
            if other != day:
                return other

    def maiden(p) -> tuple[str, str]:
        family = pick_family_name(rng)
        given, given_kana = p.name.split(" ", 1)[1], p.name_kana.split(" ", 1)[1]
        return f"{family.kanji} {given}", f"{family.kana} {given_kana}"

    def unknown(i: int):
        return Ask(None, f"存在 しない{i}", f"ソンザイ シナイ{i}", datetime.date(1901, 1, 1))

    questions = {
        "登録どおり（氏名・フリガナ・生年月日）": [
            Ask(p.pk, p.name, p.name_kana, p.birth_date) for p in sample
        ],
        "異体字・ひらがな・空白なし": [
            Ask(
                p.pk,
                variant(p.name).replace(" ", ""),
                as_hiragana(p.name_kana).replace(" ", ""),
                p.birth_date,
            )
            for p in sample
        ],
        "生年月日の1桁違い": [
            Ask(p.pk, p.name, p.name_kana, mistyped(p.birth_date)) for p in sample
        ],
        "旧姓（名・生年月日・住所が同じ）": [
            Ask(p.pk, *maiden(p), p.birth_date, sex="female", address=p.address) for p in women
        ],
        "生年月日なし": [Ask(p.pk, p.name, p.name_kana, None) for p in sample],
        "該当なし": [unknown(i) for i in range(len(sample))],
    }
    visible = access.persons_visible_to(user).count()
    print(
        f"database={connection.vendor} persons={total} visible_to_desk={visible} "
        f"load={load:.1f}s questions={len(sample)} per kind"
    )
    print(f"{'question':<30} {'asked':>6} {'found':>6} {'first':>6} {'p50 ms':>8} {'p95 ms':>8}")
    for label, asks in questions.items():
        timings = []
        found = first = 0
        for ask in asks:
            t0 = time.perf_counter()
            result = known_person_check(
                user=user,
                name=ask.name,
                name_kana=ask.kana,
                birth_date=ask.dob,
                sex=ask.sex,
                address=ask.address,
            )
            timings.append((time.perf_counter() - t0) * 1000)
            ids = [m.person_id for m in result.matches]
            if ask.person_id is None:
                found += bool(ids)  # for nobody: any candidate is a false alarm
                first += bool(ids) and ids[0] is not None
            else:
                found += ask.person_id in ids
                first += bool(ids) and ids[0] == ask.person_id
        timings.sort()
        p50 = statistics.median(timings)
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        print(f"{label:<30} {len(asks):>6} {found:>6} {first:>6} {p50:>8.1f} {p95:>8.1f}")
    if not args.keep and connection.vendor == "sqlite":
        Path(os.environ["TSUNAGU_SQLITE_PATH"]).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
