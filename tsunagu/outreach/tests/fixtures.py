"""Fixtures of the outreach service, access and stage tests (``from .fixtures import *``): a
record of the CSW (the outreach persona's agency), the person it reaches, and the meetings
its plan may go to."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from conftest import make_persona
from tsunagu.accounts.models import AgencyProgram, Role
from tsunagu.cases.tests.flow import hold, meeting
from tsunagu.meetings import services as meeting_services
from tsunagu.meetings.models import MeetingKind
from tsunagu.outreach import services
from tsunagu.people import services as people_services


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


class _Tomorrow:
    """The day after the day a test runs. A parametrize list is made when the tests are
    collected, which may be the day before: :func:`on_the_day` puts the date in then."""


TOMORROW = _Tomorrow()


def on_the_day(values: dict) -> dict:
    """``values`` with :data:`TOMORROW` replaced by the date it means now."""
    return {k: days_ago(-1) if v is TOMORROW else v for k, v in values.items()}


BEGAN = 60  # the record began this many days ago


@pytest.fixture
def worker(personas):
    return personas["outreach"].user


@pytest.fixture
def record(worker):
    """A record begun 60 days ago from a 民生委員's information, before anyone knows a name."""
    return services.record_create(
        by=worker,
        label="北部 60代男性 A",
        source="minsei",
        began_on=days_ago(BEGAN),
        age_band="60s",
        household_hint="80代の母と二人",
        known_facts="雨戸が閉まったまま。母の介護サービスの訪問を断っている。",
        informant_name="民生委員 田中",
        informant_contact="058-000-1111",
    )


@pytest.fixture
def person(worker):
    """The person, registered by the outreach agency once identified."""
    return people_services.person_create(
        by=worker,
        name="佐藤 健一",
        name_kana="サトウ ケンイチ",
        birth_date=datetime.date(1964, 3, 3),
    )


@pytest.fixture
def linked(worker, record, person):
    return services.record_link_person(by=worker, record=record, person=person)


@pytest.fixture
def consented(worker, linked):
    return services.consent_record(
        by=worker, record=linked, consented_on=days_ago(10), method="signed", note="本人が署名"
    )


@pytest.fixture
def csw_desk(agencies):
    """A desk worker of the outreach agency itself: sees its records, does not work them."""
    return make_persona("csw_desk", agencies["csw"], Role.DESK_WORKER)


@pytest.fixture
def multi_agency(agencies):
    """The council runs 多機関協働."""
    AgencyProgram.objects.create(
        agency=agencies["council"], program="multi_agency", is_mandatory=True
    )
    return agencies["council"]


def held_meeting(personas, kind, *members):
    """A meeting the coordinator convened an hour ago, with the outreach worker and
    ``members`` (persona names) as members, held with a quorum (pledged at a 支援会議)."""
    coordinator = personas["coordinator"].user
    held = meeting(personas, kind)
    for name in ("outreach", *members):
        meeting_services.member_add(by=coordinator, meeting=held, user=personas[name].user)
    return hold(personas, held)


@pytest.fixture
def support_meeting(personas):
    """支援会議 (社会福祉法第106条の6)."""
    return held_meeting(personas, MeetingKind.CONFIDENTIAL)


@pytest.fixture
def conference_meeting(personas):
    """重層的支援会議."""
    return held_meeting(personas, MeetingKind.CONFERENCE)


@pytest.fixture
def draft(worker, record):
    return services.plan_create(
        by=worker,
        record=record,
        approach="母の介護サービス事業所を通じて関わる",
        network="母のケアマネジャー、民生委員",
        risks="本人の拒否が強まるおそれ",
    )
