"""The 不足する社会資源 register (000 §2 ③ 社会資源の充足状況の把握と開発): reads and writes.

A gap is a need no resource meets. It is raised at a meeting, in matching when nothing fits a
person, in community work, or directly by the office; it moves 未対応 → 検討中 → 開発中 →
開発済み and, when developed, names the resource that met it. Anyone on staff may raise one
(noticing is everyone's work); moving it and linking its resource is for those who keep the
directory. The register holds no personal data: the people a gap affects are counted through
:mod:`tsunagu.resources.hooks` from the records of the apps that link them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404

from tsunagu.audit.services import audit_record, diff, snapshot
from tsunagu.common.validation import max_length_errors
from tsunagu.linkage.normalize import normalize_name

from . import hooks
from .models import (
    GapOrigin,
    GapStatus,
    Resource,
    ResourceGap,
    ResourceGapEvent,
    ResourceKind,
    ResourceStatus,
    Target,
    targets_value,
)
from .permissions import NOT_EDITOR, keeps_directory, reads_directory

GAP_FIELDS = (
    "description",
    "kind_id",
    "targets",
    "target_attributes",
    "area_id",
    "origin",
    "status",
    "met_by_id",
)
DESCRIPTION_MAX = 2000
NOT_STAFF = "不足する社会資源の登録は、支援関係機関の職員が行います。"
#: the order of the stages; a move back (e.g. 開発中 → 検討中) needs a note saying why
STAGES = [GapStatus.OPEN, GapStatus.CONSIDERING, GapStatus.DEVELOPING, GapStatus.DEVELOPED]


def gap_search_text(gap: ResourceGap) -> str:
    parts = [gap.description, gap.target_attributes, gap.kind.name if gap.kind_id else ""]
    return "|".join(normalize_name(p) for p in parts if p)


def _clean(values: dict) -> tuple[dict, dict[str, str]]:
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    errors = {}
    if "description" in values:
        if not values["description"]:
            errors["description"] = "不足している社会資源・仕組みを入力してください。"
        elif len(values["description"]) > DESCRIPTION_MAX:
            errors["description"] = (
                f"不足している社会資源・仕組みは{DESCRIPTION_MAX}文字以内で入力してください。"
            )
    errors.update(
        max_length_errors(
            ResourceGap,
            **{k: v for k, v in values.items() if k == "target_attributes"},
        )
    )
    targets = values.get("targets")
    if targets is not None:
        if any(t not in Target.values for t in targets):
            errors["targets"] = "対象の世代を選択肢から選んでください。"
        values["targets"] = targets_value(targets)
    if "origin" in values and values["origin"] not in GapOrigin.values:
        errors["origin"] = "把握の経路を選択肢から選んでください。"
    kind = values.get("kind")
    if kind is not None and not isinstance(kind, ResourceKind):
        errors["kind"] = "種類を選択肢から選んでください。"
    return values, errors


def gap_create(
    *,
    by,
    description: str,
    area=None,
    kind: ResourceKind | None = None,
    targets=(),
    target_attributes: str = "",
    origin: str = GapOrigin.OTHER,
) -> ResourceGap:
    """Raise a gap (未対応). Callers that link it (a meeting, a participation record) do so in
    the same transaction, around this call."""
    if not reads_directory(by):
        raise PermissionDenied(NOT_STAFF)
    values, errors = _clean(
        {
            "description": description,
            "kind": kind,
            "targets": list(targets),
            "target_attributes": target_attributes,
            "origin": origin,
        }
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        gap = ResourceGap(created_by=by, area=area, **values)
        gap.search_text = gap_search_text(gap)
        gap.save()
        ResourceGapEvent.objects.create(gap=gap, status=gap.status, note="登録", by=by)
        audit_record(
            actor=by,
            action="resource.gap_create",
            target=gap,
            changes=diff({}, snapshot(gap, GAP_FIELDS)),
        )
    return gap


def gap_update(*, by, gap: ResourceGap, **changes) -> ResourceGap:
    """Change what the gap says (description, kind, who it is for, area)."""
    if not keeps_directory(by):
        raise PermissionDenied(NOT_EDITOR)
    allowed = {"description", "kind", "targets", "target_attributes", "area"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({k: "この項目は変更できません。" for k in unknown})
    values, errors = _clean(changes)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = ResourceGap.objects.select_for_update().get(pk=gap.pk)
        before = snapshot(locked, GAP_FIELDS)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.search_text = gap_search_text(locked)
        locked.save()
        audit_record(
            actor=by,
            action="resource.gap_update",
            target=locked,
            changes=diff(before, snapshot(locked, GAP_FIELDS)),
        )
    return locked


def gap_move(
    *, by, gap: ResourceGap, status: str, note: str = "", met_by: Resource | None = None
) -> ResourceGap:
    """Move a gap to another stage. 開発済み names the resource that met the need (one that
    is not 終了); a move back to an earlier stage says why."""
    if not keeps_directory(by):
        raise PermissionDenied(NOT_EDITOR)
    note = (note or "").strip()
    errors = {}
    if status not in GapStatus.values:
        errors["status"] = "状況を選択肢から選んでください。"
    elif status == gap.status:
        errors["status"] = f"この不足する社会資源は既に「{gap.get_status_display()}」です。"
    elif STAGES.index(GapStatus(status)) < STAGES.index(GapStatus(gap.status)) and not note:
        errors["note"] = "前の段階に戻す理由を経過に入力してください。"
    if status == GapStatus.DEVELOPED:
        if met_by is None:
            errors["met_by"] = "開発済みにするには、対応した社会資源を選んでください。"
        elif met_by.status == ResourceStatus.ENDED:
            errors["met_by"] = "終了した社会資源は選べません。"
    elif met_by is not None:
        errors["met_by"] = "対応した社会資源は、開発済みにするときに選びます。"
    if len(note) > DESCRIPTION_MAX:
        errors["note"] = f"経過は{DESCRIPTION_MAX}文字以内で入力してください。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = ResourceGap.objects.select_for_update().get(pk=gap.pk)
        if locked.status != gap.status:
            raise ValidationError(
                {"status": "ほかの方が先に状況を変えました。画面を開き直してください。"}
            )
        before = snapshot(locked, GAP_FIELDS)
        locked.status = status
        locked.met_by = met_by if status == GapStatus.DEVELOPED else None
        locked.save(update_fields=["status", "met_by", "updated_at"])
        ResourceGapEvent.objects.create(
            gap=locked, status=status, note=note, resource=locked.met_by, by=by
        )
        audit_record(
            actor=by,
            action="resource.gap_move",
            target=locked,
            context={"note": note} if note else None,
            changes=diff(before, snapshot(locked, GAP_FIELDS)),
        )
    return locked


# --------------------------------------------------------------------------------- reads


@dataclass(frozen=True)
class GapSearch:
    q: str = ""
    status: str = ""  # "" every stage; "active" every stage before 開発済み
    area: int | None = None
    origin: str = ""
    kind: int | None = None


def gap_search(criteria: GapSearch = GapSearch()) -> QuerySet[ResourceGap]:
    qs = ResourceGap.objects.select_related("area", "kind", "met_by")
    if criteria.status == "active":
        qs = qs.exclude(status=GapStatus.DEVELOPED)
    elif criteria.status:
        qs = qs.filter(status=criteria.status)
    if criteria.area:
        from .selectors import area_ids

        qs = qs.filter(area_id__in=area_ids(criteria.area))
    if criteria.origin:
        qs = qs.filter(origin=criteria.origin)
    if criteria.kind:
        qs = qs.filter(kind_id=criteria.kind)
    for word in (normalize_name(w) for w in criteria.q.split()):
        if word:
            qs = qs.filter(Q(search_text__contains=word))
    return qs.order_by("-created_at", "-id")


def gap_get(user, pk: int) -> ResourceGap:
    if not reads_directory(user):
        raise Http404
    gap = ResourceGap.objects.select_related("area", "kind", "met_by", "created_by").filter(pk=pk)
    found = gap.first()
    if found is None:
        raise Http404
    return found


def with_people(gaps: list[ResourceGap]) -> list[ResourceGap]:
    """Set ``people`` on each gap: how many people wait on it (one query per linking app)."""
    counts = hooks.people_affected([g.pk for g in gaps])
    for gap in gaps:
        gap.people = counts.get(gap.pk, 0)
    return gaps


def status_counts() -> dict[str, int]:
    from django.db.models import Count

    rows = ResourceGap.objects.values("status").annotate(n=Count("id"))
    found = {r["status"]: r["n"] for r in rows}
    return {s.value: found.get(s.value, 0) for s in GapStatus}
