"""Consistency checks for the demo roster (pure data, no Django)."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from tsunagu.demo import roster

AREA_BY_CODE = {a.code: a for a in roster.AREAS}
AGENCY_BY_CODE = {a.code: a for a in roster.AGENCIES}
SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
PHONE = re.compile(r"^058-2\d{2}-\d{4}$")

# The issue categories of the domain specification (§7).
SPEC_CATEGORIES = (
    "高齢・介護",
    "障害",
    "子ども・子育て",
    "生活困窮・経済",
    "債務",
    "就労",
    "住まい",
    "健康・医療",
    "精神保健",
    "依存症",
    "ひきこもり",
    "8050問題",
    "ダブルケア",
    "ヤングケアラー",
    "虐待",
    "DV",
    "自殺念慮",
    "セルフネグレクト・ごみ屋敷",
    "孤独・孤立",
    "外国籍・言語",
    "不登校",
    "刑余者",
    "その他",
)


def _areas(kind: str) -> list[roster.Area]:
    return [a for a in roster.AREAS if a.kind == kind]


# --- areas -----------------------------------------------------------------------------------


def test_area_codes_unique_and_slugs() -> None:
    codes = [a.code for a in roster.AREAS]
    assert len(codes) == len(set(codes))
    assert all(SLUG.match(c) for c in codes)


def test_area_names_unique() -> None:
    names = [a.name for a in roster.AREAS]
    assert len(names) == len(set(names))


def test_area_kinds_are_known() -> None:
    assert {a.kind for a in roster.AREAS} <= set(roster.AREA_KIND_LABELS)


def test_area_parents_exist() -> None:
    for area in roster.AREAS:
        if area.parent is not None:
            assert area.parent in AREA_BY_CODE, area.code


@pytest.mark.parametrize(
    ("kind", "count"),
    [("city", 1), ("daily_life", 19), ("disability", 4), ("health", 3), ("district", 50)],
)
def test_area_counts(kind: str, count: int) -> None:
    assert len(_areas(kind)) == count


def test_city_is_the_root() -> None:
    (city,) = _areas("city")
    assert city.parent is None
    assert city.code == roster.CITY_AREA_CODE
    for kind in ("daily_life", "disability", "health"):
        assert all(a.parent == city.code for a in _areas(kind))


def test_every_district_is_under_a_daily_life_area() -> None:
    for district in _areas("district"):
        assert AREA_BY_CODE[district.parent].kind == "daily_life", district.code


def test_every_daily_life_area_has_two_to_four_districts() -> None:
    per_area = Counter(d.parent for d in _areas("district"))
    for area in _areas("daily_life"):
        assert 2 <= per_area[area.code] <= 4, area.code


def test_overlays_cover_every_daily_life_area() -> None:
    daily_life = {a.code for a in _areas("daily_life")}
    assert set(roster.DAILY_LIFE_OVERLAYS) == daily_life
    used_disability = set()
    used_health = set()
    for disability, health in roster.DAILY_LIFE_OVERLAYS.values():
        assert AREA_BY_CODE[disability].kind == "disability"
        assert AREA_BY_CODE[health].kind == "health"
        used_disability.add(disability)
        used_health.add(health)
    assert used_disability == {a.code for a in _areas("disability")}
    assert used_health == {a.code for a in _areas("health")}


def test_towns_for_every_daily_life_area() -> None:
    assert set(roster.TOWNS) == {a.code for a in _areas("daily_life")}
    for code, towns in roster.TOWNS.items():
        assert 3 <= len(towns) <= 6, code
        assert len(towns) == len(set(towns)), code


# --- agencies --------------------------------------------------------------------------------


def test_agency_codes_unique_and_slugs() -> None:
    codes = [a.code for a in roster.AGENCIES]
    assert len(codes) == len(set(codes))
    assert all(SLUG.match(c) for c in codes)


def test_agency_names_unique() -> None:
    names = [a.name for a in roster.AGENCIES]
    assert len(names) == len(set(names))


KATAKANA_READING = re.compile(r"^[ァ-ヴー]+$")


def test_every_agency_has_a_katakana_reading() -> None:
    for agency in roster.AGENCIES:
        assert KATAKANA_READING.match(agency.name_kana), (agency.code, agency.name_kana)


@pytest.mark.parametrize(
    ("code", "reading"),
    [
        ("houkatsu_chuo", "チイキホウカツシエンセンターチュウオウ"),
        ("houkatsu_yanaizu", "チイキホウカツシエンセンターヤナイヅ"),
        ("kikan_sat_north", "キカンソウダンシエンサテライトホクブ"),
        ("hoken_naka", "ナカホケンセンター"),
        ("juso_suishin", "ジュウソウテキシエンスイシンシツ"),
        ("hikikomori_soudan", "ヒキコモリソウダンシツ"),
    ],
)
def test_agency_readings_read_the_name(code: str, reading: str) -> None:
    assert AGENCY_BY_CODE[code].name_kana == reading


def test_agency_areas_exist() -> None:
    for agency in roster.AGENCIES:
        assert agency.area in AREA_BY_CODE, agency.code


def test_agency_vocabularies() -> None:
    for agency in roster.AGENCIES:
        assert agency.field in roster.FIELD_LABELS, agency.code
        assert agency.operation in roster.OPERATION_LABELS, agency.code
        assert agency.site_count >= 1, agency.code
        assert agency.description, agency.code
        for role in agency.programs:
            program, is_mandatory, basis = role
            assert program in roster.PROGRAM_LABELS, agency.code
            assert isinstance(is_mandatory, bool)
            assert bool(basis) == is_mandatory, agency.code
        programs = [r.program for r in agency.programs]
        assert len(programs) == len(set(programs)), agency.code


def test_agency_contacts() -> None:
    phones = [a.phone for a in roster.AGENCIES]
    assert len(phones) == len(set(phones))
    for agency in roster.AGENCIES:
        assert PHONE.match(agency.phone), agency.code
        assert agency.address.startswith("岐阜市"), agency.code


def test_nineteen_houkatsu_centers_one_per_daily_life_area() -> None:
    centers = [a for a in roster.AGENCIES if a.name.startswith("地域包括支援センター")]
    assert len(centers) == 19
    assert {a.code for a in centers} == set(roster.HOUKATSU_CENTER_CODES)
    areas = [a.area for a in centers]
    assert len(set(areas)) == 19
    assert all(AREA_BY_CODE[code].kind == "daily_life" for code in areas)
    for center in centers:
        assert center.operation == "commissioned"
        assert center.section == "高齢福祉課"
        assert center.site_count == 1
        assert ("comprehensive_consultation", True, "【介護】地域包括支援センターの運営") in (
            center.programs
        )


def test_four_satellites_one_per_disability_area() -> None:
    satellites = [AGENCY_BY_CODE[c] for c in roster.KIKAN_SATELLITE_CODES]
    assert len(satellites) == 4
    assert {a.area for a in satellites} == {a.code for a in _areas("disability")}
    assert all(a.name.startswith("基幹相談支援サテライト") for a in satellites)


def test_three_health_centers_one_per_health_area() -> None:
    centers = [AGENCY_BY_CODE[c] for c in roster.HEALTH_CENTER_CODES]
    assert {a.name for a in centers} == {"中保健センター", "南保健センター", "北保健センター"}
    assert {a.area for a in centers} == {a.code for a in _areas("health")}


def test_mandatory_programs_are_all_covered() -> None:
    mandatory = {r.program for a in roster.AGENCIES for r in a.programs if r.is_mandatory}
    assert mandatory == set(roster.PROGRAM_LABELS)


def test_key_agencies() -> None:
    suishin = AGENCY_BY_CODE["juso_suishin"]
    assert suishin.name == "重層的支援推進室"
    assert suishin.operation == "direct"
    assert ("multi_agency", True, "多機関協働事業") in suishin.programs

    marugoto = AGENCY_BY_CODE["marugoto"]
    assert marugoto.operation == "commissioned"
    assert {r.program for r in marugoto.programs} == {"multi_agency", "outreach", "participation"}
    assert all(r.is_mandatory for r in marugoto.programs)

    coordinator = AGENCY_BY_CODE["chiikifukushi_co"]
    assert coordinator.site_count == 50
    assert coordinator.area == roster.CITY_AREA_CODE

    policy = AGENCY_BY_CODE["fukushiseisaku_ka"]
    assert (policy.field, policy.operation) == ("other", "direct")

    minsei = AGENCY_BY_CODE["minsei_kyogikai"]
    assert minsei.name == "岐阜市民生委員・児童委員協議会"
    assert (minsei.field, minsei.operation, minsei.programs) == ("other", "subsidised", ())


# --- help desk -------------------------------------------------------------------------------


def test_issue_categories_match_the_specification() -> None:
    assert roster.ISSUE_CATEGORIES == SPEC_CATEGORIES


def test_every_category_has_a_route() -> None:
    assert set(roster.HELP_DESK_ROUTES) == set(SPEC_CATEGORIES)
    for theme, codes in roster.HELP_DESK_ROUTES.items():
        assert codes, theme
        assert len(codes) == len(set(codes)), theme


def test_every_help_desk_agency_exists() -> None:
    for theme, codes in roster.HELP_DESK_ROUTES.items():
        for code in codes:
            assert code in AGENCY_BY_CODE, (theme, code)


def test_elderly_route_reaches_every_houkatsu_center() -> None:
    route = roster.HELP_DESK_ROUTES["高齢・介護"]
    assert set(roster.HOUKATSU_CENTER_CODES) <= set(route)
    assert "koureifukushi_ka" in route
