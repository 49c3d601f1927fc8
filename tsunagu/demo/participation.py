"""The demo's 参加支援: eight records of the participation worker at every stage, written
through the services (events and audit), and seeded once.

- early contact (支援決定前の関わり) beside a case still awaiting its 支援決定, and another
  beside a case whose plan has 参加支援 only through outreach so far, with a resource proposed;
- a match in 見学・調整 for a person outside a 多機関協働 plan (with the reason);
- a start after the municipality's 支援決定 on the 林 household's plan naming 参加支援;
- a settled match followed up on both tracks, the host raising a concern;
- a record closed with the person's view, keeping in touch due within days;
- a cancelled match beside a new proposal;
- 合う社会資源がない: one record waits on a gap the community work raised, another on a gap
  raised from matching (so the register counts people waiting from both).

The persons are those of the coordinating agency's cases, or registered by the worker's
agency (the worker sees both). Matches use the demo directory's assessed hosts.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tsunagu.accounts.models import Area, User
from tsunagu.cases.models import Case
from tsunagu.common.fiscal import add_months
from tsunagu.participation import services
from tsunagu.participation.models import Match, MatchStatus, ParticipationRecord
from tsunagu.people import services as people
from tsunagu.people.models import Person
from tsunagu.resources.models import GapStatus, Resource, ResourceGap, ResourceKind

WORKER = "participation"
AGENCY = "marugoto"
PURPOSE = "デモデータの作成"
S = MatchStatus

OUTSIDE_PLAN = "多機関協働の事例ではなく、本人が参加支援だけを希望している"


def _worker() -> User | None:
    user = User.objects.filter(username=WORKER).first()
    if user is None:
        return None
    user.acting_membership = (
        user.memberships.select_related("agency").filter(agency__code=AGENCY).first()
    )
    return user if user.acting_membership else None


class Seeder:
    def __init__(self, worker: User) -> None:
        self.worker = worker
        self.today = timezone.localdate()

    def ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    def case_person(self, name: str) -> tuple[Person, Case] | None:
        """A person of a demo 多機関協働 case, and the case."""
        person = Person.objects.filter(name=name).order_by("pk").first()
        if person is None:
            return None
        case = (
            Case.objects.filter(Q(person=person) | Q(household__members__person=person))
            .order_by("pk")
            .first()
        )
        return (person, case) if case is not None else None

    def registered(self, name: str, kana: str, sex: str, birth: datetime.date) -> Person:
        """A person the worker's agency registers (they come to 参加支援 directly), as the
        head of their own household."""
        agency = self.worker.acting_membership.agency
        household = people.household_create(
            by=self.worker,
            label=f"{name.split()[0]}世帯",
            address="岐阜市",
            agency=agency,
            purpose=PURPOSE,
        )
        person = people.person_create(
            by=self.worker,
            name=name,
            name_kana=kana,
            birth_date=birth,
            sex=sex,
            address="岐阜市",
            agency=agency,
            purpose=PURPOSE,
        )
        people.household_add_member(
            by=self.worker, household=household, person=person, relation="head", purpose=PURPOSE
        )
        return person

    def open(self, person: Person, started: int, goals: str, steps: str = "", **kwargs):
        return services.record_open(
            by=self.worker,
            person=person,
            started_on=self.ago(started),
            goals=goals,
            steps=steps,
            **kwargs,
        )

    def propose(self, record, resource_name: str, days: int, note: str = "") -> Match | None:
        resource = Resource.objects.filter(name=resource_name).first()
        if resource is None:
            return None
        return services.match_propose(
            by=self.worker, record=record, resource=resource, proposed_on=self.ago(days), note=note
        )

    def move(self, match: Match, to: str, days: int, note: str = "") -> Match:
        override = ""
        if to == S.STARTED and match.resource.is_full:
            override = "受け入れ先と相談し、見学を重ねた本人に限って受け入れることで合意"
        services.match_move(
            by=self.worker,
            match=match,
            to=to,
            occurred_on=self.ago(days),
            note=note,
            full_override_reason=override,
        )
        match.refresh_from_db()
        return match

    def follow(self, match: Match, track: str, days: int, note: str, concern: bool = False):
        match.refresh_from_db()  # as the last move left it
        services.follow_up_record(
            by=self.worker,
            match=match,
            track=track,
            occurred_on=self.ago(days),
            note=note,
            concern=concern,
        )


def seed_participation() -> int:
    """Seed the demo records; returns how many were made (0 when records exist already)."""
    if ParticipationRecord.objects.exists():
        return 0
    worker = _worker()
    if worker is None:
        return 0
    with transaction.atomic():
        s = Seeder(worker)
        made = _build(s)
    return made


def _build(s: Seeder) -> int:
    made = 0

    # 1. 支援決定前の関わり: the plan naming 参加支援 awaits the municipality's decision
    found = s.case_person("石原 拓海")
    if found:
        person, case = found
        s.open(
            person,
            20,
            "人の少ない所で、体を動かす仕事なら試してみたい",
            "ひきこもり相談室の面談に同席し、農作業の体験先を一緒に考える",
            case=case,
            is_early=True,
        )
        made += 1

    # 2. early contact beside the 高木 case (its plan has outreach, not yet 参加支援):
    #    a resource proposed
    found = s.case_person("高木 浩二")
    if found:
        person, case = found
        record = s.open(
            person,
            30,
            "母の介護の合間に、少しだけ家の外に出る時間をつくりたい",
            "手紙のやりとりを続け、古書の仕分けに関心があるので見学を提案する",
            case=case,
            is_early=True,
        )
        s.propose(record, "古書みやこ 本の仕分け体験", 7, "本が好きとの手紙の返事から提案")
        made += 1

    # 3. started after the 支援決定 on the 林 household's plan naming 参加支援
    found = s.case_person("林 大輔")
    if found:
        person, case = found
        record = s.open(
            person,
            70,
            "自分に合う仕事を見つけたい",
            "作業所での就労体験の調整と定着支援（週1回）。保健師が家族を支える",
            case=case,
        )
        match = s.propose(record, "印刷工房みなも 軽作業体験", 50)
        if match:
            s.move(match, S.ARRANGING, 40, "本人と見学。作業の手順を紙で示してもらえることを確認")
            if services.decision_in_place(record):
                s.move(match, S.STARTED, 10, "週1回、午前の2時間から")
                s.follow(match, "person", 3, "緊張したが、手順書があるので安心できたと話す")
        made += 1

    # 4. 見学・調整, outside a 多機関協働 plan
    person = s.registered("北村 翔", "キタムラ ショウ", "male", datetime.date(1998, 6, 12))
    record = s.open(
        person,
        25,
        "朝起きて、週に2回は出かける場所がほしい",
        "パン屋の仕込み補助を見学し、始める曜日を本人と決める",
        outside_plan_reason=OUTSIDE_PLAN,
    )
    match = s.propose(record, "ベーカリー こむぎ 仕込み補助", 18)
    if match:
        s.move(match, S.ARRANGING, 6, "見学の日程を調整。早朝は難しいため9時からで相談中")
    made += 1

    # 5. settled, followed up on both tracks; the host raised a concern
    person = s.registered("森 由美子", "モリ ユミコ", "female", datetime.date(1979, 2, 3))
    record = s.open(
        person,
        120,
        "誰かと一緒に、季節を感じる仕事をしたい",
        "農園の草取りと袋詰めに週2回。受け入れ先には月1回様子を聞く",
        outside_plan_reason=OUTSIDE_PLAN,
    )
    match = s.propose(record, "ふくとみ農園 草取りと野菜の袋詰め", 110)
    if match:
        s.move(match, S.ARRANGING, 100, "畑を見学。休憩の取り方を農園の方と確認")
        s.move(match, S.STARTED, 90, "週2回、午前中から")
        for days, note in ((83, "疲れたが楽しかったと話す"), (76, "休まず通えている")):
            s.follow(match, "person", days, note)
        s.follow(match, "host", 82, "よく働いてくれている。声をかけるタイミングに迷う")
        s.follow(
            match,
            "host",
            40,
            "雨の日の欠席が続いたことを心配している。連絡の方法を決めておきたい",
            concern=True,
        )
        s.move(match, S.SETTLED, 35, "3か月続けて通えている。本人も続けたいと話す")
        s.follow(match, "person", 12, "袋詰めの責任者を任されたとうれしそうに話す")
    made += 1

    # 6. closed with the person's view; keeping in touch falls due within days
    closed_on = add_months(s.today, -3) + datetime.timedelta(days=4)
    person = s.registered("岡田 健", "オカダ ケン", "male", datetime.date(1985, 10, 20))
    record = s.open(
        person,
        (s.today - closed_on).days + 150,
        "八百屋で働いた経験を生かして、人と話す仕事をしたい",
        "品出しの体験から始め、店頭での接客に広げる",
        outside_plan_reason=OUTSIDE_PLAN,
    )
    base = (s.today - closed_on).days
    match = s.propose(record, "八百屋まるやま 品出し体験", base + 140)
    if match:
        s.move(match, S.ARRANGING, base + 130, "店主と面談し、午前の品出しから")
        s.move(match, S.STARTED, base + 120, "週3回、午前中")
        s.follow(match, "person", base + 113, "常連さんに声をかけられるようになった")
        s.follow(match, "host", base + 100, "品出しは任せられる。接客も少しずつ")
        s.move(match, S.SETTLED, base + 30, "半年近く続き、店主から接客も任されている")
    services.record_close(
        by=s.worker,
        record=record,
        closed_on=closed_on,
        person_view="ここは自分の居場所になった。困ったら連絡したい",
        note="本人と店主の了解を得て終結。3か月ごとに様子を確かめる",
    )
    made += 1

    # 7. a cancelled match, then a new proposal
    person = s.registered("西田 さやか", "ニシダ サヤカ", "female", datetime.date(1992, 4, 8))
    record = s.open(
        person,
        45,
        "花や緑にふれる場所で、少しずつ人に慣れたい",
        "花屋の補助を試したが体調を崩したため、ペースの合う場所を一緒に探す",
        outside_plan_reason=OUTSIDE_PLAN,
    )
    match = s.propose(record, "花屋 はなあかり 水替えとラッピング補助", 40)
    if match:
        s.move(match, S.ARRANGING, 33, "見学。ラッピングに興味を示す")
        s.move(match, S.CANCELLED, 20, "本人の体調がすぐれず、通う時間帯が合わないため中止")
    s.propose(record, "林柿園 袋かけと収穫の手伝い", 5, "屋外で人の少ない作業を本人が希望")
    # 合う社会資源がない: a gap the community work raised fits her wish too
    gap = (
        ResourceGap.objects.filter(description__contains="夜間や休日に若者")
        .exclude(status=GapStatus.DEVELOPED)
        .first()
    )
    if gap is not None:
        services.gap_need_add(
            by=s.worker,
            record=record,
            gap=gap,
            note="体調の波があり、平日の日中に通う場は続かなかった",
        )
    made += 1

    # 8. 支援決定前の関わり: just begun, no resource yet
    person = s.registered("山口 大地", "ヤマグチ ダイチ", "male", datetime.date(2001, 12, 1))
    record = s.open(
        person,
        3,
        "まだわからない。まずは話を聞いてほしい",
        "月2回の面談で、本人の好きなこと・得意なことを一緒に探す",
        is_early=True,
    )
    # no resource fits yet: a gap raised from matching
    services.gap_need_add(
        by=s.worker,
        record=record,
        description="夕方から通えて、ゲームや音楽の話ができる若者の居場所が圏域にない",
        kind=ResourceKind.objects.filter(code="ibasho").first(),
        area=Area.objects.filter(kind="daily_life").order_by("sort_order", "code").first(),
        targets=["youth"],
        target_attributes="昼夜逆転の生活から外に出はじめた若者",
        note="日中は起きられず、夕方以降に開いている場を探したが見つからなかった",
    )
    made += 1
    return made
