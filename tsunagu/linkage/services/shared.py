"""What the review and merge services share: who may review and merge, the notes they give,
the conflict error, and how a decision on a candidate pair is recorded."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tsunagu import access
from tsunagu.common.errors import RuleBroken
from tsunagu.people.models import Person

from ..models import MatchCandidate

NOT_FOUND = "指定された本人は見つかりません。"
NOT_REVIEWER = "名寄せの確認・統合は自治体職員（事務局）または多機関協働事業者のみが行えます。"
NOTE_MAX = 2000


class LinkageConflict(RuleBroken):
    """The request contradicts the current state (already decided, already undone …)."""


def require_reviewer(by, persons: Iterable[Person]) -> None:
    """A reviewer who may see every one of ``persons`` (PermissionDenied otherwise)."""
    if by is None or not by.has_perm("linkage.review"):
        raise PermissionDenied(NOT_REVIEWER)
    ids = {p.pk for p in persons}
    if access.persons_visible_to(by).filter(pk__in=ids).count() != len(ids):
        raise PermissionDenied(NOT_FOUND)


def clean_note(value: str, field: str, *, required: bool, label: str) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"{label}を入力してください。"})
    if len(value) > NOTE_MAX:
        raise ValidationError({field: f"{label}は{NOTE_MAX}文字以内で入力してください。"})
    return value


def ordered_pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def record_decision(candidate: MatchCandidate, *, by, status: str, note: str) -> None:
    """The reviewer's decision on a pair (or the system's, ``by`` None)."""
    candidate.status = status
    candidate.reviewed_by = by
    candidate.reviewed_at = timezone.now()
    candidate.review_note = note
    candidate.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
