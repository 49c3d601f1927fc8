"""The rules of 参加支援 (000 §5; domain.md §5.5).

- A match moves 提案 → 見学・調整 → 参加開始 → 定着 → 終了; it may be 中止 (cancelled) before
  it ends. Each move is kept with its date and note.
- 参加開始 needs: the municipality's 支援決定 on a plan of the person's 多機関協働 case that
  names 参加支援 (or the record marked as outside a 多機関協働 plan, with the reason); an
  assessment of the host on file; and, at a full resource, a recorded reason for taking the
  person in anyway.
- A match is proposed only to a resource that takes people in (受入可).
- Follow-ups, with the person and with the host, begin at 参加開始: weekly for the first
  ``TSUNAGU["PARTICIPATION_WEEKLY_FOLLOW_UP_WEEKS"]`` weeks (default 4), then monthly.
- The record closes when the connection is stable, with the person's own view; matches still
  being proposed, arranged or just started must be settled, ended or cancelled first. After
  closure the worker keeps in touch every ``keep_in_touch_months`` (default
  ``TSUNAGU["PARTICIPATION_KEEP_IN_TOUCH_MONTHS"]``, 3) until they end it.
"""

from __future__ import annotations

import datetime

from django.conf import settings

from tsunagu.common.errors import RuleBroken
from tsunagu.common.fiscal import add_months

from .models import Match, MatchStatus

S = MatchStatus

MATCH_TRANSITIONS = {
    S.PROPOSED: {S.ARRANGING, S.CANCELLED},
    S.ARRANGING: {S.STARTED, S.PROPOSED, S.CANCELLED},
    S.STARTED: {S.SETTLED, S.ENDED, S.CANCELLED},
    S.SETTLED: {S.ENDED},
    S.ENDED: set(),
    S.CANCELLED: set(),
}

#: matches that keep a record from closing
UNSETTLED = (S.PROPOSED, S.ARRANGING, S.STARTED)
#: matches followed up
FOLLOWED = (S.STARTED, S.SETTLED)


class ParticipationRuleError(RuleBroken):
    """A participation rule refuses the step (the message names the rule)."""


def weekly_weeks() -> int:
    return int(settings.TSUNAGU.get("PARTICIPATION_WEEKLY_FOLLOW_UP_WEEKS", 4))


def keep_in_touch_months() -> int:
    return int(settings.TSUNAGU.get("PARTICIPATION_KEEP_IN_TOUCH_MONTHS", 3))


def next_follow_up(match: Match, last_on: datetime.date | None) -> datetime.date | None:
    """When the next follow-up on a track falls due: a week after the last one (or the
    start) during the first weeks, then a month after it."""
    if match.started_on is None or match.status not in FOLLOWED:
        return None
    if match.record.closed_on is not None:  # after closure, keeping in touch takes over
        return None
    return follow_up_due_on(match.started_on, last_on)


def follow_up_due_on(
    started_on: datetime.date, last_on: datetime.date | None, *, weeks: int | None = None
) -> datetime.date:
    """The due date of the next follow-up on a track of a match under way since
    ``started_on`` whose last follow-up was on ``last_on`` (``None``: none yet)."""
    weeks = weekly_weeks() if weeks is None else weeks
    base = last_on or started_on
    if base < started_on + datetime.timedelta(weeks=weeks):
        return base + datetime.timedelta(days=7)
    return add_months(base, 1)


def follow_up_due_by(
    started_on: datetime.date,
    last_on: datetime.date | None,
    horizon: datetime.date,
    *,
    weeks: int,
) -> datetime.date | None:
    """:func:`follow_up_due_on` when it is on or before ``horizon``, else ``None`` — without
    the month arithmetic for a track followed up within the last four weeks of it (a month
    after that is past the horizon), as what falls due asks it of every track under way."""
    base = last_on or started_on
    if base < started_on + datetime.timedelta(weeks=weeks):
        due_on = base + datetime.timedelta(days=7)
    elif base > horizon - datetime.timedelta(days=28):
        return None
    else:
        due_on = add_months(base, 1)
    return due_on if due_on <= horizon else None
