"""Fixtures of the watch and report tests (``from .test_watches_fixtures import *``): a
person the 地域包括 desk registered, a watch that desk keeps with the 民生委員 and the CSW
among its watchers, and a report it received."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tsunagu.consultations.models import IssueCategory
from tsunagu.people import services as people_services

from ..services import reports as report_services
from ..services import watches as services

__all__ = [
    "category",
    "csw_watcher",
    "days_ago",
    "keeper",
    "labelled",
    "named_watcher",
    "person",
    "report",
    "watch",
]


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def keeper(personas):
    """The desk worker of 地域包括支援センター中央: keeps the watch."""
    return personas["desk"].user


@pytest.fixture
def person(keeper):
    return people_services.person_create(
        by=keeper,
        name="山田 ハナ",
        name_kana="ヤマダ ハナ",
        birth_date=datetime.date(1940, 5, 5),
    )


@pytest.fixture
def watch(keeper, person):
    """A weekly watch of an identified person, begun 30 days ago."""
    return services.watch_create(
        by=keeper,
        person=person,
        reason="一人暮らしで、最近新聞がたまっている。",
        frequency="weekly",
        starts_on=days_ago(30),
        address="中央3丁目",
    )


@pytest.fixture
def labelled(keeper):
    """A watch of someone not yet identified."""
    return services.watch_create(
        by=keeper,
        label="3丁目 80代女性",
        reason="近所の方から、姿を見かけないと。",
        frequency="biweekly",
        starts_on=days_ago(20),
    )


@pytest.fixture
def csw_watcher(keeper, watch, agencies):
    """The CSW (the outreach persona's agency) watches too: it sees the watch."""
    return services.watcher_add(by=keeper, watch=watch, kind="other", agency=agencies["csw"])


@pytest.fixture
def named_watcher(keeper, watch):
    return services.watcher_add(
        by=keeper, watch=watch, kind="minsei", name="民生委員 田中", contact="058-000-1111"
    )


@pytest.fixture
def report(keeper):
    """A report received by the 地域包括 desk two hours ago."""
    return report_services.report_record(
        by=keeper,
        received_at=timezone.now() - datetime.timedelta(hours=2),
        origin="business",
        reporter_name="中央新聞店",
        reporter_contact="058-000-2222",
        what="新聞が3日分たまっている。",
        place="中央3丁目",
    )


@pytest.fixture
def category(db):
    return IssueCategory.objects.filter(is_active=True).order_by("sort_order", "pk").first()
