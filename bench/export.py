"""Time and memory of a whole list leaving as a file: the 相談受付 list at 100,000 rows.

Builds, with ``bulk_create`` (no services), a city with two agencies, a desk worker of the
first (``bench_desk``), ``--persons`` persons, households of two for a tenth of them, and
``--rows`` consultations recorded by the first agency over the last three years (one or two
categories each, a tenth of them about a household), plus a tenth as many of the second
agency's, which the desk worker may not see. Then, as that desk worker, through the Django
test ``Client`` (DEBUG off), asks for ``/consultations/?export=xlsx`` and ``?export=csv``:
the whole list, and the last tenth of it by date (``date_from``), reading the streamed body
as a browser would (chunk by chunk, nothing kept). Prints the seconds, the rows, the bytes,
and the peak resident memory of the process during the request (``VmHWM`` after resetting it
through ``/proc/self/clear_refs``; ``ru_maxrss`` where that is not available) against the
resident memory before it: flat memory means the same peak for a tenth and for the whole.

    .venv/bin/python bench/export.py                      # SQLite, in a temporary file
    .venv/bin/python bench/export.py --database-url postgres://postgres@127.0.0.1:5432/bench_export
    TSUNAGU_SQLITE_PATH=/tmp/export.sqlite3 .venv/bin/python bench/export.py --keep
    TSUNAGU_SQLITE_PATH=/tmp/export.sqlite3 .venv/bin/python bench/export.py --reuse
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

BATCH = 5000
DESK = "bench_desk"


def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def rss_mb() -> float:
    kb = _status_kb("VmRSS")
    return (kb or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


def peak_mb() -> float:
    kb = _status_kb("VmHWM")
    return (kb or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


def build(*, rows: int, persons: int, seed: int = 7) -> None:
    from django.db import transaction
    from django.utils import timezone

    from tsunagu.accounts.models import Agency, Area, Membership, Role, User
    from tsunagu.consultations.models import Consultation, ConsultationCategory, IssueCategory
    from tsunagu.people.models import Household, HouseholdMember, Person

    rng = random.Random(seed)
    t0 = time.perf_counter()
    city = Area.objects.create(code="bench_city", name="ベンチ市全域", kind="city")
    desk_agency, other_agency = (
        Agency.objects.create(
            code=code, name=name, field="other", operation="direct", area=city, phone="0"
        )
        for code, name in (("bench_a", "地域包括支援センター本町"), ("bench_b", "住宅課"))
    )
    desk = User.objects.create_user(username=DESK, password="x", display_name="受付 花子")
    Membership.objects.create(user=desk, agency=desk_agency, role=Role.DESK_WORKER)
    categories = list(IssueCategory.objects.filter(is_active=True))
    families = ("佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤")
    givens = ("花子", "一郎", "美咲", "健太", "陽子", "翔", "由美", "誠", "恵子", "大輔")
    born = datetime.date(1940, 1, 1)
    print(f"{persons:,} persons …", flush=True)
    made = []
    for start in range(0, persons, BATCH):
        made += Person.objects.bulk_create(
            Person(
                name=f"{rng.choice(families)} {rng.choice(givens)}",
                name_kana="ベンチ",
                birth_date=born + datetime.timedelta(days=rng.randrange(25000)),
                address=f"ベンチ市本町{n % 50}-{n % 7}",
                registered_by_agency=desk_agency,
            )
            for n in range(start, min(persons, start + BATCH))
        )
    pairs = made[: persons // 10 * 2]
    households = Household.objects.bulk_create(
        Household(label=f"{p.name.split()[0]}世帯", registered_by_agency=desk_agency)
        for p in pairs[::2]
    )
    HouseholdMember.objects.bulk_create(
        HouseholdMember(household=h, person=p, relation=relation)
        for n, h in enumerate(households)
        for p, relation in ((pairs[2 * n], "head"), (pairs[2 * n + 1], "child"))
    )
    today = timezone.localdate()
    total = rows + rows // 10
    print(f"{total:,} consultations …", flush=True)
    done = 0
    while done < total:
        batch = []
        for n in range(done, min(total, done + BATCH)):
            about_household = households and rng.random() < 0.1
            batch.append(
                Consultation(
                    agency=desk_agency if n < rows else other_agency,
                    recorded_by=desk,
                    received_on=today - datetime.timedelta(days=rng.randrange(3 * 365)),
                    channel=rng.choice(("walk_in", "phone", "home_visit")),
                    consulter_type=rng.choice(("self", "family", "minsei")),
                    consulter_name="" if rng.random() < 0.5 else "相談 太郎",
                    person=None if about_household else rng.choice(made),
                    household=rng.choice(households) if about_household else None,
                    summary=("=" if n % 100 == 0 else "")
                    + f"ベンチ相談 {n}：生活費と家族の介護について。" * 2,
                    consent_to_share=rng.random() < 0.5,
                    outcome=rng.choice(("handled", "information", "referred")),
                )
            )
        with transaction.atomic():
            created = Consultation.objects.bulk_create(batch)
            links = []
            for c in created:
                chosen = rng.sample(categories, rng.choice((1, 2)))
                links += [
                    ConsultationCategory(consultation=c, category=cat, is_primary=k == 0)
                    for k, cat in enumerate(chosen)
                ]
            ConsultationCategory.objects.bulk_create(links)
        done += len(batch)
        print(f"  {done:,}", end="\r", flush=True)
    print(f"\nbuilt in {time.perf_counter() - t0:.0f} s", flush=True)


def export_once(client, url: str) -> tuple[float, int, float, float, int]:
    """(seconds, bytes, resident MB before, peak MB during, status) of one download."""
    import gc

    gc.collect()
    before = rss_mb()
    _reset_peak()
    t0 = time.perf_counter()
    response = client.get(url)
    size = 0
    for chunk in response.streaming_content if response.streaming else [response.content]:
        size += len(chunk)
    response.close()
    seconds = time.perf_counter() - t0
    return seconds, size, before, peak_mb(), response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000, help="the desk's consultations")
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL; SQLite when not given")
    parser.add_argument("--reuse", action="store_true", help="time the data built before")
    parser.add_argument("--keep", action="store_true", help="keep the temporary SQLite file")
    args = parser.parse_args()
    tmp = None
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    elif "TSUNAGU_SQLITE_PATH" not in os.environ:
        tmp = tempfile.mkdtemp(prefix="tsunagu-export-")
        os.environ["TSUNAGU_SQLITE_PATH"] = str(Path(tmp) / "export.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "tsunagu.settings.local"
    os.environ.setdefault("DJANGO_DEBUG", "0")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.urls import reverse
    from django.utils import timezone

    setup_test_environment()
    logging.getLogger("django.request").setLevel(logging.ERROR)
    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    call_command("migrate", verbosity=0)

    from personas import acting_user, session_of

    from tsunagu.accounts.models import User
    from tsunagu.audit.models import AuditEvent
    from tsunagu.consultations.models import Consultation

    try:
        if not args.reuse:
            if User.objects.filter(username=DESK).exists():
                sys.exit("The database already holds the benchmark's data: time it with --reuse.")
            build(rows=args.rows, persons=args.persons)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        desk = acting_user(DESK)
        client, _key = session_of(desk)
        url = reverse("consultations:consultation_list")
        visible = Consultation.objects.filter(agency_id=desk.acting_membership.agency_id)
        dates = sorted(visible.values_list("received_on", flat=True))
        tenth = dates[len(dates) * 9 // 10]
        variants = (
            ("a tenth", f"date_from={tenth.isoformat()}"),
            ("all", ""),
        )
        print(
            f"\ndatabase={connection.vendor} consultations={Consultation.objects.count():,} "
            f"(the desk's {visible.count():,}) resident before={rss_mb():.0f} MB"
        )
        results = []
        for fmt in ("csv", "xlsx"):
            for label, query in variants:
                target = f"{url}?export={fmt}" + (f"&{query}" if query else "")
                seconds, size, before, peak, status = export_once(client, target)
                event = AuditEvent.objects.filter(action="consultation.list").latest("id")
                count = event.context["rows"]
                results.append((fmt, label, status, count, size, seconds, before, peak))
                print(
                    f"  {fmt:<4} {label:<8} {status} rows={count:>7,} {size / 1e6:7.1f} MB "
                    f"{seconds:6.2f} s  resident {before:5.0f} → peak {peak:5.0f} MB "
                    f"(persons in the audit: {len(event.person_ids):,})",
                    flush=True,
                )
        print("\n| format | rows | status | file MB | seconds | resident before MB | peak MB |")
        print("|---|---|---|---|---|---|---|")
        for fmt, _label, status, count, size, seconds, before, peak in results:
            print(
                f"| {fmt} | {count:,} | {status} | {size / 1e6:.1f} | {seconds:.2f} "
                f"| {before:.0f} | {peak:.0f} |"
            )
        print(f"\n(measured {timezone.localtime():%Y-%m-%d %H:%M})")
    finally:
        if tmp and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        elif tmp:
            print(f"kept {os.environ['TSUNAGU_SQLITE_PATH']}")


if __name__ == "__main__":
    main()
