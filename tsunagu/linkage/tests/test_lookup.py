"""The real-time lookup: levels and weights as in the batch model, and indexed candidates."""

from __future__ import annotations

import datetime
import json

import pytest

from tsunagu.linkage import lookup, rules
from tsunagu.linkage.lookup import Probe, keys_of_probe, score
from tsunagu.people import services

TODAY = datetime.date(2026, 12, 1)
BIRTH = datetime.date(1980, 3, 1)


def scored(probe: Probe, other: Probe, *, population: int = 1_000_000, name_count: int = 1):
    return score(
        keys_of_probe(probe),
        keys_of_probe(other),
        population=population,
        name_count=name_count,
        today=TODAY,
    )


HANAKO = Probe(
    name="髙橋 花子",
    kana="タカハシ ハナコ",
    birth_date=BIRTH,
    sex="female",
    address="岐阜市司町40番地1 メゾン司201号室",
    phones=("058-265-4141",),
)


# --- levels ---------------------------------------------------------------------


def test_variant_kanji_hiragana_reading_and_address_forms_are_the_same_person():
    typed = Probe(
        name="高橋花子",
        kana="たかはし はなこ",
        birth_date=BIRTH,
        sex="female",
        address="岐阜県岐阜市司町四十番地一 メゾン司 201",
    )
    candidate = scored(typed, HANAKO)
    assert candidate.levels == {
        "name": "same name",
        "dob": "same",
        "sex": "same",
        "contact": "same address",
    }
    assert candidate.reasons == ["氏名が一致", "フリガナが一致", "生年月日が一致", "住所が一致"]
    assert candidate.probability > 0.999
    assert candidate.band == "高"


def test_loose_kanji_fold_counts_as_a_variant_not_as_the_same_name():
    saito = Probe(name="斉藤 一郎", kana="サイトウ イチロウ", birth_date=BIRTH, sex="male")
    other = Probe(name="斎藤 一郎", kana="", birth_date=BIRTH, sex="male")
    candidate = scored(saito, other)
    assert candidate.levels["name"] == "same reading or kanji variant"
    assert "氏名が異体字違いで一致（斉・斎など）" in candidate.reasons
    assert candidate.probability > 0.9
    exact = scored(saito, Probe(name="斉藤 一郎", birth_date=BIRTH, sex="male"))
    assert exact.match_weight > candidate.match_weight


def test_maiden_name_of_an_adult_woman_with_the_same_birth_date():
    married = Probe(name="佐藤 花子", kana="サトウ ハナコ", birth_date=BIRTH, sex="female")
    candidate = scored(married, HANAKO)
    assert candidate.levels["name"] == (
        "same given name, other family name (a woman's name before marriage)"
    )
    assert "名が一致・姓が異なる（旧姓の可能性）" in candidate.reasons
    assert candidate.probability >= lookup.MIN_PROBABILITY
    child = Probe(name="佐藤 花子", birth_date=datetime.date(2020, 5, 1), sex="female")
    same_child = Probe(name="髙橋 花子", birth_date=datetime.date(2020, 5, 1), sex="female")
    assert scored(child, same_child).levels["name"] == "different"


def test_birth_date_one_digit_apart_or_two_digits_swapped():
    for typo in (datetime.date(1980, 3, 7), datetime.date(1980, 3, 10), datetime.date(1908, 3, 1)):
        candidate = scored(Probe(name="髙橋 花子", birth_date=typo, sex="female"), HANAKO)
        assert candidate.levels["dob"] == "one digit apart", typo
        assert "生年月日が1桁違い" in candidate.reasons
        assert candidate.probability > 0.5
    far = scored(Probe(name="髙橋 花子", birth_date=datetime.date(1975, 8, 20)), HANAKO)
    assert far.levels["dob"] == "years apart"
    assert far.probability < lookup.MIN_PROBABILITY


def test_twin_in_the_same_household_is_not_a_candidate():
    sister = Probe(
        name="髙橋 恵子",
        kana="タカハシ ケイコ",
        birth_date=BIRTH,
        sex="female",
        address="岐阜市司町40-1 メゾン司201",
        phones=("0582654141",),
    )
    candidate = scored(sister, HANAKO)
    assert candidate.levels["contact"] == "same household, another given name"
    assert "同じ世帯の別の方の可能性" in candidate.reasons
    assert candidate.probability < lookup.MIN_PROBABILITY


