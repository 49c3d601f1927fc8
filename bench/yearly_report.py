"""The fiscal-year statistics (年度別実施状況) at city scale: time and peak memory.

Builds the demo city (``seed_demo``) and then, with ``bulk_create`` (no services), over the last
``--years`` 年度: ``--consultations`` consultations (default 1,000,000) at every agency with one
to three issue categories (one ◎), a referral for one in five with its events (accepted,
returned, completed), ``--cases`` 多機関協働 cases (default 100,000) with their status changes
(some closed and reopened, some suspended) and a confirmed first plan for most, and
``--activities`` community activities (default 5,000,000). ``--reuse`` times a database built
before.

Then times, ``--repeat`` times each: the whole report of the current 年度 for the office
(city-wide, and one agency), for a desk's own agency (small counts hidden), the workbook of the
city-wide report, and the API answer. Prints p50/p95 seconds, queries, and the peak of traced
Python memory of one run (``tracemalloc``).

    .venv/bin/python bench/yearly_report.py                 # SQLite, in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_statistics \\
        .venv/bin/python bench/yearly_report.py
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
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

MARK = "bench統計"
BATCH = 10000


def percentile(values, share):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    from django.utils import timezone

    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(rng.randrange(8, 20), rng.randrange(60)))
    )


def build(*, consultations: int, cases: int, activities: int, years: int, seed: int = 17):
    from django.db import transaction
    from django.utils import timezone

    from tsunagu.accounts.models import Agency, Area, User
    from tsunagu.cases.models import Case, CaseStatusEvent, SupportPlan
    from tsunagu.common.fiscal import fiscal_year, fiscal_year_range
    from tsunagu.community.models import Activity, ActivityKind
    from tsunagu.consultations.models import (
        Consultation,
        ConsultationCategory,
        IssueCategory,
        Referral,
        ReferralEvent,
    )
    from tsunagu.demo.services import seed_demo
    from tsunagu.meetings.models import AgendaItem, Meeting
    from tsunagu.people.models import Person

    rng = random.Random(seed)
    t0 = time.perf_counter()
    print("seed_demo …", flush=True)
    seed_demo()
    agencies = list(Agency.objects.values_list("pk", flat=True))
    categories = list(IssueCategory.objects.values_list("pk", flat=True))
    desk = User.objects.get(username="desk")
    coordinator = User.objects.get(username="coordinator")
    office = User.objects.get(username="officer")
    today = timezone.localdate()
    start, _ = fiscal_year_range(fiscal_year(today) - years + 1)
    span = (today - start).days + 1

    def day():
        return start + datetime.timedelta(days=rng.randrange(span))

    people_count = max(1000, consultations // 5)
    print(f"{people_count:,} persons …", flush=True)
    for first in range(0, people_count, BATCH):
        Person.objects.bulk_create(
            [
                Person(
                    name=f"{MARK} {n}",
                    name_kana="ベンチ",
                    birth_date=datetime.date(1930, 1, 1)
                    + datetime.timedelta(days=rng.randrange(90 * 365)),
                    sex=rng.choice(("male", "female", "unknown")),
                )
                for n in range(first, min(people_count, first + BATCH))
            ]
        )
    persons = list(Person.objects.filter(name__startswith=MARK).values_list("pk", flat=True))
    print(f"{consultations:,} consultations …", flush=True)
    made = 0
    while made < consultations:
        size = min(BATCH, consultations - made)
        with transaction.atomic():
            batch = Consultation.objects.bulk_create(
                [
                    Consultation(
                        agency_id=rng.choice(agencies),
                        recorded_by=desk,
                        received_on=day(),
                        channel=rng.choice(("walk_in", "phone", "home_visit", "from_agency")),
                        consulter_type=rng.choice(("self", "family", "minsei", "agency")),
                        person_id=rng.choice(persons),
                        outcome=rng.choice(("handled", "information", "referred")),
                        summary=MARK,
                    )
                    for _ in range(size)
                ]
            )
            ticks, referrals = [], []
            for c in batch:
                for n, category in enumerate(rng.sample(categories, rng.randrange(1, 4))):
                    ticks.append(
                        ConsultationCategory(
                            consultation=c, category_id=category, is_primary=n == 0
                        )
                    )
                if rng.random() < 0.2:
                    sent = _moment(c.received_on, rng)
                    referrals.append(
                        Referral(
                            kind="standard",
                            consultation=c,
                            person_id=c.person_id,
                            from_agency_id=c.agency_id,
                            to_agency_id=rng.choice([a for a in agencies if a != c.agency_id]),
                            sent_by=desk,
                            status="sent",
                            sent_at=sent,
                            respond_by=sent + datetime.timedelta(days=5),
                        )
                    )
            ConsultationCategory.objects.bulk_create(ticks)
            Referral.objects.bulk_create(referrals)
            events = []
            for r in referrals:
                events.append(
                    ReferralEvent(
                        referral=r,
                        to_status="sent",
                        at=r.sent_at,
                        by=desk,
                        agency_id=r.from_agency_id,
                    )
                )
                answer = r.sent_at + datetime.timedelta(hours=rng.randrange(2, 24 * 9))
                to = "accepted" if rng.random() < 0.85 else "returned"
                events.append(
                    ReferralEvent(
                        referral=r,
                        from_status="sent",
                        to_status=to,
                        at=answer,
                        by=desk,
                        agency_id=r.to_agency_id,
                    )
                )
                if to == "accepted" and rng.random() < 0.6:
                    events.append(
                        ReferralEvent(
                            referral=r,
                            from_status="accepted",
                            to_status="completed",
                            at=answer + datetime.timedelta(days=rng.randrange(1, 60)),
                            by=desk,
                            agency_id=r.to_agency_id,
                        )
                    )
            ReferralEvent.objects.bulk_create(events)
        made += size
        print(f"  {made:,}", end="\r", flush=True)
    print(f"\n{cases:,} cases …", flush=True)
    # read before the cases are written (a server-side cursor does not outlive a commit)
    pool = iter(
        list(Consultation.objects.filter(summary=MARK).values_list("pk", "person_id")[:cases])
    )
    meeting = Meeting.objects.create(
        kind="conference",
        title=f"{MARK} 会議",
        schedule="regular",
        format="in_person",
        starts_at=_moment(start, rng),
        convening_agency_id=agencies[0],
        created_by=office,
    )
    made = 0
    while made < cases:
        size = min(BATCH // 2, cases - made)
        with transaction.atomic():
            referrals = []
            for _ in range(size):
                consultation, person = next(pool)
                opened = day()
                referrals.append(
                    Referral(
                        kind="multi_agency",
                        consultation_id=consultation,
                        person_id=person,
                        from_agency_id=rng.choice(agencies[1:]),
                        to_agency_id=agencies[0],
                        sent_by=desk,
                        status="accepted",
                        sent_at=_moment(opened, rng),
                        respond_by=_moment(opened + datetime.timedelta(days=5), rng),
                        criterion_household=rng.random() < 0.7,
                        criterion_gap=rng.random() < 0.3,
                    )
                )
            Referral.objects.bulk_create(referrals)
            made_cases = Case.objects.bulk_create(
                [
                    Case(
                        referral=r,
                        person_id=r.person_id,
                        referring_agency_id=r.from_agency_id,
                        coordinating_agency_id=r.to_agency_id,
                        coordinator=coordinator,
                        status="intake",
                        opened_on=timezone.localtime(r.sent_at).date(),
                    )
                    for r in referrals
                ]
            )
            events, items, plans = [], [], []
            for case in made_cases:
                at = _moment(case.opened_on, rng)
                path = ["intake", "assessment", "planning", "active"]
                roll = rng.random()
                if roll < 0.2:
                    path += ["closed"]
                if roll < 0.05:
                    path += ["assessment"]
                if 0.2 <= roll < 0.25:
                    path += ["suspended"]
                case.status = path[-1]
                before = ""
                for status in path:
                    events.append(
                        CaseStatusEvent(
                            case=case, from_status=before, to_status=status, at=at, by=coordinator
                        )
                    )
                    before = status
                    at += datetime.timedelta(days=rng.randrange(3, 40))
                if rng.random() < 0.8:
                    items.append(
                        AgendaItem(
                            meeting=meeting,
                            case=case,
                            purpose="plan_adoption",
                            outcome="agreed",
                            decided_at=at,
                            decided_by=office,
                        )
                    )
            Case.objects.bulk_update(made_cases, ["status"])
            CaseStatusEvent.objects.bulk_create(events)
            AgendaItem.objects.bulk_create(items)
            for item in items:
                confirmed = timezone.localtime(item.decided_at).date()
                plans.append(
                    SupportPlan(
                        case=item.case,
                        version=1,
                        kind="initial",
                        status="confirmed",
                        agreed_at_item=item,
                        agreed_on=confirmed,
                        confirmed_on=confirmed,
                        created_by=coordinator,
                    )
                )
            SupportPlan.objects.bulk_create(plans)
        made += size
        print(f"  {made:,}", end="\r", flush=True)
    print(f"\n{activities:,} activities …", flush=True)
    kinds = list(ActivityKind.objects.values_list("pk", flat=True))
    areas = list(Area.objects.filter(kind="daily_life").values_list("pk", flat=True))
    author = User.objects.get(username="community")
    made = 0
    while made < activities:
        size = min(BATCH * 2, activities - made)
        rows = []
        for _ in range(size):
            held = day()
            counts = [rng.randrange(6), rng.randrange(4), rng.randrange(6), rng.randrange(25)]
            rows.append(
                Activity(
                    kind_id=rng.choice(kinds),
                    title=MARK,
                    starts_at=_moment(held, rng),
                    area_id=rng.choice(areas),
                    children=counts[0],
                    youth=counts[1],
                    working_age=counts[2],
                    elderly=counts[3],
                    participants=sum(counts),
                    new_connections=rng.randrange(3),
                    fiscal_year=fiscal_year(held),
                    month=held.month,
                    created_by=author,
                )
            )
        with transaction.atomic():
            Activity.objects.bulk_create(rows)
        made += size
        print(f"  {made:,}", end="\r", flush=True)
    print(f"\nbuilt in {time.perf_counter() - t0:.0f} s", flush=True)


def timed(fn, repeat: int):
    from django.db import connection

    tracemalloc.start()
    fn()  # warm up, and the memory of one run
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    timings, queries = [], []
    for _ in range(repeat):
        counted = []

        def count(execute, sql, params, many, context, counted=counted):
            counted.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            t0 = time.perf_counter()
            fn()
            timings.append(time.perf_counter() - t0)
        queries.append(len(counted))
    return statistics.median(timings), percentile(timings, 0.95), statistics.median(queries), peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--consultations", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=5_000_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="time the data built before")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="tsunagu-statistics-")
    os.environ.setdefault("TSUNAGU_SQLITE_PATH", str(Path(tmp) / "statistics.sqlite3"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tsunagu.settings.local"
    os.environ.setdefault("DJANGO_DEBUG", "0")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    logging.getLogger("django.request").setLevel(logging.ERROR)
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    from personas import acting_user, session_of

    from tsunagu.accounts.models import Agency
    from tsunagu.consultations.models import Consultation
    from tsunagu.reports import workbook
    from tsunagu.reports.statistics import period as periods
    from tsunagu.reports.statistics import report, scope_for

    if not args.reuse:
        if Consultation.objects.filter(summary=MARK).exists():
            sys.exit("The database already holds the benchmark's records: time it with --reuse.")
        build(
            consultations=args.consultations,
            cases=args.cases,
            activities=args.activities,
            years=args.years,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    from tsunagu.cases.models import Case
    from tsunagu.community.models import Activity

    year = periods.parse()
    office = acting_user("officer")
    desk = acting_user("desk")
    busiest = (
        Consultation.objects.values("agency").order_by().annotate(n=django.db.models.Count("pk"))
    )
    agency = Agency.objects.get(pk=max(busiest, key=lambda r: r["n"])["agency"])
    in_year = Consultation.objects.filter(
        received_on__gte=year.start, received_on__lte=year.end
    ).count()
    print(
        f"\ndatabase={connection.vendor} consultations={Consultation.objects.count():,} "
        f"(this 年度 {in_year:,}) cases={Case.objects.count():,} "
        f"activities={Activity.objects.count():,} repeat={args.repeat}"
    )
    city = scope_for(office)
    one = scope_for(office, agency_id=agency.pk)
    own = scope_for(desk)
    client, _key = session_of(office)
    variants = [
        ("report, office, city-wide", lambda: report(year, city)),
        (f"report, office, {agency.name}", lambda: report(year, one)),
        ("report, desk's own agency (3未満)", lambda: report(year, own)),
        ("workbook (city-wide report + .xlsx)", lambda: workbook.build(report(year, city))),
        (
            "API /api/v1/reports/statistics",
            lambda: client.get("/api/v1/reports/statistics").status_code,
        ),
        ("page /reports/", lambda: client.get("/reports/").status_code),
    ]
    print(f"{'what':48} {'p50 s':>7} {'p95 s':>7} {'queries':>8} {'peak MiB':>9}")
    for label, fn in variants:
        p50, p95, queries, peak = timed(fn, args.repeat)
        print(f"{label:48} {p50:7.2f} {p95:7.2f} {queries:8.0f} {peak / 2**20:9.1f}")


if __name__ == "__main__":
    main()
