"""成果目標: indicators defined as data, targets per 年度 and area set by the office, actuals
counted from the records (by local month, over the areas under the target's area), the
progress expected by now, the evaluation, the board's Excel — and the same over the API."""

from __future__ import annotations

import datetime
import io
import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import PERSONA_NAMES
from tsunagu.accounts.models import Area
from tsunagu.audit.models import AuditEvent
from tsunagu.common.tests.exports import body
from tsunagu.community.models import (
    Activity,
    ActivityKind,
    AttributeCount,
    Indicator,
    Measure,
    ParticipantAttribute,
    SafetyCheck,
    Target,
    Watch,
)
from tsunagu.community.selectors import targets as selectors
from tsunagu.community.services import targets as services

pytestmark = pytest.mark.django_db

API = "/api/v1"
YEAR = 2026
READERS = [name for name in PERSONA_NAMES if name not in ("guest", "admin")]
TOKYO = datetime.timezone(datetime.timedelta(hours=9))


def at(y, m, d, h=10, minute=0) -> datetime.datetime:
    """A moment in Japan time."""
    return datetime.datetime(y, m, d, h, minute, tzinfo=TOKYO)


def kind(code: str) -> ActivityKind:
    return ActivityKind.objects.get(code=code)


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


@pytest.fixture
def office(personas):
    return personas["officer"].user


@pytest.fixture
def daily(agencies) -> Area:
    return Area.objects.get(code="dl1")


@pytest.fixture
def district(daily) -> Area:
    return Area.objects.create(code="dst-t", name="柳ケ瀬地区", kind="district", parent=daily)


@pytest.fixture
def other_daily(city) -> Area:
    return Area.objects.create(code="dl-t2", name="北部圏域", kind="daily_life", parent=city)


def activity(user, area, when, code="salon", **counts) -> Activity:
    generations = {k: counts.pop(k, 0) for k in ("children", "youth", "working_age", "elderly")}
    return Activity.objects.create(
        kind=kind(code),
        title=f"{code} {when:%m%d}",
        starts_at=when,
        area=area,
        participants=sum(generations.values()),
        created_by=user,
        **generations,
        **counts,
    )


@pytest.fixture
def year_of_activities(office, district, other_daily):
    """Salons and a platform meeting in 2026年度 and one just outside it, in two areas."""
    made = [
        activity(office, district, at(2026, 4, 10), elderly=12, youth=2, new_connections=1),
        # just after midnight on 1 May in Japan: still 30 April in UTC, but a May activity
        activity(office, district, at(2026, 5, 1, 0, 30), elderly=8, children=3),
        activity(office, other_daily, at(2026, 6, 5), elderly=20),
        activity(office, district, at(2026, 6, 20), "platform", working_age=9),
        activity(office, district, at(2026, 3, 31, 23, 30), elderly=50),  # 2025年度
        activity(office, district, at(2027, 4, 1, 0, 10), elderly=50),  # 2027年度
    ]
    first_time = ParticipantAttribute.objects.get(code="first_time")
    AttributeCount.objects.create(activity=made[0], attribute=first_time, count=3)
    AttributeCount.objects.create(activity=made[2], attribute=first_time, count=4)
    return made


def row_of(rows, code):
    return next(r for r in rows if r.indicator.code == code)


# --------------------------------------------------------------------------------- actuals


def test_actuals_count_the_year_by_local_month_and_sum_generations(year_of_activities):
    rows = selectors.board(YEAR, today=datetime.date(2026, 12, 6))
    activities = row_of(rows, "activities")
    assert activities.actual == 4
    assert activities.by_month[:3] == [1, 1, 2]  # April, May, June
    assert row_of(rows, "participants").actual == 14 + 11 + 20 + 9
    assert row_of(rows, "platform_meetings").actual == 1
    assert row_of(rows, "new_connections").actual == 1


def test_months_not_yet_begun_are_blank(year_of_activities):
    rows = selectors.board(YEAR, today=datetime.date(2026, 6, 15))
    activities = row_of(rows, "activities")
    assert activities.by_month[:3] == [1, 1, 2]
    assert activities.by_month[3:] == [None] * 9  # July to March


def test_an_area_counts_the_areas_under_it(year_of_activities, daily, other_daily):
    under_daily = selectors.board(YEAR, daily, today=datetime.date(2026, 12, 6))
    assert row_of(under_daily, "activities").actual == 3  # the district's, not the north's
    north = selectors.board(YEAR, other_daily, today=datetime.date(2026, 12, 6))
    assert row_of(north, "participants").actual == 20


