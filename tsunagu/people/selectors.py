"""Reads of persons and households; every list starts from what the user may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.http import Http404
from django.utils import timezone

from tsunagu import access
from tsunagu.accounts.models import Agency
from tsunagu.linkage.normalize import search_key

from . import hooks
from .models import Household, HouseholdMember, Person

SHORT_QUERY = 2  # 1–2 characters: matched as a prefix of the whole name or the given name


def _prefix(field: str, value: str) -> Q:
    """``field`` starts with ``value``, as a range that an ordinary B-tree index serves
    (keys are NFKC-normalised and compared by code point)."""
    return Q(**{f"{field}__gte": value, f"{field}__lt": value + "\U0010ffff"})


def _word_branches(word: str) -> list[Q]:
    """The ways a person's name can match one word of a search, as conditions each served by
    an index (a person matches the word if any one holds); none for a word without a key.

    A word of one or two characters (佐藤, 林) matches the start of the whole name (family
    name first) or of the given name. The family name needs no condition of its own: the
    whole name's key is the family name's key followed by the given name's (both
    normalised character by character, spaces removed), so a name whose family name starts
    with the word starts with it too. Longer words match anywhere in the whole name.
    """
    key = search_key(word)
    if not key.value:
        return []
    whole, given = ("key_kana", "key_kana_given") if key.is_kana else ("key_name", "key_given")
    if len(key.value) <= SHORT_QUERY:
        return [_prefix(whole, key.value), _prefix(given, key.value)]
    return [Q(**{f"{whole}__contains": key.value})]


def _any(conditions: list[Q]) -> Q:
    combined = Q()
    for condition in conditions:
        combined |= condition
    return combined


def person_search(*, user, q: str = "", birth_date: datetime.date | None = None) -> QuerySet:
    """Persons the user may see, matched by name or reading (異体字・かな・空白を吸収).

    Queries of one or two characters (佐藤, 林) are matched against the start of the whole
    or the given name through ordinary indexes; longer ones anywhere in the name. Every
    word of the query must match. A list page reads its first rows through
    :func:`person_search_ids`, which finds the same persons in the same order.

    A user who sees only some persons (a desk) is matched among the search entries of their
    agency, as :func:`person_search_ids` does: joining every match of the city with the
    agency's grants took 400–500 ms for 佐藤 at a million persons (bench/README.md).
    """
    words = [branches for branches in map(_word_branches, q.split()) if branches]
    entries = access.person_search_entries(user)
    if entries is not None and words:
        for branches in words:
            entries = entries.filter(_any(branches))
        if birth_date:
            entries = entries.filter(birth_date=birth_date)
        # the entries are the agency's visible persons (kept with the grants, checked by
        # access_verify); the persons are read by id
        qs = Person.objects.filter(is_archived=False, pk__in=entries.values("person_id"))
    else:
        qs = access.persons_visible_to(user)
        for branches in words:
            qs = qs.filter(_any(branches))
        if birth_date:
            qs = qs.filter(birth_date=birth_date)
    if q.strip() or birth_date:
        # Sorted after matching: ordered by the plain column, PostgreSQL walks the reading's
        # index from ア looking for 佐藤 (whose readings sit far down it) and read 380,000
        # persons for one page (1 s at a million). The same order, as an expression no index
        # has, makes it find the matches first (the name indexes) and sort only those.
        return qs.order_by(Concat("key_kana", Value("")), "id")
    return qs.order_by("key_kana", "id")


def person_search_ids(
    *, user, q: str = "", birth_date: datetime.date | None = None, limit: int
) -> list[int]:
    """The ids of the first ``limit`` persons :func:`person_search` finds, in its order (by
    reading, then id): what a list page pages through, read in one query.

    Each way the first word can match is read by itself from an index that holds the
    reading and the id beside the name key (``person_search_*``, persons not archived):
    the database answers from the indexes alone and sorts only the keys, without reading
    the persons' rows. One character of a common surname (林) matches 23,000 persons of a
    million: reading their rows to sort them took 70 ms; from the indexes, the whole query
    takes 36 ms on a busy machine (bench/README.md).

    A user who sees only some persons (a desk) searches among the search entries of their
    agency (``grants.SearchEntry``, kept with the grants), indexed the same way, with
    trigram indexes for longer words on PostgreSQL: joining 23,000 matches with the 321,000
    persons a desk's agency may see took 80 ms. A search by date of birth alone reads the
    persons.
    """
    words = [branches for branches in map(_word_branches, q.split()) if branches]
    if not words and not birth_date:
        return list(person_search(user=user).values_list("pk", flat=True)[:limit])
    base, pk = access.persons_visible_to(user), "id"
    entries = access.person_search_entries(user)
    if entries is not None and words:
        # a user who sees only some persons: read the agency's own search entries, not every
        # match joined with the agency's grants
        base, pk = entries, "person_id"
    for branches in words[1:]:
        base = base.filter(_any(branches))
    if birth_date:
        base = base.filter(birth_date=birth_date)
    parts = [base.filter(condition) for condition in words[0]] if words else [base]
    if len(parts) == 1:
        ordered = parts[0].order_by(Concat("key_kana", Value("")), pk)  # as person_search
        return list(ordered.values_list(pk, flat=True)[:limit])
    columns = [part.order_by().values_list("key_kana", pk) for part in parts]
    union = columns[0].union(*columns[1:])  # a person matching two ways counts once
    return [found for _kana, found in union.order_by("key_kana", pk)[:limit]]


def person_get(*, user, pk: int) -> Person:
    """The person if the user may see them; ``Person.DoesNotExist`` otherwise."""
    person = access.persons_visible_to(user).select_related("registered_by_agency").get(pk=pk)
    access.remember_visible(user, Person, person.pk)
    return person


def get_person_for_user(user, pk) -> Person:
    """The person as :func:`person_get` reads it, for a page or endpoint of ``user``:
    ``Http404`` unless the user may see them (never 403: a person's existence is personal
    data), also for a ``pk`` that is no number.

    There is no ``for_write``: whoever may see a person records about them (a consultation,
    a household membership); the pages already require ``people.use``."""
    try:
        return person_get(user=user, pk=int(pk))
    except (Person.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def visible_person_ids(user, person_ids) -> set[int]:
    """Those of ``person_ids`` the user may see (the answers the request has already found
    are not asked again; the new ones are kept for the object checks that follow)."""
    kept = {pk: access.kept_visible(user, Person, pk) for pk in set(person_ids)}
    asked = {pk for pk, known in kept.items() if known is None}
    visible = {pk for pk, known in kept.items() if known}
    if asked:
        found = set(
            access.persons_visible_to(user).filter(pk__in=asked).values_list("pk", flat=True)
        )
        for pk in asked:
            access.remember_visible(user, Person, pk, pk in found)
        visible |= found
    return visible


def visible_household_ids(user, household_ids) -> set[int]:
    """Those of ``household_ids`` the user may see."""
    return set(
        access.households_visible_to(user)
        .filter(pk__in=set(household_ids))
        .values_list("pk", flat=True)
    )


def mark_subjects(user, objects: list) -> list:
    """Set ``person_visible`` / ``household_visible`` on records about a person and/or a
    household (consultations, referrals, cases): two queries for the whole list."""
    persons = visible_person_ids(user, {o.person_id for o in objects if o.person_id})
    households = visible_household_ids(user, {o.household_id for o in objects if o.household_id})
    for o in objects:
        o.person_visible = o.person_id in persons
        o.household_visible = o.household_id in households
    return objects


def household_get(*, user, pk: int) -> Household:
    current = HouseholdMember.objects.filter(end_date__isnull=True).select_related("person")
    household = (
        access.households_visible_to(user)
        .prefetch_related(Prefetch("members", queryset=current, to_attr="current_members"))
        .get(pk=pk)
    )
    access.remember_visible(user, Household, household.pk)
    return household


def get_household_for_user(user, pk) -> Household:
    """The household as :func:`household_get` reads it (with ``current_members``), for a page
    or endpoint of ``user``: ``Http404`` unless the user may see it, as for a person."""
    try:
        return household_get(user=user, pk=int(pk))
    except (Household.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def households_of(*, user, person: Person) -> QuerySet:
    return access.households_visible_to(user).filter(
        members__person=person, members__end_date__isnull=True
    )


def households_by_person(*, user, person_ids: list[int]) -> dict[int, list[Household]]:
    """Current, visible households of several persons at once (for a list page)."""
    visible = access.households_visible_to(user).values("pk")
    links = (
        HouseholdMember.objects.filter(
            person_id__in=person_ids, end_date__isnull=True, household_id__in=visible
        )
        .select_related("household")
        .order_by("household_id")
    )
    found: dict[int, list[Household]] = {pid: [] for pid in person_ids}
    for link in links:
        found[link.person_id].append(link.household)
    return found


@dataclass
class KnownMatch:
    """One person who may be the same as the one being registered."""

    person_id: int
    visible: bool
    person: Person | None  # only when visible
    reasons: list[str] = field(default_factory=list)
    probability: float = 0.0
    band: str = ""  # 高 / 中 / 低
    #: Why the two must not be taken for one person without a look (the first of
    #: ``reasons``: a parent of the same name in the household …); "" when nothing.
    caution: str = ""


@dataclass
class KnownResult:
    matches: list[KnownMatch]
    contacts: list[Agency]
    #: Many persons share the name and no date of birth was given.
    common_name: bool = False

    @property
    def found(self) -> bool:
        return bool(self.matches)

    @property
    def hidden_count(self) -> int:
        return sum(1 for m in self.matches if not m.visible)


def known_person_check(
    *,
    user,
    name: str,
    name_kana: str = "",
    birth_date: datetime.date | None = None,
    sex: str = "",
    address: str = "",
    phones: tuple[str, ...] = (),
) -> KnownResult:
    """ "Is this person already known to the program?" — across every agency.

    Candidates come from the register's lookup (:func:`.hooks.lookup_person`, answered by
    ``tsunagu.linkage``) with a match probability and the reasons. A match the user may see
    is returned with its record; any other match is returned only as a count, with the
    program office(s) to contact. The caller audits the check.
    """
    found = hooks.lookup_person(
        name=name,
        kana=name_kana,
        birth_date=birth_date,
        sex=sex,
        address=address,
        phones=tuple(p for p in phones if p),
        today=today(),
    )
    candidates = found.candidates
    if not candidates:
        return KnownResult(matches=[], contacts=[], common_name=found.common_name)
    ids = [c.person_id for c in candidates]
    visible = {
        p.pk: p
        for p in access.persons_visible_to(user)
        .filter(pk__in=ids)
        .select_related("registered_by_agency")
    }
    matches = [
        KnownMatch(
            person_id=c.person_id,
            visible=c.person_id in visible,
            person=visible.get(c.person_id),
            reasons=c.reasons,
            probability=c.probability,
            band=c.band,
            caution=c.reasons[0] if getattr(c, "hold", "") else "",
        )
        for c in candidates
    ]
    contacts = []
    if any(not m.visible for m in matches):
        contacts = list(Agency.objects.filter(is_program_office=True, is_active=True))
    return KnownResult(matches=matches, contacts=contacts, common_name=found.common_name)


def today() -> datetime.date:
    return timezone.localdate()
