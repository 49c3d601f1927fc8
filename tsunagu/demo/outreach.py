"""Demo アウトリーチ: the コミュニティソーシャルワーカー's caseload, one record at every stage.

Every step goes through :mod:`tsunagu.outreach.services` (and the people and meetings services),
as the outreach worker ``outreach`` or the coordinator would take it on the screens, so each
record's history, its events and its audit trail are the real ones. The records:

- 北部 60代男性 A: ①情報収集, no person yet (a 民生委員's information);
- 長良 50代男性 B: four letters, then met at home (④家庭訪問); identified at that visit;
- 西部 40代女性 C: consent, then handed over to 多機関協働; the coordinator accepts the
  referral, which opens a case (インテーク) whose page shows the record beside it;
- 南部 30代男性 D: closed, connected to ひきこもり相談室;
- 東部 70代女性 E: no contact for more than 100 days (silent, its next action overdue);
- 北部 80代男性 F: urgent (救急・警察に連絡);
- 中部 40代男性 G: its plan agreed at the demo's 支援会議, before consent;
- 西部 50代女性 H: ②事前調整 with 住宅・空家対策課;
- 南部 20代女性 I: ⑤同行支援 after consent, its plan on the next 重層的支援会議.

Dates are relative to today. Skipped when outreach records already exist (idempotent).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tsunagu.accounts.models import Agency, Area, User
from tsunagu.consultations import services as intake
from tsunagu.consultations.models import IssueCategory
from tsunagu.meetings import services as meetings
from tsunagu.meetings.models import Meeting, MeetingKind
from tsunagu.outreach import services as outreach
from tsunagu.outreach.models import (
    AgeBand,
    ClosureReason,
    ConsentMethod,
    OutreachRecord,
    Source,
    Stage,
)
from tsunagu.outreach.models import ContactMethod as M
from tsunagu.people import services as people
from tsunagu.people.models import Person, Relation

from .cases import SERIES

PURPOSE = "デモデータの作成"
OUTREACH_SEED = 20260403
REFERENCE_DATE = datetime.date(2026, 4, 1)  # ages are fixed relative to this date
AGENCY = "csw"  # コミュニティソーシャルワーカー（モデル事業）
COORDINATING = "marugoto"  # 福祉まるごと支援員: runs 多機関協働
STAFF = "鷺山 翔太"
CONFIDENTIAL_TITLE = "支援会議（今井さんへの関わり方）"

#: the number of records handed over to 多機関協働 (each adds a consultation and a referral,
#: accepted by the coordinator: each adds a case too)
HANDOVERS = 1


@dataclass(frozen=True)
class Resident:
    name: str
    kana: str
    age: int  # on REFERENCE_DATE
    sex: str
    relation: str


def _users() -> dict[str, User]:
    users = {}
    for username, code in (("outreach", AGENCY), ("coordinator", COORDINATING)):
        user = User.objects.get(username=username)
        user.acting_membership = user.memberships.select_related("agency").get(agency__code=code)
        users[username] = user
    return users


class Seeder:
    def __init__(self) -> None:
        self.today = timezone.localdate()
        self.users = _users()
        self.worker = self.users["outreach"]
        self.agencies = {a.code: a for a in Agency.objects.all()}
        self.areas = {a.code: a for a in Area.objects.all()}
        self.categories = {c.code: c for c in IssueCategory.objects.all()}
        self.rng = random.Random(OUTREACH_SEED)

    def ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    def ahead(self, days: int) -> datetime.date:
        return self.today + datetime.timedelta(days=days)

    # ---- people ------------------------------------------------------------------------

    def household(self, label: str, address: str, residents: tuple[Resident, ...]) -> Person:
        """Register the household the worker has come to know; returns its first resident
        (the person the record is about)."""
        household = people.household_create(
            by=self.worker, label=label, address=address, purpose=PURPOSE
        )
        persons = []
        for r in residents:
            start = datetime.date(REFERENCE_DATE.year - r.age - 1, 4, 2)
            person = people.person_create(
                by=self.worker,
                name=r.name,
                name_kana=r.kana,
                birth_date=start + datetime.timedelta(days=self.rng.randrange(365)),
                sex=r.sex,
                address=address,
                purpose=PURPOSE,
            )
            people.household_add_member(
                by=self.worker,
                household=household,
                person=person,
                relation=r.relation,
                purpose=PURPOSE,
            )
            persons.append(person)
        return persons[0]

    # ---- the record --------------------------------------------------------------------

    def begin(self, *, began: int, area: str, **fields) -> OutreachRecord:
        return outreach.record_create(
            by=self.worker, began_on=self.ago(began), area=self.areas[area], **fields
        )

    def stage(self, record, to: str, days_ago: int, reason: str = "") -> OutreachRecord:
        return outreach.stage_change(
            by=self.worker, record=record, to=to, occurred_on=self.ago(days_ago), reason=reason
        )

    def contact(
        self,
        record,
        days_ago: int,
        method: str,
        summary: str,
        *,
        reached: bool = False,
        next_action: str = "",
        next_in: int | None = None,
    ) -> OutreachRecord:
        outreach.contact_record(
            by=self.worker,
            record=record,
            occurred_on=self.ago(days_ago),
            method=method,
            staff=STAFF,
            summary=summary,
            reached_person=reached,
            next_action=next_action,
            next_action_on=self.ahead(next_in) if next_in is not None else None,
        )
        record.refresh_from_db()
        return record

    def consent(self, record, days_ago: int, method: str, note: str) -> OutreachRecord:
        return outreach.consent_record(
            by=self.worker,
            record=record,
            consented_on=self.ago(days_ago),
            method=method,
            note=note,
        )

    def confidential_meeting(self) -> Meeting | None:
        """The demo's 支援会議, with the worker a pledged member (added when the demo was
        seeded before the worker attended it)."""
        meeting = (
            Meeting.objects.filter(kind=MeetingKind.CONFIDENTIAL, title=CONFIDENTIAL_TITLE)
            .order_by("id")
            .first()
        )
        if meeting is None or meeting.starts_at > timezone.now():
            return None
        self._join(meeting, pledge=True)
        return meeting

    def next_conference(self) -> Meeting | None:
        """The upcoming meeting of the regular 重層的支援会議 series."""
        meeting = (
            Meeting.objects.filter(
                kind=MeetingKind.CONFERENCE,
                series=SERIES,
                starts_at__gt=timezone.now(),
                is_cancelled=False,
            )
            .order_by("starts_at")
            .first()
        )
        if meeting is not None:
            self._join(meeting)
        return meeting

    def _join(self, meeting: Meeting, *, pledge: bool = False) -> None:
        member = meeting.members.filter(user=self.worker).first()
        if member is None:
            member = meetings.member_add(
                by=self.users["coordinator"],
                meeting=meeting,
                user=self.worker,
                agency=self.agencies[AGENCY],
            )
        if pledge and member.pledged_at is None:
            meetings.pledge_record(by=self.worker, member=member)


def seed_outreach() -> int:
    """Build the demo outreach records; returns the number made (0 if any exist)."""
    if OutreachRecord.objects.exists():
        return 0
    if not User.objects.filter(username="outreach").exists():
        return 0
    with transaction.atomic():
        s = Seeder()
        made = [
            _unnamed(s),
            _letters_then_met(s),
            _handed_over(s),
            _closed(s),
            _silent(s),
            _urgent(s),
            _on_confidential_meeting(s),
            _preparation(s),
            _accompanying(s),
        ]
    return len(made)


# ------------------------------------------------------------------------------- the stories


def _unnamed(s: Seeder) -> OutreachRecord:
    """①情報収集: a 民生委員's worry about a man nobody has seen since his mother died."""
    r = s.begin(
        began=12,
        area="dl_iwanoda",
        label="北部 60代男性 A",
        source=Source.MINSEI,
        age_band=AgeBand.SIXTIES,
        address="岐阜市粟野東3丁目付近（番地は未確認）",
        household_hint="一人暮らしとみられる。昨年、同居の母が死去",
        known_facts="自治会費が半年未納。郵便受けに郵便物がたまり、夜に明かりがつく日とつかない日が"
        "ある。近所の方によると、母の葬儀の後は姿を見かけない。",
        informant_name="茜部 和子（民生委員・児童委員）",
        informant_contact="058-237-4418",
    )
    s.contact(
        r,
        10,
        M.COORDINATION,
        "民生委員の茜部さんと面談。母の生前は二人で買い物に出ていた。親族の連絡先は不明。",
    )
    return s.contact(
        r,
        4,
        M.COORDINATION,
        "自治会長から聞き取り。回覧板は受け取っている。ごみ出しは月に1〜2回、早朝にしている"
        "らしい。",
        next_action="民生委員と周辺の様子を確認し、手紙を置くか検討",
        next_in=5,
    )


