from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsunagu.common.wareki import (
    ERAS,
    MAX_DATE,
    MIN_DATE,
    Era,
    WarekiError,
    age_on,
    era_for,
    format_era_year,
    format_seireki_with_wareki,
    format_wareki,
    format_wareki_short,
    format_wareki_with_seireki,
    lookup_era,
    normalize_input,
    parse_date,
    wareki_year,
)

S55_3_1 = date(1980, 3, 1)


# --- accepted formats -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("昭和55年3月1日", S55_3_1),
        ("昭和55年3月1", S55_3_1),
        ("昭和55年03月01日", S55_3_1),
        ("S55.3.1", S55_3_1),
        ("s55/3/1", S55_3_1),
        ("S55-03-01", S55_3_1),
        ("S55 3 1", S55_3_1),
        ("S550301", S55_3_1),
        ("s550301", S55_3_1),
        ("昭55.3.1", S55_3_1),
        ("昭55年3月1日", S55_3_1),
        ("S55年3月1日", S55_3_1),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("令和1年5月1日", date(2019, 5, 1)),
        ("R元.5.1", date(2019, 5, 1)),
        ("r1.5.1", date(2019, 5, 1)),
        ("R7.4.1", date(2025, 4, 1)),
        ("令7.4.1", date(2025, 4, 1)),
        ("H31.4.30", date(2019, 4, 30)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("T15.12.24", date(1926, 12, 24)),
        ("大正元年7月30日", date(1912, 7, 30)),
        ("M6.1.1", date(1873, 1, 1)),
        ("明治6年1月1日", date(1873, 1, 1)),
        ("明45.7.29", date(1912, 7, 29)),
        ("1980-03-01", S55_3_1),
        ("1980-3-1", S55_3_1),
        ("1980/3/1", S55_3_1),
        ("1980/03/01", S55_3_1),
        ("1980.3.1", S55_3_1),
        ("1980年3月1日", S55_3_1),
        ("1980年3月1", S55_3_1),
        ("1980 3 1", S55_3_1),
        ("19800301", S55_3_1),
        ("1873-01-01", MIN_DATE),
        ("2200-12-31", MAX_DATE),
    ],
)
def test_parse_accepted_formats(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("昭和５５年３月１日", S55_3_1),
        ("Ｓ５５．３．１", S55_3_1),
        ("ｓ５５／３／１", S55_3_1),
        ("Ｓ５５－０３－０１", S55_3_1),
        ("Ｒ元．５．１", date(2019, 5, 1)),
        ("１９８０年３月１日", S55_3_1),
        ("１９８０－０３－０１", S55_3_1),
        ("１９８０／３／１", S55_3_1),
        ("１９８００３０１", S55_3_1),
        ("1980ー03ー01", S55_3_1),
        ("1980−03−01", S55_3_1),
        ("1980–03–01", S55_3_1),
        ("㍼55年3月1日", S55_3_1),
        ("㋿元年5月1日", date(2019, 5, 1)),
    ],
)
def test_parse_full_width_and_variants(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  昭和55年3月1日  ", S55_3_1),
        ("昭和 55 年 3 月 1 日", S55_3_1),
        ("昭和\u300055年\u30003月\u30001日", S55_3_1),
        (" S 55 . 3 . 1 ", S55_3_1),
        ("\t1980 / 3 / 1\n", S55_3_1),
        ("1980 年 3 月 1 日", S55_3_1),
    ],
)
def test_parse_spaces(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("昭和五十五年三月一日", S55_3_1),
        ("令和七年四月一日", date(2025, 4, 1)),
        ("令和元年五月一日", date(2019, 5, 1)),
        ("令和十年十月十日", date(2028, 10, 10)),
        ("令和七年十二月三十一日", date(2025, 12, 31)),
        ("平成二十年二月二十九日", date(2008, 2, 29)),
        ("昭和六十四年一月七日", date(1989, 1, 7)),
        ("明治四十五年七月二十九日", date(1912, 7, 29)),
        ("二〇二五年四月一日", date(2025, 4, 1)),
        ("二○二五年四月一日", date(2025, 4, 1)),
        ("一九八〇年三月一日", S55_3_1),
        ("千九百八十年三月一日", S55_3_1),
        ("二千二十五年四月一日", date(2025, 4, 1)),
        ("一九八〇年〇三月〇一日", S55_3_1),
        ("昭和五五年三月一日", S55_3_1),
    ],
)
def test_parse_kanji_numerals(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ｓ５５．３．１", "S55.3.1"),
        ("昭和 五十五 年", "昭和55年"),
        ("二〇二五", "2025"),
        ("十", "10"),
        ("二十", "20"),
        ("十一", "11"),
        ("百", "100"),
        ("1980 3 1", "1980 3 1"),
        ("1980　 3", "1980 3"),
    ],
)
def test_normalize_input(text: str, expected: str) -> None:
    assert normalize_input(text) == expected


