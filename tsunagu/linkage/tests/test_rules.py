"""The rules no weight of evidence overrides: a date of birth years apart vetoes a match,
the same name across generations in one household is held for a person, and a cluster is
never formed through a chain of records that contradict each other."""

import datetime

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tsunagu.linkage import rules
from tsunagu.linkage.batch import COLUMNS, _constrained_clusters, link
from tsunagu.linkage.tests.test_batch import _generator, _record


def _key(day: datetime.date) -> str:
    return day.strftime("%Y%m%d")


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("19520301", "19520301", "same"),
        ("19520301", "19520103", "day and month swapped"),
        ("19520301", "19520229", "one day apart"),  # across the end of a month
        ("19521231", "19530101", "one day apart"),
        ("19520301", "19530301", "one year apart"),
        ("19300301", "19930301", "era year"),  # 昭和5年 written for 平成5年
        ("19990301", "20290301", "era year"),  # 平成11年 / 令和11年
        ("19520301", "19620301", "one digit apart"),
        ("19520301", "19250301", "one digit apart"),  # 52 → 25: neighbours swapped
        ("19520301", "19520611", "different"),  # months apart: a sibling, not a slip
        ("19440501", "19720501", "years apart"),  # a father and his son
        ("19440501", "19450810", "years apart"),
        (None, "19440501", None),
        ("19440501", "", None),
    ],
)
def test_dob_levels(a, b, level):
    assert rules.dob_level(a, b) == level
    assert rules.dob_level(b, a) == level
    assert rules.vetoes(a, b) == (level in ("different", "years apart"))


def _slip(day: datetime.date, kind: int, other: datetime.date) -> str:
    text = _key(day)
    if kind == 0:
        return text
    if kind == 1 and day.day <= 12:
        return f"{text[:4]}{text[6:8]}{text[4:6]}"
    if kind == 2:
        return _key(day + datetime.timedelta(days=1))
    if kind == 3:
        return f"{day.year + 1:04d}{text[4:]}"
    if kind == 4:
        return f"{day.year + 63:04d}{text[4:]}"
    if kind == 5:
        return text[:5] + str((int(text[5]) + 3) % 10) + text[6:]
    return _key(other)


@settings(max_examples=300, deadline=None)
@given(
    day=st.dates(datetime.date(1900, 1, 1), datetime.date(2025, 12, 31)),
    other=st.dates(datetime.date(1900, 1, 1), datetime.date(2025, 12, 31)),
    kind=st.integers(0, 6),
)
def test_sql_levels_agree_with_the_python_rule(day, other, kind):
    """Splink reads the SQL levels, the lookup and the clustering the Python rule: they must
    give every pair the same level (the SQL as DuckDB runs it)."""
    left, right = _key(day), _slip(day, kind, other)
    if not rules.dob_days(right):
        return  # not a date (a slip to 31 February): the reader would have refused it
    cases = " ".join(f"WHEN {sql} THEN '{label}'" for sql, label in rules.dob_sql_levels()[:-1])
    sql = (
        f"SELECT CASE {cases} ELSE 'years apart' END FROM (SELECT ? AS dob_l, ? AS dob_r,"
        " ? AS dob_days_l, ? AS dob_days_r)"
    )
    (level,) = duckdb.execute(
        sql, [left, right, rules.dob_days(left), rules.dob_days(right)]
    ).fetchone()
    assert level == rules.dob_level(left, right)


@pytest.mark.parametrize(
    ("a", "b", "differ"),
    [
        ("結衣", "結依", True),  # twins named alike
        ("美咲", "美咲希", True),
        ("太郎", "太郎", False),
        ("陽菜", "陽奈", True),
        ("ゆい", "結衣", False),  # one written in kana: nothing to compare
        ("高木きよ", "高木キヨ", False),  # one name in two scripts
        ("森文", "森フミ", False),
        (None, "結衣", False),
    ],
)
def test_given_names_in_other_kanji(a, b, differ):
    assert rules.given_names_differ(a, b) is differ


