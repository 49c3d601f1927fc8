"""Synthetic population of Japanese agency client records with ground truth, for record linkage.

::

    .venv/bin/python bench/linkage/population2.py --records 100000 --seed 1 --out /tmp/pop2

The output describes one fictional city (岐阜県美濃川市) whose residents are known to seven
agencies: 生活保護, 高齢介護, 障害福祉, 子ども家庭, 社協, 地域包括 and 保健センター. Each agency
keeps its own ledger with its own id scheme, date format, sex codes, kana convention and address
habits.
Files written: ``records.csv`` (what the agencies hold), ``truth.csv`` (person and household of
every record), ``tags.csv`` (how each record departs from the person's true, current data) and
``relations.csv`` (pairs of different persons that are easy to confuse).

How records go wrong in this model
----------------------------------
A generator that takes one clean record and perturbs each field independently produces errors
that are uncorrelated with each other and with the people behind them. Real agency data do not
look like that. Here errors come from how and when each agency collected the data:

* **Time of registration.** Every record is registered in some year and reflects the person as
  they were then. People move within the city and women (and the occasional 婿養子 husband) change
  family name at marriage. Agencies fed from the resident registry (介護保険, 保健センター) update
  almost always; hand-kept ledgers (社協, 地域包括) often do not. A stale record therefore carries a
  previous address and, when registered before marriage, the family name before marriage, both
  at once. The same agency sometimes registered a person twice (re-application after a move or
  name change), so duplicates exist inside one source too.
* **First contact.** Consultations that start on the phone or at the counter record what was
  heard: the name only in kana when the kanji are unknown, no kana when nobody asked, a reading
  with one wrong kana, a given name written with a kanji that has the same reading.
* **Forms and systems.** 和暦 is written in several notations and is the source of era slips
  (wrong era with the same number, or an off-by-one year from the era offset). Dates are
  entered by hand (transposed day and month, neighbour day, neighbour year, mistyped digit).
  Old mainframe ledgers keep kana in half-width characters with a fixed field length and cut
  long readings. Address blocks are written as 3丁目12番5号, 三丁目十二番五号, 3-12-5, ３－１２－５;
  rural 大字/字 are dropped or added; building names appear in half-width kana, without 号室, or
  not at all. Registry forms of kanji (髙, 﨑, 齋, 邊 …) are typed as their common forms or the
  other way round.
* **Families.** Households share a landline; children and elderly people without a phone are
  reached on a relative's mobile, including a sibling living elsewhere. Given names are handed
  down from father to son (and mother to daughter), so an 8050 household may hold two people with
  the same full name born thirty years apart; brothers are named 健一 and 健二; twins share a
  date of birth. Common names (佐藤 健一) recur among strangers born in the same year.

Population
----------
Households are drawn by kind: elderly people living alone (some with a sibling elsewhere as
their contact), elderly and younger couples, 8050 households (a parent of 76-98 and an unmarried
child of 40-62, sharing the parent's given name in about three in ten), families with children
(twins in about 1% of births), single parents, three-generation households and elderly siblings
living together. Family names come from about 200 common names with a steep skew (佐藤, 鈴木,
高橋 …) and a long tail of composed rarer names; given names come from lists per generation and sex,
with several kanji for one reading. Persons are known to one agency or several (more for complex
households; 生活保護 covers a whole household), about 2.1 records per person, and the number of
persons follows from ``--records``.

The person's true data are their current name (registry kanji), reading, date of birth, sex,
current address (in the canonical 「県市町N丁目N番N号 建物 N号室」 form) and contact phones. A
record is tagged with every way it departs from that truth, with one exception: omitting the
prefecture and city is not tagged, because every address lies in the same city. A phone that is a
relative's number used as the person's contact is part of the person's contact data, not an
error. Everything is drawn from ``random.Random(seed)``; the same arguments give byte-identical
files. Ages are taken at the reference date 2026-12-01.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import os
import random
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Generic, TypeVar

T = TypeVar("T")

REF_DATE = date(2026, 12, 1)
REF_YEAR = REF_DATE.year
PREF = "岐阜県"
CITY = "美濃川市"
AREA_CODE = "0574"

TAGS = (
    "dob_transposed",
    "dob_day1",
    "dob_year1",
    "dob_digit",
    "dob_era",
    "dob_missing",
    "maiden",
    "kana_only",
    "kanji_variant",
    "kana_typo",
    "kana_missing",
    "addr_form",
    "addr_old",
    "addr_missing",
    "phone_missing",
    "sex_missing",
    "given_truncated",
    "name_typo",
)
TAG_INDEX = {t: i for i, t in enumerate(TAGS)}

RELATIONS = (
    "parent_child_same_name",
    "twins",
    "similar_name_relative",
    "siblings_shared_phone",
    "same_name_stranger",
    "spouse",
)

# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------

FAMILY_NAMES: tuple[tuple[str, str], ...] = (
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"),
    ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"),
    ("小林", "コバヤシ"), ("加藤", "カトウ"), ("吉田", "ヨシダ"), ("山田", "ヤマダ"),
    ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"), ("井上", "イノウエ"),
    ("木村", "キムラ"), ("林", "ハヤシ"), ("斎藤", "サイトウ"), ("清水", "シミズ"),
    ("山崎", "ヤマザキ"), ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"),
    ("阿部", "アベ"), ("石川", "イシカワ"), ("山下", "ヤマシタ"), ("中島", "ナカジマ"),
    ("石井", "イシイ"), ("小川", "オガワ"), ("前田", "マエダ"), ("岡田", "オカダ"),
    ("長谷川", "ハセガワ"), ("藤田", "フジタ"), ("後藤", "ゴトウ"), ("近藤", "コンドウ"),
    ("村上", "ムラカミ"), ("遠藤", "エンドウ"), ("青木", "アオキ"), ("坂本", "サカモト"),
    ("斉藤", "サイトウ"), ("福田", "フクダ"), ("太田", "オオタ"), ("西村", "ニシムラ"),
    ("藤井", "フジイ"), ("金子", "カネコ"), ("岡本", "オカモト"), ("藤原", "フジワラ"),
    ("中野", "ナカノ"), ("三浦", "ミウラ"), ("原田", "ハラダ"), ("中川", "ナカガワ"),
    ("松田", "マツダ"), ("竹内", "タケウチ"), ("小野", "オノ"), ("田村", "タムラ"),
    ("中山", "ナカヤマ"), ("和田", "ワダ"), ("石田", "イシダ"), ("森田", "モリタ"),
    ("上田", "ウエダ"), ("原", "ハラ"), ("内田", "ウチダ"), ("柴田", "シバタ"),
    ("酒井", "サカイ"), ("宮崎", "ミヤザキ"), ("横山", "ヨコヤマ"), ("高木", "タカギ"),
    ("安藤", "アンドウ"), ("宮本", "ミヤモト"), ("大野", "オオノ"), ("小島", "コジマ"),
    ("谷口", "タニグチ"), ("今井", "イマイ"), ("工藤", "クドウ"), ("高田", "タカダ"),
    ("増田", "マスダ"), ("丸山", "マルヤマ"), ("杉山", "スギヤマ"), ("村田", "ムラタ"),
    ("大塚", "オオツカ"), ("新井", "アライ"), ("小山", "コヤマ"), ("平野", "ヒラノ"),
    ("藤本", "フジモト"), ("河野", "コウノ"), ("上野", "ウエノ"), ("野口", "ノグチ"),
    ("武田", "タケダ"), ("松井", "マツイ"), ("千葉", "チバ"), ("岩崎", "イワサキ"),
    ("菅原", "スガワラ"), ("木下", "キノシタ"), ("久保", "クボ"), ("佐野", "サノ"),
    ("野村", "ノムラ"), ("松尾", "マツオ"), ("市川", "イチカワ"), ("菊地", "キクチ"),
    ("杉本", "スギモト"), ("古川", "フルカワ"), ("大西", "オオニシ"), ("島田", "シマダ"),
    ("水野", "ミズノ"), ("桜井", "サクライ"), ("高野", "タカノ"), ("渡部", "ワタナベ"),
    ("吉川", "ヨシカワ"), ("山内", "ヤマウチ"), ("西田", "ニシダ"), ("飯田", "イイダ"),
    ("菊池", "キクチ"), ("西川", "ニシカワ"), ("小松", "コマツ"), ("北村", "キタムラ"),
    ("安田", "ヤスダ"), ("五十嵐", "イガラシ"), ("川口", "カワグチ"), ("平田", "ヒラタ"),
    ("関", "セキ"), ("中田", "ナカタ"), ("久保田", "クボタ"), ("服部", "ハットリ"),
    ("東", "アズマ"), ("岩田", "イワタ"), ("土屋", "ツチヤ"), ("川崎", "カワサキ"),
    ("福島", "フクシマ"), ("本田", "ホンダ"), ("辻", "ツジ"), ("樋口", "ヒグチ"),
    ("秋山", "アキヤマ"), ("田口", "タグチ"), ("永井", "ナガイ"), ("山中", "ヤマナカ"),
    ("中西", "ナカニシ"), ("吉村", "ヨシムラ"), ("川上", "カワカミ"), ("大橋", "オオハシ"),
    ("石原", "イシハラ"), ("松岡", "マツオカ"), ("浜田", "ハマダ"), ("馬場", "ババ"),
    ("森本", "モリモト"), ("矢野", "ヤノ"), ("浅野", "アサノ"), ("松下", "マツシタ"),
    ("星野", "ホシノ"), ("大久保", "オオクボ"), ("吉岡", "ヨシオカ"), ("小池", "コイケ"),
    ("野田", "ノダ"), ("荒木", "アラキ"), ("大谷", "オオタニ"), ("内藤", "ナイトウ"),
    ("松浦", "マツウラ"), ("熊谷", "クマガイ"), ("黒田", "クロダ"), ("尾崎", "オザキ"),
    ("永田", "ナガタ"), ("川村", "カワムラ"), ("望月", "モチヅキ"), ("田辺", "タナベ"),
    ("松村", "マツムラ"), ("荒井", "アライ"), ("堀", "ホリ"), ("大島", "オオシマ"),
    ("平井", "ヒライ"), ("早川", "ハヤカワ"), ("菅野", "カンノ"), ("栗原", "クリハラ"),
    ("西山", "ニシヤマ"), ("広瀬", "ヒロセ"), ("横田", "ヨコタ"), ("石橋", "イシバシ"),
    ("萩原", "ハギワラ"), ("岩本", "イワモト"), ("片山", "カタヤマ"), ("関口", "セキグチ"),
    ("宮田", "ミヤタ"), ("大石", "オオイシ"), ("高山", "タカヤマ"), ("本間", "ホンマ"),
    ("吉野", "ヨシノ"), ("須藤", "スドウ"), ("岡崎", "オカザキ"), ("小田", "オダ"),
    ("伊東", "イトウ"), ("鎌田", "カマタ"), ("上原", "ウエハラ"), ("篠原", "シノハラ"),
    ("小西", "コニシ"), ("松原", "マツバラ"), ("福井", "フクイ"), ("古田", "フルタ"),
    ("大川", "オオカワ"), ("沢田", "サワダ"), ("中沢", "ナカザワ"), ("高島", "タカシマ"),
    ("長尾", "ナガオ"), ("林田", "ハヤシダ"), ("梅田", "ウメダ"), ("長瀬", "ナガセ"),
)  # fmt: skip

# The long tail of rarer family names, composed from common first and second elements. Some
# composed readings differ from the real ones; that does not matter for linkage.
TAIL_FIRST: tuple[tuple[str, str], ...] = (
    ("北", "キタ"), ("南", "ミナミ"), ("西", "ニシ"), ("大", "オオ"), ("小", "コ"), ("中", "ナカ"),
    ("高", "タカ"), ("長", "ナガ"), ("宮", "ミヤ"), ("石", "イシ"), ("岩", "イワ"), ("松", "マツ"),
    ("杉", "スギ"), ("梅", "ウメ"), ("竹", "タケ"), ("森", "モリ"), ("堀", "ホリ"), ("藤", "フジ"),
    ("菊", "キク"), ("桑", "クワ"), ("柳", "ヤナギ"), ("吉", "ヨシ"), ("若", "ワカ"),
    ("古", "フル"), ("今", "イマ"), ("浅", "アサ"), ("深", "フカ"), ("細", "ホソ"), ("黒", "クロ"),
    ("白", "シラ"), ("赤", "アカ"), ("青", "アオ"), ("金", "カネ"), ("平", "ヒラ"), ("福", "フク"),
    ("永", "ナガ"), ("市", "イチ"), ("桜", "サクラ"), ("芦", "アシ"), ("稲", "イナ"),
    ("植", "ウエ"), ("奥", "オク"), ("春", "ハル"), ("秋", "アキ"), ("滝", "タキ"), ("柴", "シバ"),
    ("宇", "ウ"), ("谷", "タニ"),
)  # fmt: skip
TAIL_SECOND: tuple[tuple[str, str, str], ...] = (
    ("田", "タ", "ダ"), ("川", "カワ", "ガワ"), ("山", "ヤマ", "ヤマ"), ("野", "ノ", "ノ"),
    ("村", "ムラ", "ムラ"), ("本", "モト", "モト"), ("井", "イ", "イ"), ("沢", "サワ", "ザワ"),
    ("島", "シマ", "ジマ"), ("原", "ハラ", "バラ"), ("口", "クチ", "グチ"), ("崎", "サキ", "ザキ"),
    ("木", "キ", "ギ"), ("橋", "ハシ", "バシ"), ("岡", "オカ", "オカ"), ("内", "ウチ", "ウチ"),
    ("瀬", "セ", "セ"), ("尾", "オ", "オ"), ("江", "エ", "エ"), ("浜", "ハマ", "ハマ"),
    ("部", "ベ", "ベ"), ("辺", "ベ", "ベ"),
)  # fmt: skip


def _tail_family_names() -> tuple[tuple[str, str], ...]:
    common = {k for k, _ in FAMILY_NAMES}
    out: list[tuple[str, str]] = []
    for i, (k1, r1) in enumerate(TAIL_FIRST):
        for j, (k2, plain, voiced) in enumerate(TAIL_SECOND):
            if k1 + k2 not in common and k1 != k2:
                out.append((k1 + k2, r1 + (voiced if (i + j) % 2 == 0 else plain)))
    return tuple(out)


TAIL_FAMILY_NAMES = _tail_family_names()

# Given names by generation: (kanji, reading). Several kanji per reading on purpose.
GIVEN_NAMES: dict[tuple[int, str], tuple[tuple[str, str], ...]] = {
    (0, "M"): (
        ("清", "キヨシ"), ("茂", "シゲル"), ("勇", "イサム"), ("実", "ミノル"), ("正", "タダシ"),
        ("博", "ヒロシ"), ("弘", "ヒロシ"), ("進", "ススム"), ("武", "タケシ"), ("勝", "マサル"),
        ("明", "アキラ"), ("三郎", "サブロウ"), ("一郎", "イチロウ"), ("次郎", "ジロウ"),
        ("正雄", "マサオ"), ("義雄", "ヨシオ"), ("和夫", "カズオ"), ("秀夫", "ヒデオ"),
        ("幸雄", "ユキオ"), ("昭", "アキラ"), ("修", "オサム"), ("豊", "ユタカ"), ("稔", "ミノル"),
        ("隆", "タカシ"), ("孝", "タカシ"), ("太郎", "タロウ"), ("正夫", "マサオ"),
        ("光男", "ミツオ"), ("栄", "サカエ"), ("久雄", "ヒサオ"), ("忠", "タダシ"),
        ("功", "イサオ"),
        ("敏夫", "トシオ"), ("俊夫", "トシオ"), ("徳治", "トクジ"), ("辰雄", "タツオ"),
    ),
    (0, "F"): (
        ("和子", "カズコ"), ("幸子", "サチコ"), ("節子", "セツコ"), ("洋子", "ヨウコ"),
        ("ハル", "ハル"), ("キヨ", "キヨ"), ("トメ", "トメ"), ("ミツ", "ミツ"), ("ヨシ", "ヨシ"),
        ("フミ", "フミ"), ("悦子", "エツコ"), ("久子", "ヒサコ"), ("美代子", "ミヨコ"),
        ("恵子", "ケイコ"), ("京子", "キョウコ"), ("弘子", "ヒロコ"), ("信子", "ノブコ"),
        ("澄子", "スミコ"), ("文子", "フミコ"), ("千代子", "チヨコ"), ("静子", "シズコ"),
        ("照子", "テルコ"), ("春子", "ハルコ"), ("ヨシ子", "ヨシコ"), ("とし子", "トシコ"),
        ("一子", "カズコ"), ("栄子", "エイコ"), ("貞子", "サダコ"), ("和代", "カズヨ"),
        ("キミ子", "キミコ"), ("正子", "マサコ"), ("昌子", "マサコ"), ("花子", "ハナコ"),
    ),
    (1, "M"): (
        ("誠", "マコト"), ("真", "マコト"), ("浩", "ヒロシ"), ("博", "ヒロシ"), ("隆", "タカシ"),
        ("崇", "タカシ"), ("健一", "ケンイチ"), ("健二", "ケンジ"), ("健司", "ケンジ"),
        ("聡", "サトシ"), ("哲也", "テツヤ"), ("和也", "カズヤ"), ("達也", "タツヤ"),
        ("直樹", "ナオキ"), ("大輔", "ダイスケ"), ("剛", "ツヨシ"), ("学", "マナブ"),
        ("修", "オサム"), ("淳", "ジュン"), ("健太郎", "ケンタロウ"), ("一郎", "イチロウ"),
        ("誠一", "セイイチ"), ("浩二", "コウジ"), ("幸二", "コウジ"), ("秀樹", "ヒデキ"),
        ("英樹", "ヒデキ"), ("拓也", "タクヤ"), ("亮", "リョウ"), ("智之", "トモユキ"),
        ("正人", "マサト"), ("雅人", "マサト"), ("太郎", "タロウ"), ("裕之", "ヒロユキ"),
        ("祐介", "ユウスケ"), ("雄一", "ユウイチ"),
    ),
    (1, "F"): (
        ("恵子", "ケイコ"), ("裕子", "ユウコ"), ("優子", "ユウコ"), ("祐子", "ユウコ"),
        ("智子", "トモコ"), ("友子", "トモコ"), ("久美子", "クミコ"), ("由美子", "ユミコ"),
        ("直美", "ナオミ"), ("明美", "アケミ"), ("真由美", "マユミ"), ("美穂", "ミホ"),
        ("恵", "メグミ"), ("愛", "アイ"), ("陽子", "ヨウコ"), ("洋子", "ヨウコ"),
        ("和美", "カズミ"), ("和代", "カズヨ"), ("順子", "ジュンコ"), ("由紀", "ユキ"),
        ("香織", "カオリ"), ("麻衣", "マイ"), ("真理子", "マリコ"), ("純子", "ジュンコ"),
        ("典子", "ノリコ"), ("紀子", "ノリコ"), ("美香", "ミカ"), ("さおり", "サオリ"),
        ("綾", "アヤ"), ("幸恵", "ユキエ"),
    ),
    (2, "M"): (
        ("翔太", "ショウタ"), ("翔", "ショウ"), ("大輝", "ダイキ"), ("大樹", "ダイキ"),
        ("蓮", "レン"), ("悠斗", "ユウト"), ("陽翔", "ハルト"), ("湊", "ミナト"),
        ("颯太", "ソウタ"), ("蒼", "アオイ"), ("拓海", "タクミ"), ("健太", "ケンタ"),
        ("大翔", "ヒロト"), ("悠真", "ユウマ"), ("優斗", "ユウト"), ("陸", "リク"),
        ("樹", "イツキ"), ("海斗", "カイト"), ("颯", "ハヤテ"), ("涼太", "リョウタ"),
        ("匠", "タクミ"), ("陽太", "ヨウタ"), ("奏太", "ソウタ"), ("律", "リツ"),
        ("朝陽", "アサヒ"), ("大和", "ヤマト"),
    ),
    (2, "F"): (
        ("陽菜", "ヒナ"), ("結衣", "ユイ"), ("結愛", "ユア"), ("美咲", "ミサキ"),
        ("さくら", "サクラ"), ("葵", "アオイ"), ("凛", "リン"), ("芽依", "メイ"), ("愛", "アイ"),
        ("彩花", "アヤカ"), ("七海", "ナナミ"), ("優奈", "ユウナ"), ("結菜", "ユイナ"),
        ("莉子", "リコ"), ("美羽", "ミウ"), ("花", "ハナ"), ("杏", "アン"), ("紬", "ツムギ"),
        ("陽葵", "ヒマリ"), ("心春", "コハル"), ("咲良", "サクラ"), ("桜", "サクラ"),
        ("菜々子", "ナナコ"), ("彩", "アヤ"), ("舞", "マイ"),
    ),
}  # fmt: skip

# Pairs of given names a parent gives to twins or to a child after themselves.
TWIN_NAMES: dict[str, tuple[tuple[tuple[str, str], tuple[str, str]], ...]] = {
    "M": (
        (("大輝", "ダイキ"), ("大樹", "ダイキ")),
        (("翔太", "ショウタ"), ("翔大", "ショウタ")),
        (("健太", "ケンタ"), ("健斗", "ケント")),
        (("悠斗", "ユウト"), ("悠真", "ユウマ")),
        (("一輝", "カズキ"), ("和輝", "カズキ")),
    ),
    "F": (
        (("陽菜", "ヒナ"), ("陽奈", "ヒナ")),
        (("結衣", "ユイ"), ("結依", "ユイ")),
        (("美咲", "ミサキ"), ("美咲希", "ミサキ")),
        (("彩花", "アヤカ"), ("綾香", "アヤカ")),
        (("愛", "アイ"), ("藍", "アイ")),
    ),
}
# A child named after a parent with one character changed: 誠 -> 誠一, 和子 -> 和代.
DERIVED_NAMES: dict[str, tuple[tuple[str, str], ...]] = {
    "誠": (("誠一", "セイイチ"), ("誠也", "セイヤ")),
    "浩": (("浩一", "コウイチ"), ("浩之", "ヒロユキ")),
    "隆": (("隆之", "タカユキ"), ("隆史", "タカシ")),
    "正": (("正一", "ショウイチ"), ("正人", "マサト")),
    "博": (("博之", "ヒロユキ"),),
    "健一": (("健太", "ケンタ"), ("健二", "ケンジ")),
    "和也": (("和樹", "カズキ"),),
    "直樹": (("直人", "ナオト"),),
    "大輔": (("大樹", "ダイキ"),),
    "秀樹": (("秀人", "ヒデト"),),
    "達也": (("達彦", "タツヒコ"),),
    "翔太": (("翔", "ショウ"),),
    "和子": (("和代", "カズヨ"), ("和美", "カズミ")),
    "恵子": (("恵美", "エミ"),),
    "裕子": (("裕美", "ヒロミ"),),
    "智子": (("智美", "トモミ"),),
    "幸子": (("幸恵", "ユキエ"),),
    "洋子": (("洋美", "ヒロミ"),),
    "明美": (("明子", "アキコ"),),
    "久美子": (("久美", "クミ"),),
    "直美": (("直子", "ナオコ"),),
}
# Brothers: 健一 / 健二 style.
BROTHER_NAMES = (
    (("健一", "ケンイチ"), ("健二", "ケンジ")),
    (("一郎", "イチロウ"), ("二郎", "ジロウ")),
    (("浩一", "コウイチ"), ("浩二", "コウジ")),
    (("誠一", "セイイチ"), ("誠二", "セイジ")),
    (("和也", "カズヤ"), ("和樹", "カズキ")),
)

# Registry forms and common forms of the same kanji.
VARIANT_CLASSES: tuple[tuple[str, ...], ...] = (
    ("高", "髙"),
    ("崎", "﨑", "嵜"),
    ("斎", "齋", "齊"),
    ("辺", "邊", "邉"),
    ("沢", "澤"),
    ("浜", "濱"),
    ("島", "嶋", "嶌"),
    ("吉", "𠮷"),
    ("広", "廣"),
    ("桜", "櫻"),
    ("恵", "惠"),
    ("栄", "榮"),
    ("真", "眞"),
)
VARIANTS: dict[str, tuple[str, ...]] = {}
STANDARD_FORM: dict[str, str] = {}
for _cls in VARIANT_CLASSES:
    _uniq = tuple(dict.fromkeys(_cls))
    if len(_uniq) < 2:
        continue
    for _c in _uniq:
        VARIANTS[_c] = tuple(x for x in _uniq if x != _c)
        STANDARD_FORM[_c] = _uniq[0]

LOOKALIKE = {
    "大": "太", "太": "大", "未": "末", "末": "未", "士": "土", "土": "士", "己": "巳",
    "治": "冶", "祐": "裕", "裕": "祐", "幸": "辛", "崇": "祟", "博": "傅", "輔": "補",
    "恵": "慧", "和": "知", "美": "実", "子": "了", "雄": "唯", "樹": "澍", "浩": "活",
}  # fmt: skip

KANA_CONFUSION = {
    "カ": "ガ", "ガ": "カ", "キ": "ギ", "ギ": "キ", "ク": "グ", "グ": "ク", "コ": "ゴ", "ゴ": "コ",
    "サ": "ザ", "ザ": "サ", "シ": "ジ", "ジ": "シ", "ス": "ズ", "ズ": "ヅ", "ヅ": "ズ",
    "タ": "ダ", "ダ": "タ", "ト": "ド", "ド": "ト", "テ": "デ", "デ": "テ", "チ": "ヂ",
    "ハ": "バ", "バ": "ハ", "ヒ": "ビ", "ビ": "ヒ", "フ": "ブ", "ブ": "フ", "ホ": "ボ",
    "ボ": "ホ", "ョ": "ヨ", "ヨ": "ョ", "ュ": "ユ", "ユ": "ュ", "ャ": "ヤ", "ッ": "ツ",
    "ツ": "ッ", "ウ": "オ", "オ": "ウ", "イ": "エ", "エ": "イ", "ン": "ソ", "ソ": "ン",
    "ロ": "ル", "ル": "ロ", "メ": "ネ", "ネ": "メ", "ワ": "ウ",
}  # fmt: skip

# ---------------------------------------------------------------------------------------------
# Places
# ---------------------------------------------------------------------------------------------

URBAN_TOWNS: tuple[tuple[str, int], ...] = (
    ("本町", 4), ("栄町", 3), ("旭町", 3), ("中央", 5), ("緑町", 2), ("東町", 3), ("西町", 3),
    ("若葉台", 4), ("桜ケ丘", 3), ("駅前", 2), ("松原", 3), ("新町", 2), ("寿町", 2),
    ("宮前", 3), ("日の出町", 2), ("朝日ケ丘", 4), ("清水町", 2), ("高砂", 3),
)  # fmt: skip
TOWN_SPELLINGS = {"桜ケ丘": ("桜ヶ丘", "桜が丘"), "朝日ケ丘": ("朝日ヶ丘", "朝日が丘")}

# (大字, 字 list, whether the canonical address carries 大字)
RURAL_AREAS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("北山", ("東田", "西田", "上野", "下河原"), True),
    ("南沢", ("宮ノ前", "中島", "大門"), True),
    ("大平", ("向井", "堂ノ上"), True),
    ("川合", (), True),
    ("上有知", ("一ノ瀬", "釜ケ洞"), True),
    ("蜂屋", (), False),
    ("下切", ("柿田",), True),
    ("山之上", (), False),
)
BUILDINGS: tuple[str, ...] = (
    "コーポ桜", "メゾン旭", "ハイツ松原", "サンハイム本町", "グランドール栄", "レジデンス中央",
    "パークサイド緑", "市営旭団地3号棟", "県営若葉台住宅2号棟", "アーバンコート駅前",
    "シャトレ寿", "フォレスト宮前", "ハイツ高砂", "コーポ東", "メゾン・ド・西町",
)  # fmt: skip

ERAS: tuple[tuple[str, str, date], ...] = (
    ("令和", "R", date(2019, 5, 1)),
    ("平成", "H", date(1989, 1, 8)),
    ("昭和", "S", date(1926, 12, 25)),
    ("大正", "T", date(1912, 7, 30)),
    ("明治", "M", date(1868, 1, 25)),
)

# ---------------------------------------------------------------------------------------------
# Character helpers
# ---------------------------------------------------------------------------------------------


def _build_halfwidth() -> dict[str, str]:
    table: dict[str, str] = {}
    for cp in range(0xFF61, 0xFFA0):
        half = chr(cp)
        full = unicodedata.normalize("NFKC", half)
        if len(full) == 1:
            table.setdefault(full, half)
    for cp in range(0x30A1, 0x30FB):
        kata = chr(cp)
        if kata in table:
            continue
        parts = unicodedata.normalize("NFD", kata)
        if len(parts) == 2 and parts[0] in table:
            table[kata] = table[parts[0]] + ("ﾞ" if parts[1] == "\u3099" else "ﾟ")
    table["　"] = " "
    return table


HALFWIDTH = _build_halfwidth()
FULLWIDTH_DIGITS = str.maketrans("0123456789-()", "０１２３４５６７８９－（）")
KANJI_DIGITS = "〇一二三四五六七八九"


def to_halfwidth(s: str) -> str:
    return "".join(HALFWIDTH.get(c, c) for c in s)


def to_hiragana(s: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in s)


def kanji_number(n: int) -> str:
    if n < 10:
        return KANJI_DIGITS[n]
    out = ""
    for value, unit in ((1000, "千"), (100, "百"), (10, "十")):
        q, n = divmod(n, value)
        if q:
            out += ("" if q == 1 else KANJI_DIGITS[q]) + unit
    if n:
        out += KANJI_DIGITS[n]
    return out


def normalize_variants(s: str) -> str:
    return "".join(STANDARD_FORM.get(c, c) for c in s)


def edit_distance_le1(a: str, b: str) -> bool:
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        return sum(1 for x, y in zip(a, b, strict=True) if x != y) == 1
    if la > lb:
        a, b = b, a
    return any(b[:i] + b[i + 1 :] == a for i in range(len(b)))


def similar_given(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """Given names easy to confuse: same reading in other kanji, or the same stem one character
    apart (誠/誠一, 和子/和代, 健一/健二)."""
    if a[0] == b[0]:
        return False
    if a[1] == b[1]:
        return True
    return a[0][0] == b[0][0] and edit_distance_le1(a[0], b[0])


# ---------------------------------------------------------------------------------------------
# Random helpers
# ---------------------------------------------------------------------------------------------


class Picker(Generic[T]):
    """Weighted choice with a precomputed cumulative table."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum: list[float] = []
        acc = 0.0
        for w in weights:
            acc += w
            self.cum.append(acc)
        self.total = acc

    def __call__(self, rng: random.Random) -> T:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def zipf_picker(items: Sequence[T], exponent: float, offset: float) -> Picker[T]:
    return Picker(items, [1.0 / (i + offset) ** exponent for i in range(len(items))])