def test_a_different_sex_weakens_but_does_not_hide_the_same_name_and_birth_date():
    typed = Probe(name="髙橋 花子", kana="タカハシ ハナコ", birth_date=BIRTH, sex="male")
    candidate = scored(typed, HANAKO)
    assert candidate.levels["sex"] == "different"
    assert "性別が異なる" in candidate.reasons
    assert candidate.probability > 0.5
    assert candidate.match_weight < scored(typed, typed).match_weight


def test_a_common_name_says_less_than_a_rare_one():
    probe = Probe(name="佐藤 花子", kana="サトウ ハナコ")
    rare = scored(probe, probe, name_count=1)
    common = scored(probe, probe, name_count=150)
    assert rare.match_weight - common.match_weight == pytest.approx(7.23, abs=0.01)  # log2 150
    # for an exact name the frequency and the prior cancel out: 1 in the bearers of the name
    assert scored(probe, probe, population=200_000).match_weight == pytest.approx(rare.match_weight)
    # other evidence weighs less in a larger register
    variant = Probe(name="佐藤 花子", birth_date=BIRTH)
    other = Probe(name="佐籐 花子", kana="サトウ ハナコ", birth_date=BIRTH)
    small, large = (scored(variant, other, population=n) for n in (200_000, 1_000_000))
    assert small.match_weight - large.match_weight == pytest.approx(2.32, abs=0.01)  # log2 5


def test_unknown_fields_are_no_evidence():
    candidate = scored(Probe(name="髙橋 花子"), Probe(name="髙橋 花子"))
    assert set(candidate.levels) == {"name"}
    assert candidate.reasons == ["氏名が一致"]


def test_the_model_file_holds_every_level_of_the_batch_comparisons():
    """The lookup and the batch linkage weigh the same levels (labels of batch._comparisons)."""
    from tsunagu.linkage.batch import _comparisons

    data = json.loads(lookup.MODEL_PATH.read_text(encoding="utf-8"))
    expected = {
        comparison.output_column_name: [
            level.label_for_charts
            for level in comparison.comparison_levels
            if not getattr(level, "is_null_level", False)
        ]
        for comparison in (c.get_comparison("duckdb") for c in _comparisons())
    }
    assert {k: [level["label"] for level in v] for k, v in data["comparisons"].items()} == expected
    for levels in data["comparisons"].values():
        for level in levels:
            assert 0 < level["m"] <= 1 and 0 < level["u"] <= 1
    labels = {label for labels in expected.values() for label in labels}
    produced = {level for (comparison, level) in lookup.model().weights}
    assert produced == labels


# --- candidates from the register ---------------------------------------------------


@pytest.fixture
def register(personas):
    by = personas["desk"].user

    def add(name, kana, birth_date=None, **fields):
        return services.person_create(
            by=by, name=name, name_kana=kana, birth_date=birth_date, **fields
        )

    return add


@pytest.mark.django_db
def test_lookup_finds_through_each_blocking_key(register):
    hanako = register("髙橋 花子", "タカハシ ハナコ", BIRTH, sex="female", address="岐阜市司町40-1")
    saito = register("斉藤 一郎", "サイトウ イチロウ", BIRTH, sex="male")
    register("髙橋 恵子", "タカハシ ケイコ", BIRTH, sex="female", address="岐阜市司町40-1")
    register("山田 太郎", "ヤマダ タロウ", datetime.date(1990, 1, 1), sex="male")

    def ids(probe):
        return [c.person_id for c in lookup.lookup(probe, today=TODAY).candidates]

    # name key (another date of birth typed), reading key (other kanji), loose key, birth date
    assert ids(Probe(name="高橋花子", birth_date=datetime.date(1980, 3, 10))) == [hanako.pk]
    assert ids(Probe(name="鷹橋 華子", kana="たかはし はなこ", birth_date=BIRTH)) == [hanako.pk]
    assert ids(Probe(name="斎藤 一郎", birth_date=BIRTH)) == [saito.pk]
    assert ids(Probe(name="佐藤 花子", kana="サトウ ハナコ", birth_date=BIRTH, sex="female")) == [
        hanako.pk
    ]
    assert ids(Probe(name="鈴木 次郎", kana="スズキ ジロウ", birth_date=BIRTH, sex="male")) == []


