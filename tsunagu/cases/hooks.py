"""Named hooks through which higher apps react to steps taken on a 多機関協働 case.

A lower app never imports a higher one (consultations ← cases ← meetings ← the program
apps). Where a higher app must react in the same transaction, it registers its handler
once, in its ``AppConfig.ready()``; the handlers run in the order registered.
"""

from __future__ import annotations

from collections.abc import Callable

_meeting_consent_lost: list[Callable[..., object]] = []


def on_meeting_consent_lost(handler: Callable[..., object]) -> Callable[..., object]:
    """Register ``handler(by=user, case=case)``, run when the case's consent no longer covers
    sharing at meetings (withdrawn, or a new version without it): ``tsunagu.meetings``
    withdraws the case's pending items outside 支援会議."""
    if handler not in _meeting_consent_lost:
        _meeting_consent_lost.append(handler)
    return handler


def meeting_consent_lost(*, by, case) -> None:
    for handler in _meeting_consent_lost:
        handler(by=by, case=case)
