"""The parts of a disclosure answer for one person, as tables of rows read a chunk at a time.

A :class:`Part` is one sheet of the workbook and one chapter of the PDF; it holds
:class:`Table` s, each with its columns and a function that yields its rows. Rows hold plain
values (text, dates, date-times); the workbook and the PDF decide how to show them (a date
column is two columns in Excel: the date and its 和暦).

Which records are this person's: those about the person (``person`` is them), and those about
one of their households with no person named (a household's consultation or case). A record
about another member of the household is that member's, not this person's.
"""

from __future__ import annotations

from collections.abc import Callable

from .access import PDF_EVENT_LIMIT, grants_part, history_events, history_part
from .base import (
    CHUNK,
    DATE,
    LONG,
    MOMENT,
    TAX_WITHHELD,
    TEXT,
    Column,
    Part,
    Subject,
    Table,
    may_answer,
    name_of,
    wareki_iso,
)
from .cases import activities_part, cases_part, consents_part, meetings_part, plans_part
from .consultations import consultations_part, referrals_part
from .person import households_part, person_part
from .programs import outreach_part, participation_part, watches_part

__all__ = [
    "CHUNK",
    "DATE",
    "LONG",
    "MOMENT",
    "PDF_EVENT_LIMIT",
    "TAX_WITHHELD",
    "TEXT",
    "Column",
    "Part",
    "Subject",
    "Table",
    "history_events",
    "may_answer",
    "name_of",
    "parts",
    "wareki_iso",
]

#: The parts in the order of the workbook's sheets and the PDF's chapters.
BUILDERS: tuple[Callable[[Subject], Part], ...] = (
    person_part,
    households_part,
    consultations_part,
    referrals_part,
    cases_part,
    consents_part,
    plans_part,
    activities_part,
    meetings_part,
    outreach_part,
    participation_part,
    watches_part,
    grants_part,
    history_part,
)


def parts(subject: Subject) -> list[Part]:
    """Every part, in the order of the workbook's sheets (counts read, rows not yet)."""
    return [build(subject) for build in BUILDERS]
