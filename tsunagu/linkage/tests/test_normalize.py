import sys
import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsunagu.linkage.normalize import (
    NameKeys,
    SearchKey,
    name_keys,
    normalize_dob,
    normalize_kana,
    normalize_name,
    normalize_phone,
    search_key,
    split_name,
)
from tsunagu.linkage.surnames import MAX_SURNAME_LENGTH, SURNAMES
from tsunagu.linkage.variants import LOOSE_FOLDS, STRICT_FOLDS, fold_variants

# Simplified Chinese forms that never occur in Japanese records; none may be a
# source or a target of a fold.
SIMPLIFIED_CHINESE = "边齐斋泽滨樱岛龙荣关县传转圆绿显亚恶劳实泷涩龟铁丰图团驿战归乐卖读两变举继营卫盐丝齿发赖宽钢剑萤灵绳乡颜验让酿艺检单严总聪济隐杂摄勋"

# Personal-name variants outside JIS X 0213 and the Windows-31J (cp932) set.
OUTSIDE_JIS = {"𠮷"}


# --- normalize_name ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("髙橋　太郎", "高橋太郎"),
        ("齋藤 花子", "斎藤花子"),
        ("渡邊", "渡辺"),
        ("渡邉 一郎", "渡辺一郎"),
        ("山﨑", "山崎"),
        ("宮嵜\t次郎", "宮崎次郎"),
        ("ＪＯＨＮ　ＳＭＩＴＨ", "johnsmith"),
        ("John Smith", "johnsmith"),
        ("ジョン・スミス", "ジョンスミス"),
        ("ｼﾞｮﾝ･ｽﾐｽ", "ジョンスミス"),
        ("ジャン＝ポール", "ジャンポール"),
        ("Mary.Ann, Smith", "maryannsmith"),
        ("濱田　德子", "浜田徳子"),
        ("櫻井 廣", "桜井広"),
        ("澤田 眞一", "沢田真一"),
        ("冨田 實", "富田実"),
        ("嶋田", "島田"),
        ("槇原", "槙原"),
        ("\uf9dc司", "隆司"),  # compatibility ideograph, unified by NFKC
        ("\ufa10本", "塚本"),
        ("𠮷田 太郎", "吉田太郎"),
        ("辻\U000e0100本", "辻本"),  # ideographic variation selector removed
        ("斉藤 一", "斉藤一"),  # 斉 is not 斎 in strict keys
        ("龍之介", "龍之介"),
        ("やまだ はなこ", "やまだはなこ"),  # hiragana names are kept
        ("木ノ下 太郎", "木ノ下太郎"),
        ("山ノ内 一", "山ノ内一"),
        ("  佐々木  健  ", "佐々木健"),
        ("", ""),
        ("\u3000\u3000", ""),
    ],
)
def test_normalize_name(text, expected):
    assert normalize_name(text) == expected


def test_normalize_name_keeps_no_and_does_not_confuse_it_with_a_separator():
    assert normalize_name("木ノ下") != normalize_name("木下")
    assert normalize_name("木・下") == normalize_name("木下")


def test_normalize_name_removes_every_whitespace_character():
    spaces = [chr(cp) for cp in range(sys.maxunicode + 1) if chr(cp).isspace()]
    assert normalize_name("山田" + "".join(spaces) + "太郎") == "山田太郎"


