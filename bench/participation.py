"""Server time of the 参加支援 worker's list and of what falls due, at scale.

Builds the demo city (``seed_demo``, with its eight participation records of the worker
``participation`` at ``marugoto``) and then, with ``bulk_create`` (no services):

- ``--agencies`` participation agencies in all (``marugoto`` and more, each with a worker);
- ``--records`` participation records spread over them, each following its own person
  (registered by the agency; search keys filled as ``Person.refresh_search_keys`` does):
  started up to four years ago, 10 % 支援決定前の関わり and the others outside a 多機関協働
  plan (with the reason); 35 % of those begun over 120 days ago closed with the person's
  view, keeping in touch every three months after closure (a quarter of them ended);
- ``--matches`` matches spread over the records (1–8 a record, more for older ones): on open
  records 提案 12 %, 見学・調整 12 %, 参加開始 20 %, 定着 22 %, 終了 18 %, 中止 16 %; closed
  records hold only 定着, 終了 and 中止; one event per move;
- follow-ups of every match that began, on both tracks (the person, the host), weekly for
  the first four weeks and monthly after, some missed, until the match ended (at most the
  last 18 of a track), so that some fall due this week and some are overdue;

and rebuilds the grants as ``manage.py access_rebuild`` does. ``--reuse`` times a database
built before.

Then times, as the demo participation worker (``participation`` at ``marugoto``) and as the
office (``officer``), ``--repeat`` times each:

- **list page**: ``GET reverse("participation:record_list")``, ``?state=all``,
  ``?q=<a family name>``, ``?page=5``, with the test ``Client`` (signed in, the acting
  membership in the session, DEBUG off);
- **list selector**: what the list reads without the view (capped count, the page's ids and
  rows);
- **dues panel**: ``GET /participation/dues/?panel=1``, the list page's panel of what falls
  due (asked for by the page once it is shown: the first ten and how many more);
- **dues**: ``selectors.dues(user)``, every row of what falls due (the API's answer;
  ``--full-dues-repeat`` times, 5 by default);
- **dues widget**: ``panels.dashboard_panel`` (what the home page's widget runs) and the
  home page itself (``GET /``: every widget of the persona).

Prints p50/p95 ms and queries per request; ``--explain`` prints the plans of the list's and
of what falls due's queries (``EXPLAIN (ANALYZE, BUFFERS)`` on PostgreSQL, ``EXPLAIN QUERY
PLAN`` on SQLite).
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

PAGE_SIZE = 25
BENCH_PREFIX = "participation_bench_"
OPEN_STATUSES = (
    ("proposed", 12),
    ("arranging", 12),
    ("started", 20),
    ("settled", 22),
    ("ended", 18),
    ("cancelled", 16),
)
CLOSED_STATUSES = (("settled", 30), ("ended", 45), ("cancelled", 25))
PERSONAS = (("participation", "participation worker (marugoto)"), ("officer", "office (推進室)"))


def percentile(values, share):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


# ------------------------------------------------------------------------------- the data


def _agencies(total: int):
    """``[(agency, worker)]``: the demo's ``marugoto`` and bench agencies up to ``total``."""
    from tsunagu.accounts.models import Agency, AgencyProgram, Area, Membership, Role, User

    template = Agency.objects.get(code="marugoto")
    areas = list(Area.objects.filter(kind="daily_life").order_by("code"))
    worker = User.objects.get(username="participation")
    found = [(template, worker)]
    for n in range(1, total):
        code = f"{BENCH_PREFIX}{n:02d}"
        area = areas[n % len(areas)]
        agency, _ = Agency.objects.get_or_create(
            code=code,
            defaults={
                "name": f"参加支援 {area.name} {n:02d}",
                "field": template.field,
                "operation": template.operation,
                "area": area,
            },
        )
        AgencyProgram.objects.get_or_create(agency=agency, program="participation")
        user, _ = User.objects.get_or_create(
            username=f"bench_participation_{n:02d}", defaults={"display_name": f"支援員 {n:02d}"}
        )
        Membership.objects.get_or_create(
            user=user, agency=agency, role=Role.PARTICIPATION_WORKER, defaults={"title": "支援員"}
        )
        found.append((agency, user))
    return found


def _weighted(rng, table):
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


def _follow_dates(rng, start, end, today):
    """The follow-ups of one track: weekly for four weeks, then monthly, some missed."""
    from tsunagu.common.fiscal import add_months

    dates, day = [], start
    while True:
        if day < start + datetime.timedelta(weeks=4):
            day = day + datetime.timedelta(days=7 + rng.randrange(-1, 3))
        else:
            day = add_months(day, 1) + datetime.timedelta(days=rng.randrange(-3, 6))
        if day > min(end, today):
            break
        if rng.random() < 0.85:
            dates.append(day)
    return dates[-18:]


