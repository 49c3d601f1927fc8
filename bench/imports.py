"""A large CSV import while other users work: request times, the job, and everyone else.

Writes a file of ``--rows`` person records from several agencies (bench/linkage/generate.py:
the same people written differently, so 名寄せ has pairs to find), then, as the program
office through the web pages, uploads it and sends the column mapping (which validates every
row and hands the file to the background job). A real worker (``manage.py db_worker``, a
separate process as in production) runs the job, while this process keeps asking for pages
as a desk worker of another agency and reads the import's progress as the office does.

Prints the time of each request of the import, the job's time and rows per second, the
largest gap between two heartbeats, and the desk worker's page times (p50/p95/max) before
and during the import. Nothing is asserted.

    .venv/bin/python bench/imports.py --rows 50000                      # SQLite (a temporary file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tsunagu_pages \
        .venv/bin/python bench/imports.py --rows 50000
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "bench" / "linkage"))

PAGES = ("/", "/persons/", "/persons/?q=佐藤", "/cases/")


def percentile(values, share):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def summary(times: list[float]) -> str:
    if not times:
        return "no requests"
    return (
        f"{len(times)} requests, p50 {statistics.median(times):.0f} ms, "
        f"p95 {percentile(times, 0.95):.0f} ms, max {max(times):.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="tsunagu-imports-")
    os.environ.setdefault("TSUNAGU_SQLITE_PATH", str(Path(tmp) / "city.sqlite3"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tsunagu.settings.local"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from generate import generate

    setup_test_environment()
    logging.getLogger("django.request").setLevel(logging.ERROR)
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)

    from tsunagu.accounts.middleware import SESSION_KEY
    from tsunagu.accounts.models import Membership, User
    from tsunagu.linkage.models import ImportBatch
    from tsunagu.people.models import Person

    if not User.objects.filter(username="officer").exists():
        call_command("seed_demo", verbosity=0)

    def client_of(username: str) -> Client:
        user = User.objects.get(username=username)
        membership = Membership.objects.filter(user=user).order_by("id").first()
        client = Client(raise_request_exception=False)  # a 500 is counted, not raised
        client.force_login(user)
        session = client.session
        session[SESSION_KEY] = membership.pk
        session.save()
        return client

    office, desk = client_of("officer"), client_of("desk")

    failures = []

    def desk_pages(seconds: float) -> list[float]:
        times, end = [], time.perf_counter() + seconds
        while time.perf_counter() < end:
            for url in PAGES:
                t0 = time.perf_counter()
                status = desk.get(url).status_code
                times.append((time.perf_counter() - t0) * 1000)
                if times[-1] > 1000:
                    print(f"  desk worker {url}: {times[-1] / 1000:.1f} s", flush=True)
                if status != 200:
                    failures.append(status)
                    print(f"  desk worker {url}: {status}", flush=True)
        return times

    rows, _truth = generate(args.rows, seed=4242)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["取込元", "利用者番号", "氏名", "フリガナ", "生年月日", "性別", "住所", "電話番号"]
    )
    for i, row in enumerate(rows):
        row = list(row)
        row[1] = f"{row[0]}-{i}"  # one file: the record ids of all sources kept apart
        row[3] = row[3].strip() or "ヨミ フメイ"
        writer.writerow(row)
    data = out.getvalue().encode("utf-8")
    persons_before = Person.objects.count()
    print(
        f"\ndatabase={connection.vendor} persons={persons_before:,} rows={args.rows:,} "
        f"file={len(data) / 1e6:.1f} MB",
        flush=True,
    )

    before = desk_pages(10)
    print(f"desk worker before the import: {summary(before)}", flush=True)

    t0 = time.perf_counter()
    response = office.post(
        "/linkage/imports/new/",
        {"source_label": "bench", "file": io.BytesIO(data)},
    )
    upload_s = time.perf_counter() - t0
    assert response.status_code == 302, response.status_code
    batch = ImportBatch.objects.defer("content").latest("pk")
    mapping = {k: str(v) for k, v in batch.mapping.items()}
    t0 = time.perf_counter()
    response = office.post(f"/linkage/imports/{batch.pk}/mapping/", mapping)
    validate_s = time.perf_counter() - t0
    batch.refresh_from_db()
    print(
        f"upload request {upload_s:.1f} s; mapping + validation request {validate_s:.1f} s "
        f"({batch.get_status_display()})",
        flush=True,
    )

    worker = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "db_worker",
            "--batch",
            "--interval",
            "0.5",
            "--no-startup-delay",
        ],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    started = time.perf_counter()
    during, polls, beats = [], [], []
    last_beat = None
    while worker.poll() is None:
        during += desk_pages(2)
        t0 = time.perf_counter()
        office.get(f"/linkage/imports/{batch.pk}/progress/")
        polls.append((time.perf_counter() - t0) * 1000)
        batch.refresh_from_db()
        if batch.heartbeat_at and batch.heartbeat_at != last_beat:
            beats.append(batch.heartbeat_at)
            last_beat = batch.heartbeat_at
        print(
            f"  {time.perf_counter() - started:6.0f} s  {batch.percent:3d}%  "
            f"{batch.created_count + batch.matched_count:,} rows written",
            flush=True,
        )
    job_s = time.perf_counter() - started
    err = worker.stderr.read()
    batch.refresh_from_db()
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(beats)]
    print(
        f"\njob: {batch.get_status_display()} in {job_s:.0f} s "
        f"({args.rows / job_s:.0f} rows/s); created {batch.created_count:,}, "
        f"matched existing {batch.matched_count:,}, waiting for review {batch.queued_count:,}; "
        f"linkage {batch.linkage.get('method', '')} {batch.linkage.get('seconds', '')} s, "
        f"pairs added {batch.linkage.get('added', 0):,}"
    )
    if gaps:
        print(f"largest gap between heartbeats seen: {max(gaps):.1f} s (polled every ~2 s)")
    print(f"progress polls during the import: {summary(polls)}")
    print(f"desk worker during the import: {summary(during)}")
    print(f"desk worker before the import: {summary(before)}")
    print(f"desk worker requests that did not answer 200: {len(failures)}")
    if batch.error_summary:
        print(f"error: {batch.error_summary}")
    if worker.returncode:
        print(f"worker exited {worker.returncode}: {err[-2000:]}")
    if not args.keep and connection.vendor == "sqlite":
        Path(os.environ["TSUNAGU_SQLITE_PATH"]).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
