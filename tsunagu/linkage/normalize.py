"""Search and match keys for Japanese personal data.

Each function turns one field as people write it into a key that compares
equal for spellings that denote the same thing:

* :func:`normalize_name`: 「髙橋　太郎」 → ``"高橋太郎"``;
* :func:`normalize_kana`: 「ﾀｶﾊｼ ﾀﾛｳ」 and 「たかはし たろう」 → ``"タカハシタロウ"``;
* :func:`normalize_dob`: 「S55.3.1」 and 「昭和55年3月1日」 → ``date(1980, 3, 1)``;
* :func:`normalize_phone`: 「０５８－２６５－４１４１」 → ``"0582654141"``.

:func:`name_keys` derives every key of a name and its reading at once,
:func:`split_name` separates family and given names, and :func:`search_key`
turns a search box query into a name key or a reading key.

All keys are idempotent (normalising a key returns it unchanged) and the
functions never raise for odd input: they are applied to every row of large
files. Translation tables and regular expressions are built once at import.
Only the standard library is used, apart from
:func:`tsunagu.common.wareki.parse_date` for dates.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from tsunagu.common.wareki import parse_date
from tsunagu.linkage.surnames import MAX_SURNAME_LENGTH, SURNAMES
from tsunagu.linkage.variants import STRICT_FOLDS

__all__ = [
    "NameKeys",
    "SearchKey",
    "name_keys",
    "normalize_dob",
    "normalize_kana",
    "normalize_name",
    "normalize_phone",
    "search_key",
    "split_name",
]

# --- Character classes ------------------------------------------------------

#: Every character for which ``str.isspace()`` is true, including the
#: full-width space U+3000.
_WHITESPACE = (
    "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(chr(cp) for cp in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)

#: Characters that take no space: zero-width space and joiners, word joiner,
#: byte order mark, and variation selectors (including the ideographic
#: variation selectors that pick glyphs such as 一点しんにょう for 辻).
_INVISIBLE = (
    "\u180e\u200b\u200c\u200d\u2060\ufeff"
    + "".join(chr(cp) for cp in range(0xFE00, 0xFE10))
    + "".join(chr(cp) for cp in range(0xE0100, 0xE01F0))
)

#: Separators written between parts of a name, as they look after NFKC
#: (half-width ･ becomes ・, full-width ，．＝ become ASCII): middle dots
#: (ジョン・スミス), full stops and commas, and the double hyphens of foreign
#: names (ジャン＝ポール).
_SEPARATORS = "・·‧⋅∙.,、。=゠"

#: The long-vowel mark and the dashes typed in its place in readings
#: (サトー, サト-, サト―).
_LONG_VOWEL_MARKS = "ー-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2500\u2501"

_IGNORED = _WHITESPACE + _INVISIBLE + _SEPARATORS

#: Katakana folds for readings: small kana → large kana, ヂ/ヅ → ジ/ズ, and
#: the obsolete ヰ/ヱ/ヲ → イ/エ/オ (かをる and かおる are the same reading).
_KATAKANA_FOLDS = {
    "ァ": "ア",
    "ィ": "イ",
    "ゥ": "ウ",
    "ェ": "エ",
    "ォ": "オ",
    "ッ": "ツ",
    "ャ": "ヤ",
    "ュ": "ユ",
    "ョ": "ヨ",
    "ヮ": "ワ",
    "ヵ": "カ",
    "ヶ": "ケ",
    "ヂ": "ジ",
    "ヅ": "ズ",
    "ヰ": "イ",
    "ヱ": "エ",
    "ヲ": "オ",
    # Small katakana of the Katakana Phonetic Extensions block (ㇰ, ㇱ, …).
    "ㇰ": "ク",
    "ㇱ": "シ",
    "ㇲ": "ス",
    "ㇳ": "ト",
    "ㇴ": "ヌ",
    "ㇵ": "ハ",
    "ㇶ": "ヒ",
    "ㇷ": "フ",
    "ㇸ": "ヘ",
    "ㇹ": "ホ",
    "ㇺ": "ム",
    "ㇻ": "ラ",
    "ㇼ": "リ",
    "ㇽ": "ル",
    "ㇾ": "レ",
    "ㇿ": "ロ",
}


def _hiragana_to_katakana() -> dict[str, str]:
    """Map hiragana ぁ..ゖ and the iteration marks ゝゞ to katakana."""
    mapping = {chr(cp): chr(cp + 0x60) for cp in range(0x3041, 0x3097)}
    mapping["ゝ"] = "ヽ"
    mapping["ゞ"] = "ヾ"
    return mapping


def _reading_folds() -> dict[str, str]:
    """Map every hiragana and katakana character to its reading-key form."""
    folds = {
        hira: _KATAKANA_FOLDS.get(kata, kata) for hira, kata in _hiragana_to_katakana().items()
    }
    folds.update(_KATAKANA_FOLDS)
    return folds


def _kana_code_points() -> list[int]:
    """Code points counted as kana by :func:`search_key`."""
    return [
        *range(0x3041, 0x30A0),  # hiragana, combining sound marks, ゝゞゟ
        *range(0x30A1, 0x30FB),  # katakana ァ..ヺ
        *range(0x30FC, 0x3100),  # ー ヽ ヾ ヿ
        *range(0x31F0, 0x3200),  # small katakana ㇰ..ㇿ
    ]


def _compatibility_ideographs() -> dict[str, str]:
    """Map CJK compatibility ideographs to the unified ideographs NFKC gives."""
    mapping = {}
    for cp in (*range(0xF900, 0xFB00), *range(0x2F800, 0x2FA20)):
        char = chr(cp)
        unified = unicodedata.normalize("NFKC", char)
        if len(unified) == 1 and unified != char:
            mapping[char] = unified
    return mapping


_NAME_TABLE = str.maketrans({**dict.fromkeys(_IGNORED), **STRICT_FOLDS})
_KANA_TABLE = str.maketrans({**dict.fromkeys(_IGNORED + _LONG_VOWEL_MARKS), **_reading_folds()})
_IGNORED_TABLE = str.maketrans(dict.fromkeys(_IGNORED))
_DELETE_KANA_TABLE = dict.fromkeys(_kana_code_points())
#: Folds one character to one character, so indices into the key are indices
#: into the original text.
_SURNAME_MATCH_TABLE = str.maketrans(
    {
        **{
            char: STRICT_FOLDS.get(unified, unified)
            for char, unified in _compatibility_ideographs().items()
        },
        **STRICT_FOLDS,
    }
)

_INTERNATIONAL_PREFIX_RE = re.compile(r"\s*\(?\s*\+\s*81")
_EXTENSION_RE = re.compile(r"(?:内線|ext).*", re.IGNORECASE | re.DOTALL)
_NON_DIGIT_RE = re.compile(r"[^0-9]+")

#: Share of kana among the counted characters from which a query is a reading.
_KANA_QUERY_PERCENT = 80


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _apply(text: str, table: dict[int, str | None]) -> str:
    """NFKC, translate with ``table``, lowercase; repeat until stable.

    Removing a character can bring a combining sound mark next to the kana it
    belongs to (``カ・゙``), which NFKC then composes (``ガ``), and the composed
    character may itself need folding (``ヅ`` → ``ズ``). At most a couple of
    rounds are ever needed; the bound only guards against surprises.
    """
    key = _nfkc(text).translate(table).lower()
    for _ in range(4):
        if unicodedata.is_normalized("NFKC", key):
            break
        key = _nfkc(key).translate(table).lower()
    return key


# --- Names ------------------------------------------------------------------


def normalize_name(text: str) -> str:
    """Return the match key of a name as written (kanji, kana or Latin).

    * NFKC: full-width Latin and digits become ASCII, half-width katakana
      become full-width, compatibility ideographs (U+F9DC 隆, U+FA10 塚) and
      Kangxi radicals copied from PDFs become the ordinary ideographs;
    * whitespace of every kind (ASCII, U+3000, tabs), invisible characters,
      variation selectors and separators (・ ･ · . , 、 。 ＝) are removed;
    * kanji variants are folded with the strict table of
      :mod:`tsunagu.linkage.variants` (髙 → 高, 﨑 → 崎, 邊 → 辺, 齋 → 斎);
    * letters are lowercased.

    Hiragana and katakana are kept as written, since a name may be registered
    in either; compare readings with :func:`normalize_kana`. ノ is kept
    (木ノ下 and 木下 are different names).

    >>> normalize_name("髙橋　太郎")
    '高橋太郎'
    >>> normalize_name("ＪＯＨＮ　ＳＭＩＴＨ")
    'johnsmith'
    """
    if not text:
        return ""
    return _apply(text, _NAME_TABLE)


def normalize_kana(text: str) -> str:
    """Return the match key of a reading (フリガナ).

    * NFKC: half-width katakana become full-width (ｶﾞ → ガ);
    * hiragana become katakana;
    * whitespace, invisible characters and separators are removed, and so are
      the long-vowel mark ー and the dashes typed in its place;
    * small kana become large kana (キャ → キヤ, ッ → ツ);
    * ヂ/ヅ become ジ/ズ and the obsolete ヰ/ヱ/ヲ become イ/エ/オ;
    * letters are lowercased (for readings typed in rōmaji).

    ヴ is kept. Characters other than kana are kept as they are after NFKC;
    callers decide what to do with a key that contains no kana.

    >>> normalize_kana("やまだ たろう")
    'ヤマダタロウ'
    >>> normalize_kana("ｷｬｻﾘﾝ")
    'キヤサリン'
    """
    if not text:
        return ""
    return _apply(text, _KANA_TABLE)


def split_name(text: str) -> tuple[str, str]:
    """Split a full name into family name and given name, as written.

    If the name contains whitespace (ASCII or the full-width space), it is
    split at the first run of whitespace: 「佐々木　健」 → (「佐々木」, 「健」).
    Otherwise the longest surname from :data:`tsunagu.linkage.surnames.SURNAMES`
    that starts the name and leaves at least one character is taken, comparing
    after folding kanji variants: 「長谷川一郎」 → (「長谷川」, 「一郎」),
    「髙橋太郎」 → (「髙橋」, 「太郎」). Without such a surname the whole name is
    the family name: 「鳳凰院一郎」 → (「鳳凰院一郎」, 「」).

    Both parts are returned as written, without surrounding whitespace; apply
    :func:`normalize_name` to compare them.
    """
    stripped = text.strip()
    parts = stripped.split(None, 1)
    if len(parts) == 2:
        return parts[0], parts[1]
    key = stripped.translate(_SURNAME_MATCH_TABLE)
    for length in range(min(MAX_SURNAME_LENGTH, len(key) - 1), 0, -1):
        if key[:length] in SURNAMES:
            return stripped[:length], stripped[length:]
    return stripped, ""


@dataclass(frozen=True, slots=True)
class NameKeys:
    """Match keys of a person's name and its reading.

    ``name``, ``family`` and ``given`` are :func:`normalize_name` keys of the
    full name and of its parts from :func:`split_name`; ``kana``,
    ``kana_family`` and ``kana_given`` are :func:`normalize_kana` keys of the
    reading and of its parts. A part that is unknown is ``""``.
    """

    name: str
    family: str
    given: str
    kana: str = ""
    kana_family: str = ""
    kana_given: str = ""


def name_keys(name: str, kana: str = "") -> NameKeys:
    """Return every match key of a name and, optionally, its reading.

    The reading is split at its first whitespace only: a reading written
    without a space gives empty ``kana_family`` and ``kana_given``, because
    kana alone do not show where the family name ends.

    >>> keys = name_keys("渡邊 花子", "わたなべ はなこ")
    >>> keys.name, keys.family, keys.given
    ('渡辺花子', '渡辺', '花子')
    >>> keys.kana, keys.kana_family, keys.kana_given
    ('ワタナベハナコ', 'ワタナベ', 'ハナコ')
    """
    family, given = split_name(name)
    reading_parts = kana.split(None, 1)
    if len(reading_parts) == 2:
        kana_family, kana_given = (normalize_kana(part) for part in reading_parts)
    else:
        kana_family = kana_given = ""
    return NameKeys(
        name=normalize_name(name),
        family=normalize_name(family),
        given=normalize_name(given),
        kana=normalize_kana(kana),
        kana_family=kana_family,
        kana_given=kana_given,
    )


@dataclass(frozen=True, slots=True)
class SearchKey:
    """A search box query as a key.

    ``is_kana`` tells which keys ``value`` is to be compared with: reading
    keys (:attr:`NameKeys.kana` and its parts) when true, name keys
    (:attr:`NameKeys.name` and its parts) otherwise.
    """

    value: str
    is_kana: bool


def search_key(text: str) -> SearchKey:
    """Turn a search box query into a name key or a reading key.

    A query is taken as a reading when at least 80 % of its characters, after
    NFKC and ignoring whitespace and separators, are hiragana or katakana
    (「やまだ」, 「ﾔﾏﾀﾞ ﾀﾛｳ」); its value is then :func:`normalize_kana` of the
    query. Any other query (「山田」, 「山田たろう」, 「smith」) becomes a
    :func:`normalize_name` key. An empty query gives an empty name key.
    """
    counted = _nfkc(text).translate(_IGNORED_TABLE)
    if not counted:
        return SearchKey(value="", is_kana=False)
    kana_count = len(counted) - len(counted.translate(_DELETE_KANA_TABLE))
    if kana_count * 100 >= len(counted) * _KANA_QUERY_PERCENT:
        return SearchKey(value=normalize_kana(text), is_kana=True)
    return SearchKey(value=normalize_name(text), is_kana=False)


# --- Other fields -----------------------------------------------------------


def normalize_dob(text: str) -> date | None:
    """Return a date of birth written in any 和暦 or 西暦 form, or ``None``.

    Parsing is done by :func:`tsunagu.common.wareki.parse_date`, so 「S55.3.1」,
    「昭和55年3月1日」, 「1980-03-01」 and 「１９８０年３月１日」 all give
    ``date(1980, 3, 1)``. Empty, unreadable and impossible dates give ``None``
    instead of an error.
    """
    if not text or not text.strip():
        return None
    try:
        return parse_date(text)
    except (ValueError, OverflowError):  # WarekiError is a ValueError
        return None


def normalize_phone(text: str) -> str:
    """Return the digits of a Japanese phone number in domestic form.

    After NFKC (full-width digits become ASCII) only the digits 0-9 are kept,
    so hyphens of every kind, parentheses and spaces disappear. A leading
    ``+81`` country code becomes the trunk prefix ``0`` (``+81 90-…`` and
    ``+81 (0)90-…`` both give ``090…``). An extension written after
    「内線」 or ``ext`` is dropped.

    >>> normalize_phone("０５８－２６５－４１４１")
    '0582654141'
    >>> normalize_phone("+81 90-1234-5678")
    '09012345678'
    """
    if not text:
        return ""
    number = _EXTENSION_RE.sub("", _nfkc(text))
    international = _INTERNATIONAL_PREFIX_RE.match(number)
    if international:
        number = number[international.end() :]
    digits = _NON_DIGIT_RE.sub("", number)
    if international and digits:
        digits = "0" + digits.removeprefix("0")
    return digits