def _letters_then_met(s: Seeder) -> OutreachRecord:
    """Four letters through his mother, then a first talk at home: the son of an 8050
    household, identified at that visit."""
    r = s.begin(
        began=75,
        area="dl_nagara",
        label="長良 50代男性 B",
        source=Source.AGENCY,
        age_band=AgeBand.FIFTIES,
        address="岐阜市長良雄総2丁目11番4号",
        household_hint="80代の母（要介護1）と二人暮らし",
        known_facts="母の介護認定の調査で訪問した地域包括支援センターから。長男は20年ほど家から"
        "出ていない。母は『息子が私の亡き後どうなるか』と心配している。",
        informant_name="地域包括支援センター長良（担当の社会福祉士）",
        informant_contact="058-294-0120",
    )
    r = s.stage(r, Stage.PREPARATION, 70)
    s.contact(
        r,
        70,
        M.COORDINATION,
        "地域包括支援センターの担当者と母を訪問。長男には直接会わず、母から手紙を渡してもらう"
        "ことにした。長男は釣りが好きだったとのこと。",
    )
    r = s.stage(r, Stage.RELATIONSHIP, 60)
    letters = (
        (58, "自己紹介の手紙を母に託した。母によると、部屋の前に置いたら夜のうちに取り込んだ。"),
        (44, "2通目。長良川の鮎釣りの話題を添えた。返事はないが、捨てずに机に置いてあるとのこと。"),
        (30, "3通目。母の通院の日に家を訪ね、手紙を郵便受けに入れた。"),
        (16, "4通目。返事のメモ（『手紙は読んでいる』）を母から受け取った。"),
    )
    for days_ago, summary in letters:
        r = s.contact(r, days_ago, M.LETTER, summary, reached=days_ago == 16)
    r = s.contact(
        r,
        3,
        M.VISIT_MET,
        "母の同席で、本人と居間で10分ほど話せた。釣りの話題に笑顔。名前を教えてくれた。"
        "また来てもよいとのこと。",
        next_action="2週間後に再訪問（釣りの雑誌を持参）",
        next_in=11,
    )
    r = s.stage(r, Stage.HOME_VISIT, 3)
    son = s.household(
        "吉川世帯",
        r.address,
        (
            Resident("吉川 大輔", "ヨシカワ ダイスケ", 52, "male", Relation.CHILD),
            Resident("吉川 澄子", "ヨシカワ スミコ", 83, "female", Relation.HEAD),
        ),
    )
    r = outreach.record_link_person(by=s.worker, record=r, person=son)
    outreach.plan_create(
        by=s.worker,
        record=r,
        approach="釣りの話題と、母の介護についての相談を切口にする",
        network="母、地域包括支援センター長良、担当のケアマネジャー",
        risks="母が入院したときに本人が一人で暮らせるか分からない",
        emergency_route="母の急変時は地域包括支援センターと救急に連絡し、本人の食事と受診を確認する",
        goals="月2回、本人と会って話せる関係を続ける",
    )
    return r


