"""Reversible merges of persons.

A merge re-points every record about the absorbed person (consultations, referrals, cases,
household memberships and any later model with a foreign key to ``people.Person``) to the
surviving person, archives the absorbed person with all its fields and provenance intact,
and lists the rows it changed; an unmerge puts exactly those rows back. The audit trail is
never rewritten: events about either person id stay as they were, and the merge and unmerge
are themselves audit events naming both persons.

Only the municipal program office and coordinators (``linkage.review``) merge or unmerge,
and only persons they may see.
"""

from __future__ import annotations

import datetime

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from tsunagu.audit.services import audit_record
from tsunagu.common.touches import touch
from tsunagu.people.models import HouseholdMember, Person

from ..models import CandidateStatus, MatchCandidate, PersonMerge
from .shared import (
    NOT_FOUND,
    NOT_REVIEWER,
    LinkageConflict,
    clean_note,
    record_decision,
    require_reviewer,
)

# Models whose foreign keys to Person are never re-pointed: our own bookkeeping, and the
# grants, which are recomputed from the moved records (``_touch_both``).
_NOT_MOVED_APPS = frozenset({"linkage", "grants"})


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


def person_merge(
    *,
    by,
    survivor: Person,
    merged: Person,
    reason: str,
    candidate: MatchCandidate | None = None,
) -> PersonMerge:
    """Merge ``merged`` into ``survivor`` (by a reviewer who sees both)."""
    reason = clean_note(reason, "reason", required=True, label="統合の理由")
    with transaction.atomic():
        survivor = Person.objects.get(pk=survivor.pk)
        merged = Person.objects.get(pk=merged.pk)
        require_reviewer(by, [survivor, merged])
        return merge_records(
            by=by, survivor=survivor, merged=merged, reason=reason, candidate=candidate
        )


def merge_records(
    *,
    by,
    survivor: Person,
    merged: Person,
    reason: str,
    candidate: MatchCandidate | None,
    automatic: bool = False,
) -> PersonMerge:
    """The merge itself, for a caller that has checked who merges: :func:`person_merge`, a
    confirmed candidate pair, or an automatic merge of a linkage run."""
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
        _touch_both(survivor.pk, merged.pk)
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


def _touch_both(*person_ids: int) -> None:
    """The rows moved between the two persons bypass ``save()``: the grants of both persons,
    of their households and of the cases they are the person of or consented on follow."""
    cases: set[int] = set()
    for model, field in _person_relations():
        case_field = {"cases.case": "pk", "cases.consent": "case_id"}.get(model._meta.label_lower)
        if case_field:
            rows = model._base_manager.filter(**{f"{field}__in": person_ids})
            cases.update(rows.values_list(case_field, flat=True))
    touch(persons=person_ids, cases=cases)


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
    reason = clean_note(reason, "reason", required=True, label="元に戻す理由")
    with transaction.atomic():
        merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
        if by is None or not by.has_perm("linkage.review"):
            raise PermissionDenied(NOT_REVIEWER)
        if merge.unmerged_at is not None:
            raise LinkageConflict("この名寄せは既に元に戻されています。")
        # the person now holding the records (the survivor, or whom it was merged into later)
        require_reviewer(by, [Person(pk=current_survivor_id(merge.survivor_id))])
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
        _touch_both(merge.survivor_id, merge.merged_id)
        merge.unmerged_by = by
        merge.unmerged_at = timezone.now()
        merge.unmerge_reason = reason
        merge.save(update_fields=["unmerged_by", "unmerged_at", "unmerge_reason"])
        if merge.candidate_id:
            record_decision(
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