@pytest.mark.django_db
def test_lookup_orders_by_weight_and_skips_archived_persons(register):
    exact = register("田中 美咲", "タナカ ミサキ", BIRTH, sex="female")
    no_dob = register("田中 美咲", "タナカ ミサキ", None, sex="female")
    archived = register("田中 美咲", "タナカ ミサキ", BIRTH, sex="female")
    archived.is_archived = True
    archived.save(update_fields=["is_archived"])
    found = lookup.lookup(Probe(name="田中美咲", birth_date=BIRTH, sex="female"), today=TODAY)
    assert [c.person_id for c in found.candidates] == [exact.pk, no_dob.pk]
    assert found.candidates[0].probability > found.candidates[1].probability
    assert not found.common_name


@pytest.mark.django_db
def test_lookup_flags_a_name_shared_by_more_persons_than_it_reads(register, monkeypatch):
    monkeypatch.setattr(lookup, "BLOCK_CAP", 3)
    for day in range(1, 5):
        register("佐藤 花子", "サトウ ハナコ", datetime.date(1950, 1, day), sex="female")
    assert lookup.lookup(Probe(name="佐藤 花子"), today=TODAY).common_name
    dated = lookup.lookup(Probe(name="佐藤 花子", birth_date=datetime.date(1950, 1, 4)))
    assert not dated.common_name
    assert dated.candidates[0].levels["dob"] == "same"


@pytest.mark.django_db
def test_a_son_typed_at_intake_is_not_offered_as_his_father(register):
    """山田 太郎 (1944) is registered; his son of the same name (1972), same address and
    landline, is typed at the desk. The father is shown — below 中, with the reason — and
    the son, once registered, is the 高 candidate."""
    home = {"address": "岐阜市今沢町1-2-3", "phone": "058-265-4141", "sex": "male"}
    father = register("山田 太郎", "ヤマダ タロウ", datetime.date(1944, 5, 1), **home)
    son = Probe(
        name="山田 太郎",
        kana="ヤマダ タロウ",
        birth_date=datetime.date(1972, 5, 1),
        sex="male",
        address="岐阜市今沢町一丁目二番三号",
        phones=("0582654141",),
    )
    (shown,) = lookup.lookup(son, today=TODAY).candidates
    assert shown.person_id == father.pk
    assert shown.band == "低"
    assert shown.hold == rules.HOLD_GENERATION
    assert (
        shown.reasons[0] == "同一世帯・同名・生年月日が異なる（親子・きょうだいなど別の方の可能性）"
    )
    registered_son = register("山田 太郎", "ヤマダ タロウ", datetime.date(1972, 5, 1), **home)
    first, second = lookup.lookup(son, today=TODAY).candidates
    assert (first.person_id, first.band, first.hold) == (registered_son.pk, "高", "")
    assert (second.person_id, second.hold) == (father.pk, rules.HOLD_GENERATION)
    assert lookup.cautions(father, registered_son) == [rules.HOLD_GENERATION]
    assert lookup.cautions(registered_son, registered_son) == []


def test_twins_read_alike_and_an_undated_record_of_one_household_say_so():
    home = {"address": "岐阜市加納本町981", "phones": ("058-320-5480",), "sex": "female"}
    yui = keys_of_probe(
        Probe(name="森 結衣", kana="モリ ユイ", birth_date=datetime.date(2019, 6, 2), **home)
    )
    twin = keys_of_probe(
        Probe(name="森 結依", kana="モリ ユイ", birth_date=datetime.date(2019, 6, 2), **home)
    )
    candidate = score(twin, yui, population=100_000)
    assert candidate.hold == rules.HOLD_OTHER_GIVEN
    assert candidate.band == "中"
    assert candidate.reasons[0] == "同一世帯で名の漢字が異なる（双子・きょうだいの可能性）"
    undated = keys_of_probe(Probe(name="森 結衣", kana="モリ ユイ", **home))
    candidate = score(undated, yui, population=100_000)
    assert candidate.hold == rules.HOLD_NO_DOB
    assert candidate.band == "高"  # most often the same person: said, not hidden
    assert score(yui, yui, population=100_000).hold == ""


