"""The programs' sections of the statistics, in the order of the report.

A program adds its figures in one place: a module here with a ``SECTION`` and one line in
:data:`SECTIONS`. Every section's ``build(period, scope)`` returns its tables; the screen, the
API and the workbook render them all the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..engine import Scope, Table
from ..period import Period


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    #: the workbook's sheet name (31 characters at most)
    sheet: str
    build: Callable[[Period, Scope], list[Table]]


def sections() -> list[Section]:
    from . import cases, community, consultations, meetings, outreach, participation

    return [
        consultations.SECTION,
        cases.SECTION,
        meetings.SECTION,
        outreach.SECTION,
        participation.SECTION,
        community.SECTION,
    ]


def section(key: str) -> Section | None:
    return next((s for s in sections() if s.key == key), None)
