"""インテーク・アセスメントシート: recording a new version, and reading the versions.

Every save is a new version numbered 1, 2, …; earlier versions are never changed. Each
section may name the agencies its information came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch

from tsunagu.accounts.models import Agency
from tsunagu.audit.services import audit_record, diff
from tsunagu.cases.models import Assessment, AssessmentSection, AssessmentSource, Case
from tsunagu.cases.selectors.assessment import SECTION_CODES, TAX_IN_AUDIT, withheld_sections
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


def _sources_summary(sources: Iterable, masked: frozenset[str] = frozenset()) -> list[list]:
    """``[section, agency id, note]`` of each source; the note of a section in ``masked``
    (tax information) is not written down."""
    return sorted(
        [s.section, s.agency_id, TAX_IN_AUDIT if s.section in masked and s.note else s.note]
        for s in sources
    )


def _latest(case: Case) -> Assessment | None:
    return (
        case.assessments.order_by("-version")
        .prefetch_related(
            Prefetch("sources", queryset=AssessmentSource.objects.select_related("agency"))
        )
        .first()
    )


def _sheet(
    by,
    previous: Assessment | None,
    sections: Mapping[str, str],
    sources: list[tuple[str, Agency, str]],
) -> tuple[dict[str, str], list[tuple[str, Agency, str]], dict[str, str]]:
    """The new version's texts and sources, and the errors in them.

    A section of ``previous`` withheld from ``by`` (tax information, see
    :func:`~tsunagu.cases.selectors.assessment.withheld_sections`) is carried over unchanged,
    its text and its sources: ``by`` never saw it, so what they send for it is set aside."""
    texts = _texts(sections)
    kept = withheld_sections(previous, by) if previous is not None else frozenset()
    sources = [s for s in sources if s[0] not in kept]
    errors = _source_errors(texts, sources)
    for code in kept:
        texts[code] = getattr(previous, code)
    if kept:
        sources += [
            (s.section, s.agency, s.note) for s in previous.sources.all() if s.section in kept
        ]
    if not any(texts[code] for code in REQUIRED_ONE_OF):
        message = "「本人の意向」または「見立て」のどちらかを入力してください。"
        errors[AssessmentSection.WISHES] = message
        errors[AssessmentSection.ASSESSOR_VIEW] = message
    return texts, sources, errors


def _changes(
    previous: Assessment | None, assessment: Assessment, texts: dict, created: list
) -> dict:
    """What the audit record stores: the version, each changed section before and after, and
    the sources. Text of a section sourced from a tax agency is never stored (the audit log
    is read by the program office): 「（税務情報）」 stands in its place."""
    before = {code: getattr(previous, code) for code in SECTION_CODES} if previous else {}
    tax_before = withheld_sections(previous, None) if previous else frozenset()
    tax_after = withheld_sections(assessment, None)
    changes: dict = {
        "version": {
            "before": previous.version if previous else None,
            "after": assessment.version,
        },
    }
    for code, change in diff(before, texts).items():
        if code in tax_before and change["before"]:
            change["before"] = TAX_IN_AUDIT
        if code in tax_after and change["after"]:
            change["after"] = TAX_IN_AUDIT
        changes[code] = change
    previous_sources = list(previous.sources.all()) if previous else []
    if previous is None or _sources_summary(previous_sources) != _sources_summary(created):
        changes["sources"] = {
            "before": _sources_summary(previous_sources, tax_before) if previous else None,
            "after": _sources_summary(created, tax_after),
        }
    return changes


def assessment_record(
    *,
    by,
    case: Case,
    sections: Mapping[str, str],
    sources: Iterable[tuple[str, Agency, str]] = (),
) -> Assessment:
    """Record a new version of the case's assessment sheet (the case's coordinator or the
    municipal office; from アセスメント on, never for a case in インテーク or 終結).

    Sections of the latest version withheld from ``by`` (tax information) are carried over
    into the new version unchanged, whatever ``sections`` and ``sources`` say of them."""
    if not by.has_perm("cases.manage_case", case):
        raise PermissionDenied(
            "アセスメントは、事例を担当する多機関協働事業者または事務局が記録します。"
        )
    sources = [(section, agency, (note or "").strip()) for section, agency, note in sources]
    *_, errors = _sheet(by, _latest(case), sections, sources)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the case row: versions are numbered, and the status checked, one writer at a time.
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.status in NOT_ASSESSABLE:
            raise CaseTransitionError(NOT_ASSESSABLE[locked.status])
        previous = _latest(locked)
        # again under the lock: the version carried over from is the one just before
        texts, sources, errors = _sheet(by, previous, sections, sources)
        if errors:
            raise ValidationError(errors)
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
        # the sources as read back, each with its agency (what the tax rule reads)
        assessment = Assessment.objects.prefetch_related(
            Prefetch("sources", queryset=AssessmentSource.objects.select_related("agency"))
        ).get(pk=assessment.pk)
        audit_record(
            actor=by,
            action="assessment.record",
            target=assessment,
            persons=case.subject_persons(),
            context={"case": case.pk},
            changes=_changes(previous, assessment, texts, created),
        )
    return assessment


# --------------------------------------------------------------------------- selectors
