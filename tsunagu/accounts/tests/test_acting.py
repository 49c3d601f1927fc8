"""The acting membership: every rule reads it through ``accounts.acting``."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from conftest import make_agency
from tsunagu.accounts.acting import NOBODY, acting
from tsunagu.accounts.models import Membership, Role, User


@pytest.fixture
def agency(city):
    return make_agency("t", "テスト機関", city)


def _user(agency, role, *, active=True):
    user = User.objects.create_user(username=f"u-{role}", password="x", is_active=active)
    user.acting_membership = Membership.objects.create(user=user, agency=agency, role=role)
    return user


@pytest.mark.parametrize(
    ("role", "persons", "coordinates", "office", "guest", "admin"),
    [
        (Role.MUNICIPAL_OFFICER, True, True, True, False, False),
        (Role.COORDINATOR, True, True, False, False, False),
        (Role.DESK_WORKER, True, False, False, False, False),
        (Role.OUTREACH_WORKER, True, False, False, False, False),
        (Role.PARTICIPATION_WORKER, True, False, False, False, False),
        (Role.COMMUNITY_COORDINATOR, True, False, False, False, False),
        (Role.MEETING_GUEST, False, False, False, True, False),
        (Role.ADMIN, False, False, False, False, True),
    ],
)
def test_each_role(agency, role, persons, coordinates, office, guest, admin):
    me = acting(_user(agency, role))
    assert me and me.role == role and me.agency_id == agency.pk
    assert (me.works_with_persons, me.coordinates, me.is_office, me.is_guest, me.is_admin) == (
        persons,
        coordinates,
        office,
        guest,
        admin,
    )


def test_nobody_answers_no(agency):
    inactive = _user(agency, Role.MUNICIPAL_OFFICER, active=False)
    for who in (None, AnonymousUser(), inactive):
        me = acting(who)
        assert me is NOBODY and not me
        assert me.agency_id is None and not me.works_with_persons and not me.is_office


def test_a_request_is_read_for_its_user(agency):
    request = RequestFactory().get("/")
    request.user = _user(agency, Role.COORDINATOR)
    assert acting(request).coordinates
