"""Keeping the grants: recompute the grants of the persons, households and cases a change
touched (``tsunagu.common.touches``), in the transaction of that change, and store the
difference.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.utils import timezone

from tsunagu import access
from tsunagu.accounts.models import Agency
from tsunagu.cases.models import Case, Consent
from tsunagu.common.touches import Touched
from tsunagu.people.models import Household, HouseholdMember, Person

from .models import CASE_CONTENT_BASES, SEARCH_KEYS, AccessGrant, SearchEntry

SUBJECTS = ("person", "household", "case")
CHUNK = 2000


def _widen(touched: Touched) -> Touched:
    """Everything whose grants follow from the touched subjects: the persons with a consent
    on a touched case (a consent names agencies involved in the case), the members of a
    touched household (their grants come from the household's), and the households of a
    touched person (a household is seen through its visible members)."""
    persons, households, cases = (
        set(touched.persons),
        set(touched.households),
        set(touched.cases),
    )
    if cases:
        persons |= set(
            Consent.objects.filter(case_id__in=cases, person__isnull=False).values_list(
                "person_id", flat=True
            )
        )
    if households:
        persons |= set(
            HouseholdMember.objects.filter(household_id__in=households).values_list(
                "person_id", flat=True
            )
        )
    if persons:
        households |= set(
            HouseholdMember.objects.filter(person_id__in=persons).values_list(
                "household_id", flat=True
            )
        )
    return Touched(persons, households, cases)


def refresh(touched: Touched) -> None:
    """Recompute and store the grants of the touched subjects (and of those that follow).

    The subjects' rows are locked first, in id order, so that two transactions touching the
    same person one after the other compute from what the first committed."""
    wide = _widen(touched)
    with transaction.atomic():
        for model, ids in (
            (Person, wide.persons),
            (Household, wide.households),
            (Case, wide.cases),
        ):
            for chunk in _chunks(sorted(ids)):
                list(model.objects.select_for_update().filter(pk__in=chunk).values_list("pk"))
        now = timezone.now()
        for chunk in _chunks(sorted(wide.persons)):
            _store("person", chunk, access.person_bases(chunk), now)
            store_search_entries(chunk)
        for chunk in _chunks(sorted(wide.households)):
            _store("household", chunk, access.household_bases(chunk, persons_stored=True), now)
        for chunk in _chunks(sorted(wide.cases)):
            _store("case", chunk, access.case_bases(chunk), now)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _store(subject: str, ids: list[int], wanted: set[tuple[int, int, str]], now) -> None:
    """Open the wanted grants that are not current, close the current ones not wanted."""
    current = {
        (sid, agency, basis): pk
        for pk, sid, agency, basis in AccessGrant.objects.filter(
            **{f"{subject}_id__in": ids}, valid_until__isnull=True
        ).values_list("pk", f"{subject}_id", "agency_id", "basis")
    }
    ended = [pk for key, pk in current.items() if key not in wanted]
    if ended:
        AccessGrant.objects.filter(pk__in=ended).update(valid_until=now)
    opened = [
        AccessGrant(**{f"{subject}_id": sid}, agency_id=agency, basis=basis, valid_from=now)
        for sid, agency, basis in sorted(wanted - current.keys())
    ]
    if opened:
        AccessGrant.objects.bulk_create(opened, batch_size=1000)


ENTRY_FIELDS = ("agency_id", "person_id", *SEARCH_KEYS, "birth_date")


def _wanted_entries(person_ids: list[int]) -> set[tuple]:
    """The search entries the current grants and the persons' keys call for."""
    persons = {
        row[0]: row[1:]
        for row in Person.objects.filter(pk__in=person_ids, is_archived=False).values_list(
            "pk", *SEARCH_KEYS, "birth_date"
        )
    }
    pairs = AccessGrant.objects.filter(
        person_id__in=list(persons), valid_until__isnull=True
    ).values_list("agency_id", "person_id")
    return {(agency, person, *persons[person]) for agency, person in set(pairs)}


def store_search_entries(person_ids: list[int]) -> None:
    """Bring the search entries of these persons in line with their current grants and
    their keys: an entry for each agency with a current grant on a person not archived."""
    wanted = _wanted_entries(person_ids)
    current = {
        row[1:]: row[0]
        for row in SearchEntry.objects.filter(person_id__in=person_ids).values_list(
            "pk", *ENTRY_FIELDS
        )
    }
    stale = [pk for row, pk in current.items() if row not in wanted]
    if stale:
        SearchEntry.objects.filter(pk__in=stale).delete()
    added = [
        SearchEntry(**dict(zip(ENTRY_FIELDS, row, strict=True)))
        for row in sorted(wanted - current.keys())
    ]
    if added:
        SearchEntry.objects.bulk_create(added, batch_size=1000)


def rebuild(*, progress=None, search_entries: bool = True) -> int:
    """Recompute the grants of every person, household and case (``manage.py
    access_rebuild``), and the persons' search entries, one chunk per transaction. Returns
    the number of subjects. (The migration that first built the grants ran before the
    search entries existed: it passes ``search_entries=False``.)"""
    done = 0
    for model, subject, bases in (
        (Person, "person", access.person_bases),
        # the persons' grants are stored by then: a household is seen through its members'
        (Household, "household", partial(access.household_bases, persons_stored=True)),
        (Case, "case", access.case_bases),
    ):
        ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
        for chunk in _chunks(ids):
            with transaction.atomic():
                _store(subject, chunk, bases(chunk), timezone.now())
                if subject == "person" and search_entries:
                    store_search_entries(chunk)
            done += len(chunk)
            if progress is not None:
                progress(subject, done)
    return done


@dataclass
class Difference:
    agency_id: int
    what: str  # persons, households, cases, case content
    missing: list[int]  # the rules open them, no current grant does
    extra: list[int]  # a current grant opens them, the rules do not


def verify(agency_ids=None) -> list[Difference]:
    """Compare, for every agency, what the current grants open with what the rules of
    ``tsunagu.access`` give when evaluated directly on the records (``access_verify``)."""
    if agency_ids is None:
        agency_ids = Agency.objects.order_by("pk").values_list("pk", flat=True)
    found = []
    for agency_id in agency_ids:
        for what, subject, bases, rule in (
            ("persons", "person", None, access.rule_persons),
            ("households", "household", None, access.rule_households),
            ("cases", "case", None, access.rule_cases),
            ("case content", "case", CASE_CONTENT_BASES, access.rule_case_content),
        ):
            granted = access.granted_ids(agency_id, subject, bases)
            expected = set(rule(agency_id).values_list("pk", flat=True))
            if granted != expected:
                found.append(
                    Difference(
                        agency_id, what, sorted(expected - granted), sorted(granted - expected)
                    )
                )
        difference = _verify_search_entries(agency_id)
        if difference is not None:
            found.append(difference)
    return found


def _verify_search_entries(agency_id: int) -> Difference | None:
    """The agency's search entries against its current person grants and the persons' keys:
    a person is *missing* when their entry is absent or holds other keys, *extra* when an
    entry names a person the agency may not see (or one archived)."""
    expected = {
        (agency_id, *row)
        for row in Person.objects.filter(
            is_archived=False,
            # a subquery: an agency may see a third of the city, too many ids for one IN list
            pk__in=access.granted_subquery(agency_id, "person"),
        ).values_list("pk", *SEARCH_KEYS, "birth_date")
    }
    stored = set(SearchEntry.objects.filter(agency_id=agency_id).values_list(*ENTRY_FIELDS))
    if expected == stored:
        return None
    visible = {row[1] for row in expected}
    return Difference(
        agency_id,
        "search entries",
        sorted({row[1] for row in expected - stored}),
        sorted({row[1] for row in stored - expected} - visible),
    )
