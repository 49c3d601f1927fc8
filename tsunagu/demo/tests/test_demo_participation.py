"""The demo's 参加支援: eight records of the participation worker at every stage, written
through the services (events and audit), and seeded once."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tsunagu import access
from tsunagu.accounts.models import User
from tsunagu.audit.models import AuditEvent
from tsunagu.demo.participation import AGENCY, seed_participation
from tsunagu.participation import selectors, services
from tsunagu.participation.models import (
    FollowUp,
    GapNeed,
    Match,
    MatchEvent,
    MatchStatus,
    ParticipationRecord,
)
from tsunagu.resources import gaps as register
from tsunagu.resources import hooks
from tsunagu.resources.models import GapOrigin, HostProfile

S = MatchStatus


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


def worker() -> User:
    user = User.objects.get(username="participation")
    user.acting_membership = user.memberships.select_related("agency").get(agency__code=AGENCY)
    return user


def test_eight_records_of_the_worker_that_the_worker_sees(demo):
    records = list(ParticipationRecord.objects.select_related("agency", "worker"))
    assert len(records) == 8
    assert {(r.agency.code, r.worker.username) for r in records} == {(AGENCY, "participation")}
    me = worker()
    assert access.participation_records_visible_to(me).count() == 8
    visible = set(access.persons_visible_to(me).values_list("pk", flat=True))
    assert {r.person_id for r in records} <= visible
    assert selectors.record_list(user=me, state="all").count() == 8


def test_every_stage_of_a_match_and_of_a_record(demo):
    statuses = set(Match.objects.values_list("status", flat=True))
    assert statuses == {S.PROPOSED, S.ARRANGING, S.STARTED, S.SETTLED, S.CANCELLED}
    records = list(ParticipationRecord.objects.all())
    early = [r for r in records if r.is_early]
    assert len(early) >= 2 and any(r.case_id for r in early)
    assert any(not r.matches.exists() for r in early)
    assert any(r.outside_plan_reason for r in records)
    cancelled = Match.objects.get(status=S.CANCELLED)
    assert cancelled.end_reason
    assert cancelled.record.matches.filter(status=S.PROPOSED).exists()
    # every move was written through the services: one event each
    assert MatchEvent.objects.count() >= Match.objects.count()
    assert AuditEvent.objects.filter(action="participation.match_move").exists()


def test_a_start_after_the_support_decision_beside_a_case(demo):
    started = Match.objects.select_related("record").get(status=S.STARTED)
    record = started.record
    assert record.case_id and not record.outside_plan_reason
    assert services.decision_in_place(record)
    for match in Match.objects.filter(status__in=(S.STARTED, S.SETTLED)):
        assert HostProfile.objects.get(resource_id=match.resource_id).is_assessed


def test_settled_with_follow_ups_on_both_tracks_and_a_host_concern(demo):
    settled = Match.objects.filter(status=S.SETTLED, record__closed_on__isnull=True).get()
    tracks = set(settled.follow_ups.values_list("track", flat=True))
    assert tracks == {"person", "host"}
    assert FollowUp.objects.filter(match=settled, track="host", concern=True).exists()


def test_closed_with_the_persons_view_and_keeping_in_touch_due_soon(demo):
    closed = ParticipationRecord.objects.get(closed_on__isnull=False)
    assert closed.person_view
    today = timezone.localdate()
    assert today <= closed.next_keep_in_touch_on <= today + datetime.timedelta(days=7)
    dues = selectors.dues(worker())
    assert any(d.track == "keep_in_touch" and d.record.pk == closed.pk for d in dues)
    assert any(d.track in ("person", "host") for d in dues)


def test_rerunning_adds_nothing(demo):
    counts = (ParticipationRecord.objects.count(), Match.objects.count(), FollowUp.objects.count())
    assert seed_participation() == 0
    call_command("seed_demo", households=4, stdout=io.StringIO())
    assert (
        ParticipationRecord.objects.count(),
        Match.objects.count(),
        FollowUp.objects.count(),
    ) == counts


def test_records_wait_on_gaps_from_matching_and_from_community_work(demo):
    needs = list(GapNeed.objects.select_related("gap", "record__person"))
    origins = {n.gap.origin for n in needs}
    assert origins == {GapOrigin.MATCHING, GapOrigin.COMMUNITY}
    assert all(n.note for n in needs)
    counted = register.with_people([n.gap for n in needs])
    assert all(g.people == 1 for g in counted)
    me = worker()
    for need in needs:
        links = hooks.gap_links(me, need.gap)
        assert f"参加支援：{need.record.person.name}" in [label for label, _ in links]
