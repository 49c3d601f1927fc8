"""Server time of the アウトリーチ caseload (担当一覧) at scale.

Builds the demo city (``seed_demo``) and then, with ``bulk_create`` (no services), 20 outreach
agencies (the demo's ``csw`` and ``marugoto`` and 18 more, each with an outreach worker),
``--records`` outreach records spread evenly over them and ``--contacts`` contacts spread over
the records; ``--with-person`` of the records are linked to a person registered by their
agency, and the grants are rebuilt as ``manage.py access_rebuild`` does. ``--reuse`` times a
database built before.

Then times, for the outreach worker ``outreach`` (its agency ``csw``) and the program office
(``officer``), each variant of the caseload (default, ``?flag=overdue``, ``?q=北部``,
``?stage=relationship``, ``?page=5``) ``--repeat`` times:

- the selector path the page reads: ``selectors.caseload`` with the filters, the capped count
  (``CappedPaginator``: at most 1,001 ids), the page's ids and ``rows_for_page``;
- the page itself, ``reverse("outreach:caseload")`` with the test ``Client`` (signed in, the
  acting membership in the session), when the URL exists.

Prints p50/p95 ms (server time, DEBUG off) and queries per request; ``--explain`` prints
PostgreSQL's ``EXPLAIN (ANALYZE, BUFFERS)`` of the count and of the page's ids.
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

AGENCIES = 20
PAGE_SIZE = 25
BENCH_PREFIX = "outreach_bench_"
DIRECTIONS = ("北部", "南部", "東部", "西部", "中部")
VARIANTS = (
    ("default", ""),
    ("overdue", "flag=overdue"),
    ("q=北部", "q=北部"),
    ("stage=relationship", "stage=relationship"),
    ("page 5", "page=5"),
)
PERSONAS = (("outreach", "outreach worker (csw)"), ("officer", "office (推進室)"))


def percentile(values, share):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


# ------------------------------------------------------------------------------- the data


def _agencies():
    """The demo's outreach agencies and bench agencies up to ``AGENCIES``, each with an
    outreach worker (returns ``[(agency, user)]``)."""
    from tsunagu.accounts.models import Agency, AgencyProgram, Area, Membership, Role, User

    template = Agency.objects.get(code="csw")
    areas = list(Area.objects.filter(kind="daily_life").order_by("code"))
    found = []
    for code in ("csw", "marugoto"):
        agency = Agency.objects.get(code=code)
        worker = (
            Membership.objects.filter(agency=agency, role=Role.OUTREACH_WORKER)
            .select_related("user")
            .first()
        )
        user = worker.user if worker else None
        if user is None:
            user, _ = User.objects.get_or_create(
                username=f"bench_outreach_{code}", defaults={"display_name": f"{code} 支援員"}
            )
            Membership.objects.get_or_create(
                user=user, agency=agency, role=Role.OUTREACH_WORKER, defaults={"title": "支援員"}
            )
        found.append((agency, user))
    for n in range(1, AGENCIES - len(found) + 1):
        code = f"{BENCH_PREFIX}{n:02d}"
        area = areas[n % len(areas)]
        agency, _ = Agency.objects.get_or_create(
            code=code,
            defaults={
                "name": f"アウトリーチ支援 {area.name}",
                "field": template.field,
                "operation": template.operation,
                "area": area,
            },
        )
        AgencyProgram.objects.get_or_create(agency=agency, program="outreach")
        user, _ = User.objects.get_or_create(
            username=f"bench_outreach_{n:02d}", defaults={"display_name": f"支援員 {n:02d}"}
        )
        Membership.objects.get_or_create(
            user=user, agency=agency, role=Role.OUTREACH_WORKER, defaults={"title": "支援員"}
        )
        found.append((agency, user))
    return found


def build(*, records: int, contacts: int, with_person: float, seed: int = 7) -> None:
    from city import Writer
    from django.utils import timezone

    from tsunagu.accounts.models import Area
    from tsunagu.demo.names import pick_family_name, pick_given_name
    from tsunagu.demo.services import seed_demo
    from tsunagu.grants.maintain import rebuild as rebuild_grants
    from tsunagu.outreach.models import (
        AgeBand,
        ClosureReason,
        ConsentMethod,
        ContactMethod,
        EventKind,
        OutreachContact,
        OutreachEvent,
        OutreachRecord,
        Source,
        Stage,
    )
    from tsunagu.people.models import Person

    rng = random.Random(seed)
    t0 = time.perf_counter()
    print("seed_demo …", flush=True)
    seed_demo()
    print(f"  demo city in {time.perf_counter() - t0:.0f} s", flush=True)
    w = Writer()
    workers = _agencies()
    areas = list(Area.objects.filter(kind="daily_life"))
    today = timezone.localdate()
    day = datetime.timedelta

    ages = [b for b in AgeBand.values if b != AgeBand.UNKNOWN]
    stages = Stage.values
    methods = ContactMethod.values
    # the usual mix of methods: many letters and visits, few accompanyings
    method_weights = [16, 4, 6, 10, 18, 20, 8, 4, 14]
    sources = Source.values

    # --- persons linked to a share of the records (registered by the outreach agency) -----
    linked = [rng.random() < with_person for _ in range(records)]
    record_agency = [workers[n % len(workers)] for n in range(records)]
    last_person = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    objs = []
    for n in range(records):
        if not linked[n]:
            continue
        sex = rng.choice(["male", "female"])
        family, given = pick_family_name(rng), pick_given_name(rng, sex)
        p = Person(
            name=f"{family.kanji} {given.kanji}",
            name_kana=f"{family.kana} {given.kana}",
            sex=sex,
            birth_date=datetime.date(1935, 1, 1) + day(days=rng.randrange(30000)),
            address=f"岐阜市{rng.choice('東西南北中')}町{rng.randrange(1, 30)}-{rng.randrange(40)}",
            registered_by_agency=record_agency[n][0],
        )
        p.refresh_search_keys()
        objs.append(p)
    w.write(Person, objs)
    person_ids = iter(
        Person.objects.filter(pk__gt=last_person).order_by("pk").values_list("pk", flat=True)
    )
    del objs

    # --- records, each with the dates of its contacts --------------------------------------
    mean = contacts / records
    counts = [max(0, round(rng.expovariate(1 / mean))) for _ in range(records)]
    scale = contacts / max(1, sum(counts))
    counts = [round(c * scale) for c in counts]
    counts[0] += contacts - sum(counts)  # exactly --contacts
    counts[0] = max(0, counts[0])
    last_record = OutreachRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    objs, plans = [], []
    for n in range(records):
        agency, user = record_agency[n]
        began = today - day(days=rng.randrange(3, 900))
        span = (today - began).days
        # contacts fall between the start and today, the later ones denser for open records
        dates = sorted(began + day(days=rng.randrange(span + 1)) for _ in range(counts[n]))
        picked = [rng.choices(methods, method_weights)[0] for _ in dates]
        stage = rng.choice(stages)
        closed = rng.random() < 0.3
        consented = linked[n] and stage in stages[2:] and rng.random() < 0.6
        urgent = not closed and rng.random() < 0.01
        last = dates[-1] if dates else None
        met = [d for d, m in zip(dates, picked, strict=True) if m in ("visit_met", "accompany")]
        next_on = None
        if not closed and rng.random() < 0.75:
            next_on = (last or began) + day(days=rng.randrange(1, 45))
        direction = rng.choice(DIRECTIONS)
        age = rng.choice(ages)
        objs.append(
            OutreachRecord(
                agency=agency,
                label=f"{direction} {AgeBand(age).label}{rng.choice('男女')}性 "
                f"{chr(65 + n % 26)}{n // 26}",
                person_id=next(person_ids) if linked[n] else None,
                age_band=age,
                area=rng.choice(areas),
                address=f"岐阜市{rng.choice('東西南北中')}町{rng.randrange(1, 30)}丁目付近",
                household_hint=rng.choice(["一人暮らし", "80代の母と二人", "家族と同居", ""]),
                known_facts="郵便物がたまっている。近所付き合いがない。",
                source=rng.choice(sources),
                informant_name=rng.choice(["民生委員", "近隣住民", "家族", ""]),
                began_on=began,
                stage=stage,
                consented_on=(began + day(days=rng.randrange(span + 1))) if consented else None,
                consent_method=ConsentMethod.SIGNED if consented else "",
                first_met_on=met[0] if met else None,
                last_contact_on=last,
                next_action="訪問" if next_on else "",
                next_action_on=next_on,
                is_urgent=urgent,
                urgent_note="警察・救急に連絡" if urgent else "",
                closed_on=(last or began) if closed else None,
                closure_reason=ClosureReason.CONNECTED if closed else "",
                connected_agency=agency if closed else None,
                created_by=user,
            )
        )
        plans.append((dates, picked, agency, user))
    w.write(OutreachRecord, objs)
    record_ids = list(
        OutreachRecord.objects.filter(pk__gt=last_record)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    events = [
        OutreachEvent(
            record_id=rid,
            kind=EventKind.BEGAN,
            to_stage=Stage.GATHERING,
            occurred_on=rec.began_on,
            by=rec.created_by,
        )
        for rid, rec in zip(record_ids, objs, strict=True)
    ]
    w.write(OutreachEvent, events)
    del objs, events

    # --- contacts, written in chunks of records -------------------------------------------
    batch = []
    written = 0
    for rid, (dates, picked, agency, user) in zip(record_ids, plans, strict=True):
        for occurred, method in zip(dates, picked, strict=True):
            batch.append(
                OutreachContact(
                    record_id=rid,
                    occurred_on=occurred,
                    method=method,
                    staff="支援員",
                    summary="訪問し、様子を確認した。",
                    reached_person=method in ("visit_met", "accompany"),
                    agency=agency,
                    recorded_by=user,
                )
            )
        if len(batch) >= 50_000:
            OutreachContact.objects.bulk_create(batch, batch_size=5000)
            written += len(batch)
            print(f"  OutreachContact {written:>10,} rows", flush=True)
            batch = []
    if batch:
        OutreachContact.objects.bulk_create(batch, batch_size=5000)
        written += len(batch)
    w.rows += written
    print(f"  OutreachContact {written:>10,} rows (done)", flush=True)

    # the bulk rows bypass save(): the persons' grants are computed as access_rebuild does
    started = time.perf_counter()
    subjects = rebuild_grants()
    print(f"grants of {subjects:,} subjects in {time.perf_counter() - started:.0f} s", flush=True)
    elapsed = time.perf_counter() - w.started
    print(f"generated {w.rows:,} rows in {elapsed:.0f} s", flush=True)


# ----------------------------------------------------------------------------- the timing


def _filters(query: str):
    from tsunagu.outreach.selectors import CaseloadFilter

    values = dict(part.split("=", 1) for part in query.split("&") if part)
    page = int(values.pop("page", 1))
    return CaseloadFilter(**values), page


def selector_path(user, query: str) -> int:
    """What the page reads: the capped count, the page's ids, its rows. Returns the rows."""
    from tsunagu.common.paging import COUNT_CAP
    from tsunagu.outreach import selectors

    filters, page = _filters(query)
    qs = selectors.caseload(user=user, filters=filters)
    count = qs.order_by().values_list("pk")[: COUNT_CAP + 1].count()
    start = (page - 1) * PAGE_SIZE
    ids = list(qs.values_list("pk", flat=True)[start : start + PAGE_SIZE]) if count else []
    return len(selectors.rows_for_page(ids))


