"""Demo 多機関協働 cases in every status, the regular 重層的支援会議 and one 支援会議.

Everything is made through the services the screens use (cases, plans, meetings, activity
log, monitoring), so every status, decision and audit event is the one a user would have
produced. Only two display dates the services set to "today" are moved back afterwards: a
case's 受付日 (to the day of its consultation) and a plan's 確定日 (to the day of its 支援決定
or report), so that a case handled over the last months reads that way.

Dates are relative to today, so the demo always looks current: the series 「毎月第3木曜
定例会」 has its last three meetings held and the next one upcoming. The stories themselves
are fixed (no randomness beyond the seeded phone numbers): the same code makes the same demo.

Skipped when the regular series already exists (idempotent).
"""

from __future__ import annotations

import dataclasses
import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from tsunagu.accounts.models import Agency, Area, User
from tsunagu.cases import services as cases
from tsunagu.cases.models import Case, CaseStatus, MonitoringKind, MonitoringOutcome, SupportPlan
from tsunagu.cases.selectors.monitoring import add_months
from tsunagu.cases.services import monitoring
from tsunagu.cases.services import plan as plan_services
from tsunagu.cases.services.activity import activity_mark_seen, activity_record
from tsunagu.cases.services.assessment import assessment_record
from tsunagu.cases.services.due_dates import refresh_due_dates
from tsunagu.common.wareki import wareki_year
from tsunagu.consultations import services as intake
from tsunagu.consultations.models import IssueCategory
from tsunagu.meetings import services as meetings
from tsunagu.meetings.models import Meeting, MeetingKind
from tsunagu.people import services as people

from . import roster

SERIES = "毎月第3木曜 定例会"
RESOURCE_GAP = "ひきこもりの方が日中に過ごせる居場所が不足"
CASE_SEED = 20260402
REFERENCE_DATE = datetime.date(2026, 4, 1)  # ages are fixed relative to this date
PURPOSE = "デモデータの作成"
HOUKATSU = roster.HOUKATSU_CENTER_CODES[0]  # the demo desk's 地域包括支援センター
PLACE = "岐阜市役所 本庁舎 5階 第1会議室"

# Demo users and the agency each acts for here.
ACTING = {
    "coordinator": "marugoto",
    "officer": "juso_suishin",
    "desk": HOUKATSU,
    "hikikomori": "hikikomori_soudan",
    "shuro": "seikatsu_shuro",
    "housing": "jutaku_akiya_ka",
    "hoken": "hoken_kita",
    "outreach": "csw",
    "participation": "marugoto",
    "community": "chiikifukushi_co",
}


# --------------------------------------------------------------------------------- stories


@dataclass(frozen=True)
class Member:
    name: str
    kana: str
    age: int  # on REFERENCE_DATE
    sex: str
    relation: str


@dataclass(frozen=True)
class Item:
    issue: str
    action: str
    agency: str
    frequency: str = ""
    statutory: str = ""


@dataclass(frozen=True)
class Story:
    key: str
    referrer: str  # demo username of the desk that consulted and referred
    household: str
    address: str
    members: tuple[Member, ...]
    categories: tuple[str, ...]  # issue category codes, the first one primary
    channel: str
    consulter_type: str
    summary: str
    reason: str
    tried: str
    criteria: tuple[bool, bool, bool]  # household, gap (狭間), new resource
    wishes: str = ""
    assessor_view: str = ""
    issues: str = ""
    goals: str = ""
    policy: str = ""
    items: tuple[Item, ...] = ()
    consulter_name: str = ""


M, F = "male", "female"

