"""The demo city's community side (地域づくり・見守り), written through the services.

* two platforms — 「集いの場 ぷらっと 早田」 and 「北部地域 協議体」 — with their member
  organisations;
* this 年度's activities up to yesterday: a monthly salon in five 社協 districts, ぷらっと every
  other Wednesday, two 子ども食堂 twice a month, the 協議体 each quarter — participants by
  generation, some first-timers, a few new connections;
* the year's targets (city-wide), so that the board shows actuals part-way;
* 20 watches kept by the 地域福祉コーディネーター, watched by 民生委員, neighbours and companies
  (some with the 地域包括支援センター or the CSW among the watchers), with their checks: most
  on time, a few overdue, one with 連絡つかず twice (the escalation prompt), one escalated to an
  outreach record by the CSW, and one person the 地域包括支援センター escalated to a consultation;
* reports in every triage state: two waiting (one past three office days), and one each into a
  watch, no action, an outreach record and a consultation.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from tsunagu.accounts.models import Agency, Area, Membership, User
from tsunagu.common.fiscal import fiscal_year, fiscal_year_range
from tsunagu.community.kinds import install_standard_lists
from tsunagu.community.models import (
    Activity,
    ActivityKind,
    CheckOutcome,
    Frequency,
    Indicator,
    ParticipantAttribute,
    WatcherKind,
)
from tsunagu.community.services import activities, platforms, reports, targets, watches
from tsunagu.consultations.models import IssueCategory
from tsunagu.outreach.models import OutreachRecord
from tsunagu.people.models import Person

COORDINATOR = "community"
OFFICER = "officer"
SALON_DISTRICTS = (
    ("dist_soden", "早田"),
    ("dist_shima", "島"),
    ("dist_kinka", "金華"),
    ("dist_hongo", "本郷"),
    ("dist_kano", "加納"),
)
KODOMO_DISTRICTS = (("dist_jousai", "城西"), ("dist_ajiro", "網代"))
PLATFORM_DISTRICT = "dist_soden"
KYOGITAI_AREA = "dl_miwa"
TARGETS = {
    "activities": 140,
    "participants": 2600,
    "platform_meetings": 24,
    "new_connections": 40,
    "consultations_raised": 6,
    "places_created": 60,
    "gaps_developed": 2,
    "watches_started": 24,
}
WATCH_PLACES = ("早田", "島", "金華", "本郷", "加納", "城西", "網代", "三輪")
MINSEI = ("民生委員 早田 春子", "民生委員 島 一夫", "民生委員 金華 幸子", "民生委員 本郷 実")
COMPANIES = ("岐阜新聞 早田販売所", "配食サービス ひまわり", "中部電力 検針員", "ヤマト運輸 岐阜北")


def _acting(username: str) -> User | None:
    user = User.objects.filter(username=username).first()
    if user is None:
        return None
    user.acting_membership = (
        Membership.objects.filter(user=user, is_active=True).select_related("agency").first()
    )
    return user if user.acting_membership else None


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _days(first: datetime.date, last: datetime.date, weekday: int, every: int = 1):
    """Each ``weekday`` from ``first`` to ``last`` (every ``every`` weeks)."""
    day = first + datetime.timedelta(days=(weekday - first.weekday()) % 7)
    while day <= last:
        yield day
        day += datetime.timedelta(weeks=every)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> datetime.date:
    day = datetime.date(year, month, 1)
    day += datetime.timedelta(days=(weekday - day.weekday()) % 7)
    return day + datetime.timedelta(weeks=n - 1)


def _months(first: datetime.date, last: datetime.date):
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def seed_community() -> int:
    """Build the demo's community side; returns the number of activities made (0 if any
    activity exists, or the demo users are missing)."""
    if Activity.objects.exists():
        return 0
    coordinator, office = _acting(COORDINATOR), _acting(OFFICER)
    if coordinator is None or office is None:
        return 0
    rng = random.Random(20261206)
    today = timezone.localdate()
    year = fiscal_year(today)
    first, _ = fiscal_year_range(year)
    yesterday = today - datetime.timedelta(days=1)
    areas = {a.code: a for a in Area.objects.all()}
    if not ActivityKind.objects.exists():  # a flushed database lost the standard lists
        install_standard_lists(ActivityKind, ParticipantAttribute, Indicator)
    kinds = {k.code: k for k in ActivityKind.objects.all()}
    first_time = ParticipantAttribute.objects.filter(code="first_time").first()
    disability = ParticipantAttribute.objects.filter(code="disability").first()
    made = 0
    with transaction.atomic():
        plat, kyogitai = _platforms(coordinator, areas, first)

        def record(kind, title, day, hour, area, *, platform=None, **counts):
            nonlocal made
            attributes = {}
            total = sum(counts.get(k, 0) for k in ("children", "youth", "working_age", "elderly"))
            if first_time and total and rng.random() < 0.5:
                attributes[first_time] = min(total, rng.randrange(1, 4))
            if disability and total and rng.random() < 0.2:
                attributes[disability] = 1
            activities.activity_create(
                by=coordinator,
                kind=kinds[kind],
                title=title,
                starts_at=_at(day, hour),
                ends_at=_at(day, hour + 2),
                area=area,
                platform=platform,
                coordinator=coordinator,
                attributes=attributes,
                **counts,
            )
            made += 1

        for year_, month in _months(first, yesterday):
            for n, (code, name) in enumerate(SALON_DISTRICTS):
                day = _nth_weekday(year_, month, 2, 2)  # the second Wednesday
                day += datetime.timedelta(days=n % 3)
                if first <= day <= yesterday and code in areas:
                    record(
                        "salon",
                        f"{name}ふれあいサロン",
                        day,
                        10,
                        areas[code],
                        elderly=rng.randrange(10, 22),
                        working_age=rng.randrange(1, 4),
                        new_connections=1 if rng.random() < 0.15 else 0,
                    )
            for code, name in KODOMO_DISTRICTS:
                for n in (1, 3):
                    day = _nth_weekday(year_, month, 4, n)  # the first and third Friday
                    if first <= day <= yesterday and code in areas:
                        record(
                            "kodomo_shokudo",
                            f"{name}こども食堂",
                            day,
                            17,
                            areas[code],
                            children=rng.randrange(15, 32),
                            working_age=rng.randrange(4, 9),
                            elderly=rng.randrange(1, 5),
                        )
            if month in (6, 9, 12, 3) and kyogitai is not None:
                day = _nth_weekday(year_, month, 1, 3)
                if first <= day <= yesterday:
                    record(
                        "kyogitai",
                        "北部地域 協議体",
                        day,
                        14,
                        kyogitai.area,
                        platform=kyogitai,
                        working_age=rng.randrange(8, 14),
                        elderly=rng.randrange(2, 5),
                    )
        if plat is not None:
            for day in _days(first, yesterday, 2, every=2):
                record(
                    "platform",
                    "集いの場 ぷらっと 早田",
                    day,
                    13,
                    plat.area,
                    platform=plat,
                    children=rng.randrange(0, 3),
                    youth=rng.randrange(0, 3),
                    working_age=rng.randrange(2, 6),
                    elderly=rng.randrange(5, 12),
                    new_connections=1 if rng.random() < 0.25 else 0,
                )
        indicators = {i.code: i for i in Indicator.objects.filter(code__in=list(TARGETS))}
        targets.targets_set(
            by=office,
            fiscal_year=year,
            values={indicators[c]: v for c, v in TARGETS.items() if c in indicators},
        )
        _watches(coordinator, areas, rng, today)
        _reports(coordinator, office, areas, today)
    return made


def _platforms(coordinator, areas, first):
    agencies = {a.code: a for a in Agency.objects.filter(code__in=["chiikifukushi_co", "csw"])}
    plat = kyogitai = None
    if PLATFORM_DISTRICT in areas:
        plat = platforms.platform_create(
            by=coordinator,
            name="集いの場 ぷらっと 早田",
            started_on=first - datetime.timedelta(days=400),
            area=areas[PLATFORM_DISTRICT],
            description="誰でも立ち寄れる集いの場。地域の団体が集まり、気になる人のことや新しい"
            "活動を話し合う。",
            coordinator=coordinator,
        )
        joined = first - datetime.timedelta(days=400)
        for agency in agencies.values():
            platforms.member_add(by=coordinator, platform=plat, joined_on=joined, agency=agency)
        for name, role in (
            ("早田地区自治会連合会", "会場と広報"),
            ("早田地区民生委員児童委員協議会", "気になる方の声かけ"),
            ("NPO法人 ぎふ子ども応援団", "子どもの居場所"),
        ):
            platforms.member_add(
                by=coordinator, platform=plat, joined_on=joined, name=name, role=role
            )
    if KYOGITAI_AREA in areas:
        kyogitai = platforms.platform_create(
            by=coordinator,
            name="北部地域 協議体",
            started_on=first - datetime.timedelta(days=800),
            area=areas[KYOGITAI_AREA],
            description="生活支援体制整備事業の第2層協議体。移動・買い物・居場所の課題を話し合う。",
            coordinator=coordinator,
        )
        joined = first - datetime.timedelta(days=800)
        for name, role in (
            ("三輪地区社会福祉協議会", "事務局"),
            ("北部商工会", "買い物支援"),
            ("三輪地区老人クラブ連合会", "通いの場"),
        ):
            platforms.member_add(
                by=coordinator, platform=kyogitai, joined_on=joined, name=name, role=role
            )
    return plat, kyogitai


def _watches(coordinator, areas, rng, today) -> None:
    """20 watches with their checks; a few overdue, one prompting an escalation."""
    houkatsu = Agency.objects.filter(code__startswith="houkatsu_").order_by("code").first()
    csw = Agency.objects.filter(code="csw").first()
    daily = [a for code, a in sorted(areas.items()) if code.startswith("dl_")]
    frequencies = (Frequency.WEEKLY, Frequency.WEEKLY, Frequency.BIWEEKLY, Frequency.MONTHLY)
    step = {Frequency.WEEKLY: 7, Frequency.BIWEEKLY: 14, Frequency.MONTHLY: 30}
    for n in range(20):
        place = WATCH_PLACES[n % len(WATCH_PLACES)]
        age = (70, 80, 80, 90, 60)[n % 5]
        sex = "女性" if n % 3 else "男性"
        frequency = frequencies[n % len(frequencies)]
        started = today - datetime.timedelta(days=rng.randrange(40, 220))
        watch = watches.watch_create(
            by=coordinator,
            label=f"{place} {age}代{sex} {chr(ord('A') + n)}",
            reason=(
                "一人暮らし。民生委員の訪問で、最近外出が減ったと聞いた。",
                "高齢の二人暮らし。夫の物忘れが目立ち、妻の疲れが心配。",
                "新聞がたまっていたことがあった。近所づきあいはほとんどない。",
                "退院したばかりで、買い物に行けていない様子。",
            )[n % 4],
            frequency=frequency,
            starts_on=started,
            area=daily[n % len(daily)] if daily else None,
            address=f"{place}地区",
        )
        minsei = watches.watcher_add(
            by=coordinator, watch=watch, kind=WatcherKind.MINSEI, name=MINSEI[n % len(MINSEI)]
        )
        if n % 3 == 0:
            watches.watcher_add(
                by=coordinator,
                watch=watch,
                kind=WatcherKind.BUSINESS,
                name=COMPANIES[n % len(COMPANIES)],
            )
        if n % 4 == 1 and houkatsu is not None:
            watches.watcher_add(
                by=coordinator, watch=watch, kind=WatcherKind.HOUKATSU, agency=houkatsu
            )
        if n == 7 and csw is not None:
            watches.watcher_add(by=coordinator, watch=watch, kind=WatcherKind.OTHER, agency=csw)
        # the checks: on time, except a few that stopped (overdue) and one unreachable twice
        overdue = n in (2, 9, 15)
        stop = today - datetime.timedelta(days=step[frequency] * (3 if overdue else 0) + 2)
        if n in (5, 7):  # the last two checks are the unreachable ones below
            stop = today - datetime.timedelta(days=12)
        day = started + datetime.timedelta(days=rng.randrange(1, 5))
        while day <= stop:
            watches.check_record(
                by=coordinator,
                watch=watch,
                checked_on=day,
                outcome=CheckOutcome.OK if rng.random() < 0.85 else CheckOutcome.ABSENT,
                watcher=minsei,
                note="声かけに応じ、変わりない様子。",
            )
            day += datetime.timedelta(days=step[frequency])
        if n in (5, 7):
            for ago in (9, 2):
                watches.check_record(
                    by=coordinator,
                    watch=watch,
                    checked_on=today - datetime.timedelta(days=ago),
                    outcome=CheckOutcome.UNREACHABLE,
                    watcher=minsei,
                    note="呼び鈴に応答なし。雨戸が閉まったまま。",
                )
        if n == 7:
            outreach = _acting("outreach")
            if outreach is not None and outreach.acting_membership.agency_id == getattr(
                csw, "pk", None
            ):
                watches.escalate(
                    by=outreach,
                    watch=watch,
                    to="outreach",
                    reason="2回続けて連絡がつかず、家族の連絡先も分からない。訪問を始める。",
                )
    _desk_watch(today)


def _desk_watch(today) -> None:
    """The 地域包括支援センター's own watch of a person it registered, unreachable twice and
    escalated to a consultation at its desk."""
    desk = _acting("desk")
    if desk is None:
        return
    person = (
        Person.objects.visible_to(desk)
        .filter(birth_date__lte=today - datetime.timedelta(days=75 * 365))
        .order_by("pk")
        .first()
    )
    category = IssueCategory.objects.filter(is_active=True).order_by("sort_order").first()
    if person is None or category is None:
        return
    watch = watches.watch_create(
        by=desk,
        person=person,
        label=f"{person.name}さん",
        reason="介護保険の申請を迷っている。一人で過ごす時間が長い。",
        frequency=Frequency.WEEKLY,
        starts_on=today - datetime.timedelta(days=60),
    )
    neighbour = watches.watcher_add(
        by=desk, watch=watch, kind=WatcherKind.NEIGHBOUR, name="隣家 山田さん"
    )
    for ago in (50, 43, 36, 29, 22, 15):
        watches.check_record(
            by=desk,
            watch=watch,
            checked_on=today - datetime.timedelta(days=ago),
            outcome=CheckOutcome.OK,
            watcher=neighbour,
        )
    for ago in (8, 1):
        watches.check_record(
            by=desk,
            watch=watch,
            checked_on=today - datetime.timedelta(days=ago),
            outcome=CheckOutcome.UNREACHABLE,
            watcher=neighbour,
            note="新聞が2日分たまっている。",
        )
    watches.escalate(
        by=desk,
        watch=watch,
        to="consultation",
        reason="2回続けて連絡がつかない。訪問して状況を確かめる。",
        agency=desk.acting_membership.agency,
        categories=[category],
    )


def _reports(coordinator, office, areas, today) -> None:
    """気づき・通報 in every triage state."""
    now = timezone.now()
    district = areas.get("dist_soden")

    def report(days_ago: int, origin: str, what: str, **fields):
        return reports.report_record(
            by=coordinator,
            received_at=now - datetime.timedelta(days=days_ago),
            origin=origin,
            what=what,
            noticed_on=today - datetime.timedelta(days=days_ago + 1),
            area=district,
            **fields,
        )

    report(
        1,
        "resident",
        "向かいの家の80代の女性を、この1週間見かけない。洗濯物が干したまま。",
        reporter_name="早田 住民",
        reporter_contact="058-000-1111",
        place="早田東町3丁目",
    )
    report(
        9,
        "business",
        "配達先のポストに郵便物がたまっている。以前は毎日取り込まれていた。",
        reporter_name="岐阜新聞 早田販売所",
        place="早田本町",
    )
    to_watch = report(
        30,
        "minsei",
        "一人暮らしの70代男性。最近、サロンに来なくなった。",
        reporter_name="民生委員 早田 春子",
        place="早田大通",
    )
    reports.report_triage(
        by=office,
        report=to_watch,
        triage="watch",
        agency=coordinator.acting_membership.agency,
        watch_label="早田 70代男性（サロン）",
        watch_frequency=Frequency.BIWEEKLY,
    )
    nothing = report(
        25,
        "resident",
        "夜に大きな声が聞こえた気がする。",
        reporter_name="匿名",
        place="早田西町",
    )
    reports.report_triage(
        by=office,
        report=nothing,
        triage="no_action",
        no_action_reason="民生委員が翌日訪問し、来客があっただけと確認した。",
    )
    record = OutreachRecord.objects.filter(closed_on__isnull=True).order_by("pk").first()
    if record is not None:
        to_outreach = report(
            40,
            "resident",
            "50代の息子さんが何年も家から出ていないようだと、母親の友人から聞いた。",
            reporter_name="早田 住民",
        )
        reports.report_triage(
            by=office, report=to_outreach, triage="outreach", outreach_record=record
        )
    person = Person.objects.order_by("pk").first()
    category = IssueCategory.objects.filter(is_active=True).order_by("sort_order").first()
    houkatsu = Agency.objects.filter(code__startswith="houkatsu_").order_by("code").first()
    if person is not None and category is not None and houkatsu is not None:
        to_consultation = report(
            15,
            "minsei",
            "介護が必要そうな高齢の方が、家族の支えなく暮らしている。",
            reporter_name="民生委員 島 一夫",
        )
        reports.report_triage(
            by=office,
            report=to_consultation,
            triage="consultation",
            person=person,
            agency=houkatsu,
            categories=[category],
        )