# --- normalize_kana ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("やまだ たろう", "ヤマダタロウ"),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダタロウ"),
        ("ヤマダ　タロウ", "ヤマダタロウ"),
        ("キャサリン", "キヤサリン"),
        ("ｷｬｻﾘﾝ", "キヤサリン"),
        ("ｶﾞｯｺｳ", "ガツコウ"),
        ("ﾊﾟﾝﾀﾞ", "パンダ"),
        ("ｳﾞｨｸﾄﾙ", "ヴイクトル"),  # ヴ is kept
        ("ゔぃくとる", "ヴイクトル"),
        ("はっとり", "ハツトリ"),
        ("ちぢわ", "チジワ"),  # ヂ → ジ
        ("つづき", "ツズキ"),  # ヅ → ズ
        ("ヂ ヅ", "ジズ"),
        ("サトー", "サト"),
        ("ｻﾄｰ", "サト"),
        ("サト-", "サト"),
        ("かをる", "カオル"),
        ("ゐゑ", "イエ"),
        ("ヶ", "ケ"),
        ("ジョン・スミス", "ジヨンスミス"),
        ("ｶ\uff9e", "ガ"),
        ("か゛", "ガ"),  # spacing voiced sound mark
        ("YAMADA", "yamada"),
        ("", ""),
    ],
)
def test_normalize_kana(text, expected):
    assert normalize_kana(text) == expected


def test_normalize_kana_hiragana_katakana_and_half_width_agree():
    assert normalize_kana("やまだ") == normalize_kana("ヤマダ") == normalize_kana("ﾔﾏﾀﾞ")


@pytest.mark.parametrize(
    ("half_width", "full_width"),
    [("ｶﾞ", "ガ"), ("ｷﾞ", "ギ"), ("ﾀﾞ", "ダ"), ("ﾊﾞ", "バ"), ("ﾊﾟ", "パ"), ("ﾎﾟ", "ポ")],
)
def test_half_width_kana_with_sound_marks_compose(half_width, full_width):
    assert normalize_kana(half_width) == full_width
    assert normalize_name(half_width) == full_width


# --- split_name -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("山田太郎", ("山田", "太郎")),
        ("佐々木 健", ("佐々木", "健")),
        ("佐々木健", ("佐々木", "健")),
        ("長谷川一郎", ("長谷川", "一郎")),
        ("山田　花子", ("山田", "花子")),
        ("山田\t花子", ("山田", "花子")),
        ("  鈴木   一郎  ", ("鈴木", "一郎")),
        ("髙橋太郎", ("髙橋", "太郎")),  # matched after folding, returned as written
        ("渡邊花子", ("渡邊", "花子")),
        ("林太郎", ("林", "太郎")),
        ("東海林太郎", ("東海林", "太郎")),
        ("五十嵐花子", ("五十嵐", "花子")),
        ("一ノ瀬健", ("一ノ瀬", "健")),
        ("木ノ下 太郎", ("木ノ下", "太郎")),
        ("山田", ("山田", "")),  # at least one character is left for the given name
        ("鳳凰院一郎", ("鳳凰院一郎", "")),
        ("やまだたろう", ("やまだたろう", "")),
        ("Mary Ann Smith", ("Mary", "Ann Smith")),
        ("", ("", "")),
    ],
)
def test_split_name(text, expected):
    assert split_name(text) == expected


def test_surnames_are_stored_in_folded_form():
    assert len(SURNAMES) >= 300
    assert max(len(s) for s in SURNAMES) == MAX_SURNAME_LENGTH
    for surname in SURNAMES:
        assert normalize_name(surname) == surname
    assert {"斎藤", "斉藤"} <= SURNAMES


# --- normalize_dob ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("昭和55年3月1日", date(1980, 3, 1)),
        ("S55.3.1", date(1980, 3, 1)),
        ("1980-03-01", date(1980, 3, 1)),
        ("１９８０年３月１日", date(1980, 3, 1)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("H31.4.30", date(2019, 4, 30)),
        ("19800301", date(1980, 3, 1)),
        ("", None),
        ("   ", None),
        ("不明", None),
        ("平成31年5月1日", None),  # outside the era
        ("1980-02-30", None),
        ("99999999999999999999", None),
    ],
)
def test_normalize_dob(text, expected):
    assert normalize_dob(text) == expected