# --- era boundaries ---------------------------------------------------------

BOUNDARIES = [
    # (last day of the earlier era, its wareki, first day of the next era, its wareki)
    (date(1912, 7, 29), "明治45年7月29日", date(1912, 7, 30), "大正元年7月30日"),
    (date(1926, 12, 24), "大正15年12月24日", date(1926, 12, 25), "昭和元年12月25日"),
    (date(1989, 1, 7), "昭和64年1月7日", date(1989, 1, 8), "平成元年1月8日"),
    (date(2019, 4, 30), "平成31年4月30日", date(2019, 5, 1), "令和元年5月1日"),
]


@pytest.mark.parametrize(("last", "last_text", "first", "first_text"), BOUNDARIES)
def test_boundary_format(last: date, last_text: str, first: date, first_text: str) -> None:
    assert format_wareki(last) == last_text
    assert format_wareki(first) == first_text


@pytest.mark.parametrize(("last", "last_text", "first", "first_text"), BOUNDARIES)
def test_boundary_parse(last: date, last_text: str, first: date, first_text: str) -> None:
    assert parse_date(last_text) == last
    assert parse_date(first_text) == first


@pytest.mark.parametrize(("last", "last_text", "first", "first_text"), BOUNDARIES)
def test_boundary_eras(last: date, last_text: str, first: date, first_text: str) -> None:
    earlier, later = era_for(last), era_for(first)
    assert earlier.end == last
    assert later.start == first
    assert ERAS.index(later) == ERAS.index(earlier) + 1
    assert last_text.startswith(earlier.name)
    assert first_text.startswith(later.name)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        # One day past the end of an era, written in that era.
        ("明治45年7月30日", "明治は明治45年7月29日まで。大正元年7月30日以降は大正で"),
        ("大正15年12月25日", "大正は大正15年12月24日まで。昭和元年12月25日以降は昭和で"),
        ("昭和64年1月8日", "昭和は昭和64年1月7日まで。平成元年1月8日以降は平成で"),
        ("平成31年5月1日", "平成は平成31年4月30日まで。令和元年5月1日以降は令和で"),
        ("H31.5.1", "平成は平成31年4月30日まで"),
        ("平成32年1月1日", "平成は平成31年4月30日まで"),
        # One day before the start of an era, written in that era.
        ("大正元年7月29日", "大正は大正元年7月30日から。明治45年7月29日以前は明治で"),
        ("昭和元年12月24日", "昭和は昭和元年12月25日から。大正15年12月24日以前は大正で"),
        ("平成元年1月7日", "平成は平成元年1月8日から。昭和64年1月7日以前は昭和で"),
        ("令和1年4月30日", "令和は令和元年5月1日から。平成31年4月30日以前は平成で"),
        ("R元.4.30", "令和は令和元年5月1日から"),
    ],
)
def test_reject_outside_era(text: str, fragment: str) -> None:
    with pytest.raises(WarekiError) as excinfo:
        parse_date(text)
    assert "は存在しません" in excinfo.value.message
    assert fragment in excinfo.value.message


def test_reject_outside_era_full_message() -> None:
    with pytest.raises(WarekiError) as excinfo:
        parse_date("平成31年5月1日")
    assert excinfo.value.message == (
        "平成31年5月1日は存在しません（平成は平成31年4月30日まで。"
        "令和元年5月1日以降は令和で入力してください）"
    )


