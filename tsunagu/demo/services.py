"""Building the demo city (modelled on 岐阜市): areas, agencies, one user per role, households.

Deterministic: the same code always produces the same city. The city is built in steps
(:data:`STEPS`), each in its own transaction: a step is either wholly there or wholly absent,
so a run stopped part-way (Ctrl-C, a killed process) leaves the finished steps and nothing of
the one it was in. Running again completes the city: areas, agencies and users are created or
updated in place by their codes and usernames, the categories and the help-desk table by
theirs, and every later step is made only when its own records are absent.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import timezone

from tsunagu.accounts.models import Agency, AgencyProgram, Area, Membership, Role, User
from tsunagu.cases import services as cases
from tsunagu.cases.models import Case, CaseStatus
from tsunagu.common import touches
from tsunagu.community.models import Activity
from tsunagu.consultations import services as intake
from tsunagu.consultations.categories import install_standard_categories
from tsunagu.consultations.models import Consultation, HelpDeskRoute, IssueCategory, Referral
from tsunagu.outreach.models import OutreachRecord
from tsunagu.participation.models import ParticipationRecord
from tsunagu.people import services as people_services
from tsunagu.people.models import Household, Person, Relation, Sex
from tsunagu.resources.models import Resource

from . import roster
from .cases import seed_cases
from .community import seed_community
from .names import pick_family_name, pick_given_name
from .outreach import seed_outreach
from .participation import seed_participation
from .resources import seed_resources

DEMO_PASSWORD = "tsunagu-demo"
SEED = 20260401
REFERENCE_DATE = datetime.date(2026, 4, 1)  # ages are fixed relative to this date
PURPOSE = "デモデータの作成"
PROGRAM_OFFICE = "juso_suishin"  # 重層的支援推進室: the contact named by the "known?" check


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    display_name_kana: str
    agency: str
    role: str
    title: str

    @property
    def email(self) -> str:
        """A fictitious address (example.lg.jp for the city office, example.jp otherwise:
        domains reserved for examples, so reminder mails of the demo reach nobody)."""
        municipal = self.role in (Role.MUNICIPAL_OFFICER, Role.ADMIN)
        domain = "demo-city.example.lg.jp" if municipal else "example.jp"
        return f"{self.username}@{domain}"


FIRST_HOUKATSU = roster.HOUKATSU_CENTER_CODES[0]
DESK_AREA_HOUSEHOLDS = 6

DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "officer",
        "岐阜 直子",
        "ギフ ナオコ",
        "juso_suishin",
        Role.MUNICIPAL_OFFICER,
        "重層的支援推進室 主査",
    ),
    DemoUser(
        "coordinator",
        "長良 健一",
        "ナガラ ケンイチ",
        "marugoto",
        Role.COORDINATOR,
        "福祉まるごと支援員",
    ),
    DemoUser("desk", "金華 由美", "キンカ ユミ", FIRST_HOUKATSU, Role.DESK_WORKER, "社会福祉士"),
    DemoUser(
        "outreach",
        "鷺山 翔太",
        "サギヤマ ショウタ",
        "csw",
        Role.OUTREACH_WORKER,
        "コミュニティソーシャルワーカー",
    ),
    DemoUser(
        "participation",
        "加納 美咲",
        "カノウ ミサキ",
        "marugoto",
        Role.PARTICIPATION_WORKER,
        "参加支援担当",
    ),
    DemoUser(
        "community",
        "則武 聡",
        "ノリタケ サトシ",
        "chiikifukushi_co",
        Role.COMMUNITY_COORDINATOR,
        "地域福祉コーディネーター",
    ),
    DemoUser(
        "guest",
        "茜部 和子",
        "アカナベ カズコ",
        "minsei_kyogikai",
        Role.MEETING_GUEST,
        "民生委員・児童委員",
    ),
    DemoUser(
        "admin", "司 大輔", "ツカサ ダイスケ", "fukushiseisaku_ka", Role.ADMIN, "システム管理担当"
    ),
    DemoUser(
        "housing",
        "柳津 拓也",
        "ヤナイヅ タクヤ",
        "jutaku_akiya_ka",
        Role.DESK_WORKER,
        "住宅・空家対策課 主任",
    ),
    DemoUser(
        "hikikomori",
        "早田 亮",
        "ソウダ リョウ",
        "hikikomori_soudan",
        Role.DESK_WORKER,
        "ひきこもり相談室 相談員",
    ),
    DemoUser(
        "shuro",
        "本荘 恵",
        "ホンジョウ メグミ",
        "seikatsu_shuro",
        Role.DESK_WORKER,
        "相談支援員",
    ),
    DemoUser("hoken", "岩野田 愛", "イワノダ アイ", "hoken_kita", Role.DESK_WORKER, "保健師"),
)


def _raw(value):
    return value.pk if isinstance(value, models.Model) else value


def _put(model, existing: dict, lookup: dict, values: dict):
    """The row named by ``lookup`` holding ``values``: created when absent, updated in place
    when a value differs, left alone (no write) when none does. ``existing`` maps the raw
    lookup values (ids for foreign keys) to the rows already there."""
    key = tuple(_raw(v) for v in lookup.values())
    row = existing.get(key)
    if row is None:
        row = existing[key] = model.objects.create(**lookup, **values)
        return row
    fields = {name: model._meta.get_field(name).attname for name in values}
    if any(getattr(row, fields[name]) != _raw(value) for name, value in values.items()):
        for name, value in values.items():
            setattr(row, name, value)
        row.save()
    return row


@transaction.atomic
def seed_areas() -> dict[str, Area]:
    existing = {(a.code,): a for a in Area.objects.all()}
    areas: dict[str, Area] = {}
    for order, spec in enumerate(roster.AREAS):
        areas[spec.code] = _put(
            Area,
            existing,
            {"code": spec.code},
            {
                "name": spec.name,
                "kind": spec.kind,
                "parent": areas.get(spec.parent) if spec.parent else None,
                "sort_order": order,
                "is_active": True,
            },
        )
    return areas


@transaction.atomic
def seed_agencies(areas: dict[str, Area]) -> dict[str, Agency]:
    existing = {(a.code,): a for a in Agency.objects.all()}
    programs = {(p.agency_id, p.program): p for p in AgencyProgram.objects.all()}
    agencies: dict[str, Agency] = {}
    for spec in roster.AGENCIES:
        agency = _put(
            Agency,
            existing,
            {"code": spec.code},
            {
                "name": spec.name,
                "name_kana": spec.name_kana,
                "field": spec.field,
                "operation": spec.operation,
                "area": areas[spec.area],
                "responsible_section": spec.section,
                "site_count": spec.site_count,
                "description": spec.description,
                "phone": spec.phone,
                "address": spec.address,
                "is_program_office": spec.code == PROGRAM_OFFICE,
                "is_active": True,
            },
        )
        wanted = {p.program for p in spec.programs}
        unwanted = [
            row.pk
            for (agency_id, program), row in programs.items()
            if agency_id == agency.pk and program not in wanted
        ]
        if unwanted:
            AgencyProgram.objects.filter(pk__in=unwanted).delete()
        for p in spec.programs:
            _put(
                AgencyProgram,
                programs,
                {"agency": agency, "program": p.program},
                {"is_mandatory": p.is_mandatory, "basis": p.basis},
            )
        agencies[spec.code] = agency
    return agencies


@transaction.atomic
def seed_users(agencies: dict[str, Agency]) -> list[User]:
    users = []
    for spec in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=spec.username,
            defaults={
                "display_name": spec.display_name,
                "display_name_kana": spec.display_name_kana,
            },
        )
        user.display_name = spec.display_name
        user.display_name_kana = spec.display_name_kana
        user.email = spec.email
        user.is_active = True
        if created:
            user.set_password(DEMO_PASSWORD)
        user.save()
        Membership.objects.update_or_create(
            user=user,
            agency=agencies[spec.agency],
            role=spec.role,
            defaults={"title": spec.title, "is_active": True},
        )
        users.append(user)
    return users


# Household compositions: (relation, sex or None for random, min age, max age)
HOUSEHOLD_TYPES: tuple[tuple[str, int, tuple[tuple[str, str | None, int, int], ...]], ...] = (
    ("高齢単身", 20, ((Relation.HEAD, None, 70, 94),)),
    ("高齢夫婦", 14, ((Relation.HEAD, Sex.MALE, 72, 90), (Relation.SPOUSE, Sex.FEMALE, 68, 88))),
    ("8050", 12, ((Relation.HEAD, Sex.FEMALE, 78, 92), (Relation.CHILD, Sex.MALE, 48, 58))),
    (
        "ダブルケア",
        8,
        (
            (Relation.HEAD, Sex.MALE, 38, 50),
            (Relation.SPOUSE, Sex.FEMALE, 36, 48),
            (Relation.CHILD, None, 1, 9),
            (Relation.MOTHER, Sex.FEMALE, 72, 88),
        ),
    ),
    (
        "ひとり親",
        12,
        (
            (Relation.HEAD, Sex.FEMALE, 26, 45),
            (Relation.CHILD, None, 3, 17),
            (Relation.CHILD, None, 0, 12),
        ),
    ),
    (
        "ヤングケアラー",
        6,
        (
            (Relation.HEAD, Sex.FEMALE, 38, 52),
            (Relation.CHILD, None, 12, 17),
            (Relation.CHILD, None, 6, 11),
        ),
    ),
    (
        "子育て世帯",
        16,
        (
            (Relation.HEAD, Sex.MALE, 28, 45),
            (Relation.SPOUSE, Sex.FEMALE, 27, 44),
            (Relation.CHILD, None, 0, 15),
        ),
    ),
    ("単身（稼働年齢）", 14, ((Relation.HEAD, None, 20, 64),)),
)


def _birth_date(rng: random.Random, age: int) -> datetime.date:
    year = REFERENCE_DATE.year - age - 1
    day_of_year = rng.randrange(365)
    return datetime.date(year, 4, 2) + datetime.timedelta(days=day_of_year)


def _address(rng: random.Random, area_code: str) -> str:
    town = rng.choice(roster.TOWNS[area_code])
    if rng.random() < 0.5:
        return f"岐阜市{town}{rng.randint(1, 6)}丁目{rng.randint(1, 30)}番{rng.randint(1, 20)}号"
    return f"岐阜市{town}{rng.randint(1, 999)}番地{rng.randint(1, 9)}"


def _phone(rng: random.Random, mobile: bool) -> str:
    if mobile:
        return f"090-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
    return f"058-{rng.randint(230, 299)}-{rng.randint(1000, 9999)}"


@dataclass(frozen=True)
class PlannedPerson:
    name: str
    name_kana: str
    birth_date: datetime.date
    sex: str
    relation: str
    phone: str


@dataclass(frozen=True)
class PlannedHousehold:
    label: str
    kind: str
    area_code: str
    address: str
    members: tuple[PlannedPerson, ...]


def plan_households(count: int) -> list[PlannedHousehold]:
    """The demo households, decided by a private seeded generator (no database, no globals)."""
    rng = random.Random(SEED)
    weights = [w for _, w, _ in HOUSEHOLD_TYPES]
    area_codes = sorted(roster.TOWNS)
    plan = []
    for _ in range(count):
        kind, _, members = rng.choices(HOUSEHOLD_TYPES, weights=weights)[0]
        family = pick_family_name(rng)
        # the first households live in the demo desk's area, so it has work to show
        area_code = rng.choice(area_codes)
        if len(plan) < DESK_AREA_HOUSEHOLDS:
            area_code = "dl_" + FIRST_HOUKATSU.removeprefix("houkatsu_")
        address = _address(rng, area_code)
        landline = _phone(rng, mobile=False)
        people = []
        for relation, sex, lo, hi in members:
            person_sex = sex or rng.choice([Sex.MALE, Sex.FEMALE])
            given = pick_given_name(rng, person_sex)
            age = rng.randint(lo, hi)
            people.append(
                PlannedPerson(
                    name=f"{family.kanji} {given.kanji}",
                    name_kana=f"{family.kana} {given.kana}",
                    birth_date=_birth_date(rng, age),
                    sex=str(person_sex),
                    relation=str(relation),
                    phone=_phone(rng, mobile=True) if 18 <= age < 70 else landline,
                )
            )
        plan.append(
            PlannedHousehold(
                label=f"{family.kanji}世帯",
                kind=kind,
                area_code=area_code,
                address=address,
                members=tuple(people),
            )
        )
    return plan


def _center_code(area_code: str) -> str:
    return "houkatsu_" + area_code.removeprefix("dl_")


def seed_households(*, count: int = 120) -> int:
    """Create ``count`` households with their members, all in one transaction, unless persons
    exist already; returns the number of persons made."""
    if Person.objects.exists():
        return 0
    made = 0
    centers = {a.code: a for a in Agency.objects.filter(code__startswith="houkatsu_")}
    # one refresh of the grants for all of them, at the end, still inside the transaction
    with transaction.atomic(), touches.batch():
        for planned in plan_households(count):
            # Each household is known to the 地域包括支援センター of its area.
            center = centers[_center_code(planned.area_code)]
            household = people_services.household_create(
                by=None,
                label=planned.label,
                address=planned.address,
                agency=center,
                purpose=PURPOSE,
            )
            for member in planned.members:
                person = people_services.person_create(
                    by=None,
                    name=member.name,
                    name_kana=member.name_kana,
                    birth_date=member.birth_date,
                    sex=member.sex,
                    address=planned.address,
                    phone=member.phone,
                    agency=center,
                    purpose=PURPOSE,
                )
                people_services.household_add_member(
                    by=None,
                    household=household,
                    person=person,
                    relation=member.relation,
                    purpose=PURPOSE,
                )
                made += 1
    return made


@transaction.atomic
def seed_help_desk(agencies: dict[str, Agency]) -> int:
    """The help-desk table: consultation theme → agencies that handle it (seed 002)."""

    count = 0
    categories = {c.name: c for c in IssueCategory.objects.all()}
    existing = {(r.category_id, r.agency_id): r for r in HelpDeskRoute.objects.all()}
    for theme, codes in roster.HELP_DESK_ROUTES.items():
        category = categories.get(theme)
        if category is None:
            continue
        for order, code in enumerate(codes):
            _put(
                HelpDeskRoute,
                existing,
                {"category": category, "agency": agencies[code]},
                {"sort_order": order},
            )
            count += 1
    return count


def _acting(username: str, agency_code: str) -> User:
    user = User.objects.get(username=username)
    user.acting_membership = user.memberships.select_related("agency").get(agency__code=agency_code)
    return user


def seed_activity() -> int:
    """A few consultations and referrals in every state, so each demo role has work waiting.

    Skipped when consultations already exist. Returns the number of consultations made.
    """

    if Consultation.objects.exists():
        return 0
    cat = {c.code: c for c in IssueCategory.objects.all()}
    desk_spec = next(u for u in DEMO_USERS if u.username == "desk")
    desk = _acting("desk", desk_spec.agency)
    households = list(
        Household.objects.filter(registered_by_agency__code=desk_spec.agency).order_by("id")
    )
    if not households:
        return 0
    today = timezone.localdate()
    made = 0
    with transaction.atomic():
        for index, household in enumerate(households[:4]):
            members = list(household.members.select_related("person").order_by("id"))
            head = members[0].person
            consultation = intake.consultation_record(
                by=desk,
                received_on=today,
                channel=["walk_in", "phone", "home_visit", "from_resident"][index % 4],
                consulter_type=["family", "self", "minsei", "resident"][index % 4],
                household=household,
                person=head,
                categories=[cat["elderly_care"], cat["isolation"]],
                primary_category=cat["elderly_care"],
                summary=f"{head.name}さんの生活と介護について相談。世帯の状況を確認した。",
                consent_to_share=index % 2 == 0,
                outcome="referred" if index < 3 else "handled",
            )
            made += 1
            if index == 0:
                referral = intake.referral_send(
                    by=desk,
                    consultation=consultation,
                    to_agency=Agency.objects.get(code="hikikomori_soudan"),
                    reason="同居の家族について、ひきこもり相談室での支援をお願いします。",
                )
                intake.referral_send(
                    by=desk,
                    consultation=consultation,
                    to_agency=Agency.objects.get(code="marugoto"),
                    kind="multi_agency",
                    reason="介護・ひきこもり・経済的な課題が重なっており、世帯としての支援が必要です。",
                    criterion_household=True,
                    tried_with_agencies="ひきこもり相談室・生活・就労サポートセンターと連携したが、"
                    "役割分担が定まらない。",
                )
            elif index == 1:
                referral = intake.referral_send(
                    by=desk,
                    consultation=consultation,
                    to_agency=Agency.objects.get(code="jutaku_akiya_ka"),
                    reason="住み替えの相談をお願いします。",
                )
                # sent two weeks ago and never answered: overdue on both dashboards
                sent = timezone.now() - datetime.timedelta(days=14)
                Referral.objects.filter(pk=referral.pk).update(
                    sent_at=sent, respond_by=intake.respond_by_for(sent)
                )
            elif index == 2:
                referral = intake.referral_send(
                    by=desk,
                    consultation=consultation,
                    to_agency=Agency.objects.get(code="seikatsu_shuro"),
                    reason="家計の見直しについて支援をお願いします。",
                )
                intake.referral_return(
                    by=_acting("shuro", "seikatsu_shuro"),
                    referral=referral,
                    reason="年金収入があり当センターの対象外のため。地域包括支援センターで家計相談をお願いします。",
                )
            elif index == 3:
                _seed_case(desk=desk, consultation=consultation)
    return made


def _seed_case(*, desk: User, consultation) -> None:
    """A 多機関協働 case already accepted, with consent, in アセスメント."""

    referral = intake.referral_send(
        by=desk,
        consultation=consultation,
        to_agency=Agency.objects.get(code="marugoto"),
        kind="multi_agency",
        reason="孤立と介護の課題が重なり、どの機関が中心となるか決まらないため。",
        criterion_household=True,
        criterion_gap=True,
        tried_with_agencies="民生委員・コミュニティソーシャルワーカーと見守りを続けたが、支援の方向が定まらない。",
    )
    coordinator = _acting("coordinator", "marugoto")
    intake.referral_accept(by=coordinator, referral=referral)
    case = referral.case
    cases.consent_record(
        by=coordinator,
        case=case,
        given_by=consultation.person.name if consultation.person else "本人",
        given_on=timezone.localdate(),
        method="signature",
        scope_agencies=list(
            Agency.objects.filter(code__in=[desk.acting_membership.agency.code, "csw"])
        ),
        share_in_conference=True,
    )
    cases.case_transition(by=coordinator, case=case, to=CaseStatus.ASSESSMENT)


@dataclass(frozen=True)
class Step:
    """One step of building the demo city: made in one transaction, wholly or not at all.

    ``run(households)`` makes what is missing of the step; ``model`` is what it reports
    (how many rows of it the step added), in ``unit``.
    """

    key: str
    label: str
    unit: str
    model: type
    run: Callable[[int], object]


def _categories() -> None:
    install_standard_categories(IssueCategory)


def _by_code(model) -> dict:
    return {row.code: row for row in model.objects.all()}


# In order: a step uses what the steps before it made. Each later step tells whether it is
# there by its own records (none of which an earlier step makes), so a step stopped part-way
# is simply made again, and a step already made is left as it is.
STEPS: tuple[Step, ...] = (
    Step("areas", "圏域", "件", Area, lambda n: seed_areas()),
    Step("agencies", "支援関係機関", "件", Agency, lambda n: seed_agencies(_by_code(Area))),
    Step("users", "デモ用の利用者", "人", User, lambda n: seed_users(_by_code(Agency))),
    # the categories are present unless the database was flushed
    Step("categories", "相談の分類", "件", IssueCategory, lambda n: _categories()),
    Step("help_desk", "窓口案内", "件", HelpDeskRoute, lambda n: seed_help_desk(_by_code(Agency))),
    Step("households", "世帯の本人", "人", Person, lambda n: seed_households(count=n)),
    Step("activity", "相談受付", "件", Consultation, lambda n: seed_activity()),
    Step("cases", "多機関協働の事例", "件", Case, lambda n: seed_cases()),
    Step("resources", "社会資源", "件", Resource, lambda n: seed_resources()),
    Step("outreach", "アウトリーチの対象", "件", OutreachRecord, lambda n: seed_outreach()),
    Step("participation", "参加支援", "件", ParticipationRecord, lambda n: seed_participation()),
    Step("community", "地域づくりの活動", "件", Activity, lambda n: seed_community()),
)


@dataclass
class SeedResult:
    created: dict[str, int] = field(default_factory=dict)  # step key → rows added
    users: list[User] = field(default_factory=list)

    @property
    def nothing_created(self) -> bool:
        return not any(self.created.values())

    @property
    def persons_created(self) -> int:
        return self.created.get("households", 0)


def seed_demo(
    *, households: int = 120, on_step: Callable[[Step, int], None] | None = None
) -> SeedResult:
    """Make what is missing of the demo city, step by step, each step in its own transaction.

    ``on_step(step, created)`` is called after each step has committed. A run stopped in a
    step (``KeyboardInterrupt``, a killed process) leaves nothing of that step: run again.
    """
    result = SeedResult()
    for step in STEPS:
        with transaction.atomic():
            before = step.model.objects.count()
            step.run(households)
            created = step.model.objects.count() - before
        result.created[step.key] = created
        if on_step is not None:
            on_step(step, created)
    by_username = {u.username: u for u in User.objects.filter(username__in=_demo_usernames())}
    result.users = [by_username[name] for name in _demo_usernames() if name in by_username]
    return result


def _demo_usernames() -> list[str]:
    return [spec.username for spec in DEMO_USERS]
