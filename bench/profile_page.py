"""Where one page's server time goes: cProfile of repeated requests as one persona.

    .venv/bin/python bench/profile_page.py --user desk --url / [--repeat 50] [--top 40]

Uses the database of the environment (``DATABASE_URL``, else a fresh SQLite file seeded
with the demo city). With ``--sql``, first prints
the queries of one request. Prints the mean server time and queries per request, then the
functions with the most cumulative and own time over all requests (``--sort``). The page
name may be one of bench/personas.py's (``--page "case page"``) instead of a URL.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--user", default="desk")
    parser.add_argument("--url")
    parser.add_argument("--page", help="a page name of bench/personas.py instead of --url")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative,tottime")
    parser.add_argument("--sql", action="store_true", help="print the queries of one request")
    parser.add_argument(
        "--areas",
        action="store_true",
        help="the own time of all functions summed by area (ORM, templates, driver, …)",
    )
    parser.add_argument(
        "--plans",
        action="store_true",
        help="PostgreSQL: the planning and execution time of each query of one request",
    )
    args = parser.parse_args()

    from personas import start_django

    start_django("profile")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from personas import acting_user, pages_of, session_of

    from tsunagu.accounts.models import User

    if not User.objects.filter(username=args.user).exists():
        from tsunagu.demo.services import seed_demo

        seed_demo()
    user = acting_user(args.user)
    client, _key = session_of(user)
    url = args.url or pages_of(user)[args.page]
    response = client.get(url)  # warm up
    print(f"{args.user} {url}: {response.status_code}")

    if args.sql:
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        for n, query in enumerate(captured.captured_queries, 1):
            print(f"{n:>3} {query['time']:>6} {query['sql'][:300]}")
    if args.plans:
        print_plans(connection, client, url)
    counted = []

    def count(execute, sql, params, many, context):
        counted.append(sql)
        return execute(sql, params, many, context)

    profile = cProfile.Profile()
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        profile.enable()
        for _ in range(args.repeat):
            client.get(url)
        profile.disable()
    elapsed = (time.perf_counter() - started) / args.repeat * 1000
    print(
        f"{elapsed:.1f} ms per request under the profiler, "
        f"{len(counted) / args.repeat:.0f} queries per request"
    )
    if args.areas:
        print_areas(pstats.Stats(profile), args.repeat)
    for key in args.sort.split(","):
        pstats.Stats(profile).sort_stats(key).print_stats(args.top)


AREAS = (
    ("django/db/", "Django ORM"),
    ("django/template/", "Django templates"),
    ("django/templatetags/", "Django templates"),
    ("psycopg", "database driver"),
    ("sqlite3", "database driver"),
    ("django/", "Django (other)"),
    ("/tsunagu/", "tsunagu"),
    ("site-packages/", "other libraries"),
)


def print_areas(stats: pstats.Stats, repeat: int) -> None:
    """Own time per request summed by where the function lives."""
    totals: dict[str, float] = {}
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        area = next((label for part, label in AREAS if part in filename), "Python itself")
        totals[area] = totals.get(area, 0.0) + tottime
    for area, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"{seconds / repeat * 1000:8.2f} ms  {area}")


def print_plans(connection, client, url: str) -> None:
    """Each SELECT of one request explained (ANALYZE, SUMMARY) in a transaction that is
    rolled back: the planner's time beside the executor's, and their sums."""
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        print("--plans needs PostgreSQL")
        return
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    total_plan = total_run = 0.0
    print(" #   plan ms  run ms  query")
    for n, query in enumerate(captured.captured_queries, 1):
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, SUMMARY, FORMAT JSON) " + sql)
            summary = cursor.fetchone()[0][0]
            transaction.set_rollback(True)
        plan, run = summary["Planning Time"], summary["Execution Time"]
        total_plan, total_run = total_plan + plan, total_run + run
        print(f"{n:>3} {plan:>8.2f} {run:>7.2f}  {sql[:110]}")
    print(f"    {total_plan:>8.2f} {total_run:>7.2f}  (sum)")


if __name__ == "__main__":
    main()