def pick_map(choices: dict[str, float]) -> Picker[str]:
    return Picker(list(choices), list(choices.values()))


def random_date(rng: random.Random, lo: date, hi: date) -> date:
    return date.fromordinal(rng.randint(lo.toordinal(), hi.toordinal()))


class IdPool:
    """Unique random numbers below a bound that grows tenfold when the pool gets crowded."""

    __slots__ = ("bound", "used")

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self.used: set[int] = set()

    def draw(self, rng: random.Random) -> int:
        if len(self.used) * 3 > self.bound:
            self.bound *= 10
        while True:
            n = rng.randrange(1, self.bound)
            if n not in self.used:
                self.used.add(n)
                return n


# ---------------------------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Address:
    town: str
    chome: int = 0
    ban: int = 0
    go: int = 0
    building: str = ""
    room: int = 0
    rural: bool = False
    aza: str = ""
    banchi: int = 0
    eda: int = 0
    has_oaza: bool = False


@dataclass(slots=True)
class Period:
    start: int
    family: str
    family_kana: str
    address: Address


@dataclass(slots=True)
class Person:
    pid: int
    hid: int
    sex: str
    dob: date
    family: str
    family_kana: str
    given: str
    given_kana: str
    mobile: str = ""
    phones: list[str] = field(default_factory=list)
    periods: list[Period] = field(default_factory=list)
    role: str = "adult"

    @property
    def age(self) -> int:
        d = self.dob
        return REF_YEAR - d.year - ((REF_DATE.month, REF_DATE.day) < (d.month, d.day))


