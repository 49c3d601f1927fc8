"""Who may see a person, and why (誰がこの方の情報を見られるか、その根拠): read from the grants.

For the program office only (自治体の事務局, ``acting(user).is_office``): it answers a
disclosure request (開示請求) and checks that the program shares no more than it should.
Anyone else gets nothing: :func:`person_access` answers ``None`` and
:func:`get_person_access_for_user` raises ``Http404``, as for a person they may not see.

The rows are the grants of the person themselves, of every household the person is or was a
member of, and of every 多機関協働 case whose person they are; current ones first (by agency,
then the person, households and cases), then those that ended (most recently ended first).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from tsunagu.accounts.acting import acting
from tsunagu.cases.models import Case
from tsunagu.people.models import HouseholdMember, Person
from tsunagu.people.selectors import get_person_for_user

from .models import AccessGrant

#: What the 終了 column says of a grant that has not ended.
STILL_CURRENT = "現在も"

PERSON, HOUSEHOLD, CASE = "person", "household", "case"


@dataclass(frozen=True)
class AccessRow:
    """One grant: which agency may (or might) see the person, through what, and why."""

    grant_id: int
    agency_id: int
    agency_name: str
    subject_type: str  # person / household / case
    subject_id: int
    subject: str  # 本人 / 世帯「…」 / 事例 #…
    basis: str
    basis_label: str
    valid_from: datetime.datetime
    valid_until: datetime.datetime | None  # None: still current

    @property
    def is_current(self) -> bool:
        return self.valid_until is None


@dataclass(frozen=True)
class PersonAccess:
    """The person's grants (:class:`AccessRow`), current first."""

    person: Person
    rows: list[AccessRow]

    @property
    def current(self) -> list[AccessRow]:
        return [row for row in self.rows if row.is_current]

    @property
    def ended(self) -> list[AccessRow]:
        return [row for row in self.rows if not row.is_current]

    @property
    def agencies_now(self) -> list[tuple[int, str]]:
        """(id, name) of the agencies that may open the person's record now (a current grant
        on the person themselves: what ``persons_visible_to`` answers), by name. A grant on a
        household or case alone opens that record, not the person's."""
        found = {
            row.agency_id: row.agency_name for row in self.current if row.subject_type == PERSON
        }
        return sorted(found.items(), key=lambda item: (item[1], item[0]))

    def audit_context(self) -> dict:
        """The ids of what the rows show, for the audited read."""
        return {
            "grants": [row.grant_id for row in self.rows],
            "households": sorted(
                {row.subject_id for row in self.rows if row.subject_type == HOUSEHOLD}
            ),
            "cases": sorted({row.subject_id for row in self.rows if row.subject_type == CASE}),
        }


def may_see_who_sees(user) -> bool:
    """Only the program office is told who may see a person."""
    return acting(user).is_office


def _row(grant: AccessGrant) -> AccessRow:
    if grant.person_id is not None:
        kind, subject_id, subject = PERSON, grant.person_id, "本人"
    elif grant.household_id is not None:
        kind, subject_id = HOUSEHOLD, grant.household_id
        subject = f"世帯「{grant.household.label}」"
    else:
        kind, subject_id, subject = CASE, grant.case_id, f"事例 #{grant.case_id}"
    return AccessRow(
        grant_id=grant.pk,
        agency_id=grant.agency_id,
        agency_name=grant.agency.name,
        subject_type=kind,
        subject_id=subject_id,
        subject=subject,
        basis=grant.basis,
        basis_label=grant.get_basis_display(),
        valid_from=grant.valid_from,
        valid_until=grant.valid_until,
    )


SUBJECT_ORDER = {PERSON: 0, HOUSEHOLD: 1, CASE: 2}


def _order(row: AccessRow) -> tuple:
    if row.is_current:
        subject = (SUBJECT_ORDER[row.subject_type], row.subject_id)
        return (0, row.agency_name, row.agency_id, subject, row.valid_from.timestamp())
    return (1, -row.valid_until.timestamp(), -row.valid_from.timestamp(), -row.grant_id)


def _person_access(person: Person) -> PersonAccess:
    # the ids first: an OR of semi-joins would read the whole grants table, an OR of three
    # indexed lookups of known ids reads only the person's rows
    households = list(
        HouseholdMember.objects.filter(person=person).values_list("household_id", flat=True)
    )
    cases = list(Case.objects.filter(person=person).values_list("pk", flat=True))
    grants = AccessGrant.objects.filter(
        Q(person=person) | Q(household_id__in=households) | Q(case_id__in=cases)
    ).select_related("agency", "household")
    return PersonAccess(person=person, rows=sorted((_row(g) for g in grants), key=_order))


def person_access(*, user, person: Person) -> PersonAccess | None:
    """The grants of ``person`` (as the office sees them), or ``None`` for anyone else."""
    if not may_see_who_sees(user):
        return None
    return _person_access(person)


def get_person_access_for_user(user, pk) -> PersonAccess:
    """:func:`person_access` of the person ``pk`` for a page or endpoint of ``user``:
    ``Http404`` unless the user is the program office and may see the person."""
    if not may_see_who_sees(user):
        raise Http404
    return _person_access(get_person_for_user(user, pk))
