import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from tsunagu.accounts.models import Agency, Area, Membership, Role, User
from tsunagu.audit.services import audit_verify_chain
from tsunagu.demo.names import family_names, given_names
from tsunagu.demo.services import DEMO_PASSWORD, DEMO_USERS, STEPS, plan_households
from tsunagu.people.models import HouseholdMember, Person


def _counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_household_plan_is_deterministic():
    import random

    first = plan_households(40)
    random.seed(12345)  # the global generator must not matter
    assert plan_households(40) == first


def test_names_and_readings_belong_together():
    readings = {n.kanji: n.kana for n in family_names()}
    given = {n.kanji: n.kana for sex in ("male", "female") for n in given_names(sex)}
    for household in plan_households(60):
        for person in household.members:
            family, first = person.name.split(" ")
            kana_family, kana_first = person.name_kana.split(" ")
            assert readings[family] == kana_family
            assert kana_first in {
                n.kana for sex in ("male", "female") for n in given_names(sex) if n.kanji == first
            }
            assert given[first]


def test_household_compositions_include_8050_and_care_situations():
    kinds = {h.kind for h in plan_households(120)}
    assert {"8050", "ダブルケア", "ヤングケアラー", "高齢単身"} <= kinds


@pytest.mark.django_db
def test_seed_demo_builds_the_city_and_is_idempotent(capsys):
    call_command("seed_demo", households=10)
    out = capsys.readouterr().out
    assert f"パスワード: {DEMO_PASSWORD}" in out
    for spec in DEMO_USERS:
        assert spec.username in out
    assert Area.objects.filter(kind="daily_life").count() == 19
    assert Area.objects.filter(kind="district").count() == 50
    assert Agency.objects.filter(code__startswith="houkatsu_").count() == 19
    assert Agency.objects.get(code="juso_suishin").programs.filter(program="multi_agency").exists()
    persons = Person.objects.count()
    assert persons >= 10
    assert HouseholdMember.objects.count() == persons
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    assert User.objects.get(username="officer").check_password(DEMO_PASSWORD)

    rows = _counts()
    call_command("seed_demo", households=10)
    out = capsys.readouterr().out
    assert _counts() == rows  # nothing created, in any table
    assert "デモデータはすでにそろっています。新たに作成したものはありません。" in out
    for step in STEPS:
        assert f"  {step.label}: 作成済み" in out
    assert audit_verify_chain().ok


@pytest.mark.django_db
def test_seeding_gives_agencies_their_readings_also_when_already_seeded():
    from tsunagu.demo import roster
    from tsunagu.demo.services import seed_agencies, seed_areas

    seed_agencies(seed_areas())
    expected = {a.code: a.name_kana for a in roster.AGENCIES}
    assert dict(Agency.objects.values_list("code", "name_kana")) == expected
    Agency.objects.update(name_kana="")  # a database seeded before agencies had readings
    seed_agencies(seed_areas())
    assert dict(Agency.objects.values_list("code", "name_kana")) == expected


@pytest.mark.django_db
def test_seed_demo_refused_in_production(settings):
    settings.TSUNAGU = {**settings.TSUNAGU, "DEMO_ALLOWED": False}
    with pytest.raises(CommandError, match="デモデータを作成できません"):
        call_command("seed_demo", households=1)


@pytest.mark.django_db
def test_seed_demo_works_on_a_flushed_database():
    """A flushed database (as after transactional tests) has lost the category list too."""
    from tsunagu.cases.models import Case
    from tsunagu.consultations.models import Consultation, IssueCategory

    IssueCategory.objects.all().delete()
    call_command("seed_demo", households=10)
    assert IssueCategory.objects.count() == 23
    from tsunagu.cases.models import CaseStatus
    from tsunagu.community.models import CommunityReport, Escalation
    from tsunagu.demo.cases import STORIES
    from tsunagu.demo.outreach import HANDOVERS

    # the desk's 4, one per case story, one per outreach record handed over to 多機関協働,
    # one per 見守り escalated and 気づき・通報 triaged into a consultation
    community = (
        Escalation.objects.filter(consultation__isnull=False).count()
        + CommunityReport.objects.filter(consultation__isnull=False).count()
    )
    assert community == 2
    assert Consultation.objects.count() == 4 + len(STORIES) + HANDOVERS + community
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