def explain(user, query: str) -> None:
    from django.db import connection

    from tsunagu.common.paging import COUNT_CAP
    from tsunagu.outreach import selectors

    filters, page = _filters(query)
    qs = selectors.caseload(user=user, filters=filters)
    start = (page - 1) * PAGE_SIZE
    for name, part in (
        ("count", qs.order_by().values_list("pk")[: COUNT_CAP + 1]),
        ("page ids", qs.values_list("pk", flat=True)[start : start + PAGE_SIZE]),
    ):
        sql, params = part.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = "\n".join(f"      {row[0]}" for row in cursor.fetchall())
        print(f"    -- {user.username} {query or 'default'}: {name}\n{plan}")


def timed(fn, repeat: int):
    from django.db import connection

    fn()  # warm up (templates, caches of the process)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--contacts", type=int, default=500_000)
    parser.add_argument("--with-person", type=float, default=0.6)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file")
    parser.add_argument("--reuse", action="store_true", help="time the data built before")
    parser.add_argument("--explain", action="store_true", help="PostgreSQL EXPLAIN ANALYZE")
    parser.add_argument("--selector-only", action="store_true", help="time the selector path only")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="tsunagu-outreach-")
    os.environ.setdefault("TSUNAGU_SQLITE_PATH", str(Path(tmp) / "outreach.sqlite3"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tsunagu.settings.local"
    os.environ.setdefault("DJANGO_DEBUG", "0")  # as in production: no query log
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.urls import NoReverseMatch, reverse

    setup_test_environment()
    logging.getLogger("django.request").setLevel(logging.ERROR)
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    from personas import acting_user, session_of

    from tsunagu.outreach.models import OutreachContact, OutreachRecord

    if not args.reuse:
        if OutreachRecord.objects.filter(agency__code__startswith=BENCH_PREFIX).exists():
            sys.exit("The database already holds the benchmark's records: time it with --reuse.")
        build(records=args.records, contacts=args.contacts, with_person=args.with_person)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    try:
        url = reverse("outreach:caseload")
    except NoReverseMatch:
        url = None
    worker = acting_user("outreach")
    print(
        f"\ndatabase={connection.vendor} records={OutreachRecord.objects.count():,} "
        f"contacts={OutreachContact.objects.count():,} "
        f"agencies={OutreachRecord.objects.values('agency').distinct().count()} "
        f"csw records={OutreachRecord.objects.filter(agency__code='csw').count():,} "
        f"(open {OutreachRecord.objects.filter(agency__code='csw', closed_on=None).count():,}) "
        f"repeat={args.repeat} page={'yes' if url else 'not yet (selector path only)'}"
    )
    rows = []
    for username, label in PERSONAS:
        user = worker if username == "outreach" else acting_user(username)
        client = None
        if url and not args.selector_only:
            client, _key = session_of(user)
        for variant, query in VARIANTS:
            if args.explain and connection.vendor == "postgresql":
                explain(user, query)
            p50, p95, nq, shown = timed(lambda u=user, q=query: selector_path(u, q), args.repeat)
            rows.append((label, variant, "selector", "-", p50, p95, nq, max(shown)))
            print(f"  {label:<24} {variant:<20} selector {p50:>8.1f} {p95:>8.1f}", flush=True)
            if client is None:
                continue
            target = f"{url}?{query}" if query else url
            p50, p95, nq, statuses = timed(
                lambda c=client, t=target: c.get(t).status_code, args.repeat
            )
            status = "/".join(str(s) for s in sorted(statuses))
            rows.append((label, variant, "page", status, p50, p95, nq, None))
            print(f"  {label:<24} {variant:<20} page {status} {p50:>8.1f} {p95:>8.1f}", flush=True)

    print("\n| persona | variant | what | status | p50 ms | p95 ms | queries | rows |")
    print("|---|---|---|---|---|---|---|---|")
    for label, variant, what, status, p50, p95, nq, shown in rows:
        shown = "" if shown is None else shown
        print(
            f"| {label} | {variant} | {what} | {status} | {p50:.1f} | {p95:.1f} | {nq:.0f} "
            f"| {shown} |"
        )
    if not args.keep and connection.vendor == "sqlite":
        Path(os.environ["TSUNAGU_SQLITE_PATH"]).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
