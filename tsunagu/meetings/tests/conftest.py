"""Fixtures for meeting tests: a 重層的支援会議 and a 支援会議 about the 8050 case."""

import datetime

import pytest
from django.utils import timezone

from tsunagu.accounts.models import Agency
from tsunagu.cases.tests.conftest import *  # noqa: F403
from tsunagu.meetings.models import AgendaItem, Meeting, MeetingMember


@pytest.fixture
def tax_agency(city):
    return Agency.objects.create(
        code="tax",
        name="市民税課",
        field="other",
        operation="direct",
        area=city,
        holds_tax_information=True,
    )


def make_meeting(personas, kind: str, title: str, **fields) -> Meeting:
    return Meeting.objects.create(
        kind=kind,
        title=title,
        schedule=fields.pop("schedule", "regular"),
        format=fields.pop("format", "in_person"),
        starts_at=fields.pop(
            "starts_at", timezone.make_aware(datetime.datetime(2026, 12, 8, 14, 0))
        ),
        place=fields.pop("place", "市役所 第3会議室"),
        convening_agency=personas["coordinator"].agency,
        created_by=personas["coordinator"].user,
        **fields,
    )


def add_member(meeting: Meeting, persona, **fields) -> MeetingMember:
    return MeetingMember.objects.create(
        meeting=meeting,
        user=persona.user,
        agency=persona.agency,
        name=persona.user.display_name,
        **fields,
    )


@pytest.fixture
def conference(personas):
    return make_meeting(personas, "conference", "重層的支援会議（12月定例）")


@pytest.fixture
def confidential(personas):
    return make_meeting(personas, "confidential_meeting", "支援会議（12月）", schedule="ad_hoc")


@pytest.fixture
def conference_item(conference, consented_case):
    return AgendaItem.objects.create(
        meeting=conference, order=1, case=consented_case, purpose="plan_adoption"
    )


@pytest.fixture
def confidential_item(confidential, case):
    """The case without any consent, on a 支援会議's agenda."""
    return AgendaItem.objects.create(
        meeting=confidential, order=1, case=case, purpose="information", title="見守りの方針"
    )