# --- rejections -------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\u3000"])
def test_reject_empty(text: str) -> None:
    with pytest.raises(WarekiError) as excinfo:
        parse_date(text)
    assert excinfo.value.message == "日付が入力されていません"


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "昭和",
        "昭和55年",
        "昭和55年3月",
        "1980年3月",
        "1980-03",
        "1980/3-1",
        "X55.3.1",
        "慶応3年1月1日",
        "昭和55年3月1日生まれ",
        "198003011",
        "十十年",
        "2025-04-01T00:00",
    ],
)
def test_reject_unparseable(text: str) -> None:
    with pytest.raises(WarekiError) as excinfo:
        parse_date(text)
    message = excinfo.value.message
    assert "日付として読み取れません" in message
    assert "令和7年4月1日" in message
    assert "2025-04-01" in message


def test_wareki_error_is_value_error() -> None:
    with pytest.raises(ValueError, match="読み取れません"):
        parse_date("abc")


@pytest.mark.parametrize("text", ["令和0年5月1日", "R0.5.1", "昭和0年1月1日", "R000501"])
def test_reject_era_year_zero(text: str) -> None:
    with pytest.raises(WarekiError) as excinfo:
        parse_date(text)
    assert "0年は存在しません" in excinfo.value.message
    assert "元年" in excinfo.value.message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2023年2月29日", "2023年2月は28日までです"),
        ("令和5年2月29日", "2023年2月は28日までです"),
        ("令和6年2月30日", "2024年2月は29日までです"),
        ("2月30日", None),
        ("2025-02-30", "2025年2月は28日までです"),
        ("2025-04-31", "2025年4月は30日までです"),
        ("R7.4.31", "2025年4月は30日までです"),
        ("R7.4.0", "2025年4月は30日までです"),
        ("1900-02-29", "1900年2月は28日までです"),
        ("R7.13.1", "月は1〜12で入力してください"),
        ("2025-00-10", "月は1〜12で入力してください"),
        ("20251301", "月は1〜12で入力してください"),
    ],
)
def test_reject_invalid_month_day(text: str, fragment: str | None) -> None:
    with pytest.raises(WarekiError) as excinfo:
        parse_date(text)
    if fragment is not None:
        assert "は存在しません" in excinfo.value.message
        assert fragment in excinfo.value.message


def test_reject_nonexistent_date_message() -> None:
    with pytest.raises(WarekiError) as excinfo:
        parse_date("令和5年2月29日")
    assert excinfo.value.message == "令和5年2月29日は存在しません（2023年2月は28日までです）"


def test_accept_leap_days() -> None:
    assert parse_date("令和6年2月29日") == date(2024, 2, 29)
    assert parse_date("2000-02-29") == date(2000, 2, 29)


@pytest.mark.parametrize("text", ["80/3/1", "80.3.1", "80-03-01", "80年3月1日", "800301", "5.4.1"])
def test_reject_short_western_year(text: str) -> None:
    with pytest.raises(WarekiError) as excinfo:
        parse_date(text)
    message = excinfo.value.message
    assert "どの年か判断できません" in message
    assert "西暦は4桁" in message
    assert "元号" in message


@pytest.mark.parametrize("text", ["1872-12-31", "1868/10/23", "18000101", "0999年1月1日"])
def test_reject_before_1873(text: str) -> None:
    with pytest.raises(WarekiError) as excinfo:
        parse_date(text)
    assert "1873年（明治6年）1月1日より前" in excinfo.value.message
    assert "旧暦" in excinfo.value.message


@pytest.mark.parametrize(
    "text", ["明治5年12月2日", "明治元年10月23日", "M5.1.1", "明治5年12月31日"]
)
def test_reject_meiji_lunar(text: str) -> None:
    with pytest.raises(WarekiError) as excinfo:
        parse_date(text)
    message = excinfo.value.message
    assert "旧暦" in message
    assert "明治6年1月1日（1873年1月1日）以降" in message


@pytest.mark.parametrize("text", ["2201-01-01", "22010101", "令和183年1月1日", "9999/12/31"])
def test_reject_after_2200(text: str) -> None:
    with pytest.raises(WarekiError) as excinfo:
        parse_date(text)
    assert excinfo.value.message == "2200年より後の日付は入力できません"


