"""名寄せ reads: the review queue, one candidate with both records side by side, merges.

A candidate is shown only to a user who may see both of its persons; a merge only to a user
who may see the person now holding its records (or, once undone, either person).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from tsunagu import access
from tsunagu.people.models import HouseholdMember, Person

from .. import lookup
from ..models import CandidateStatus, MatchCandidate, PersonMerge
from ..rules import HOLD_REASONS

# Probability bands of the review queue: (label, lower bound inclusive, upper bound exclusive)
BANDS = {
    "high": ("90%以上", 0.9, None),
    "middle": ("70%以上90%未満", 0.7, 0.9),
    "low": ("70%未満", None, 0.7),
}

REASON_LABELS = {
    "name": "氏名",
    "family": "姓",
    "given": "名",
    "kana": "フリガナ",
    "reading": "フリガナ",
    "dob": "生年月日",
    "birth_date": "生年月日",
    "sex": "性別",
    "address": "住所",
    "phone": "電話番号",
    "postal_code": "郵便番号",
    "household": "世帯",
}


def reason_labels(reasons) -> list[str]:
    return [REASON_LABELS.get(str(r), str(r)) for r in reasons or []]


def cautions(candidate: MatchCandidate) -> list[str]:
    """What a reviewer must weigh before merging the pair (Japanese), from the two records
    as they are now: the same name in one household across generations, dates of birth
    years apart."""
    return [HOLD_REASONS[key] for key in lookup.cautions(candidate.person_a, candidate.person_b)]


def _with_people(qs: QuerySet) -> QuerySet:
    return qs.select_related(
        "person_a__registered_by_agency", "person_b__registered_by_agency", "reviewed_by"
    )


def candidate_list(
    *,
    user,
    band: str = "",
    min_probability: float | None = None,
    max_probability: float | None = None,
) -> QuerySet:
    """Pending pairs whose two persons the user may see, the likeliest first."""
    visible = access.persons_visible_to(user).values("pk")
    qs = MatchCandidate.objects.filter(
        status=CandidateStatus.PENDING, person_a__in=visible, person_b__in=visible
    )
    if band in BANDS:
        _, low, high = BANDS[band]
        if high is not None:
            qs = qs.filter(match_probability__lt=high)
        if low is not None:
            qs = qs.filter(match_probability__gte=low)
    else:
        if min_probability is not None:
            qs = qs.filter(match_probability__gte=min_probability)
        if max_probability is not None:
            qs = qs.filter(match_probability__lte=max_probability)
    return _with_people(qs).order_by("-match_probability", "id")


def candidate_get(*, user, pk: int) -> MatchCandidate:
    """A candidate (any status) whose two persons the user may see; DoesNotExist otherwise."""
    visible = access.persons_visible_to(user).values("pk")
    return _with_people(
        MatchCandidate.objects.filter(person_a__in=visible, person_b__in=visible)
    ).get(pk=pk)


def get_candidate_for_user(user, pk, *, for_write: bool = False) -> MatchCandidate:
    """A candidate pair as :func:`candidate_get` reads it, for a page or endpoint of ``user``:
    ``Http404`` unless the user may see both persons (never 403: a person's existence is
    personal data); with ``for_write`` (confirm, reject), ``PermissionDenied`` unless the
    user reviews 名寄せ (``linkage.review``)."""
    try:
        candidate = candidate_get(user=user, pk=int(pk))
    except (MatchCandidate.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc
    if for_write:
        require_reviewer(user)
    return candidate


def require_reviewer(user) -> None:
    """``PermissionDenied`` unless the user reviews 名寄せ (``linkage.review``)."""
    from ..services.shared import NOT_REVIEWER

    if not user.has_perm("linkage.review"):
        raise PermissionDenied(NOT_REVIEWER)


def _absorbed_into(user) -> set[int]:
    """Archived persons whose records are now held by a person the user may see."""
    found: set[int] = set()
    frontier = set(
        PersonMerge.objects.filter(
            unmerged_at__isnull=True, survivor__in=access.persons_visible_to(user).values("pk")
        ).values_list("merged_id", flat=True)
    )
    while frontier - found:
        new = frontier - found
        found |= new
        frontier = set(
            PersonMerge.objects.filter(unmerged_at__isnull=True, survivor_id__in=new).values_list(
                "merged_id", flat=True
            )
        )
    return found


def merge_list(*, user) -> QuerySet:
    qs = PersonMerge.objects.select_related(
        "survivor__registered_by_agency",
        "merged__registered_by_agency",
        "merged_by",
        "unmerged_by",
        "candidate",
    )
    if access.sees_everything(user):
        return qs
    if not access.may_handle_cases(user):
        return qs.none()
    visible = access.persons_visible_to(user).values("pk")
    absorbed = _absorbed_into(user)
    return qs.filter(
        Q(survivor__in=visible)
        | Q(merged__in=visible)
        | Q(survivor_id__in=absorbed)
        | Q(merged_id__in=absorbed)
    )


def merge_get(*, user, pk: int) -> PersonMerge:
    return merge_list(user=user).get(pk=pk)


def get_merge_for_user(user, pk, *, for_write: bool = False) -> PersonMerge:
    """A merge as :func:`merge_get` reads it, for a page or endpoint of ``user``: ``Http404``
    unless the user may see it; with ``for_write`` (元に戻す), ``PermissionDenied`` unless the
    user reviews 名寄せ (``linkage.review``)."""
    try:
        merge = merge_get(user=user, pk=int(pk))
    except (PersonMerge.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc
    if for_write:
        require_reviewer(user)
    return merge


@dataclass
class Profile:
    """What a reviewer compares: the record, its households and the agencies involved."""

    person: Person
    households: list[tuple[str, str]] = field(default_factory=list)  # (label, relation)
    agencies: list[str] = field(default_factory=list)
    consultations: int = 0
    referrals: int = 0
    cases: int = 0


def person_profile(*, user, person: Person) -> Profile:
    """The person's current visible households and the agencies involved in what the user
    may see about them (registration, consultations, referrals, cases)."""
    households = access.households_visible_to(user).values("pk")
    links = (
        HouseholdMember.objects.filter(
            person=person, end_date__isnull=True, household_id__in=households
        )
        .select_related("household")
        .order_by("household_id")
    )
    consultations = list(
        access.consultations_visible_to(user).filter(person=person).select_related("agency")
    )
    referrals = list(
        access.referrals_visible_to(user)
        .filter(person=person)
        .select_related("from_agency", "to_agency")
    )
    cases = list(
        access.cases_visible_to(user).filter(person=person).select_related("coordinating_agency")
    )
    names: list[str] = []

    def add(agency) -> None:
        if agency is not None and agency.name not in names:
            names.append(agency.name)

    add(person.registered_by_agency)
    for c in consultations:
        add(c.agency)
    for r in referrals:
        add(r.from_agency)
        add(r.to_agency)
    for c in cases:
        add(c.coordinating_agency)
    return Profile(
        person=person,
        households=[(m.household.label, m.get_relation_display()) for m in links],
        agencies=names,
        consultations=len(consultations),
        referrals=len(referrals),
        cases=len(cases),
    )
