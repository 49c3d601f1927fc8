"""名寄せ writes: candidate pairs, their review, and reversible merges of persons.

A merge re-points every record about the absorbed person (consultations, referrals, cases,
household memberships and any later model with a foreign key to ``people.Person``) to the
surviving person, archives the absorbed person with all its fields and provenance intact,
and lists the rows it changed; an unmerge puts exactly those rows back. The audit trail is
never rewritten: events about either person id stay as they were, and the merge and unmerge
are themselves audit events naming both persons.

Only the municipal program office and coordinators (``linkage.review``) confirm, reject,
merge or unmerge, and only persons they may see. Nothing is merged automatically unless
``settings.TSUNAGU["LINKAGE_AUTO_MERGE_THRESHOLD"]`` is set, and then only pairs at or above
it; by default (``None``) every pair waits for a person's review.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from tsunagu import access
from tsunagu.audit.services import audit_record
from tsunagu.people.models import HouseholdMember, Person

from ..models import CandidateOrigin, CandidateStatus, MatchCandidate, PersonMerge

NOT_FOUND = "指定された本人は見つかりません。"
NOT_REVIEWER = "名寄せの確認・統合は自治体職員（事務局）または多機関協働事業者のみが行えます。"
NOTE_MAX = 2000

# Models whose foreign keys to Person are never re-pointed: our own bookkeeping.
_NOT_MOVED_APPS = frozenset({"linkage"})


class LinkageConflict(ValidationError):
    """The request contradicts the current state (already decided, already undone …)."""


@dataclass
class PairsResult:
    added: int = 0
    existing: int = 0
    skipped: int = 0
    merged: int = 0


# --- checks -----------------------------------------------------------------------------


def auto_merge_threshold() -> float | None:
    """``TSUNAGU["LINKAGE_AUTO_MERGE_THRESHOLD"]``: None (the default) never merges alone."""
    value = settings.TSUNAGU.get("LINKAGE_AUTO_MERGE_THRESHOLD", None)
    if value is None:
        return None
    value = float(value)
    if not 0 < value <= 1:
        raise ValueError("LINKAGE_AUTO_MERGE_THRESHOLD must be in (0, 1] or None")
    return value


def _require_reviewer(by, persons: Iterable[Person]) -> None:
    """A reviewer who may see every one of ``persons`` (PermissionDenied otherwise)."""
    if by is None or not by.has_perm("linkage.review"):
        raise PermissionDenied(NOT_REVIEWER)
    ids = {p.pk for p in persons}
    if access.persons_visible_to(by).filter(pk__in=ids).count() != len(ids):
        raise PermissionDenied(NOT_FOUND)


def _note(value: str, field: str, *, required: bool, label: str) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"{label}を入力してください。"})
    if len(value) > NOTE_MAX:
        raise ValidationError({field: f"{label}は{NOTE_MAX}文字以内で入力してください。"})
    return value


def _ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _person_relations() -> list[tuple[type[models.Model], str]]:
    """Every (model, field name) of a concrete foreign key to Person outside this app."""
    found = []
    for rel in Person._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        model = rel.related_model
        if model._meta.app_label in _NOT_MOVED_APPS or model is Person:
            continue
        found.append((model, rel.field.name))
    return sorted(found, key=lambda item: (item[0]._meta.label_lower, item[1]))


def current_survivor_id(person_id: int) -> int:
    """Follow active merges from ``person_id`` to the person that now holds its records."""
    seen = {person_id}
    while True:
        nxt = (
            PersonMerge.objects.filter(merged_id=person_id, unmerged_at__isnull=True)
            .values_list("survivor_id", flat=True)
            .first()
        )
        if nxt is None or nxt in seen:
            return person_id
        seen.add(nxt)
        person_id = nxt


# --- candidates -------------------------------------------------------------------------


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
    a_id, b_id = _ordered(person_a.pk, person_b.pk)
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
            if threshold is not None and candidate.match_probability >= threshold:
                survivor_id, merged_id = _ordered(a_id, b_id)
                _merge(
                    by=None,
                    survivor=persons[survivor_id],
                    merged=persons[merged_id],
                    reason=(
                        f"自動統合（一致確率 {candidate.percent}% ≥ 設定値 {threshold * 100:g}%）"
                    ),
                    candidate=candidate,
                    automatic=True,
                )
                _decide(candidate, by=None, status=CandidateStatus.CONFIRMED, note="自動統合")
                result.merged += 1
    return result


def _decide(candidate: MatchCandidate, *, by, status: str, note: str) -> None:
    candidate.status = status
    candidate.reviewed_by = by
    candidate.reviewed_at = timezone.now()
    candidate.review_note = note
    candidate.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])


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
    note = _note(note, "note", required=False, label="確認メモ")
    merged_id = (
        candidate.person_b_id if survivor.pk == candidate.person_a_id else candidate.person_a_id
    )
    with transaction.atomic():
        fresh = _locked_pending(candidate)
        survivor = Person.objects.get(pk=survivor.pk)
        merged = Person.objects.get(pk=merged_id)
        _require_reviewer(by, [survivor, merged])
        reason = f"名寄せ候補 #{fresh.pk} を同一人物と確認" + (f"：{note}" if note else "")
        merge = _merge(by=by, survivor=survivor, merged=merged, reason=reason, candidate=fresh)
        _decide(fresh, by=by, status=CandidateStatus.CONFIRMED, note=note)
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
    note = _note(note, "note", required=True, label="別人と判断した理由")
    with transaction.atomic():
        fresh = _locked_pending(candidate)
        _require_reviewer(by, [fresh.person_a, fresh.person_b])
        _decide(fresh, by=by, status=CandidateStatus.REJECTED, note=note)
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


# --- merge and unmerge ------------------------------------------------------------------


def person_merge(
    *,
    by,
    survivor: Person,
    merged: Person,
    reason: str,
    candidate: MatchCandidate | None = None,
) -> PersonMerge:
    """Merge ``merged`` into ``survivor`` (by a reviewer who sees both)."""
    reason = _note(reason, "reason", required=True, label="統合の理由")
    with transaction.atomic():
        survivor = Person.objects.get(pk=survivor.pk)
        merged = Person.objects.get(pk=merged.pk)
        _require_reviewer(by, [survivor, merged])
        return _merge(by=by, survivor=survivor, merged=merged, reason=reason, candidate=candidate)


def _merge(
    *,
    by,
    survivor: Person,
    merged: Person,
    reason: str,
    candidate: MatchCandidate | None,
    automatic: bool = False,
) -> PersonMerge:
    if survivor.pk == merged.pk:
        raise ValidationError("同じ記録どうしは統合できません。")
    with transaction.atomic():
        locked = Person.objects.select_for_update().in_bulk([survivor.pk, merged.pk])
        if len(locked) != 2:
            raise ValidationError(NOT_FOUND)
        if any(p.is_archived for p in locked.values()):
            raise LinkageConflict("アーカイブ済み（統合済み）の記録は統合できません。")
        today = timezone.localdate()
        ended = _end_shared_memberships(survivor=survivor, merged=merged, today=today)
        moved = []
        for model, field in _person_relations():
            rows = model._base_manager.filter(**{field: merged.pk})
            pks = sorted(rows.values_list("pk", flat=True))
            if not pks:
                continue
            model._base_manager.filter(pk__in=pks).update(**{field: survivor.pk})
            label = model._meta.label_lower
            moved.extend({"model": label, "pk": pk, "field": field} for pk in pks)
        # only the flag changes: every other field (and updated_at) stays as it was
        Person.objects.filter(pk=merged.pk).update(is_archived=True)
        merge = PersonMerge.objects.create(
            survivor=survivor,
            merged=merged,
            candidate=candidate,
            reason=reason,
            is_automatic=automatic,
            moved=moved,
            ended_memberships=ended,
            merged_by=by,
            merged_at=timezone.now(),
        )
        audit_record(
            actor=by,
            action="person.merge",
            target=merge,
            persons=[survivor.pk, merged.pk],
            purpose=reason[:200],
            context={
                "survivor": survivor.pk,
                "merged": merged.pk,
                "candidate": candidate.pk if candidate else None,
                "automatic": automatic,
                "moved": moved,
                "ended_memberships": ended,
            },
            changes={"is_archived": {"before": False, "after": True}},
        )
    return merge


def _end_shared_memberships(*, survivor: Person, merged: Person, today: datetime.date) -> list:
    """End the merged person's current membership of a household the survivor is in."""
    shared = HouseholdMember.objects.filter(person=survivor, end_date__isnull=True).values_list(
        "household_id", flat=True
    )
    ended = []
    for member in HouseholdMember.objects.select_for_update().filter(
        person=merged, end_date__isnull=True, household_id__in=list(shared)
    ):
        end = max(today, member.start_date) if member.start_date else today
        HouseholdMember.objects.filter(pk=member.pk).update(end_date=end)
        ended.append({"pk": member.pk, "end_date": end.isoformat()})
    return ended


