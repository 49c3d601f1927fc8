import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsunagu.linkage.address import Address, kanji_to_number, normalize_address


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("一", "1"),
        ("十", "10"),
        ("十八", "18"),
        ("二十", "20"),
        ("四十", "40"),
        ("九十九", "99"),
        ("百", "100"),
        ("百五", "105"),
        ("二百十五", "215"),
        ("千二百", "1200"),
        ("二〇三", "203"),
        ("一八", "18"),
        ("十十", "十十"),  # malformed: left as written
        ("百千", "百千"),
        ("", ""),
    ],
)
def test_kanji_to_number(token, expected):
    assert kanji_to_number(token) == expected


@pytest.mark.parametrize(
    ("text", "base", "building"),
    [
        ("岐阜市今沢町十八番地", "岐阜市今沢町18", ""),
        ("岐阜市今沢町18番地", "岐阜市今沢町18", ""),
        ("岐阜市今沢町１８", "岐阜市今沢町18", ""),
        ("岐阜市司町40番地1", "岐阜市司町40-1", ""),
        ("岐阜市司町四十番地一", "岐阜市司町40-1", ""),
        ("岐阜市司町40番地の1", "岐阜市司町40-1", ""),
        ("岐阜市司町40の1", "岐阜市司町40-1", ""),
        ("岐阜市司町４０－１", "岐阜市司町40-1", ""),
        ("岐阜市司町40ー1", "岐阜市司町40-1", ""),
        ("岐阜県岐阜市司町40番地1", "岐阜市司町40-1", ""),
        ("大字今沢字上野18番地", "今沢上野18", ""),
        ("一宮市本町二丁目五番十号", "一宮市本町2-5-10", ""),
        ("四日市市諏訪町1-5", "四日市市諏訪町1-5", ""),
        ("千代田区三番町1-2", "千代田区三番町1-2", ""),
        ("港区麻布十番一丁目二番三号", "港区麻布十番1-2-3", ""),
        ("港区麻布十番1-2-3", "港区麻布十番1-2-3", ""),
        ("札幌市中央区北三条西四丁目1-2", "札幌市中央区北3条西4-1-2", ""),
        ("岐阜市 今沢町 1-2-3", "岐阜市今沢町1-2-3", ""),
        ("岐阜市司町40番地1 メゾン司201号室", "岐阜市司町40-1", "メゾン司201"),
        ("岐阜市司町40-1 メゾン司 201", "岐阜市司町40-1", "メゾン司201"),
        ("岐阜市司町40-1メゾン司201", "岐阜市司町40-1", "メゾン司201"),
        ("今沢町1丁目2番3号 ハイツA棟", "今沢町1-2-3", "ハイツA棟"),
        ("今沢町1-2-3-201", "今沢町1-2-3", "201"),
        ("今沢町1-2-3 201号室", "今沢町1-2-3", "201"),
        ("ｲﾏｻﾞﾜﾁｮｳ 1-2-3", "イマザワチョウ1-2-3", ""),
        ("岐阜市", "岐阜市", ""),
        ("", "", ""),
        ("　", "", ""),
    ],
)
def test_normalize_address(text, base, building):
    address = normalize_address(text)
    assert (address.base, address.building) == (base, building)


@pytest.mark.parametrize(
    "text",
    [
        "岐阜市今沢町一丁目二番三号",
        "岐阜市今沢町1-2-3",
        "岐阜市今沢町1丁目2番地3",
        "岐阜市今沢町１丁目２番３号",
        "岐阜市今沢町1丁目2-3",
        "岐阜県岐阜市今沢町1-2-3",
        "岐阜県 岐阜市 今沢町 一丁目２番地の３",
        "岐阜市今沢町1-2-3 サンハイツ今沢101",
        "岐阜市今沢町一丁目二番三号　サンハイツ今沢１０１号室",
    ],
)
def test_every_spelling_of_one_address_has_the_same_base(text):
    assert normalize_address(text).base == "岐阜市今沢町1-2-3"


def test_building_and_room_are_split_off_and_normalised():
    with_building = normalize_address("岐阜市今沢町1-2-3 サンハイツ今沢101")
    written_otherwise = normalize_address("岐阜市今沢町一丁目二番三号　サンハイツ今沢１０１号室")
    assert with_building.building == written_otherwise.building == "サンハイツ今沢101"
    assert normalize_address("岐阜市今沢町1-2-3").building == ""


def test_prefecture_is_kept_apart():
    assert normalize_address("岐阜県岐阜市司町40番地1") == Address(
        base="岐阜市司町40-1", building="", prefecture="岐阜県"
    )
    assert normalize_address("東京都港区芝公園4-2-8").prefecture == "東京都"


def test_different_block_numbers_stay_different():
    assert normalize_address("今沢町1-2-3").base != normalize_address("今沢町1-2-4").base
    assert normalize_address("今沢町十八番地").base != normalize_address("今沢町八番地").base


@given(st.text(max_size=40))
def test_never_raises_and_base_is_stable(text):
    address = normalize_address(text)
    assert isinstance(address.base, str)
    assert normalize_address(address.base).base == address.base
