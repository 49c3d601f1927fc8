"""The shapes of a disclosure answer (parts, tables, columns), whose records are the person's,
and how values are written."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from tsunagu.accounts.acting import acting
from tsunagu.cases.models import Case
from tsunagu.common.wareki import format_wareki
from tsunagu.people.models import HouseholdMember, Person

#: Rows read from the database at a time.
CHUNK = 2000

#: What an assessment section from an agency holding tax information shows instead of its text.
TAX_WITHHELD = "（税務情報のため記載しません）"

TEXT, LONG, DATE, MOMENT = "text", "long", "date", "moment"


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = TEXT  # text / long (wrapped) / date / moment (a date-time)
    width: int = 14


@dataclass
class Table:
    title: str
    columns: tuple[Column, ...]
    rows: Callable[[], Iterable[Sequence]]
    #: the PDF's narrower form of a wide table: its columns and how a row becomes one
    pdf_columns: tuple[Column, ...] = ()
    pdf_row: Callable[[Sequence], Sequence] | None = None
    #: the PDF's limit of rows (the workbook has them all); 0: no limit
    pdf_limit: int = 0
    note: str = ""


@dataclass
class Part:
    key: str
    sheet: str  # the sheet's name and the chapter's title
    title: str
    tables: list[Table]
    count: int  # the number of records the summary page shows
    note: str = ""


@dataclass
class Subject:
    """The person, the office user answering, and the ids of the person's households and
    cases (read once)."""

    person: Person
    user: object
    household_ids: list[int] = field(default_factory=list)
    case_ids: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, person: Person, user) -> Subject:
        households = sorted(
            set(
                HouseholdMember.objects.filter(person=person).values_list("household_id", flat=True)
            )
        )
        subject = cls(person=person, user=user, household_ids=households)
        subject.case_ids = list(
            Case.objects.filter(subject.about()).order_by("pk").values_list("pk", flat=True)
        )
        return subject

    def about(self, prefix: str = "") -> Q:
        """The person's records: about them, or about one of their households alone."""
        return Q(**{f"{prefix}person": self.person}) | Q(
            **{f"{prefix}person__isnull": True, f"{prefix}household_id__in": self.household_ids}
        )


# ---------------------------------------------------------------------------- values


def wareki_iso(value) -> str:
    """``令和8年11月20日（2026-11-20）``; a date-time in local time with its hour."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value)
        return f"{format_wareki(local.date())} {local:%H:%M}（{local:%Y-%m-%d %H:%M}）"
    return f"{format_wareki(value)}（{value.isoformat()}）"


def yes(value: bool | None) -> str:
    return "はい" if value else ""


def name_of(user) -> str:
    if user is None:
        return ""
    return getattr(user, "display_name", "") or user.get_username()


def agency_name(agency) -> str:
    return agency.name if agency is not None else ""


def each(queryset) -> Iterator:
    return queryset.iterator(chunk_size=CHUNK)


def joined(lines: Iterable[str]) -> str:
    return "\n".join(line for line in lines if line)


def may_answer(user) -> bool:
    """Only the program office answers a disclosure request."""
    return acting(user).is_office
