"""The getters of persons and households (``get_person_for_user``,
``get_household_for_user``): the record for whoever may see it, 404 for anyone else (never
403: a person's existence is personal data), also for a malformed id from a query string."""

import pytest
from django.http import Http404

from tsunagu.consultations.tests.conftest import *  # noqa: F403
from tsunagu.people import selectors

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["desk", "officer"])
def test_the_registering_agency_and_the_office_get_the_person(personas, household_8050, who):
    mother = household_8050["mother"]
    assert selectors.get_person_for_user(personas[who].user, mother.pk) == mother
    assert selectors.get_person_for_user(personas[who].user, str(mother.pk)) == mother


@pytest.mark.parametrize("who", ["desk", "officer"])
def test_the_household_comes_with_its_current_members(personas, household_8050, who):
    household = household_8050["household"]
    got = selectors.get_household_for_user(personas[who].user, household.pk)
    assert got == household
    assert {m.person for m in got.current_members} == {
        household_8050["mother"],
        household_8050["son"],
    }


def test_the_unrelated_agency_gets_404(personas, household_8050):
    unrelated = personas["unrelated"].user
    with pytest.raises(Http404):
        selectors.get_person_for_user(unrelated, household_8050["mother"].pk)
    with pytest.raises(Http404):
        selectors.get_household_for_user(unrelated, household_8050["household"].pk)


@pytest.mark.parametrize("pk", [0, "", "abc", None, "1; drop"])
def test_a_missing_or_malformed_id_is_404(personas, household_8050, pk):
    officer = personas["officer"].user
    with pytest.raises(Http404):
        selectors.get_person_for_user(officer, pk)
    with pytest.raises(Http404):
        selectors.get_household_for_user(officer, pk)