# --- normalize_phone --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("０５８－２６５－４１４１", "0582654141"),
        ("058-265-4141", "0582654141"),
        ("058(265)4141", "0582654141"),
        ("（058）265‐4141", "0582654141"),
        ("058 265 4141", "0582654141"),
        ("058‒265―4141", "0582654141"),
        ("+81 90-1234-5678", "09012345678"),
        ("＋８１ ９０ １２３４ ５６７８", "09012345678"),
        ("+81 (0)3-1234-5678", "0312345678"),
        ("+81 090-1234-5678", "09012345678"),
        ("(+81) 3-1234-5678", "0312345678"),
        ("TEL: 03-1234-5678", "0312345678"),
        ("058-265-4141 内線123", "0582654141"),
        ("058-265-4141 ext. 12", "0582654141"),
        ("81-3-1234-5678", "81312345678"),  # no plus: not a country code
        ("", ""),
        ("なし", ""),
    ],
)
def test_normalize_phone(text, expected):
    assert normalize_phone(text) == expected


# --- name_keys and search_key -----------------------------------------------


def test_name_keys_with_spaced_reading():
    assert name_keys("渡邊 花子", "わたなべ はなこ") == NameKeys(
        name="渡辺花子",
        family="渡辺",
        given="花子",
        kana="ワタナベハナコ",
        kana_family="ワタナベ",
        kana_given="ハナコ",
    )


def test_name_keys_split_from_surname_list_and_unspaced_reading():
    keys = name_keys("髙橋太郎", "ﾀｶﾊｼﾀﾛｳ")
    assert (keys.name, keys.family, keys.given) == ("高橋太郎", "高橋", "太郎")
    assert (keys.kana, keys.kana_family, keys.kana_given) == ("タカハシタロウ", "", "")


def test_name_keys_without_reading():
    assert name_keys("山﨑　次郎") == NameKeys("山崎次郎", "山崎", "次郎", "", "", "")


def test_name_keys_are_frozen():
    keys = name_keys("山田 太郎")
    with pytest.raises(AttributeError):
        keys.name = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("やまだ", SearchKey("ヤマダ", True)),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", SearchKey("ヤマダタロウ", True)),
        ("キャサリン", SearchKey("キヤサリン", True)),
        ("山田", SearchKey("山田", False)),
        ("髙橋　太郎", SearchKey("高橋太郎", False)),
        ("山田たろう", SearchKey("山田たろう", False)),  # 60 % kana
        ("山たろうです", SearchKey("山タロウデス", True)),  # 5 of 6 kana
        ("Smith", SearchKey("smith", False)),
        ("", SearchKey("", False)),
        ("　", SearchKey("", False)),
    ],
)
def test_search_key(text, expected):
    assert search_key(text) == expected


# --- variants ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("髙", "高"),
        ("﨑", "崎"),
        ("嵜", "崎"),
        ("邊", "辺"),
        ("邉", "辺"),
        ("齋", "斎"),
        ("齊", "斉"),
        ("濵", "浜"),
        ("櫻", "桜"),
        ("驒", "騨"),
        ("寶", "宝"),
        ("寳", "宝"),
        ("龍", "龍"),
        ("萬", "萬"),
        ("籠", "籠"),
        ("埼玉", "埼玉"),
    ],
)
def test_fold_variants_strict(text, expected):
    assert fold_variants(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("斉藤", "斎藤"),
        ("齊藤", "斎藤"),
        ("齋藤", "斎藤"),
        ("龍", "竜"),
        ("萬", "万"),
        ("山﨑", "山崎"),
    ],
)
def test_fold_variants_loose(text, expected):
    assert fold_variants(text, loose=True) == expected


def test_saki_is_never_folded_to_the_saitama_character():
    assert STRICT_FOLDS["﨑"] == "崎"
    assert fold_variants("﨑", loose=True) == "崎"
    for table in (STRICT_FOLDS, LOOSE_FOLDS):
        assert "埼" not in table
        assert "埼" not in table.values()
    assert normalize_name("山﨑") == normalize_name("山崎") != normalize_name("山埼")