def _handed_over(s: Seeder) -> OutreachRecord:
    """Care of her father, her lost job and the household's debts: after her consent, the
    worker refers her to 多機関協働; the coordinator accepts, and the case opened at インテーク
    shows the outreach record (kept open) beside it."""
    person = s.household(
        "森世帯",
        "岐阜市鷺山北町8番12号",
        (
            Resident("森 恵理子", "モリ エリコ", 46, "female", Relation.CHILD),
            Resident("森 勝", "モリ マサル", 78, "male", Relation.HEAD),
        ),
    )
    r = s.begin(
        began=110,
        area="dl_jousai",
        label="西部 40代女性 C",
        person=person,
        source=Source.RESIDENT,
        age_band=AgeBand.FORTIES,
        address=person.address,
        household_hint="70代の父（要介護2）と二人暮らし",
        known_facts="父の介護をひとりで担い、仕事を辞めてから外出が減った。夜中に大声が聞こえる"
        "ことがある。電気料金の督促状が郵便受けに見える。",
        informant_name="近隣住民（匿名を希望）",
    )
    r = s.stage(r, Stage.PREPARATION, 105)
    r = s.contact(r, 100, M.LETTER, "『集いの場 ぷらっと』の案内と自己紹介の手紙を投函。")
    r = s.stage(r, Stage.RELATIONSHIP, 95)
    r = s.contact(
        r, 90, M.VISIT_FAMILY, "父が応対。娘は奥で休んでいるとのこと。介護保険の話を少しした。"
    )
    r = s.stage(r, Stage.HOME_VISIT, 70)
    r = s.contact(
        r,
        70,
        M.VISIT_MET,
        "本人と玄関先で15分。父の介護で眠れていない。貯金が底をつきそうで不安と話した。",
    )
    r = s.contact(r, 50, M.PHONE, "本人から電話。父のデイサービスの利用を考えたいとのこと。")
    r = s.consent(
        r, 32, ConsentMethod.SIGNED, "アウトリーチ支援の利用申込書に署名（関係機関との共有に同意）"
    )
    r = s.stage(r, Stage.ACCOMPANYING, 30)
    r = s.contact(
        r,
        30,
        M.ACCOMPANY,
        "生活・就労サポートセンターの家計相談に同行。督促の一覧を一緒に作った。",
    )
    r = s.contact(
        r,
        8,
        M.VISIT_MET,
        "父の介護、家計、本人の体調が重なっている。本人も複数の機関で話し合うことを希望。",
        next_action="多機関協働のインテーク面談に同行",
        next_in=7,
    )
    outreach.handover_to_multi_agency(
        by=s.worker,
        record=r,
        to_agency=s.agencies[COORDINATING],
        reason="父の介護、本人の離職と家計の悪化、社会的な孤立が重なっており、世帯として"
        "複数の機関の支援を調整する必要があります。",
        tried_with_agencies="生活・就労サポートセンターに同行して家計相談を始め、地域包括支援"
        "センターと父の介護サービスを相談したが、役割分担が定まらない。",
        criterion_household=True,
        categories=[s.categories[c] for c in ("elderly_care", "poverty", "isolation")],
    )
    r.refresh_from_db()
    intake.referral_accept(
        by=s.users["coordinator"],
        referral=r.handover_referral,
        note="アウトリーチの経過を確認。インテーク面談にコミュニティソーシャルワーカーが同行する。",
    )
    r.refresh_from_db()
    return r


