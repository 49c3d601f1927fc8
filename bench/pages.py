"""Server time and queries of the main pages, per persona, on a city at scale.

Builds the city (bench/city.py: the demo city plus bulk rows) in a fresh database, then
for each persona and page issues ``--repeat`` requests with Django's test Client and prints
p50/p95 ms, the queries per request and the CPU time of the server's own process (p50:
Python, without the database's work; steadier than the elapsed time on a busy machine).
Each response must be 200, or 404 where the
persona must not see the page (the unrelated agency, and pages outside a role).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def percentile(values, share):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file")
    parser.add_argument(
        "--reuse", action="store_true", help="do not generate (the database already holds a city)"
    )
    args = parser.parse_args()

    from personas import start_django

    start_django("pages")
    from city import grow_city
    from django.db import connection
    from personas import PERSONAS, acting_user, pages_of, session_of

    from tsunagu.cases.models import Case
    from tsunagu.people.models import Person

    if not args.reuse:
        grow_city(persons=args.persons)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    print(
        f"\ndatabase={connection.vendor} persons={Person.objects.count():,} "
        f"cases={Case.objects.count():,} repeat={args.repeat}"
    )
    rows = []
    for username, label in PERSONAS:
        user = acting_user(username)
        client, _key = session_of(user)
        pages = pages_of(user)
        for page, url in pages.items():
            if not url:
                rows.append((label, page, "-", None, None, None, "no row visible"))
                continue
            client.get(url)  # warm up (templates, caches of the process)
            timings, cpu, queries, statuses = [], [], [], set()
            for _ in range(args.repeat):
                # count with an execute wrapper: the request_started signal clears
                # connection.queries_log, so CaptureQueriesContext would see none
                counted = []

                def count(execute, sql, params, many, context, counted=counted):
                    counted.append(sql)
                    return execute(sql, params, many, context)

                with connection.execute_wrapper(count):
                    t0, c0 = time.perf_counter(), time.process_time()
                    response = client.get(url)
                    timings.append((time.perf_counter() - t0) * 1000)
                    cpu.append((time.process_time() - c0) * 1000)
                queries.append(len(counted))
                statuses.add(response.status_code)
            status = "/".join(str(s) for s in sorted(statuses))
            rows.append(
                (
                    label,
                    page,
                    status,
                    statistics.median(timings),
                    percentile(timings, 0.95),
                    statistics.median(queries),
                    url,
                    statistics.median(cpu),
                )
            )
            print(
                f"  {label:<28} {page:<16} {status:>4} {rows[-1][3]:>8.1f} {rows[-1][4]:>8.1f}",
                flush=True,
            )

    print("\n| persona | page | status | p50 ms | p95 ms | queries | Python CPU p50 ms |")
    print("|---|---|---|---|---|---|---|")
    bad = []
    for label, page, status, p50, p95, nq, url, *cpu in rows:
        if p50 is None:
            print(f"| {label} | {page} | — | — | — | — | — |")
            continue
        print(f"| {label} | {page} | {status} | {p50:.1f} | {p95:.1f} | {nq:.0f} | {cpu[0]:.1f} |")
        expected = {"404"} if label.startswith("unrelated") and "page" in page else {"200"}
        if status not in expected:
            bad.append(f"{label} {page} {url}: {status}")
    if bad:
        print("\nunexpected status:\n  " + "\n  ".join(bad))
    if not args.keep and connection.vendor == "sqlite":
        Path(os.environ["TSUNAGU_SQLITE_PATH"]).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
