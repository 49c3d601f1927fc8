"""The demo city's community side: this 年度's activities in several districts and kinds, two
platforms with members, targets with actuals part-way, watches (a few overdue, one prompting an
escalation, escalations into an outreach record and a consultation) and reports in every triage
state — all written through the services, and seeding again adds nothing."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tsunagu.audit.models import AuditEvent
from tsunagu.common.fiscal import fiscal_year
from tsunagu.community.models import (
    Activity,
    CommunityReport,
    Escalation,
    Platform,
    SafetyCheck,
    Target,
    Watch,
)
from tsunagu.community.selectors import targets as target_selectors
from tsunagu.community.services.watches import prompt_for
from tsunagu.demo.community import seed_community


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", households=4, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_city, db):
    """Each test runs in its own savepoint inside the seeded module's transaction."""


def test_activities_of_this_year_in_every_kind_and_several_districts(demo):
    year = fiscal_year(timezone.localdate())
    kinds = Counter(Activity.objects.values_list("kind__code", flat=True))
    assert {"salon", "kodomo_shokudo", "platform"} <= set(kinds)
    assert Activity.objects.values("area").distinct().count() >= 5
    assert set(Activity.objects.values_list("fiscal_year", flat=True)) == {year}
    assert all(a.starts_at < timezone.now() for a in Activity.objects.all())
    assert all(
        a.participants == a.children + a.youth + a.working_age + a.elderly
        for a in Activity.objects.all()
    )


def test_two_platforms_with_members_and_meetings(demo):
    platforms = list(Platform.objects.all())
    assert len(platforms) == 2
    assert all(p.members.count() >= 3 for p in platforms)
    assert all(p.activities.exists() for p in platforms)


def test_targets_with_actuals_part_way(demo):
    year = fiscal_year(timezone.localdate())
    assert Target.objects.filter(fiscal_year=year, area__isnull=True).count() >= 6
    rows = {r.indicator.code: r for r in target_selectors.board(year)}
    assert 0 < rows["activities"].actual < rows["activities"].value
    assert rows["participants"].actual > 0


def test_watches_a_few_overdue_and_every_escalation(demo):
    today = timezone.localdate()
    watches = list(Watch.objects.all())
    assert len(watches) >= 20
    overdue = [w for w in watches if w.next_check_on and w.next_check_on < today]
    assert 1 <= len(overdue) <= 5
    assert SafetyCheck.objects.count() > 100
    escalations = list(Escalation.objects.all())
    assert any(e.outreach_record_id for e in escalations)
    assert any(e.consultation_id for e in escalations)
    waiting = [w for w in watches if prompt_for(w) is not None and not w.escalations.exists()]
    assert waiting  # unreachable twice, not yet escalated


def test_reports_in_every_triage_state(demo):
    states = Counter(CommunityReport.objects.values_list("triage", flat=True))
    assert states[""] == 2
    assert {"watch", "no_action", "outreach", "consultation"} <= set(states)


def test_written_through_the_services_and_seeding_again_adds_nothing(demo):
    audited = Counter(
        AuditEvent.objects.filter(action__startswith="community.").values_list("action", flat=True)
    )
    assert audited["community.target_set"] >= 6
    assert sum(audited.values()) > Activity.objects.count()
    before = (Activity.objects.count(), Watch.objects.count(), CommunityReport.objects.count())
    assert seed_community() == 0
    call_command("seed_demo", households=4, stdout=io.StringIO())
    after = (Activity.objects.count(), Watch.objects.count(), CommunityReport.objects.count())
    assert after == before
