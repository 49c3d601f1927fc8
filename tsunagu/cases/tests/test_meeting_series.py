"""定例 meetings: the next meeting of a series falls on the same week and weekday next month."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tsunagu.meetings import services as meeting_services
from tsunagu.meetings.models import Meeting
from tsunagu.meetings.services import MeetingRuleError, next_in_series

from .flow import hold, meeting

pytestmark = pytest.mark.django_db


def at(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (at(2026, 11, 19, 14, 0), at(2026, 12, 17, 14, 0)),  # 第3木曜 → 第3木曜
        (at(2026, 12, 17, 14, 0), at(2027, 1, 21, 14, 0)),  # across the year
        (at(2026, 10, 29, 10, 0), at(2026, 11, 26, 10, 0)),  # 第5木曜 → the last Thursday
        (at(2027, 1, 4, 9, 30), at(2027, 2, 1, 9, 30)),  # 第1月曜
    ],
)
def test_next_in_series(start, expected):
    following = next_in_series(start)
    assert following == expected
    assert timezone.localtime(following).weekday() == timezone.localtime(start).weekday()


def test_the_next_regular_meeting_keeps_standing_members_not_guests_or_pledges(personas):
    conference = hold(personas, meeting(personas))
    meeting_services.member_add(
        by=personas["coordinator"].user, meeting=conference, user=personas["guest"].user
    )
    following = meeting_services.meeting_schedule_next(
        by=personas["coordinator"].user, meeting=conference
    )
    assert following.series == conference.series and following.kind == conference.kind
    members = list(following.members.all())
    assert {m.user_id for m in members} == {
        personas["coordinator"].user.pk,
        personas["officer"].user.pk,
    }
    assert all(m.attended is None and m.pledged_at is None for m in members)
    with pytest.raises(MeetingRuleError, match="既に登録"):
        meeting_services.meeting_schedule_next(by=personas["coordinator"].user, meeting=conference)
    with pytest.raises(PermissionDenied):
        meeting_services.meeting_schedule_next(by=personas["desk"].user, meeting=following)


def test_ad_hoc_meetings_have_no_next(personas):
    from tsunagu.meetings.models import MeetingKind

    confidential = meeting(personas, MeetingKind.CONFIDENTIAL)
    with pytest.raises(MeetingRuleError, match="定例"):
        meeting_services.meeting_schedule_next(
            by=personas["coordinator"].user, meeting=confidential
        )


def test_next_meeting_on_screen_and_over_the_api(login, personas):
    conference = meeting(personas)
    client = login(personas["coordinator"])
    page = client.get(reverse("meetings:meeting_detail", args=[conference.pk])).content.decode()
    assert 'data-testid="meeting-next"' in page
    response = client.post(reverse("meetings:meeting_next", args=[conference.pk]))
    following = Meeting.objects.exclude(pk=conference.pk).get()
    assert response.url == reverse("meetings:meeting_detail", args=[following.pk])
    again = client.post(f"/api/v1/meetings/{conference.pk}/next")
    assert again.status_code == 409
    api = client.post(
        f"/api/v1/meetings/{following.pk}/next",
        data=json.dumps({}),
        content_type="application/json",
    )
    assert api.status_code == 201
    assert api.json()["starts_at"] > following.starts_at.isoformat()[:10]
    desk = login(personas["desk"])
    assert desk.post(reverse("meetings:meeting_next", args=[conference.pk])).status_code == 404
    assert (
        login(personas["officer"]).post(f"/api/v1/meetings/{conference.pk}/next").status_code == 409
    )