def test_no_simplified_chinese_in_the_tables():
    for table in (STRICT_FOLDS, LOOSE_FOLDS):
        used = set(table) | set(table.values())
        assert not used & set(SIMPLIFIED_CHINESE)


def test_distinct_name_characters_are_only_loosely_folded():
    for char in "斉龍萬":
        assert char not in STRICT_FOLDS
        assert char in LOOSE_FOLDS
    assert "斎" not in STRICT_FOLDS


def encodes(text, codec):
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


@pytest.mark.parametrize("table", [STRICT_FOLDS, LOOSE_FOLDS])
def test_fold_tables_hold_japanese_ideographs_only(table):
    for source, target in table.items():
        assert source != target
        for char in (source, target):
            assert len(char) == 1
            assert unicodedata.name(char).startswith("CJK "), char
            # NFKC runs before folding: an entry must survive it to be reachable.
            assert unicodedata.normalize("NFKC", char) == char
        target.encode("shift_jis")  # JIS X 0208: in daily use
        if source not in OUTSIDE_JIS:
            assert any(encodes(source, codec) for codec in ("cp932", "euc_jis_2004")), source


def test_fold_tables_are_idempotent_and_large_enough():
    assert len(STRICT_FOLDS) >= 80
    assert not set(STRICT_FOLDS.values()) & set(STRICT_FOLDS)
    assert not set(LOOSE_FOLDS.values()) & set(LOOSE_FOLDS)
    assert not set(LOOSE_FOLDS.values()) & set(STRICT_FOLDS)


# --- idempotence ------------------------------------------------------------

JAPANESE_ALPHABET = (
    "あいうえおかがきぎくぐさざしじただちぢつづっゃゅょぁゎゐゑをんゔゕゖゝゞ"
    "アイウエオカガキギクグサザシジタダチヂツヅッャュョァヮヰヱヲンヴヵヶヽヾー"
    "ｱｲｳｴｵｶｷｸｻｼﾀﾁﾂｯｬﾊﾋﾌﾎﾏﾔﾕﾖﾗﾜｦﾝﾞﾟｰ･"
    "山田太郎花子高橋髙崎﨑嵜埼辺邊邉斎齋斉齊浜濱沢澤国國龍竜萬万々ノ之\uf9dc\ufa10𠮷"
    "ＡＢＣａｂｃABCabc０１２0129"
    " \u3000\t・·.,、。＝=-‐―−()（）+＋"
    "\u3099\u309a\u309b\u309c\U000e0100"
)
japanese_text = st.text(alphabet=JAPANESE_ALPHABET, max_size=24)


@given(japanese_text)
def test_normalize_name_is_idempotent(text):
    key = normalize_name(text)
    assert normalize_name(key) == key


@given(japanese_text)
def test_normalize_kana_is_idempotent(text):
    key = normalize_kana(text)
    assert normalize_kana(key) == key


@given(japanese_text)
def test_normalize_phone_is_idempotent_and_digits_only(text):
    key = normalize_phone(text)
    assert normalize_phone(key) == key
    assert key == "" or (key.isascii() and key.isdigit())


@given(japanese_text, st.booleans())
def test_fold_variants_is_idempotent_and_keeps_length(text, loose):
    folded = fold_variants(text, loose=loose)
    assert fold_variants(folded, loose=loose) == folded
    assert len(folded) == len(text)


@given(japanese_text)
def test_split_name_parts_come_from_the_name(text):
    family, given_name = split_name(text)
    assert normalize_name(family + given_name) == normalize_name(text)


@given(
    st.text(alphabet="ぁあぃいぅうぇえぉおかがきぎっつづゃやゅゆょよゎわゐゑをんゔー", max_size=16)
)
def test_hiragana_and_katakana_readings_agree(text):
    katakana = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)
    assert normalize_kana(text) == normalize_kana(katakana)