def _closed(s: Seeder) -> OutreachRecord:
    """Ten years at home after university: accompanied to ひきこもり相談室, where he now goes
    every week. The outreach ends, connected."""
    person = s.household(
        "大野世帯",
        "岐阜市加納天神町4丁目7番地",
        (Resident("大野 翔", "オオノ ショウ", 34, "male", Relation.HEAD),),
    )
    r = s.begin(
        began=200,
        area="dl_kano",
        label="南部 30代男性 D",
        person=person,
        source=Source.FAMILY,
        age_band=AgeBand.THIRTIES,
        address=person.address,
        household_hint="アパートで一人暮らし。母が別居で週1回食料を届けている",
        known_facts="大学を中退してから10年以上、ほとんど外出していない。母からの電話には出る。",
        informant_name="母（別居）",
        informant_contact="090-4417-2290",
    )
    r = s.stage(r, Stage.PREPARATION, 195)
    r = s.contact(r, 190, M.COORDINATION, "母と面談。本人はゲームの話なら乗ってくるとのこと。")
    r = s.stage(r, Stage.RELATIONSHIP, 185)
    r = s.contact(r, 180, M.MESSAGE, "母を通じて教えてもらったアドレスにメール。翌日返信あり。")
    r = s.stage(r, Stage.HOME_VISIT, 140)
    r = s.contact(r, 140, M.VISIT_MET, "初めて会えた。部屋は片付いている。昼夜逆転の生活。")
    r = s.consent(r, 80, ConsentMethod.SIGNED, "利用申込書に署名")
    r = s.stage(r, Stage.ACCOMPANYING, 45)
    r = s.contact(r, 40, M.ACCOMPANY, "ひきこもり相談室の居場所の見学に同行。1時間過ごせた。")
    r = s.contact(r, 25, M.ACCOMPANY, "2回目の同行。帰りは一人で帰れた。")
    r = s.contact(
        r,
        14,
        M.COORDINATION,
        "ひきこもり相談室の相談員と振り返り。週1回の通所が定着し、相談室が継続して支援する。",
    )
    return outreach.record_close(
        by=s.worker,
        record=r,
        closed_on=s.ago(12),
        reason=ClosureReason.CONNECTED,
        note="ひきこもり相談室の居場所に週1回通所。相談室の相談員が主に関わる。",
        connected_agency=s.agencies["hikikomori_soudan"],
    )