def build(*, agencies: int, records: int, matches: int, seed: int = 11) -> None:
    from city import Writer
    from django.utils import timezone

    from tsunagu.common.fiscal import add_months
    from tsunagu.demo.names import pick_family_name, pick_given_name
    from tsunagu.demo.services import seed_demo
    from tsunagu.grants.maintain import rebuild as rebuild_grants
    from tsunagu.participation.models import (
        FollowUp,
        Match,
        MatchEvent,
        ParticipationRecord,
    )
    from tsunagu.people.models import Person
    from tsunagu.resources.models import Resource

    rng = random.Random(seed)
    t0 = time.perf_counter()
    print("seed_demo …", flush=True)
    seed_demo()
    print(f"  demo city in {time.perf_counter() - t0:.0f} s", flush=True)
    w = Writer()
    workers = _agencies(agencies)
    resources = list(Resource.objects.values_list("pk", flat=True))
    today = timezone.localdate()
    day = datetime.timedelta

    # --- one person a record, registered by the record's agency ---------------------------
    owner = [workers[n % len(workers)] for n in range(records)]
    last_person = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    objs = []
    for n in range(records):
        sex = rng.choice(["male", "female"])
        family, given = pick_family_name(rng), pick_given_name(rng, sex)
        p = Person(
            name=f"{family.kanji} {given.kanji}",
            name_kana=f"{family.kana} {given.kana}",
            sex=sex,
            birth_date=datetime.date(1950, 1, 1) + day(days=rng.randrange(20000)),
            address=f"岐阜市{rng.choice('東西南北中')}町{rng.randrange(1, 30)}-{rng.randrange(40)}",
            registered_by_agency=owner[n][0],
        )
        p.refresh_search_keys()
        objs.append(p)
    w.write(Person, objs)
    person_ids = list(
        Person.objects.filter(pk__gt=last_person).order_by("pk").values_list("pk", flat=True)
    )
    del objs

    # --- records ---------------------------------------------------------------------------
    last_record = (
        ParticipationRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    )
    objs = []
    for n in range(records):
        agency, user = owner[n]
        started = today - day(days=rng.randrange(7, 1460))
        closed = (today - started).days > 120 and rng.random() < 0.35
        closed_on = (
            started + day(days=rng.randrange(90, (today - started).days + 1)) if closed else None
        )
        ended = closed and rng.random() < 0.25
        next_touch = None
        if closed and not ended:
            # the next contact three months after the last one (some overdue)
            next_touch = add_months(closed_on, 3)
            while next_touch < today - day(days=rng.randrange(0, 40)):
                next_touch = add_months(next_touch, 3)
        early = rng.random() < 0.1
        objs.append(
            ParticipationRecord(
                agency=agency,
                worker=user,
                person_id=person_ids[n],
                started_on=started,
                is_early=early,
                outside_plan_reason="" if early else "本人が参加支援だけを希望",
                goals="人と関わる場所を少しずつ増やしたい",
                steps="月2回の面談と、体験先の見学の同行",
                closed_on=closed_on,
                person_view="続けられている" if closed else "",
                keep_in_touch_months=3,
                next_keep_in_touch_on=next_touch,
                keep_in_touch_ended_on=(closed_on + day(days=200)) if ended else None,
                created_by=user,
            )
        )
    w.write(ParticipationRecord, objs)
    record_rows = list(
        ParticipationRecord.objects.filter(pk__gt=last_record)
        .order_by("pk")
        .values_list("pk", "started_on", "closed_on", "worker_id")
    )
    del objs

    # --- matches: more for the records begun long ago ---------------------------------------
    ages = [max(1, (today - started).days) for _, started, _, _ in record_rows]
    total_age = sum(ages)
    counts = [max(1, round(matches * a / total_age)) for a in ages]
    counts = [min(c, 12) for c in counts]
    while sum(counts) < matches:  # top up to exactly --matches
        n = rng.randrange(len(counts))
        counts[n] += 1
    while sum(counts) > matches:
        n = rng.randrange(len(counts))
        if counts[n] > 1:
            counts[n] -= 1
    last_match = Match.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    objs, plans = [], []
    for (rid, started, closed_on, by), count in zip(record_rows, counts, strict=True):
        end = closed_on or today
        for _ in range(count):
            status = _weighted(rng, CLOSED_STATUSES if closed_on else OPEN_STATUSES)
            proposed = started + day(days=rng.randrange(0, max(1, (end - started).days - 20) + 1))
            began = settled = ended_on = None
            if status in ("started", "settled", "ended") or (
                status == "cancelled" and rng.random() < 0.4
            ):
                began = min(end, proposed + day(days=rng.randrange(7, 30)))
            if status == "settled":
                settled = min(end, began + day(days=rng.randrange(60, 120)))
            if status in ("ended", "cancelled"):
                ended_on = min(end, (began or proposed) + day(days=rng.randrange(14, 300)))
            objs.append(
                Match(
                    record_id=rid,
                    resource_id=rng.choice(resources),
                    status=status,
                    proposed_on=proposed,
                    started_on=began,
                    settled_on=settled,
                    ended_on=ended_on,
                    end_reason="本人と相談して終えた" if ended_on else "",
                )
            )
            plans.append((by, began, ended_on or end))
    w.write(Match, objs)
    match_ids = list(
        Match.objects.filter(pk__gt=last_match).order_by("pk").values_list("pk", flat=True)
    )
    events = [
        MatchEvent(match_id=mid, to_status=m.status, occurred_on=m.proposed_on, by_id=by)
        for mid, m, (by, _, _) in zip(match_ids, objs, plans, strict=True)
    ]
    w.write(MatchEvent, events)
    del objs, events

    # --- follow-ups on both tracks of every match that began -----------------------------
    batch, written = [], 0
    for mid, (by, began, end) in zip(match_ids, plans, strict=True):
        if began is None:
            continue
        for track in ("person", "host"):
            for occurred in _follow_dates(rng, began, end, today):
                batch.append(
                    FollowUp(
                        match_id=mid,
                        track=track,
                        occurred_on=occurred,
                        note="様子を聞いた",
                        concern=rng.random() < 0.03,
                        by_id=by,
                    )
                )
        if len(batch) >= 50_000:
            FollowUp.objects.bulk_create(batch, batch_size=5000)
            written += len(batch)
            print(f"  FollowUp {written:>10,} rows", flush=True)
            batch = []
    if batch:
        FollowUp.objects.bulk_create(batch, batch_size=5000)
        written += len(batch)
    w.rows += written
    print(f"  FollowUp {written:>10,} rows (done)", flush=True)

    started = time.perf_counter()
    subjects = rebuild_grants()
    print(f"grants of {subjects:,} subjects in {time.perf_counter() - started:.0f} s", flush=True)
    print(f"generated {w.rows:,} rows in {time.perf_counter() - w.started:.0f} s", flush=True)


