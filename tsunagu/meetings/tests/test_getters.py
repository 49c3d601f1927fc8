"""The getters of meetings (``get_meeting_for_user`` and the items within one, the summary
sheet's item): 404 for whoever may not see the meeting (never 403), 403 for a member who
may not run it asking ``for_write``, the meeting for the convenor and the office."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from tsunagu.meetings import selectors

from .conftest import add_member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["coordinator", "officer"])
@pytest.mark.parametrize("for_write", [False, True])
def test_the_convenor_and_the_office_get_the_meeting(personas, conference, who, for_write):
    got = selectors.get_meeting_for_user(personas[who].user, conference.pk, for_write=for_write)
    assert got == conference


@pytest.mark.parametrize("for_write", [False, True])
def test_the_unrelated_agency_gets_404(personas, conference, for_write):
    with pytest.raises(Http404):
        selectors.get_meeting_for_user(
            personas["unrelated"].user, conference.pk, for_write=for_write
        )


def test_a_member_reads_but_does_not_run_the_meeting(personas, conference):
    add_member(conference, personas["desk"])
    desk = personas["desk"].user
    assert selectors.get_meeting_for_user(desk, conference.pk) == conference
    with pytest.raises(PermissionDenied):
        selectors.get_meeting_for_user(desk, conference.pk, for_write=True)


def test_an_expired_invitation_is_404(personas, conference):
    add_member(
        conference,
        personas["guest"],
        is_guest=True,
        invited_until=timezone.now() - datetime.timedelta(days=1),
    )
    with pytest.raises(Http404):
        selectors.get_meeting_for_user(personas["guest"].user, conference.pk)


def test_items_and_members_are_looked_up_within_the_meeting(
    personas, conference, conference_item, confidential, confidential_item
):
    member = add_member(conference, personas["desk"])
    meeting = selectors.get_meeting_for_user(personas["officer"].user, conference.pk)
    assert selectors.agenda_item_in(meeting, conference_item.pk) == conference_item
    assert selectors.member_in(meeting, member.pk) == member
    for missing in (confidential_item.pk, "x", None):
        with pytest.raises(Http404):
            selectors.agenda_item_in(meeting, missing)
        with pytest.raises(Http404):
            selectors.member_in(meeting, missing)
        with pytest.raises(Http404):
            selectors.action_item_in(meeting, missing)


def test_the_summary_sheets_item(personas, conference, conference_item, confidential_item):
    coordinator = personas["coordinator"].user
    got = selectors.get_sheet_item_for_user(coordinator, conference.pk, conference_item.pk)
    assert got == conference_item
    assert got.meeting == conference
    with pytest.raises(Http404):  # an item of another meeting
        selectors.get_sheet_item_for_user(coordinator, conference.pk, confidential_item.pk)
    with pytest.raises(Http404):
        selectors.get_sheet_item_for_user(
            personas["unrelated"].user, conference.pk, conference_item.pk
        )
