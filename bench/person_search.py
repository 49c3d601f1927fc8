"""Person search latency on a large population (prints p50/p95 per query kind).

By default as the script's own office and desk personas; ``--as desk --as coordinator``
measures those users instead (the demo city's personas in a city built by ``pages.py``).
``--compare-semi-join`` also times, for a user who searches among their agency's search
entries, the readings that join every match with the agency's grants instead (the list
page's ids, and the selector the API and the exports use), and checks that both find the
same ids.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--as", dest="users", action="append", default=[], metavar="USERNAME")
    parser.add_argument("--compare-semi-join", action="store_true")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="tsunagu-bench-")
    os.environ.setdefault("TSUNAGU_SQLITE_PATH", str(Path(tmp) / "bench.sqlite3"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tsunagu.settings.local"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from tsunagu.access import persons_visible_to
    from tsunagu.accounts.models import Agency, Area, Membership, Role, User
    from tsunagu.common.paging import COUNT_CAP
    from tsunagu.common.touches import touch
    from tsunagu.demo.names import pick_family_name, pick_given_name
    from tsunagu.people.models import Person
    from tsunagu.people.selectors import person_search, person_search_ids

    city, _ = Area.objects.get_or_create(code="bench-city", defaults={"name": "市", "kind": "city"})
    office, _ = Agency.objects.get_or_create(
        code="bench-office",
        defaults={"name": "事務局", "field": "other", "operation": "direct", "area": city},
    )
    desk_agency, _ = Agency.objects.get_or_create(
        code="bench-desk",
        defaults={"name": "相談窓口", "field": "elderly", "operation": "direct", "area": city},
    )

    def persona(username, agency, role):
        user, _ = User.objects.get_or_create(username=username)
        membership, _ = Membership.objects.get_or_create(user=user, agency=agency, role=role)
        user.acting_membership = membership
        return user

    officer = persona("bench-officer", office, Role.MUNICIPAL_OFFICER)
    desk = persona("bench-desk", desk_agency, Role.DESK_WORKER)

    existing = Person.objects.count()
    last_id = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rng = random.Random(7)
    started = time.perf_counter()
    batch = []
    for i in range(existing, args.persons):
        sex = rng.choice(["male", "female"])
        family, given = pick_family_name(rng), pick_given_name(rng, sex)
        person = Person(
            name=f"{family.kanji} {given.kanji}",
            name_kana=f"{family.kana} {given.kana}",
            sex=sex,
            registered_by_agency=desk_agency if i % 10 == 0 else office,
        )
        person.refresh_search_keys()
        batch.append(person)
        if len(batch) == 5000:
            Person.objects.bulk_create(batch)
            batch = []
    if batch:
        Person.objects.bulk_create(batch)
    load = time.perf_counter() - started
    # the bulk rows bypass save(): grant them (and write their search entries) as a
    # registration does, a chunk per transaction
    started = time.perf_counter()
    new_ids = list(
        Person.objects.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(new_ids), 2000):
        with transaction.atomic():
            touch(persons=new_ids[start : start + 2000])
    granting = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    queries = {
        "2文字の姓（佐藤）": "佐藤",
        "1文字の姓（林）": "林",
        "姓名（高橋 花子）": "高橋 花子",
        "名（太郎）": "太郎",
        "姓の途中から（3文字以上: 佐々木）": "佐々木",
        "フリガナ（サトウ）": "サトウ",
        "フリガナ3文字以上（タカハシ）": "タカハシ",
    }
    print(
        f"database={connection.vendor} persons={Person.objects.count()} "
        f"load={load:.1f}s grants={granting:.1f}s repeat={args.repeat}"
    )
    print(
        f"{'query':<28} {'who':<8} {'hits':>7} {'p50 ms':>8} {'p95 ms':>8}"
        f" {'page p50':>9} {'page p95':>9}"
    )

    def p50_p95(timings):
        timings = sorted(timings)
        return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)]

    users = [("office", officer), ("desk", desk)]
    if args.users:
        sys.path.insert(0, str(ROOT / "bench"))
        from personas import acting_user

        users = [(name, acting_user(name)) for name in args.users]
    from unittest import mock

    from tsunagu import access

    def selector(user, q: str) -> tuple[int, float]:
        """The selector's reading (every match counted, and the first page): hits and ms."""
        t0 = time.perf_counter()
        qs = person_search(user=user, q=q)
        hits = qs.count()
        list(qs[:25])
        return hits, (time.perf_counter() - t0) * 1000

    for label, q in queries.items():
        for who, user in users:
            if args.compare_semi_join and access.person_search_entries(user) is not None:
                entries_ids = person_search_ids(user=user, q=q, limit=COUNT_CAP + 1)
                semi = []
                with mock.patch.object(access, "person_search_entries", return_value=None):
                    for _ in range(args.repeat):
                        t0 = time.perf_counter()
                        ids = person_search_ids(user=user, q=q, limit=COUNT_CAP + 1)
                        semi.append((time.perf_counter() - t0) * 1000)
                    semi_read = [selector(user, q) for _ in range(args.repeat)]
                semi_hits, semi_selector = semi_read[-1][0], [ms for _hits, ms in semi_read]
                same = "same ids" if ids == entries_ids else "DIFFERENT ids"
                p50, p95 = p50_p95(semi)
                print(f"{label:<28} {who:<8} semi-join ids p50 {p50:.1f} p95 {p95:.1f} ({same})")
                p50, p95 = p50_p95(semi_selector)
                print(
                    f"{label:<28} {who:<8} semi-join selector p50 {p50:.1f} p95 {p95:.1f}"
                    f" ({semi_hits} counted)"
                )
            timings, page_timings = [], []
            hits = 0
            for _ in range(args.repeat):
                hits, elapsed = selector(user, q)
                timings.append(elapsed)
                # the list page's reading: the ids up to the cap, then the first page's rows
                t0 = time.perf_counter()
                ids = person_search_ids(user=user, q=q, limit=COUNT_CAP + 1)
                list(persons_visible_to(user).filter(pk__in=ids[:25]))  # as the page
                page_timings.append((time.perf_counter() - t0) * 1000)
            (p50, p95), (page_p50, page_p95) = p50_p95(timings), p50_p95(page_timings)
            print(
                f"{label:<28} {who:<8} {hits:>7} {p50:>8.1f} {p95:>8.1f}"
                f" {page_p50:>9.1f} {page_p95:>9.1f}"
            )
    if not args.keep and connection.vendor == "sqlite":
        Path(os.environ["TSUNAGU_SQLITE_PATH"]).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