def test_household_holds_the_same_name_across_generations():
    names = [("山田太郎", "ヤマダタロウ")] * 4 + [("山田花子", None)]
    households = [("今沢町1-2-3", "0582654141")] * 3 + [(None, "0582654141"), ("今沢町1-2-3", None)]
    dobs = ["19440501", "19720501", "19440501", None, "19470202"]
    holds = rules.household_holds(names, households, dobs)
    assert holds == {
        (0, 1): rules.HOLD_GENERATION,
        (1, 2): rules.HOLD_GENERATION,
        (0, 3): rules.HOLD_GENERATION_NO_DOB,
        (1, 3): rules.HOLD_GENERATION_NO_DOB,
        (2, 3): rules.HOLD_GENERATION_NO_DOB,
    }
    # one generation only: a record without a date of birth is nobody's to hold
    assert rules.household_holds(names[2:4], households[2:4], dobs[2:4]) == {}


def test_a_chain_does_not_join_records_that_contradict_each_other():
    # A≈B strongly, B≈C strongly, but A and C are years apart: C stays out.
    def conflict(i, j):
        return rules.HOLD_DOB_VETO if {i, j} == {0, 2} else None

    edges = [(0, 1, 0.999, 12.0), (1, 2, 0.995, 9.0), (2, 3, 0.998, 10.0)]
    cluster_of, best, refused = _constrained_clusters(4, edges, conflict)
    assert cluster_of[0] == cluster_of[1] != cluster_of[2] == cluster_of[3]
    assert refused == [(1, 2, 0.995, 9.0, rules.HOLD_CHAIN)]
    assert best == [0.999, 0.999, 0.998, 0.998]
    # a direct conflict is refused with its own reason
    _, _, refused = _constrained_clusters(3, [(0, 2, 0.999, 12.0)], conflict)
    assert refused == [(0, 2, 0.999, 12.0, rules.HOLD_DOB_VETO)]


#: An 8050 household: 山田 太郎 (born 1944) and his son 山田 太郎 (born 1972) at one address
#: and landline, each known to several agencies; a record of the father without a date of
#: birth; a woman whose date of birth one agency wrote with day and month swapped and another
#: left out; and twins 結衣 and 結依, both read ユイ, at one address and landline.
FAMILY = [
    _record(
        "kaigo",
        "F1",
        "山田 太郎",
        "ヤマダ タロウ",
        "1944-05-01",
        "男",
        "岐阜市今沢町1-2-3",
        "058-265-4141",
    ),
    _record(
        "seiho",
        "F2",
        "山田太郎",
        "やまだ たろう",
        "昭和19年5月1日",
        "1",
        "岐阜市今沢町一丁目二番三号",
        "",
    ),
    _record(
        "shogai",
        "S1",
        "山田 太郎",
        "ヤマダ タロウ",
        "1972-05-01",
        "男",
        "岐阜市今沢町1-2-3",
        "058-265-4141",
    ),
    _record(
        "seiho",
        "S2",
        "山田　太郎",
        "ﾔﾏﾀﾞ ﾀﾛｳ",
        "S47.5.1",
        "M",
        "岐阜市今沢町1丁目2番地3",
        "0582654141",
    ),
    _record(
        "hoken", "X1", "山田 太郎", "ヤマダ タロウ", "", "男", "岐阜市今沢町1-2-3", "058-265-4141"
    ),
    _record(
        "kaigo",
        "W1",
        "川端 美津子",
        "カワバタ ミツコ",
        "1958-03-11",
        "女",
        "岐阜市長良3-4-5",
        "058-231-0000",
    ),
    _record(
        "hoken", "W2", "川端 美津子", "カワバタ ミツコ", "1958-11-03", "女", "岐阜市長良3-4-5", ""
    ),
    _record(
        "shakyo", "W3", "川端美津子", "かわばた みつこ", "", "F", "岐阜市長良三丁目四番五号", ""
    ),
    _record(
        "kosodate",
        "Y1",
        "森 結衣",
        "モリ ユイ",
        "2019-06-02",
        "女",
        "岐阜市加納本町981",
        "058-320-5480",
    ),
    _record(
        "hoken",
        "Y2",
        "森 結依",
        "モリ ユイ",
        "2019-06-02",
        "女",
        "岐阜市加納本町981",
        "058-320-5480",
    ),
]


