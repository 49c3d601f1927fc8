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
    for key in args.sort.split(","):
        pstats.Stats(profile).sort_stats(key).print_stats(args.top)


if __name__ == "__main__":
    main()
