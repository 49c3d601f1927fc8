"""Every model with personal data offers ``visible_to(user)``, answered by ``tsunagu.access``."""

import pytest

from conftest import PERSONA_NAMES
from tsunagu import access
from tsunagu.cases.models import Case
from tsunagu.consultations.models import Consultation, Referral
from tsunagu.meetings.models import Meeting
from tsunagu.people.models import Household, Person

from .flow import meeting

RULES = [
    (Person, access.persons_visible_to),
    (Household, access.households_visible_to),
    (Consultation, access.consultations_visible_to),
    (Referral, access.referrals_visible_to),
    (Case, access.cases_visible_to),
    (Meeting, access.meetings_visible_to),
]


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_visible_to_is_the_access_rule(personas, consented_case, name):
    meeting(personas)
    user = personas[name].user
    for model, rule in RULES:
        assert set(model.objects.visible_to(user).values_list("pk", flat=True)) == set(
            rule(user).values_list("pk", flat=True)
        ), model.__name__


def test_visible_to_hides_from_the_unrelated_agency(personas, consented_case):
    assert Case.objects.visible_to(personas["coordinator"].user).filter(pk=consented_case.pk)
    assert not Case.objects.visible_to(personas["unrelated"].user).exists()
    assert not Person.objects.visible_to(personas["unrelated"].user).filter(
        pk=consented_case.person_id
    )
