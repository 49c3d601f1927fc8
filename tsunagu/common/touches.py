"""Announcing that a basis of access of some persons, households or 多機関協働 cases may have
changed, from any layer: the grants (``tsunagu.grants``, which keeps who may see what) are
refreshed for them in the same transaction.

Saving or deleting a record that gives a basis announces itself (``tsunagu.grants.signals``).
Writes that bypass ``save()`` — ``QuerySet.update``, ``bulk_create`` — call :func:`touch`
themselves. Inside :func:`batch` (an import chunk, the demo city) the touched subjects are
collected and refreshed once when the block ends, still inside its transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured


@dataclass
class Touched:
    persons: set[int] = field(default_factory=set)
    households: set[int] = field(default_factory=set)
    cases: set[int] = field(default_factory=set)

    def add(self, persons: Iterable = (), households: Iterable = (), cases: Iterable = ()) -> None:
        self.persons.update(p for p in persons if p is not None)
        self.households.update(h for h in households if h is not None)
        self.cases.update(c for c in cases if c is not None)

    def __bool__(self) -> bool:
        return bool(self.persons or self.households or self.cases)


_pending: ContextVar[Touched | None] = ContextVar("touched_subjects", default=None)
_refresher: Callable[[Touched], None] | None = None


def set_refresher(handler: Callable[[Touched], None]) -> None:
    """``handler(touched)`` refreshes the grants of the touched subjects (registered by
    ``tsunagu.grants``)."""
    global _refresher
    _refresher = handler


_generation = [0]


def generation() -> int:
    """A number that changes whenever grants are refreshed in this process: an answer about
    access kept under an older number is not used again."""
    return _generation[0]


def _refresh(touched: Touched) -> None:
    if _refresher is None:
        raise ImproperlyConfigured("閲覧の根拠の更新が登録されていません（tsunagu.grants）。")
    _generation[0] += 1
    try:
        _refresher(touched)
    finally:
        _generation[0] += 1


def touch(*, persons: Iterable = (), households: Iterable = (), cases: Iterable = ()) -> None:
    """A basis of access of these subjects may have changed: refresh their grants now, or at
    the end of the enclosing :func:`batch`."""
    pending = _pending.get()
    if pending is not None:
        pending.add(persons, households, cases)
        return
    touched = Touched()
    touched.add(persons, households, cases)
    if touched:
        _refresh(touched)


@contextmanager
def batch() -> Iterator[None]:
    """Collect the subjects touched inside the block and refresh them once at its end (not
    when the block raises: its transaction is rolled back anyway)."""
    if _pending.get() is not None:  # already collecting: the outer block refreshes
        yield
        return
    pending = Touched()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    if pending:
        _refresh(pending)