@dataclass(slots=True)
class Agency:
    name: str
    id_kind: str
    start_year: int
    dob_styles: Picker[str]
    sex_codes: tuple[str, str]
    name_sep: Picker[str]
    kana_style: Picker[str]
    kana_sep: Picker[str]
    kana_max: int
    kana_missing: float
    kana_only: float
    addr_prefix: Picker[str]
    addr_block: Picker[str]
    addr_rural: Picker[str]
    addr_building: Picker[str]
    addr_missing: float
    phone_style: Picker[str]
    phone_missing: float
    sex_missing: float
    dob_missing: float
    error_scale: float
    update: float
    duplicate: float
    prefers_landline: bool


def _agencies() -> list[Agency]:
    blocks_canon = {"canon": 0.6, "hyphen": 0.3, "mixed": 0.1}
    rural_default = {"canon": 0.6, "drop_aza": 0.2, "drop_both": 0.15, "add_oaza": 0.05}
    bldg_default = {
        "canon": 0.6, "nospace": 0.25, "halfkana": 0.03, "room_only": 0.04, "missing": 0.08
    }  # fmt: skip
    return [
        Agency(
            "生活保護", "SH", 1995, pick_map({"wareki_kanji": 0.6, "wareki_dot": 0.2, "iso": 0.2}),
            ("男", "女"), pick_map({"　": 0.7, "": 0.3}), pick_map({"kata": 1.0}),
            pick_map({"　": 0.6, " ": 0.2, "": 0.2}), 0, 0.01, 0.01,
            pick_map({"full": 0.3, "city": 0.3, "none": 0.4}), pick_map(blocks_canon),
            pick_map(rural_default), pick_map(bldg_default), 0.01,
            pick_map({"hyphen": 0.9, "paren": 0.1}), 0.3, 0.005, 0.005, 1.0, 0.85, 0.04, True,
        ),
        Agency(
            "高齢介護", "KH", 2000, pick_map({"wareki_dot0": 0.6, "compact": 0.4}),
            ("1", "2"), pick_map({"　": 1.0}), pick_map({"half": 1.0}), pick_map({" ": 1.0}),
            11, 0.0, 0.0, pick_map({"none": 0.6, "full": 0.4}),
            pick_map({"hyphen": 0.7, "canon": 0.3}),
            pick_map({"canon": 0.8, "drop_aza": 0.2}),
            pick_map({"canon": 0.5, "nospace": 0.3, "halfkana": 0.2}), 0.0,
            pick_map({"plain": 0.5, "hyphen": 0.5}), 0.5, 0.0, 0.0, 0.3, 0.95, 0.01, True,
        ),
        Agency(
            "障害福祉", "SF", 2003, pick_map({"slash": 0.6, "wareki_kanji": 0.4}),
            ("男性", "女性"), pick_map({"　": 0.5, " ": 0.3, "": 0.2}),
            pick_map({"hira": 0.6, "kata": 0.4}), pick_map({"　": 0.5, " ": 0.3, "": 0.2}), 0,
            0.02, 0.02, pick_map({"city": 0.5, "full": 0.3, "none": 0.2}),
            pick_map({"mixed": 0.5, "canon": 0.5}), pick_map(rural_default),
            pick_map(bldg_default), 0.02, pick_map({"hyphen": 0.7, "paren": 0.3}), 0.35, 0.01,
            0.01, 0.8, 0.7, 0.03, False,
        ),
        Agency(
            "子ども家庭", "K", 2005,
            pick_map({"wareki_dot": 0.4, "iso": 0.4, "wareki_kanji": 0.2}), ("男", "女"),
            pick_map({" ": 0.5, "": 0.5}), pick_map({"kata": 0.6, "hira": 0.4}),
            pick_map({"": 0.7, " ": 0.3}), 0, 0.05, 0.02,
            pick_map({"none": 0.6, "city": 0.4}),
            pick_map({"hyphen": 0.6, "canon": 0.2, "fullwidth": 0.2}),
            pick_map({"canon": 0.4, "drop_aza": 0.3, "drop_both": 0.3}),
            pick_map({"canon": 0.3, "nospace": 0.4, "room_only": 0.2, "missing": 0.1}), 0.02,
            pick_map({"hyphen": 0.6, "plain": 0.4}), 0.25, 0.02, 0.02, 1.0, 0.6, 0.03, False,
        ),
        Agency(
            "社協", "SK", 1998,
            pick_map({"compact": 0.5, "wareki_kanji": 0.3, "slash": 0.2}), ("M", "F"),
            pick_map({" ": 0.6, "": 0.4}), pick_map({"hira": 0.7, "kata": 0.3}),
            pick_map({" ": 0.5, "": 0.5}), 0, 0.12, 0.06, pick_map({"none": 0.7, "city": 0.3}),
            pick_map({"kanji": 0.35, "canon": 0.35, "hyphen": 0.3}),
            pick_map({"canon": 0.3, "drop_aza": 0.3, "drop_both": 0.3, "add_oaza": 0.1}),
            pick_map({"canon": 0.3, "nospace": 0.3, "halfkana": 0.1, "room_only": 0.1,
                      "missing": 0.2}),
            0.05, pick_map({"paren": 0.4, "plain": 0.3, "fullwidth": 0.3}), 0.45, 0.06, 0.08,
            1.5, 0.3, 0.05, True,
        ),
        Agency(
            "地域包括", "HK", 2006,
            pick_map({"wareki_kanji": 0.5, "wareki_slash": 0.3, "slash": 0.2}),
            ("男性", "女性"), pick_map({"　": 0.5, " ": 0.5}), pick_map({"kata": 0.6, "half": 0.4}),
            pick_map({"　": 0.5, " ": 0.3, "": 0.2}), 0, 0.06, 0.07,
            pick_map({"full": 0.5, "none": 0.5}),
            pick_map({"fullwidth": 0.4, "canon": 0.3, "hyphen": 0.3}),
            pick_map(rural_default), pick_map(bldg_default), 0.05,
            pick_map({"fullwidth": 0.3, "hyphen": 0.7}), 0.35, 0.03, 0.06, 1.3, 0.5, 0.04, True,
        ),
        Agency(
            "保健センター", "HC", 1997,
            pick_map({"iso": 0.6, "wareki_slash": 0.2, "compact": 0.2}), ("1", "2"),
            pick_map({"　": 1.0}), pick_map({"kata": 1.0}), pick_map({"　": 0.7, "": 0.3}), 0,
            0.02, 0.01, pick_map({"none": 0.8, "full": 0.2}),
            pick_map({"hyphen": 0.8, "canon": 0.2}),
            pick_map({"canon": 0.6, "drop_aza": 0.4}),
            pick_map({"canon": 0.4, "nospace": 0.4, "missing": 0.2}), 0.01,
            pick_map({"hyphen": 0.6, "plain": 0.4}), 0.4, 0.01, 0.02, 0.6, 0.8, 0.02, False,
        ),
    ]  # fmt: skip


