"""Property: for any sequence of safety checks (any dates, any outcomes, backdated or not) and
escalations, the watch's overdue flag and the escalation prompt follow the rules — the next
check is due one interval after the latest check (or the start), none for 随時 or past the
planned end; a prompt stands while, among the checks since the last escalation in date order,
one was 要対応 or two 連絡つかず followed each other."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..services import watches as services
from ..workflow import is_overdue
from .test_watches_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db

INTERVAL = {"weekly": 7, "biweekly": 14, "monthly": 31, "any": None}
OUTCOMES = ("ok", "absent", "needs_action", "unreachable")


class Rollback(Exception):
    """Ends one example: everything it wrote is undone."""


def expected_due(frequency, starts_on, dates, until_on):
    days = INTERVAL[frequency]
    if days is None:
        return None
    due = max([starts_on, *dates]) + datetime.timedelta(days=days)
    return None if until_on is not None and due > until_on else due


def expected_prompt(log, escalated_at):
    """``log``: (date, seq, outcome) of every check; ``escalated_at``: the (date, seq) of the
    check the last escalation was made on, or None."""
    ordered = sorted(log)
    if escalated_at is not None:
        ordered = [c for c in ordered if (c[0], c[1]) > escalated_at]
    outcomes = [c[2] for c in ordered]
    pairs = itertools.pairwise(outcomes)
    return "needs_action" in outcomes or any(a == b == "unreachable" for a, b in pairs)


steps = st.lists(
    st.one_of(
        st.tuples(st.just("check"), st.integers(0, 60), st.sampled_from(OUTCOMES)),
        st.tuples(st.just("escalate"), st.just(0), st.just("")),
    ),
    max_size=8,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    frequency=st.sampled_from(tuple(INTERVAL)),
    started=st.integers(0, 60),
    until=st.one_of(st.none(), st.integers(-30, 30)),
    actions=steps,
)
def test_overdue_and_prompt_follow_the_rules(
    keeper, person, category, agencies, frequency, started, until, actions
):
    today = timezone.localdate()
    starts_on = today - datetime.timedelta(days=started)
    until_on = None if until is None else max(starts_on, today + datetime.timedelta(days=until))
    try:
        with transaction.atomic():
            watch = services.watch_create(
                by=keeper,
                person=person,
                reason="r",
                frequency=frequency,
                starts_on=starts_on,
                until_on=until_on,
            )
            log: list[tuple[datetime.date, int, str]] = []
            escalated_at = None
            for n, (kind, back, outcome) in enumerate(actions):
                if kind == "check":
                    day = max(starts_on, today - datetime.timedelta(days=back))
                    check = services.check_record(
                        by=keeper, watch=watch, checked_on=day, outcome=outcome, checked_by_name="x"
                    )
                    log.append((day, check.pk, outcome))
                else:
                    escalation = services.escalate(
                        by=keeper,
                        watch=watch,
                        to="consultation",
                        reason=f"step {n}",
                        agency=agencies["houkatsu"],
                        categories=[category],
                    )
                    latest = escalation.safety_check
                    if latest is not None:
                        escalated_at = (latest.checked_on, latest.pk)
                watch.refresh_from_db()
                due = expected_due(frequency, starts_on, [c[0] for c in log], until_on)
                assert watch.next_check_on == due
                assert is_overdue(watch.next_check_on, today) == (due is not None and due < today)
                prompted = services.prompt_for(watch)
                assert (prompted is not None) == expected_prompt(log, escalated_at)
            raise Rollback
    except Rollback:
        pass
