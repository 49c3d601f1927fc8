from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsunagu.common.fiscal import (
    FISCAL_YEAR_ERA_OVERRIDES,
    MAX_FISCAL_YEAR,
    MIN_FISCAL_YEAR,
    fiscal_quarter,
    fiscal_year,
    fiscal_year_label,
    fiscal_year_label_with_seireki,
    fiscal_year_range,
    parse_fiscal_year,
)
from tsunagu.common.wareki import WarekiError


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2025, 3, 31), 2024),
        (date(2025, 4, 1), 2025),
        (date(2025, 12, 31), 2025),
        (date(2026, 1, 1), 2025),
        (date(2026, 3, 31), 2025),
        (date(2026, 4, 1), 2026),
        (date(2019, 4, 30), 2019),
        (date(2019, 5, 1), 2019),
        (date(1989, 1, 7), 1988),
        (date(1989, 1, 8), 1988),
        (date(1989, 4, 1), 1989),
    ],
)
def test_fiscal_year(d: date, expected: int) -> None:
    assert fiscal_year(d) == expected


@pytest.mark.parametrize(
    ("fy", "expected"),
    [
        (2025, (date(2025, 4, 1), date(2026, 3, 31))),
        (2019, (date(2019, 4, 1), date(2020, 3, 31))),
        (2023, (date(2023, 4, 1), date(2024, 3, 31))),
    ],
)
def test_fiscal_year_range(fy: int, expected: tuple[date, date]) -> None:
    assert fiscal_year_range(fy) == expected


@pytest.mark.parametrize(
    ("month", "quarter"),
    [
        (4, 1),
        (5, 1),
        (6, 1),
        (7, 2),
        (8, 2),
        (9, 2),
        (10, 3),
        (11, 3),
        (12, 3),
        (1, 4),
        (2, 4),
        (3, 4),
    ],
)
def test_fiscal_quarter(month: int, quarter: int) -> None:
    assert fiscal_quarter(date(2025, month, 15)) == quarter


def test_fiscal_quarter_edges() -> None:
    assert fiscal_quarter(date(2025, 3, 31)) == 4
    assert fiscal_quarter(date(2025, 4, 1)) == 1
    assert fiscal_quarter(date(2025, 6, 30)) == 1
    assert fiscal_quarter(date(2025, 7, 1)) == 2


@pytest.mark.parametrize(
    ("fy", "label"),
    [
        (1873, "明治6年度"),
        (1911, "明治44年度"),
        (1913, "大正2年度"),
        (1926, "大正15年度"),
        (1927, "昭和2年度"),
        (1988, "昭和63年度"),
        (1989, "平成元年度"),
        (1990, "平成2年度"),
        (2018, "平成30年度"),
        (2019, "令和元年度"),
        (2020, "令和2年度"),
        (2025, "令和7年度"),
    ],
)
def test_fiscal_year_label(fy: int, label: str) -> None:
    assert fiscal_year_label(fy) == label


def test_fiscal_year_label_without_gannen() -> None:
    assert fiscal_year_label(2019, gannen=False) == "令和1年度"
    assert fiscal_year_label(1989, gannen=False) == "平成1年度"


def test_fiscal_year_label_override_table() -> None:
    assert dict(FISCAL_YEAR_ERA_OVERRIDES) == {2019: "令和"}
    with pytest.raises(TypeError):
        FISCAL_YEAR_ERA_OVERRIDES[2020] = "令和"  # type: ignore[index]


@pytest.mark.parametrize(
    ("fy", "label"),
    [
        (2025, "令和7年度（2025年度）"),
        (2019, "令和元年度（2019年度）"),
        (1989, "平成元年度（1989年度）"),
        (1988, "昭和63年度（1988年度）"),
    ],
)
def test_fiscal_year_label_with_seireki(fy: int, label: str) -> None:
    assert fiscal_year_label_with_seireki(fy) == label