def test_indicators_are_data_a_new_one_counts_without_code(office, year_of_activities):
    services.indicator_save(
        by=office,
        code="salon_elderly",
        name="サロンに来た高齢者",
        measure=Measure.PARTICIPANTS,
        activity_kind=kind("salon"),
        generation="elderly",
        unit="人",
    )
    services.indicator_save(
        by=office,
        code="first_timers",
        name="初参加の人",
        measure=Measure.ATTRIBUTE_PARTICIPANTS,
        attribute=ParticipantAttribute.objects.get(code="first_time"),
        unit="人",
    )
    rows = selectors.board(YEAR)
    assert row_of(rows, "salon_elderly").actual == 12 + 8 + 20
    assert row_of(rows, "first_timers").actual == 7


def test_watches_checks_places_and_gaps_are_counted(office, personas, district, editor_gaps):
    watch = Watch.objects.create(
        agency=personas["community"].membership.agency,
        label="3丁目 80代女性",
        area=district,
        reason="一人暮らし",
        starts_on=datetime.date(2026, 7, 1),
        created_by=office,
    )
    for day in (2, 9):
        SafetyCheck.objects.create(
            watch=watch,
            checked_on=datetime.date(2026, 7, day),
            outcome="ok",
            recorded_by=office,
        )
    rows = selectors.board(YEAR)
    assert row_of(rows, "watches_started").actual == 1
    assert row_of(rows, "watches_started").by_month[3] == 1  # July
    created = row_of(rows, "places_created")
    assert created.actual == 1 and sum(n or 0 for n in created.by_month) == 1
    assert row_of(rows, "gaps_developed").actual == 1


@pytest.fixture
def editor_gaps(personas, district):
    """A resource registered this year and a gap developed into it."""
    from tsunagu.resources import gaps
    from tsunagu.resources import services as resource_services
    from tsunagu.resources.models import GapStatus, ResourceKind

    editor = personas["participation"].user
    organization = resource_services.organization_get_or_create(by=editor, name="まちの縁側")
    resource = resource_services.resource_create(
        by=editor,
        organization=organization,
        name="夜の居場所",
        kind=ResourceKind.objects.get(code="ibasho"),
        confirmed_on=timezone.localdate(),
        area=district,
    )
    gap = gaps.gap_create(by=editor, description="夜の居場所がない", area=district)
    gaps.gap_move(by=editor, gap=gap, status=GapStatus.DEVELOPED, met_by=resource)
    return gap


def test_progress_expected_by_now_and_achievement(office, year_of_activities):
    services.targets_set(
        by=office, fiscal_year=YEAR, values={indicator("activities"): 8}, today=at(2026, 12, 6)
    )
    rows = selectors.board(YEAR, today=datetime.date(2026, 9, 30))  # half the year
    activities = row_of(rows, "activities")
    assert activities.value == 8 and activities.achieved == 50.0
    assert activities.expected == pytest.approx(4.0, abs=0.05)
    assert activities.on_track is True
    late = row_of(selectors.board(YEAR, today=datetime.date(2027, 3, 31)), "activities")
    assert late.expected == 8 and late.on_track is False
    assert row_of(rows, "participants").achieved is None  # no target


# -------------------------------------------------------------------------------- services


@pytest.mark.parametrize("name", ["coordinator", "community", "desk", "participation"])
def test_only_the_office_sets_targets_and_writes_evaluations(personas, name):
    with pytest.raises(PermissionDenied):
        services.targets_set(
            by=personas[name].user, fiscal_year=YEAR, values={indicator("activities"): 5}
        )
    with pytest.raises(PermissionDenied):
        services.evaluation_write(by=personas[name].user, fiscal_year=YEAR, text="よくできた")
    assert not Target.objects.exists()


def test_targets_all_or_nothing_with_japanese_messages(office):
    with pytest.raises(ValidationError) as caught:
        services.targets_set(
            by=office,
            fiscal_year=YEAR,
            values={indicator("activities"): 10, indicator("participants"): -1},
        )
    assert "0以上の整数" in caught.value.message_dict["target.participants"][0]
    assert not Target.objects.exists()
    with pytest.raises(ValidationError) as caught:
        services.targets_set(by=office, fiscal_year=2019, values={indicator("activities"): 1})
    assert "年度は" in caught.value.message_dict["fiscal_year"][0]


