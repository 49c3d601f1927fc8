"""参加支援: opening a record, matches through their moves and the rules of 参加開始,
follow-ups on both tracks, closure with the person's view and keeping in touch."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tsunagu import access
from tsunagu.audit.models import AuditEvent
from tsunagu.common.errors import NotVisible
from tsunagu.participation import services, workflow
from tsunagu.participation.models import FollowUp, Match, MatchStatus, ParticipationRecord
from tsunagu.participation.workflow import ParticipationRuleError
from tsunagu.people.services import person_create
from tsunagu.resources import services as directory
from tsunagu.resources.models import ResourceKind

pytestmark = pytest.mark.django_db
S = MatchStatus


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def worker(personas):
    return personas["participation"].user


@pytest.fixture
def son(worker, personas):
    return person_create(
        by=worker,
        name="高木 浩二",
        name_kana="タカギ コウジ",
        agency=personas["participation"].agency,
    )


@pytest.fixture
def record(worker, son):
    return services.record_open(
        by=worker,
        person=son,
        started_on=days_ago(60),
        goals="人の役に立つことを少しずつしたい",
        outside_plan_reason="多機関協働の事例ではなく、参加支援だけを希望",
    )


@pytest.fixture
def shop(worker):
    org = directory.organization_get_or_create(by=worker, name="八百屋まるやま")
    resource = directory.resource_create(
        by=worker,
        organization=org,
        name="八百屋まるやま 品出し体験",
        kind=ResourceKind.objects.get(code="work_experience"),
        confirmed_on=timezone.localdate(),
        capacity=1,
        places_free=1,
    )
    return resource


def assess(worker, resource):
    directory.host_save(
        by=worker,
        resource=resource,
        contact_person="丸山 店主",
        tasks="品出し",
        assessment="午前中の品出しなら受け入れられる",
        assessed_on=timezone.localdate(),
    )


def started(worker, record, shop, *, ago=30):
    match = services.match_propose(
        by=worker, record=record, resource=shop, proposed_on=days_ago(50)
    )
    services.match_move(by=worker, match=match, to=S.ARRANGING, occurred_on=days_ago(45))
    assess(worker, shop)
    return services.match_move(by=worker, match=match, to=S.STARTED, occurred_on=days_ago(ago))


def test_open_needs_a_case_early_contact_or_a_reason(worker, son):
    with pytest.raises(ValidationError) as caught:
        services.record_open(by=worker, person=son, started_on=days_ago(1), goals="外に出たい")
    assert "case" in caught.value.message_dict
    assert not ParticipationRecord.objects.exists()
    early = services.record_open(
        by=worker, person=son, started_on=days_ago(1), goals="外に出たい", is_early=True
    )
    assert early.is_early
    assert AuditEvent.objects.filter(action="participation.open").exists()


def test_only_participation_workers_open_and_the_person_must_be_seen(personas, son):
    for name in ("desk", "coordinator", "outreach", "officer", "guest", "admin"):
        with pytest.raises(PermissionDenied):
            services.record_open(
                by=personas[name].user,
                person=son,
                started_on=days_ago(1),
                goals="目標",
                is_early=True,
            )
    stranger = person_create(by=personas["unrelated"].user, name="他 人", name_kana="タ ニン")
    with pytest.raises(NotVisible):
        services.record_open(
            by=personas["participation"].user,
            person=stranger,
            started_on=days_ago(1),
            goals="目標",
            is_early=True,
        )


def test_the_participation_agency_gets_a_grant_on_its_person(personas, record, son):
    other = personas["participation"].agency
    assert son.pk in access.granted_ids(other.pk, "person", ["participation"])
    assert not access.participation_records_visible_to(personas["unrelated"].user).exists()
    assert access.participation_records_visible_to(personas["officer"].user).count() == 1


def test_a_paused_or_ended_resource_cannot_be_proposed(worker, record, shop):
    directory.resource_update(by=worker, resource=shop, status="paused")
    with pytest.raises(ParticipationRuleError) as caught:
        services.match_propose(by=worker, record=record, resource=shop, proposed_on=days_ago(1))
    assert "一時休止" in str(caught.value)
    assert not Match.objects.exists()


def test_start_needs_the_host_assessment_and_a_reason_when_full(worker, record, shop):
    match = services.match_propose(by=worker, record=record, resource=shop, proposed_on=days_ago(9))
    with pytest.raises(ParticipationRuleError):  # no visit yet
        services.match_move(by=worker, match=match, to=S.STARTED, occurred_on=days_ago(8))
    services.match_move(by=worker, match=match, to=S.ARRANGING, occurred_on=days_ago(8))
    with pytest.raises(ParticipationRuleError) as caught:
        services.match_move(by=worker, match=match, to=S.STARTED, occurred_on=days_ago(5))
    assert "アセスメント" in str(caught.value)
    assess(worker, shop)
    directory.resource_update(by=worker, resource=shop, places_free=0)
    with pytest.raises(ParticipationRuleError) as caught:
        services.match_move(by=worker, match=match, to=S.STARTED, occurred_on=days_ago(5))
    assert "満員" in str(caught.value)
    match.refresh_from_db()
    assert match.status == S.ARRANGING
    services.match_move(
        by=worker,
        match=match,
        to=S.STARTED,
        occurred_on=days_ago(5),
        full_override_reason="店主と相談し、週1回午前のみ受け入れることで合意",
    )
    match.refresh_from_db()
    assert match.status == S.STARTED and match.full_override_reason


def test_start_within_a_case_needs_the_support_decision(personas, worker, son, shop):
    record = services.record_open(
        by=worker, person=son, started_on=days_ago(30), goals="働きたい", is_early=True
    )
    match = services.match_propose(by=worker, record=record, resource=shop, proposed_on=days_ago(9))
    services.match_move(by=worker, match=match, to=S.ARRANGING, occurred_on=days_ago(8))
    assess(worker, shop)
    with pytest.raises(ParticipationRuleError) as caught:
        services.match_move(by=worker, match=match, to=S.STARTED, occurred_on=days_ago(5))
    assert "支援決定" in str(caught.value)


def test_follow_ups_on_both_tracks_and_their_cadence(worker, record, shop):
    match = started(worker, record, shop, ago=20)
    with pytest.raises(ValidationError) as caught:  # before the start
        services.follow_up_record(
            by=worker, match=match, track="person", occurred_on=days_ago(25), note="様子"
        )
    assert "参加開始日より前" in str(caught.value)
    services.follow_up_record(
        by=worker, match=match, track="person", occurred_on=days_ago(13), note="楽しいと話す"
    )
    services.follow_up_record(
        by=worker,
        match=match,
        track="host",
        occurred_on=days_ago(13),
        note="指示の出し方に迷う",
        concern=True,
    )
    assert FollowUp.objects.filter(match=match).count() == 2
    # weekly in the first weeks after the start, monthly afterwards
    assert workflow.next_follow_up(match, days_ago(13)) == days_ago(6)
    later = match.started_on + datetime.timedelta(weeks=5)
    assert workflow.next_follow_up(match, later).month != later.month


def test_closure_waits_for_matches_and_records_the_persons_view(worker, record, shop):
    match = started(worker, record, shop)
    with pytest.raises(ParticipationRuleError):
        services.record_close(
            by=worker, record=record, closed_on=days_ago(1), person_view="続けたい"
        )
    services.match_move(by=worker, match=match, to=S.SETTLED, occurred_on=days_ago(2))
    with pytest.raises(ValidationError):
        services.record_close(by=worker, record=record, closed_on=days_ago(1), person_view="")
    closed = services.record_close(
        by=worker, record=record, closed_on=days_ago(1), person_view="ここなら続けられる"
    )
    assert closed.next_keep_in_touch_on is not None
    # follow-ups end with the closure: keeping in touch takes over
    match.refresh_from_db()
    assert workflow.next_follow_up(match, None) is None
    with pytest.raises(ParticipationRuleError):
        services.follow_up_record(
            by=worker, match=match, track="person", occurred_on=days_ago(0), note="様子"
        )
    contact = services.keep_in_touch_record(
        by=worker, record=closed, occurred_on=timezone.localdate(), note="元気に通っている"
    )
    closed.refresh_from_db()
    assert closed.next_keep_in_touch_on > contact.occurred_on
    services.keep_in_touch_end(
        by=worker, record=closed, ended_on=timezone.localdate(), reason="地域のサロンにもつながった"
    )
    closed.refresh_from_db()
    assert closed.next_keep_in_touch_on is None
    with pytest.raises(ParticipationRuleError):
        services.keep_in_touch_record(
            by=worker, record=closed, occurred_on=timezone.localdate(), note="様子"
        )


def test_another_agency_neither_sees_nor_works_the_record(personas, record, shop):
    with pytest.raises(NotVisible):
        services.match_propose(
            by=personas["unrelated"].user, record=record, resource=shop, proposed_on=days_ago(1)
        )
    # the coordinator of the same agency sees it, but the participation worker works it
    with pytest.raises(PermissionDenied) as caught:
        services.match_propose(
            by=personas["coordinator"].user, record=record, resource=shop, proposed_on=days_ago(1)
        )
    assert not isinstance(caught.value, NotVisible)
    assert not Match.objects.exists()


def test_what_falls_due_for_the_worker(personas, worker, record, shop):
    from tsunagu.participation import selectors

    match = started(worker, record, shop, ago=20)
    due = selectors.dues(worker)
    assert {(d.match.pk, d.track) for d in due} == {(match.pk, "person"), (match.pk, "host")}
    assert all(d.overdue for d in due)  # a week after a start 20 days ago
    services.follow_up_record(
        by=worker, match=match, track="person", occurred_on=timezone.localdate(), note="元気"
    )
    after = {d.track: d for d in selectors.dues(worker)}
    assert after["host"].overdue and not after["person"].overdue
    assert after["person"].due_on == timezone.localdate() + datetime.timedelta(days=7)
    assert selectors.dues(personas["unrelated"].user) == []
