"""同意: the current consents of a case and what they leave uncovered."""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery

from tsunagu.cases.models import Case, Consent
from tsunagu.consultations.selectors import subject_person_ids  # noqa: F401  (shared)

# The state of a case's consent as shown in lists: the latest version decides.
CONSENT_GIVEN = "given"


CONSENT_NONE = "none"


CONSENT_WITHDRAWN = "withdrawn"


CONSENT_LABELS = {CONSENT_GIVEN: "あり", CONSENT_NONE: "なし", CONSENT_WITHDRAWN: "撤回"}


def with_consent_state(qs: QuerySet[Case]) -> QuerySet[Case]:
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
