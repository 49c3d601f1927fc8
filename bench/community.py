"""Server time of the 成果目標 board and of the 見守り list at scale.

Builds the demo city (``seed_demo``) and then, with ``bulk_create`` (no services),
``--activities`` community activities spread over the last ``--years`` 年度 (every kind, every
area of the city, participants by generation, a third with attribute counts) and targets for
every indicator city-wide and for each daily-life area in each of those years. ``--reuse``
times a database built before.

Then times, as the program office (``officer``) and a community coordinator (``community``),
``--repeat`` times: the board of the current 年度 city-wide, for one daily-life area, and the
first of the years built; each as the selector (``selectors.targets.board``) and as the page
(``reverse("community:target_board")`` with the test ``Client``).

With ``--watches`` (default 50,000) and ``--checks`` (default 1,000,000) it also builds watches
spread over 25 keeping agencies (the demo's 地域福祉コーディネーター among them) with their
safety checks and times the watch list (``community:watch_list``: default, overdue, a search,
page 5) for the coordinator and the office. Prints p50/p95 ms (server time, DEBUG off) and
queries per request.

    .venv/bin/python bench/community.py                 # SQLite, in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_community \
        .venv/bin/python bench/community.py
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

BENCH_TITLE = "bench活動 "
BATCH = 5000


def percentile(values, share):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def timed(fn, repeat: int):
    from django.db import connection

    fn()  # warm up
    timings, queries, results = [], [], set()
    for _ in range(repeat):
        counted = []

        def count(execute, sql, params, many, context, counted=counted):
            counted.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            t0 = time.perf_counter()
            result = fn()
            timings.append((time.perf_counter() - t0) * 1000)
        queries.append(len(counted))
        results.add(result)
    return (
        statistics.median(timings),
        percentile(timings, 0.95),
        statistics.median(queries),
        results,
    )


def build(*, activities: int, years: int, seed: int = 11) -> None:
    from django.db import transaction
    from django.utils import timezone

    from tsunagu.accounts.models import Area, User
    from tsunagu.common.fiscal import fiscal_year, fiscal_year_range
    from tsunagu.community.models import (
        Activity,
        ActivityKind,
        AttributeCount,
        Indicator,
        ParticipantAttribute,
        Target,
    )
    from tsunagu.demo.services import seed_demo

    rng = random.Random(seed)
    t0 = time.perf_counter()
    print("seed_demo …", flush=True)
    seed_demo()
    kinds = list(ActivityKind.objects.all())
    attributes = list(ParticipantAttribute.objects.all())
    areas = list(
        Area.objects.filter(kind__in=["daily_life", "district"]).values_list("pk", flat=True)
    )
    author = User.objects.get(username="community")
    now_year = fiscal_year(timezone.localdate())
    first_year = now_year - years + 1
    start, _ = fiscal_year_range(first_year)
    span_days = (timezone.localdate() - start).days + 1
    print(f"{activities:,} activities over {years} 年度 …", flush=True)
    made = 0
    while made < activities:
        batch = []
        for _ in range(min(BATCH, activities - made)):
            day = start + datetime.timedelta(days=rng.randrange(span_days))
            when = timezone.make_aware(
                datetime.datetime.combine(day, datetime.time(rng.choice((10, 13, 18))))
            )
            counts = [
                rng.randrange(0, 6),
                rng.randrange(0, 4),
                rng.randrange(0, 6),
                rng.randrange(0, 25),
            ]
            batch.append(
                Activity(
                    kind=rng.choice(kinds),
                    title=f"{BENCH_TITLE}{made + len(batch)}",
                    starts_at=when,
                    area_id=rng.choice(areas),
                    children=counts[0],
                    youth=counts[1],
                    working_age=counts[2],
                    elderly=counts[3],
                    participants=sum(counts),
                    new_connections=rng.randrange(0, 3),
                    fiscal_year=fiscal_year(day),
                    month=day.month,
                    created_by=author,
                )
            )
        with transaction.atomic():
            created = Activity.objects.bulk_create(batch)
            AttributeCount.objects.bulk_create(
                [
                    AttributeCount(
                        activity=a,
                        attribute=rng.choice(attributes),
                        count=min(a.participants, rng.randrange(1, 4)),
                    )
                    for a in created
                    if a.participants and rng.random() < 0.33
                ]
            )
        made += len(batch)
        print(f"  {made:,}", end="\r", flush=True)
    office = User.objects.get(username="officer")
    targets = []
    daily = list(Area.objects.filter(kind="daily_life"))
    for year in range(first_year, now_year + 1):
        for indicator in Indicator.objects.all():
            targets.append(Target(fiscal_year=year, indicator=indicator, value=1000, set_by=office))
            targets += [
                Target(fiscal_year=year, indicator=indicator, area=a, value=50, set_by=office)
                for a in daily
            ]
    Target.objects.bulk_create(targets, ignore_conflicts=True)
    print(f"\nbuilt in {time.perf_counter() - t0:.0f} s", flush=True)


def build_watches(*, watches: int, checks: int, seed: int = 13) -> None:
    from django.db import transaction
    from django.utils import timezone

    from tsunagu.accounts.models import Agency, Area, User
    from tsunagu.community.models import FREQUENCY_DAYS, SafetyCheck, Watch

    rng = random.Random(seed)
    t0 = time.perf_counter()
    keeper = Agency.objects.get(code="chiikifukushi_co")
    others = list(Agency.objects.exclude(pk=keeper.pk).order_by("code")[:24])
    agencies = [keeper, *others]
    areas = list(Area.objects.filter(kind="daily_life").values_list("pk", flat=True))
    author = User.objects.get(username="community")
    today = timezone.localdate()
    per_watch = max(1, checks // max(1, watches))
    print(f"{watches:,} watches with {per_watch} checks each …", flush=True)
    made = 0
    while made < watches:
        batch = []
        for n in range(min(BATCH // 5, watches - made)):
            frequency = rng.choice(("weekly", "weekly", "biweekly", "monthly"))
            started = today - datetime.timedelta(days=rng.randrange(60, 900))
            last = today - datetime.timedelta(days=rng.randrange(0, 40))
            ended = last if rng.random() < 0.2 else None
            batch.append(
                Watch(
                    agency=rng.choice(agencies),
                    label=f"bench見守り {made + n} {rng.choice(('北部', '南部', '東部', '西部'))}",
                    area_id=rng.choice(areas),
                    reason="一人暮らし",
                    frequency=frequency,
                    starts_on=started,
                    last_check_on=last,
                    next_check_on=None
                    if ended
                    else last + datetime.timedelta(days=FREQUENCY_DAYS[frequency]),
                    ended_on=ended,
                    created_by=author,
                )
            )
        with transaction.atomic():
            created = Watch.objects.bulk_create(batch)
            rows = []
            for watch in created:
                step = FREQUENCY_DAYS[watch.frequency]
                for k in range(per_watch):
                    rows.append(
                        SafetyCheck(
                            watch=watch,
                            checked_on=watch.last_check_on - datetime.timedelta(days=step * k),
                            outcome="ok" if rng.random() < 0.9 else "absent",
                            recorded_by=author,
                        )
                    )
            SafetyCheck.objects.bulk_create(rows, batch_size=BATCH)
        made += len(batch)
        print(f"  {made:,}", end="\r", flush=True)
    print(f"\nbuilt in {time.perf_counter() - t0:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--activities", type=int, default=200_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--watches", type=int, default=50_000)
    parser.add_argument("--checks", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="time the data built before")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="tsunagu-community-")
    os.environ.setdefault("TSUNAGU_SQLITE_PATH", str(Path(tmp) / "community.sqlite3"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tsunagu.settings.local"
    os.environ.setdefault("DJANGO_DEBUG", "0")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    setup_test_environment()
    logging.getLogger("django.request").setLevel(logging.ERROR)
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    from personas import acting_user, session_of

    from tsunagu.accounts.models import Area
    from tsunagu.community.models import Activity
    from tsunagu.community.selectors import targets as selectors

    if not args.reuse:
        if Activity.objects.filter(title__startswith=BENCH_TITLE).exists():
            sys.exit("The database already holds the benchmark's activities: time it with --reuse.")
        build(activities=args.activities, years=args.years)
        if args.watches:
            build_watches(watches=args.watches, checks=args.checks)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    year = selectors.current_year()
    area = Area.objects.filter(kind="daily_life").order_by("code").first()
    variants = (
        ("current 年度, city", year, None),
        (f"current 年度, {area.name}", year, area),
        ("first 年度, city", year - args.years + 1, None),
    )
    url = reverse("community:target_board")
    print(
        f"\ndatabase={connection.vendor} activities={Activity.objects.count():,} "
        f"years={args.years} repeat={args.repeat}"
    )
    rows = []
    for username in ("officer", "community"):
        user = acting_user(username)
        client, _key = session_of(user)
        for label, fy, where in variants:
            if username == "officer":
                p50, p95, nq, _ = timed(
                    lambda f=fy, a=where: len(selectors.board(f, a)), args.repeat
                )
                rows.append(("selector", label, "-", p50, p95, nq))
                print(f"  selector {label:<28} {p50:>8.1f} {p95:>8.1f} q={nq}", flush=True)
            query = f"year={fy}" + (f"&area={where.pk}" if where else "")
            p50, p95, nq, statuses = timed(
                lambda c=client, q=query: c.get(f"{url}?{q}").status_code, args.repeat
            )
            status = "/".join(str(s) for s in sorted(statuses))
            rows.append((f"page ({username})", label, status, p50, p95, nq))
            print(f"  page {username:<9} {label:<28} {status} {p50:>8.1f} {p95:>8.1f}", flush=True)

    from tsunagu.community.models import SafetyCheck, Watch

    if Watch.objects.exists():
        watch_url = reverse("community:watch_list")
        print(
            f"\nwatches={Watch.objects.count():,} checks={SafetyCheck.objects.count():,} "
            f"(coordinator's agency: "
            f"{Watch.objects.filter(agency__code='chiikifukushi_co').count():,})"
        )
        for username in ("community", "officer"):
            client, _key = session_of(acting_user(username))
            for label, query in (
                ("watch list", ""),
                ("watch list overdue", "overdue=on"),
                ("watch list q=北部", "q=北部"),
                ("watch list page 5", "page=5"),
            ):
                target = f"{watch_url}?{query}" if query else watch_url
                p50, p95, nq, statuses = timed(
                    lambda c=client, t=target: c.get(t).status_code, args.repeat
                )
                status = "/".join(str(s) for s in sorted(statuses))
                rows.append((f"page ({username})", label, status, p50, p95, nq))
                print(f"  page {username:<9} {label:<28} {status} {p50:>8.1f} {p95:>8.1f}")

    print("\n| what | variant | status | p50 ms | p95 ms | queries |")
    print("|---|---|---|---|---|---|")
    for what, label, status, p50, p95, nq in rows:
        print(f"| {what} | {label} | {status} | {p50:.1f} | {p95:.1f} | {nq:.0f} |")


if __name__ == "__main__":
    main()
