"""A page asks whether the user sees a meeting several times (the meeting, its materials,
who manages it): the answer is read once per request, and a change of the meeting's members
makes the next check read it again."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tsunagu import access
from tsunagu.accounts.models import User
from tsunagu.meetings.services import invitation_revoke, member_add
from tsunagu.meetings.tests.conftest import make_meeting


def _fresh(persona):
    user = User.objects.get(pk=persona.user.pk)
    user.acting_membership = persona.membership
    return user


@pytest.mark.django_db(transaction=True)
def test_the_answer_is_kept_until_the_members_change(personas):
    meeting = make_meeting(personas, "conference", "重層的支援会議（1月定例）")
    coordinator, guest, desk = (_fresh(personas[n]) for n in ("coordinator", "guest", "desk"))

    assert not access.can_view(desk, meeting)
    with CaptureQueriesContext(connection) as again:
        assert not access.can_view(desk, meeting)
        assert not desk.has_perm("meetings.view_meeting", meeting)
        assert not desk.has_perm("meetings.view_materials", meeting)
    assert len(again) == 0

    member_add(by=coordinator, meeting=meeting, user=personas["desk"].user)
    assert access.can_view(desk, meeting)  # the same user object: read again
    assert desk.has_perm("meetings.view_materials", meeting)

    member = member_add(by=coordinator, meeting=meeting, user=personas["guest"].user, is_guest=True)
    assert access.can_view(guest, meeting)
    invitation_revoke(by=coordinator, member=member)
    assert not access.can_view(guest, meeting)
    assert not guest.has_perm("meetings.view_meeting", meeting)


@pytest.mark.django_db(transaction=True)
def test_each_answer_is_the_visible_querysets(personas):
    """The kept answer is the one the visible meetings give, for every persona."""
    meetings = [
        make_meeting(personas, "conference", "重層的支援会議（2月定例）"),
        make_meeting(personas, "confidential_meeting", "支援会議（2月）", schedule="ad_hoc"),
    ]
    member_add(by=_fresh(personas["coordinator"]), meeting=meetings[1], user=personas["desk"].user)
    for name in personas:
        user = _fresh(personas[name])
        expected = set(access.meetings_visible_to(user).values_list("pk", flat=True))
        for _ in range(2):  # asked, then kept
            assert {m.pk for m in meetings if access.can_view(user, m)} == expected & {
                m.pk for m in meetings
            }, name
