"""Latency of the "is this person known?" check (本人確認の照会) on N persons.

Loads N persons with names, readings and dates of birth (realistic surname frequencies),
then asks the check as a desk worker for persons that exist — written as registered, with
a variant kanji or hiragana reading, and without a date of birth — and for persons that do
not. Prints p50/p95 per kind of question. Nothing is asserted.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HIRAGANA = {chr(c): chr(c - 0x60) for c in range(0x30A1, 0x30F7)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="tsunagu-bench-")
    os.environ.setdefault("TSUNAGU_SQLITE_PATH", str(Path(tmp) / "known.sqlite3"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tsunagu.settings.local"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from tsunagu.accounts.models import Agency, Area, Membership, Role, User
    from tsunagu.demo.names import pick_family_name, pick_given_name
    from tsunagu.people.models import Person
    from tsunagu.people.selectors import known_person_check

    city, _ = Area.objects.get_or_create(code="bench-city", defaults={"name": "市", "kind": "city"})
    desk_agency, _ = Agency.objects.get_or_create(
        code="bench-desk",
        defaults={"name": "相談窓口", "field": "elderly", "operation": "direct", "area": city},
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
            registered_by_agency=desk_agency,
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
    sample = list(Person.objects.filter(pk__in=sample_ids).only("name", "name_kana", "birth_date"))

    def as_hiragana(text: str) -> str:
        return "".join(HIRAGANA.get(ch, ch) for ch in text)

    def unknown(i: int):
        return (f"存在 しない{i}", f"ソンザイ シナイ{i}", datetime.date(1901, 1, 1))

    questions = {
        "登録どおり（氏名・フリガナ・生年月日）": [
            (p.name, p.name_kana, p.birth_date) for p in sample
        ],
        "ひらがな・空白なし": [
            (p.name.replace(" ", ""), as_hiragana(p.name_kana).replace(" ", ""), p.birth_date)
            for p in sample
        ],
        "生年月日なし": [(p.name, p.name_kana, None) for p in sample],
        "該当なし": [unknown(i) for i in range(len(sample))],
    }
    print(
        f"database={connection.vendor} persons={total} load={load:.1f}s "
        f"questions={len(sample)} per kind"
    )
    print(f"{'question':<36} {'found':>6} {'p50 ms':>8} {'p95 ms':>8}")
    for label, asks in questions.items():
        timings = []
        found = 0
        for name, kana, dob in asks:
            t0 = time.perf_counter()
            result = known_person_check(user=user, name=name, name_kana=kana, birth_date=dob)
            timings.append((time.perf_counter() - t0) * 1000)
            found += result.found
        timings.sort()
        p50 = statistics.median(timings)
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        print(f"{label:<36} {found:>6} {p50:>8.1f} {p95:>8.1f}")
    if not args.keep and connection.vendor == "sqlite":
        Path(os.environ["TSUNAGU_SQLITE_PATH"]).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
