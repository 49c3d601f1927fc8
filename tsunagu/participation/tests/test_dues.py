"""What falls due, read as keys first: the shortcut that skips the month arithmetic agrees
with the rule for every start, last follow-up and horizon; the keys and their rows agree with
the rule applied to each match (follow-ups of both tracks, keeping in touch)."""

from __future__ import annotations

import datetime
import random

import pytest
from django.utils import timezone

from tsunagu.cases.tests.conftest import *  # noqa: F403
from tsunagu.participation import selectors, services
from tsunagu.participation.models import Match, MatchStatus, Track
from tsunagu.participation.workflow import follow_up_due_by, follow_up_due_on, next_follow_up
from tsunagu.people.services import person_create
from tsunagu.resources import services as directory
from tsunagu.resources.models import ResourceKind

S = MatchStatus
KANA = ["ア", "イ", "ウ", "エ", "オ", "カ"]


def test_the_shortcut_agrees_with_the_rule():
    rng = random.Random(3)
    day = datetime.timedelta
    for _ in range(20000):
        started = datetime.date(2024, 1, 1) + day(days=rng.randrange(900))
        last = None if rng.random() < 0.2 else started + day(days=rng.randrange(0, 400))
        horizon = started + day(days=rng.randrange(0, 500))
        weeks = rng.choice([2, 4, 6])
        due = follow_up_due_on(started, last, weeks=weeks)
        expected = due if due <= horizon else None
        assert follow_up_due_by(started, last, horizon, weeks=weeks) == expected


@pytest.mark.django_db
def test_keys_and_rows_agree_with_the_rule_for_each_match(personas):
    worker = personas["participation"].user
    today = timezone.localdate()
    org = directory.organization_get_or_create(by=worker, name="農園")
    farm = directory.resource_create(
        by=worker,
        organization=org,
        name="農園の草取り",
        kind=ResourceKind.objects.get(code="work_experience"),
        confirmed_on=today,
    )
    directory.host_save(
        by=worker,
        resource=farm,
        contact_person="園主",
        tasks="草取り",
        assessment="受け入れられる",
        assessed_on=today,
    )
    for n, (started_ago, follow_ago) in enumerate(
        [(10, None), (40, 3), (80, 40), (200, 20), (200, 100), (15, 8)]
    ):
        person = person_create(
            by=worker,
            name=f"本人 {KANA[n]}",
            name_kana=f"ホンニン {KANA[n]}",
            agency=personas["participation"].agency,
        )
        record = services.record_open(
            by=worker,
            person=person,
            started_on=today - datetime.timedelta(days=400),
            goals="外に出たい",
            outside_plan_reason="参加支援だけを希望",
        )
        match = services.match_propose(
            by=worker,
            record=record,
            resource=farm,
            proposed_on=today - datetime.timedelta(days=300),
        )
        services.match_move(
            by=worker, match=match, to=S.ARRANGING, occurred_on=today - datetime.timedelta(days=299)
        )
        match = services.match_move(
            by=worker,
            match=match,
            to=S.STARTED,
            occurred_on=today - datetime.timedelta(days=started_ago),
        )
        if follow_ago is not None:
            services.follow_up_record(
                by=worker,
                match=match,
                track="person",
                occurred_on=today - datetime.timedelta(days=follow_ago),
                note="様子",
            )
    horizon = today + datetime.timedelta(days=7)
    expected = []
    for match in Match.objects.select_related("record"):
        for track in Track.values:
            last = match.follow_ups.filter(track=track).order_by("-occurred_on").first()
            due = next_follow_up(match, last.occurred_on if last else None)
            if due is not None and due <= horizon:
                expected.append((due, match.record_id, match.pk, track))
    keys = selectors.due_keys(worker)
    assert [tuple(k) for k in keys] == sorted(expected)
    assert len(expected) >= 6
    rows = selectors.dues(worker)
    assert [(d.due_on, d.record.pk, d.match.pk, d.track) for d in rows] == sorted(expected)