def test_accept_reiwa_until_2200() -> None:
    assert parse_date("令和182年12月31日") == date(2200, 12, 31)


# --- formatting -------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2025, 4, 1), "令和7年4月1日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 12, 31), "令和元年12月31日"),
        (date(2020, 1, 1), "令和2年1月1日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1980, 3, 1), "昭和55年3月1日"),
        (date(1926, 12, 31), "昭和元年12月31日"),
        (date(1927, 1, 1), "昭和2年1月1日"),
        (date(1912, 12, 31), "大正元年12月31日"),
        (date(1873, 1, 1), "明治6年1月1日"),
    ],
)
def test_format_wareki(d: date, expected: str) -> None:
    assert format_wareki(d) == expected


def test_format_wareki_without_gannen() -> None:
    assert format_wareki(date(2019, 5, 1), gannen=False) == "令和1年5月1日"
    assert format_wareki(date(2020, 5, 1), gannen=False) == "令和2年5月1日"
    assert format_wareki_with_seireki(date(2019, 5, 1), gannen=False) == "令和1年5月1日（2019年）"
    assert format_seireki_with_wareki(date(2019, 5, 1), gannen=False) == "2019年5月1日（令和1年）"


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2025, 4, 1), "令和7年4月1日（2025年）"),
        (date(2019, 5, 1), "令和元年5月1日（2019年）"),
        (date(2019, 4, 30), "平成31年4月30日（2019年）"),
    ],
)
def test_format_wareki_with_seireki(d: date, expected: str) -> None:
    assert format_wareki_with_seireki(d) == expected


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2025, 4, 1), "2025年4月1日（令和7年）"),
        (date(2019, 5, 1), "2019年5月1日（令和元年）"),
        (date(1989, 1, 7), "1989年1月7日（昭和64年）"),
    ],
)
def test_format_seireki_with_wareki(d: date, expected: str) -> None:
    assert format_seireki_with_wareki(d) == expected


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2025, 4, 1), "R7.4.1"),
        (date(2019, 5, 1), "R1.5.1"),
        (date(2019, 4, 30), "H31.4.30"),
        (date(1989, 1, 8), "H1.1.8"),
        (date(1989, 1, 7), "S64.1.7"),
        (date(1926, 12, 25), "S1.12.25"),
        (date(1926, 12, 24), "T15.12.24"),
        (date(1912, 7, 30), "T1.7.30"),
        (date(1912, 7, 29), "M45.7.29"),
        (date(1873, 1, 1), "M6.1.1"),
    ],
)
def test_format_wareki_short(d: date, expected: str) -> None:
    assert format_wareki_short(d) == expected
    assert parse_date(expected) == d


@pytest.mark.parametrize("d", [date(1872, 12, 31), date(1868, 10, 23), date(1, 1, 1)])
def test_format_rejects_lunar_calendar_dates(d: date) -> None:
    with pytest.raises(WarekiError) as excinfo:
        format_wareki(d)
    assert "旧暦" in excinfo.value.message


def test_era_table() -> None:
    assert [(e.name, e.letter, e.start) for e in ERAS] == [
        ("明治", "M", date(1868, 10, 23)),
        ("大正", "T", date(1912, 7, 30)),
        ("昭和", "S", date(1926, 12, 25)),
        ("平成", "H", date(1989, 1, 8)),
        ("令和", "R", date(2019, 5, 1)),
    ]
    for earlier, later in pairwise(ERAS):
        assert earlier.end == later.start - timedelta(days=1)
    assert ERAS[-1].end is None


def test_era_for_and_wareki_year() -> None:
    era = era_for(date(2025, 4, 1))
    assert isinstance(era, Era)
    assert (era.name, era.letter, era.start, era.end) == ("令和", "R", date(2019, 5, 1), None)
    assert wareki_year(date(2025, 4, 1)) == (era, 7)
    assert wareki_year(date(2019, 5, 1)) == (era, 1)
    heisei, year = wareki_year(date(2019, 4, 30))
    assert (heisei.name, year) == ("平成", 31)
    assert era_for(MIN_DATE).name == "明治"


