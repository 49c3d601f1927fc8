"""年度別実施状況: every figure compared with counts computed here, independently, from the seeded
records — records on 3/31 and 4/1 (dates and Japan-time moments), a reopened case, a returned
referral, a cancelled meeting — and the same figures on the page, through the API and in the
workbook; agencies see their own figures with small counts hidden; bad input is refused in
Japanese."""

from __future__ import annotations

import datetime
import io
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from tsunagu.cases.models import Case, CaseStatus, CaseStatusEvent, SupportPlan
from tsunagu.consultations.models import (
    Consultation,
    ConsultationCategory,
    IssueCategory,
    Referral,
    ReferralEvent,
    ReferralKind,
    ReferralStatus,
)
from tsunagu.meetings.models import AgendaItem, Meeting, MeetingKind
from tsunagu.people.models import Household, Person
from tsunagu.reports.statistics import period as periods
from tsunagu.reports.statistics import report, scope_for
from tsunagu.reports.statistics.engine import Scope, percentile

pytestmark = pytest.mark.django_db

TOKYO = datetime.timezone(datetime.timedelta(hours=9))
FY = 2025  # 令和7年度: 2025-04-01 … 2026-03-31
FIRST, LAST = datetime.date(2025, 4, 1), datetime.date(2026, 3, 31)
MONTHS = [datetime.date(2025 + (m < 4), m, 1) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


def at(y, m, d, h=10, minute=0) -> datetime.datetime:
    return datetime.datetime(y, m, d, h, minute, tzinfo=TOKYO)


def by_month(days) -> list[int]:
    """Counted here without the database: each local date's month in the 年度, else nothing."""
    counts = Counter()
    for day in days:
        if isinstance(day, datetime.datetime):
            day = day.astimezone(TOKYO).date()
        if FIRST <= day <= LAST:
            counts[day.replace(day=1)] += 1
    return [counts[m] for m in MONTHS]


def find(result, table: str, label: str):
    for section in result.sections:
        for t in section.tables:
            if t.key == table:
                for row in t.rows:
                    if row.label == label:
                        return row
                raise AssertionError(f"{label} not in {[r.label for r in t.rows]}")
    raise AssertionError(f"no table {table}")


# ------------------------------------------------------------------------------ seed

CONSULTED = [  # (agency, received_on, channel, categories (◎ first), person key)
    ("houkatsu", datetime.date(2025, 3, 31), "phone", ["ひきこもり"], "father"),
    ("houkatsu", datetime.date(2025, 4, 1), "walk_in", ["ひきこもり", "高齢・介護"], "father"),
    ("houkatsu", datetime.date(2025, 4, 15), "phone", ["高齢・介護"], "son"),
    ("houkatsu", datetime.date(2025, 6, 30), "phone", ["孤独・孤立"], None),
    ("houkatsu", datetime.date(2026, 3, 31), "walk_in", ["8050問題", "ひきこもり"], "son"),
    ("houkatsu", datetime.date(2026, 4, 1), "walk_in", ["ひきこもり"], "son"),
    ("housing", datetime.date(2025, 5, 10), "from_agency", ["住まい"], "nobirth"),
]

REFERRALS = [  # (key, from, to, sent_at, [(to_status, at)], respond_by)
    ("accepted", "houkatsu", "housing", at(2025, 4, 2), [("accepted", at(2025, 4, 4))], 3),
    ("returned", "houkatsu", "housing", at(2025, 5, 1), [("returned", at(2025, 5, 2))], 3),
    (
        "completed",
        "housing",
        "houkatsu",
        at(2025, 9, 1),
        [("accepted", at(2025, 9, 10)), ("completed", at(2025, 10, 1))],
        3,
    ),
    ("late-night", "houkatsu", "housing", at(2026, 3, 31, 23, 30), [], 3),  # March, overdue
    ("next-year", "houkatsu", "housing", at(2026, 4, 1, 0, 10), [], 3),  # 3/31 in UTC
    ("early-april", "houkatsu", "housing", at(2025, 4, 1, 8), [("returned", at(2025, 4, 1, 9))], 3),
    ("last-year", "houkatsu", "housing", at(2025, 3, 31, 23, 59), [], 3),
]


@pytest.fixture
def seeded(personas, agencies):
    people = {
        "father": Person.objects.create(
            name="山田 太郎",
            name_kana="ヤマダ タロウ",
            birth_date=datetime.date(1950, 6, 1),
            sex="male",
        ),
        "son": Person.objects.create(
            name="山田 太郎",
            name_kana="ヤマダ タロウ",
            birth_date=datetime.date(1990, 4, 1),
            sex="male",
        ),
        "nobirth": Person.objects.create(name="川上 花", name_kana="カワカミ ハナ", sex="female"),
    }
    household = Household.objects.create(label="北町の世帯")
    desk = personas["desk"].user
    categories = {c.name: c for c in IssueCategory.objects.all()}
    made = []
    for agency, day, channel, cats, who in CONSULTED:
        c = Consultation.objects.create(
            agency=agencies[agency],
            recorded_by=desk,
            received_on=day,
            channel=channel,
            consulter_type="self",
            person=people[who] if who else None,
            household=None if who else household,
            outcome="handled",
        )
        made.append(c)
        for n, name in enumerate(cats):
            ConsultationCategory.objects.create(
                consultation=c, category=categories[name], is_primary=n == 0
            )
    first = made[0]
    for _key, source, target, sent, events, days in REFERRALS:
        referral = Referral.objects.create(
            kind=ReferralKind.STANDARD,
            consultation=first,
            person=people["son"],
            from_agency=agencies[source],
            to_agency=agencies[target],
            sent_by=desk,
            status=events[-1][0] if events else ReferralStatus.SENT,
            sent_at=sent,
            respond_by=sent + datetime.timedelta(days=days),
            responded_at=events[0][1] if events else None,
        )
        ReferralEvent.objects.create(
            referral=referral,
            to_status="sent",
            at=sent,
            by=desk,
            agency=agencies[source],
        )
        before = "sent"
        for status, when in events:
            ReferralEvent.objects.create(
                referral=referral,
                from_status=before,
                to_status=status,
                at=when,
                by=desk,
                agency=agencies[target],
            )
            before = status
    multi = Referral.objects.create(
        kind=ReferralKind.MULTI_AGENCY,
        consultation=first,
        person=people["father"],
        from_agency=agencies["houkatsu"],
        to_agency=agencies["council"],
        sent_by=desk,
        status="accepted",
        sent_at=at(2025, 7, 1),
        respond_by=at(2025, 7, 4),
        responded_at=at(2025, 7, 2),
        criterion_household=True,
    )
    earlier = Referral.objects.create(
        kind=ReferralKind.MULTI_AGENCY,
        consultation=first,
        person=people["son"],
        from_agency=agencies["houkatsu"],
        to_agency=agencies["council"],
        sent_by=desk,
        status="accepted",
        sent_at=at(2025, 3, 20),
        respond_by=at(2025, 3, 25),
        responded_at=at(2025, 3, 21),
    )
    coordinator = personas["coordinator"].user
    reopened = Case.objects.create(
        referral=multi,
        person=people["father"],
        referring_agency=agencies["houkatsu"],
        coordinating_agency=agencies["council"],
        coordinator=coordinator,
        status=CaseStatus.ASSESSMENT,
        opened_on=datetime.date(2025, 4, 1),
    )
    older = Case.objects.create(
        referral=earlier,
        person=people["son"],
        referring_agency=agencies["houkatsu"],
        coordinating_agency=agencies["council"],
        coordinator=coordinator,
        status=CaseStatus.SUSPENDED,
        opened_on=datetime.date(2025, 3, 31),
    )
    moves = [
        (reopened, "", "intake", at(2025, 4, 1)),
        (reopened, "intake", "planning", at(2025, 5, 1)),
        (reopened, "planning", "closed", at(2025, 10, 1)),
        (reopened, "closed", "assessment", at(2025, 11, 1)),
        (older, "", "intake", at(2025, 3, 31)),
        (older, "intake", "suspended", at(2025, 4, 10)),
    ]
    for case, before, after, when in moves:
        CaseStatusEvent.objects.create(
            case=case, from_status=before, to_status=after, at=when, by=coordinator
        )
    officer = personas["officer"].user
    held = Meeting.objects.create(
        kind=MeetingKind.CONFERENCE,
        title="重層的支援会議（9月）",
        schedule="regular",
        format="in_person",
        starts_at=at(2025, 9, 10, 14),
        convening_agency=agencies["office"],
        created_by=officer,
    )
    Meeting.objects.create(
        kind=MeetingKind.CONFERENCE,
        title="中止した会議",
        schedule="regular",
        format="in_person",
        starts_at=at(2025, 9, 20, 14),
        convening_agency=agencies["office"],
        created_by=officer,
        is_cancelled=True,
    )
    for order, purpose in enumerate(("progress", "information")):
        AgendaItem.objects.create(
            meeting=held,
            order=order,
            case=reopened,
            purpose=purpose,
            outcome="noted" if order == 0 else "",
            decided_at=at(2025, 9, 10, 15) if order == 0 else None,
            decided_by=officer if order == 0 else None,
        )
    adopting = Meeting.objects.create(
        kind=MeetingKind.CONFERENCE,
        title="重層的支援会議（5月）",
        schedule="regular",
        format="in_person",
        starts_at=at(2025, 5, 27, 14),
        convening_agency=agencies["office"],
        created_by=officer,
    )
    adoption = AgendaItem.objects.create(
        meeting=adopting,
        case=reopened,
        purpose="plan_adoption",
        outcome="agreed",
        decided_at=at(2025, 5, 27, 15),
        decided_by=officer,
    )
    SupportPlan.objects.create(
        case=reopened,
        version=1,
        kind="initial",
        status="confirmed",
        agreed_at_item=adoption,
        agreed_on=datetime.date(2025, 5, 27),
        confirmed_on=datetime.date(2025, 6, 1),
        created_by=coordinator,
    )
    return {"people": people, "multi": multi, "reopened": reopened}


def city_report(only: str = ""):
    return report(periods.for_fiscal_year(FY), Scope(), only=only)


# ------------------------------------------------------------------------------ figures


def test_consultations_by_month_with_the_year_s_edges(seeded):
    result = city_report("consultations")
    row = find(result, "consultations", "新規相談（受付件数）")
    expected = by_month(day for _, day, *_ in CONSULTED)
    assert row.cells == expected
    assert row.total == sum(expected) == 5  # not 3/31 of the year before, not 4/1 after
    phone = find(result, "consultations", "電話")
    assert phone.cells == by_month(d for _, d, ch, *_ in CONSULTED if ch == "phone")


def test_categories_each_ticked_and_the_main_one(seeded):
    result = city_report("consultations")
    for name in ("ひきこもり", "高齢・介護", "8050問題"):
        ticked = find(result, "consultations_by_category", name)
        assert ticked.cells == by_month(d for _, d, _, cats, _ in CONSULTED if name in cats)
    main = find(result, "consultations_by_category", "◎ ひきこもり")
    assert main.cells == by_month(d for _, d, _, cats, _ in CONSULTED if cats[0] == "ひきこもり")
    assert main.total == 1


def test_age_band_on_the_first_day_and_sex(seeded):
    result = city_report("consultations")
    # the son is 35 on 2025-04-01 (born 1990-04-01), the father 74
    assert find(result, "consultations_by_person", "18〜39歳").total == 2
    assert find(result, "consultations_by_person", "65〜74歳").total == 1
    # no birth date, and no person at all
    assert find(result, "consultations_by_person", "不明").total == 2
    assert find(result, "consultations_by_person", "男").total == 3
    assert find(result, "consultations_by_person", "女").total == 1


def test_referral_loop_in_japan_time(seeded):
    result = city_report("consultations")
    sent = find(result, "referrals", "送付")
    assert sent.cells == by_month(s for _, _, _, s, _, _ in REFERRALS)
    # 4/1 0:10 in Japan (3/31 in UTC) is the next 年度; 4/1 8:00 (3/31 23:00 UTC) is April
    assert sent.total == 5
    assert sent.cells[0] == 2 and sent.cells[-1] == 1
    for status, label in (("accepted", "受理"), ("returned", "差戻し"), ("completed", "完了")):
        row = find(result, "referrals", label)
        assert row.cells == by_month(
            when for *_, events, _ in REFERRALS for s, when in events if s == status
        )
    overdue = find(result, "referrals", "回答期限を過ぎた（送付月）")
    # answered after its deadline (the one accepted on day 9) or unanswered past it (3/31)
    assert overdue.total == 2
    median = find(result, "referrals", "送付から受理まで（中央値・日）")
    assert median.cells[0] == 2.0  # 4/2 → 4/4
    assert median.cells[5] == 9.0  # 9/1 → 9/10
    assert median.total == percentile([2, 9], 50) == 2.0


def test_cases_opened_planned_closed_suspended_reopened(seeded):
    result = city_report("cases")
    assert find(result, "cases_intake", "多機関協働へのつなぎ（受付）").cells == by_month(
        [at(2025, 7, 1)]
    )
    assert find(result, "cases_intake", "① 世帯の複合的な課題").total == 1
    assert find(result, "cases_intake", "② どこにもつながらない狭間のケース").total == 0
    assert find(result, "cases_routes", "地域包括支援センター中央").total == 1
    opened = find(result, "cases_flow", "事例の開始（受付）")
    assert opened.cells == by_month([datetime.date(2025, 4, 1), datetime.date(2025, 3, 31)])
    assert find(result, "cases_flow", "終結").cells == by_month([at(2025, 10, 1)])
    assert find(result, "cases_flow", "中断").cells == by_month([at(2025, 4, 10)])
    assert find(result, "cases_flow", "再開（終結・中断から）").cells == by_month([at(2025, 11, 1)])
    assert find(result, "cases_flow", "プランの確定（初回）").total == 1
    days = find(result, "cases_flow", "受付から初回プラン確定まで（中央値・日）")
    assert days.total == (datetime.date(2025, 6, 1) - datetime.date(2025, 4, 1)).days


def test_meetings_held_cases_discussed_decisions(seeded):
    result = city_report("meetings")
    held = [at(2025, 5, 27), at(2025, 9, 10)]
    assert find(result, "meetings", "開催した会議").cells == by_month(held)
    assert find(result, "meetings", "重層的支援会議").total == 2  # the cancelled one is not held
    # one case, on the agenda in May and twice in September: once a month, once in the year
    discussed = find(result, "meetings", "協議した事例（延べではなく、月・期間ごとに1件）")
    assert discussed.cells == by_month(held)
    assert discussed.total == 1
    assert find(result, "meetings", "協議した議題").total == 3
    assert find(result, "meeting_decisions", "確認・共有した").total == 1
    assert find(result, "meeting_decisions", "承認・決定").cells == by_month([at(2025, 5, 27)])


def test_an_agency_sees_its_own_figures(seeded, personas, agencies):
    housing = scope_for(personas["unrelated"].user)
    assert housing.agency_id == agencies["housing"].pk and housing.protect
    result = report(periods.for_fiscal_year(FY), housing, only="consultations")
    assert find(result, "consultations", "新規相談（受付件数）").total == 1
    desk = report(periods.for_fiscal_year(FY), scope_for(personas["desk"].user))
    assert find(desk, "consultations", "新規相談（受付件数）").total == 4
    with pytest.raises(ValidationError) as refused:
        scope_for(personas["desk"].user, agency_id=agencies["housing"].pk)
    assert "ほかの機関の統計" in str(refused.value)
    office = scope_for(personas["officer"].user, agency_id=agencies["housing"].pk)
    assert office.agency_id == agencies["housing"].pk and not office.protect


def test_the_area_takes_the_areas_under_it(seeded, personas, agencies, city):
    under = scope_for(personas["officer"].user, area_id=agencies["houkatsu"].area_id)
    result = report(periods.for_fiscal_year(FY), under, only="consultations")
    assert find(result, "consultations", "新規相談（受付件数）").total == 4
    whole = scope_for(personas["officer"].user, area_id=city.pk)
    result = report(periods.for_fiscal_year(FY), whole, only="consultations")
    assert find(result, "consultations", "新規相談（受付件数）").total == 5


# ------------------------------------------------------------------------------ period


def test_periods_and_their_errors():
    assert periods.parse("令和7年度").start == FIRST
    assert periods.parse("R7").end == LAST
    span = periods.parse("", datetime.date(2025, 12, 1), datetime.date(2026, 2, 10))
    assert span.month_labels == ["2025年12月", "2026年1月", "2026年2月"]
    assert span.month_range(datetime.date(2026, 2, 1)) == (
        datetime.date(2026, 2, 1),
        datetime.date(2026, 2, 10),
    )
    for bad, field, words in (
        (
            ("", datetime.date(2026, 1, 2), datetime.date(2026, 1, 1)),
            "date_to",
            "終了日が開始日より前",
        ),
        (("", datetime.date(2010, 1, 1), datetime.date(2020, 1, 1)), "date_to", "10年以内"),
        (("", datetime.date(2026, 1, 1), None), "date_to", "両方"),
        (("令和99年度",), "year", "出せません"),
        (("あいう",), "year", "年度"),
    ):
        with pytest.raises(ValidationError) as error:
            periods.parse(*bad)
        assert any(words in m for m in error.value.message_dict[field]), error.value


# ------------------------------------------------------------------------------ renderings


def test_page_api_and_workbook_give_the_same_figures(seeded, login, personas):
    client = login(personas["officer"])
    page = client.get("/reports/?year=R7")
    assert page.status_code == 200
    body = page.content.decode()
    assert "令和7年度（2025年度）" in body and "新規相談（受付件数）" in body
    api = client.get("/api/v1/reports/statistics?year=2025").json()
    tables = {t["key"]: t for s in api["sections"] for t in s["tables"]}
    expected = report(periods.for_fiscal_year(FY), Scope())
    for section in expected.sections:
        for table in section.tables:
            assert [r["cells"] for r in tables[table.key]["rows"]] == [r.cells for r in table.rows]
            assert [r["total"] for r in tables[table.key]["rows"]] == [r.total for r in table.rows]
    workbook = client.get("/reports/?year=R7&export=xlsx")
    assert workbook["Content-Disposition"].startswith("attachment;")
    book = load_workbook(io.BytesIO(workbook.content))
    assert book.sheetnames[0] == "表紙" and book.sheetnames[-1] == "定義"
    cover = {r[0]: r[1] for r in book["表紙"].iter_rows(values_only=True) if r[0]}
    assert cover["年度"] == "令和7年度（2025年度）"
    assert cover["期間"] == "令和7年4月1日〜令和8年3月31日"
    assert cover["作成日"].startswith("令和")
    sheet = book["包括的相談支援"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows.index(("項目", *[f"{m.month}月" for m in MONTHS], "合計"))
    first = rows[header + 1]
    assert first[0] == "新規相談（受付件数）"
    assert list(first[1:13]) == by_month(day for _, day, *_ in CONSULTED)
    assert first[13] == 5


def test_small_counts_hidden_outside_the_office(seeded, login, personas):
    client = login(personas["desk"])
    page = client.get("/reports/?year=R7&section=consultations").content.decode()
    assert "3未満" in page
    api = client.get("/api/v1/reports/statistics?year=R7&section=consultations").json()
    assert api["small_counts_hidden"] is True
    received = api["sections"][0]["tables"][0]["rows"][0]
    assert received["label"] == "新規相談（受付件数）"
    # 4 consultations of the desk's agency: 4/1, 4/15, 6/30, 3/31 → 2, 0, 1, …, 1; total 4
    assert received["cells"][0] == "3未満" and received["cells"][1] == 0
    assert received["total"] == 4
    book = load_workbook(io.BytesIO(client.get("/reports/?year=R7&export=xlsx").content))
    values = [c for row in book["包括的相談支援"].iter_rows(values_only=True) for c in row]
    assert "3未満" in values
    officer = login(personas["officer"]).get(
        "/api/v1/reports/statistics?year=R7&section=consultations"
    )
    assert officer.json()["sections"][0]["tables"][0]["rows"][0]["cells"][0] == 2


def test_bad_input_is_refused_in_japanese(seeded, login, personas, agencies):
    client = login(personas["desk"])
    page = client.get("/reports/?date_from=2026-02-01&date_to=2026-01-01")
    assert page.status_code == 422
    assert "終了日が開始日より前" in page.content.decode()
    api = client.get(f"/api/v1/reports/statistics?agency={agencies['housing'].pk}")
    assert api.status_code == 422
    assert "ほかの機関の統計" in api.json()["errors"]["agency"][0]
    page = client.get(f"/reports/?agency={agencies['housing'].pk}")
    assert page.status_code == 422
    assert "ほかの機関の統計" in page.content.decode()
    assert client.get(f"/reports/?agency={agencies['houkatsu'].pk}").status_code == 200
    assert client.get("/api/v1/reports/statistics?year=令和99年度").status_code == 422
    assert client.get("/api/v1/reports/statistics?section=none").status_code == 422


@pytest.mark.parametrize("name", ["guest", "admin"])
def test_who_may_not_read_statistics(seeded, login, personas, name):
    client = login(personas[name])
    assert client.get("/reports/").status_code == 403
    assert client.get("/api/v1/reports/statistics").status_code == 403


def test_every_table_is_defined_in_the_docs(seeded):
    """docs/reports.md lists each table with its key and the definition the screens show."""
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[3] / "docs" / "reports.md").read_text("utf-8")
    for section in city_report().sections:
        for table in section.tables:
            assert f"`{table.key}`" in docs, table.key
            assert table.definition in docs, table.key


def test_cases_at_each_month_end(seeded):
    """The older case was in intake from 3/31, suspended on 4/10; the other opened 4/1,
    planning 5/1, closed 10/1, back in assessment 11/1."""
    result = city_report("cases")

    def at_ends(label):
        return find(result, "cases_status", label).cells

    assert at_ends("中断") == [1] * 12
    assert at_ends("インテーク（利用申込・同意の確認）") == [1] + [0] * 11
    assert at_ends("プラン作成") == [0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    assert at_ends("終結") == [0] * 6 + [1] + [0] * 5
    assert at_ends("アセスメント") == [0] * 7 + [1] * 5


@pytest.mark.parametrize(
    ("birth", "band"),
    [
        (datetime.date(2007, 4, 1), "18〜39歳"),  # 18 on the first day of the 年度
        (datetime.date(2007, 4, 2), "18歳未満"),  # 18 a day later
        (datetime.date(1985, 4, 1), "40〜64歳"),
        (datetime.date(1985, 4, 2), "18〜39歳"),
        (datetime.date(1950, 4, 1), "75歳以上"),
        (datetime.date(1950, 4, 2), "65〜74歳"),
        (datetime.date(2025, 4, 1), "18歳未満"),  # born that day
    ],
)
def test_age_bands_at_their_edges(personas, agencies, birth, band):
    from tsunagu.reports.statistics.sections.persons import AGE_LABELS, age_band

    person = Person.objects.create(
        name="境界 太郎", name_kana="キョウカイ タロウ", birth_date=birth
    )
    Consultation.objects.create(
        agency=agencies["houkatsu"],
        recorded_by=personas["desk"].user,
        received_on=datetime.date(2025, 6, 1),
        channel="phone",
        consulter_type="self",
        person=person,
        outcome="handled",
    )
    assert AGE_LABELS[age_band(birth, FIRST)] == band  # the rule, in Python
    result = city_report("consultations")
    assert find(result, "consultations_by_person", band).total == 1  # and in the database