# ----------------------------------------------------------------------------- the timing


def _acting(username: str):
    from tsunagu.accounts.models import Membership, User

    user = User.objects.get(username=username)
    memberships = Membership.objects.filter(user=user).select_related("agency").order_by("id")
    if username == "participation":
        memberships = memberships.filter(agency__code="marugoto")
    user.acting_membership = memberships.first()
    return user


def list_selector(user, query: str) -> int:
    from tsunagu.common.paging import CappedPaginator
    from tsunagu.participation import selectors

    values = dict(part.split("=", 1) for part in query.split("&") if part)
    qs = selectors.record_list(user=user, state=values.get("state", "open"), q=values.get("q", ""))
    page = CappedPaginator(qs, PAGE_SIZE).get_page(values.get("page", 1))
    return len(list(page.object_list))


def dues(user) -> int:
    from tsunagu.participation import selectors

    return len(selectors.dues(user))


def widget(user) -> int:
    from django.test import RequestFactory

    from tsunagu.audit.services import reads_together
    from tsunagu.participation import panels

    request = RequestFactory().get("/")
    request.user = user
    with reads_together():
        answer = panels.dashboard_panel(user, request=request)
    return len(answer["participation_dashboard"]["rows"])


def explain(user) -> None:
    from django.db import connection

    from tsunagu.participation import selectors
    from tsunagu.participation.models import FollowUp, Match

    records = selectors.record_list(user=user, state="open")
    under_way = Match.objects.filter(
        record__in=records.values("pk"), status__in=("started", "settled")
    )
    parts = (
        ("list count", records.order_by().values_list("pk")[:1001]),
        ("list page ids", records.values_list("pk", flat=True)[:PAGE_SIZE]),
        ("matches under way", under_way.select_related("record", "record__person", "resource")),
        (
            "last follow-ups",
            FollowUp.objects.filter(match__in=under_way.values("pk"))
            .values("match_id", "track")
            .order_by(),
        ),
        (
            "keeping in touch",
            selectors.record_list(user=user, state="all").filter(
                closed_on__isnull=False,
                keep_in_touch_ended_on__isnull=True,
                next_keep_in_touch_on__lte=datetime.date.today() + datetime.timedelta(days=7),
            ),
        ),
    )
    for name, part in parts:
        sql, params = part.query.sql_with_params()
        prefix = (
            "EXPLAIN (ANALYZE, BUFFERS) "
            if connection.vendor == "postgresql"
            else "EXPLAIN QUERY PLAN "
        )
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql, params)
            plan = "\n".join(f"      {' '.join(str(c) for c in row)}" for row in cursor.fetchall())
        print(f"    -- {user.username}: {name}\n{plan}")


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
    parser.add_argument("--agencies", type=int, default=10)
    parser.add_argument("--records", type=int, default=30_000)
    parser.add_argument("--matches", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file")
    parser.add_argument("--reuse", action="store_true", help="time the data built before")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument(
        "--full-dues-repeat",
        type=int,
        default=5,
        help="repeats of every row of what falls due (seconds each for the office)",
    )
    parser.add_argument("--persona", choices=[p for p, _ in PERSONAS], help="time one persona")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="tsunagu-participation-")
    os.environ.setdefault("TSUNAGU_SQLITE_PATH", str(Path(tmp) / "participation.sqlite3"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tsunagu.settings.local"
    os.environ.setdefault("DJANGO_DEBUG", "0")  # as in production: no query log
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
    from personas import session_of

    from tsunagu.participation.models import FollowUp, Match, ParticipationRecord

    if not args.reuse:
        if ParticipationRecord.objects.filter(agency__code__startswith=BENCH_PREFIX).exists():
            sys.exit("The database already holds the benchmark's records: time it with --reuse.")
        build(agencies=args.agencies, records=args.records, matches=args.matches)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    mine = ParticipationRecord.objects.filter(agency__code="marugoto")
    print(
        f"\ndatabase={connection.vendor} records={ParticipationRecord.objects.count():,} "
        f"matches={Match.objects.count():,} follow-ups={FollowUp.objects.count():,} "
        f"marugoto records={mine.count():,} (open {mine.filter(closed_on=None).count():,}) "
        f"repeat={args.repeat}"
    )
    from tsunagu.people.models import Person

    family = (
        Person.objects.filter(participation_records__agency__code="marugoto")
        .order_by("pk")
        .values_list("name_kana", flat=True)
        .first()
        .split()[0]
    )
    url = reverse("participation:record_list")
    variants = (
        ("default", ""),
        ("state=all", "state=all"),
        (f"q={family}", f"q={family}"),
        ("page 5", "page=5"),
    )
    rows = []

    def record(label, variant, what, result):
        p50, p95, nq, shown = result
        shown = "/".join(str(s) for s in sorted(shown))
        rows.append((label, variant, what, shown, p50, p95, nq))
        print(
            f"  {label:<32} {variant:<14} {what:<14} {shown:>6} {p50:>8.1f} {p95:>8.1f}", flush=True
        )

    for username, label in PERSONAS:
        if args.persona and username != args.persona:
            continue
        user = _acting(username)
        client, _key = session_of(user)
        if args.explain:
            explain(user)
        for variant, query in variants:
            target = f"{url}?{query}" if query else url
            record(
                label,
                variant,
                "list page",
                timed(lambda c=client, t=target: c.get(t).status_code, args.repeat),
            )
            record(
                label,
                variant,
                "list selector",
                timed(lambda u=user, q=query: list_selector(u, q), args.repeat),
            )
        panel = f"{reverse('participation:dues_list')}?panel=1"
        record(
            label,
            "-",
            "dues panel",
            timed(lambda c=client, p=panel: c.get(p).status_code, args.repeat),
        )
        record(label, "-", "dues", timed(lambda u=user: dues(u), args.full_dues_repeat))
        record(label, "-", "dues widget", timed(lambda u=user: widget(u), args.repeat))
        record(label, "-", "home page", timed(lambda c=client: c.get("/").status_code, args.repeat))

    print("\n| persona | variant | what | status / rows | p50 ms | p95 ms | queries |")
    print("|---|---|---|---|---|---|---|")
    for label, variant, what, shown, p50, p95, nq in rows:
        print(f"| {label} | {variant} | {what} | {shown} | {p50:.1f} | {p95:.1f} | {nq:.0f} |")
    if not args.keep and connection.vendor == "sqlite":
        Path(os.environ["TSUNAGU_SQLITE_PATH"]).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