def test_fiscal_year_label_rejects_lunar_years() -> None:
    with pytest.raises(WarekiError, match="旧暦"):
        fiscal_year_label(1872)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和7年度", 2025),
        ("令和7", 2025),
        ("R7", 2025),
        ("r7", 2025),
        ("R7年度", 2025),
        ("令7", 2025),
        ("令和元年度", 2019),
        ("R元", 2019),
        ("R1", 2019),
        ("平成31年度", 2019),
        ("H31", 2019),
        ("平成元年度", 1989),
        ("昭和63年度", 1988),
        ("S63", 1988),
        ("昭和元年度", 1926),
        ("大正15年度", 1926),
        ("明治6年度", 1873),
        ("2025", 2025),
        ("2025年度", 2025),
        ("FY2025", 2025),
        ("２０２５", 2025),
        ("２０２５年度", 2025),
        ("令和７年度", 2025),
        ("Ｒ７", 2025),
        ("令和七年度", 2025),
        ("令和元", 2019),
        ("平成三十年度", 2018),
        ("二〇二五年度", 2025),
        ("  令和 7 年度 ", 2025),
        ("1873", 1873),
        ("2200", 2200),
    ],
)
def test_parse_fiscal_year(text: str, expected: int) -> None:
    assert parse_fiscal_year(text) == expected


@pytest.mark.parametrize("text", ["", "  "])
def test_parse_fiscal_year_rejects_empty(text: str) -> None:
    with pytest.raises(WarekiError) as excinfo:
        parse_fiscal_year(text)
    assert excinfo.value.message == "年度が入力されていません"


@pytest.mark.parametrize("text", ["abc", "令和", "2025-04", "令和7年", "2025年4月", "20250"])
def test_parse_fiscal_year_rejects_unparseable(text: str) -> None:
    with pytest.raises(WarekiError) as excinfo:
        parse_fiscal_year(text)
    assert "年度として読み取れません" in excinfo.value.message
    assert "令和7年度" in excinfo.value.message


@pytest.mark.parametrize("text", ["25", "25年度", "７"])
def test_parse_fiscal_year_rejects_short_year(text: str) -> None:
    with pytest.raises(WarekiError) as excinfo:
        parse_fiscal_year(text)
    assert "どの年度か判断できません" in excinfo.value.message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            "平成32年度",
            "平成32年度は存在しません（平成は平成31年4月30日まで。2020年度は令和2年度です）",
        ),
        (
            "昭和64年度",
            "昭和64年度は存在しません（昭和は昭和64年1月7日まで。1989年度は平成元年度です）",
        ),
        ("T16", "大正は大正15年12月24日まで"),
    ],
)
def test_parse_fiscal_year_rejects_outside_era(text: str, fragment: str) -> None:
    with pytest.raises(WarekiError) as excinfo:
        parse_fiscal_year(text)
    assert fragment in excinfo.value.message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("令和0年度", "令和0年度は存在しません"),
        ("1872", "旧暦"),
        ("明治5年度", "旧暦"),
        ("2201年度", "2200年度より後の年度は入力できません"),
        ("令和183年度", "2200年度より後の年度は入力できません"),
    ],
)
def test_parse_fiscal_year_rejects_out_of_range(text: str, fragment: str) -> None:
    with pytest.raises(WarekiError) as excinfo:
        parse_fiscal_year(text)
    assert fragment in excinfo.value.message


def test_supported_range() -> None:
    assert (MIN_FISCAL_YEAR, MAX_FISCAL_YEAR) == (1873, 2200)


fiscal_years = st.integers(min_value=MIN_FISCAL_YEAR, max_value=MAX_FISCAL_YEAR - 1)


@given(fiscal_years)
def test_label_round_trip(fy: int) -> None:
    assert parse_fiscal_year(fiscal_year_label(fy)) == fy
    assert parse_fiscal_year(fiscal_year_label(fy, gannen=False)) == fy
    assert parse_fiscal_year(str(fy)) == fy


@given(st.dates(min_value=date(1873, 4, 1), max_value=date(2100, 12, 31)))
def test_date_within_its_fiscal_year(d: date) -> None:
    start, end = fiscal_year_range(fiscal_year(d))
    assert start <= d <= end
    quarter = fiscal_quarter(d)
    assert 1 <= quarter <= 4
    assert fiscal_quarter(start) == 1
    assert fiscal_quarter(end) == 4
