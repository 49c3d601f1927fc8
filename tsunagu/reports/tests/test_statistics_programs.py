"""The figures of アウトリーチ, 参加支援 and 地域づくり・見守り against counts made here from the
seeded records (dates on 3/31 and 4/1 of 令和7年度 included)."""

from __future__ import annotations

import datetime

import pytest

from tsunagu.accounts.models import Area
from tsunagu.community.models import Activity, ActivityKind, CommunityReport, SafetyCheck, Watch
from tsunagu.outreach.models import OutreachContact, OutreachEvent, OutreachRecord
from tsunagu.participation.models import Match, ParticipationRecord
from tsunagu.people.models import Person
from tsunagu.reports.statistics import period as periods
from tsunagu.reports.statistics import report
from tsunagu.reports.statistics.engine import Scope

from .test_statistics import FY, at, by_month, find

pytestmark = pytest.mark.django_db

D = datetime.date


def year(only: str, scope: Scope | None = None):
    return report(periods.for_fiscal_year(FY), scope or Scope(), only=only)


@pytest.fixture
def person(db):
    return Person.objects.create(name="山田 一郎", name_kana="ヤマダ イチロウ")


def test_outreach(personas, agencies, person):
    worker = personas["outreach"].user
    began = [D(2025, 3, 31), D(2025, 4, 1), D(2025, 8, 20), D(2026, 3, 31), D(2026, 4, 1)]
    records = [
        OutreachRecord.objects.create(
            agency=agencies["csw"],
            label=f"北部 60代男性 {n}",
            source="minsei" if n % 2 else "resident",
            began_on=day,
            created_by=worker,
        )
        for n, day in enumerate(began)
    ]
    contacts = [
        (records[1], D(2025, 4, 2), "letter", False),
        (records[1], D(2025, 4, 20), "visit_not_met", False),
        (records[1], D(2025, 5, 10), "visit_met", True),
        (records[2], D(2025, 9, 1), "visit_family", False),
        (records[2], D(2025, 3, 1), "phone", False),  # the year before
    ]
    for record, day, method, reached in contacts:
        OutreachContact.objects.create(
            record=record,
            occurred_on=day,
            method=method,
            staff="アウトリーチ 担当",
            summary="様子を見た",
            reached_person=reached,
            agency=agencies["csw"],
            recorded_by=worker,
        )
    OutreachRecord.objects.filter(pk=records[1].pk).update(
        first_met_on=D(2025, 5, 10),
        consented_on=D(2025, 6, 1),
        consent_method="signed",
        person=person,
    )
    OutreachEvent.objects.create(
        record=records[1], kind="handover", occurred_on=D(2025, 7, 1), by=worker
    )
    OutreachRecord.objects.filter(pk=records[0].pk).update(
        closed_on=D(2025, 4, 30), closure_reason="moved"
    )
    result = year("outreach")
    assert find(result, "outreach", "新たに始めた対象").cells == by_month(began)
    minsei = [day for n, day in enumerate(began) if n % 2]
    assert find(result, "outreach", "民生委員・児童委員").cells == by_month(minsei)
    assert find(result, "outreach", "接触（延べ）").cells == by_month(c[1] for c in contacts)
    visits = [c[1] for c in contacts if c[2].startswith("visit")]
    assert find(result, "outreach", "訪問（延べ）").cells == by_month(visits)
    assert find(result, "outreach", "本人に届いた・会えた接触").total == 1
    assert find(result, "outreach", "初回面会").cells == by_month([D(2025, 5, 10)])
    assert find(result, "outreach", "利用申込（同意）").cells == by_month([D(2025, 6, 1)])
    assert find(result, "outreach", "多機関協働へのつなぎ").cells == by_month([D(2025, 7, 1)])
    assert find(result, "outreach", "転居").total == 1
    housing = Scope(agency_id=agencies["housing"].pk)
    assert find(year("outreach", housing), "outreach", "新たに始めた対象").total == 0


