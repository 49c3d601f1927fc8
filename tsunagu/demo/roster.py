"""Demo roster of a city modelled on 岐阜市 (重層的支援体制整備事業).

Pure data, standard library only. The ``seed_demo`` command reads these constants to build
a believable demo city:

* ``AREAS`` -- the 圏域 hierarchy (市全域 > 日常生活圏域 > 社協支部/地区) plus the two overlay
  layers used by some agencies (障がい相談支援圏域, 保健センター圏域).
* ``AGENCIES`` -- the 支援関係機関 of the 岐阜市重層的支援体制整備事業実施計画: the agencies of
  ① 包括的相談支援事業, ② 多機関協働事業, ③ アウトリーチ等を通じた継続的支援事業, 参加支援事業
  and 地域づくり事業, with the section that runs the program (福祉政策課) and the
  民生委員・児童委員協議会.
* ``HELP_DESK_ROUTES`` -- 福祉健康窓口連携ヘルプデスク: consultation theme (issue category) to the
  agencies that usually take it, primary desk first.
* ``TOWNS`` -- 町名 per 日常生活圏域, used to make demo addresses.
* ``DAILY_LIFE_OVERLAYS`` -- for each 日常生活圏域, the 障がい相談支援圏域 and 保健センター圏域 it
  lies in, so that a demo person can be given "their" 基幹相談支援サテライト and 保健センター.

Demo data notice:

* The agency list, programs, operation types, 担当課, site counts and descriptions follow the
  実施計画 (令和8年5月改定). Where the plan gives no 設置数 ("—"), ``site_count`` is 1.
* The 50 地区 (社協支部) names are real 岐阜市 地区 names, but the list, the way they are grouped
  into 19 日常生活圏域, the 圏域 names, the 4 障がい相談支援圏域 and the 保健センター 圏域 split are
  illustrative demo data, not the city's official boundaries.
* 町名 are real-sounding and used only for demo addresses.
* All phone numbers and street numbers are fictional.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Final, Literal, NamedTuple

# ---------------------------------------------------------------------------------------------
# Vocabularies
# ---------------------------------------------------------------------------------------------

AreaKind = Literal["city", "daily_life", "disability", "health", "district"]
Field = Literal[
    "elderly",
    "disability",
    "children",
    "poverty",
    "health",
    "housing",
    "education",
    "employment",
    "other",
]
Operation = Literal["direct", "commissioned", "subsidised"]
Program = Literal[
    "comprehensive_consultation",
    "multi_agency",
    "outreach",
    "participation",
    "community_building",
]

#: 圏域の種類 (code -> 表示名).
AREA_KIND_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "city": "市全域",
        "daily_life": "日常生活圏域（地域包括支援センター圏域）",
        "disability": "障がい相談支援圏域",
        "health": "保健センター圏域",
        "district": "社協支部・地区",
    }
)

#: 分野 (code -> 表示名).
FIELD_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "elderly": "介護・高齢",
        "disability": "障害",
        "children": "子ども・子育て",
        "poverty": "生活困窮",
        "health": "保健・医療",
        "housing": "住まい",
        "education": "教育",
        "employment": "就労",
        "other": "その他",
    }
)

#: 運営形態 (code -> 表示名).
OPERATION_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "direct": "直営",
        "commissioned": "委託",
        "subsidised": "補助",
    }
)

#: 重層的支援体制整備事業を構成する5事業 (code -> 表示名).
PROGRAM_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "comprehensive_consultation": "包括的相談支援事業",
        "multi_agency": "多機関協働事業",
        "outreach": "アウトリーチ等を通じた継続的支援事業",
        "participation": "参加支援事業",
        "community_building": "地域づくり事業",
    }
)

#: 相談の分類（課題カテゴリ）の初期リスト。HELP_DESK_ROUTES のキーと同じ並び。
ISSUE_CATEGORIES: Final[tuple[str, ...]] = (
    "高齢・介護",
    "障害",
    "子ども・子育て",
    "生活困窮・経済",
    "債務",
    "就労",
    "住まい",
    "健康・医療",
    "精神保健",
    "依存症",
    "ひきこもり",
    "8050問題",
    "ダブルケア",
    "ヤングケアラー",
    "虐待",
    "DV",
    "自殺念慮",
    "セルフネグレクト・ごみ屋敷",
    "孤独・孤立",
    "外国籍・言語",
    "不登校",
    "刑余者",
    "その他",
)


# ---------------------------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Area:
    """One 圏域.

    ``code`` is a unique ASCII slug; ``parent`` is the code of the enclosing area (``None``
    for 市全域). Districts sit under a 日常生活圏域; 日常生活圏域, 障がい相談支援圏域 and
    保健センター圏域 sit directly under 市全域.
    """

    code: str
    name: str
    kind: AreaKind
    parent: str | None


class ProgramRole(NamedTuple):
    """A program an agency runs.

    ``is_mandatory`` is True where the plan marks the row with ★ (必須事業), and ``basis`` is
    the ★ label (e.g. 「【介護】地域包括支援センターの運営」), or "" when not a 必須事業.
    """

    program: Program
    is_mandatory: bool
    basis: str


@dataclass(frozen=True, slots=True)
class Agency:
    """One 支援関係機関.

    ``area`` is an ``Area.code`` (the area the agency serves); ``section`` is the 担当課
    ("" where the plan shows "—", i.e. the agency is itself a city section);
    ``description`` is the 主な相談支援の内容 / 主な取り組み of the plan; ``programs`` is empty
    for an agency that runs none of the five programs. ``name_kana`` is the reading of the
    name in katakana (pickers list agencies in 50音 order and find them by reading); it is
    given to every agency of ``AGENCIES`` from ``_READINGS``.
    """

    code: str
    name: str
    field: Field
    operation: Operation
    area: str
    section: str
    site_count: int
    description: str
    programs: tuple[ProgramRole, ...]
    phone: str
    address: str
    name_kana: str = ""


# ---------------------------------------------------------------------------------------------
# Areas
# ---------------------------------------------------------------------------------------------

CITY_AREA_CODE: Final = "city"

#: 障がい相談支援圏域 (人口10万人を目安に4圏域): (code, name).
_DISABILITY_AREAS: Final = (
    ("dis_north", "北部障がい相談支援圏域"),
    ("dis_east", "東部障がい相談支援圏域"),
    ("dis_west", "西部障がい相談支援圏域"),
    ("dis_south", "南部障がい相談支援圏域"),
)

#: 保健センター圏域 (中・南・北): (code, name).
_HEALTH_AREAS: Final = (
    ("hc_naka", "中保健センター圏域"),
    ("hc_minami", "南保健センター圏域"),
    ("hc_kita", "北保健センター圏域"),
)


class _DailyLife(NamedTuple):
    slug: str  # area code is "dl_<slug>", 地域包括支援センター code is "houkatsu_<slug>"
    stem: str  # 圏域名 / センター名 stem
    districts: tuple[tuple[str, str], ...]  # (district slug, 地区名)
    disability: str  # _DISABILITY_AREAS code
    health: str  # _HEALTH_AREAS code
    towns: tuple[str, ...]  # 町名 for demo addresses


# Illustrative grouping of the 50 地区 into 19 日常生活圏域 (see module docstring).
_DAILY_LIFE: Final[tuple[_DailyLife, ...]] = (
    _DailyLife(
        "chuo",
        "中央",
        (("kyomachi", "京町"), ("meitoku", "明徳"), ("kinka", "金華")),
        "dis_east",
        "hc_naka",
        ("京町", "大宮町", "伊奈波通", "靭屋町", "本町"),
    ),
    _DailyLife(
        "chuo_minami",
        "中央南",
        (("tetsumei", "徹明"), ("hakusan", "白山"), ("meigo", "明郷")),
        "dis_south",
        "hc_naka",
        ("徹明通", "白山町", "司町", "神田町", "若宮町"),
    ),
    _DailyLife(
        "kayo",
        "華陽",
        (("bairin", "梅林"), ("kayo", "華陽"), ("hongo", "本郷"), ("kinomoto", "木之本")),
        "dis_south",
        "hc_naka",
        ("梅林南町", "東栄町", "本郷町", "木之本町", "金園町"),
    ),
    _DailyLife(
        "nagara",
        "長良",
        (("nagara", "長良"), ("nagara_higashi", "長良東")),
        "dis_north",
        "hc_kita",
        ("長良", "長良福光", "長良東", "長良雄総", "長良城西町"),
    ),
    _DailyLife(
        "nagara_nishi",
        "長良西",
        (("nagara_nishi", "長良西"), ("sagiyama", "鷺山")),
        "dis_north",
        "hc_kita",
        ("長良宮口町", "福光東", "福光西", "鷺山", "鷺山東"),
    ),
    _DailyLife(
        "iwanoda",
        "岩野田",
        (("iwanoda", "岩野田"), ("iwanoda_kita", "岩野田北")),
        "dis_north",
        "hc_kita",
        ("岩崎", "松尾", "粟野東", "粟野西", "北野東"),
    ),
    _DailyLife(
        "miwa",
        "三輪",
        (("miwa_minami", "三輪南"), ("miwa_kita", "三輪北")),
        "dis_north",
        "hc_kita",
        ("三輪", "岩利", "福富", "大洞"),
    ),
    _DailyLife(
        "noritake",
        "則武",
        (("noritake", "則武"), ("tokiwa", "常磐")),
        "dis_west",
        "hc_naka",
        ("則武", "則武中", "則武東", "則武西", "上土居", "正木"),
    ),
    _DailyLife(
        "jousai",
        "城西",
        (("shima", "島"), ("soden", "早田"), ("jousai", "城西")),
        "dis_west",
        "hc_naka",
        ("北島", "島栄町", "早田", "早田東町", "忠節町"),
    ),
    _DailyLife(
        "kurono",
        "黒野",
        (("kurono", "黒野"), ("katagata", "方県"), ("saigo", "西郷")),
        "dis_west",
        "hc_kita",
        ("黒野", "黒野南", "古市場", "八代", "石谷", "上西郷"),
    ),
    _DailyLife(
        "ajiro",
        "網代",
        (("ajiro", "網代"), ("shichigo", "七郷"), ("godo", "合渡")),
        "dis_west",
        "hc_kita",
        ("上尻毛", "下尻毛", "西改田", "河渡", "又丸"),
    ),
    _DailyLife(
        "kagashima",
        "鏡島",
        (("kagashima", "鏡島"), ("honjo", "本荘"), ("ichihashi", "市橋")),
        "dis_west",
        "hc_minami",
        ("鏡島", "鏡島精華", "本荘中ノ町", "本荘町", "市橋", "宇佐南"),
    ),
    _DailyLife(
        "akutami",
        "芥見",
        (("akutami", "芥見"), ("akutami_higashi", "芥見東"), ("akutami_minami", "芥見南")),
        "dis_east",
        "hc_kita",
        ("芥見", "芥見大船", "芥見南山", "芥見長山", "芥見東"),
    ),
    _DailyLife(
        "iwa",
        "岩・藍川",
        (("iwa", "岩"), ("aikawa", "藍川")),
        "dis_east",
        "hc_kita",
        ("岩田東", "岩田西", "北山", "太郎丸"),
    ),
    _DailyLife(
        "nagamori_kita",
        "長森北",
        (("nagamori_kita", "長森北"), ("nagamori_higashi", "長森東"), ("hino", "日野")),
        "dis_east",
        "hc_naka",
        ("切通", "野一色", "岩地", "日野東", "日野南"),
    ),
    _DailyLife(
        "nagamori_minami",
        "長森南",
        (("nagamori_minami", "長森南"), ("nagamori_nishi", "長森西")),
        "dis_east",
        "hc_minami",
        ("前一色", "水海道", "蔵前", "芋島", "長森本町"),
    ),
    _DailyLife(
        "kano",
        "加納",
        (("kano", "加納"), ("kano_nishi", "加納西"), ("atsumi", "厚見")),
        "dis_south",
        "hc_minami",
        ("加納本町", "加納栄町通", "加納天神町", "加納丸之内", "六条南", "六条東"),
    ),
    _DailyLife(
        "akanabe",
        "茜部",
        (("akanabe", "茜部"), ("uzura", "鶉")),
        "dis_south",
        "hc_minami",
        ("茜部本郷", "茜部菱野", "茜部辰新", "北鶉", "西鶉"),
    ),
    _DailyLife(
        "yanaizu",
        "柳津",
        (("yanaizu", "柳津"), ("hiekie", "日置江"), ("misato", "三里")),
        "dis_south",
        "hc_minami",
        ("柳津町本郷", "柳津町高桑", "柳津町佐波", "日置江", "西中島"),
    ),
)

#: The 圏域 hierarchy: 市全域, 19 日常生活圏域, 4 障がい相談支援圏域, 3 保健センター圏域, 50 地区.
AREAS: Final[tuple[Area, ...]] = (
    Area(CITY_AREA_CODE, "岐阜市全域", "city", None),
    *(Area(f"dl_{d.slug}", f"{d.stem}圏域", "daily_life", CITY_AREA_CODE) for d in _DAILY_LIFE),
    *(Area(code, name, "disability", CITY_AREA_CODE) for code, name in _DISABILITY_AREAS),
    *(Area(code, name, "health", CITY_AREA_CODE) for code, name in _HEALTH_AREAS),
    *(
        Area(f"dist_{slug}", f"{name}地区", "district", f"dl_{d.slug}")
        for d in _DAILY_LIFE
        for slug, name in d.districts
    ),
)

#: 日常生活圏域 code -> (障がい相談支援圏域 code, 保健センター圏域 code).
DAILY_LIFE_OVERLAYS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {f"dl_{d.slug}": (d.disability, d.health) for d in _DAILY_LIFE}
)

#: 日常生活圏域 code -> 町名 (3–6 each), for demo addresses (e.g. 「岐阜市長良福光1234番地」).
TOWNS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {f"dl_{d.slug}": d.towns for d in _DAILY_LIFE}
)


# ---------------------------------------------------------------------------------------------
# Agencies
# ---------------------------------------------------------------------------------------------
# Phone numbers are fictional (058-2xx-xxxx, unique per agency); street numbers are fictional.

_R = ProgramRole

# ★ labels of the plan (必須事業の根拠).
_B_HOUKATSU: Final = "【介護】地域包括支援センターの運営"
_B_SHOGAI_SOUDAN: Final = "【障がい】相談支援事業"
_B_RIYOSHA: Final = "【子ども・子育て】利用者支援事業"
_B_JIRITSU: Final = "【生活困窮】自立相談支援事業"
_B_TAKIKAN: Final = "多機関協働事業"
_B_OUTREACH: Final = "アウトリーチ等を通じた継続的支援事業"
_B_SANKA: Final = "参加支援事業"
_B_KAIGO_YOBO: Final = "【介護】地域介護予防活動支援事業"
_B_SEIKATSU_SHIEN: Final = "【介護】生活支援体制整備事業"
_B_CHIKATSU: Final = "【障がい】地域活動支援センター事業"
_B_KOSODATE: Final = "【子ども・子育て】地域子育て支援拠点事業"
_B_KONKYU_CHIIKI: Final = "【生活困窮】生活困窮者支援等のための地域づくり事業"

_CITY_HALL: Final = "岐阜市司町1番地（岐阜市役所）"

#: 地域包括支援センター (19, one per 日常生活圏域, 委託, 担当課 高齢福祉課).
_HOUKATSU_CENTERS: Final[tuple[Agency, ...]] = tuple(
    Agency(
        code=f"houkatsu_{d.slug}",
        name=f"地域包括支援センター{d.stem}",
        field="elderly",
        operation="commissioned",
        area=f"dl_{d.slug}",
        section="高齢福祉課",
        site_count=1,
        description="高齢者に関すること（総合相談、権利擁護、介護予防ケアマネジメント等）。",
        programs=(_R("comprehensive_consultation", True, _B_HOUKATSU),),
        phone=f"058-231-{1011 + i * 11:04d}",
        address=f"岐阜市{d.towns[0]}{101 + i * 7}番地",
    )
    for i, d in enumerate(_DAILY_LIFE)
)

#: 基幹相談支援サテライト (4, one per 障がい相談支援圏域, 委託, 担当課 障がい福祉課).
_KIKAN_SATELLITES: Final[tuple[Agency, ...]] = tuple(
    Agency(
        code=f"kikan_sat_{code.removeprefix('dis_')}",
        name=f"基幹相談支援サテライト{name.removesuffix('障がい相談支援圏域')}",
        field="disability",
        operation="commissioned",
        area=code,
        section="障がい福祉課",
        site_count=1,
        description="障がいに関すること。",
        programs=(_R("comprehensive_consultation", True, _B_SHOGAI_SOUDAN),),
        phone=f"058-242-{2101 + i * 13:04d}",
        address=address,
    )
    for i, ((code, name), address) in enumerate(
        zip(
            _DISABILITY_AREAS,
            (
                "岐阜市長良福光215番地",
                "岐阜市野一色3丁目8番地",
                "岐阜市則武中2丁目14番地",
                "岐阜市加納本町6丁目31番地",
            ),
            strict=True,
        )
    )
)

#: 保健センター (中・南・北, 直営). They also run 運動を通じたフレイル予防 (地域づくり事業).
_HEALTH_CENTERS: Final[tuple[Agency, ...]] = tuple(
    Agency(
        code=f"hoken_{code.removeprefix('hc_')}",
        name=f"{name.removesuffix('圏域')}",
        field="health",
        operation="direct",
        area=code,
        section="",
        site_count=1,
        description=(
            "こころと体の健康に関すること。"
            "運動を通じたフレイル予防（いきいき筋トレサポーターの養成・活動支援）。"
        ),
        programs=(
            _R("comprehensive_consultation", False, ""),
            _R("community_building", True, _B_KAIGO_YOBO),
        ),
        phone=phone,
        address=address,
    )
    for (code, name), phone, address in zip(
        _HEALTH_AREAS,
        ("058-252-3311", "058-252-3322", "058-252-3333"),
        ("岐阜市神田町8丁目12番地", "岐阜市加納天神町4丁目20番地", "岐阜市長良雄総35番地"),
        strict=True,
    )
)

#: ① 包括的相談支援事業 -- city-wide desks.
_CONSULTATION_DESKS: Final[tuple[Agency, ...]] = (
    Agency(
        code="koureifukushi_ka",
        name="高齢福祉課",
        field="elderly",
        operation="direct",
        area=CITY_AREA_CODE,
        section="",
        site_count=1,
        description="高齢者に関すること。",
        programs=(_R("comprehensive_consultation", False, ""),),
        phone="058-201-1101",
        address=_CITY_HALL,
    ),
    Agency(
        code="kaigohoken_ka",
        name="介護保険課",
        field="elderly",
        operation="direct",
        area=CITY_AREA_CODE,
        section="",
        site_count=1,
        description="介護保険に関すること。",
        programs=(_R("comprehensive_consultation", False, ""),),
        phone="058-201-1102",
        address=_CITY_HALL,
    ),
    Agency(
        code="shougaifukushi_ka",
        name="障がい福祉課（基幹相談支援センター）",
        field="disability",
        operation="direct",
        area=CITY_AREA_CODE,
        section="",
        site_count=1,
        description="身体障がい、知的障がいに関すること。",
        programs=(_R("comprehensive_consultation", True, _B_SHOGAI_SOUDAN),),
        phone="058-201-1103",
        address=_CITY_HALL,
    ),
    Agency(
        code="kodo_senmon",
        name="高度専門分野相談支援事業所",
        field="disability",
        operation="commissioned",
        area=CITY_AREA_CODE,
        section="障がい福祉課",
        site_count=3,
        description="重度心身障がい、医療的ケア、強度行動障がいに関すること。",
        programs=(_R("comprehensive_consultation", False, ""),),
        phone="058-243-5510",
        address="岐阜市鷺山東1丁目17番地",
    ),
    Agency(
        code="kodomo_wakamono",
        name="子ども・若者総合支援センター",
        field="children",
        operation="direct",
        area=CITY_AREA_CODE,
        section="",
        site_count=1,
        description="子ども、若者に関する悩み・不安に関すること。",
        programs=(_R("comprehensive_consultation", False, ""),),
        phone="058-266-1201",
        address="岐阜市明徳町5番地",
    ),
    Agency(
        code="kodomo_katei",
        name="こども家庭センター",
        field="children",
        operation="direct",
        area=CITY_AREA_CODE,
        section="子ども・若者総合支援センター、各保健センター",
        site_count=1,
        description=(
            "子ども・若者総合支援センター内：児童虐待、養育、ヤングケアラーに関する相談。"
            "各保健センター窓口：妊娠、出産、子育てに関すること、妊産婦、乳幼児に関すること。"
        ),
        programs=(_R("comprehensive_consultation", True, _B_RIYOSHA),),
        phone="058-266-1202",
        address="岐阜市明徳町5番地",
    ),
    Agency(
        code="kodomo_shien_ka",
        name="子ども支援課",
        field="children",
        operation="direct",
        area=CITY_AREA_CODE,
        section="",
        site_count=1,
        description="ひとり親、女性相談に関すること。",
        programs=(_R("comprehensive_consultation", False, ""),),
        phone="058-201-1104",
        address=_CITY_HALL,
    ),
    Agency(
        code="kodomo_hoiku_ka",
        name="子ども保育課",
        field="children",
        operation="direct",
        area=CITY_AREA_CODE,
        section="",
        site_count=1,
        description="教育・保育施設の利用に関すること。",
        programs=(_R("comprehensive_consultation", True, _B_RIYOSHA),),
        phone="058-201-1105",
        address=_CITY_HALL,
    ),
    Agency(
        code="seikatsufukushi_ka",
        name="生活福祉一課・二課・三課",
        field="poverty",
        operation="direct",
        area=CITY_AREA_CODE,
        section="",
        site_count=1,
        description="生活保護に関すること。生活困窮に関すること。",
        programs=(_R("comprehensive_consultation", False, ""),),
        phone="058-201-1106",
        address=_CITY_HALL,
    ),
    Agency(
        code="seikatsu_shuro",
        name="生活・就労サポートセンター",
        field="poverty",
        operation="commissioned",
        area=CITY_AREA_CODE,
        section="生活福祉三課",
        site_count=1,
        description="生活困窮に関すること（自立相談支援、就労支援、家計改善等）。",
        programs=(_R("comprehensive_consultation", True, _B_JIRITSU),),
        phone="058-264-2301",
        address="岐阜市司町1番地（岐阜市役所 1階）",
    ),
    Agency(
        code="hikikomori_soudan",
        name="ひきこもり相談室",
        field="other",
        operation="direct",
        area=CITY_AREA_CODE,
        section="福祉政策課",
        site_count=1,
        description="ひきこもり支援に関すること。",
        programs=(_R("comprehensive_consultation", False, ""),),
        phone="058-201-1107",
        address=_CITY_HALL,
    ),
    Agency(
        code="chiikihoken_ka",
        name="地域保健課",
        field="health",
        operation="direct",
        area=CITY_AREA_CODE,
        section="",
        site_count=1,
        description="こころの健康に関すること。",
        programs=(_R("comprehensive_consultation", False, ""),),
        phone="058-252-3301",
        address="岐阜市神田町8丁目12番地",
    ),
    Agency(
        code="jutaku_akiya_ka",
        name="住宅・空家対策課",
        field="housing",
        operation="direct",
        area=CITY_AREA_CODE,
        section="",
        site_count=1,
        description="住まいに関すること。",
        programs=(_R("comprehensive_consultation", False, ""),),
        phone="058-201-1108",
        address=_CITY_HALL,
    ),
)

# The モデル事業 CSW is placed in one 日常生活圏域 (the model area is illustrative).
CSW_MODEL_AREA_CODE: Final = "dl_jousai"

#: Agencies that appear in several program tables (①, ③, 参加支援, 地域づくり).
_COMMUNITY_WORKERS: Final[tuple[Agency, ...]] = (
    Agency(
        code="csw",
        name="コミュニティソーシャルワーカー（モデル事業）",
        field="other",
        operation="commissioned",
        area=CSW_MODEL_AREA_CODE,
        section="福祉政策課",
        site_count=1,
        description=(
            "生活全般に関する悩み・不安等に関すること。相談先が不明な困り事に関すること。"
            "地域の中で困りごとを抱える方の相談を受け、住民や関係機関と連携して課題解決を手伝う。"
            "「集いの場 ぷらっと」の開催など、担い手がつながるプラットフォームの構築を支援する。"
        ),
        programs=(
            _R("comprehensive_consultation", False, ""),
            _R("outreach", False, ""),
            _R("participation", False, ""),
            _R("community_building", True, _B_KONKYU_CHIIKI),
        ),
        phone="058-274-0801",
        address="岐阜市早田東町2丁目26番地",
    ),
    Agency(
        code="chiikifukushi_co",
        name="地域福祉コーディネーター（岐阜市社会福祉協議会）",
        field="other",
        operation="commissioned",
        area=CITY_AREA_CODE,
        section="福祉政策課",
        site_count=50,
        description=(
            "地域づくりを通じた包括的な相談支援。社協支部（50カ所）単位で、サロンの開催などを"
            "活用した困りごとの相談支援、行政サービス等との連携、人材・社会資源の開発支援を行い、"
            "地域福祉活動を支援する。"
        ),
        programs=(
            _R("comprehensive_consultation", False, ""),
            _R("participation", False, ""),
            _R("community_building", True, _B_KONKYU_CHIIKI),
        ),
        phone="058-255-5521",
        address="岐阜市都通2丁目3番地（岐阜市社会福祉協議会）",
    ),
)

#: ② 多機関協働事業, ③ アウトリーチ, 参加支援 -- the coordinating agencies.
_COORDINATORS: Final[tuple[Agency, ...]] = (
    Agency(
        code="juso_suishin",
        name="重層的支援推進室",
        field="other",
        operation="direct",
        area=CITY_AREA_CODE,
        section="",
        site_count=1,
        description=(
            "多機関協働事業で取り扱う事例の判断基準の策定、重層的支援会議の参加ルールの策定と"
            "開催、支援プランの決定、支援状況の確認、プラン見直しの決定、多機関協働事業の評価・検証、"
            "支援関係機関の対応力向上と連携強化の企画立案などマネジメント機能を担う。"
        ),
        programs=(_R("multi_agency", True, _B_TAKIKAN),),
        phone="058-201-1201",
        address=_CITY_HALL,
    ),
    Agency(
        code="marugoto",
        name="福祉まるごと支援員（岐阜市社会福祉協議会）",
        field="other",
        operation="commissioned",
        area=CITY_AREA_CODE,
        section="福祉政策課",
        site_count=1,
        description=(
            "支援関係機関等からつながれた複合化・複雑化した事例の相談受付、アセスメント、"
            "役割分担と支援の方向性の整理、支援プラン案の作成、重層的支援会議の事前調整・運営補助。"
            "アウトリーチによる信頼関係の構築、同行訪問。参加支援としての地域の社会資源との"
            "マッチング、フォローアップ、モニタリング。"
        ),
        programs=(
            _R("multi_agency", True, _B_TAKIKAN),
            _R("outreach", True, _B_OUTREACH),
            _R("participation", True, _B_SANKA),
        ),
        phone="058-255-5522",
        address="岐阜市都通2丁目3番地（岐阜市社会福祉協議会）",
    ),
    Agency(
        code="houkatsuka_suishin",
        name="相談支援包括化推進員（生活・就労サポートセンター）",
        field="poverty",
        operation="direct",
        area=CITY_AREA_CODE,
        section="生活福祉三課",
        site_count=1,
        description=(
            "生活困窮分野を主とした支援関係機関とのネットワーク構築を図り、複合的な課題や"
            "住まいの課題等に、福祉まるごと支援員と連携して切れ目のない支援を実施する。"
        ),
        programs=(_R("multi_agency", False, ""),),
        phone="058-264-2302",
        address="岐阜市司町1番地（岐阜市役所 1階）",
    ),
)

#: 地域づくり事業・拠点 (other than 保健センター, CSW and 地域福祉コーディネーター).
_COMMUNITY_PROGRAMS: Final[tuple[Agency, ...]] = (
    Agency(
        code="kenkoudukuri_ka",
        name="健康づくり課",
        field="health",
        operation="direct",
        area=CITY_AREA_CODE,
        section="",
        site_count=1,
        description=(
            "食を通じたフレイル予防：岐阜市食生活改善推進協議会と連携・支援し、"
            "高齢者の「食」に関する知識の普及啓発を行う。"
        ),
        programs=(_R("community_building", True, _B_KAIGO_YOBO),),
        phone="058-252-3302",
        address="岐阜市神田町8丁目12番地",
    ),
    Agency(
        code="kyogitai",
        name="日常生活圏域協議体",
        field="elderly",
        operation="commissioned",
        area=CITY_AREA_CODE,
        section="高齢福祉課",
        site_count=19,
        description=(
            "各地域包括支援センターの圏域において、地域の多様な団体などが集い、介護予防・"
            "生活支援の充実のための協議の場として設置し、情報共有及び連携・協働による資源開発等を"
            "推進する。"
        ),
        programs=(_R("community_building", True, _B_SEIKATSU_SHIEN),),
        phone="058-233-4401",
        address="岐阜市都通2丁目3番地",
    ),
    Agency(
        code="seikatsushien_co",
        name="生活支援コーディネーター（支え合いの仕組みづくり推進員）",
        field="elderly",
        operation="commissioned",
        area=CITY_AREA_CODE,
        section="高齢福祉課",
        site_count=1,
        description=(
            "支え合いの仕組みづくり推進事業：日常生活圏域協議体と連携し、地域包括支援センターの"
            "圏域単位で地域課題を洗い出し、ニーズとサービスのマッチングによる新たなサービスの創出など"
            "資源開発を行う。"
        ),
        programs=(_R("community_building", True, _B_SEIKATSU_SHIEN),),
        phone="058-233-4402",
        address="岐阜市都通2丁目3番地",
    ),
    Agency(
        code="sasaeai_yousei",
        name="支え合い活動実践者養成事業",
        field="elderly",
        operation="commissioned",
        area=CITY_AREA_CODE,
        section="高齢福祉課",
        site_count=1,
        description=(
            "住民参加サービス等の担い手として、自治会等の組織と協働し、地域における見守りや"
            "支援活動の体制を構築する「支え合い活動実践者」を養成する。"
        ),
        programs=(_R("community_building", True, _B_SEIKATSU_SHIEN),),
        phone="058-233-4403",
        address="岐阜市都通2丁目3番地",
    ),
    Agency(
        code="kanwa_houmon_yousei",
        name="基準緩和型訪問介護サービス従事者育成事業",
        field="elderly",
        operation="commissioned",
        area=CITY_AREA_CODE,
        section="介護保険課",
        site_count=1,
        description=(
            "要支援者や事業対象者への家事等の生活援助を提供する担い手を育成するため、"
            "介護分野に関する必要な知識等を身に付ける研修を行う。"
        ),
        programs=(_R("community_building", True, _B_SEIKATSU_SHIEN),),
        phone="058-233-4404",
        address="岐阜市加納栄町通3丁目9番地",
    ),
    Agency(
        code="seishin_chikatsu",
        name="精神障害者地域活動支援センター",
        field="disability",
        operation="commissioned",
        area=CITY_AREA_CODE,
        section="障がい福祉課",
        site_count=3,
        description=(
            "精神障がい者に創作的活動又は生産活動の機会の提供、社会との交流の促進等を行うほか、"
            "ボランティア育成、精神障がいに対する理解促進のための普及啓発を行う。"
        ),
        programs=(_R("community_building", True, _B_CHIKATSU),),
        phone="058-243-5520",
        address="岐阜市則武東3丁目5番地",
    ),
    Agency(
        code="chikatsu_day",
        name="地域活動支援センター（障害者デイサービス事業）",
        field="disability",
        operation="subsidised",
        area=CITY_AREA_CODE,
        section="障がい福祉課",
        site_count=1,
        description=(
            "雇用・就労が困難な在宅障がい者に、機能訓練、社会適応訓練、スポーツ、"
            "レクリエーション及び創作的活動等の機会並びに入浴・給食・健康管理指導及び送迎を提供する。"
        ),
        programs=(_R("community_building", True, _B_CHIKATSU),),
        phone="058-243-5530",
        address="岐阜市茜部菱野2丁目40番地",
    ),
    Agency(
        code="kosodate_kyoten",
        name="地域子育て支援拠点センター",
        field="children",
        # The plan lists this as 直営・委託 (both); stored as 直営, one value per agency.
        operation="direct",
        area=CITY_AREA_CODE,
        section="子ども保育課",
        site_count=6,
        description=(
            "子育て家庭に対する育児不安や悩みなどの相談指導、子育てサークルなどへの支援活動、"
            "地域の保育需要に応じた特別保育事業などを実施する（直営・委託）。"
        ),
        programs=(_R("community_building", True, _B_KOSODATE),),
        phone="058-266-1210",
        address="岐阜市本郷町3丁目18番地",
    ),
)

#: The section that runs the program and the 民生委員・児童委員 federation.
_OTHERS: Final[tuple[Agency, ...]] = (
    Agency(
        code="fukushiseisaku_ka",
        name="福祉政策課",
        field="other",
        operation="direct",
        area=CITY_AREA_CODE,
        section="",
        site_count=1,
        description=(
            "地域福祉推進計画及び重層的支援体制整備事業の所管。福祉まるごと支援員、"
            "コミュニティソーシャルワーカー、地域福祉コーディネーター及びひきこもり相談室の担当課。"
        ),
        programs=(),
        phone="058-201-1200",
        address=_CITY_HALL,
    ),
    Agency(
        code="minsei_kyogikai",
        name="岐阜市民生委員・児童委員協議会",
        field="other",
        operation="subsidised",
        area=CITY_AREA_CODE,
        section="福祉政策課",
        site_count=1,
        description=(
            "民生委員・児童委員による地域の見守り、相談、関係機関へのつなぎ。"
            "各地区の民生委員・児童委員協議会で構成する。"
        ),
        programs=(),
        phone="058-255-5530",
        address="岐阜市都通2丁目3番地",
    ),
)

#: 読み of the 日常生活圏域 stems (the names of the 地域包括支援センター end with them).
_DAILY_LIFE_STEM_READINGS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "chuo": "チュウオウ",
        "chuo_minami": "チュウオウミナミ",
        "kayo": "カヨウ",
        "nagara": "ナガラ",
        "nagara_nishi": "ナガラニシ",
        "iwanoda": "イワノダ",
        "miwa": "ミワ",
        "noritake": "ノリタケ",
        "jousai": "ジョウサイ",
        "kurono": "クロノ",
        "ajiro": "アジロ",
        "kagashima": "カガシマ",
        "akutami": "アクタミ",
        "iwa": "イワアイカワ",  # 岩・藍川
        "nagamori_kita": "ナガモリキタ",
        "nagamori_minami": "ナガモリミナミ",
        "kano": "カノウ",
        "akanabe": "アカナベ",
        "yanaizu": "ヤナイヅ",
    }
)

#: Agency code -> reading of its name (katakana, without spaces or punctuation; the words in
#: brackets are read too, so that they can be searched by reading).
_READINGS: Final[Mapping[str, str]] = MappingProxyType(
    {
        **{
            f"houkatsu_{d.slug}": f"チイキホウカツシエンセンター{_DAILY_LIFE_STEM_READINGS[d.slug]}"
            for d in _DAILY_LIFE
        },
        "kikan_sat_north": "キカンソウダンシエンサテライトホクブ",
        "kikan_sat_east": "キカンソウダンシエンサテライトトウブ",
        "kikan_sat_west": "キカンソウダンシエンサテライトセイブ",
        "kikan_sat_south": "キカンソウダンシエンサテライトナンブ",
        "hoken_naka": "ナカホケンセンター",
        "hoken_minami": "ミナミホケンセンター",
        "hoken_kita": "キタホケンセンター",
        "koureifukushi_ka": "コウレイフクシカ",
        "kaigohoken_ka": "カイゴホケンカ",
        "shougaifukushi_ka": "ショウガイフクシカキカンソウダンシエンセンター",
        "kodo_senmon": "コウドセンモンブンヤソウダンシエンジギョウショ",
        "kodomo_wakamono": "コドモワカモノソウゴウシエンセンター",
        "kodomo_katei": "コドモカテイセンター",
        "kodomo_shien_ka": "コドモシエンカ",
        "kodomo_hoiku_ka": "コドモホイクカ",
        "seikatsufukushi_ka": "セイカツフクシイッカニカサンカ",
        "seikatsu_shuro": "セイカツシュウロウサポートセンター",
        "hikikomori_soudan": "ヒキコモリソウダンシツ",
        "chiikihoken_ka": "チイキホケンカ",
        "jutaku_akiya_ka": "ジュウタクアキヤタイサクカ",
        "csw": "コミュニティソーシャルワーカーモデルジギョウ",
        "chiikifukushi_co": "チイキフクシコーディネーターギフシシャカイフクシキョウギカイ",
        "juso_suishin": "ジュウソウテキシエンスイシンシツ",
        "marugoto": "フクシマルゴトシエンインギフシシャカイフクシキョウギカイ",
        "houkatsuka_suishin": (
            "ソウダンシエンホウカツカスイシンインセイカツシュウロウサポートセンター"
        ),
        "kenkoudukuri_ka": "ケンコウヅクリカ",
        "kyogitai": "ニチジョウセイカツケンイキキョウギタイ",
        "seikatsushien_co": "セイカツシエンコーディネーターササエアイノシクミヅクリスイシンイン",
        "sasaeai_yousei": "ササエアイカツドウジッセンシャヨウセイジギョウ",
        "kanwa_houmon_yousei": (
            "キジュンカンワガタホウモンカイゴサービスジュウジシャイクセイジギョウ"
        ),
        "seishin_chikatsu": "セイシンショウガイシャチイキカツドウシエンセンター",
        "chikatsu_day": "チイキカツドウシエンセンターショウガイシャデイサービスジギョウ",
        "kosodate_kyoten": "チイキコソダテシエンキョテンセンター",
        "fukushiseisaku_ka": "フクシセイサクカ",
        "minsei_kyogikai": "ギフシミンセイイインジドウイインキョウギカイ",
    }
)

#: Every 支援関係機関 of the demo city, each with its reading.
AGENCIES: Final[tuple[Agency, ...]] = tuple(
    replace(agency, name_kana=_READINGS[agency.code])
    for agency in (
        # ① in the order of the plan's table.
        *_CONSULTATION_DESKS[:1],  # 高齢福祉課
        *_HOUKATSU_CENTERS,
        *_CONSULTATION_DESKS[1:3],  # 介護保険課, 障がい福祉課（基幹相談支援センター）
        *_KIKAN_SATELLITES,
        *_CONSULTATION_DESKS[3:11],  # 高度専門分野相談支援事業所 … ひきこもり相談室
        *_HEALTH_CENTERS,
        *_CONSULTATION_DESKS[11:],  # 地域保健課, 住宅・空家対策課
        *_COMMUNITY_WORKERS,
        *_COORDINATORS,
        *_COMMUNITY_PROGRAMS,
        *_OTHERS,
    )
)

#: Codes of the 19 地域包括支援センター, in 日常生活圏域 order.
HOUKATSU_CENTER_CODES: Final[tuple[str, ...]] = tuple(a.code for a in _HOUKATSU_CENTERS)
#: Codes of the 4 基幹相談支援サテライト.
KIKAN_SATELLITE_CODES: Final[tuple[str, ...]] = tuple(a.code for a in _KIKAN_SATELLITES)
#: Codes of the 3 保健センター.
HEALTH_CENTER_CODES: Final[tuple[str, ...]] = tuple(a.code for a in _HEALTH_CENTERS)


# ---------------------------------------------------------------------------------------------
# 福祉健康窓口連携ヘルプデスク
# ---------------------------------------------------------------------------------------------
# Theme -> agency codes, primary desk first. Area-based groups (every 地域包括支援センター,
# 基幹相談支援サテライト, 保健センター) are listed in full; pick the one whose ``area`` covers
# the person's address (see DAILY_LIFE_OVERLAYS). The plan has no dedicated desk for 外国籍・
# 言語, 不登校 or 刑余者; those themes go to the nearest general desks.

_H: Final = HOUKATSU_CENTER_CODES
_S: Final = KIKAN_SATELLITE_CODES
_C: Final = HEALTH_CENTER_CODES

HELP_DESK_ROUTES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "高齢・介護": (*_H, "koureifukushi_ka", "kaigohoken_ka"),
        "障害": ("shougaifukushi_ka", *_S, "kodo_senmon"),
        "子ども・子育て": (
            "kodomo_katei",
            "kodomo_hoiku_ka",
            "kodomo_shien_ka",
            "kodomo_wakamono",
            "kosodate_kyoten",
        ),
        "生活困窮・経済": ("seikatsu_shuro", "seikatsufukushi_ka", "houkatsuka_suishin"),
        "債務": ("seikatsu_shuro", "seikatsufukushi_ka"),
        "就労": ("seikatsu_shuro", "kodomo_wakamono", "shougaifukushi_ka", *_S),
        "住まい": ("jutaku_akiya_ka", "houkatsuka_suishin", "seikatsu_shuro"),
        "健康・医療": (*_C, "chiikihoken_ka"),
        "精神保健": ("chiikihoken_ka", *_C, "seishin_chikatsu"),
        "依存症": ("chiikihoken_ka", *_C),
        "ひきこもり": ("hikikomori_soudan", "kodomo_wakamono", "marugoto"),
        "8050問題": ("marugoto", "hikikomori_soudan", *_H, "juso_suishin"),
        "ダブルケア": (*_H, "kodomo_katei", "marugoto"),
        "ヤングケアラー": ("kodomo_katei", "kodomo_wakamono", "marugoto"),
        "虐待": ("kodomo_katei", "koureifukushi_ka", *_H, "shougaifukushi_ka"),
        "DV": ("kodomo_shien_ka", "kodomo_katei"),
        "自殺念慮": ("chiikihoken_ka", *_C),
        "セルフネグレクト・ごみ屋敷": (*_H, "marugoto", "csw", "chiikifukushi_co"),
        "孤独・孤立": ("chiikifukushi_co", "csw", "marugoto", *_H),
        "外国籍・言語": ("csw", "seikatsu_shuro", "kodomo_katei"),
        "不登校": ("kodomo_wakamono",),
        "刑余者": ("seikatsu_shuro", "seikatsufukushi_ka", "houkatsuka_suishin"),
        "その他": ("csw", "marugoto", "juso_suishin"),
    }
)
