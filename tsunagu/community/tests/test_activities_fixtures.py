"""Fixtures of the activity and platform tests (``from .test_activities_fixtures import *``):
the 中央圏域 with a 地区 under it, a 社会資源 to hold activities at, a platform, a consultation
the 地域包括 desk received, and a salon recorded by the community coordinator."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from conftest import PERSONA_NAMES
from tsunagu.accounts.models import Area
from tsunagu.consultations.models import Consultation
from tsunagu.people.models import Person
from tsunagu.resources import services as resource_services
from tsunagu.resources.models import ResourceKind

from ..models import ActivityKind, ParticipantAttribute
from ..services import activities as services
from ..services import platforms as platform_services

__all__ = [
    "EDITORS",
    "NOT_EDITORS",
    "READERS",
    "area",
    "at",
    "attribute",
    "consultation",
    "district",
    "editor",
    "kind",
    "platform",
    "salon",
    "salon_kind",
    "venue",
]

READERS = [name for name in PERSONA_NAMES if name not in ("guest", "admin")]
EDITORS = ["officer", "community"]
NOT_EDITORS = [name for name in READERS if name not in EDITORS]


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def kind(code: str) -> ActivityKind:
    return ActivityKind.objects.get(code=code)


def attribute(code: str) -> ParticipantAttribute:
    return ParticipantAttribute.objects.get(code=code)


@pytest.fixture
def editor(personas):
    """The community coordinator."""
    return personas["community"].user


@pytest.fixture
def area(agencies) -> Area:
    return Area.objects.get(code="dl1")


@pytest.fixture
def district(area) -> Area:
    return Area.objects.create(code="d1-1", name="中央第一地区", kind="district", parent=area)


@pytest.fixture
def salon_kind() -> ActivityKind:
    return kind("salon")


@pytest.fixture
def venue(editor, area):
    organization = resource_services.organization_get_or_create(by=editor, name="中央自治会")
    return resource_services.resource_create(
        by=editor,
        organization=organization,
        name="中央ふれあい会館",
        kind=ResourceKind.objects.get(code="ibasho"),
        confirmed_on=timezone.localdate(),
        area=area,
    )


@pytest.fixture
def platform(editor, area):
    return platform_services.platform_create(
        by=editor,
        name="中央ぷらっと会議",
        area=area,
        description="中央圏域の住民と機関が集まり、地域の困りごとを話し合う。",
        started_on=datetime.date(2025, 4, 1),
    )


@pytest.fixture
def consultation(personas):
    """A consultation the 地域包括 desk received (the office sees it too)."""
    person = Person.objects.create(name="中央 花子", name_kana="チュウオウ ハナコ")
    return Consultation.objects.create(
        agency=personas["desk"].agency,
        recorded_by=personas["desk"].user,
        received_on=datetime.date(2026, 5, 12),
        channel="walk_in",
        consulter_type="self",
        person=person,
        summary="サロンで気になった方",
        outcome="handled",
    )


@pytest.fixture
def salon(editor, area, venue, salon_kind):
    return services.activity_create(
        by=editor,
        kind=salon_kind,
        title="ふれあいサロン 5月の会",
        starts_at=at(2026, 5, 10, 10),
        ends_at=at(2026, 5, 10, 12),
        place=venue,
        area=area,
        coordinator=editor,
        children=2,
        youth=1,
        working_age=3,
        elderly=14,
        new_connections=4,
        discussed="夏の見守りと熱中症の声かけ",
        outcome="子ども食堂との合同企画を始める",
        organisers=[services.OrganiserIn(name="中央自治会", contact="058-111-2222")],
        attributes={attribute("first_time"): 3},
    )