def _silent(s: Seeder) -> OutreachRecord:
    """No answer to a visit and a letter more than 100 days ago: silent, its next step overdue."""
    person = s.household(
        "加藤世帯",
        "岐阜市芥見南山1丁目5番3号",
        (Resident("加藤 トミ子", "カトウ トミコ", 77, "female", Relation.HEAD),),
    )
    r = s.begin(
        began=130,
        area="dl_akutami",
        label="東部 70代女性 E",
        person=person,
        source=Source.MINSEI,
        age_band=AgeBand.SEVENTIES,
        address=person.address,
        household_hint="一人暮らし。子は県外",
        known_facts="夫の死後、サロンに来なくなった。庭の手入れがされていない。訪問販売の業者が"
        "出入りしているのを近所の方が見ている。",
        informant_name="芥見地区 民生委員",
        informant_contact="058-243-7781",
    )
    r = s.stage(r, Stage.PREPARATION, 125)
    r = s.contact(r, 125, M.COORDINATION, "民生委員と訪問の時間帯と声のかけ方を相談。")
    r = s.contact(r, 112, M.VISIT_NOT_MET, "訪問。インターホンに応答なし。新聞はたまっていない。")
    return s.contact(
        r,
        104,
        M.LETTER,
        "サロンの案内を添えた手紙を郵便受けに入れた。",
        next_action="民生委員と再訪問",
        next_in=-90,
    )


def _urgent(s: Seeder) -> OutreachRecord:
    """A man living alone who refuses help, found weak at the last visit: 救急 and the police
    were called."""
    person = s.household(
        "山内世帯",
        "岐阜市三輪字宮前2081番地",
        (Resident("山内 清", "ヤマウチ キヨシ", 83, "male", Relation.HEAD),),
    )
    r = s.begin(
        began=40,
        area="dl_miwa",
        label="北部 80代男性 F",
        person=person,
        source=Source.RESIDENT,
        age_band=AgeBand.OVER_80,
        address=person.address,
        household_hint="一人暮らし。身寄りは不明",
        known_facts="夏ごろから庭の草が伸び放題で、玄関先にごみ袋が積まれている。近所付き合いを"
        "断っている。",
        informant_name="近隣住民（隣家の方）",
        informant_contact="058-229-5163",
    )
    r = s.stage(r, Stage.PREPARATION, 38)
    r = s.contact(r, 38, M.COORDINATION, "民生委員・地域包括支援センター三輪と情報を共有。")
    r = s.stage(r, Stage.RELATIONSHIP, 30)
    r = s.contact(r, 30, M.LETTER, "自己紹介の手紙と配食サービスのチラシを投函。")
    r = s.contact(r, 20, M.VISIT_NOT_MET, "インターホン越しに『帰れ』と言われた。声に張りがある。")
    r = s.stage(r, Stage.HOME_VISIT, 9)
    r = s.contact(r, 9, M.VISIT_MET, "玄関先で5分。戦時中の話をしてくれた。食事は缶詰が中心。")
    yesterday = s.ago(1)
    r = s.contact(
        r,
        1,
        M.VISIT_MET,
        "室内でふらつき、数日食事をとっていない様子。受診を勧めたが拒否。",
        next_action="北保健センターの保健師と同行して再訪問",
        next_in=0,
    )
    return outreach.urgent_set(
        by=s.worker,
        record=r,
        note=f"{yesterday.month}月{yesterday.day}日 15時20分 救急（119）と岐阜北警察署に連絡。"
        "救急隊が到着したが本人が搬送を拒否し、警察が安否を確認。北保健センターにも連絡。",
    )


