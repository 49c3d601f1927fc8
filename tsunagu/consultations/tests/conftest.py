import datetime

import pytest

from tsunagu.accounts.models import AgencyProgram
from tsunagu.consultations import services
from tsunagu.consultations.models import IssueCategory
from tsunagu.people import services as people_services


@pytest.fixture
def categories(db):
    return {c.code: c for c in IssueCategory.objects.all()}


@pytest.fixture
def household_8050(personas):
    """An 8050 household registered by the desk (地域包括支援センター)."""
    by = personas["desk"].user
    household = people_services.household_create(by=by, label="山田世帯")
    mother = people_services.person_create(
        by=by, name="山田 フミ", name_kana="ヤマダ フミ", birth_date=datetime.date(1943, 5, 2)
    )
    son = people_services.person_create(
        by=by, name="山田 一郎", name_kana="ヤマダ イチロウ", birth_date=datetime.date(1974, 8, 9)
    )
    people_services.household_add_member(by=by, household=household, person=mother, relation="head")
    people_services.household_add_member(by=by, household=household, person=son, relation="child")
    return {"household": household, "mother": mother, "son": son}


@pytest.fixture
def consultation(personas, household_8050, categories):
    return services.consultation_record(
        by=personas["desk"].user,
        received_on=datetime.date(2026, 11, 20),
        channel="walk_in",
        consulter_type="family",
        consulter_name="山田 フミ",
        consulter_relation="母",
        household=household_8050["household"],
        person=household_8050["mother"],
        categories=[
            categories["elderly_care"],
            categories["hikikomori"],
            categories["problem_8050"],
        ],
        primary_category=categories["problem_8050"],
        summary="母の介護が必要になり、長年ひきこもっている息子の今後が心配。",
        consent_to_share=True,
        outcome="referred",
    )


@pytest.fixture
def coordinator_agency(agencies):
    AgencyProgram.objects.create(
        agency=agencies["council"], program="multi_agency", is_mandatory=True
    )
    return agencies["council"]
