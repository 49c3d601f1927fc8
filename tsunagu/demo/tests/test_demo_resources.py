"""The demo's 社会資源: every kind across the city's areas, weekly and monthly schedules, stale,
full and paused entries, assessed hosts; all written through the services, and seeded once."""

from __future__ import annotations

import datetime
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tsunagu.accounts.models import User
from tsunagu.audit.models import AuditEvent
from tsunagu.demo.resources import ENTRIES, HOSTS, WORKER, seed_resources
from tsunagu.resources import selectors
from tsunagu.resources.kinds import KINDS
from tsunagu.resources.models import (
    Frequency,
    HostProfile,
    Organization,
    Resource,
    ResourceGap,
    ResourceKind,
    ResourceStatus,
    Schedule,
    ScheduleException,
)
from tsunagu.resources.selectors import ResourceSearch

S = ResourceSearch
T = datetime.time


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker):
    """The demo city, seeded once for this module in a transaction rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", households=4, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_city, db):
    """Each test runs in its own savepoint inside the seeded module's transaction."""


def resources() -> list[Resource]:
    return list(Resource.objects.select_related("kind", "area", "area__parent").order_by("id"))


def names(qs) -> set[str]:
    return {r.name for r in qs}


def test_about_fifty_resources_of_every_kind(demo):
    found = resources()
    assert 45 <= len(found) <= 60
    assert len(found) == len(ENTRIES)
    assert {r.kind.code for r in found} == {code for code, _ in KINDS}
    per_kind = Counter(r.kind.code for r in found)
    assert min(per_kind.values()) >= 3


def test_spread_over_the_city_areas(demo):
    found = resources()
    assert all(r.area_id for r in found)
    # a district counts for the 日常生活圏域 it lies in
    daily = {
        r.area.code if r.area.kind == "daily_life" else r.area.parent.code
        for r in found
        if r.area.kind in ("daily_life", "district")
    }
    assert len(daily) >= 15
    assert any(r.area.kind == "city" for r in found)
    assert any(r.area.kind == "district" for r in found)
    nagara = next(r for r in found if r.area.code == "dl_nagara").area
    under = names(selectors.search(S(area=nagara.pk)))
    assert {"ふれあい・いきいきサロン 長良", "長良川河川敷の清掃ボランティア"} <= under


def test_realistic_organisations(demo):
    orgs = list(Organization.objects.values_list("name", flat=True))
    assert len(orgs) >= 35
    for word in ("NPO法人", "社会福祉協議会", "社会福祉法人", "自治会", "農園", "一般社団法人"):
        assert any(word in o for o in orgs), word
    assert Resource.objects.filter(kind__code="kodomo_shokudo").count() >= 4


def test_weekly_and_monthly_schedules(demo):
    assert all(r.schedules.exists() for r in Resource.objects.all())
    labels = set(Schedule.objects.values_list("freq", flat=True))
    assert labels == {Frequency.WEEKLY, Frequency.MONTHLY}
    monthly = [s for s in Schedule.objects.filter(freq=Frequency.MONTHLY) if s.weeks == [2, 4]]
    assert any(s.weekday == 5 for s in monthly)  # 第2・第4土曜
    assert any(
        s.label == "毎週水曜 10:00〜12:00" for s in Schedule.objects.filter(freq=Frequency.WEEKLY)
    )
    found = names(selectors.search(S(weekday=2, at=T(10, 30))))
    assert "八百屋まるやま 品出し体験" in found
    assert ScheduleException.objects.filter(is_closed=True).count() >= 2
    assert ScheduleException.objects.filter(is_closed=False).exists()
    assert all(e.date > timezone.localdate() for e in ScheduleException.objects.all())


def test_some_are_due_for_recheck(demo):
    stale = list(selectors.due_for_recheck())
    assert 3 <= len(stale) <= 8
    limit = selectors.stale_before()
    assert all(r.confirmed_on < limit for r in stale)
    assert names(selectors.search(S(stale_only=True))) == {
        r.name for r in stale if r.status == ResourceStatus.OPEN
    }
    # the others were confirmed within the year, none in the future
    today = timezone.localdate()
    assert all(limit <= r.confirmed_on <= today for r in resources() if r not in stale)