@pytest.fixture(scope="module")
def linked():
    rows, _ = _generator().generate(1000, seed=11)
    return link([dict(zip(COLUMNS, row, strict=True)) for row in rows] + FAMILY)


def test_a_father_and_his_son_of_one_name_are_never_merged(linked):
    clusters = {(c.source, c.record_id): c.cluster_id for c in linked.clusters}
    assert clusters["kaigo", "F1"] == clusters["seiho", "F2"]
    assert clusters["shogai", "S1"] == clusters["seiho", "S2"]
    assert clusters["kaigo", "F1"] != clusters["shogai", "S1"]
    # the record without a date of birth could be either: it joins neither
    assert clusters["hoken", "X1"] not in {clusters["kaigo", "F1"], clusters["shogai", "S1"]}
    held = {
        frozenset({p.record_id_l, p.record_id_r}): p.reason
        for p in linked.review_pairs
        if {p.record_id_l, p.record_id_r} <= {"F1", "F2", "S1", "S2", "X1"}
    }
    assert held[frozenset({"F1", "S1"})] == rules.HOLD_GENERATION
    assert held[frozenset({"X1", "S1"})] == rules.HOLD_GENERATION_NO_DOB
    assert set(held.values()) <= {rules.HOLD_GENERATION, rules.HOLD_GENERATION_NO_DOB}


def test_twins_named_alike_are_held_and_strict_mode_holds_a_record_without_birth(linked):
    clusters = {(c.source, c.record_id): c.cluster_id for c in linked.clusters}
    assert clusters["kosodate", "Y1"] != clusters["hoken", "Y2"]
    held = {
        frozenset({p.record_id_l, p.record_id_r}): p.reason
        for p in linked.review_pairs
        if {p.record_id_l, p.record_id_r} == {"Y1", "Y2"}
    }
    assert held == {frozenset({"Y1", "Y2"}): rules.HOLD_OTHER_GIVEN}
    # the same person's record without a date of birth joins by default …
    assert clusters["kaigo", "W1"] == clusters["shakyo", "W3"]


def test_strict_household_holds_every_pair_without_a_birth_date():
    rows, _ = _generator().generate(1000, seed=11)
    strict = link(
        [dict(zip(COLUMNS, row, strict=True)) for row in rows] + FAMILY, strict_household=True
    )
    clusters = {(c.source, c.record_id): c.cluster_id for c in strict.clusters}
    assert clusters["kaigo", "W1"] == clusters["hoken", "W2"]
    assert clusters["kaigo", "W1"] != clusters["shakyo", "W3"]
    reasons = {
        p.reason for p in strict.review_pairs if {p.record_id_l, p.record_id_r} == {"W1", "W3"}
    }
    assert reasons == {rules.HOLD_NO_DOB}


def test_a_date_with_day_and_month_swapped_still_links(linked):
    clusters = {(c.source, c.record_id): c.cluster_id for c in linked.clusters}
    assert clusters["kaigo", "W1"] == clusters["hoken", "W2"]


def test_no_cluster_holds_dates_of_birth_years_apart(linked):
    from tsunagu.linkage.batch import _dob_key

    rows, _ = _generator().generate(1000, seed=11)
    records = [dict(zip(COLUMNS, row, strict=True)) for row in rows] + FAMILY
    dob = {(r["source"], r["record_id"]): _dob_key(r["dob"]) for r in records}
    members: dict[str, list] = {}
    for c in linked.clusters:
        members.setdefault(c.cluster_id, []).append(dob[c.source, c.record_id])
    for dobs in members.values():
        known = [d for d in dobs if d]
        assert not any(rules.vetoes(a, b) for a in known for b in known)