def person_unmerge(*, by, merge: PersonMerge, reason: str) -> PersonMerge:
    """Undo a merge: un-archive the absorbed person and put back exactly the moved rows."""
    reason = _note(reason, "reason", required=True, label="元に戻す理由")
    with transaction.atomic():
        merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
        if by is None or not by.has_perm("linkage.review"):
            raise PermissionDenied(NOT_REVIEWER)
        if merge.unmerged_at is not None:
            raise LinkageConflict("この名寄せは既に元に戻されています。")
        # the person now holding the records (the survivor, or whom it was merged into later)
        _require_reviewer(by, [Person(pk=current_survivor_id(merge.survivor_id))])
        later = PersonMerge.objects.filter(merged=merge.survivor, unmerged_at__isnull=True).first()
        if later is not None:
            raise LinkageConflict(
                f"残した記録がその後さらに統合されています（名寄せ #{later.pk}）。"
                "先にそちらを元に戻してください。"
            )
        list(Person.objects.select_for_update().filter(pk__in=[merge.survivor_id, merge.merged_id]))
        _check_restorable(merge)
        for (label, field), pks in _group_moved(merge.moved).items():
            model = apps.get_model(label)
            model._base_manager.filter(pk__in=pks).update(**{field: merge.merged_id})
        for row in merge.ended_memberships:
            HouseholdMember.objects.filter(pk=row["pk"]).update(end_date=None)
        Person.objects.filter(pk=merge.merged_id).update(is_archived=False)
        merge.unmerged_by = by
        merge.unmerged_at = timezone.now()
        merge.unmerge_reason = reason
        merge.save(update_fields=["unmerged_by", "unmerged_at", "unmerge_reason"])
        if merge.candidate_id:
            _decide(
                merge.candidate,
                by=by,
                status=CandidateStatus.REJECTED,
                note=f"統合を元に戻しました（名寄せ #{merge.pk}）：{reason}",
            )
        audit_record(
            actor=by,
            action="person.unmerge",
            target=merge,
            persons=[merge.survivor_id, merge.merged_id],
            purpose=reason[:200],
            context={
                "survivor": merge.survivor_id,
                "merged": merge.merged_id,
                "restored": merge.moved,
                "restored_memberships": merge.ended_memberships,
            },
            changes={"is_archived": {"before": True, "after": False}},
        )
    return merge