def test_some_are_full_and_two_paused(demo):
    full = [r for r in resources() if r.is_full]
    assert 3 <= len(full) <= 8
    free = names(selectors.search(S(free_only=True)))
    assert free and not free & {r.name for r in full}
    paused = Resource.objects.filter(status=ResourceStatus.PAUSED)
    assert paused.count() == 2
    assert not names(selectors.search()) & names(paused)
    assert names(paused) <= names(selectors.search(S(status="")))


def test_hosts_with_their_assessment(demo):
    hosts = list(HostProfile.objects.select_related("resource__kind", "assessed_by"))
    assert len(hosts) == len(HOSTS) >= 8
    assert {h.resource.kind.code for h in hosts} <= {
        "work_experience",
        "shop_farm_work",
        "intermediate_work",
    }
    assert {"work_experience", "shop_farm_work"} <= {h.resource.kind.code for h in hosts}
    assessed = [h for h in hosts if h.is_assessed]
    assert len(assessed) >= 8
    assert all(h.assessed_by.username == WORKER for h in assessed)
    assert all(h.assessed_on <= timezone.localdate() for h in assessed)
    assert all(h.tasks and h.concerns for h in hosts)
    assert len(hosts) - len(assessed) == 1  # one registered, still to be assessed
    found = names(selectors.search(S(q="品出し")))
    assert "八百屋まるやま 品出し体験" in found


def test_combined_search_finds_a_work_experience(demo):
    kind = ResourceKind.objects.get(code="work_experience")
    shop = Resource.objects.get(name="八百屋まるやま 品出し体験")
    found = selectors.search(
        S(kind=kind.pk, weekday=2, at=T(10, 30), area=shop.area.parent_id, free_only=True)
    )
    assert list(found) == [shop]
    rows = selectors.explain(list(selectors.with_related(found)), S(weekday=2, at=T(10, 30)))
    assert rows[0].reasons == ["開いている：毎週水曜 10:00〜12:00"]


def test_written_through_the_services_as_the_participation_worker(demo):
    worker = User.objects.get(username=WORKER)
    audited = Counter(
        AuditEvent.objects.filter(action__startswith="resource.").values_list("action", flat=True)
    )
    assert audited["resource.create"] == Resource.objects.count()
    assert audited["resource.organization_create"] == Organization.objects.count()
    assert audited["resource.host_save"] == HostProfile.objects.count()
    assert audited["resource.exception_add"] == ScheduleException.objects.count()
    # the directory is kept by the participation worker (gaps are raised by whoever finds them)
    actors = set(
        AuditEvent.objects.filter(action__startswith="resource.")
        .exclude(action__startswith="resource.gap_")
        .values_list("actor", flat=True)
    )
    assert actors == {worker.pk}
    assert set(Resource.objects.values_list("created_by", flat=True)) == {worker.pk}
    assert all(r.search_text for r in Resource.objects.all())


def test_gaps_at_every_stage_from_every_route(demo):
    """The register holds the meeting's gap (demo/cases.py), gaps noticed in community work
    and by the office at each stage, and one developed into a resource of the directory."""
    found = {g.description: g for g in ResourceGap.objects.select_related("met_by", "kind")}
    assert {g.status for g in found.values()} >= {"open", "considering", "developed"}
    assert {g.origin for g in found.values()} >= {"meeting", "community", "other"}
    developed = [g for g in found.values() if g.status == "developed"]
    assert developed and all(g.met_by and g.met_by.kind == g.kind for g in developed)
    assert [e.status for e in developed[0].events.all()] == [
        "open",
        "considering",
        "developing",
        "developed",
    ]
    assert all(g.area_id for g in found.values())


def test_seeding_again_adds_nothing(demo):
    before = (
        Resource.objects.count(),
        Organization.objects.count(),
        Schedule.objects.count(),
        HostProfile.objects.count(),
        ScheduleException.objects.count(),
        ResourceGap.objects.count(),
        AuditEvent.objects.filter(action__startswith="resource.").count(),
    )
    assert seed_resources() == 0
    call_command("seed_demo", households=4, stdout=io.StringIO())
    after = (
        Resource.objects.count(),
        Organization.objects.count(),
        Schedule.objects.count(),
        HostProfile.objects.count(),
        ScheduleException.objects.count(),
        ResourceGap.objects.count(),
        AuditEvent.objects.filter(action__startswith="resource.").count(),
    )
    assert after == before