@pytest.mark.parametrize(
    ("token", "name"),
    [("令和", "令和"), ("令", "令和"), ("R", "令和"), ("r", "令和"), ("S", "昭和"), ("m", "明治")],
)
def test_lookup_era(token: str, name: str) -> None:
    assert lookup_era(token).name == name


def test_lookup_era_unknown() -> None:
    with pytest.raises(WarekiError, match="元号として認識できません"):
        lookup_era("慶応")


def test_format_era_year() -> None:
    reiwa = lookup_era("令和")
    assert format_era_year(reiwa, 1) == "令和元年"
    assert format_era_year(reiwa, 1, gannen=False) == "令和1年"
    assert format_era_year(reiwa, 7) == "令和7年"


# --- age --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "on", "expected"),
    [
        (date(1980, 3, 1), date(1980, 3, 1), 0),
        (date(1980, 3, 1), date(2025, 2, 28), 44),
        (date(1980, 3, 1), date(2025, 3, 1), 45),
        (date(1980, 3, 1), date(2025, 12, 31), 45),
        (date(2000, 2, 29), date(2001, 2, 28), 0),
        (date(2000, 2, 29), date(2001, 3, 1), 1),
        (date(2000, 2, 29), date(2004, 2, 28), 3),
        (date(2000, 2, 29), date(2004, 2, 29), 4),
        (date(2000, 2, 29), date(2025, 2, 28), 24),
        (date(2000, 2, 29), date(2025, 3, 1), 25),
        (date(1999, 12, 31), date(2000, 1, 1), 0),
    ],
)
def test_age_on(birth: date, on: date, expected: int) -> None:
    assert age_on(birth, on) == expected


def test_age_on_rejects_reference_before_birth() -> None:
    with pytest.raises(WarekiError, match="基準日が生年月日より前"):
        age_on(date(2000, 1, 2), date(2000, 1, 1))


# --- properties -------------------------------------------------------------

supported_dates = st.dates(min_value=date(1873, 1, 1), max_value=date(2100, 12, 31))

_KANJI = "〇一二三四五六七八九"


def _to_kanji(n: int) -> str:
    """Write 1..99 with 十 (五十五) and larger numbers digit by digit (二〇二五)."""
    if n >= 100:
        return "".join(_KANJI[int(c)] for c in str(n))
    tens, ones = divmod(n, 10)
    prefix = ("" if tens == 1 else _KANJI[tens]) + "十" if tens else ""
    return prefix + (_KANJI[ones] if ones else "")


@given(supported_dates)
def test_format_wareki_round_trip(d: date) -> None:
    assert parse_date(format_wareki(d)) == d
    assert parse_date(format_wareki(d, gannen=False)) == d


@given(supported_dates)
def test_format_wareki_short_round_trip(d: date) -> None:
    assert parse_date(format_wareki_short(d)) == d
    assert parse_date(format_wareki_short(d).lower()) == d


@given(supported_dates)
def test_kanji_and_full_width_round_trip(d: date) -> None:
    era, year = wareki_year(d)
    kanji = f"{era.name}{_to_kanji(year)}年{_to_kanji(d.month)}月{_to_kanji(d.day)}日"
    assert parse_date(kanji) == d
    full_width = format_wareki_short(d).translate(
        str.maketrans("0123456789.MTSHR", "０１２３４５６７８９．ＭＴＳＨＲ")
    )
    assert parse_date(full_width) == d


@given(supported_dates)
def test_western_formats_round_trip(d: date) -> None:
    assert parse_date(d.isoformat()) == d
    assert parse_date(d.strftime("%Y%m%d")) == d
    assert parse_date(f"{d.year}/{d.month}/{d.day}") == d
    assert parse_date(f"{d.year}年{d.month}月{d.day}日") == d
    assert parse_date(f"{_to_kanji(d.year)}年{_to_kanji(d.month)}月{_to_kanji(d.day)}日") == d


@given(supported_dates)
def test_era_contains_date(d: date) -> None:
    era, year = wareki_year(d)
    assert era.contains(d)
    assert year >= 1
    assert era.gregorian_year(year) == d.year
