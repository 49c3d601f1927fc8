"""Reads of 多機関協働 cases; every list starts from what the user may see."""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from tsunagu import access
from tsunagu.consultations.selectors import subject_person_ids  # noqa: F401  (shared)

from .models import Case, CaseStatusEvent, CaseTeamMember, Consent

# The state of a case's consent as shown in lists: the latest version decides.
CONSENT_GIVEN = "given"
CONSENT_NONE = "none"
CONSENT_WITHDRAWN = "withdrawn"
CONSENT_LABELS = {CONSENT_GIVEN: "あり", CONSENT_NONE: "なし", CONSENT_WITHDRAWN: "撤回"}


def _with_consent_state(qs: QuerySet[Case]) -> QuerySet[Case]:
    latest = Consent.objects.filter(case=OuterRef("pk")).order_by("-version")
    return qs.annotate(
        latest_consent_version=Subquery(latest.values("version")[:1]),
        latest_consent_withdrawn=Subquery(latest.values("is_withdrawal")[:1]),
    )


def consent_state(case: Case) -> str:
    """``given``, ``none`` or ``withdrawn`` for a case from :func:`case_list`/:func:`case_get`."""
    if case.latest_consent_version is None:
        return CONSENT_NONE
    return CONSENT_WITHDRAWN if case.latest_consent_withdrawn else CONSENT_GIVEN


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
    return _with_consent_state(qs).order_by("-opened_on", "-id")


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
                queryset=Consent.objects.select_related("recorded_by")
                .prefetch_related("scope_agencies")
                .order_by("version"),
            ),
        )
    )
    return _with_consent_state(qs).get(pk=pk)


def case_or_404(*, user, pk: int) -> Case:
    """:func:`case_get`, answering 404 for a case the user may not see (or that is not there)."""
    from django.http import Http404

    try:
        return case_get(user=user, pk=pk)
    except Case.DoesNotExist as exc:
        raise Http404 from exc


def current_consent(case: Case) -> Consent | None:
    """The latest version from the prefetched consents, unless it is a withdrawal."""
    consents = list(case.consents.all())
    latest = consents[-1] if consents else None
    return latest if latest and not latest.is_withdrawal else None


def current_team(case: Case) -> list[CaseTeamMember]:
    return [m for m in case.team.all() if m.left_on is None]
