"""インテーク・アセスメントシート: recording a new version, and reading the versions.

Every save is a new version numbered 1, 2, …; earlier versions are never changed. Each
section may name the agencies its information came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from tsunagu.accounts.models import Agency
from tsunagu.audit.services import audit_record, diff
from tsunagu.cases.models import Assessment, AssessmentSection, AssessmentSource, Case
from tsunagu.cases.selectors.assessment import SECTION_CODES
from tsunagu.cases.workflow import NOT_ASSESSABLE, CaseTransitionError
from tsunagu.common.validation import max_length_errors

# One of these must be filled: the sheet records the person's own wishes or the assessor's view.
REQUIRED_ONE_OF = (AssessmentSection.WISHES, AssessmentSection.ASSESSOR_VIEW)


# ---------------------------------------------------------------------------- services


def _texts(sections: Mapping[str, str]) -> dict[str, str]:
    unknown = sorted(set(sections) - set(SECTION_CODES))
    if unknown:
        raise ValidationError(f"アセスメントシートにない項目です：{'、'.join(unknown)}")
    return {code: (sections.get(code) or "").strip() for code in SECTION_CODES}


def _source_errors(
    texts: Mapping[str, str], sources: list[tuple[str, Agency, str]]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    for section, agency, note in sources:
        key = f"{section}_source"
        if section not in SECTION_CODES:
            errors["__all__"] = "情報元の項目がアセスメントシートにありません。"
        elif not agency.is_active:
            errors[key] = "無効になっている機関は情報元にできません。"
        elif not texts[section]:
            label = AssessmentSection(section).label
            errors[key] = f"情報元を指定した「{label}」に内容を入力してください。"
        elif len(note) > AssessmentSource._meta.get_field("note").max_length:
            errors[f"{section}_source_note"] = max_length_errors(AssessmentSource, note=note)[
                "note"
            ]
    return errors


def _sources_summary(sources: Iterable) -> list[list]:
    return sorted([s.section, s.agency_id, s.note] for s in sources)


def assessment_record(
    *,
    by,
    case: Case,
    sections: Mapping[str, str],
    sources: Iterable[tuple[str, Agency, str]] = (),
) -> Assessment:
    """Record a new version of the case's assessment sheet (the case's coordinator or the
    municipal office; from アセスメント on, never for a case in インテーク or 終結)."""
    if not by.has_perm("cases.manage_case", case):
        raise PermissionDenied(
            "アセスメントは、事例を担当する多機関協働事業者または事務局が記録します。"
        )
    texts = _texts(sections)
    sources = [(section, agency, (note or "").strip()) for section, agency, note in sources]
    errors = _source_errors(texts, sources)
    if not any(texts[code] for code in REQUIRED_ONE_OF):
        message = "「本人の意向」または「見立て」のどちらかを入力してください。"
        errors[AssessmentSection.WISHES] = message
        errors[AssessmentSection.ASSESSOR_VIEW] = message
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the case row: versions are numbered, and the status checked, one writer at a time.
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.status in NOT_ASSESSABLE:
            raise CaseTransitionError(NOT_ASSESSABLE[locked.status])
        previous = locked.assessments.order_by("-version").prefetch_related("sources").first()
        assessment = Assessment.objects.create(
            case=locked,
            version=(previous.version if previous else 0) + 1,
            recorded_by=by,
            **texts,
        )
        created = AssessmentSource.objects.bulk_create(
            AssessmentSource(assessment=assessment, section=section, agency=agency, note=note)
            for section, agency, note in sources
        )
        before = {code: getattr(previous, code) for code in SECTION_CODES} if previous else {}
        before_sources = _sources_summary(previous.sources.all()) if previous else None
        after_sources = _sources_summary(created)
        changes = {
            "version": {
                "before": previous.version if previous else None,
                "after": assessment.version,
            },
            **diff(before, texts),
        }
        if before_sources != after_sources:
            changes["sources"] = {"before": before_sources, "after": after_sources}
        audit_record(
            actor=by,
            action="assessment.record",
            target=assessment,
            persons=case.subject_persons(),
            context={"case": case.pk},
            changes=changes,
        )
    return assessment


# --------------------------------------------------------------------------- selectors
