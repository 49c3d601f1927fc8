"""インテーク・アセスメントシート: reading the versions."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from tsunagu.cases.models import Assessment, AssessmentSection, AssessmentSource, Case
from tsunagu.cases.workflow import NOT_ASSESSABLE

SECTIONS: list[tuple[str, str]] = list(AssessmentSection.choices)


SECTION_CODES: tuple[str, ...] = tuple(code for code, _ in SECTIONS)


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


def section_cards(assessment: Assessment) -> list[SectionCard]:
    """The sheet's sections in order, each with the agencies its information came from."""
    cards = {code: SectionCard(code, label, getattr(assessment, code)) for code, label in SECTIONS}
    for source in assessment.sources.all():
        cards[source.section].sources.append(source)
    return list(cards.values())


def is_assessable(case: Case) -> bool:
    """Whether the case's status lets a new version be recorded."""
    return case.status not in NOT_ASSESSABLE
