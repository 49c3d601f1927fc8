"""ヘルプデスク: the agencies of the person's own 圏域 are suggested before other areas'."""

import pytest
from django.urls import reverse

from conftest import make_agency, make_persona
from tsunagu.accounts.models import Area, Role
from tsunagu.consultations import selectors
from tsunagu.consultations.models import HelpDeskRoute
from tsunagu.people import services as people_services


@pytest.fixture
def kita(city, agencies):
    """A second 日常生活圏域 (北) with its own 地域包括支援センター and a 地区 below it."""
    area = Area.objects.create(code="dl2", name="北圏域", kind="daily_life", parent=city)
    district = Area.objects.create(code="d21", name="岩野田地区", kind="district", parent=area)
    houkatsu = make_agency("houkatsu_kita", "地域包括支援センター北", area, "elderly")
    salon = make_agency("salon_kita", "岩野田ふれあいサロン", district)
    return {"area": area, "houkatsu": houkatsu, "salon": salon}


@pytest.fixture
def elderly_routes(agencies, categories, kita):
    """The table lists 中央 before 北 (as a city-wide table does: in the areas' order)."""
    care = categories["elderly_care"]
    HelpDeskRoute.objects.create(category=care, agency=agencies["houkatsu"], sort_order=0)
    HelpDeskRoute.objects.create(category=care, agency=kita["houkatsu"], sort_order=1)
    HelpDeskRoute.objects.create(category=care, agency=agencies["csw"], sort_order=2)
    HelpDeskRoute.objects.create(category=care, agency=kita["salon"], sort_order=3)
    HelpDeskRoute.objects.create(category=care, agency=agencies["policy"], sort_order=4)
    return care


@pytest.fixture
def kita_resident(kita):
    """Registered by the 北 center, as the residents of its area are."""
    worker = make_persona("kita_desk", kita["houkatsu"], Role.DESK_WORKER)
    return people_services.person_create(
        by=worker.user, name="北村 トメ", name_kana="キタムラ トメ"
    )


def codes(suggestions):
    return [agency.code for agency, _ in suggestions]


def test_own_area_first_and_other_areas_of_the_same_kind_last(elderly_routes, kita_resident):
    ranked = selectors.help_desk_suggestions(category_ids=[elderly_routes.pk], person=kita_resident)
    # 北 center and the 地区 agency under 北 first; 中央 (same kind, other area) last; the
    # city-wide desk in between
    assert codes(ranked) == ["houkatsu_kita", "salon_kita", "policy", "houkatsu", "csw"]


def test_household_area_counts_and_unknown_area_keeps_the_table_order(
    personas, elderly_routes, kita
):
    worker = make_persona("kita_desk", kita["houkatsu"], Role.DESK_WORKER)
    household = people_services.household_create(by=worker.user, label="北村世帯")
    ranked = selectors.help_desk_suggestions(category_ids=[elderly_routes.pk], household=household)
    assert codes(ranked)[:2] == ["houkatsu_kita", "salon_kita"]
    # registered by a city-wide desk: no area known, the table's order stands
    someone = people_services.person_create(
        by=personas["officer"].user, name="中村 一", name_kana="ナカムラ ハジメ"
    )
    assert codes(
        selectors.help_desk_suggestions(category_ids=[elderly_routes.pk], person=someone)
    ) == ["houkatsu", "houkatsu_kita", "csw", "salon_kita", "policy"]


def test_suggest_fragment_orders_by_the_persons_area(
    login, personas, elderly_routes, kita_resident
):
    client = login(personas["officer"])
    page = client.get(
        reverse("consultations:suggest"),
        {"categories": [elderly_routes.pk], "person": kita_resident.pk},
    ).content.decode()
    assert page.index("地域包括支援センター北") < page.index("地域包括支援センター中央")
    # the consultation form asks for suggestions about its person
    form = client.get(reverse("consultations:consultation_create"), {"person": kita_resident.pk})
    assert f"?person={kita_resident.pk}" in form.content.decode()
    # a person the user may not see answers 404
    response = login(personas["unrelated"]).get(
        reverse("consultations:suggest"),
        {"categories": [elderly_routes.pk], "person": kita_resident.pk},
    )
    assert response.status_code == 404


def test_api_suggestions_order_by_the_persons_area(login, personas, elderly_routes, kita_resident):
    url = "/api/v1/helpdesk/suggestions"
    client = login(personas["officer"])
    response = client.get(url, {"categories": "elderly_care", "person": kita_resident.pk})
    assert response.status_code == 200
    names = [row["agency_name"] for row in response.json()]
    assert names.index("地域包括支援センター北") < names.index("地域包括支援センター中央")
    response = login(personas["unrelated"]).get(
        url, {"categories": "elderly_care", "person": kita_resident.pk}
    )
    assert response.status_code == 404