def _on_confidential_meeting(s: Seeder) -> OutreachRecord:
    """A son who refuses any contact: before his consent, the outreach plan is agreed at the
    demo's 支援会議 (its members pledged to confidentiality)."""
    person = s.household(
        "服部世帯",
        "岐阜市大宮町3丁目14番地",
        (
            Resident("服部 誠一", "ハットリ セイイチ", 48, "male", Relation.CHILD),
            Resident("服部 和代", "ハットリ カズヨ", 76, "female", Relation.HEAD),
        ),
    )
    r = s.begin(
        began=45,
        area="dl_chuo",
        label="中部 40代男性 G",
        person=person,
        source=Source.MINSEI,
        age_band=AgeBand.FORTIES,
        address=person.address,
        household_hint="70代の母と二人。父は3年前に死去",
        known_facts="20年以上ひきこもり。母が民生委員に『息子が物に当たることがある』と話した。"
        "母は息子への支援を望んでいるが、本人は人と会うことを拒んでいる。",
        informant_name="中央地区 民生委員",
        informant_contact="058-262-3390",
    )
    r = s.stage(r, Stage.PREPARATION, 40)
    r = s.contact(r, 40, M.COORDINATION, "民生委員宅で母と面談。本人は将棋をよく指していた。")
    r = s.stage(r, Stage.RELATIONSHIP, 20)
    r = s.contact(r, 25, M.LETTER, "本人宛ての手紙を母に託した。")
    r = s.contact(r, 18, M.VISIT_FAMILY, "母と面談。本人は手紙を読んだが『来なくていい』と。")
    plan = outreach.plan_create(
        by=s.worker,
        record=r,
        approach="母への支援を切口にし、将棋の話題で本人との接点を探る",
        network="母、民生委員、ひきこもり相談室",
        risks="母へのきつい言動が強まるおそれ。母の体調が崩れたときの本人の生活",
        emergency_route="母に危険が及ぶときは岐阜中警察署に通報。母の避難先は地域包括支援"
        "センターと調整",
        goals="本人に手紙を届け続け、3か月以内に玄関先で話せる関係をつくる",
    )
    meeting = s.confidential_meeting()
    if meeting is not None:
        item = outreach.plan_to_meeting(by=s.worker, plan=plan, meeting=meeting)
        meetings.decision_record(
            by=s.users["coordinator"],
            item=item,
            outcome="agreed",
            decision_text="母への支援を切口に月2回の訪問を続ける。本人に会えるまで手紙を続け、"
            "母に危険が及ぶときは警察に通報する。",
        )
        meeting.refresh_from_db()
        meetings.meeting_update_minutes(
            by=s.users["coordinator"],
            meeting=meeting,
            minutes=f"{meeting.minutes}\n"
            "アウトリーチ支援計画（中部 40代男性 G）：関わりの切口と緊急時の対応を確認し、合意。",
        )
    r = s.contact(r, 7, M.LETTER, "支援会議の方針どおり、将棋の詰め将棋の問題を添えて手紙。")
    return s.contact(
        r,
        3,
        M.VISIT_FAMILY,
        "母と面談。本人が詰め将棋を解いて机に置いていたとのこと。",
        next_action="母と面談し、次の手紙を託す",
        next_in=7,
    )