@pytest.mark.django_db
def test_keys_are_stored_when_a_person_is_registered(register):
    person = register(
        "齊藤 龍", "サイトウ リュウ", BIRTH, address="岐阜市今沢町十八番地", phone="058-265-4141"
    )
    person.refresh_from_db()
    assert person.key_name_loose == "斎藤竜"
    assert person.key_address == "岐阜市今沢町18"
    assert person.key_phones == "0582654141"


def test_lookup_without_a_name_or_reading_asks_nothing(django_assert_num_queries, db):
    with django_assert_num_queries(0):
        assert lookup.lookup(Probe(birth_date=BIRTH)).candidates == []


# --- what the screens show --------------------------------------------------------------


def test_a_pair_whose_dates_of_birth_differ_is_never_shown_as_certain():
    from tsunagu.linkage.lookup import display_percent

    registered = keys_of_probe(
        Probe(
            name="山田 太郎",
            kana="ヤマダ タロウ",
            birth_date=datetime.date(1980, 3, 1),
            sex="male",
            address="岐阜市今沢町1-2-3",
            phones=("058-123-4567",),
        )
    )
    probe = keys_of_probe(
        Probe(
            name="山田 太郎",
            kana="ヤマダ タロウ",
            birth_date=datetime.date(1981, 7, 9),
            sex="male",
            address="岐阜市今沢町1-2-3",
            phones=("058-123-4567",),
        )
    )
    candidate = score(probe, registered, population=100_000)
    assert candidate.levels["dob"] == "years apart"
    assert candidate.probability <= lookup.HOLD_CAPS[rules.HOLD_DOB_VETO]
    assert candidate.band == "低"
    assert candidate.hold == rules.HOLD_GENERATION
    assert candidate.reasons[0] == rules.HOLD_REASONS[rules.HOLD_GENERATION]
    probe = keys_of_probe(
        Probe(
            name="山田 太郎",
            kana="ヤマダ タロウ",
            birth_date=datetime.date(1980, 5, 9),
            sex="male",
            address="岐阜市今沢町1-2-3",
            phones=("058-123-4567",),
        )
    )
    candidate = score(probe, registered, population=100_000)
    assert candidate.levels["dob"] == "different"
    assert candidate.probability < 0.995
    assert display_percent(candidate.probability) != "100.0"
    assert float(display_percent(candidate.probability)) <= 99.0
    assert display_percent(0.9999999) == "99.9"


def test_variant_kanji_and_kana_script_with_the_same_reading_and_birth_is_high():
    """髙木 きよ and 高木 キヨ, read タカギ キヨ, born the same day: one person."""
    registered = keys_of_probe(
        Probe(
            name="高木 キヨ",
            kana="タカギ キヨ",
            birth_date=datetime.date(1942, 1, 15),
            sex="female",
            address="岐阜市金町5丁目3番9号",
        )
    )
    for kana in ("たかぎ きよ", "たかぎきよ"):
        probe = keys_of_probe(
            Probe(
                name="髙木 きよ",
                kana=kana,
                birth_date=datetime.date(1942, 1, 15),
                sex="female",
                address="岐阜市金町5-3-9",
            )
        )
        for population in (100_000, 1_000_000):
            candidate = score(probe, registered, population=population)
            assert candidate.band == "高", (kana, population, candidate)


def test_a_review_pair_is_never_shown_as_100_percent_and_disagreement_caps_it():
    from tsunagu.linkage.lookup import calibrated
    from tsunagu.linkage.models import MatchCandidate

    assert MatchCandidate(match_probability=0.99996).percent == 99.9
    assert MatchCandidate(match_probability=1.0).percent == 99.9
    assert MatchCandidate(match_probability=0.93).percent == 93.0
    assert MatchCandidate(match_probability=0.5).percent == 50.0
    levels = {"name": "same name", "dob": "one digit apart", "contact": "same address and phone"}
    assert calibrated(0.99996, levels) == 0.99
    # a date of birth that differs without a slip is a veto: below 中
    levels = {"name": "same name", "dob": "different", "contact": "same address and phone"}
    assert calibrated(0.99996, levels) == 0.49
    assert calibrated(0.99996, {"name": "same name", "dob": "same"}) == 0.99996
