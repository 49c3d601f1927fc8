"""Reads of 多機関協働 cases; every list starts from what the user may see."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from tsunagu import access
from tsunagu.cases.models import Case, CaseStatusEvent, CaseTeamMember, Consent
from tsunagu.cases.selectors.consent import with_consent_state
from tsunagu.consultations.selectors import subject_person_ids  # noqa: F401  (shared)
from tsunagu.people import selectors as people_selectors

NOT_MANAGER = "この操作は、事例を担当する多機関協働事業者または事務局が行います。"


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
    access.remember_visible(user, Case, case.pk)  # found among the cases the user may see
    case.content_visible = access.sees_case_content(user, case)
    # whose details (names, consent rows) the user may see: one member's consent never
    # opens another's
    case.subject_ids = case.subject_persons()  # read once for the page (and its audit)
    case.visible_subject_ids = people_selectors.visible_person_ids(user, case.subject_ids)
    case.person_visible = case.person_id in case.visible_subject_ids
    case.household_visible = case.household_id in people_selectors.visible_household_ids(
        user, [case.household_id] if case.household_id else []
    )
    return case


def get_case_for_user(user, pk, *, content: bool = False, for_write: bool = False) -> Case:
    """The case as :func:`case_get` reads it, for a page or endpoint of ``user``.

    A case the user may not see (or that is not there, or a ``pk`` that is no number) answers
    ``Http404``, never 403: its existence is personal data too. With ``content``, so does a
    case whose content the user may not see (a team agency the consent does not name: the
    assessment, monitoring, the whole plan …). With ``for_write``, a case the user sees but
    may not manage (``cases.manage_case``: the coordinating agency's coordinator, or the
    program office) answers ``PermissionDenied``.
    """
    try:
        case = case_get(user=user, pk=int(pk))
    except (Case.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc
    if content and not case_content_visible(user, case):
        raise Http404
    if for_write:
        require_manager(user, case)
    return case


def require_manager(user, case: Case) -> None:
    """``PermissionDenied`` unless the user manages the case (``cases.manage_case``)."""
    if not user.has_perm("cases.manage_case", case):
        raise PermissionDenied(NOT_MANAGER)


def case_content_visible(user, case: Case) -> bool:
    """Whether the user sees the case's content, or only its state and their own records."""
    known = getattr(case, "content_visible", None)
    return access.sees_case_content(user, case) if known is None else known


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