def _preparation(s: Seeder) -> OutreachRecord:
    """②事前調整: 住宅・空家対策課 asks about a tenant whose belongings fill the common stairs."""
    person = s.household(
        "水野世帯",
        "岐阜市鏡島西2丁目3番 市営鏡島住宅5棟201号",
        (Resident("水野 由美子", "ミズノ ユミコ", 57, "female", Relation.HEAD),),
    )
    r = s.begin(
        began=20,
        area="dl_kagashima",
        label="西部 50代女性 H",
        person=person,
        source=Source.AGENCY,
        age_band=AgeBand.FIFTIES,
        address=person.address,
        household_hint="一人暮らし",
        known_facts="市営住宅の共用階段に私物とごみがあふれ、近隣から苦情。家賃は支払われている。"
        "住宅課の訪問には応答がない。",
        informant_name="住宅・空家対策課（市営住宅担当）",
        informant_contact="058-214-2451",
    )
    r = s.stage(r, Stage.PREPARATION, 15)
    r = s.contact(
        r,
        15,
        M.COORDINATION,
        "住宅・空家対策課と事前調整。督促や指導とは別の立場で、まず手紙から始めることにした。",
    )
    return s.contact(
        r,
        6,
        M.LETTER,
        "自己紹介と『困りごとは何でも』の手紙を郵便受けに入れた。",
        next_action="手紙への反応を住宅課と確認し、訪問",
        next_in=4,
    )


def _accompanying(s: Seeder) -> OutreachRecord:
    """⑤同行支援 after her consent: accompanied to a clinic and to Hello Work; her plan is on
    the next 重層的支援会議."""
    person = s.household(
        "青木世帯",
        "岐阜市柳津町本郷5丁目22番地",
        (
            Resident("青木 さくら", "アオキ サクラ", 24, "female", Relation.CHILD),
            Resident("青木 直美", "アオキ ナオミ", 52, "female", Relation.HEAD),
        ),
    )
    r = s.begin(
        began=150,
        area="dl_yanaizu",
        label="南部 20代女性 I",
        person=person,
        source=Source.FAMILY,
        age_band=AgeBand.TWENTIES,
        address=person.address,
        household_hint="母と二人暮らし。母はパートで日中不在",
        known_facts="高校卒業後の就職先を半年で退職。以後3年、自室で過ごすことが多く昼夜逆転。"
        "母が地域の『集いの場 ぷらっと』で相談した。",
        informant_name="母",
        informant_contact="090-6632-1175",
    )
    r = s.stage(r, Stage.PREPARATION, 145)
    r = s.contact(r, 145, M.COORDINATION, "母と面談。本人はイラストを描くのが好き。")
    r = s.stage(r, Stage.RELATIONSHIP, 130)
    r = s.contact(r, 128, M.MESSAGE, "母の紹介でメッセージのやりとりを始めた。短い返信あり。")
    r = s.stage(r, Stage.HOME_VISIT, 100)
    r = s.contact(r, 100, M.VISIT_MET, "自宅で初めて会えた。描いたイラストを見せてくれた。")
    r = s.consent(r, 50, ConsentMethod.ORAL, "記録者：鷺山、立会人：母")
    r = s.stage(r, Stage.ACCOMPANYING, 45)
    r = s.contact(r, 45, M.ACCOMPANY, "心療内科の初診に同行。睡眠の相談をした。")
    r = s.contact(r, 20, M.ACCOMPANY, "ハローワークの若者向け窓口に同行。")
    r = s.contact(
        r,
        5,
        M.PHONE,
        "本人から電話。地域若者サポートステーションを見てみたいとのこと。",
        next_action="地域若者サポートステーションの見学に同行",
        next_in=6,
    )
    plan = outreach.plan_create(
        by=s.worker,
        record=r,
        approach="イラストの趣味と、生活リズムを整えることを切口にする",
        network="母、心療内科、ハローワーク、地域若者サポートステーション",
        risks="人間関係の負担で再び外出できなくなるおそれ",
        emergency_route="体調の急変時は母と心療内科に連絡",
        goals="週1回、地域若者サポートステーションに通う",
    )
    meeting = s.next_conference()
    if meeting is not None:
        outreach.plan_to_meeting(by=s.worker, plan=plan, meeting=meeting)
    return r