STORIES: tuple[Story, ...] = (
    Story(
        key="intake",
        referrer="shuro",
        household="松田世帯",
        address="岐阜市則武中2丁目8番5号",
        members=(
            Member("松田 里美", "マツダ サトミ", 38, F, "head"),
            Member("松田 蓮", "マツダ レン", 15, M, "child"),
            Member("松田 心春", "マツダ コハル", 10, F, "child"),
        ),
        categories=("poverty", "debt", "school_refusal"),
        channel="walk_in",
        consulter_type="self",
        summary="パート収入のみでカードローンの返済が滞っている。長男が半年前から不登校。",
        reason="家計と長男の不登校が重なり、母子世帯として支援の方向を整理する必要があります。",
        tried="家計改善支援を始めたが、長男の不登校について学校・子ども支援課と役割分担が"
        "定まらない。",
        criteria=(True, False, False),
    ),
    Story(
        key="planning",
        referrer="hoken",
        household="村瀬世帯",
        address="岐阜市長良福光1丁目22番7号",
        members=(
            Member("村瀬 由香", "ムラセ ユカ", 44, F, "head"),
            Member("村瀬 美羽", "ムラセ ミウ", 16, F, "child"),
        ),
        categories=("mental_health", "young_carer", "children"),
        channel="home_visit",
        consulter_type="agency",
        summary="母が通院を中断し、高校生の長女が家事と母の見守りを担っている。",
        reason="母の治療と長女の負担軽減を、保健・子ども・学校が一体で進める必要があります。",
        tried="保健師が訪問を続けているが、長女の欠席が増え、学校・こども家庭センターとの"
        "役割分担が決まらない。",
        criteria=(True, True, False),
        wishes="母「また働けるようになりたい」。長女「部活を続けたい」。",
        assessor_view="母の治療の再開と、長女が家事を一人で抱えない仕組みづくりが先決。",
        issues="母の治療中断／長女の家事・見守り負担（ヤングケアラー）／家計",
        goals="母が通院を再開し、長女が週3日は部活に参加できる",
        policy="母の治療を保健センターが支え、長女の負担をこども家庭センターと学校で減らす",
        items=(
            Item("母の通院中断", "保健師の訪問と受診同行", "hoken_kita", "月2回"),
            Item("長女の家事負担", "家事支援の導入と学校との情報共有", "kodomo_katei", "月1回"),
        ),
    ),
    Story(
        key="in_conference",
        referrer="housing",
        household="森本世帯",
        address="岐阜市鷺山北町4番地12",
        members=(
            Member("森本 茂", "モリモト シゲル", 81, M, "head"),
            Member("森本 節子", "モリモト セツコ", 78, F, "spouse"),
        ),
        categories=("self_neglect", "elderly_care", "housing"),
        channel="from_agency",
        consulter_type="agency",
        summary="家の内外に物が積まれ、近隣から苦情。夫に物忘れがあり、妻は片付けを拒んでいる。",
        reason="住まいの安全・介護・近隣関係の課題が重なり、関係機関の役割分担が必要です。",
        tried="住宅・空家対策課が訪問し、地域包括支援センターに介護の相談をつないだが、"
        "片付けについて本人の同意が得られず進まない。",
        criteria=(True, False, True),
        wishes="「この家で夫婦で暮らし続けたい」",
        assessor_view="夫の認知症の診断と介護保険の申請を先に進め、片付けは少しずつ本人の"
        "ペースで行う。",
        issues="夫の物忘れ（未受診）／住まいの安全／近隣との関係",
        goals="夫婦で安全に自宅で暮らし続ける",
        policy="介護保険の申請を先行し、片付けはCSWが伴走して近隣とも調整する",
        items=(
            Item("夫の物忘れ", "受診同行と介護保険の申請支援", HOUKATSU, "随時"),
            Item("住まいの安全", "片付けの伴走と近隣との調整", "csw", "月2回"),
            Item("地域での見守り", "サロンへの誘いと見守り活動", "chiikifukushi_co", "月1回"),
        ),
    ),
    Story(
        key="awaiting_decision",
        referrer="hikikomori",
        household="石原世帯",
        address="岐阜市岩崎3丁目5番18号",
        members=(
            Member("石原 正雄", "イシハラ マサオ", 70, M, "head"),
            Member("石原 拓海", "イシハラ タクミ", 34, M, "child"),
        ),
        categories=("hikikomori", "employment", "problem_8050"),
        channel="phone",
        consulter_type="family",
        summary="長男が大学中退後10年ほど自宅にこもりがち。父の年金で生活している。",
        reason="長男の社会参加の場がなく、就労・居場所の新たな受け入れ先の開拓が必要です。",
        tried="ひきこもり相談室で長男と月1回面談できるようになったが、次の一歩となる場が"
        "見つからない。",
        criteria=(False, True, True),
        wishes="長男「人の少ない所で、体を動かす仕事なら試してみたい」",
        assessor_view="面談は継続できている。農作業の就労体験から始めるのが適当。",
        issues="長男の社会参加／父の高齢化と将来の生活費",
        goals="長男が週1回、農園の就労体験に通う",
        policy="面談で関係を保ちながら、参加支援で受け入れ先を開拓して定着まで支える",
        items=(
            Item("長男の相談の継続", "面談", "hikikomori_soudan", "月2回"),
            Item(
                "長男の社会参加",
                "農園での就労体験の見学と参加調整、受け入れ先への支援",
                "marugoto",
                "週1回",
                "participation",
            ),
            Item("将来の生活費", "家計の見通しの相談", "seikatsu_shuro", "3か月に1回"),
        ),
    ),
    Story(
        key="active_decision",
        referrer="desk",
        household="高木世帯",
        address="岐阜市金町5丁目3番9号",
        members=(
            Member("高木 キヨ", "タカギ キヨ", 84, F, "head"),
            Member("高木 浩二", "タカギ コウジ", 53, M, "child"),
        ),
        categories=("problem_8050", "elderly_care", "hikikomori"),
        channel="home_visit",
        consulter_type="family",
        summary="要介護2の母と、20年以上ひきこもりの長男の二人暮らし。母の入院を機に相談。",
        reason="母の介護と長男のひきこもりが重なり、世帯として支援が必要です。",
        tried="地域包括支援センターで母の介護サービスを調整。長男には3回声をかけたが会えていない。",
        criteria=(True, False, False),
        wishes="母「息子のことが心配。私がいなくなった後が不安」",
        assessor_view="母の在宅生活を支えつつ、長男とは手紙から関係づくりを始める。",
        issues="母の介護／長男のひきこもり／母亡き後の長男の生活",
        goals="母が自宅で暮らし続け、長男が支援者と会えるようになる",
        policy="介護は地域包括支援センター、長男にはアウトリーチで関係を築く",
        items=(
            Item("母の介護", "介護サービスの調整と見守り", HOUKATSU, "月1回"),
            Item(
                "長男との関係づくり",
                "手紙と訪問による関係構築（アウトリーチ）",
                "marugoto",
                "週1回",
                "outreach",
            ),
            Item("長男の相談", "面談の機会づくり", "hikikomori_soudan", "月1回"),
        ),
    ),
    Story(
        key="active_report",
        referrer="shuro",
        household="西川世帯",
        address="岐阜市茜部本郷2丁目40番地",
        members=(Member("西川 誠", "ニシカワ マコト", 56, M, "head"),),
        categories=("poverty", "debt", "housing", "employment"),
        channel="walk_in",
        consulter_type="self",
        summary="派遣の雇い止めで収入がなくなり、家賃を2か月滞納。消費者金融の借入もある。",
        reason="住まいの確保・債務整理・就労を同時に進める必要があり、複数機関の連携が必要です。",
        tried="生活・就労サポートセンターで家計の相談を始め、住宅・空家対策課に住まいの相談を"
        "つないだが、家主との調整で止まっている。",
        criteria=(True, False, False),
        wishes="「住む所を失いたくない。また働きたい」",
        assessor_view="住居確保給付金と債務整理を先に進め、就労準備は並行して行う。",
        issues="家賃の滞納／債務／就労",
        goals="住まいを維持し、3か月以内に仕事に就く",
        policy="住まいと債務の課題を先に解き、就労支援を並行して進める",
        items=(
            Item("家賃の滞納", "住居確保給付金の申請と家主との調整", "jutaku_akiya_ka", "随時"),
            Item("債務・家計", "家計改善支援と法律相談への同行", "seikatsu_shuro", "週1回"),
        ),
    ),
    Story(
        key="monitoring",
        referrer="desk",
        household="野村世帯",
        address="岐阜市日光町3丁目7番2号",
        members=(
            Member("野村 大輔", "ノムラ ダイスケ", 45, M, "head"),
            Member("野村 亜希", "ノムラ アキ", 42, F, "spouse"),
            Member("野村 陽翔", "ノムラ ハルト", 3, M, "child"),
            Member("野村 トシ", "ノムラ トシ", 80, F, "mother"),
        ),
        categories=("double_care", "elderly_care", "children"),
        channel="walk_in",
        consulter_type="family",
        summary="妻が義母の介護と3歳の長男の育児を一人で担い、体調を崩している。",
        reason="介護と育児が重なるダブルケアで、高齢・子育ての両分野の連携が必要です。",
        tried="地域包括支援センターで義母のデイサービスを調整したが、長男の保育の確保が"
        "できていない。",
        criteria=(True, True, False),
        wishes="妻「少しでも自分の時間がほしい」",
        assessor_view="介護と保育を同時に調整し、妻の休息を確保する。",
        issues="義母の介護／長男の保育／妻の体調",
        goals="妻が週2日は自分の時間を持てる",
        policy="介護サービスの追加と保育の確保を同時に進める",
        items=(Item("義母の介護", "ショートステイとデイサービスの調整", HOUKATSU, "月1回"),),
    ),
    Story(
        key="replanning",
        referrer="hoken",
        household="林世帯",
        address="岐阜市三輪2丁目18番地",
        members=(
            Member("林 大輔", "ハヤシ ダイスケ", 32, M, "child"),
            Member("林 和夫", "ハヤシ カズオ", 65, M, "head"),
            Member("林 恵子", "ハヤシ ケイコ", 63, F, "spouse"),
        ),
        categories=("disability", "employment", "isolation"),
        channel="from_agency",
        consulter_type="family",
        summary="長男が職場になじめず退職を繰り返し、3年間家にいる。発達障害の疑い。",
        reason="障害の診断がなく既存の就労支援につながらない、制度の狭間の事例です。",
        tried="保健センターの相談で受診を勧めたが、本人が拒否。障がい福祉課にも相談したが、"
        "手帳がないため利用できる支援がない。",
        criteria=(False, True, True),
        wishes="長男「自分に合う仕事を見つけたい」",
        assessor_view="診断より先に、本人が通える場所を確保することを優先する。",
        issues="長男の就労／社会的孤立／両親の高齢化",
        goals="長男が週2回、作業所の就労体験に通う",
        policy="参加支援で就労体験先を調整し、保健師が本人と家族を支える",
        items=(
            Item(
                "長男の就労",
                "作業所での就労体験の調整と定着支援",
                "marugoto",
                "週1回",
                "participation",
            ),
            Item("家族の支え", "両親との面談", "hoken_kita", "月1回"),
        ),
    ),
    Story(
        key="closed",
        referrer="desk",
        household="坂井世帯",
        address="岐阜市美殿町12番地3",
        members=(Member("坂井 ヨシ子", "サカイ ヨシコ", 86, F, "head"),),
        categories=("isolation", "elderly_care"),
        channel="from_resident",
        consulter_type="minsei",
        summary="一人暮らし。物忘れが増え、訪問販売の被害の恐れ。近所づきあいがない。",
        reason="見守り・権利擁護・地域とのつながりづくりを関係機関で分担する必要があります。",
        tried="民生委員と地域包括支援センターが訪問を続けたが、本人が外出を嫌い、見守りの"
        "担い手が決まらない。",
        criteria=(True, False, True),
        wishes="「迷惑をかけずに、この家で暮らしたい」",
        assessor_view="地域のサロンを入口に、見守りの輪をつくる。",
        issues="社会的孤立／物忘れ／消費者被害の恐れ",
        goals="週1回サロンに通い、近所に声をかけ合える人ができる",
        policy="サロンへの参加を地域福祉コーディネーターが支え、包括が見守りを続ける",
        items=(
            Item("社会的孤立", "サロンへの送迎の調整と参加の見守り", "chiikifukushi_co", "週1回"),
            Item("物忘れと消費者被害", "見守りと成年後見制度の説明", HOUKATSU, "月1回"),
        ),
    ),
    Story(
        key="suspended",
        referrer="housing",
        household="川口世帯",
        address="岐阜市加納城南通3丁目4番",
        members=(Member("川口 修", "カワグチ オサム", 45, M, "head"),),
        categories=("housing", "poverty", "isolation"),
        channel="from_agency",
        consulter_type="agency",
        summary="市営住宅の家賃を半年滞納。本人と連絡が取りにくい。",
        reason="家賃滞納と生活の困窮が重なり、住まいと生活の両面の支援が必要です。",
        tried="住宅・空家対策課から督促と面談の案内を送ったが応答がない。生活・就労サポート"
        "センターにも情報提供した。",
        criteria=(True, False, False),
        assessor_view="本人の状況が分からない。まず本人と会うことを目標に連絡を続ける。",
        issues="家賃の滞納／生活状況が不明",
    ),
    Story(
        key="no_consent",
        referrer="desk",
        household="今井世帯",
        address="岐阜市金華町1丁目16番2号",
        members=(Member("今井 健太", "イマイ ケンタ", 42, M, "head"),),
        categories=("hikikomori", "isolation", "self_neglect"),
        channel="from_resident",
        consulter_type="resident",
        consulter_name="近隣住民",
        summary="母の死後、一人暮らしの長男の姿を半年以上見かけないと近所の方から相談。",
        reason="本人の同意が得られないまま状況が悪化する恐れがあり、支援会議で関わり方を"
        "検討する必要があります。",
        tried="民生委員と地域包括支援センターが訪問したが応答がない。ひきこもり相談室にも"
        "相談した。",
        criteria=(True, False, False),
        assessor_view="本人の同意はまだない。支援会議で情報を共有し、関わり方を決める。",
    ),
)


