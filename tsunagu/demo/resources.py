"""Demo 社会資源: the directory the participation worker searches with the person beside them.

About fifty places and activities across the demo city's 圏域, of every kind of
:mod:`tsunagu.resources.kinds`, run by the kinds of organisations a city's directory holds
(社会福祉協議会の支部, NPO法人, 自治会, 商店, 農園, 子ども食堂, 社会福祉法人 …), open weekly
(毎週水曜 10:00–12:00) or on given weeks of the month (第2・第4土曜). Among them:

- a few whose information is older than 12 months (情報確認日: due for re-checking);
- a few that are full (いまの空き 0), and two paused (一時休止);
- nine host profiles (受け入れ先: 商店・農家・就労体験先), eight of them assessed;
- dates the usual schedule does not hold (休み, or open at other times);
- the hobbies of the demo's アウトリーチ stories (長良川の釣り, 将棋, イラスト) and the
  地域若者サポートステーション one of them wants to see.

Every write goes through :mod:`tsunagu.resources.services` as the participation worker
(``participation``), so each entry has its audit trail. Dates are relative to today. Skipped
when resources already exist (idempotent).

The organisations, shops, farms, people and phone numbers are fictional; the kinds of
activities follow 岐阜市's plan (集いの場「ぷらっと」, いきいき筋トレ体操, 食を通じたフレイル予防,
社協支部のサロン, 精神障害者地域活動支援センター).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tsunagu.accounts.models import Area, User
from tsunagu.resources import gaps, services
from tsunagu.resources.kinds import KINDS, install_standard_kinds
from tsunagu.resources.models import (
    WEEKDAYS,
    Frequency,
    GapOrigin,
    GapStatus,
    Resource,
    ResourceKind,
    ResourceStatus,
    Target,
)
from tsunagu.resources.services import ScheduleIn

WORKER = "participation"
WORKER_AGENCY = "marugoto"  # 福祉まるごと支援員: runs 参加支援事業

C, Y, W, E = Target.CHILDREN, Target.YOUTH, Target.WORKING_AGE, Target.ELDERLY
EVERYONE = (C, Y, W, E)
PAUSED = ResourceStatus.PAUSED
SHAKYO = "岐阜市社会福祉協議会"


@dataclass(frozen=True)
class Entry:
    """One resource. ``when``: 「水 10:00-12:00」 (weekly; 「月・木 …」 for two days),
    「第2・第4土 09:00-11:00」 (monthly), with an optional note after 「|」."""

    name: str
    org: str
    kind: str
    area: str
    when: tuple[str, ...]
    description: str
    targets: tuple[str, ...] = ()
    address: str = ""
    attributes: str = ""
    conditions: str = ""
    capacity: int | None = None
    free: int | None = None
    cost: str = ""
    contact: str = ""
    phone: str = ""
    email: str = ""
    accessibility: str = ""
    status: str = ResourceStatus.OPEN
    confirmed: int = 30  # days ago


@dataclass(frozen=True)
class Host:
    """The host profile (受け入れ先) of a resource; ``assessed`` days ago (None: not yet)."""

    contact_person: str
    tasks: str
    conditions: str
    concerns: str
    assessment: str = ""
    assessed: int | None = None


ENTRIES: tuple[Entry, ...] = (
    # ---- 居場所 ------------------------------------------------------------------------
    Entry(
        "集いの場 ぷらっと 早田",
        f"{SHAKYO}（コミュニティソーシャルワーカー）",
        "ibasho",
        "dist_soden",
        ("水 10:00-15:00",),
        "誰でも立ち寄れる集いの場。お茶を飲みながら話したり、地域の活動を知ったりできます。"
        "コミュニティソーシャルワーカーが常駐し、困りごとの相談にものります。",
        EVERYONE,
        "岐阜市早田東町2丁目26番地 早田地区コミュニティセンター",
        cost="無料",
        contact="鷺山 翔太",
        phone="058-274-0801",
        accessibility="車いす可、駐車場あり",
        confirmed=20,
    ),
    Entry(
        "集いの場 ぷらっと 島",
        f"{SHAKYO}（コミュニティソーシャルワーカー）",
        "ibasho",
        "dist_shima",
        ("第1・第3金 13:30-16:00",),
        "空き店舗を使った集いの場。手芸や将棋をしながら過ごせます。地域の担い手の"
        "打ち合わせにも使われています。",
        EVERYONE,
        "岐阜市北島5丁目8番3号",
        cost="無料（お茶代50円）",
        contact="鷺山 翔太",
        phone="058-274-0801",
        confirmed=45,
    ),
    Entry(
        "ひきこもり相談室の居場所「ほっとルーム」",
        "岐阜市ひきこもり相談室",
        "ibasho",
        "city",
        ("火・金 13:00-16:00",),
        "ひきこもり状態にある方が安心して過ごせる居場所。ボードゲーム、読書、軽い"
        "運動など、話さずに過ごすこともできます。",
        (Y, W),
        "岐阜市司町1番地（岐阜市役所）",
        attributes="ひきこもり状態にある方",
        conditions="はじめに相談室で面談してから利用します（家族の相談からでも可）。",
        capacity=10,
        free=3,
        cost="無料",
        contact="早田 亮",
        phone="058-201-1107",
        accessibility="エレベーターあり、多目的トイレあり",
        confirmed=60,
    ),
    Entry(
        "若者の居場所「よりみちスペース」",
        "NPO法人 ぎふ若者サポートネット",
        "ibasho",
        "dist_meitoku",
        ("月・木 14:00-18:00",),
        "10代後半から30代の若者が気軽に立ち寄れるフリースペース。自習、ゲーム、"
        "スタッフとのおしゃべりなど自由に過ごせます。",
        (Y,),
        "岐阜市柳ケ瀬通3丁目14番地 2階",
        attributes="学校や仕事に行きづらい若者",
        capacity=15,
        free=6,
        cost="無料",
        contact="日比野 彩",
        phone="058-263-4470",
        email="yorimichi@example.jp",
        confirmed=90,
    ),
    Entry(
        "地域活動支援センター こもれび",
        "社会福祉法人 ぎふ清流会",
        "ibasho",
        "dist_hakusan",
        ("月・木 10:00-16:00",),
        "精神障害者地域活動支援センター。創作活動、軽作業、季節の行事を通じて仲間と過ごせます。",
        (Y, W, E),
        "岐阜市白山町2丁目7番地",
        attributes="精神障がいのある方",
        conditions="初回は見学と面談（予約制）",
        capacity=20,
        free=5,
        cost="無料（昼食は実費300円）",
        contact="後藤 由紀",
        phone="058-265-3318",
        accessibility="車いす可",
        confirmed=120,
    ),
    # ---- サロン ------------------------------------------------------------------------
    Entry(
        "ふれあい・いきいきサロン 長良",
        f"{SHAKYO} 長良支部",
        "salon",
        "dist_nagara",
        ("第2火 13:30-15:30",),
        "体操、歌、季節の手づくりとお茶の時間。民生委員と支部の方が運営しています。",
        (E,),
        "岐阜市長良福光2567番地 長良公民館",
        cost="1回100円",
        contact="長屋 文子",
        phone="058-232-7751",
        accessibility="和室（いす席あり）",
        confirmed=75,
    ),
    Entry(
        "いきいきサロン 加納",
        f"{SHAKYO} 加納支部",
        "salon",
        "dist_kano",
        ("第1・第3木 10:00-12:00",),
        "加納地区の高齢者が集うサロン。脳トレ、輪投げ、昼前のおしゃべり。",
        (E,),
        "岐阜市加納本町4丁目12番地 加納コミュニティセンター",
        cost="1回100円",
        contact="可児 正子",
        phone="058-272-1904",
        confirmed=150,
    ),
    Entry(
        "三輪南サロン「おしゃべり会」",
        f"{SHAKYO} 三輪南支部",
        "salon",
        "dist_miwa_minami",
        ("第4水 13:30-15:00",),
        "お茶とおしゃべりのサロン。送迎の相談にも応じます。",
        (E,),
        "岐阜市三輪1024番地 三輪南公民館",
        cost="無料",
        contact="纐纈 敏夫",
        phone="058-229-0655",
        confirmed=200,
    ),
    Entry(
        "オレンジカフェ 金華",
        "医療法人 金華会",
        "salon",
        "dist_kinka",
        ("第3土 14:00-16:00",),
        "認知症カフェ。認知症の方と家族、地域の方がお茶を飲みながら話せます。"
        "看護師と地域包括支援センターの職員が相談にのります。",
        (W, E),
        "岐阜市大宮町1丁目22番地",
        attributes="認知症の方とその家族",
        cost="1回200円（飲み物つき）",
        contact="林 亜紀",
        phone="058-262-0189",
        accessibility="車いす可、駐車場3台",
        confirmed=40,
    ),
    Entry(
        "子育てサロン ぴよぴよ",
        f"{SHAKYO} 日野支部",
        "salon",
        "dist_hino",
        ("第2・第4月 10:00-11:30",),
        "乳幼児と保護者のサロン。手遊び、絵本、子育ての先輩との雑談。",
        (C, W),
        "岐阜市日野南5丁目3番地 日野公民館",
        attributes="0〜3歳の子どもと保護者",
        cost="無料",
        contact="篠田 恵",
        phone="058-246-2287",
        confirmed=100,
    ),
    Entry(
        "男の台所サロン",
        f"{SHAKYO} 芥見支部",
        "salon",
        "dist_akutami",
        ("第1土 10:00-13:00",),
        "男性のための料理サロン。みんなで昼食をつくって食べます。",
        (E,),
        "岐阜市芥見大船1丁目55番地 芥見公民館 調理室",
        attributes="一人暮らしの男性など",
        cost="材料費500円",
        contact="吉田 勝",
        phone="058-243-1150",
        confirmed=430,
    ),
    # ---- 子ども食堂 ----------------------------------------------------------------------
    Entry(
        "みんなの食堂 かよう",
        "NPO法人 華陽こども応援団",
        "kodomo_shokudo",
        "dist_kayo",
        ("第2・第4金 17:00-19:00",),
        "子どもも大人も一緒に食べる多世代の食堂。宿題の時間もあります。",
        (C, W, E),
        "岐阜市金園町3丁目9番地",
        capacity=40,
        free=12,
        cost="子ども無料、大人300円",
        contact="杉山 里美",
        phone="058-251-6630",
        email="kayo-shokudo@example.jp",
        confirmed=35,
    ),
    Entry(
        "こども食堂 てらごはん",
        "宗教法人 正願寺",
        "kodomo_shokudo",
        "dist_kurono",
        ("第3日 11:30-13:30",),
        "お寺の本堂で昼ごはん。食後は境内で遊べます。",
        (C,),
        "岐阜市黒野南3丁目41番地",
        cost="子ども無料、大人200円",
        contact="住職 松井 恵信",
        phone="058-239-3341",
        confirmed=180,
    ),
    Entry(
        "本郷こども食堂",
        "本郷自治会連合会",
        "kodomo_shokudo",
        "dist_hongo",
        ("水 17:00-19:00",),
        "自治会の方が毎週つくる夕ごはん。中学生まで。",
        (C,),
        "岐阜市本郷町4丁目2番地 本郷会館",
        attributes="小中学生",
        capacity=30,
        free=0,
        cost="無料",
        contact="河合 弘",
        phone="058-253-0716",
        confirmed=25,
    ),
    Entry(
        "あかなべ子ども食堂",
        "NPO法人 茜部まちづくりの会",
        "kodomo_shokudo",
        "dist_akanabe",
        ("第1土 12:00-14:00",),
        "地域の農家の野菜を使った昼ごはん。会場の改修のため一時休止しています。",
        (C, W),
        "岐阜市茜部本郷2丁目17番地 茜部会館",
        cost="子ども無料、大人300円",
        contact="服部 典子",
        phone="058-271-5582",
        status=PAUSED,
        confirmed=50,
    ),
    Entry(
        "やないづ わいわい食堂",
        "一般社団法人 やないづ結いの会",
        "kodomo_shokudo",
        "dist_yanaizu",
        ("第2・第4火 17:30-19:00|フードパントリー（食品の配布）を同時に開きます",),
        "夕ごはんとフードパントリー。ひとり親家庭の方は食品を持ち帰れます。",
        (C, W),
        "岐阜市柳津町本郷6丁目8番地",
        attributes="子育て家庭（ひとり親家庭を歓迎）",
        capacity=35,
        free=8,
        cost="子ども無料、大人300円",
        contact="高橋 美代子",
        phone="058-279-2206",
        confirmed=15,
    ),
    # ---- 通いの場 ----------------------------------------------------------------------
    Entry(
        "いきいき筋トレ体操 則武中",
        "則武中自治会",
        "kayoinoba",
        "dist_noritake",
        ("月 10:00-11:00",),
        "いきいき筋トレサポーターと一緒に、DVDを見ながら週1回の筋トレ体操。",
        (E,),
        "岐阜市則武中3丁目10番地 則武中集会所",
        cost="無料",
        contact="筋トレサポーター 田中 節子",
        phone="058-231-8802",
        confirmed=140,
    ),
    Entry(
        "いきいき筋トレ体操 芋島",
        "芋島町内会",
        "kayoinoba",
        "dist_nagamori_minami",
        ("木 09:30-10:30",),
        "公民館での筋トレ体操。終わったらお茶の時間があります。",
        (E,),
        "岐阜市芋島2丁目6番地 芋島公民館",
        cost="無料",
        contact="筋トレサポーター 浅野 君江",
        phone="058-247-1439",
        confirmed=470,
    ),
    Entry(
        "食のフレイル予防教室",
        "岐阜市食生活改善推進協議会",
        "kayoinoba",
        "dl_kano",
        ("第2水 10:00-13:00",),
        "食生活改善推進員と一緒に、たんぱく質のとれる簡単な昼食をつくって食べます。",
        (E,),
        "岐阜市加納丸之内1番地 南保健センター 調理実習室",
        conditions="申込制（定員になりしだい締切）",
        capacity=16,
        free=0,
        cost="材料費400円",
        contact="食生活改善推進員 後藤 和江",
        phone="058-272-3366",
        accessibility="エレベーターあり",
        confirmed=55,
    ),
    Entry(
        "百歳体操と茶話会 岩野田北",
        "岩野田北自治会",
        "kayoinoba",
        "dist_iwanoda_kita",
        ("金 10:00-11:30",),
        "おもりを使った体操と茶話会。歩いて通える距離の方が集まっています。",
        (E,),
        "岐阜市粟野西4丁目201番地 粟野西集会所",
        cost="月200円",
        contact="奥村 千代",
        phone="058-237-6620",
        confirmed=95,
    ),
    Entry(
        "鏡島ウォーキングの会",
        "鏡島地区体育振興会",
        "kayoinoba",
        "dist_kagashima",
        ("第1・第3土 08:00-09:30",),
        "長良川の堤防沿いを1時間ほど歩きます。自分のペースで参加できます。",
        (W, E),
        "岐阜市鏡島1丁目 鏡島公民館前に集合",
        cost="無料",
        contact="伊藤 正",
        phone="058-252-4401",
        confirmed=210,
    ),
    # ---- 就労体験先 ----------------------------------------------------------------------
    Entry(
        "八百屋まるやま 品出し体験",
        "丸山青果店",
        "work_experience",
        "dist_meitoku",
        ("水 10:00-12:00",),
        "開店前後の野菜の品出しと袋詰め。店主が手順を一つずつ教えます。",
        (Y, W),
        "岐阜市柳ケ瀬通5丁目2番地",
        attributes="働いた経験の少ない方、久しぶりに働く方",
        conditions="参加支援員の同行から始めます",
        capacity=2,
        free=1,
        cost="無料（交通費は自己負担）",
        contact="丸山 勝",
        phone="058-262-5130",
        confirmed=20,
    ),
    Entry(
        "ベーカリー こむぎ 仕込み補助",
        "有限会社 こむぎ",
        "work_experience",
        "dist_nagara_higashi",
        ("火・金 09:00-11:00",),
        "パンの袋詰め、トレーの洗浄、店内の掃除。",
        (Y, W),
        "岐阜市長良東2丁目88番地",
        conditions="食品を扱うため、初回に手洗いと衛生の説明があります",
        capacity=1,
        free=1,
        cost="無料",
        contact="小森 由香",
        phone="058-296-0412",
        confirmed=65,
    ),
    Entry(
        "特別養護老人ホーム 長森苑 周辺業務の体験",
        "社会福祉法人 長森福祉会",
        "work_experience",
        "dist_nagamori_kita",
        ("月 13:00-15:00",),
        "シーツ交換の補助、配膳の準備、談話室の掃除など、介護以外の周辺業務。",
        (Y, W),
        "岐阜市切通6丁目3番1号",
        conditions="健康診断書の提出（直近1年以内）",
        capacity=2,
        free=2,
        cost="無料（昼食の提供あり）",
        contact="生活相談員 野村 剛",
        phone="058-246-3390",
        accessibility="駐車場あり",
        confirmed=110,
    ),
    Entry(
        "古書みやこ 本の仕分け体験",
        "古書みやこ",
        "work_experience",
        "dist_kyomachi",
        ("木 13:00-16:00",),
        "買い取った古本の仕分け、値札付け、棚の整理。静かな環境で人と話さずにできる作業です。",
        (Y, W),
        "岐阜市京町2丁目31番地",
        attributes="人の多い場所が苦手な方",
        capacity=1,
        free=1,
        cost="無料",
        contact="都築 誠",
        phone="058-265-7018",
        confirmed=30,
    ),
    Entry(
        "印刷工房みなも 軽作業体験",
        "合同会社 みなも印刷",
        "work_experience",
        "dist_kano_nishi",
        ("水 13:00-15:00",),
        "チラシの折り、封入、ラベル貼り。座ってできる作業が中心です。",
        (Y, W),
        "岐阜市加納栄町通6丁目18番地",
        capacity=3,
        free=2,
        cost="無料",
        contact="水野 浩二",
        phone="058-273-8841",
        accessibility="1階作業場、段差なし",
        confirmed=80,
    ),
    Entry(
        "ぎふ住まいセンター 鏡島店 売場づくり体験",
        "株式会社 ぎふ住まいセンター",
        "work_experience",
        "dist_honjo",
        ("第1・第3火 10:00-12:00",),
        "ホームセンターの園芸売場での水やり、鉢の並べ替え、カートの回収。",
        (Y, W),
        "岐阜市本荘中ノ町8丁目40番地",
        capacity=2,
        free=2,
        cost="無料",
        contact="店長 加藤 隆",
        phone="058-252-9900",
        confirmed=400,
    ),
    # ---- 中間的就労 ----------------------------------------------------------------------
    Entry(
        "認定就労訓練「リユース工房ぎふ」",
        "NPO法人 ぎふリユースネット",
        "intermediate_work",
        "dist_ichihashi",
        ("月・木 09:30-15:30",),
        "寄付された家具や衣類の清掃、修理、値付けと販売。自分のペースで時間を延ばせます"
        "（非雇用型から雇用型へ）。",
        (Y, W),
        "岐阜市市橋4丁目7番12号",
        attributes="生活困窮者自立支援制度の就労訓練",
        conditions="生活・就労サポートセンターの支援計画にもとづいて利用します",
        capacity=6,
        free=2,
        cost="無料（雇用型は時給あり）",
        contact="熊崎 大地",
        phone="058-255-2071",
        confirmed=45,
    ),
    Entry(
        "公園清掃の中間的就労",
        "社会福祉法人 ぎふ清流会",
        "intermediate_work",
        "dl_akutami",
        ("火 09:00-12:00",),
        "市の公園の清掃と草刈りの補助。3人1組で作業します。",
        (Y, W),
        "岐阜市芥見南山3丁目 芥見南山公園",
        conditions="生活・就労サポートセンターの紹介",
        capacity=8,
        free=0,
        cost="無料（作業に応じて工賃）",
        contact="後藤 由紀",
        phone="058-265-3318",
        confirmed=70,
    ),
    Entry(
        "お弁当工房つむぎ 盛り付けと配達補助",
        "社会福祉法人 つむぎ福祉会",
        "intermediate_work",
        "dist_tokiwa",
        ("水 10:00-14:00",),
        "高齢者向け配食弁当の盛り付け、容器洗い、配達の同乗。",
        (Y, W),
        "岐阜市正木中1丁目2番35号",
        conditions="見学のうえ、週1日から",
        capacity=4,
        free=1,
        cost="無料（工賃あり）",
        contact="森 久美子",
        phone="058-231-4562",
        confirmed=160,
    ),
    Entry(
        "農福連携 枝豆の選別作業",
        "農事組合法人 西郷えだまめ組合",
        "intermediate_work",
        "dist_saigo",
        ("第2・第4金 08:30-11:30|6〜9月の収穫期のみ",),
        "岐阜市特産の枝豆の選別と袋詰め。作業場は屋根つきで、座ってできます。",
        (Y, W, E),
        "岐阜市上西郷1130番地",
        conditions="収穫期（6〜9月）のみ。送迎は相談",
        capacity=5,
        free=3,
        cost="無料（工賃あり）",
        contact="組合長 三宅 弘",
        phone="058-239-0718",
        confirmed=240,
    ),
    # ---- 商店・農家の作業の場 --------------------------------------------------------------
    Entry(
        "林柿園 袋かけと収穫の手伝い",
        "林柿園",
        "shop_farm_work",
        "dist_ajiro",
        ("土 09:00-12:00|10〜11月は収穫、6〜7月は袋かけ",),
        "富有柿の畑での袋かけ、収穫、選果の手伝い。外で体を動かしたい方に。",
        (Y, W, E),
        "岐阜市上尻毛240番地",
        conditions="雨天中止。長靴と帽子を持参",
        capacity=3,
        free=2,
        cost="無料（お土産の柿あり）",
        contact="林 義雄",
        phone="058-239-5521",
        confirmed=110,
    ),
    Entry(
        "ふくとみ農園 草取りと野菜の袋詰め",
        "ふくとみ農園",
        "shop_farm_work",
        "dist_miwa_kita",
        ("水 08:30-11:00",),
        "少量多品目の野菜畑での草取り、収穫、直売所向けの袋詰め。",
        (Y, W, E),
        "岐阜市福富702番地",
        conditions="送迎は三輪地区内のみ相談可",
        capacity=2,
        free=1,
        cost="無料",
        contact="福富 明美",
        phone="058-229-3406",
        confirmed=85,
    ),
    Entry(
        "花屋 はなあかり 水替えとラッピング補助",
        "はなあかり",
        "shop_farm_work",
        "dist_tetsumei",
        ("金 10:00-12:00",),
        "切り花の水替え、バケツ洗い、ラッピング用品の準備。",
        (Y, W),
        "岐阜市徹明通4丁目11番地",
        capacity=1,
        free=0,
        cost="無料",
        contact="坂井 明日香",
        phone="058-264-7712",
        confirmed=15,
    ),
    Entry(
        "柳ケ瀬商店街 店先の清掃と飾りつけ",
        "柳ケ瀬商店街振興組合",
        "shop_farm_work",
        "dist_meitoku",
        ("第2・第4日 09:00-10:30",),
        "アーケードの清掃、季節の飾りつけ。商店主と顔見知りになれます。",
        (Y, W, E),
        "岐阜市柳ケ瀬通2丁目 振興組合事務所に集合",
        cost="無料",
        contact="事務局 大野 健",
        phone="058-262-0033",
        confirmed=130,
    ),
    Entry(
        "鮎の甘露煮工房 仕込みの手伝い",
        "長良川 鮎工房かわせ",
        "shop_farm_work",
        "dist_nagara",
        ("第1・第3水 09:00-12:00",),
        "鮎の串打ち、甘露煮の箱詰め、店頭の掃除。",
        (W, E),
        "岐阜市長良雄総1丁目6番地",
        capacity=2,
        free=1,
        cost="無料",
        contact="川瀬 正彦",
        phone="058-232-4190",
        confirmed=290,
    ),
    # ---- 一時的な住まい --------------------------------------------------------------------
    Entry(
        "一時生活支援 シェルター「あんしんの家」",
        "NPO法人 ぎふ住まいサポート",
        "temporary_housing",
        "city",
        ("月・木 09:00-17:00|相談・入居の受付",),
        "住まいを失った方が次の住まいを探す間の一時的な宿泊場所（原則3か月以内）。食事の"
        "提供と、住まい探しの同行があります。",
        (Y, W, E),
        "所在地は非公開（相談時に案内）",
        attributes="住まいを失った方、失うおそれのある方",
        conditions="生活・就労サポートセンターの相談を経て入居",
        capacity=4,
        free=1,
        cost="無料",
        contact="安藤 学",
        phone="058-264-8830",
        confirmed=30,
    ),
    Entry(
        "若者シェアハウス ひとやすみ荘",
        "一般社団法人 ぎふすまいるネット（居住支援法人）",
        "temporary_housing",
        "dist_nagara_nishi",
        ("水 13:00-17:00|見学・入居相談",),
        "家を出たい若者のための家具つき個室（最長1年）。生活リズムづくりの支援つき。",
        (Y,),
        "岐阜市福光東1丁目19番地",
        attributes="18〜39歳",
        conditions="面談のうえ入居。家賃は住居確保給付金の対象",
        capacity=5,
        free=0,
        cost="月2万5千円（光熱費込み）",
        contact="西川 直人",
        phone="058-294-6617",
        confirmed=60,
    ),
    Entry(
        "高齢者の一時入居住宅 すまいる長森",
        "一般社団法人 ぎふすまいるネット（居住支援法人）",
        "temporary_housing",
        "dist_nagamori_higashi",
        ("火 10:00-16:00|見学・入居相談",),
        "退院後や立ち退きの後、次の住まいが決まるまでの一時入居住宅（最長6か月）。",
        (E,),
        "岐阜市野一色4丁目12番地",
        attributes="65歳以上",
        conditions="地域包括支援センターまたは住宅・空家対策課の紹介",
        capacity=3,
        free=1,
        cost="月3万円",
        contact="西川 直人",
        phone="058-294-6617",
        confirmed=520,
    ),
    # ---- 学習支援 ----------------------------------------------------------------------
    Entry(
        "学習支援教室 まなびば長森",
        "NPO法人 学び舎ぎふ",
        "study_support",
        "dist_nagamori_kita",
        ("火・金 18:00-20:00",),
        "大学生ボランティアと一緒に宿題や受験勉強。軽食があります。",
        (C,),
        "岐阜市日野東3丁目1番地 長森北公民館",
        attributes="生活困窮世帯・ひとり親家庭の中学生",
        conditions="保護者の申込み",
        capacity=20,
        free=4,
        cost="無料",
        contact="大橋 翼",
        phone="058-245-3090",
        email="manabiba@example.jp",
        confirmed=40,
    ),
    Entry(
        "高校生の学び直し相談会",
        "一般社団法人 ぎふ未来塾",
        "study_support",
        "dist_kinomoto",
        ("第1・第3土 13:00-16:00",),
        "高校を休みがちな方、中退した方の学び直しと進路の相談。通信制高校の情報もあります。",
        (Y,),
        "岐阜市木之本町3丁目4番地",
        attributes="15〜20歳",
        cost="無料",
        contact="臼井 香織",
        phone="058-254-1162",
        confirmed=100,
    ),
    Entry(
        "にほんごひろば",
        "ぎふ国際交流の会",
        "study_support",
        "dist_bairin",
        ("日 10:00-12:00",),
        "日本語を学びたい方のための教室。子どもの宿題の手伝いもします。",
        (C, Y, W),
        "岐阜市梅林南町2丁目8番地 梅林公民館",
        attributes="外国籍の方、日本語を学びたい方",
        cost="無料",
        contact="グエン・ティ・ラン",
        phone="058-251-9087",
        confirmed=190,
    ),
    Entry(
        "ひだまり学習室",
        "NPO法人 ひだまりの会",
        "study_support",
        "dist_iwa",
        ("月・水 10:00-14:00",),
        "学校に行きづらい小中学生の日中の学習室。自分のペースで学び、過ごせます。",
        (C,),
        "岐阜市岩田西2丁目14番地",
        attributes="不登校の小中学生",
        conditions="見学と保護者面談のうえ利用",
        capacity=12,
        free=3,
        cost="月1,000円",
        contact="長屋 陽子",
        phone="058-243-2611",
        confirmed=70,
    ),
    # ---- ボランティア活動 ------------------------------------------------------------------
    Entry(
        "長良川河川敷の清掃ボランティア",
        "長良川をきれいにする会",
        "volunteering",
        "dl_nagara",
        ("第1日 07:00-08:30",),
        "長良橋から上流の河川敷でごみ拾い。道具は会が用意します。",
        EVERYONE,
        "岐阜市長良 長良橋北詰に集合",
        cost="無料",
        contact="代表 鷲見 一郎",
        phone="058-231-2250",
        confirmed=260,
    ),
    Entry(
        "フードバンクぎふ 仕分けボランティア",
        "NPO法人 フードバンクぎふ",
        "volunteering",
        "dist_uzura",
        ("土 10:00-12:00",),
        "寄付された食品の仕分け、賞味期限の確認、箱詰め。",
        (Y, W, E),
        "岐阜市北鶉3丁目8番地 倉庫",
        cost="無料",
        contact="事務局 平田 美穂",
        phone="058-276-5503",
        email="volunteer@example.jp",
        confirmed=25,
    ),
    Entry(
        "見守り声かけ隊",
        "芥見東自治会",
        "volunteering",
        "dist_akutami_higashi",
        ("月 15:00-16:30",),
        "下校時の子どもの見守りと、一人暮らしの高齢者への声かけ。",
        (W, E),
        "岐阜市芥見東2丁目 芥見東集会所に集合",
        cost="無料",
        contact="自治会長 長谷川 茂",
        phone="058-243-7745",
        confirmed=300,
    ),
    Entry(
        "おはなしの木 読み聞かせボランティア",
        "読み聞かせグループ おはなしの木",
        "volunteering",
        "dist_ichihashi",
        ("第2・第4土 10:30-11:30",),
        "図書館分館での絵本の読み聞かせ。会場の耐震工事のため一時休止しています。",
        (W, E),
        "岐阜市市橋2丁目 図書館市橋分館",
        cost="無料",
        contact="石原 康子",
        phone="058-255-0412",
        status=PAUSED,
        confirmed=90,
    ),
    # ---- 相談窓口 ----------------------------------------------------------------------
    Entry(
        "地域若者サポートステーション ぎふ",
        "NPO法人 ぎふ若者サポートネット",
        "consultation_desk",
        "dist_meigo",
        ("火・木 10:00-17:00",),
        "働くことに悩む若者の相談、職場体験、コミュニケーション講座。見学だけでもできます。",
        (Y, W),
        "岐阜市神田町9丁目4番地 2階",
        attributes="働くことに悩みを抱える15〜49歳の方",
        conditions="予約制（初回面談）",
        cost="無料",
        contact="日比野 彩",
        phone="058-263-4471",
        accessibility="エレベーターあり",
        confirmed=10,
    ),
    Entry(
        "福祉なんでも相談 城西",
        f"{SHAKYO} 城西支部",
        "consultation_desk",
        "dist_jousai",
        ("第2月 13:30-15:30",),
        "民生委員と地域福祉コーディネーターが、暮らしの困りごとを何でも聞きます。",
        EVERYONE,
        "岐阜市忠節町3丁目5番地 城西コミュニティセンター",
        cost="無料",
        contact="地域福祉コーディネーター 則武 聡",
        phone="058-296-1181",
        confirmed=50,
    ),
    Entry(
        "ひきこもり家族教室",
        "岐阜市ひきこもり相談室",
        "consultation_desk",
        "city",
        ("第3水 14:00-16:00",),
        "ひきこもり状態にある方の家族の学びと語り合いの場。",
        (W, E),
        "岐阜市司町1番地（岐阜市役所）",
        attributes="ひきこもり状態にある方の家族",
        cost="無料",
        contact="早田 亮",
        phone="058-201-1107",
        confirmed=60,
    ),
    Entry(
        "障がいのある方の就労相談会",
        "社会福祉法人 ぎふ福祉会 障害者就業・生活支援センター",
        "consultation_desk",
        "dist_katagata",
        ("第4金 13:00-16:00",),
        "就職、職場定着、生活面の相談。家族の相談もできます。",
        (Y, W),
        "岐阜市八代2丁目16番地",
        attributes="障がいのある方",
        conditions="予約優先",
        cost="無料",
        contact="小川 博",
        phone="058-238-2290",
        confirmed=560,
    ),
    # ---- その他 ------------------------------------------------------------------------
    Entry(
        "長良川つりの会",
        "長良川つりの会",
        "other",
        "dl_nagara",
        ("第1・第3日 06:00-10:00|鮎の解禁（5月）から10月まで",),
        "長良川での鮎の友釣りやハヤ釣り。道具の貸し出しあり、初心者歓迎。",
        (Y, W, E),
        "岐阜市長良雄総 河川敷駐車場に集合",
        cost="年会費1,000円（遊漁券は各自）",
        contact="会長 杉本 勇",
        phone="058-232-6641",
        confirmed=120,
    ),
    Entry(
        "将棋サロン 金華",
        "金華将棋クラブ",
        "other",
        "dist_kinka",
        ("土 13:00-17:00",),
        "誰でも指せる将棋サロン。初心者には詰め将棋の手ほどきも。",
        EVERYONE,
        "岐阜市伊奈波通2丁目3番地 2階",
        cost="1回300円（中学生以下無料）",
        contact="席主 若山 俊",
        phone="058-262-8710",
        confirmed=80,
    ),
    Entry(
        "イラスト・まんが講座",
        "柳津公民館 講座運営委員会",
        "other",
        "dist_yanaizu",
        ("第2・第4木 19:00-20:30",),
        "イラストや4コマまんがを描く講座。描いたものは公民館まつりで展示します。",
        (C, Y, W),
        "岐阜市柳津町高桑3丁目120番地 柳津公民館",
        capacity=15,
        free=4,
        cost="1回200円",
        contact="講師 安田 まどか",
        phone="058-279-0123",
        confirmed=45,
    ),
)

HOSTS: dict[str, Host] = {
    "八百屋まるやま 品出し体験": Host(
        "丸山 勝（店主）",
        "野菜の品出し、袋詰め、値札付け、店先の掃除",
        "午前中2時間から。同行は最初の2回",
        "接客はお願いできないかもしれない。忙しい土曜は避けたい",
        "店主は若者の受け入れに前向きで、過去にも職場体験の中学生を受け入れている。午前中の"
        "品出しなら客との接触が少なく、手順が決まっているので負担が少ない。声が大きいので、"
        "初回は本人に『怒っているわけではない』と伝えておく。",
        40,
    ),
    "ベーカリー こむぎ 仕込み補助": Host(
        "小森 由香（店長）",
        "パンの袋詰め、トレーの洗浄、店内の掃除",
        "衛生の説明を受けること。髪の長い方は結ぶ",
        "朝の忙しい時間に質問されても答えられないことがある",
        "店長は丁寧に教える人。作業の手順書を作ってくれた。開店前の1時間は慌ただしいため、"
        "9時以降の作業に限ると双方の負担が少ない。",
        75,
    ),
    "特別養護老人ホーム 長森苑 周辺業務の体験": Host(
        "野村 剛（生活相談員）",
        "シーツ交換の補助、配膳の準備、談話室の掃除、洗濯物たたみ",
        "健康診断書。入居者の個人情報は口外しない（誓約書）",
        "介護職員の手が足りず、付き添う職員を決めにくい日がある",
        "施設として受け入れの経験が多く、生活相談員が窓口になる。周辺業務は手順が明確で、"
        "入居者と短い会話をする機会もある。付き添いの職員は月曜午後なら確保できる。",
        120,
    ),
    "古書みやこ 本の仕分け体験": Host(
        "都築 誠（店主）",
        "古本の仕分け、値札付け、棚の整理",
        "1回3時間まで。1人ずつ",
        "店主が一人で営んでいるので、体調を崩したときにすぐ対応できない",
        "静かな店内で、人と話さずにできる作業。店主は寡黙だが、本の話になると話しやすい。"
        "人の多い場所が苦手な方の最初の一歩に向く。連絡は参加支援員を通す。",
        30,
    ),
    "印刷工房みなも 軽作業体験": Host(
        "水野 浩二（代表）",
        "チラシの折り、封入、ラベル貼り、検品",
        "繁忙期（3月・12月）は受け入れを休む",
        "機械のそばでの作業は安全のため任せられない",
        "座ってできる作業が多く、作業量を本人に合わせて調整できる。代表は障がい者雇用の"
        "経験があり、作業を細かく切り出すのが上手。",
        150,
    ),
    "林柿園 袋かけと収穫の手伝い": Host(
        "林 義雄（園主）",
        "柿の袋かけ、収穫、選果、草刈り後の片付け",
        "雨天中止。夏場は熱中症に注意し、休憩を多めに",
        "脚立を使う作業は任せられない。繁忙期は付き添えない日がある",
        "園主夫婦は人柄が穏やかで、黙々と体を動かす作業が多い。季節によって作業が変わるため、"
        "年間の予定を事前にもらっておく。",
        200,
    ),
    "ふくとみ農園 草取りと野菜の袋詰め": Host(
        "福富 明美（農園主）",
        "草取り、収穫、直売所向けの袋詰め",
        "送迎は三輪地区内のみ",
        "急に休まれると収穫に影響するので、前日までに連絡がほしい",
        "少量多品目で作業の種類が多く、本人の得意な作業を探しやすい。農園主は地域の"
        "子ども食堂にも野菜を出しており、受け入れの趣旨をよく理解している。",
        90,
    ),
    "花屋 はなあかり 水替えとラッピング補助": Host(
        "坂井 明日香（店主）",
        "切り花の水替え、バケツ洗い、ラッピング用品の準備",
        "1人ずつ。水仕事のため手荒れに注意",
        "母の日などの繁忙期は店が慌ただしくなる",
        "店主は若い女性の受け入れを希望。作業は短時間で区切れ、達成感を得やすい。"
        "現在1人を受け入れ中のため空きはない。",
        20,
    ),
    # registered after a first visit; the assessment is still to be made
    "ぎふ住まいセンター 鏡島店 売場づくり体験": Host(
        "加藤 隆（店長）",
        "園芸売場の水やり、鉢の並べ替え、カートの回収",
        "本部の承認が必要（店長が申請中）",
        "店長の異動があると受け入れが続かないかもしれない",
    ),
}

#: dates the usual schedule does not hold: (resource, weekday, weeks ahead, closed, note, times)
EXCEPTIONS = (
    ("集いの場 ぷらっと 早田", 2, 1, True, "早田地区の防災訓練のため休み", None),
    ("本郷こども食堂", 2, 2, True, "会館の点検のため休み", None),
    (
        "みんなの食堂 かよう",
        5,
        1,
        False,
        "特別開催（土曜のお昼ごはん）",
        (datetime.time(11, 30), datetime.time(13, 30)),
    ),
)


def _schedules(texts: tuple[str, ...]) -> list[ScheduleIn]:
    rows = []
    for text in texts:
        spec, _, note = text.partition("|")
        days, times = spec.split(" ")
        opens, closes = (datetime.time.fromisoformat(t) for t in times.split("-"))
        if days.startswith("第"):
            weeks = tuple(int(w) for w in re.findall(r"第(\d)", days))
            rows.append(
                ScheduleIn(
                    Frequency.MONTHLY,
                    WEEKDAYS.index(days[-1]),
                    opens,
                    closes,
                    weeks=weeks,
                    note=note,
                )
            )
        else:
            rows += [
                ScheduleIn(Frequency.WEEKLY, WEEKDAYS.index(d), opens, closes, note=note)
                for d in days.split("・")
            ]
    return rows


def _worker() -> User | None:
    user = User.objects.filter(username=WORKER).first()
    if user is None:
        return None
    user.acting_membership = (
        user.memberships.select_related("agency").filter(agency__code=WORKER_AGENCY).first()
    )
    return user if user.acting_membership else None


def seed_resources() -> int:
    """Build the demo directory; returns the number of resources made (0 if any exist)."""
    if Resource.objects.exists():
        return 0
    worker = _worker()
    if worker is None:
        return 0
    today = timezone.localdate()
    if {code for code, _ in KINDS} - set(ResourceKind.objects.values_list("code", flat=True)):
        install_standard_kinds(ResourceKind)  # present unless the database was flushed
    kinds = {k.code: k for k in ResourceKind.objects.all()}
    areas = {a.code: a for a in Area.objects.all()}
    made: dict[str, Resource] = {}
    with transaction.atomic():
        for e in ENTRIES:
            organization = services.organization_get_or_create(by=worker, name=e.org)
            made[e.name] = services.resource_create(
                by=worker,
                organization=organization,
                name=e.name,
                kind=kinds[e.kind],
                confirmed_on=today - datetime.timedelta(days=e.confirmed),
                schedules=_schedules(e.when),
                description=e.description,
                targets=list(e.targets),
                target_attributes=e.attributes,
                conditions=e.conditions,
                area=areas[e.area],
                address=e.address,
                capacity=e.capacity,
                places_free=e.free,
                cost=e.cost,
                contact_name=e.contact,
                phone=e.phone,
                email=e.email,
                accessibility=e.accessibility,
                status=e.status,
            )
        for name, h in HOSTS.items():
            services.host_save(
                by=worker,
                resource=made[name],
                contact_person=h.contact_person,
                tasks=h.tasks,
                conditions=h.conditions,
                concerns=h.concerns,
                assessment=h.assessment,
                assessed_on=None if h.assessed is None else today - datetime.timedelta(h.assessed),
            )
        for name, weekday, weeks_ahead, closed, note, times in EXCEPTIONS:
            day = today + datetime.timedelta(days=(weekday - today.weekday()) % 7 or 7)
            opens, closes = times or (None, None)
            services.exception_add(
                by=worker,
                resource=made[name],
                date=day + datetime.timedelta(weeks=weeks_ahead - 1),
                is_closed=closed,
                opens_at=opens,
                closes_at=closes,
                note=note,
            )
        _seed_gaps(worker, made, kinds, areas)
    return len(made)


#: 不足する社会資源 beside the meeting's (demo/cases.py) and the matching's (demo/participation.py):
#: (description, kind, targets, attributes, area, origin, stages after 未対応, developed by)
GAPS = (
    (
        "三輪圏域に、夜間や休日に若者がふらっと立ち寄れる場所がない",
        "ibasho",
        (Y,),
        "ひきこもり状態から外に出はじめた若者",
        "dl_miwa",
        GapOrigin.COMMUNITY,
        (GapStatus.CONSIDERING,),
        None,
    ),
    (
        "外国籍の親子が、日本語の相談をしながら通える学習支援がない",
        "study_support",
        (C,),
        "外国籍の子どもと保護者",
        "dl_kano",
        GapOrigin.OTHER,
        (),
        None,
    ),
    (
        "中央圏域に、短い時間から始められる就労体験の受け入れ先が少ない",
        "work_experience",
        (Y, W),
        "長く働いていなかった方",
        "dl_chuo",
        GapOrigin.COMMUNITY,
        (GapStatus.CONSIDERING, GapStatus.DEVELOPING, GapStatus.DEVELOPED),
        "work_experience",
    ),
)


def _seed_gaps(worker, made: dict[str, Resource], kinds, areas) -> None:
    for description, kind, targets, attributes, area, origin, stages, met_kind in GAPS:
        gap = gaps.gap_create(
            by=worker,
            description=description,
            kind=kinds.get(kind),
            targets=list(targets),
            target_attributes=attributes,
            area=areas.get(area),
            origin=origin,
        )
        for stage in stages:
            met_by = None
            if stage == GapStatus.DEVELOPED:
                met_by = next(
                    r for r in made.values() if r.kind.code == met_kind and r.status == "open"
                )
            gap = gaps.gap_move(
                by=worker,
                gap=gap,
                status=stage,
                met_by=met_by,
                note={
                    GapStatus.CONSIDERING: "協議体で取り上げ、地域の事業者に声をかけることにした",
                    GapStatus.DEVELOPING: "商店街振興組合と、受け入れの条件を話し合っている",
                    GapStatus.DEVELOPED: "商店街の一店舗が、週1回2時間からの受け入れを始めた",
                }[stage],
            )