def test_setting_changing_and_removing_a_target_is_audited(office, daily):
    services.targets_set(
        by=office, fiscal_year=YEAR, area=daily, values={indicator("activities"): 10}
    )
    services.targets_set(
        by=office, fiscal_year=YEAR, area=daily, values={indicator("activities"): 12}
    )
    assert Target.objects.get(area=daily).value == 12
    services.targets_set(
        by=office, fiscal_year=YEAR, area=daily, values={indicator("activities"): None}
    )
    assert not Target.objects.exists()
    changes = [
        e.changes["value"]
        for e in AuditEvent.objects.filter(action="community.target_set").order_by("id")
    ]
    assert changes == [
        {"before": None, "after": 10},
        {"before": 10, "after": 12},
        {"before": 12, "after": None},
    ]


def test_one_city_wide_target_per_indicator_and_year(office):
    services.targets_set(by=office, fiscal_year=YEAR, values={indicator("activities"): 10})
    services.targets_set(by=office, fiscal_year=YEAR, values={indicator("activities"): 11})
    assert Target.objects.filter(area__isnull=True).count() == 1


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"code": "", "name": "x", "measure": "activities"}, "code"),
        ({"code": "ok", "name": "x", "measure": "feelings"}, "measure"),
        ({"code": "bad code!", "name": "x", "measure": "activities"}, "code"),
        ({"code": "ok", "name": "x", "measure": "attribute_participants"}, "attribute"),
        ({"code": "ok", "name": "x", "measure": "activities", "generation": "youth"}, "generation"),
        ({"code": "activities", "name": "x", "measure": "activities"}, "code"),  # taken
    ],
)
def test_bad_indicators_are_refused(office, values, key):
    before = Indicator.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.indicator_save(by=office, **values)
    assert key in caught.value.message_dict
    assert Indicator.objects.count() == before


def test_kind_filter_only_for_activity_measures(office):
    with pytest.raises(ValidationError) as caught:
        services.indicator_save(
            by=office,
            code="watch_salons",
            name="x",
            measure=Measure.WATCHES_STARTED,
            activity_kind=kind("salon"),
        )
    assert "activity_kind" in caught.value.message_dict


def test_the_measure_of_an_indicator_with_targets_stays(office):
    services.targets_set(by=office, fiscal_year=YEAR, values={indicator("activities"): 3})
    with pytest.raises(ValidationError) as caught:
        services.indicator_save(
            by=office, indicator=indicator("activities"), measure=Measure.PARTICIPANTS
        )
    assert "measure" in caught.value.message_dict


def test_evaluation_is_kept_once_per_year_and_area(office):
    services.evaluation_write(by=office, fiscal_year=YEAR, text="サロンは目標どおり")
    services.evaluation_write(by=office, fiscal_year=YEAR, text="サロンは目標を超えた")
    assert selectors.evaluation(YEAR).text == "サロンは目標を超えた"
    with pytest.raises(ValidationError):
        services.evaluation_write(by=office, fiscal_year=YEAR, text="  ")


# ----------------------------------------------------------------------------------- pages


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_board_by_persona(login, personas, name, year_of_activities):
    client = login(personas[name])
    response = client.get(reverse("community:target_board"), {"year": YEAR})
    assert response.status_code == (200 if name in READERS else 403)
    if response.status_code == 200:
        body = response.content.decode()
        assert "地域づくり活動の回数" in body
        assert ('data-testid="targets-edit-link"' in body) == (name == "officer")


@pytest.mark.parametrize("name", [n for n in READERS if n != "officer"])
def test_non_office_get_403_with_the_rule(login, personas, name):
    client = login(personas[name])
    for route in ("community:targets_edit", "community:evaluation_edit"):
        response = client.post(reverse(route) + f"?year={YEAR}", {"target_activities": "5"})
        assert response.status_code == 403
        assert "成果目標の設定と評価は、自治体の事務局が行います。" in response.content.decode()
    assert not Target.objects.exists()


