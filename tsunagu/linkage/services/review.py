"""Candidate pairs of the same person and their review.

A pair is queued by a worker (``manual``), by a registration made despite a match
(``registration``) or by a linkage run or CSV import (``batch``); a reviewer confirms it
(the two records are merged, see :mod:`.merge`) or rejects it (never asked about again).
Only the municipal program office and coordinators (``linkage.review``) confirm or reject,
and only pairs of persons they may see. Nothing is merged automatically unless
``settings.TSUNAGU["LINKAGE_AUTO_MERGE_THRESHOLD"]`` is set, and then only pairs at or
above it that no rule holds back (:func:`tsunagu.linkage.lookup.cautions`: the same name in
one household across generations, dates of birth years apart); by default (``None``) every
pair waits for a person's review.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from tsunagu import access
from tsunagu.audit.services import audit_record
from tsunagu.people.models import Person

from .. import lookup
from ..models import CandidateOrigin, CandidateStatus, MatchCandidate, PersonMerge
from .merge import current_survivor_id, merge_records
from .shared import (
    NOT_FOUND,
    LinkageConflict,
    clean_note,
    ordered_pair,
    record_decision,
    require_reviewer,
)


@dataclass
class PairsResult:
    added: int = 0
    existing: int = 0
    skipped: int = 0
    merged: int = 0


def auto_merge_threshold() -> float | None:
    """``TSUNAGU["LINKAGE_AUTO_MERGE_THRESHOLD"]``: None (the default) never merges alone."""
    value = settings.TSUNAGU.get("LINKAGE_AUTO_MERGE_THRESHOLD", None)
    if value is None:
        return None
    value = float(value)
    if not 0 < value <= 1:
        raise ValueError("LINKAGE_AUTO_MERGE_THRESHOLD must be in (0, 1] or None")
    return value


def _candidate_add(
    *,
    person_a: Person,
    person_b: Person,
    probability: float,
    reasons: list | None = None,
    origin: str,
    by=None,
) -> tuple[MatchCandidate, bool]:
    if person_a.pk == person_b.pk:
        raise ValidationError("同じ記録どうしは名寄せ候補にできません。")
    if person_a.is_archived or person_b.is_archived:
        raise ValidationError("アーカイブ済み（統合済み）の記録は名寄せ候補にできません。")
    if origin not in CandidateOrigin.values:
        raise ValidationError({"origin": "検出元の値が正しくありません。"})
    try:
        probability = float(probability)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"match_probability": "一致確率は数値で指定してください。"}) from exc
    if not 0 <= probability <= 1:
        raise ValidationError({"match_probability": "一致確率は0から1の間で指定してください。"})
    if by is not None and (
        access.persons_visible_to(by).filter(pk__in=[person_a.pk, person_b.pk]).count() != 2
    ):
        raise PermissionDenied(NOT_FOUND)
    a_id, b_id = ordered_pair(person_a.pk, person_b.pk)
    with transaction.atomic():
        # A pair already reviewed (or waiting) is not asked about again.
        existing = (
            MatchCandidate.objects.select_for_update()
            .filter(person_a_id=a_id, person_b_id=b_id)
            .order_by("-id")
            .first()
        )
        if existing is not None:
            return existing, False
        candidate = MatchCandidate.objects.create(
            person_a_id=a_id,
            person_b_id=b_id,
            match_probability=probability,
            reasons=[str(r) for r in (reasons or [])],
            origin=origin,
        )
        audit_record(
            actor=by,
            action="linkage.candidate_add",
            target=candidate,
            persons=[a_id, b_id],
            context={
                "origin": origin,
                "match_probability": probability,
                "reasons": candidate.reasons,
            },
        )
    return candidate, True


def candidate_add(
    *,
    person_a: Person,
    person_b: Person,
    probability: float,
    reasons: list | None = None,
    origin: str = CandidateOrigin.MANUAL,
    by=None,
) -> MatchCandidate:
    """Queue a pair for review (or return the pair's existing candidate).

    ``by`` is the worker who pointed the pair out (they must see both persons); ``None`` for
    the system (a batch run). A pair of one person or with an archived person is refused.
    """
    return _candidate_add(
        person_a=person_a,
        person_b=person_b,
        probability=probability,
        reasons=reasons,
        origin=origin,
        by=by,
    )[0]


def candidates_from_pairs(
    pairs: Iterable[tuple[int, int, float, list]], *, origin: str = CandidateOrigin.BATCH
) -> PairsResult:
    """Feed (person_id_a, person_id_b, probability, reasons) pairs of a linkage run.

    Pairs of persons since merged are followed to the surviving record. At or above the
    configured automatic threshold the pair is merged (the older record survives); every
    other pair waits in the review queue.
    """
    threshold = auto_merge_threshold()
    result = PairsResult()
    for raw_a, raw_b, probability, reasons in pairs:
        a_id, b_id = current_survivor_id(int(raw_a)), current_survivor_id(int(raw_b))
        persons = Person.objects.in_bulk([a_id, b_id])
        if a_id == b_id or len(persons) != 2 or any(p.is_archived for p in persons.values()):
            result.skipped += 1
            continue
        with transaction.atomic():
            candidate, created = _candidate_add(
                person_a=persons[a_id],
                person_b=persons[b_id],
                probability=probability,
                reasons=reasons,
                origin=origin,
            )
            if not created:
                result.existing += 1
                continue
            result.added += 1
            if (
                threshold is not None
                and candidate.match_probability >= threshold
                and not lookup.cautions(persons[a_id], persons[b_id])
            ):
                survivor_id, merged_id = ordered_pair(a_id, b_id)
                merge_records(
                    by=None,
                    survivor=persons[survivor_id],
                    merged=persons[merged_id],
                    reason=(
                        f"自動統合（一致確率 {candidate.percent}% ≥ 設定値 {threshold * 100:g}%）"
                    ),
                    candidate=candidate,
                    automatic=True,
                )
                record_decision(
                    candidate, by=None, status=CandidateStatus.CONFIRMED, note="自動統合"
                )
                result.merged += 1
    return result


def _locked_pending(candidate: MatchCandidate) -> MatchCandidate:
    fresh = MatchCandidate.objects.select_for_update().get(pk=candidate.pk)
    if fresh.status != CandidateStatus.PENDING:
        raise LinkageConflict(
            f"この名寄せ候補は既に「{fresh.get_status_display()}」として確認済みです。"
        )
    return fresh


def candidate_confirm(
    *, by, candidate: MatchCandidate, survivor: Person, note: str = ""
) -> PersonMerge:
    """The two records are one person: merge the other record into ``survivor``."""
    if survivor.pk not in (candidate.person_a_id, candidate.person_b_id):
        raise ValidationError({"survivor": "残す記録は候補の2件のどちらかを選んでください。"})
    note = clean_note(note, "note", required=False, label="確認メモ")
    merged_id = (
        candidate.person_b_id if survivor.pk == candidate.person_a_id else candidate.person_a_id
    )
    with transaction.atomic():
        fresh = _locked_pending(candidate)
        survivor = Person.objects.get(pk=survivor.pk)
        merged = Person.objects.get(pk=merged_id)
        require_reviewer(by, [survivor, merged])
        reason = f"名寄せ候補 #{fresh.pk} を同一人物と確認" + (f"：{note}" if note else "")
        merge = merge_records(
            by=by, survivor=survivor, merged=merged, reason=reason, candidate=fresh
        )
        record_decision(fresh, by=by, status=CandidateStatus.CONFIRMED, note=note)
        audit_record(
            actor=by,
            action="linkage.candidate_confirm",
            target=fresh,
            persons=[survivor.pk, merged.pk],
            context={"merge": merge.pk, "survivor": survivor.pk, "merged": merged.pk},
            purpose=note[:200],
        )
    candidate.refresh_from_db()
    return merge


def candidate_reject(*, by, candidate: MatchCandidate, note: str) -> MatchCandidate:
    """The two records are different persons; the pair is not asked about again."""
    note = clean_note(note, "note", required=True, label="別人と判断した理由")
    with transaction.atomic():
        fresh = _locked_pending(candidate)
        require_reviewer(by, [fresh.person_a, fresh.person_b])
        record_decision(fresh, by=by, status=CandidateStatus.REJECTED, note=note)
        audit_record(
            actor=by,
            action="linkage.candidate_reject",
            target=fresh,
            persons=[fresh.person_a_id, fresh.person_b_id],
            context={"match_probability": fresh.match_probability},
            purpose=note[:200],
        )
    candidate.refresh_from_db()
    return candidate
