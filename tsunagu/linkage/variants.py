"""Fold tables for Japanese kanji variants (異体字) used in name keys.

A person's name is often written with a variant of a common character: the
traditional form (旧字体) of a 常用漢字 such as 澤 for 沢 or 國 for 国, or a
variant that survives in family registers such as 髙 (はしごだか) for 高,
﨑 (たつさき) for 崎 or 邊/邉 for 辺. A record written 「髙橋」 and a search for
「高橋」 must meet, so name keys replace every variant in :data:`STRICT_FOLDS`
with the form used in daily writing.

Two tables are provided:

:data:`STRICT_FOLDS`
    Variants that denote the same character: 旧字体 → 新字体 and personal-name
    異体字 → common form. Used by default.
:data:`LOOSE_FOLDS`
    Pairs of *distinct* characters that people nevertheless confuse or use
    interchangeably in names, such as 斉/斎 (斉藤 and 斎藤 are different
    registered surnames) and 龍/竜. Applied only with ``loose=True``, on top of
    the strict folds, for lenient searching; never for deciding that two
    records are the same person.

What the tables leave to Unicode normalisation:

* CJK compatibility ideographs with a canonical decomposition, such as
  U+F9DC (隆) and U+FA10 (塚), become their unified ideographs under NFKC,
  which name keys apply first. Only the compatibility ideographs that have no
  decomposition, such as U+FA11 﨑, need an entry here.
* Glyph differences within one code point, such as 辻 with one or two dots
  (一点しんにょう／二点しんにょう) or 葛 with 匂 or ヒ inside, are only
  distinguished by ideographic variation sequences (IVS). Name keys remove the
  variation selectors, so these compare equal without a table entry.

Source and licence: hand-compiled for this project from the 旧字体/新字体
correspondences shown in the 常用漢字表 (Cabinet notice, 平成22年内閣告示第2号;
a government notice, free of copyright under Article 13 of the Copyright Act)
and from common personal-name variants (髙, 﨑, 嵜, 邊/邉, 齋, 濵, 冨, 嶋, …).
The tables are distributed under the project's licence (MIT).

No external variant table is used on purpose. The widely available ones fold
﨑 (U+FA11) to 埼, the character of 埼玉, which is a different character, or
they map to and from simplified Chinese forms (边, 齐, 泽, …), which never occur
in Japanese records. Either kind produces false matches between different
people. Every entry here is a CJK ideograph, every target is a JIS X 0208
character in daily Japanese use, and no target is itself a source, so folding
is idempotent; the tests check all of this.
"""

from __future__ import annotations

__all__ = ["LOOSE_FOLDS", "STRICT_FOLDS", "fold_variants"]

