"""Closed-loop load on a real server: gunicorn with 1, 2 and 4 workers on PostgreSQL.

For each worker count, gunicorn serves the city in the database of ``DATABASE_URL`` on
loopback and ``wrk`` keeps ``--users`` connections busy for ``--seconds`` (no think time),
each request a main page of one of the demo personas, signed in (bench/personas.py), in turn.
Gunicorn's access log gives each request's server time and status, so the figures per page
are the server's own; wrk gives the throughput. While the load runs, ``manage.py
audit_verify`` checks the audit chain every ``--verify-every`` seconds.

Prints, per worker count: requests/s, p50/p95 server time, errors (5xx, or a status the
persona should not get: 200 for pages it may open, 404 for the unrelated agency's
objects) and the audit checks; then p50/p95 and errors per page. Nothing is asserted.

Needs ``wrk`` (``apt-get install wrk``) and a database with a city (bench/pages.py builds
one; an empty database gets the demo city)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tsunagu_pages .venv/bin/python bench/load.py
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

LUA = """
local entries = %s
local counter = 0
local offset = 0
local threads = 0

function setup(thread)
  thread:set("offset", threads * 17)
  threads = threads + 1
end

function init(args)
  offset = tonumber(offset) or 0
end

request = function()
  counter = counter + 1
  local e = entries[((counter + offset) %% #entries) + 1]
  return wrk.format("GET", e[1], {["Cookie"] = "sessionid=" .. e[2]})
end
"""


def percentile(values, share):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def wait_for(url: str, seconds: float = 60) -> None:
    end = time.time() + seconds
    while time.time() < end:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=180)
    parser.add_argument("--verify-every", type=int, default=30)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("DATABASE_URL (PostgreSQL) is needed: see the docstring")
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")

    os.environ["DJANGO_SETTINGS_MODULE"] = "tsunagu.settings.local"
    os.environ["DJANGO_DEBUG"] = "0"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from personas import PERSONAS, acting_user, pages_of, session_of

    from tsunagu.accounts.models import User
    from tsunagu.people.models import Person

    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="officer").exists():
        call_command("seed_demo", verbosity=0)

    entries, page_of, expected = [], {}, collections.defaultdict(set)
    for username, label in PERSONAS:
        user = acting_user(username)
        _client, key = session_of(user)
        for page, url in pages_of(user).items():
            if not url:
                continue
            entries.append((urllib.parse.quote(url, safe="/?=&"), key))
            page_of[url] = page
            unrelated = label.startswith("unrelated") and "page" in page
            expected[url].add(404 if unrelated else 200)
    persons = Person.objects.count()
    connection.close()

    tmp = Path(tempfile.mkdtemp(prefix="tsunagu-load-"))
    script = tmp / "pages.lua"
    script.write_text(
        LUA % ("{" + ",".join(f"{{{json.dumps(u)}, {json.dumps(k)}}}" for u, k in entries) + "}")
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    print(
        f"\npersons={persons:,} users={args.users} seconds={args.seconds} "
        f"pages={len(entries)} (personas × pages)",
        flush=True,
    )
    results = []
    for workers in [int(w) for w in args.workers.split(",")]:
        log = tmp / f"access-{workers}.log"
        server = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "tsunagu.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{args.port}",
                "--access-logfile",
                str(log),
                "--access-logformat",
                "%(m)s %(U)s?%(q)s %(s)s %(D)s",
                "--error-logfile",
                str(tmp / f"error-{workers}.log"),
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            wait_for(f"http://127.0.0.1:{args.port}/login/")
            log.write_text("")  # the warm-up is not counted
            wrk = subprocess.Popen(
                [
                    "wrk",
                    "-t2",
                    f"-c{args.users}",
                    f"-d{args.seconds}s",
                    "--timeout",
                    "30s",
                    "-s",
                    str(script),
                    f"http://127.0.0.1:{args.port}",
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
            checks = []
            started = time.time()
            while wrk.poll() is None:
                time.sleep(min(args.verify_every, max(1, args.seconds - (time.time() - started))))
                if wrk.poll() is not None:
                    break
                verify = subprocess.run(
                    [sys.executable, str(ROOT / "manage.py"), "audit_verify"],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                )
                checks.append(verify.returncode)
                if verify.returncode:
                    print(f"  audit_verify failed: {verify.stdout[-500:]}{verify.stderr[-500:]}")
            out = wrk.stdout.read()
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        times, by_page, errors = [], collections.defaultdict(list), collections.Counter()
        for line in log.read_text().splitlines():
            _method, path, status, micros = line.split(" ")
            url = urllib.parse.unquote(path.rstrip("?"))
            ms = int(micros) / 1000
            page = page_of.get(url, url)
            times.append(ms)
            by_page[page].append(ms)
            if int(status) >= 500 or int(status) not in expected.get(url, {200}):
                errors[(page, status)] += 1
        socket_errors = re.search(r"Socket errors:.*", out)
        results.append((workers, rate, times, by_page, errors, checks, socket_errors))
        print(
            f"workers={workers}: {rate:.1f} requests/s, server p50 "
            f"{statistics.median(times):.1f} ms p95 {percentile(times, 0.95):.1f} ms, "
            f"errors {sum(errors.values())}, audit_verify {checks.count(0)}/{len(checks)} passed"
            + (f", wrk {socket_errors.group(0)}" if socket_errors else ""),
            flush=True,
        )

    print("\n| workers | requests/s | p50 ms | p95 ms | errors | audit_verify during load |")
    print("|---|---|---|---|---|---|")
    for workers, rate, times, _by_page, errors, checks, _socket in results:
        print(
            f"| {workers} | {rate:.1f} | {statistics.median(times):.1f} | "
            f"{percentile(times, 0.95):.1f} | {sum(errors.values())} | "
            f"{checks.count(0)}/{len(checks)} passed |"
        )
    pages = sorted({page for r in results for page in r[3]})
    header = " | ".join(f"{w} worker{'s' if w > 1 else ''} p50/p95" for w, *_ in results)
    print(f"\n| page (server time, ms) | {header} | errors |")
    print("|---|" + "---|" * len(results) + "---|")
    for page in pages:
        cells = []
        for _w, _rate, _times, by_page, _errors, _checks, _socket in results:
            values = by_page.get(page, [])
            cells.append(
                f"{statistics.median(values):.0f} / {percentile(values, 0.95):.0f}"
                if values
                else "—"
            )
        errs = sum(n for r in results for (p, _s), n in r[4].items() if p == page)
        print(f"| {page} | " + " | ".join(cells) + f" | {errs} |")
    for workers, *_rest in results:
        errors = _rest[3]
        if errors:
            print(f"\nerrors with {workers} workers: {dict(errors)}")


if __name__ == "__main__":
    main()
