"""The getters of consultations and referrals (``get_consultation_for_user``,
``get_referral_for_user``): 404 for whoever may not see the object (never 403), 403 for a
visible consultation the user's agency did not receive asking ``for_write``."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tsunagu.consultations import selectors
from tsunagu.consultations import services as consultation_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(personas, consultation, coordinator_agency):
    return consultation_services.referral_send(
        by=personas["desk"].user,
        consultation=consultation,
        to_agency=coordinator_agency,
        reason="世帯全体の支援が必要です。",
        kind="multi_agency",
        criterion_household=True,
        tried_with_agencies="ひきこもり相談室と連携したが進まない",
    )


@pytest.mark.parametrize("for_write", [False, True])
def test_the_receiving_agency_gets_its_consultation(personas, consultation, for_write):
    got = selectors.get_consultation_for_user(
        personas["desk"].user, consultation.pk, for_write=for_write
    )
    assert got == consultation
    assert [link.category.code for link in got.category_links.all()]


@pytest.mark.parametrize("for_write", [False, True])
def test_the_unrelated_agency_gets_404(personas, consultation, for_write):
    with pytest.raises(Http404):
        selectors.get_consultation_for_user(
            personas["unrelated"].user, consultation.pk, for_write=for_write
        )


def test_the_office_reads_but_does_not_correct_another_agencys_consultation(personas, consultation):
    officer = personas["officer"].user
    assert selectors.get_consultation_for_user(officer, consultation.pk) == consultation
    with pytest.raises(PermissionDenied):
        selectors.get_consultation_for_user(officer, consultation.pk, for_write=True)


@pytest.mark.parametrize("pk", [0, "abc", None])
def test_a_missing_or_malformed_consultation_is_404(personas, consultation, pk):
    with pytest.raises(Http404):
        selectors.get_consultation_for_user(personas["officer"].user, pk)


@pytest.mark.parametrize("who", ["desk", "coordinator", "officer"])
def test_both_agencies_of_a_referral_and_the_office_get_it(personas, referral, who):
    assert selectors.get_referral_for_user(personas[who].user, referral.pk) == referral


@pytest.mark.parametrize("who", ["unrelated", "outreach"])
def test_a_referral_is_404_for_agencies_outside_it(personas, referral, who):
    with pytest.raises(Http404):
        selectors.get_referral_for_user(personas[who].user, referral.pk)


def test_a_malformed_referral_pk_is_404(personas, referral):
    with pytest.raises(Http404):
        selectors.get_referral_for_user(personas["officer"].user, "x")