#: Variant → common form; characters that are the same character.
STRICT_FOLDS: dict[str, str] = {
    # Variants found in personal names (俗字・異体字).
    "髙": "高",  # U+9AD9 → U+9AD8
    "﨑": "崎",  # U+FA11 → U+5D0E
    "嵜": "崎",  # U+5D5C → U+5D0E
    "邉": "辺",  # U+9089 → U+8FBA
    "濵": "浜",  # U+6FF5 → U+6D5C
    "冨": "富",  # U+51A8 → U+5BCC
    "嶋": "島",  # U+5D8B → U+5CF6
    "嶌": "島",  # U+5D8C → U+5CF6
    "槇": "槙",  # U+69C7 → U+69D9
    "桒": "桑",  # U+6852 → U+6851
    "曻": "昇",  # U+66FB → U+6607
    "邨": "村",  # U+90A8 → U+6751
    "峯": "峰",  # U+5CEF → U+5CF0
    "眾": "衆",  # U+773E → U+8846
    "寳": "宝",  # U+5BF3 → U+5B9D
    "𠮷": "吉",  # U+20BB7 → U+5409
    "栁": "柳",  # U+6801 → U+67F3
    "桺": "柳",  # U+687A → U+67F3
    "劒": "剣",  # U+5292 → U+5263
    "剱": "剣",  # U+5271 → U+5263
    "兔": "兎",  # U+5154 → U+514E
    "廐": "厩",  # U+5ED0 → U+53A9
    # 旧字体 → 新字体 of the 常用漢字表 and of 人名用漢字.
    "邊": "辺",  # U+908A → U+8FBA
    "齋": "斎",  # U+9F4B → U+658E
    "齊": "斉",  # U+9F4A → U+6589
    "濱": "浜",  # U+6FF1 → U+6D5C
    "德": "徳",  # U+5FB7 → U+5FB3
    "櫻": "桜",  # U+6AFB → U+685C
    "廣": "広",  # U+5EE3 → U+5E83
    "澤": "沢",  # U+6FA4 → U+6CA2
    "瀨": "瀬",  # U+7028 → U+702C
    "國": "国",  # U+570B → U+56FD
    "眞": "真",  # U+771E → U+771F
    "藏": "蔵",  # U+85CF → U+8535
    "惠": "恵",  # U+60E0 → U+6075
    "榮": "栄",  # U+69AE → U+6804
    "與": "与",  # U+8207 → U+4E0E
    "恆": "恒",  # U+6046 → U+6052
    "將": "将",  # U+5C07 → U+5C06
    "條": "条",  # U+689D → U+6761
    "實": "実",  # U+5BE6 → U+5B9F
    "淺": "浅",  # U+6DFA → U+6D45
    "增": "増",  # U+589E → U+5897
    "驒": "騨",  # U+9A52 → U+9A28
    "禮": "礼",  # U+79AE → U+793C
    "彌": "弥",  # U+5F4C → U+5F25
    "壽": "寿",  # U+58FD → U+5BFF
    "靜": "静",  # U+975C → U+9759
    "晉": "晋",  # U+6649 → U+664B
    "收": "収",  # U+6536 → U+53CE
    "傳": "伝",  # U+50B3 → U+4F1D
    "轉": "転",  # U+8F49 → U+8EE2
    "圓": "円",  # U+5713 → U+5186
    "綠": "緑",  # U+7DA0 → U+7DD1
    "顯": "顕",  # U+986F → U+9855
    "學": "学",  # U+5B78 → U+5B66
    "亞": "亜",  # U+4E9E → U+4E9C
    "惡": "悪",  # U+60E1 → U+60AA
    "兒": "児",  # U+5152 → U+5150
    "黑": "黒",  # U+9ED1 → U+9ED2
    "莊": "荘",  # U+838A → U+8358
    "舍": "舎",  # U+820D → U+820E
    "來": "来",  # U+4F86 → U+6765
    "勞": "労",  # U+52DE → U+52B4
    "縣": "県",  # U+7E23 → U+770C
    "關": "関",  # U+95DC → U+95A2
    "會": "会",  # U+6703 → U+4F1A
    "寶": "宝",  # U+5BF6 → U+5B9D
    "髮": "髪",  # U+9AEE → U+9AEA
    "澁": "渋",  # U+6F81 → U+6E0B
    "龜": "亀",  # U+9F9C → U+4E80
    "鐵": "鉄",  # U+9435 → U+9244
    "豐": "豊",  # U+8C50 → U+8C4A
    "氣": "気",  # U+6C23 → U+6C17
    "圖": "図",  # U+5716 → U+56F3
    "團": "団",  # U+5718 → U+56E3
    "壹": "壱",  # U+58F9 → U+58F1
    "區": "区",  # U+5340 → U+533A
    "驛": "駅",  # U+9A5B → U+99C5
    "戰": "戦",  # U+6230 → U+6226
    "歸": "帰",  # U+6B78 → U+5E30
    "樂": "楽",  # U+6A02 → U+697D
    "聲": "声",  # U+8072 → U+58F0
    "賣": "売",  # U+8CE3 → U+58F2
    "讀": "読",  # U+8B80 → U+8AAD
    "兩": "両",  # U+5169 → U+4E21
    "辨": "弁",  # U+8FA8 → U+5F01
    "瓣": "弁",  # U+74E3 → U+5F01
    "辯": "弁",  # U+8FAF → U+5F01
    "變": "変",  # U+8B8A → U+5909
    "價": "価",  # U+50F9 → U+4FA1
    "假": "仮",  # U+5047 → U+4EEE
    "擧": "挙",  # U+64E7 → U+6319
    "繼": "継",  # U+7E7C → U+7D99
    "黃": "黄",  # U+9EC3 → U+9EC4
    "營": "営",  # U+71DF → U+55B6
    "衞": "衛",  # U+885E → U+885B
    "鹽": "塩",  # U+9E7D → U+5869
    "穗": "穂",  # U+7A57 → U+7A42
    "稻": "稲",  # U+7A3B → U+7A32
    "絲": "糸",  # U+7D72 → U+7CF8
    "齒": "歯",  # U+9F52 → U+6B6F
    "壯": "壮",  # U+58EF → U+58EE
    "乘": "乗",  # U+4E58 → U+4E57
    "淨": "浄",  # U+6DE8 → U+6D44
    "盡": "尽",  # U+76E1 → U+5C3D
    "發": "発",  # U+767C → U+767A
    "拜": "拝",  # U+62DC → U+62DD
    "拔": "抜",  # U+62D4 → U+629C
    "晝": "昼",  # U+665D → U+663C
    "賴": "頼",  # U+8CF4 → U+983C
    "瀧": "滝",  # U+7027 → U+6EDD
    "寬": "寛",  # U+5BEC → U+5BDB
    "靑": "青",  # U+9751 → U+9752
    "淸": "清",  # U+6DF8 → U+6E05
    "步": "歩",  # U+6B65 → U+6B69
    "涉": "渉",  # U+6D89 → U+6E09
    "悅": "悦",  # U+6085 → U+60A6
    "聽": "聴",  # U+807D → U+8074
    "廳": "庁",  # U+5EF3 → U+5E81
    "卷": "巻",  # U+5377 → U+5DFB
    "劍": "剣",  # U+528D → U+5263
    "螢": "蛍",  # U+87A2 → U+86CD
    "靈": "霊",  # U+9748 → U+970A
    "繩": "縄",  # U+7E69 → U+7E04
    "鄕": "郷",  # U+9115 → U+90F7
    "顏": "顔",  # U+984F → U+9854
    "驗": "験",  # U+9A57 → U+9A13
    "黨": "党",  # U+9EE8 → U+515A
    "稱": "称",  # U+7A31 → U+79F0
    "盜": "盗",  # U+76DC → U+76D7
    "讓": "譲",  # U+8B93 → U+8B72
    "釀": "醸",  # U+91C0 → U+91B8
    "藝": "芸",  # U+85DD → U+82B8
    "豫": "予",  # U+8C6B → U+4E88
    "餘": "余",  # U+9918 → U+4F59
    "檢": "検",  # U+6AA2 → U+691C
    "單": "単",  # U+55AE → U+5358
    "嚴": "厳",  # U+56B4 → U+53B3
    "從": "従",  # U+5F9E → U+5F93
    "總": "総",  # U+7E3D → U+7DCF
    "聰": "聡",  # U+8070 → U+8061
    "濟": "済",  # U+6FDF → U+6E08
    "擇": "択",  # U+64C7 → U+629E
    "隱": "隠",  # U+96B1 → U+96A0
    "雜": "雑",  # U+96DC → U+96D1
    "攝": "摂",  # U+651D → U+6442
    "勳": "勲",  # U+52F3 → U+52F2
    "佛": "仏",  # U+4F5B → U+4ECF
    "拂": "払",  # U+62C2 → U+6255
    "奧": "奥",  # U+5967 → U+5965
    "溫": "温",  # U+6EAB → U+6E29
}

