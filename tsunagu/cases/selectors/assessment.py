"""インテーク・アセスメントシート: reading the versions, and the one rule on tax information.

Tax information held by tax staff is never shared (domain.md §6): a section whose information
came from an agency holding tax information (税務部門) is withheld from everyone but the users
acting for that agency — on the page, its versions, the API, the edit form, the audit record
of a new version, and the meetings' 事例概要シート. :func:`withheld_sections` decides it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from tsunagu.accounts.acting import acting
from tsunagu.cases.models import Assessment, AssessmentSection, AssessmentSource, Case
from tsunagu.cases.workflow import NOT_ASSESSABLE

SECTIONS: list[tuple[str, str]] = list(AssessmentSection.choices)


SECTION_CODES: tuple[str, ...] = tuple(code for code, _ in SECTIONS)

# What a withheld section shows in place of its text (pages, PDFs, the form).
TAX_WITHHELD = "（税務部門からの情報のため共有しません）"
# What the audit record of a new version stores in place of a withheld section's text.
TAX_IN_AUDIT = "（税務情報）"


def withheld_sections(assessment: Assessment, user) -> frozenset[str]:
    """The codes of the sections of ``assessment`` whose text and sources ``user`` may not
    see: a section is withheld when any agency it names as a source holds tax information,
    unless ``user`` acts for that agency. ``user=None`` is an audience rather than one reader
    (a meeting's materials, the stored audit record): every such section is withheld.

    ``assessment.sources`` is read with each source's agency (prefetch them)."""
    own = acting(user).agency_id if user is not None else None
    return frozenset(
        source.section
        for source in assessment.sources.all()
        if source.agency.holds_tax_information and source.agency_id != own
    )


def assessment_versions(*, case: Case) -> list[Assessment]:
    """Every version of the case's sheet, oldest first (for the version picker)."""
    return list(case.assessments.select_related("recorded_by").order_by("version"))


def assessment_get(*, case: Case, version: int | None = None) -> Assessment | None:
    """The given version (or the latest) with its sources; ``None`` when there is none yet.
    Callers have checked that the user may see ``case``."""
    qs = case.assessments.select_related("recorded_by").prefetch_related(
        Prefetch("sources", queryset=AssessmentSource.objects.select_related("agency"))
    )
    if version is not None:
        return qs.filter(version=version).first()
    return qs.order_by("-version").first()


@dataclass
class SectionCard:
    code: str
    label: str
    text: str
    sources: list[AssessmentSource] = field(default_factory=list)
    withheld: bool = False


def section_cards(assessment: Assessment, *, user) -> list[SectionCard]:
    """The sheet's sections in order as ``user`` may read them, each with the agencies its
    information came from; a withheld section has neither text nor sources."""
    withheld = withheld_sections(assessment, user)
    cards = {
        code: SectionCard(code, label, "", withheld=True)
        if code in withheld
        else SectionCard(code, label, getattr(assessment, code))
        for code, label in SECTIONS
    }
    for source in assessment.sources.all():
        if source.section not in withheld:
            cards[source.section].sources.append(source)
    return list(cards.values())


def is_assessable(case: Case) -> bool:
    """Whether the case's status lets a new version be recorded."""
    return case.status not in NOT_ASSESSABLE
