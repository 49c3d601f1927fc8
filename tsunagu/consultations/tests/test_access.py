"""tsunagu.access: default deny; involvement, not role, opens a person's data."""

import pytest

from tsunagu import access
from tsunagu.consultations import services
from tsunagu.consultations.models import Consultation

pytestmark = pytest.mark.django_db


def visible(persona, obj):
    return access.can_view(persona.user, obj)


@pytest.fixture
def son_referral(personas, consultation, household_8050):
    return services.referral_send(
        by=personas["desk"].user,
        consultation=consultation,
        to_agency=personas["outreach"].agency,
        person=household_8050["son"],
        reason="ひきこもり支援をお願いします",
    )


def test_registering_agency_and_program_office_see_everything(
    personas, consultation, household_8050, son_referral
):
    for name in ("desk", "officer"):
        for obj in (*household_8050.values(), consultation, son_referral):
            assert visible(personas[name], obj), (name, obj)


@pytest.mark.parametrize(
    "name", ["unrelated", "admin", "guest", "coordinator", "community", "participation"]
)
def test_uninvolved_roles_see_nothing(personas, consultation, household_8050, son_referral, name):
    persona = personas[name]
    for obj in (*household_8050.values(), consultation, son_referral):
        assert not visible(persona, obj), (name, obj)
    assert not access.persons_visible_to(persona.user).exists()
    assert not access.households_visible_to(persona.user).exists()
    assert not access.consultations_visible_to(persona.user).exists()
    assert not access.referrals_visible_to(persona.user).exists()


def test_receiving_agency_sees_the_referred_person_and_household(
    personas, consultation, household_8050, son_referral
):
    outreach = personas["outreach"]
    assert visible(outreach, son_referral)
    assert visible(outreach, household_8050["son"])
    assert visible(outreach, household_8050["household"])
    assert not visible(outreach, household_8050["mother"])  # referred: the son only
    assert visible(outreach, consultation)  # the person consented to sharing


def test_without_consent_the_receiver_sees_the_referral_not_the_consultation(
    personas, consultation, son_referral
):
    Consultation.objects.filter(pk=consultation.pk).update(consent_to_share=False)
    outreach = personas["outreach"]
    assert visible(outreach, son_referral)
    assert not visible(outreach, consultation)


def test_household_referral_opens_every_current_member(personas, consultation, household_8050):
    services.referral_send(
        by=personas["desk"].user,
        consultation=consultation,
        to_agency=personas["outreach"].agency,
        household=household_8050["household"],
        reason="世帯への支援",
    )
    for obj in household_8050.values():
        assert visible(personas["outreach"], obj)


def test_access_follows_the_acting_membership(personas, agencies, consultation, household_8050):
    from tsunagu.accounts.models import Membership

    desk = personas["desk"].user
    other = Membership.objects.create(user=desk, agency=agencies["housing"], role="desk_worker")
    desk.acting_membership = other
    assert not access.can_view(desk, household_8050["mother"])
    assert not access.can_view(desk, consultation)


def test_archived_persons_are_hidden(personas, household_8050):
    from tsunagu.people.models import Person

    Person.objects.filter(pk=household_8050["son"].pk).update(is_archived=True)
    assert not visible(personas["officer"], household_8050["son"])