#: Distinct characters that are commonly used interchangeably in names.
#: Applied after :data:`STRICT_FOLDS` when ``loose=True``.
LOOSE_FOLDS: dict[str, str] = {
    "斉": "斎",  # U+6589 → U+658E  斉藤 and 斎藤 are registered separately
    "龍": "竜",  # U+9F8D → U+7ADC  both are common in given names
    "萬": "万",  # U+842C → U+4E07  萬 is kept as written in many names
    "舘": "館",  # U+8218 → U+9928  舘野 and 館野 are both in use
    "凜": "凛",  # U+51DC → U+51DB  both are 人名用漢字
}


def _compose(strict: dict[str, str], loose: dict[str, str]) -> dict[str, str]:
    """Return ``strict`` followed by ``loose`` as one mapping (e.g. 齊 → 斉 → 斎)."""
    combined = {source: loose.get(target, target) for source, target in strict.items()}
    combined.update(loose)
    return combined


_STRICT_TABLE = str.maketrans(STRICT_FOLDS)
_LOOSE_TABLE = str.maketrans(_compose(STRICT_FOLDS, LOOSE_FOLDS))


def fold_variants(text: str, *, loose: bool = False) -> str:
    """Replace kanji variants in ``text`` with their common forms.

    ``fold_variants("髙橋")`` is ``"高橋"`` and ``fold_variants("山﨑")`` is
    ``"山崎"``. With ``loose=True`` the pairs in :data:`LOOSE_FOLDS` are folded
    as well, so ``fold_variants("斉藤", loose=True)`` is ``"斎藤"``. Every other
    character is returned unchanged; the result has the same length as
    ``text``. Apply NFKC first so that compatibility ideographs are unified.
    """
    return text.translate(_LOOSE_TABLE if loose else _STRICT_TABLE)