AGENCY_MIN_AGE = (0, 40, 3, 0, 15, 40, 0)
WELFARE, KAIGO, SHOGAI, KODOMO, SHAKYO, HOKATSU, HOKEN = range(7)


class Generator:
    """Builds households, persons and agency records, streaming into in-memory row lists."""

    def __init__(self, n_records: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.target = n_records
        self.agencies = _agencies()
        self.family_pick = zipf_picker(FAMILY_NAMES, 0.9, 3.0)
        self.tail_pick = zipf_picker(TAIL_FAMILY_NAMES, 0.3, 10.0)
        self.given_pick = {k: zipf_picker(v, 0.5, 2.0) for k, v in GIVEN_NAMES.items()}
        self.same_reading: dict[tuple[int, str, str], list[str]] = {}
        for (gen, sex), names in GIVEN_NAMES.items():
            for kanji, kana in names:
                self.same_reading.setdefault((gen, sex, kana), []).append(kanji)
        self.town_pick = zipf_picker(URBAN_TOWNS, 0.5, 1.0)
        self.persons: list[Person] = []
        self.n_households = 0
        self.multi_households = 0
        self.relations: list[tuple[int, int, str]] = []
        self.rows: list[tuple[tuple[str, ...], int, int, str]] = []
        self.used_phones: set[str] = set()
        self.tag_counts: Counter[str] = Counter()
        self.id_pools: dict[tuple[str, int], IdPool] = {}
        self.id_bounds = {"SH": 10**7, "KH": 10**7, "SF": 10**5, "K": 10**4, "SK": 10**6,
                          "HK": 10**5, "HC": 10**7}  # fmt: skip
        self.k_simple = Picker([1, 2, 3, 4], [0.6, 0.25, 0.11, 0.04])
        self.k_complex = Picker([2, 3, 4, 5, 6], [0.15, 0.3, 0.28, 0.17, 0.1])

    # -- identifiers --------------------------------------------------------------------------

    def record_id(self, agency: Agency, reg_year: int) -> str:
        kind = agency.id_kind
        year_key = reg_year if kind in ("K", "SF") else 0
        key = (kind, year_key)
        pool = self.id_pools.get(key)
        if pool is None:
            pool = IdPool(self.id_bounds[kind])
            self.id_pools[key] = pool
        n = pool.draw(self.rng)
        if kind == "SH":
            return f"SH-{n:07d}"
        if kind == "KH":
            return f"{n:010d}"
        if kind == "SF":
            return f"SF{reg_year}-{n:05d}"
        if kind == "K":
            return f"K{reg_year}-{n:04d}"
        if kind == "SK":
            return str(n)
        if kind == "HK":
            return f"HK-{n:05d}"
        return f"HC{n:07d}"

    def phone(self, mobile: bool) -> str:
        rng = self.rng
        while True:
            if mobile:
                num = f"{rng.choice(('090', '080', '070'))}-{rng.randint(1000, 9999)}-" + (
                    f"{rng.randint(0, 9999):04d}"
                )
            else:
                num = f"{AREA_CODE}-{rng.randint(20, 69)}-{rng.randint(0, 9999):04d}"
            if num not in self.used_phones:
                self.used_phones.add(num)
                return num

    # -- names and places ---------------------------------------------------------------------

    def family_name(self) -> tuple[str, str]:
        pick = self.family_pick if self.rng.random() < 0.6 else self.tail_pick
        kanji, kana = pick(self.rng)
        if self.rng.random() < 0.12 and any(c in VARIANTS for c in kanji):
            kanji = "".join(
                self.rng.choice(VARIANTS[c]) if c in VARIANTS and c == STANDARD_FORM[c] else c
                for c in kanji
            )
        return kanji, kana

    @staticmethod
    def generation(year: int) -> int:
        if year <= 1952:
            return 0
        if year <= 1987:
            return 1
        return 2

    def given_name(self, sex: str, year: int, avoid: Sequence[str] = ()) -> tuple[str, str]:
        gen = self.generation(year)
        if 1948 <= year <= 1956 and self.rng.random() < 0.4:
            gen = 1 - gen if gen in (0, 1) else gen
        picker = self.given_pick[(gen, sex)]
        for _ in range(20):
            name = picker(self.rng)
            if name[0] not in avoid:
                break
        return name

    def urban_address(self) -> Address:
        rng = self.rng
        town, max_chome = self.town_pick(rng)
        addr = Address(town, rng.randint(1, max_chome), rng.randint(1, 30), rng.randint(1, 25))
        if rng.random() < 0.3:
            addr.building = rng.choice(BUILDINGS)
            addr.room = rng.randint(1, 5) * 100 + rng.randint(1, 10)
        return addr

    def rural_address(self) -> Address:
        rng = self.rng
        oaza, azas, has_oaza = rng.choice(RURAL_AREAS)
        return Address(
            oaza,
            rural=True,
            aza=rng.choice(azas) if azas else "",
            banchi=rng.randint(1, 3200),
            eda=rng.randint(1, 5) if rng.random() < 0.2 else 0,
            has_oaza=has_oaza,
        )

    def address(self) -> Address:
        return self.rural_address() if self.rng.random() < 0.22 else self.urban_address()

    def birth(self, lo_age: int, hi_age: int, skew: float = 1.0) -> date:
        """A date of birth for an age in [lo_age, hi_age]; skew > 1 favours the younger ages."""
        hi = date(REF_YEAR - lo_age, REF_DATE.month, REF_DATE.day)
        lo = date(REF_YEAR - hi_age - 1, REF_DATE.month, REF_DATE.day) + timedelta(days=1)
        if skew == 1.0:
            return random_date(self.rng, lo, hi)
        span = hi.toordinal() - lo.toordinal()
        return date.fromordinal(hi.toordinal() - int(span * self.rng.random() ** skew))

    # -- households ---------------------------------------------------------------------------

    def new_person(
        self,
        hid: int,
        sex: str,
        dob: date,
        family: tuple[str, str],
        given: tuple[str, str],
        role: str = "adult",
    ) -> Person:
        p = Person(len(self.persons) + 1, hid, sex, dob, family[0], family[1], given[0], given[1])
        p.role = role
        self.persons.append(p)
        return p

    def mobile_probability(self, age: int) -> float:
        if age < 12:
            return 0.0
        if age < 18:
            return 0.6
        if age < 65:
            return 0.92
        if age < 75:
            return 0.7
        if age < 85:
            return 0.45
        return 0.2

    def build_household(self) -> None:
        rng = self.rng
        self.n_households += 1
        hid = self.n_households
        kind = HOUSEHOLD_KINDS(rng)
        members: list[Person] = []
        spouses: list[tuple[Person, Person]] = []
        twins: list[tuple[Person, Person]] = []
        parent_child: list[tuple[Person, Person]] = []
        marriages: dict[int, tuple[int, tuple[str, str]]] = {}
        complex_hh = False
        welfare_p = 0.02

        def couple(lo: int, hi: int, fam: tuple[str, str] | None = None) -> tuple[Person, Person]:
            fam = fam or self.family_name()
            hdob = self.birth(lo, hi, 1.4 if hi >= 90 else 1.0)
            wdob = hdob + timedelta(days=rng.randint(-6 * 365, 2 * 365))
            if (REF_DATE - wdob).days < lo * 365:
                wdob = hdob
            husband = self.new_person(hid, "M", hdob, fam, self.given_name("M", hdob.year))
            marriage_year = min(REF_YEAR, max(hdob.year, wdob.year) + rng.randint(22, 34))
            wife = self.new_person(hid, "F", wdob, fam, self.given_name("F", wdob.year))
            maiden = self.family_name()
            while maiden[0] == fam[0]:
                maiden = self.family_name()
            if rng.random() < 0.04:
                # The husband takes the wife's family name (婿養子).
                husband.family, husband.family_kana = maiden
                wife.family, wife.family_kana = maiden
                marriages[husband.pid] = (marriage_year, fam)
            else:
                marriages[wife.pid] = (marriage_year, maiden)
            spouses.append((husband, wife))
            return husband, wife

        def children(
            parents: Sequence[Person], n: int, lo_age: int, hi_age: int, fam: tuple[str, str]
        ) -> list[Person]:
            kids: list[Person] = []
            youngest_parent = max(p.dob for p in parents)
            max_age = min(hi_age, (REF_DATE - youngest_parent).days // 365 - 18)
            min_age = min(lo_age, max_age)
            if max_age < 0:
                return kids
            brothers = rng.random() < 0.12
            for i in range(n):
                dob = self.birth(min_age, max_age)
                sex = "M" if rng.random() < 0.51 else "F"
                taken = [m.given for m in members + kids]
                if rng.random() < 0.01:
                    s = sex if rng.random() < 0.65 else "X"
                    sexes = (sex, sex) if s != "X" else ("M", "F")
                    if s != "X" and dob.year >= 1985 and rng.random() < 0.4:
                        n1, n2 = rng.choice(TWIN_NAMES[sex])
                    else:
                        n1 = self.given_name(sexes[0], dob.year, taken)
                        n2 = self.given_name(sexes[1], dob.year, [*taken, n1[0]])
                    a = self.new_person(hid, sexes[0], dob, fam, n1, "child")
                    b = self.new_person(hid, sexes[1], dob, fam, n2, "child")
                    kids += [a, b]
                    twins.append((a, b))
                    continue
                if brothers and sex == "M" and i < 2 and any(k.sex == "M" for k in kids):
                    first = next(k for k in kids if k.sex == "M")
                    pair = rng.choice(BROTHER_NAMES)
                    first.given, first.given_kana = pair[0]
                    name = pair[1]
                elif (
                    derived := [
                        n
                        for p in parents
                        if p.sex == sex
                        for n in DERIVED_NAMES.get(p.given, ())
                        if n[0] not in taken
                    ]
                ) and rng.random() < 0.3:
                    name = rng.choice(derived)
                else:
                    name = self.given_name(sex, dob.year, taken)
                kids.append(self.new_person(hid, sex, dob, fam, name, "child"))
            for k in kids:
                for p in parents:
                    parent_child.append((p, k))
            return kids

        if kind == "single_elderly":
            sex = "F" if rng.random() < 0.68 else "M"
            dob = self.birth(65, 99, 1.5)
            fam = self.family_name()
            p = self.new_person(hid, sex, dob, fam, self.given_name(sex, dob.year), "elder")
            if sex == "F" and rng.random() < 0.85:
                marriages[p.pid] = (dob.year + rng.randint(20, 30), self.family_name())
            members.append(p)
            welfare_p = 0.15
            complex_hh = rng.random() < 0.2
        elif kind == "single_adult":
            sex = "M" if rng.random() < 0.6 else "F"
            dob = self.birth(20, 64)
            p = self.new_person(hid, sex, dob, self.family_name(), self.given_name(sex, dob.year))
            members.append(p)
            welfare_p = 0.12
            complex_hh = rng.random() < 0.12
        elif kind == "couple_elderly":
            members += couple(65, 95)
            welfare_p = 0.03
            complex_hh = rng.random() < 0.15
        elif kind == "couple_adult":
            members += couple(24, 64)
        elif kind == "family":
            h, w = couple(25, 55)
            members += [h, w]
            n_kids = rng.choice((1, 1, 2, 2, 2, 3))
            members += children((h, w), n_kids, 0, 25, (h.family, h.family_kana))
            complex_hh = rng.random() < 0.08
        elif kind == "single_parent":
            sex = "F" if rng.random() < 0.85 else "M"
            dob = self.birth(22, 55)
            fam = self.family_name()
            p = self.new_person(hid, sex, dob, fam, self.given_name(sex, dob.year))
            if sex == "F" and rng.random() < 0.4:
                marriages[p.pid] = (dob.year + rng.randint(20, 30), self.family_name())
            members.append(p)
            members += children((p,), rng.choice((1, 1, 2, 2, 3)), 0, 20, fam)
            welfare_p = 0.3
            complex_hh = rng.random() < 0.35
        elif kind == "8050":
            fam = self.family_name()
            if rng.random() < 0.35:
                parents = list(couple(76, 96, fam))
            else:
                sex = "F" if rng.random() < 0.7 else "M"
                dob = self.birth(76, 98, 1.4)
                p = self.new_person(hid, sex, dob, fam, self.given_name(sex, dob.year), "elder")
                if sex == "F":
                    marriages[p.pid] = (dob.year + rng.randint(20, 30), self.family_name())
                parents = [p]
            members += parents
            fam = (parents[0].family, parents[0].family_kana)
            oldest = min(p.dob for p in parents)
            c_sex = "M" if rng.random() < 0.65 else "F"
            lo_year = max(oldest.year + 20, REF_YEAR - 62)
            hi_year = min(max(p.dob.year for p in parents) + 42, REF_YEAR - 40)
            lo_year = min(lo_year, hi_year)
            c_dob = random_date(rng, date(lo_year, 1, 1), date(hi_year, 12, 31))
            same_sex = [p for p in parents if p.sex == c_sex]
            if same_sex and rng.random() < 0.45:
                name = (same_sex[0].given, same_sex[0].given_kana)
            else:
                name = self.given_name(c_sex, c_dob.year, [p.given for p in parents])
            child = self.new_person(hid, c_sex, c_dob, fam, name, "8050_child")
            members.append(child)
            for p in parents:
                parent_child.append((p, child))
            welfare_p = 0.35
            complex_hh = rng.random() < 0.75
        elif kind == "three_gen":
            h, w = couple(30, 55)
            fam = (h.family, h.family_kana)
            h_birth = marriages[h.pid][1] if h.pid in marriages else fam
            w_birth = marriages[w.pid][1] if w.pid in marriages else fam
            wife_side = h.pid in marriages or rng.random() < 0.2
            gp_fam = w_birth if wife_side else h_birth
            gparents: list[Person] = []
            g_lo = (REF_DATE - h.dob).days // 365 + 22
            if rng.random() < 0.5:
                gh, gw = couple(g_lo, g_lo + 15, gp_fam)
                gparents = [gh, gw]
            else:
                sex = "F" if rng.random() < 0.7 else "M"
                dob = self.birth(g_lo, g_lo + 18)
                gp = self.new_person(hid, sex, dob, gp_fam, self.given_name(sex, dob.year), "elder")
                if sex == "F":
                    marriages[gp.pid] = (dob.year + rng.randint(20, 30), self.family_name())
                gparents = [gp]
            for g in gparents:
                g.role = "elder"
            link = w if wife_side else h
            for g in gparents:
                parent_child.append((g, link))
            if not wife_side and gp_fam == fam and rng.random() < 0.35:
                same = [g for g in gparents if g.sex == "M"]
                if same:
                    h.given, h.given_kana = same[0].given, same[0].given_kana
            members += [*gparents, h, w]
            members += children((h, w), rng.choice((0, 1, 2, 2, 3)), 0, 22, fam)
            welfare_p = 0.03
            complex_hh = rng.random() < 0.3
        else:  # elderly siblings living together
            fam = self.family_name()
            dob = self.birth(60, 90, 1.3)
            sex = "F" if rng.random() < 0.6 else "M"
            a = self.new_person(hid, sex, dob, fam, self.given_name(sex, dob.year), "elder")
            dob2 = dob + timedelta(days=rng.randint(400, 4000))
            sex2 = "F" if rng.random() < 0.6 else "M"
            if rng.random() < 0.3 and sex2 == sex:
                kanji, kana = a.given, a.given_kana
                cands = [
                    k
                    for k in self.same_reading.get((self.generation(dob.year), sex, kana), [])
                    if k != kanji
                ]
                name = (cands[0], kana) if cands else self.given_name(sex2, dob2.year, [a.given])
            else:
                name = self.given_name(sex2, dob2.year, [a.given])
            b = self.new_person(hid, sex2, dob2, fam, name, "elder")
            members += [a, b]
            complex_hh = rng.random() < 0.3

        self.settle_household(members, spouses, twins, parent_child, marriages)
        if len(members) > 1:
            self.multi_households += 1
        # A sibling living elsewhere whose mobile is the contact for a person living alone.
        if kind in ("single_elderly", "single_adult") and rng.random() < 0.22:
            self.sibling_household(members[0])
            complex_hh = complex_hh or rng.random() < 0.3
        self.emit_household(members, complex_hh, welfare_p)

    def sibling_household(self, person: Person) -> None:
        rng = self.rng
        self.n_households += 1
        hid = self.n_households
        birth_family = (person.family, person.family_kana)
        if person.periods and person.periods[0].family != person.family:
            birth_family = (person.periods[0].family, person.periods[0].family_kana)
        sex = "F" if rng.random() < 0.5 else "M"
        dob = person.dob + timedelta(days=rng.randint(-9 * 365, 9 * 365))
        if dob > date(REF_YEAR - 20, 1, 1):
            dob = date(REF_YEAR - 20, rng.randint(1, 12), rng.randint(1, 28))
        given = self.given_name(sex, dob.year, [person.given])
        marriages: dict[int, tuple[int, tuple[str, str]]] = {}
        spouses: list[tuple[Person, Person]] = []
        members: list[Person] = []
        if rng.random() < 0.6:
            spouse_fam = self.family_name()
            sdob = dob + timedelta(days=rng.randint(-4 * 365, 4 * 365))
            marriage_year = min(REF_YEAR, max(dob.year, sdob.year) + rng.randint(22, 32))
            if sex == "F":
                sib = self.new_person(hid, "F", dob, spouse_fam, given)
                sp = self.new_person(hid, "M", sdob, spouse_fam, self.given_name("M", sdob.year))
                marriages[sib.pid] = (marriage_year, birth_family)
                spouses.append((sp, sib))
            else:
                sib = self.new_person(hid, "M", dob, birth_family, given)
                sp = self.new_person(hid, "F", sdob, birth_family, self.given_name("F", sdob.year))
                marriages[sp.pid] = (marriage_year, spouse_fam)
                spouses.append((sib, sp))
            members = [sib, sp]
        else:
            sib = self.new_person(hid, sex, dob, birth_family, given)
            members = [sib]
        sib.mobile = self.phone(True)
        self.settle_household(members, spouses, [], [], marriages)
        if len(members) > 1:
            self.multi_households += 1
        person.phones.insert(0, sib.mobile)
        self.relations.append(
            (min(person.pid, sib.pid), max(person.pid, sib.pid), "siblings_shared_phone")
        )
        self.emit_household(members, False, 0.01)

    def settle_household(
        self,
        members: list[Person],
        spouses: list[tuple[Person, Person]],
        twins: list[tuple[Person, Person]],
        parent_child: list[tuple[Person, Person]],
        marriages: dict[int, tuple[int, tuple[str, str]]],
    ) -> None:
        """Addresses, phones, life periods and the relations inside one household."""
        rng = self.rng
        addr = self.address()
        prev_addr: Address | None = None
        move_year = 0
        if rng.random() < 0.25:
            prev_addr = self.address()
            move_year = rng.randint(1998, REF_YEAR)
        oldest = max(p.age for p in members)
        landline = ""
        if rng.random() < (0.8 if oldest >= 65 else 0.35):
            landline = self.phone(False)
        for p in members:
            if not p.mobile and rng.random() < self.mobile_probability(p.age):
                p.mobile = self.phone(True)
        adults_mobiles = [p.mobile for p in members if p.age >= 20 and p.mobile]
        for p in members:
            phones: list[str] = []
            if p.age < 18:
                phones += adults_mobiles[:2]
                if landline:
                    phones.append(landline)
            elif p.age >= 75:
                if landline:
                    phones.append(landline)
                if p.mobile:
                    phones.append(p.mobile)
                phones += [m for m in adults_mobiles if m != p.mobile][:1]
            else:
                if p.mobile:
                    phones.append(p.mobile)
                if landline:
                    phones.append(landline)
            p.phones = phones
            # Life periods: before marriage (other name, other address), before the move, now.
            periods: list[Period] = []
            m = marriages.get(p.pid)
            if m is not None:
                m_year, m_family = min(m[0], REF_YEAR), m[1]
                periods.append(Period(0, m_family[0], m_family[1], self.address()))
                first = prev_addr if prev_addr is not None and m_year < move_year else addr
                periods.append(Period(m_year, p.family, p.family_kana, first))
            else:
                first = prev_addr if prev_addr is not None and p.dob.year < move_year else addr
                periods.append(Period(0, p.family, p.family_kana, first))
            if prev_addr is not None and periods[-1].address is prev_addr:
                periods.append(Period(move_year, p.family, p.family_kana, addr))
            p.periods = periods

        # Relations inside the household.
        rel: dict[tuple[int, int], str] = {}
        for a, b in spouses:
            rel[(min(a.pid, b.pid), max(a.pid, b.pid))] = "spouse"
        pc = {(min(a.pid, b.pid), max(a.pid, b.pid)) for a, b in parent_child}
        # Only a name handed down from parent to child repeats a full name inside a household.
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                key = (min(a.pid, b.pid), max(a.pid, b.pid))
                if a.family == b.family and a.given == b.given and key not in pc:
                    taken = [m.given for m in members]
                    b.given, b.given_kana = self.given_name(b.sex, b.dob.year, taken)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                key = (min(a.pid, b.pid), max(a.pid, b.pid))
                if a.family == b.family and a.given == b.given and key in pc:
                    rel[key] = "parent_child_same_name"
                elif key not in rel and similar_given(
                    (a.given, a.given_kana), (b.given, b.given_kana)
                ):
                    rel[key] = "similar_name_relative"
        for a, b in twins:
            rel[(min(a.pid, b.pid), max(a.pid, b.pid))] = "twins"
        for key in sorted(rel):
            self.relations.append((key[0], key[1], rel[key]))

    def emit_household(self, members: list[Person], complex_hh: bool, welfare_p: float) -> None:
        # 生活保護 is granted per household: every member of an assisted household has a record.
        on_welfare = self.rng.random() < welfare_p
        has_minor = any(m.age < 18 for m in members)
        for p in members:
            self.emit_person_records(p, complex_hh, on_welfare, has_minor)

    # -- agencies and records -----------------------------------------------------------------

    @staticmethod
    def agency_weights(p: Person, has_minor: bool) -> list[float]:
        age = p.age
        w = [0.0] * 7
        if age >= 65:
            w[KAIGO] = 7.0 if age >= 75 else 3.0
            w[HOKATSU] = 3.5 if age >= 75 else 2.0
        elif age >= 40:
            w[KAIGO] = 0.08
            w[HOKATSU] = 1.5 if p.role == "8050_child" else 0.1
        w[SHOGAI] = 2.5 if p.role == "8050_child" else (0.25 if age >= 3 else 0.05)
        if age < 18:
            w[KODOMO] = 3.0
        elif p.role != "elder" and age < 60 and has_minor:
            w[KODOMO] = 2.0
        if age >= 60:
            w[SHAKYO] = 2.0
        elif p.role == "8050_child":
            w[SHAKYO] = 1.5
        else:
            w[SHAKYO] = 0.4 if age >= 18 else 0.12
        if age < 6:
            w[HOKEN] = 5.0
        elif 40 <= age < 75:
            w[HOKEN] = 0.7
        else:
            w[HOKEN] = 0.3
        return w

    def emit_person_records(
        self, p: Person, complex_hh: bool, on_welfare: bool, has_minor: bool
    ) -> None:
        rng = self.rng
        k = (self.k_complex if complex_hh else self.k_simple)(rng)
        chosen: list[int] = [WELFARE] if on_welfare else []
        weights = self.agency_weights(p, has_minor)
        for a in chosen:
            weights[a] = 0.0
        while len(chosen) < k:
            total = sum(weights)
            if total <= 0:
                break
            x = rng.random() * total
            acc = 0.0
            pick = 6
            for i, w in enumerate(weights):
                acc += w
                if x < acc and w > 0:
                    pick = i
                    break
            chosen.append(pick)
            weights[pick] = 0.0
        if not chosen:
            chosen.append(SHAKYO)
        chosen.sort()
        event_years = [per.start for per in p.periods[1:]]
        for a in chosen:
            agency = self.agencies[a]
            lo = max(agency.start_year, p.dob.year + AGENCY_MIN_AGE[a])
            if a == KAIGO and p.age >= 65:
                lo = max(lo, p.dob.year + 65)
            if a == HOKATSU and p.age >= 65 and p.role != "8050_child":
                lo = max(lo, p.dob.year + 60)
            lo = min(lo, REF_YEAR)
            if rng.random() < agency.duplicate:
                later = [y for y in event_years if y > lo]
                if later:
                    pivot = later[-1]
                    r1 = rng.randint(lo, pivot - 1)
                    r2 = rng.randint(pivot, REF_YEAR)
                    self.make_record(p, agency, r1, stale=True, first_contact=False)
                    self.make_record(p, agency, r2, stale=False, first_contact=False)
                else:
                    r1 = rng.randint(lo, REF_YEAR)
                    r2 = rng.randint(r1, REF_YEAR)
                    self.make_record(p, agency, r1, stale=False, first_contact=True)
                    self.make_record(p, agency, r2, stale=False, first_contact=False)
            else:
                reg = rng.randint(lo, REF_YEAR)
                self.make_record(p, agency, reg, stale=False, first_contact=False)

    def make_record(
        self, p: Person, agency: Agency, reg_year: int, stale: bool, first_contact: bool
    ) -> None:
        rng = self.rng
        tags: list[str] = []
        err = agency.error_scale
        current = p.periods[-1]
        period = current
        for per in p.periods:
            if per.start <= reg_year:
                period = per
        family, family_kana = period.family, period.family_kana
        address = period.address
        if period is not current and not stale:
            if rng.random() < agency.update:
                family, family_kana = current.family, current.family_kana
            if rng.random() < agency.update:
                address = current.address
        if family != current.family:
            tags.append("maiden")
        if address is not current.address:
            tags.append("addr_old")

        # Name and reading.
        given, given_kana = p.given, p.given_kana
        kana_only_p = agency.kana_only * (5.0 if first_contact else 1.0)
        name_sep = agency.name_sep(rng)
        if rng.random() < kana_only_p:
            tags.append("kana_only")
            kana_name = family_kana + name_sep + given_kana
            name = to_hiragana(kana_name) if rng.random() < 0.3 else kana_name
        else:
            written_family, written_given = family, given
            full = family + given
            if any(c in VARIANTS for c in full):
                nonstd = any(STANDARD_FORM.get(c, c) != c for c in full)
                if (nonstd and rng.random() < 0.7) or (not nonstd and rng.random() < 0.03 * err):
                    written_family = self.swap_variant(family)
                    written_given = self.swap_variant(given)
                    if written_family + written_given != full:
                        tags.append("kanji_variant")
            if rng.random() < 0.012 * err:
                typo = self.name_typo(p, written_given)
                if typo is not None:
                    written_given = typo
                    tags.append("name_typo")
            elif rng.random() < 0.004 * err and len(written_given) >= 2:
                written_given = written_given[:-1]
                tags.append("given_truncated")
            name = written_family + name_sep + written_given

        kana = ""
        if rng.random() < agency.kana_missing * (2.0 if first_contact else 1.0):
            tags.append("kana_missing")
        else:
            fk, gk = family_kana, given_kana
            if rng.random() < 0.02 * err:
                if rng.random() < 0.5:
                    fk2 = self.kana_typo(fk)
                    if fk2 != fk:
                        fk = fk2
                        tags.append("kana_typo")
                else:
                    gk2 = self.kana_typo(gk)
                    if gk2 != gk:
                        gk = gk2
                        tags.append("kana_typo")
            style = agency.kana_style(rng)
            sep = agency.kana_sep(rng)
            if style == "half":
                kana = to_halfwidth(fk) + (sep and " ") + to_halfwidth(gk)
                if agency.kana_max and len(kana) > agency.kana_max:
                    kana = kana[: agency.kana_max]
                    if "given_truncated" not in tags:
                        tags.append("given_truncated")
            elif style == "hira":
                kana = to_hiragana(fk + sep + gk)
            else:
                kana = fk + sep + gk

        dob = self.render_dob(p.dob, agency, tags)

        sex = agency.sex_codes[0 if p.sex == "M" else 1]
        if rng.random() < agency.sex_missing:
            sex = ""
            tags.append("sex_missing")

        if rng.random() < agency.addr_missing:
            addr_text = ""
            tags.append("addr_missing")
            if "addr_old" in tags:
                tags.remove("addr_old")
        else:
            addr_text, nonstandard = self.render_address(address, agency)
            if nonstandard:
                tags.append("addr_form")

        phone = ""
        if p.phones:
            if agency.prefers_landline or len(p.phones) == 1:
                phone = p.phones[0] if rng.random() < 0.85 else rng.choice(p.phones)
            else:
                mob = [x for x in p.phones if not x.startswith(AREA_CODE)]
                phone = mob[0] if mob and rng.random() < 0.8 else p.phones[0]
            if rng.random() < agency.phone_missing:
                phone = ""
                tags.append("phone_missing")
            else:
                phone = self.render_phone(phone, agency.phone_style(rng))

        rid = self.record_id(agency, reg_year)
        tags.sort(key=TAG_INDEX.__getitem__)
        tag_str = ";".join(tags)
        for t in tags:
            self.tag_counts[t] += 1
        self.rows.append(
            ((agency.name, rid, name, kana, dob, sex, addr_text, phone), p.pid, p.hid, tag_str)
        )

    # -- field renderers ----------------------------------------------------------------------

    def swap_variant(self, s: str) -> str:
        out = []
        for c in s:
            if c in VARIANTS:
                std = STANDARD_FORM[c]
                out.append(std if c != std else self.rng.choice(VARIANTS[c]))
            else:
                out.append(c)
        return "".join(out)

    def name_typo(self, p: Person, given: str) -> str | None:
        rng = self.rng
        alts = [
            k
            for k in self.same_reading.get((self.generation(p.dob.year), p.sex, p.given_kana), [])
            if k != given
        ]
        if alts and rng.random() < 0.7:
            return rng.choice(alts)
        positions = [i for i, c in enumerate(given) if c in LOOKALIKE]
        if not positions:
            return alts[0] if alts else None
        i = rng.choice(positions)
        return given[:i] + LOOKALIKE[given[i]] + given[i + 1 :]

    def kana_typo(self, kana: str) -> str:
        rng = self.rng
        positions = [i for i, c in enumerate(kana) if c in KANA_CONFUSION]
        if not positions:
            return kana
        i = rng.choice(positions)
        return kana[:i] + KANA_CONFUSION[kana[i]] + kana[i + 1 :]

    def render_dob(self, dob: date, agency: Agency, tags: list[str]) -> str:
        rng = self.rng
        if rng.random() < agency.dob_missing:
            tags.append("dob_missing")
            return ""
        style = agency.dob_styles(rng)
        wareki = style.startswith("wareki")
        err = agency.error_scale
        d = dob
        era_override: tuple[int, int] | None = None
        x = rng.random()
        if d.day <= 12 and d.day != d.month and rng.random() < 0.02 * err:
            d = date(d.year, d.day, d.month)
            tags.append("dob_transposed")
        elif x < 0.015 * err:
            d = d + timedelta(days=rng.choice((-1, 1)))
            tags.append("dob_day1")
        elif x < 0.027 * err:
            y = d.year + rng.choice((-1, 1))
            d = date(y, d.month, 28 if (d.month, d.day) == (2, 29) else d.day)
            tags.append("dob_year1")
        elif x < 0.042 * err:
            d2 = self.digit_slip(d)
            if d2 is not None:
                d = d2
                tags.append("dob_digit")
        elif wareki and x < 0.042 * err + 0.012 * max(err, 0.5):
            era_override = self.era_slip(d)
            tags.append("dob_era")
        return self.format_dob(d, style, era_override)

    def digit_slip(self, d: date) -> date | None:
        rng = self.rng
        s = f"{d.year:04d}{d.month:02d}{d.day:02d}"
        for _ in range(6):
            i = rng.choice((2, 3, 3, 4, 5, 5, 6, 7, 7))
            c = str(rng.randint(0, 9))
            if c == s[i]:
                continue
            t = s[:i] + c + s[i + 1 :]
            try:
                d2 = date(int(t[:4]), int(t[4:6]), int(t[6:]))
            except ValueError:
                continue
            if d2 <= REF_DATE and d2.year >= 1900:
                return d2
        return None

    @staticmethod
    def era_of(d: date) -> tuple[int, int]:
        for i, (_, _, start) in enumerate(ERAS):
            if d >= start:
                return i, d.year - start.year + 1
        return len(ERAS) - 1, d.year - ERAS[-1][2].year + 1

    def era_slip(self, d: date) -> tuple[int, int]:
        rng = self.rng
        ei, n = self.era_of(d)
        options: list[tuple[int, int]] = []
        for ej in (ei - 1, ei + 1):
            if 0 <= ej < len(ERAS) and ERAS[ej][2].year + n - 1 <= REF_YEAR:
                options.append((ej, n))
        if options and rng.random() < 0.6:
            return rng.choice(options)
        if n <= 1:
            return ei, n + 1
        return ei, n + rng.choice((-1, 1))

    def format_dob(self, d: date, style: str, era: tuple[int, int] | None) -> str:
        y, m, dd = d.year, d.month, d.day
        if style == "iso":
            return f"{y:04d}-{m:02d}-{dd:02d}"
        if style == "slash":
            return f"{y}/{m}/{dd}"
        if style == "compact":
            return f"{y:04d}{m:02d}{dd:02d}"
        ei, n = era if era is not None else self.era_of(d)
        kanji, abbr, _ = ERAS[ei]
        if style == "wareki_kanji":
            year = "元" if n == 1 and self.rng.random() < 0.5 else str(n)
            return f"{kanji}{year}年{m}月{dd}日"
        if style == "wareki_dot":
            return f"{abbr}{n}.{m}.{dd}"
        if style == "wareki_dot0":
            return f"{abbr}{n:02d}.{m:02d}.{dd:02d}"
        return f"{abbr}{n}/{m}/{dd}"

    def render_address(self, a: Address, agency: Agency) -> tuple[str, bool]:
        rng = self.rng
        prefix_style = agency.addr_prefix(rng)
        prefix = {"full": PREF + CITY, "city": CITY, "none": ""}[prefix_style]
        nonstandard = False
        town = a.town
        if town in TOWN_SPELLINGS and rng.random() < 0.3:
            town = rng.choice(TOWN_SPELLINGS[town])
            nonstandard = True
        if a.rural:
            style = agency.addr_rural(rng)
            oaza = "大字" if a.has_oaza else ""
            aza = "字" + a.aza if a.aza else ""
            if style == "drop_aza" and a.aza:
                aza = ""
                nonstandard = True
            elif style == "drop_both" and (a.aza or a.has_oaza):
                aza, oaza = "", ""
                nonstandard = True
            elif style == "add_oaza" and not a.has_oaza:
                oaza = "大字"
                nonstandard = True
            if style == "drop_both":
                num = f"{a.banchi}" + (f"-{a.eda}" if a.eda else "")
                nonstandard = True
            else:
                num = f"{a.banchi}番地" + (f"{a.eda}" if a.eda else "")
            return prefix + oaza + town + aza + num, nonstandard
        block = agency.addr_block(rng)
        if block == "canon":
            num = f"{a.chome}丁目{a.ban}番{a.go}号"
        elif block == "kanji":
            num = f"{kanji_number(a.chome)}丁目{kanji_number(a.ban)}番{kanji_number(a.go)}号"
        elif block == "hyphen":
            num = f"{a.chome}-{a.ban}-{a.go}"
        elif block == "fullwidth":
            num = f"{a.chome}-{a.ban}-{a.go}".translate(FULLWIDTH_DIGITS)
        else:
            num = f"{a.chome}丁目{a.ban}-{a.go}"
        if block != "canon":
            nonstandard = True
        text = prefix + town + num
        if a.building:
            b = agency.addr_building(rng)
            room = str(a.room)
            if block == "fullwidth":
                room = room.translate(FULLWIDTH_DIGITS)
            if b == "canon":
                text += f" {a.building} {room}号室"
            else:
                nonstandard = True
                if b == "nospace":
                    text += f" {a.building}{room}"
                elif b == "halfkana":
                    text += f" {to_halfwidth(a.building)} {room}"
                elif b == "room_only":
                    text += f"-{room}"
        return text, nonstandard

    @staticmethod
    def render_phone(num: str, style: str) -> str:
        if style == "hyphen":
            return num
        parts = num.split("-")
        if style == "plain":
            return "".join(parts)
        if style == "paren":
            return f"{parts[0]}({parts[1]}){parts[2]}"
        return num.translate(FULLWIDTH_DIGITS)

    # -- driver -------------------------------------------------------------------------------

    def run(self) -> None:
        while len(self.rows) < self.target:
            self.build_household()
        self.same_name_strangers()

    def same_name_strangers(self) -> None:
        groups: dict[tuple[str, str, int], list[Person]] = {}
        for p in self.persons:
            key = (normalize_variants(p.family), normalize_variants(p.given), p.dob.year)
            groups.setdefault(key, []).append(p)
        for key in sorted(groups):
            g = groups[key]
            if len(g) < 2:
                continue
            for i, a in enumerate(g):
                for b in g[i + 1 :]:
                    if a.hid != b.hid:
                        self.relations.append((a.pid, b.pid, "same_name_stranger"))

    def write(self, out: str) -> dict[str, int]:
        os.makedirs(out, exist_ok=True)
        order = {a.name: i for i, a in enumerate(self.agencies)}
        self.rows.sort(key=lambda r: (order[r[0][0]], len(r[0][1]), r[0][1]))
        with (
            open(os.path.join(out, "records.csv"), "w", encoding="utf-8", newline="") as f_rec,
            open(os.path.join(out, "truth.csv"), "w", encoding="utf-8", newline="") as f_truth,
            open(os.path.join(out, "tags.csv"), "w", encoding="utf-8", newline="") as f_tags,
        ):
            w_rec, w_truth, w_tags = csv.writer(f_rec), csv.writer(f_truth), csv.writer(f_tags)
            w_rec.writerow(
                ("source", "record_id", "name", "kana", "dob", "sex", "address", "phone")
            )
            w_truth.writerow(("source", "record_id", "person_id", "household_id"))
            w_tags.writerow(("source", "record_id", "tags"))
            for row, pid, hid, tags in self.rows:
                w_rec.writerow(row)
                w_truth.writerow((row[0], row[1], f"P{pid:07d}", f"H{hid:07d}"))
                w_tags.writerow((row[0], row[1], tags))
        rel_counts: Counter[str] = Counter()
        self.relations.sort()
        with open(os.path.join(out, "relations.csv"), "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(("person_a", "person_b", "relation"))
            for a, b, r in self.relations:
                w.writerow((f"P{a:07d}", f"P{b:07d}", r))
                rel_counts[r] += 1
        return dict(rel_counts)


HOUSEHOLD_KINDS = Picker(
    ["single_elderly", "single_adult", "couple_elderly", "couple_adult", "8050", "family",
     "single_parent", "three_gen", "siblings"],
    [19, 11, 16, 6, 7, 17, 6, 8, 2],
)  # fmt: skip


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    gen = Generator(args.records, args.seed)
    gen.run()
    rel_counts = gen.write(args.out)
    per_person = Counter(pid for _, pid, _, _ in gen.rows)
    known = len(per_person)
    print(f"persons    {len(gen.persons)}")
    same_name_hh = len({gen.persons[a - 1].hid for a, _, r in gen.relations
                        if r == "parent_child_same_name"})  # fmt: skip
    print(f"households {gen.n_households} (multi-person {gen.multi_households}, with a parent "
          f"and child of the same name {same_name_hh})")  # fmt: skip
    print(f"records    {len(gen.rows)} ({len(gen.rows) / max(known, 1):.2f} per person)")
    dist = Counter(min(v, 7) for v in per_person.values())
    print("records per person " + ", ".join(f"{k}:{dist[k]}" for k in sorted(dist)))
    clean = sum(1 for r in gen.rows if not r[3])
    print(f"clean records {clean}")
    print("tags:")
    for t in TAGS:
        print(f"  {t:<18} {gen.tag_counts[t]}")
    print("relations:")
    for r in RELATIONS:
        print(f"  {r:<24} {rel_counts.get(r, 0)}")


if __name__ == "__main__":
    main()
