"""Reads of 多機関協働 cases; every list starts from what the user may see."""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from tsunagu import access
from tsunagu.consultations.selectors import subject_person_ids  # noqa: F401  (shared)
from tsunagu.people import selectors as people_selectors

from .models import Case, CaseStatusEvent, CaseTeamMember, Consent

# The state of a case's consent as shown in lists: the latest version decides.
CONSENT_GIVEN = "given"
CONSENT_NONE = "none"
CONSENT_WITHDRAWN = "withdrawn"
CONSENT_LABELS = {CONSENT_GIVEN: "あり", CONSENT_NONE: "なし", CONSENT_WITHDRAWN: "撤回"}


def _with_consent_state(qs: QuerySet[Case]) -> QuerySet[Case]:
    # The principal's current version: the case's person, or for a household case without
    # one, the latest current consent of any member (a consent before a withdrawal).
    latest = (
        Consent.objects.filter(case=OuterRef("pk"), is_current=True)
        .filter(Q(person_id=OuterRef("person_id")) | Q(case__person__isnull=True))
        .order_by("is_withdrawal", "-version")
    )
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
                queryset=Consent.objects.select_related("recorded_by", "person")
                .prefetch_related("scope_agencies")
                .order_by("version"),
            ),
        )
    )
    case = _with_consent_state(qs).get(pk=pk)
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


def current_consents(case: Case) -> list[Consent]:
    """Each person's current version from the prefetched consents (withdrawals included),
    the case's person first."""
    current = [c for c in case.consents.all() if c.is_current]
    return sorted(current, key=lambda c: (c.person_id != case.person_id, c.person_id or 0))


def current_consent(case: Case) -> Consent | None:
    """The principal's current consent from the prefetched consents, unless withdrawn."""
    current = current_consents(case)
    if case.person_id is None:
        given = [c for c in current if not c.is_withdrawal]
        return max(given, key=lambda c: c.version) if given else None
    own = [c for c in current if c.person_id == case.person_id]
    return own[0] if own and not own[0].is_withdrawal else None


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
    from .models import PlanItem, PlanStatus

    if agency_id is None:
        return []
    return list(
        PlanItem.objects.filter(plan__case=case, agency_id=agency_id)
        .exclude(plan__status=PlanStatus.SUPERSEDED)
        .select_related("plan", "agency")
        .order_by("-plan__version", "order", "id")
    )


def _named_agency_ids(case: Case) -> set[int]:
    """The agencies the principal's current consent names (from the prefetched versions
    when :func:`case_get` loaded them)."""
    if "consents" in getattr(case, "_prefetched_objects_cache", {}):
        consent = current_consent(case)
    else:
        consent = case.current_consent()
    return {a.pk for a in consent.scope_agencies.all()} if consent else set()


def consent_warnings(case: Case, agencies) -> dict[int, str]:
    """For each agency, the warning shown when it joins the team or a plan item though the
    current consent does not name it ('' when it is named, or coordinates the case)."""
    named = _named_agency_ids(case) | {case.coordinating_agency_id}
    return {
        agency.pk: ""
        if agency.pk in named
        else (
            f"{agency.name}は本人同意の共有先に含まれていません。この機関は、同意が更新されるまで"
            "本人・世帯の情報やアセスメント・プランを見られず、自機関の担当項目と支援経過だけを"
            "扱えます。本人の同意を更新する（共有先に加える）か、支援会議（社会福祉法第106条の6）で"
            "情報を共有してください。"
        )
        for agency in agencies
    }


def consent_warning(case: Case, agency) -> str:
    return consent_warnings(case, [agency])[agency.pk]


def mark_team_consent(case: Case, members: list) -> list:
    """Set ``shared_by_consent`` and ``consent_warning`` on each team member."""
    warnings = consent_warnings(case, {m.agency_id: m.agency for m in members}.values())
    for member in members:
        member.consent_warning = "" if member.left_on else warnings[member.agency_id]
        member.shared_by_consent = not warnings[member.agency_id]
    return members