def test_office_sets_targets_on_the_page_once(login, personas, daily):
    client = login(personas["officer"])
    url = reverse("community:targets_edit") + f"?year={YEAR}&area={daily.pk}"
    page = client.get(url).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page)[1]
    refused = client.post(url, {"target_activities": "-3", "form_token": token})
    assert "0以上の整数" in refused.content.decode()
    data = {"target_activities": "24", "target_participants": "300", "form_token": token}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # the second click does nothing more
    assert dict(Target.objects.values_list("indicator__code", "value")) == {
        "activities": 24,
        "participants": 300,
    }
    assert AuditEvent.objects.filter(action="community.target_set").count() == 2
    board = client.get(reverse("community:target_board"), {"year": YEAR, "area": daily.pk})
    assert "24回" in board.content.decode()


def test_office_writes_the_evaluation(login, personas):
    client = login(personas["officer"])
    url = reverse("community:evaluation_edit") + f"?year={YEAR}"
    assert client.post(url, {"text": ""}).status_code == 200
    assert client.post(url, {"text": "子ども食堂が増えた"}).status_code == 302
    board = client.get(reverse("community:target_board"), {"year": YEAR})
    assert "子ども食堂が増えた" in board.content.decode()


def test_board_exports_excel(login, personas, year_of_activities):
    client = login(personas["community"])
    response = client.get(reverse("community:target_board"), {"year": YEAR, "export": "xlsx"})
    assert f"targets_{YEAR}.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(body(response)))["成果目標と実績"]
    assert sheet.freeze_panes == "B3" and "成果目標と実績" in sheet["A1"].value
    assert sheet["A2"].value == "指標" and sheet["A2"].font.bold
    names = [sheet.cell(row=r, column=1).value for r in range(3, sheet.max_row + 1)]
    assert "地域づくり活動の回数" in names
    row = names.index("地域づくり活動の回数") + 3
    assert sheet.cell(row=row, column=4).value == 4


def test_indicator_pages(login, personas):
    office = login(personas["officer"])
    assert office.get(reverse("community:indicator_list")).status_code == 200
    response = office.post(
        reverse("community:indicator_create"),
        {
            "code": "kodomo_meals",
            "name": "子ども食堂の参加者",
            "measure": "participants",
            "activity_kind": str(kind("kodomo_shokudo").pk),
            "generation": "children",
            "unit": "人",
            "sort_order": "5",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert indicator("kodomo_meals").generation == "children"
    desk = login(personas["desk"])
    assert desk.get(reverse("community:indicator_create")).status_code == 403


# ------------------------------------------------------------------------------------- API


def put(client, route, data):
    return client.put(f"{API}{route}", json.dumps(data), content_type="application/json")


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_api_board_by_persona(login, personas, name, year_of_activities):
    response = login(personas[name]).get(f"{API}/community/targets", {"fiscal_year": YEAR})
    assert response.status_code == (200 if name in READERS else 403)
    if response.status_code == 200:
        rows = {r["indicator"]["code"]: r for r in response.json()["rows"]}
        assert rows["activities"]["actual"] == 4
        assert rows["activities"]["by_month"][:3] == [1, 1, 2]


def test_api_sets_targets_for_the_office_only(login, personas):
    body = {"fiscal_year": YEAR, "targets": {"activities": 40}}
    assert put(login(personas["community"]), "/community/targets", body).status_code == 403
    office = login(personas["officer"])
    answer = put(office, "/community/targets", body)
    assert answer.status_code == 200
    rows = {r["indicator"]["code"]: r for r in answer.json()["rows"]}
    assert rows["activities"]["target"] == 40
    bad = put(office, "/community/targets", {"fiscal_year": YEAR, "targets": {"nope": 1}})
    assert bad.status_code == 422 and "targets.nope" in bad.json()["errors"]
    negative = put(
        office, "/community/targets", {"fiscal_year": YEAR, "targets": {"activities": -1}}
    )
    assert negative.status_code == 422
    evaluation = put(
        office, "/community/targets/evaluation", {"fiscal_year": YEAR, "text": "見直す"}
    )
    assert evaluation.json()["evaluation"]["text"] == "見直す"


def test_api_indicators(login, personas):
    office = login(personas["officer"])
    created = office.post(
        f"{API}/community/indicators",
        json.dumps(
            {
                "code": "youth",
                "name": "若者の参加",
                "measure": "participants",
                "generation": "youth",
                "unit": "人",
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    refused = office.post(
        f"{API}/community/indicators",
        json.dumps({"code": "x", "name": "x", "measure": "activities", "activity_kind": "zzz"}),
        content_type="application/json",
    )
    assert refused.status_code == 422
    listed = login(personas["desk"]).get(f"{API}/community/indicators").json()
    assert "youth" in {i["code"] for i in listed}
