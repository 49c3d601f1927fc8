"""Reads of 多機関協働 cases; every list starts from what the user may see."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from tsunagu import access
from tsunagu.cases.models import Case, CaseStatusEvent, CaseTeamMember, Consent
from tsunagu.cases.selectors.consent import with_consent_state
from tsunagu.consultations.selectors import subject_person_ids  # noqa: F401  (shared)
from tsunagu.people import selectors as people_selectors


def case_list(*, user, status: str = "", q: str = "") -> QuerySet[Case]:
    """Cases the user may see, newest first; ``q`` matches the person's name or the
    household's label (every word)."""
    qs = access.cases_visible_to(user).select_related(
        "person",
        "household",
        "referring_agency",
        "coordinating_agency",
        "coordinator",
    )
    if status:
        qs = qs.filter(status=status)
    for word in q.split():
        qs = qs.filter(Q(person__name__icontains=word) | Q(household__label__icontains=word))
    return with_consent_state(qs).order_by("-opened_on", "-id")


def case_get(*, user, pk: int) -> Case:
    """The case with its team, status history and every consent version;
    ``Case.DoesNotExist`` unless the user may see it."""
    qs = (
        access.cases_visible_to(user)
        .select_related(
            "person",
            "household",
            "referral",
            "referring_agency",
            "coordinating_agency",
            "coordinator",
            "lead_agency_after_closure",
        )
        .prefetch_related(
            Prefetch(
                "team",
                queryset=CaseTeamMember.objects.select_related("agency").order_by(
                    "left_on", "joined_on", "id"
                ),
            ),
            Prefetch(
                "status_events",
                queryset=CaseStatusEvent.objects.select_related("by").order_by("at", "id"),
            ),
            Prefetch(
                "consents",
                queryset=Consent.objects.select_related("recorded_by", "person")
                .prefetch_related("scope_agencies")
                .order_by("version"),
            ),
        )
    )
    case = with_consent_state(qs).get(pk=pk)
    case.content_visible = access.sees_case_content(user, case)
    # whose details (names, consent rows) the user may see: one member's consent never
    # opens another's
    case.visible_subject_ids = people_selectors.visible_person_ids(user, case.subject_persons())
    case.person_visible = case.person_id in case.visible_subject_ids
    case.household_visible = case.household_id in people_selectors.visible_household_ids(
        user, [case.household_id] if case.household_id else []
    )
    return case


def case_or_404(*, user, pk: int) -> Case:
    """:func:`case_get`, answering 404 for a case the user may not see (or that is not there)."""
    from django.http import Http404

    try:
        return case_get(user=user, pk=pk)
    except Case.DoesNotExist as exc:
        raise Http404 from exc


def case_content_visible(user, case: Case) -> bool:
    """Whether the user sees the case's content, or only its state and their own records."""
    known = getattr(case, "content_visible", None)
    return access.sees_case_content(user, case) if known is None else known


def case_content_or_404(*, user, pk: int) -> Case:
    """:func:`case_or_404` for pages that show the case's content (assessment, monitoring,
    the whole plan …): a team agency the consent does not name gets 404 too."""
    from django.http import Http404

    case = case_or_404(user=user, pk=pk)
    if not case_content_visible(user, case):
        raise Http404
    return case


def current_team(case: Case) -> list[CaseTeamMember]:
    return [m for m in case.team.all() if m.left_on is None]


def mark_subjects(user, cases: list[Case]) -> list[Case]:
    """Set ``person_visible`` / ``household_visible`` on each case: a name is shown only to
    those who may see that person or household (its other members on their own consent)."""
    return people_selectors.mark_subjects(user, cases)


def own_plan_items(case: Case, agency_id: int | None) -> list:
    """The agency's own items in the case's current plan (the confirmed one, and the one being
    drafted or agreed): what a team agency the consent does not name may still see."""
    from tsunagu.cases.models import PlanItem, PlanStatus

    if agency_id is None:
        return []
    return list(
        PlanItem.objects.filter(plan__case=case, agency_id=agency_id)
        .exclude(plan__status=PlanStatus.SUPERSEDED)
        .select_related("plan", "agency")
        .order_by("-plan__version", "order", "id")
    )