# ------------------------------------------------------------------------------ the dates


def third_thursday(year: int, month: int) -> datetime.date:
    first = datetime.date(year, month, 1)
    return first + datetime.timedelta(days=(3 - first.weekday()) % 7 + 14)


def conference_days(today: datetime.date) -> tuple[list[datetime.date], datetime.date]:
    """The last three third Thursdays before ``today`` (oldest first) and the next one after.

    On a third Thursday itself that day's meeting is left out: whether it has started would
    depend on the hour of seeding.
    """
    days = []
    for delta in range(-4, 3):
        index = today.year * 12 + today.month - 1 + delta
        days.append(third_thursday(index // 12, index % 12 + 1))
    past = [d for d in days if d < today][-3:]
    upcoming = next(d for d in days if d > today)
    return past, upcoming


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _born(age: int, rng: random.Random) -> datetime.date:
    """A birthday making the person ``age`` on REFERENCE_DATE."""
    start = datetime.date(REFERENCE_DATE.year - age - 1, 4, 2)
    return start + datetime.timedelta(days=rng.randrange(365))


def _label(day: datetime.date) -> str:

    era, year = wareki_year(day)
    return f"{era.name}{'元' if year == 1 else year}年{day.month}月"


# ------------------------------------------------------------------------------ the seeder


@dataclass
class Seeder:
    today: datetime.date
    users: dict[str, User]
    agencies: dict[str, Agency]
    categories: dict
    rng: random.Random
    cases: dict = field(default_factory=dict)
    plans: dict = field(default_factory=dict)
    stories: dict = field(default_factory=lambda: {s.key: s for s in STORIES})

    def day(self, d: datetime.date) -> datetime.date:
        """A date that must not be in the future (a service refuses those)."""
        return min(d, self.today)

    # ---- people, consultation, case --------------------------------------------------

    def family(self, story: Story):

        agency = self.agencies[ACTING[story.referrer]]
        household = people.household_create(
            by=None, label=story.household, address=story.address, agency=agency, purpose=PURPOSE
        )
        persons = []
        for member in story.members:
            adult = 18 <= member.age < 70
            phone = (
                f"090-{self.rng.randint(1000, 9999)}-{self.rng.randint(1000, 9999)}"
                if adult
                else f"058-{self.rng.randint(230, 299)}-{self.rng.randint(1000, 9999)}"
            )
            person = people.person_create(
                by=None,
                name=member.name,
                name_kana=member.kana,
                birth_date=_born(member.age, self.rng),
                sex=member.sex,
                address=story.address,
                phone=phone,
                agency=agency,
                purpose=PURPOSE,
            )
            people.household_add_member(
                by=None,
                household=household,
                person=person,
                relation=member.relation,
                purpose=PURPOSE,
            )
            persons.append(person)
        return household, persons[0]

    def open_case(self, key: str, received_on: datetime.date):
        """The desk's consultation, its referral to 多機関協働, the coordinator's acceptance."""

        story = self.stories[key]
        desk = self.users[story.referrer]
        household, person = self.family(story)
        cats = [self.categories[code] for code in story.categories]
        consultation = intake.consultation_record(
            by=desk,
            received_on=received_on,
            channel=story.channel,
            consulter_type=story.consulter_type,
            consulter_name=story.consulter_name,
            household=household,
            person=person,
            categories=cats,
            primary_category=cats[0],
            summary=story.summary,
            consent_to_share=key != "no_consent",
            outcome="multi_agency",
        )
        household_, gap, new_resource = story.criteria
        referral = intake.referral_send(
            by=desk,
            consultation=consultation,
            to_agency=self.agencies["marugoto"],
            kind="multi_agency",
            reason=story.reason,
            criterion_household=household_,
            criterion_gap=gap,
            criterion_new_resource=new_resource,
            tried_with_agencies=story.tried,
        )
        intake.referral_accept(by=self.users["coordinator"], referral=referral)
        case = referral.case
        # 受付日: the day the desk's consultation reached 多機関協働 (the service sets today)
        Case.objects.filter(pk=case.pk).update(opened_on=received_on)
        case.refresh_from_db()
        self.cases[key] = case
        return case

    def consent(self, key: str, given_on: datetime.date) -> None:

        story = self.stories[key]
        codes = {ACTING[story.referrer], "marugoto", *(item.agency for item in story.items)}
        cases.consent_record(
            by=self.users["coordinator"],
            case=self.cases[key],
            given_by=story.members[0].name,
            given_on=self.day(given_on),
            method="signature",
            scope_agencies=[self.agencies[c] for c in sorted(codes)],
            share_in_conference=True,
        )

    def assess(self, key: str, *, without_consent: bool = False) -> None:

        story = self.stories[key]
        coordinator = self.users["coordinator"]
        case = cases.case_transition(
            by=coordinator,
            case=self.cases[key],
            to=CaseStatus.ASSESSMENT,
            without_consent=without_consent,
            note="本人と会えていないため、支援会議（社会福祉法第106条の6）で扱う"
            if without_consent
            else "",
        )
        referrer = self.agencies[ACTING[story.referrer]]
        sections = {
            "person": story.summary,
            "household": "、".join(f"{m.name}（{m.age}歳）" for m in story.members),
            "wishes": story.wishes,
            "assessor_view": story.assessor_view or "情報を集めている。",
            "issues": story.issues,
        }
        assessment_record(
            by=coordinator,
            case=case,
            sections=sections,
            sources=[("person", referrer, "相談受付時の聞き取り")],
        )
        self.cases[key] = case

    def plan(
        self,
        key: str,
        *,
        next_monitoring_on: datetime.date | None = None,
        evaluation_on: datetime.date | None = None,
        items: Sequence[Item] | None = None,
    ):

        story = self.stories[key]
        coordinator = self.users["coordinator"]
        case = self.cases[key]
        if case.status == CaseStatus.ASSESSMENT:
            case = cases.case_transition(by=coordinator, case=case, to=CaseStatus.PLANNING)
        plan = plan_services.plan_create(
            by=coordinator,
            case=case,
            goals=story.goals,
            policy=story.policy,
            next_monitoring_on=next_monitoring_on,
            evaluation_on=evaluation_on,
        )
        for item in story.items if items is None else items:
            self.item(plan, item)
        self.cases[key] = case
        self.plans[key] = plan
        return plan

    def item(self, plan, item: Item) -> None:

        plan_services.plan_item_add(
            by=self.users["coordinator"],
            plan=plan,
            issue=item.issue,
            action=item.action,
            agency=self.agencies[item.agency],
            frequency=item.frequency,
            statutory_service=item.statutory,
        )

    def refresh(self, key: str):
        self.cases[key].refresh_from_db()
        if key in self.plans:
            self.plans[key].refresh_from_db()
        return self.cases[key]

    # ---- confirmation ----------------------------------------------------------------

    def _confirmed_on(self, key: str, day: datetime.date) -> None:

        # 確定日: the day of the 支援決定 or report (the service sets today)
        SupportPlan.objects.filter(pk=self.plans[key].pk).update(confirmed_on=day)
        refresh_due_dates([self.cases[key].pk])  # the dates counted from it, stored on the case
        self.refresh(key)

    def support_decision(self, key: str, day: datetime.date, number: str) -> None:

        day = self.day(day)
        plan_services.support_decision_make(
            by=self.users["officer"],
            plan=self.plans[key],
            decided_on=day,
            decision_number=number,
            notes="参加支援・アウトリーチ等の提供を決定",
        )
        self._confirmed_on(key, day)

    def report(self, key: str, day: datetime.date) -> None:

        day = self.day(day)
        plan_services.plan_report_record(
            by=self.users["coordinator"],
            plan=self.plans[key],
            reported_on=day,
            reported_to="重層的支援推進室（岐阜 主査）",
        )
        self._confirmed_on(key, day)

    # ---- meetings ----------------------------------------------------------------------

    def meeting(self, *, kind: str, title: str, starts_at, schedule: str, series: str = ""):

        return meetings.meeting_create(
            by=self.users["coordinator"],
            kind=kind,
            title=title,
            schedule=schedule,
            format="in_person",
            starts_at=starts_at,
            place=PLACE,
            series=series,
        )

    def members(self, meeting, usernames: Sequence[str], *, pledge: bool = False):

        coordinator = self.users["coordinator"]
        members = list(meeting.members.all())
        for username in usernames:
            user = self.users[username]
            members.append(
                meetings.member_add(
                    by=coordinator,
                    meeting=meeting,
                    user=user,
                    agency=self.agencies[ACTING[username]],
                )
            )
        if pledge:
            for member in members:
                meetings.pledge_record(by=coordinator, member=member)
        return members

    def attend(self, meeting, members, absent: Sequence[str] = ()) -> None:

        absent_ids = {self.users[u].pk for u in absent}
        meetings.attendance_record(
            by=self.users["coordinator"],
            meeting=meeting,
            attended=[m.pk for m in members if m.user_id not in absent_ids],
        )

    def agenda(self, meeting, key: str, purpose: str, title: str = ""):

        item = meetings.agenda_add(
            by=self.users["coordinator"],
            meeting=meeting,
            purpose=purpose,
            case=self.cases[key],
            plan=self.plans.get(key) if purpose in ("plan_adoption", "replan") else None,
            title=title,
        )
        self.refresh(key)
        return item

    def decide(self, item, outcome: str, text: str = "", **fields):

        meetings.decision_record(
            by=self.users["coordinator"], item=item, outcome=outcome, decision_text=text, **fields
        )
        for key, case in self.cases.items():
            if case.pk == item.case_id:
                self.refresh(key)
        item.refresh_from_db()
        return item

    def action(self, meeting, description: str, owner: str, due_on, *, item=None, owner_name=""):

        return meetings.action_item_add(
            by=self.users["coordinator"],
            meeting=meeting,
            description=description,
            owner_agency=self.agencies[owner],
            owner_name=owner_name,
            due_on=due_on,
            agenda_item=item,
        )

    def minutes(self, meeting, text: str) -> None:

        meetings.meeting_update_minutes(by=self.users["coordinator"], meeting=meeting, minutes=text)

    # ---- activity log ------------------------------------------------------------------

    def log(self, key: str, username: str, on, kind: str, summary: str, **flags) -> None:

        activity_record(
            by=self.users[username],
            case=self.cases[key],
            occurred_on=self.day(on),
            kind=kind,
            summary=summary,
            **flags,
        )

    def seen(self, key: str) -> None:

        activity_mark_seen(by=self.users["coordinator"], case=self.cases[key])


def _users() -> dict[str, User]:
    users = {}
    for username, code in ACTING.items():
        user = User.objects.get(username=username)
        user.acting_membership = user.memberships.select_related("agency").get(agency__code=code)
        users[username] = user
    return users


def seed_cases() -> int:
    """Build the demo cases and meetings; returns the number of cases made (0 if present)."""

    if Meeting.objects.filter(series=SERIES).exists():
        return 0
    with transaction.atomic():
        s = Seeder(
            today=timezone.localdate(),
            users=_users(),
            agencies={a.code: a for a in Agency.objects.all()},
            categories={c.code: c for c in IssueCategory.objects.all()},
            rng=random.Random(CASE_SEED),
        )
        _build(s)
    return len(s.cases)


def _build(s: Seeder) -> None:
    """The story of the last three months, told in the order it happened."""

    today = s.today
    (m3, m2, m1), next_day = conference_days(today)
    d = datetime.timedelta

    # ---- the cases, opened from the desks' consultations ------------------------------
    s.open_case("intake", today - d(5))

    for key, received in (
        ("active_decision", m3 - d(40)),
        ("replanning", m3 - d(35)),
        ("closed", m3 - d(45)),
        ("monitoring", m3 - d(25)),
        ("active_report", m2 - d(30)),
        ("suspended", m2 - d(20)),
        ("awaiting_decision", m1 - d(35)),
        ("in_conference", m1 - d(20)),
        ("planning", m1 - d(10)),
    ):
        s.open_case(key, received)
        s.consent(key, received + d(7))
        s.assess(key)

    s.open_case("no_consent", today - d(20))
    s.assess("no_consent", without_consent=True)

    # Plans drafted before the meetings that discuss them.
    s.plan(
        "active_decision",
        next_monitoring_on=today + d(7),  # due within the notice period
        evaluation_on=today + d(100),
    )
    s.plan(
        "replanning",
        next_monitoring_on=add_months(m3 + d(5), 3),
        evaluation_on=add_months(m3 + d(5), 6),
    )
    s.plan(
        "closed",
        next_monitoring_on=add_months(m3 + d(2), 3),
        evaluation_on=add_months(m3 + d(2), 6),
    )
    s.plan(
        "monitoring",
        next_monitoring_on=today + d(3),
        evaluation_on=today + d(90),
    )
    s.plan(
        "active_report",
        next_monitoring_on=today - d(6),  # overdue
        evaluation_on=today + d(80),
    )

    s.plan("awaiting_decision")

    # ---- the regular 重層的支援会議: three held, one upcoming ---------------------------
    regular = {}
    for day in (m3, m2, m1, next_day):
        regular[day] = s.meeting(
            kind=MeetingKind.CONFERENCE,
            title=f"重層的支援会議（{_label(day)}定例）",
            starts_at=_at(day, 14),
            schedule="regular",
            series=SERIES,
        )
    attendees = ("officer", "desk", "hikikomori", "shuro", "housing", "hoken")
    for day, absent in ((m3, ("housing",)), (m2, ("hoken",)), (m1, ())):
        s.attend(regular[day], s.members(regular[day], attendees), absent=absent)
    s.members(regular[next_day], attendees)

    # 3 months ago: three plans agreed, one sent back for revision.
    meeting = regular[m3]
    s.decide(s.agenda(meeting, "active_decision", "plan_adoption"), "agreed")
    s.decide(s.agenda(meeting, "replanning", "plan_adoption"), "agreed")
    s.decide(s.agenda(meeting, "closed", "plan_adoption"), "agreed")
    s.decide(
        s.agenda(meeting, "monitoring", "plan_adoption"),
        "revise",
        "長男の保育の確保をプランに加えて、次回の定例会で再協議する。",
    )
    s.minutes(
        meeting,
        "1. 高木世帯（プランの決定）：承認。長男へのアウトリーチは支援決定を経て開始。\n"
        "2. 林世帯（プランの決定）：承認。参加支援は支援決定を経て開始。\n"
        "3. 坂井世帯（プランの決定）：承認。自治体へ報告する。\n"
        "4. 野村世帯（プランの決定）：長男の保育の確保を加えて次回再協議。",
    )
    s.support_decision("replanning", m3 + d(5), "重層第R-001号")
    s.support_decision("active_decision", m3 + d(7), "重層第R-002号")
    s.report("closed", m3 + d(2))

    # 2 months ago: the revised plan and a new one agreed; a resource gap found.
    meeting = regular[m2]
    s.item(
        s.plans["monitoring"],
        Item("長男の保育", "保育所の一時預かりの調整", "kodomo_hoiku_ka", "週2回"),
    )
    s.decide(s.agenda(meeting, "monitoring", "plan_adoption"), "agreed")
    s.decide(s.agenda(meeting, "active_report", "plan_adoption"), "agreed")
    _gap(s, meeting)
    survey = s.action(
        meeting,
        "ひきこもりの方が日中に過ごせる居場所の候補を地区ごとに洗い出す",
        "chiikifukushi_co",
        m2 + d(28),
        owner_name="則武 聡",
    )
    s.minutes(
        meeting,
        "1. 野村世帯（プランの決定）：長男の保育を加えた修正案を承認。自治体へ報告する。\n"
        "2. 西川世帯（プランの決定）：承認。自治体へ報告する。\n"
        "地域課題：ひきこもりの方が日中に過ごせる居場所が不足していることを確認。"
        "地域福祉コーディネーターが候補を洗い出す。",
    )
    s.report("monitoring", m2 + d(2))
    s.report("active_report", m2 + d(3))

    # Before last month's meeting: 坂井さんの評価、川口さんへの連絡の試み。
    monitoring.monitoring_record(
        by=s.users["coordinator"],
        case=s.cases["closed"],
        kind=MonitoringKind.EVALUATION,
        done_on=s.day(m1 - d(7)),
        findings="週1回のサロン参加が定着し、近所の方が声をかけてくれるようになった。"
        "見守りは地域包括支援センターが引き継げる。",
        outcome=MonitoringOutcome.PROPOSE_CLOSURE,
    )
    s.refresh("closed")
    for key, user, on, kind, summary in (
        ("suspended", "coordinator", m2 - d(5), "call", "携帯電話に架電。応答なし。"),
        ("suspended", "housing", m2 - d(2), "letter", "面談の案内を郵送。返信なし。"),
        ("suspended", "coordinator", m1 - d(12), "visit", "自宅を訪問。不在。メモを投函。"),
        ("suspended", "coordinator", m1 - d(5), "call", "携帯電話に架電。電源が入っていない。"),
    ):
        s.log(key, user, on, kind, summary, is_contact_attempt=True)

    # Last month: a plan agreed (now waiting for the 支援決定), a closure, a suspension.
    meeting = regular[m1]
    agreed = s.decide(s.agenda(meeting, "awaiting_decision", "plan_adoption"), "agreed")
    s.decide(
        s.agenda(meeting, "closed", "closure"),
        "agreed",
        "課題が整理され、見守りの役割分担が決まったため終結とする。",
        lead_agency=s.agencies[HOUKATSU],
    )
    s.decide(
        s.agenda(meeting, "suspended", "suspension"),
        "agreed",
        "本人と全く連絡が取れないため中断とする。連絡が取れ次第再開する。",
        contact_attempts="電話3回（応答なし・電源断）、郵送1回（返信なし）、訪問1回（不在・"
        "メモ投函）。家主・民生委員にも所在を確認したが不明。",
    )
    progress = s.decide(
        s.agenda(meeting, "active_decision", "progress", "長男との関係づくりの経過"),
        "noted",
        "長男が手紙に返事を書くようになった。訪問は月2回に増やす。",
    )
    s.action(
        meeting,
        "石原さんの就労体験の受け入れ先（農園）と見学日を調整する",
        "marugoto",
        next_day,
        item=agreed,
        owner_name="加納 美咲",
    )
    s.action(
        meeting,
        "高木さんの長男への訪問計画を見直し、次回定例会で報告する",
        "hikikomori_soudan",
        next_day,
        item=progress,
        owner_name="早田 亮",
    )
    s.minutes(
        meeting,
        "1. 石原世帯（プランの決定）：承認。参加支援を含むため自治体の支援決定を依頼する。\n"
        "2. 坂井世帯（終結の判断）：終結。主担当は地域包括支援センター中央。\n"
        "3. 川口世帯（中断の判断）：中断。連絡の試みを記録。連絡が取れ次第再開。\n"
        "4. 高木世帯（経過の確認）：長男が手紙に返事を書くようになった。",
    )
    meetings.action_item_done(by=s.users["community"], action=survey, done_on=m1 - d(2))

    # After it: 林さんのモニタリングで再プランへ。
    monitoring.monitoring_record(
        by=s.users["coordinator"],
        case=s.cases["replanning"],
        kind=MonitoringKind.MONITORING,
        done_on=s.day(m1 + d(3)),
        findings="作業所の就労体験は人間関係の負担が大きく、2か月で通えなくなった。"
        "本人は少人数の居場所なら通えると話している。",
        outcome=MonitoringOutcome.REPLAN,
    )
    s.refresh("replanning")
    _replan(s)

    # 野村世帯: the monitoring falls due in three days.
    monitoring.monitoring_start(by=s.users["coordinator"], case=s.cases["monitoring"])
    s.refresh("monitoring")

    # Plans in preparation: one on the next regular meeting's agenda, one still a draft.
    s.plan("in_conference")
    s.agenda(regular[next_day], "in_conference", "plan_adoption")
    s.agenda(regular[next_day], "active_report", "progress", "家賃滞納の解消と就労の状況")
    s.plan("planning")

    # ---- 支援会議 about the neighbour without consent ----------------------------------
    cases.team_add(
        by=s.users["coordinator"],
        case=s.cases["no_consent"],
        agency=s.agencies["csw"],
        role="アウトリーチ（情報収集）",
    )
    s.log(
        "no_consent",
        "outreach",
        today - d(14),
        "information",
        "民生委員から：夜に部屋の明かりがつくのを確認。郵便物は取り込まれている。",
    )
    confidential = s.meeting(
        kind=MeetingKind.CONFIDENTIAL,
        title="支援会議（今井さんへの関わり方）",
        starts_at=_at(today - d(10), 15),
        schedule="ad_hoc",
    )
    s.attend(
        confidential, s.members(confidential, ("officer", "hikikomori", "outreach"), pledge=True)
    )
    item = s.decide(
        s.agenda(confidential, "no_consent", "information", "本人への関わり方の検討"),
        "noted",
        "当面は手紙と、ひきこもり相談室の相談員による訪問で関係づくりを試みる。"
        "近隣・民生委員からの情報は福祉まるごと支援員に集約する。",
    )
    s.action(
        confidential,
        "今井さんに手紙を届け、2週間後に訪問する",
        "hikikomori_soudan",
        today + d(4),
        item=item,
        owner_name="早田 亮",
    )
    s.minutes(
        confidential,
        "今井さんの状況（近隣・民生委員からの情報）を共有。本人の同意がないため支援会議で"
        "扱う。手紙と訪問で関係づくりを試み、情報は福祉まるごと支援員に集約する。",
    )

    # ---- ケース会議 for the 8050 household, in a few days ------------------------------
    case_meeting = s.meeting(
        kind=MeetingKind.CASE,
        title="ケース会議（高木世帯）",
        starts_at=_at(today + d(5), 10),
        schedule="ad_hoc",
    )
    s.members(case_meeting, ("desk", "hikikomori", "participation"))
    s.agenda(case_meeting, "active_decision", "progress", "長男の訪問計画と母の介護の状況")

    # ---- 支援経過記録 from the agencies ------------------------------------------------
    s.log("active_decision", "desk", m2 - d(3), "visit", "母を訪問。デイサービスに週2回通所。")
    s.log(
        "active_decision",
        "participation",
        m2 + d(4),
        "letter",
        "長男に2通目の手紙を投函。",
    )
    s.seen("active_decision")
    s.log(
        "active_decision",
        "hikikomori",
        today - d(3),
        "visit",
        "長男と玄関先で5分ほど話せた。次回も同じ時間に来てよいとのこと。",
    )
    s.log("active_decision", "desk", today - d(1), "call", "母から電話。長男が買い物に出た。")
    s.log(
        "active_report", "shuro", today - d(9), "meeting", "家計表を一緒に作成。債務の総額を確認。"
    )
    s.log(
        "active_report",
        "housing",
        today - d(2),
        "information",
        "住居確保給付金の支給が決定。家主と分納の合意ができた。",
    )
    s.log("monitoring", "desk", today - d(4), "visit", "義母のショートステイ利用が始まった。")
    s.seen("monitoring")
    s.log("planning", "hoken", today - d(6), "visit", "母の受診に同行。服薬を再開した。")


def _gap(s: Seeder, meeting) -> None:

    meetings.resource_gap_add(
        by=s.users["coordinator"],
        meeting=meeting,
        description=RESOURCE_GAP,
        area=Area.objects.filter(code=roster.CITY_AREA_CODE).first(),
    )


def _replan(s: Seeder):
    items = (
        Item("長男の居場所", "少人数の居場所への参加調整", "marugoto", "週1回", "participation"),
        Item("家族の支え", "両親との面談", "hoken_kita", "月1回"),
    )
    s.stories["replanning"] = dataclasses.replace(
        s.stories["replanning"],
        goals="長男が週1回、少人数の居場所に通う",
        policy="就労より先に、安心して過ごせる場所を確保する",
    )
    s.plan("replanning", items=items)