def test_participation_kept_at_three_and_six_months(personas, agencies, person, settings):
    from tsunagu.resources.models import Organization, Resource, ResourceKind

    worker = personas["participation"].user
    record = ParticipationRecord.objects.create(
        agency=agencies["council"],
        worker=worker,
        person=person,
        started_on=D(2025, 4, 1),
        goals="週に1回、外に出る",
        created_by=worker,
    )
    farm = Resource.objects.create(
        organization=Organization.objects.create(name="NPO法人 みどりの畑"),
        name="農作業ボランティア",
        kind=ResourceKind.objects.order_by("sort_order").first(),
        confirmed_on=D(2025, 4, 1),
        created_by=personas["officer"].user,
    )
    matches = [  # proposed, started, ended, status
        (D(2025, 4, 2), D(2025, 4, 10), None, "settled"),  # kept past 6 months
        (D(2025, 4, 3), D(2025, 4, 20), D(2025, 6, 1), "ended"),  # ended before 3 months
        (D(2025, 5, 1), D(2025, 5, 15), D(2025, 9, 1), "ended"),  # kept at 3, not at 6
        (D(2025, 6, 1), None, D(2025, 6, 10), "cancelled"),
    ]
    for proposed, started, ended, status in matches:
        Match.objects.create(
            record=record,
            resource=farm,
            status=status,
            proposed_on=proposed,
            started_on=started,
            ended_on=ended,
            settled_on=D(2025, 7, 10) if status == "settled" else None,
        )
    result = year("participation")
    assert find(result, "participation", "参加支援の開始").cells == by_month([D(2025, 4, 1)])
    assert find(result, "participation", "マッチングの提案").cells == by_month(
        m[0] for m in matches
    )
    assert find(result, "participation", "参加開始").cells == by_month(
        m[1] for m in matches if m[1]
    )
    assert find(result, "participation", "定着の確認").cells == by_month([D(2025, 7, 10)])
    assert find(result, "participation", "終了").total == 2
    assert find(result, "participation", "中止").total == 1
    # all three began long enough ago (today is after 2025-11-15)
    assert find(result, "participation_kept", "参加開始から3か月を経た").total == 3
    assert find(result, "participation_kept", "うち3か月の時点で続いていた").total == 2
    assert find(result, "participation_kept", "参加開始から6か月を経た").total == 3
    assert find(result, "participation_kept", "うち6か月の時点で続いていた").total == 1


def test_community_activities_watches_and_notices(personas, agencies, person, city):
    author = personas["community"].user
    salon = ActivityKind.objects.order_by("sort_order").first()
    held = [at(2025, 4, 1, 0, 30), at(2025, 4, 20), at(2026, 3, 31, 23), at(2026, 4, 1, 0, 30)]
    for n, when in enumerate(held):
        Activity.objects.create(
            kind=salon,
            title=f"サロン {n}",
            starts_at=when,
            area=city,
            children=1,
            youth=0,
            working_age=2,
            elderly=5 + n,
            participants=8 + n,
            created_by=author,
        )
    watch = Watch.objects.create(
        agency=agencies["community"],
        person=person,
        label="3丁目 80代",
        area=city,
        reason="一人暮らし",
        starts_on=D(2025, 4, 1),
        created_by=author,
    )
    for day, outcome in ((D(2025, 4, 8), "ok"), (D(2025, 4, 15), "unreachable")):
        SafetyCheck.objects.create(watch=watch, checked_on=day, outcome=outcome, recorded_by=author)
    CommunityReport.objects.create(
        agency=agencies["community"],
        received_at=at(2025, 12, 1),
        origin="resident",
        area=city,
        what="隣の人を見かけない",
        recorded_by=author,
    )
    result = year("community")
    activities = find(result, "community_activities", "地域づくり活動")
    assert activities.cells == by_month(held)
    assert activities.total == 3 and activities.kind == "plain"
    participants = find(result, "community_activities", "参加者数（延べ）")
    assert participants.total == 8 + 9 + 10  # the first three held in the 年度
    assert find(result, "community_activities", "高齢者").total == 5 + 6 + 7
    assert find(result, "community_watches", "見守りの開始").cells == by_month([D(2025, 4, 1)])
    assert find(result, "community_watches", "安否確認").total == 2
    assert find(result, "community_watches", "連絡つかず").total == 1
    assert find(result, "community_watches", "気づき・通報の受付").cells == by_month(
        [at(2025, 12, 1)]
    )
    assert any(t.key == "community_targets" for s in result.sections for t in s.tables)
    # the whole city's area and the areas under it
    under = Scope(area_id=city.pk, area_ids=frozenset(Area.objects.values_list("pk", flat=True)))
    assert find(year("community", under), "community_activities", "地域づくり活動").total == 3
