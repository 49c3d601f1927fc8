"""Server time of the 社会資源 directory search at scale.

Builds the demo city (``seed_demo``, which adds the demo's own directory) and then, with
``bulk_create`` (no services), ``--resources`` resources from ``--resources / 5`` providers
across the demo's 圏域 (70 % in a 地区, 25 % in a 日常生活圏域, 5 % city-wide), of every kind
(more サロン and 通いの場 than 一時的な住まい), each with 1–3 schedules (≈ 2 on average:
70 % weekly, the rest on given weeks of the month), ``search_text`` filled as
``services.search_text`` fills it; 90 % open, 7 % paused, 3 % ended; about a third with no
capacity given and 15 % of the others full; the information confirmed up to 30 months ago;
host profiles for 30 % of the work places and a few exception dates. ``--reuse`` times a
database built before.

Then times, as the demo participation worker (``participation``), each variant of the search
— no filter, a kind (就労体験先), a weekday and time (水曜 10:30), a 日常生活圏域, a word
(「品出し」: about 15 % of the resources), a rare word (「甘露煮」: one resource of the demo), a
two-character word (「将棋」: about 1 %), free places only, and kind + weekday + time + area
together — ``--repeat`` times:

- the selector path the page reads: ``selectors.search`` with the criteria, the first
  page of 25 through ``selectors.SearchPaginator`` (the page's ids first, the capped count
  only when that page is full, then those rows by id with their organisation, kind, area and
  schedules: ``selectors.rows_of``), and ``selectors.explain`` of the page's rows;
- the page itself, ``reverse("resources:search")`` with the test ``Client`` (signed in, the
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

PAGE_SIZE = 25
WORD = "品出し"
AREA = "dl_nagara"  # a 日常生活圏域 with two 地区 under it
BENCH_ORG_PREFIX = "（bench）"

#: kind code -> weight, name patterns, description phrases
KINDS = {
    "ibasho": (
        10,
        ("{town}の居場所「{nick}」", "多世代の居場所 {nick}", "若者の居場所 {nick}"),
        ("誰でも立ち寄れる居場所。", "お茶を飲みながら話せます。", "話さずに過ごせます。"),
    ),
    "salon": (
        20,
        ("いきいきサロン {town}", "ふれあいサロン {town}{n}丁目", "{town} 認知症カフェ"),
        ("体操と歌とお茶の時間。", "脳トレと季節の手づくり。", "民生委員と支部の方が運営。"),
    ),
    "kodomo_shokudo": (
        8,
        ("{town} こども食堂", "みんなの食堂 {nick}", "{nick}食堂"),
        ("子どもも大人も一緒に食べる食堂。", "宿題の時間もあります。", "フードパントリー併設。"),
    ),
    "kayoinoba": (
        18,
        ("いきいき筋トレ体操 {town}", "百歳体操 {town}{n}丁目", "{town} ウォーキングの会"),
        ("週1回の筋トレ体操。", "おもりを使った体操と茶話会。", "堤防沿いを1時間ほど歩きます。"),
    ),
    "work_experience": (
        8,
        ("{family}{shop} 品出し体験", "{family}{shop} 作業体験", "{facility} 周辺業務の体験"),
        ("野菜の品出しと袋詰め。", "商品の品出しと値札付け。", "清掃と片付け。", "配膳の準備。"),
    ),
    "intermediate_work": (
        3,
        ("認定就労訓練 {nick}工房", "{town} 公園清掃の中間的就労", "お弁当工房 {nick}"),
        ("自分のペースで時間を延ばせます。", "3人1組で作業します。", "盛り付けと容器洗い。"),
    ),
    "shop_farm_work": (
        5,
        ("{family}農園 草取りと収穫", "{family}{shop} 店先の手伝い", "{town} 直売所の袋詰め"),
        ("畑の草取りと収穫。", "直売所向けの品出しと袋詰め。", "柿の袋かけと選果。"),
    ),
    "temporary_housing": (
        1.5,
        ("一時入居住宅 {nick}", "若者シェアハウス {nick}荘", "シェルター {nick}の家"),
        ("次の住まいが決まるまでの一時的な住まい。", "家具つき個室。", "住まい探しの同行。"),
    ),
    "study_support": (
        5,
        ("学習支援教室 {nick}", "{town} 日本語教室", "{nick}学習室"),
        ("大学生ボランティアと宿題。", "日本語を学びたい方の教室。", "自分のペースで学べます。"),
    ),
    "volunteering": (
        10,
        ("{town} 清掃ボランティア", "フードバンク 仕分け {town}", "{town} 見守り声かけ隊"),
        ("ごみ拾い。道具は会が用意。", "寄付された食品の仕分けと品出し。", "下校時の見守り。"),
    ),
    "consultation_desk": (
        8,
        ("福祉なんでも相談 {town}", "{town} 就労相談会", "家族教室 {nick}"),
        ("暮らしの困りごとを何でも聞きます。", "予約制。", "家族の相談もできます。"),
    ),
    "other": (
        4,
        ("{town} 将棋サロン", "{town} つりの会", "イラスト講座 {nick}"),
        ("初心者歓迎。", "道具の貸し出しあり。", "描いたものは公民館で展示。"),
    ),
}
NICKS = (
    "ひだまり",
    "こもれび",
    "ぽかぽか",
    "わかば",
    "なごみ",
    "ほっと",
    "つむぎ",
    "あおぞら",
    "みのり",
    "えがお",
    "せせらぎ",
    "きずな",
)
SHOPS = ("青果店", "精肉店", "鮮魚店", "ベーカリー", "花店", "古書店", "酒店", "米穀店", "茶舗")
FACILITIES = ("特別養護老人ホーム", "デイサービスセンター", "保育園", "図書館分館", "道の駅")
ATTRIBUTES = ("", "", "ひきこもりの方", "障がいのある方", "子育て家庭")
CONDITIONS = ("", "", "予約制", "見学のうえ利用", "参加支援員の同行から")
ORG_KINDS = (
    "NPO法人 {nick}の会",
    "岐阜市社会福祉協議会 {town}支部",
    "{town}自治会",
    "社会福祉法人 {nick}福祉会",
    "{family}商店",
    "{family}農園",
    "一般社団法人 {nick}ネット",
    "{town}町内会",
)
VARIANTS = (
    "no filter",
    "kind=就労体験先",
    "weekday=2&at=10:30",
    "area",
    f"q={WORD}",
    "q=甘露煮",
    "q=将棋",
    "free_only",
    "combined",
)


def percentile(values, share):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


# ------------------------------------------------------------------------------- the data


def build(*, resources: int, seed: int = 11) -> None:
    from city import Writer
    from django.utils import timezone

    from tsunagu.accounts.models import Area, User
    from tsunagu.demo import roster
    from tsunagu.demo.names import pick_family_name
    from tsunagu.demo.services import seed_demo
    from tsunagu.resources.models import (
        Frequency,
        HostProfile,
        Organization,
        Resource,
        ResourceKind,
        ResourceStatus,
        Schedule,
        ScheduleException,
        Target,
        targets_value,
    )
    from tsunagu.resources.services import search_text

    rng = random.Random(seed)
    t0 = time.perf_counter()
    print("seed_demo …", flush=True)
    seed_demo()
    print(f"  demo city in {time.perf_counter() - t0:.0f} s", flush=True)
    w = Writer()
    worker = User.objects.get(username="participation")
    kinds = {k.code: k for k in ResourceKind.objects.all()}
    codes = list(KINDS)
    weights = [KINDS[c][0] for c in codes]
    areas = list(Area.objects.filter(kind__in=("daily_life", "district")).select_related("parent"))
    districts = [a for a in areas if a.kind == "district"]
    daily = [a for a in areas if a.kind == "daily_life"]
    city = Area.objects.get(code="city")
    today = timezone.localdate()

    def town_of(area) -> str:
        dl = area if area.kind == "daily_life" else area.parent
        return rng.choice(roster.TOWNS.get(dl.code, (area.name.removesuffix("地区"),)))

    def fill(text: str, town: str) -> str:
        return text.format(
            town=town,
            nick=rng.choice(NICKS),
            n=rng.randint(1, 6),
            family=pick_family_name(rng).kanji,
            shop=rng.choice(SHOPS),
            facility=rng.choice(FACILITIES),
        )

    # --- providers: about five resources each ----------------------------------------------
    last_org = Organization.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    org_count = max(1, resources // 5)
    org_objs = []
    for n in range(org_count):
        area = rng.choice(districts)
        name = fill(rng.choice(ORG_KINDS), town_of(area))
        org_objs.append(Organization(name=f"{BENCH_ORG_PREFIX}{name} {n}"))
    w.write(Organization, org_objs)
    orgs = list(Organization.objects.filter(pk__gt=last_org).order_by("pk"))

    # --- resources ---------------------------------------------------------------------------
    last = Resource.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    objs = []
    for _ in range(resources):
        code = rng.choices(codes, weights)[0]
        _, patterns, phrases = KINDS[code]
        roll = rng.random()
        area = rng.choice(districts) if roll < 0.7 else rng.choice(daily) if roll < 0.95 else city
        town = town_of(area) if area is not city else "岐阜市"
        capacity = free = None
        if rng.random() < 0.65:
            capacity = rng.randint(1, 40)
            free = 0 if rng.random() < 0.15 else rng.randint(1, capacity)
        status = rng.choices(
            [ResourceStatus.OPEN, ResourceStatus.PAUSED, ResourceStatus.ENDED], [90, 7, 3]
        )[0]
        r = Resource(
            organization=rng.choice(orgs),
            name=fill(rng.choice(patterns), town),
            kind=kinds[code],
            description="".join(rng.sample(phrases, k=min(2, len(phrases)))),
            targets=targets_value(rng.sample(Target.values, k=rng.randint(1, 3))),
            target_attributes=rng.choice(ATTRIBUTES),
            conditions=rng.choice(CONDITIONS),
            area=area,
            address=f"岐阜市{town}{rng.randint(1, 6)}丁目{rng.randint(1, 30)}番地",
            capacity=capacity,
            places_free=free,
            cost=rng.choice(["無料", "1回100円", "1回300円", "材料費500円"]),
            contact_name=pick_family_name(rng).kanji,
            phone=f"058-2{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
            status=status,
            confirmed_on=today - datetime.timedelta(days=rng.randrange(900)),
            created_by=worker,
        )
        r.search_text = search_text(r)
        objs.append(r)
    w.write(Resource, objs)
    created = list(
        Resource.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "kind__code")
    )

    # --- schedules: 1–3 each (≈ 2), weekly or on given weeks of the month --------------------
    schedules = []
    for pk, _code in created:
        for _ in range(rng.choices([1, 2, 3], [30, 40, 30])[0]):
            opens = datetime.time(rng.randint(7, 18), rng.choice([0, 30]))
            hours = rng.choice([1, 1.5, 2, 2, 3, 4])
            end = min(opens.hour * 60 + opens.minute + int(hours * 60), 23 * 60 + 30)
            monthly = rng.random() < 0.3
            schedules.append(
                Schedule(
                    resource_id=pk,
                    freq=Frequency.MONTHLY if monthly else Frequency.WEEKLY,
                    weekday=rng.randrange(7),
                    weeks=sorted(rng.sample([1, 2, 3, 4], k=rng.randint(1, 2))) if monthly else [],
                    opens_at=opens,
                    closes_at=datetime.time(end // 60, end % 60),
                )
            )
    w.write(Schedule, schedules)

    # --- host profiles of a share of the work places, and a few exception dates --------------
    work = {"work_experience", "shop_farm_work", "intermediate_work"}
    hosts = [
        HostProfile(
            resource_id=pk,
            contact_person=pick_family_name(rng).kanji,
            tasks="品出し、袋詰め、清掃",
            assessment="受け入れに前向き。" if rng.random() < 0.7 else "",
            assessed_on=today - datetime.timedelta(days=rng.randrange(400)),
            assessed_by=worker,
        )
        for pk, code in created
        if code in work and rng.random() < 0.3
    ]
    for h in hosts:
        if not h.assessment:
            h.assessed_on = h.assessed_by = None
    w.write(HostProfile, hosts)
    exceptions = [
        ScheduleException(
            resource_id=pk, date=today + datetime.timedelta(days=rng.randrange(1, 90)), note="休み"
        )
        for pk, _code in created
        if rng.random() < 0.1
    ]
    w.write(ScheduleException, exceptions)
    elapsed = time.perf_counter() - w.started
    print(f"generated {w.rows:,} rows in {elapsed:.0f} s", flush=True)


# ----------------------------------------------------------------------------- the timing


def queries_of(variant: str) -> str:
    """The page's query string of a variant."""
    from tsunagu.accounts.models import Area
    from tsunagu.resources.models import ResourceKind

    kind = ResourceKind.objects.get(code="work_experience").pk
    area = Area.objects.get(code=AREA).pk
    return {
        "no filter": "",
        "kind=就労体験先": f"kind={kind}",
        "weekday=2&at=10:30": "weekday=2&at=10:30",
        "area": f"area={area}",
        f"q={WORD}": f"q={WORD}",
        "q=甘露煮": "q=甘露煮",
        "q=将棋": "q=将棋",
        "free_only": "free_only=on",
        "combined": f"kind={kind}&weekday=2&at=10:30&area={area}",
    }[variant]