def _group_moved(moved: list) -> dict[tuple[str, str], list[int]]:
    grouped: dict[tuple[str, str], list[int]] = {}
    for row in moved:
        grouped.setdefault((row["model"], row["field"]), []).append(row["pk"])
    return grouped


def _check_restorable(merge: PersonMerge) -> None:
    """Every moved row still points at the survivor and every ended membership is as left."""
    changed = []
    for (label, field), pks in _group_moved(merge.moved).items():
        model = apps.get_model(label)
        still = set(
            model._base_manager.filter(pk__in=pks, **{field: merge.survivor_id}).values_list(
                "pk", flat=True
            )
        )
        changed += [f"{model._meta.verbose_name} #{pk}" for pk in pks if pk not in still]
    for row in merge.ended_memberships:
        member = HouseholdMember.objects.filter(pk=row["pk"]).first()
        if (
            member is None
            or member.end_date is None
            or member.end_date.isoformat() != row["end_date"]
        ):
            changed.append(f"世帯員 #{row['pk']}")
            continue
        if HouseholdMember.objects.filter(
            household_id=member.household_id, person_id=merge.merged_id, end_date__isnull=True
        ).exists():
            changed.append(f"世帯員 #{row['pk']}")
    if changed:
        raise LinkageConflict(
            "統合後に変更された記録があるため、自動では元に戻せません："
            + "、".join(changed[:10])
            + ("ほか" if len(changed) > 10 else "")
        )
