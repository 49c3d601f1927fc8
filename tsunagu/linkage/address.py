"""Match keys for Japanese postal addresses (住所).

The same address is written in many ways::

    岐阜市司町40番地1            岐阜市司町４０－１
    今沢町一丁目二番三号          今沢町1-2-3           今沢町1丁目2番地3
    大字今沢字上野18番地          今沢上野十八番地      今沢上野18 メゾン今沢201号室

:func:`normalize_address` turns each into an :class:`Address` whose ``base``
compares equal for all spellings of one place and whose ``building`` holds
the building name and room number split off from it:

* NFKC: full-width digits, letters and hyphens become ASCII, half-width kana
  become full-width;
* the prefecture (岐阜県, 東京都, 北海道, 大阪府, 京都府) is split off into
  ``prefecture``, since agency systems often leave it out;
* 大字 and 字 are removed (大字今沢字上野 → 今沢上野);
* kanji numerals next to a block-number unit are converted to digits,
  including 十/百/千 forms (十八番地 → 18, 二〇三 → 203) — numerals that are
  part of a place name (一宮市, 四日市市, 三番町) are kept;
* 丁目, 番地, 番, 号, の between numbers and every kind of dash become ``-``,
  so that 一丁目二番三号, 1丁目2番地3 and 1-2-3 all give ``1-2-3``;
* what follows the block number (a building name, a room number, or a fourth
  number as in 1-2-3-201) is the ``building``; 号室 is dropped from it.

Only the standard library is used; the function never raises.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Address", "kanji_to_number", "normalize_address"]

_PREFECTURES = (  # noqa: SIM905 - one line per region reads better than a list
    "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 "
    "神奈川県 新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 "
    "京都府 大阪府 兵庫県 奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県 "
    "愛媛県 高知県 福岡県 佐賀県 長崎県 熊本県 大分県 宮崎県 鹿児島県 沖縄県"
).split()
_PREFECTURE_RE = re.compile("^(?:" + "|".join(_PREFECTURES) + ")")

_KANJI_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_KANJI_NUM = "[〇零一二三四五六七八九十百千]+"

#: Dashes, minus signs and the long-vowel mark typed between block numbers.
_DASHES = "‐‑‒–—―−─━ーｰ～~"

#: Units that separate block numbers and become ``-``. 番 is not a unit in
#: place names such as 三番町, 五番街 or 麻布十番 (a 番 before a 丁目 number),
#: nor 号 in 号室/号棟/号館.
_UNIT = (
    r"(?:丁目|番地の?|番(?![町街丁])(?![0-9〇一二三四五六七八九十百千]+丁目)"
    r"|号(?![室棟館])|の(?=[0-9〇零一二三四五六七八九十百千]))"
)
#: Units that belong to a place name but take a number: 北3条西4丁目, 2地割.
_PLACE_UNIT = r"(?:条|線|地割)"

#: A kanji numeral with 番 and then ASCII digits is a place name (麻布十番1-2-3).
_KANJI_BEFORE_UNIT_RE = re.compile(f"{_KANJI_NUM}(?!番[0-9])(?={_UNIT}|{_PLACE_UNIT})")
_KANJI_AFTER_UNIT_RE = re.compile(
    f"(?<=[0-9\\-番地目の]){_KANJI_NUM}(?![0-9〇一二三四五六七八九十百千])"
)
_UNIT_RE = re.compile(f"(?<=[0-9]){_UNIT}")
_DASH_RE = re.compile(f"(?<=[0-9])\\s*[{_DASHES}\\-]+\\s*(?=[0-9])")
_SPACE_RE = re.compile(r"\s+")
_INNER_SPACE_RE = re.compile(r"(?<![0-9]) | (?![0-9])")
_AZA_RE = re.compile("大字|字")
#: The block number: digits joined by hyphens, not part of 3条 or 2地割.
_BLOCK_RE = re.compile(r"[0-9]+(?:-[0-9]+)*-?(?![0-9]|条|線|地割)")
_ROOM_SUFFIX_RE = re.compile(r"号室$|号$")

_MAX_BLOCK_PARTS = 3


@dataclass(frozen=True, slots=True)
class Address:
    """An address as match keys.

    ``base`` is the place without prefecture, building and room
    (「岐阜市司町40-1」); ``building`` the building name and room as written,
    normalised (「メゾン司201」), or ``""``; ``prefecture`` the prefecture if
    the address started with one, else ``""``.
    """

    base: str
    building: str = ""
    prefecture: str = ""


def kanji_to_number(token: str) -> str:
    """Convert kanji numerals to ASCII digits; return ``token`` unchanged if malformed.

    Both counting forms (十八 → 18, 二百五 → 205, 千二百 → 1200) and positional
    forms (二〇三 → 203, 一八 → 18) are understood.

    >>> kanji_to_number("十八")
    '18'
    >>> kanji_to_number("二〇三")
    '203'
    """
    if not token:
        return token
    if not any(char in _KANJI_UNITS for char in token):
        if all(char in _KANJI_DIGITS for char in token):
            return "".join(str(_KANJI_DIGITS[char]) for char in token)
        return token
    total = 0
    digit: int | None = None
    last_unit = 10_000
    for char in token:
        if char in _KANJI_DIGITS:
            if digit is not None:
                return token
            digit = _KANJI_DIGITS[char]
        elif char in _KANJI_UNITS:
            unit = _KANJI_UNITS[char]
            if unit >= last_unit:
                return token
            total += (1 if digit is None else digit) * unit
            digit = None
            last_unit = unit
        else:
            return token
    if digit is not None:
        total += digit
    return str(total)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _clean_building(text: str) -> str:
    building = _SPACE_RE.sub("", text).strip("-,、")
    building = _ROOM_SUFFIX_RE.sub("", building)
    return building


def normalize_address(text: str) -> Address:
    """Return the match keys of an address written in any common form.

    >>> normalize_address("岐阜市今沢町十八番地")
    Address(base='岐阜市今沢町18', building='', prefecture='')
    >>> normalize_address("岐阜県岐阜市司町40番地1 メゾン司201号室")
    Address(base='岐阜市司町40-1', building='メゾン司201', prefecture='岐阜県')
    """
    if not text or not text.strip():
        return Address(base="")
    # Spaces are insignificant except between two numbers (1-2-3 201), where
    # they end the block number. Removing them can bring a combining mark next
    # to its letter, so the text is normalised once more.
    value = _nfkc(_INNER_SPACE_RE.sub("", _SPACE_RE.sub(" ", _nfkc(text)).strip()))
    prefecture = ""
    match = _PREFECTURE_RE.match(value)
    if match:
        prefecture = match.group(0)
        value = value[match.end() :].lstrip()
    value = _AZA_RE.sub("", value)
    value = _KANJI_BEFORE_UNIT_RE.sub(lambda m: kanji_to_number(m.group(0)), value)
    value = _KANJI_AFTER_UNIT_RE.sub(lambda m: kanji_to_number(m.group(0)), value)
    value = _DASH_RE.sub("-", value)
    value = _UNIT_RE.sub("-", value)
    block = _BLOCK_RE.search(value)
    if block is None:
        return Address(base=_nfkc(value.replace(" ", "")), prefecture=prefecture)
    parts = block.group(0).rstrip("-").split("-")
    base = value[: block.start()].replace(" ", "") + "-".join(parts[:_MAX_BLOCK_PARTS])
    rest = "-".join(parts[_MAX_BLOCK_PARTS:]) + value[block.end() :]
    return Address(base=_nfkc(base), building=_clean_building(rest), prefecture=prefecture)
