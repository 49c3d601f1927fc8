"""The rules of a watch's rhythm, as pure functions (no database): when the next safety check
falls due, whether a watch is overdue, and when its checks prompt an escalation.

* The next check is due one interval (週1 = 7 days, 2週に1 = 14, 月1 = 31) after the latest
  check — or after the start while there is none. A 随時 watch has no due date, nor has a watch
  that has ended or whose next check would fall after its planned end (終了予定日).
* A watch is overdue when its next check's date has passed (the day itself is still in time).
* Checks prompt an escalation when, among the checks logged since the last escalation, one was
  要対応 or two 連絡つかず followed each other (in the order of their dates).

The services keep ``Watch.next_check_on`` with :func:`next_check_on`; the lists, the home page
and the property tests ask the same functions.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Protocol

from tsunagu.common.errors import RuleBroken

from .models import FREQUENCY_DAYS, CheckOutcome


class WatchRuleError(RuleBroken):
    """A rule of 見守り or 気づき・通報 refuses the step (an ended watch, a report already
    triaged …)."""


class _Check(Protocol):
    outcome: str


def next_check_on(
    *,
    frequency: str,
    starts_on: datetime.date,
    last_check_on: datetime.date | None,
    until_on: datetime.date | None = None,
    ended_on: datetime.date | None = None,
) -> datetime.date | None:
    """When the next check falls due (``None``: none is due)."""
    if ended_on is not None or frequency not in FREQUENCY_DAYS:
        return None
    base = max(starts_on, last_check_on) if last_check_on else starts_on
    due = base + datetime.timedelta(days=FREQUENCY_DAYS[frequency])
    if until_on is not None and due > until_on:
        return None
    return due


def is_overdue(next_due: datetime.date | None, today: datetime.date, *, ended=False) -> bool:
    """A missed check: the due date has passed and the watch goes on."""
    return not ended and next_due is not None and next_due < today


def prompting_check(checks: Sequence[_Check]) -> _Check | None:
    """The check that prompts an escalation among ``checks`` (the checks since the last
    escalation, oldest first): the latest 要対応, or the second of two 連絡つかず in a row;
    ``None`` when nothing prompts one."""
    found = None
    previous = None
    for check in checks:
        if check.outcome == CheckOutcome.NEEDS_ACTION or (
            check.outcome == CheckOutcome.UNREACHABLE
            and previous is not None
            and previous.outcome == CheckOutcome.UNREACHABLE
        ):
            found = check
        previous = check
    return found


def prompt_reason(check: _Check | None) -> str:
    """Why an escalation is prompted, in the words of the watch page."""
    if check is None:
        return ""
    if check.outcome == CheckOutcome.NEEDS_ACTION:
        return "安否確認で「要対応」となりました。相談窓口かアウトリーチにつないでください。"
    return "「連絡つかず」が続いています。相談窓口かアウトリーチにつないでください。"


def since_last(checks: Iterable, escalated_check_ids: Iterable[int | None]) -> list:
    """The checks (oldest first) after the latest one an escalation was made on."""
    checks = list(checks)
    ids = [pk for pk in escalated_check_ids if pk is not None]
    if not ids:
        return checks
    position = {c.pk: n for n, c in enumerate(checks)}
    last = max((position[pk] for pk in ids if pk in position), default=-1)
    return checks[last + 1 :]