def criteria_of(query: str):
    from tsunagu.resources.selectors import ResourceSearch

    values = dict(part.split("=", 1) for part in query.split("&") if part)
    return ResourceSearch(
        q=values.get("q", ""),
        kind=int(values["kind"]) if "kind" in values else None,
        area=int(values["area"]) if "area" in values else None,
        weekday=int(values["weekday"]) if "weekday" in values else None,
        at=datetime.time.fromisoformat(values["at"]) if "at" in values else None,
        free_only="free_only" in values,
    )


def selector_path(query: str) -> tuple[int, int]:
    """What the page reads: the capped count, the first page's rows with their related rows,
    and the reasons each matched. Returns (count, rows)."""
    from tsunagu.resources import selectors

    criteria = criteria_of(query)
    paginator = selectors.SearchPaginator(selectors.search(criteria), PAGE_SIZE, number=1)
    page = paginator.get_page(1)
    rows = selectors.explain(list(page.object_list), criteria)
    return paginator.count, len(rows)


def explain(query: str, label: str) -> None:
    from django.db import connection

    from tsunagu.common.paging import COUNT_CAP
    from tsunagu.resources import selectors

    qs = selectors.search(criteria_of(query))
    for name, part in (
        ("count", qs.order_by().values_list("pk")[: COUNT_CAP + 1]),
        ("page ids", qs.values_list("pk", flat=True)[:PAGE_SIZE]),
    ):
        sql, params = part.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = "\n".join(f"      {row[0]}" for row in cursor.fetchall())
        print(f"    -- {label}: {name}\n{plan}")


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
    parser.add_argument("--resources", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file")
    parser.add_argument("--reuse", action="store_true", help="time the data built before")
    parser.add_argument("--explain", action="store_true", help="PostgreSQL EXPLAIN ANALYZE")
    parser.add_argument("--selector-only", action="store_true", help="time the selector path only")
    parser.add_argument(
        "--variant", action="append", choices=VARIANTS, help="time only these (repeatable)"
    )
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="tsunagu-resources-")
    os.environ.setdefault("TSUNAGU_SQLITE_PATH", str(Path(tmp) / "resources.sqlite3"))
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

    from tsunagu.resources.models import Resource, ResourceStatus, Schedule

    if not args.reuse:
        if Resource.objects.filter(organization__name__startswith=BENCH_ORG_PREFIX).exists():
            sys.exit("The database already holds the benchmark's resources: time it with --reuse.")
        build(resources=args.resources)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    try:
        url = reverse("resources:search")
    except NoReverseMatch:
        url = None
    worker = acting_user("participation")
    print(
        f"\ndatabase={connection.vendor} resources={Resource.objects.count():,} "
        f"(open {Resource.objects.filter(status=ResourceStatus.OPEN).count():,}) "
        f"schedules={Schedule.objects.count():,} repeat={args.repeat} "
        f"page={'yes' if url else 'not yet (selector path only)'}"
    )
    client = None
    if url and not args.selector_only:
        client, _key = session_of(worker)
    rows = []
    for variant in args.variant or VARIANTS:
        query = queries_of(variant)
        if args.explain and connection.vendor == "postgresql":
            explain(query, variant)
        p50, p95, nq, shown = timed(lambda q=query: selector_path(q), args.repeat)
        count, _page = max(shown)
        rows.append((variant, "selector", "-", p50, p95, nq, count))
        print(f"  {variant:<22} selector {p50:>8.1f} {p95:>8.1f}  {count} found", flush=True)
        if client is None:
            continue
        target = f"{url}?{query}" if query else url
        p50, p95, nq, statuses = timed(lambda t=target: client.get(t).status_code, args.repeat)
        status = "/".join(str(s) for s in sorted(statuses))
        rows.append((variant, "page", status, p50, p95, nq, None))
        print(f"  {variant:<22} page {status} {p50:>8.1f} {p95:>8.1f}", flush=True)

    print("\n| variant | what | status | p50 ms | p95 ms | queries | found (at most 1,000) |")
    print("|---|---|---|---|---|---|---|")
    for variant, what, status, p50, p95, nq, found in rows:
        found = "" if found is None else f"{found:,}"
        print(f"| {variant} | {what} | {status} | {p50:.1f} | {p95:.1f} | {nq:.0f} | {found} |")
    if not args.keep and connection.vendor == "sqlite":
        Path(os.environ["TSUNAGU_SQLITE_PATH"]).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
