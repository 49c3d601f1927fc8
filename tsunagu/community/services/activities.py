"""Writes of 地域づくり活動: recording an activity with its organisers, participants counted by
generation and attribute, the consultations raised there and the 不足する社会資源 noticed.

Community coordinators and the office write (``community.edit``); every rule is checked here,
with Japanese messages, before anything is written; each write is audited in its transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from tsunagu.accounts.models import Agency, Area
from tsunagu.audit.services import audit_record, diff, snapshot
from tsunagu.common.validation import max_length_errors
from tsunagu.common.wareki import format_wareki
from tsunagu.consultations.models import Consultation
from tsunagu.resources.gaps import gap_create
from tsunagu.resources.models import GapOrigin, Resource, ResourceGap, ResourceStatus

from ..models import (
    Activity,
    ActivityConsultation,
    ActivityGap,
    ActivityKind,
    ActivityOrganiser,
    AttributeCount,
    ParticipantAttribute,
    Platform,
)
from ..permissions import NOT_COORDINATOR, NOT_EDITOR, keeps_activities, may_coordinate

TEXT_MAX = 4000
COUNT_MAX = 100000
GENERATIONS = (
    ("children", "子ども"),
    ("youth", "若者"),
    ("working_age", "現役世代"),
    ("elderly", "高齢者"),
)
ACTIVITY_FIELDS = (
    "kind_id",
    "title",
    "starts_at",
    "ends_at",
    "place_id",
    "place_text",
    "area_id",
    "platform_id",
    "coordinator_id",
    "children",
    "youth",
    "working_age",
    "elderly",
    "participants",
    "new_connections",
    "discussed",
    "outcome",
)
#: what :func:`activity_update` may change (the related rows are replaced when given)
CHANGEABLE = {
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "place",
    "place_text",
    "area",
    "platform",
    "coordinator",
    "children",
    "youth",
    "working_age",
    "elderly",
    "participants",
    "new_connections",
    "discussed",
    "outcome",
    "organisers",
    "attributes",
    "consultations",
}


@dataclass(frozen=True)
class OrganiserIn:
    """主催・運営: an agency of the system (its name is used when none is given) or a group
    by name, with a contact."""

    name: str = ""
    agency: Agency | None = None
    contact: str = ""


def _require_editor(by) -> None:
    if not keeps_activities(by):
        raise PermissionDenied(NOT_EDITOR)


def _count_error(label: str, value) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return f"{label}は0以上の整数で入力してください。"
    if value > COUNT_MAX:
        return f"{label}は{COUNT_MAX}以下で入力してください。"
    return None


def _clean(values: dict, *, by, current: Activity | None = None) -> tuple[dict, dict]:
    """Check the whole activity as it would be after the change (``values`` holds every
    field); returns the cleaned values and the errors by field."""
    errors: dict[str, str] = {}
    for key in ("title", "place_text", "discussed", "outcome"):
        values[key] = (values.get(key) or "").strip()
    if not values["title"]:
        errors["title"] = "活動の名称を入力してください。"
    errors.update(
        max_length_errors(Activity, title=values["title"], place_text=values["place_text"])
    )
    for key, label in (("discussed", "話し合ったこと・内容"), ("outcome", "生まれたこと")):
        if len(values[key]) > TEXT_MAX:
            errors[key] = f"{label}は{TEXT_MAX}文字以内で入力してください。"

    coordinator = values.get("coordinator")
    changed = current is None or current.coordinator_id != getattr(coordinator, "pk", None)
    if coordinator is not None and changed and not may_coordinate(coordinator):
        errors["coordinator"] = NOT_COORDINATOR

    kind = values.get("kind")
    if not isinstance(kind, ActivityKind):
        errors["kind"] = "活動の種類を選んでください。"
    elif not kind.is_active and (current is None or current.kind_id != kind.pk):
        errors["kind"] = f"種類「{kind.name}」は使われなくなりました。ほかの種類を選んでください。"
    if not isinstance(values.get("area"), Area):
        errors["area"] = "圏域・社協支部を選んでください。"

    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if not isinstance(starts_at, datetime.datetime):
        errors["starts_at"] = "開始日時を入力してください。"
    elif ends_at is not None and ends_at < starts_at:
        errors["ends_at"] = "終了日時は開始日時より後にしてください。"

    place = values.get("place")
    if place is not None:
        if not isinstance(place, Resource):
            errors["place"] = "場所の社会資源を選択肢から選んでください。"
        elif place.status == ResourceStatus.ENDED and (
            current is None or current.place_id != place.pk
        ):
            errors["place"] = f"「{place.name}」は終了した社会資源のため、場所に選べません。"

    platform = values.get("platform")
    if platform is not None and isinstance(starts_at, datetime.datetime):
        day = starts_at.date() if starts_at.tzinfo is None else _local_date(starts_at)
        if day < platform.started_on:
            errors["platform"] = (
                f"プラットフォーム「{platform.name}」は{format_wareki(platform.started_on)}に"
                "始まりました。それより前の活動には結びつけられません。"
            )
        elif platform.ended_on is not None and day > platform.ended_on:
            errors["platform"] = (
                f"プラットフォーム「{platform.name}」は{format_wareki(platform.ended_on)}に"
                "終了しています。"
            )

    counts_ok = True
    for key, label in (*GENERATIONS, ("new_connections", "新たなつながり")):
        values[key] = 0 if values.get(key) is None else values[key]
        if message := _count_error(label, values[key]):
            errors[key] = message
            counts_ok = False
    total = sum(values[k] for k, _ in GENERATIONS) if counts_ok else None
    given = values.get("participants")
    if given is not None and (message := _count_error("参加者数", given)):
        errors["participants"] = message
    elif total is not None:
        if given is not None and given != total:
            errors["participants"] = (
                f"参加者数（{given}人）が世代別の人数の合計（{total}人）と合いません。"
                "子ども・若者・現役世代・高齢者の人数を確かめてください。"
            )
        values["participants"] = total

    attributes = values.get("attributes") or {}
    cleaned_attributes = {}
    for attribute, count in attributes.items():
        if not isinstance(attribute, ParticipantAttribute):
            errors["attributes"] = "参加者の属性を選択肢から選んでください。"
            continue
        key = f"attribute_{attribute.code}"
        if message := _count_error(attribute.name, count):
            errors[key] = message
        elif total is not None and count > total:
            errors[key] = (
                f"「{attribute.name}」の人数（{count}人）が参加者数（{total}人）を超えています。"
            )
        elif count:
            cleaned_attributes[attribute] = count
    values["attributes"] = cleaned_attributes

    organisers = []
    for n, row in enumerate(values.get("organisers") or (), start=1):
        name = (row.name or "").strip() or (row.agency.name if row.agency else "")
        contact = (row.contact or "").strip()
        if not name:
            if contact:
                errors[f"organisers.{n}"] = f"主催・運営の{n}行目：団体名を入力してください。"
            continue
        too_long = max_length_errors(ActivityOrganiser, name=name, contact=contact)
        if too_long:
            errors[f"organisers.{n}"] = f"主催・運営の{n}行目：" + " ".join(too_long.values())
            continue
        organisers.append(OrganiserIn(name=name, agency=row.agency, contact=contact))
    values["organisers"] = organisers

    consultations = values.get("consultations")
    if consultations is not None:
        wanted = sorted({c.pk if isinstance(c, Consultation) else int(c) for c in consultations})
        visible = set(
            Consultation.objects.visible_to(by).filter(pk__in=wanted).values_list("pk", flat=True)
        )
        unseen = [pk for pk in wanted if pk not in visible]
        if unseen:
            errors["consultations"] = (
                "相談受付 "
                + "、".join(f"#{pk}" for pk in unseen)
                + " は見つからないか、あなたが見られない記録です。"
            )
        values["consultations"] = [pk for pk in wanted if pk in visible]
    return values, errors


def _local_date(moment: datetime.datetime) -> datetime.date:
    from django.utils import timezone

    return timezone.localtime(moment).date()


def _write_related(activity: Activity, values: dict, *, by, replacing: bool) -> dict:
    """Write organisers, attribute counts and consultation links; what changed, for the audit
    (consultation links the user cannot see are kept as they are)."""
    changes = {}
    if "organisers" in values:
        if replacing:
            activity.organisers.all().delete()
        ActivityOrganiser.objects.bulk_create(
            ActivityOrganiser(activity=activity, agency=o.agency, name=o.name, contact=o.contact)
            for o in values["organisers"]
        )
        changes["organisers"] = [o.name for o in values["organisers"]]
    if "attributes" in values:
        if replacing:
            activity.attribute_counts.all().delete()
        AttributeCount.objects.bulk_create(
            AttributeCount(activity=activity, attribute=a, count=n)
            for a, n in values["attributes"].items()
        )
        changes["attributes"] = {a.code: n for a, n in values["attributes"].items()}
    if values.get("consultations") is not None:
        wanted = set(values["consultations"])
        visible = set(Consultation.objects.visible_to(by).values_list("pk", flat=True))
        present = set(activity.consultation_links.values_list("consultation_id", flat=True))
        removed = (present & visible) - wanted
        added = wanted - present
        if removed:
            activity.consultation_links.filter(consultation_id__in=removed).delete()
        ActivityConsultation.objects.bulk_create(
            ActivityConsultation(activity=activity, consultation_id=pk) for pk in sorted(added)
        )
        if added or removed:
            changes["consultations"] = {"added": sorted(added), "removed": sorted(removed)}
    return changes


def activity_create(
    *,
    by,
    kind: ActivityKind | None,
    title: str,
    starts_at: datetime.datetime | None,
    area: Area | None,
    ends_at: datetime.datetime | None = None,
    place: Resource | None = None,
    place_text: str = "",
    platform: Platform | None = None,
    coordinator=None,
    children: int = 0,
    youth: int = 0,
    working_age: int = 0,
    elderly: int = 0,
    participants: int | None = None,
    new_connections: int = 0,
    discussed: str = "",
    outcome: str = "",
    organisers: Iterable[OrganiserIn] = (),
    attributes: Mapping[ParticipantAttribute, int] | None = None,
    consultations: Iterable = (),
) -> Activity:
    """Record an activity with its related rows (all or nothing). ``participants`` may be
    left out: it is the sum of the generations; given, it must equal that sum."""
    _require_editor(by)
    values, errors = _clean(
        {
            "kind": kind,
            "title": title,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "place": place,
            "place_text": place_text,
            "area": area,
            "platform": platform,
            "coordinator": coordinator,
            "children": children,
            "youth": youth,
            "working_age": working_age,
            "elderly": elderly,
            "participants": participants,
            "new_connections": new_connections,
            "discussed": discussed,
            "outcome": outcome,
            "organisers": list(organisers),
            "attributes": dict(attributes or {}),
            "consultations": list(consultations),
        },
        by=by,
    )
    if errors:
        raise ValidationError(errors)
    related = {k: values.pop(k) for k in ("organisers", "attributes", "consultations")}
    with transaction.atomic():
        activity = Activity.objects.create(created_by=by, **values)
        changes = diff({}, snapshot(activity, ACTIVITY_FIELDS))
        changes.update(
            {
                k: {"before": None, "after": v}
                for k, v in _write_related(activity, related, by=by, replacing=False).items()
            }
        )
        audit_record(actor=by, action="community.activity_create", target=activity, changes=changes)
    return activity


def activity_update(*, by, activity: Activity, **changes) -> Activity:
    """Change an activity. ``organisers`` and ``attributes``, when given, replace the rows;
    ``consultations`` replaces the links among the consultations ``by`` may see."""
    _require_editor(by)
    unknown = set(changes) - CHANGEABLE
    if unknown:
        raise ValidationError({k: "この項目は変更できません。" for k in sorted(unknown)})
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        current = {
            "kind": locked.kind,
            "title": locked.title,
            "starts_at": locked.starts_at,
            "ends_at": locked.ends_at,
            "place": locked.place,
            "place_text": locked.place_text,
            "area": locked.area,
            "platform": locked.platform,
            "coordinator": locked.coordinator,
            "children": locked.children,
            "youth": locked.youth,
            "working_age": locked.working_age,
            "elderly": locked.elderly,
            "participants": None,  # the sum, unless the change states it
            "new_connections": locked.new_connections,
            "discussed": locked.discussed,
            "outcome": locked.outcome,
            "organisers": [
                OrganiserIn(name=o.name, agency=o.agency, contact=o.contact)
                for o in locked.organisers.select_related("agency")
            ],
            "attributes": {
                c.attribute: c.count for c in locked.attribute_counts.select_related("attribute")
            },
            "consultations": None,
        }
        values, errors = _clean({**current, **changes}, by=by, current=locked)
        if errors:
            raise ValidationError(errors)
        before = snapshot(locked, ACTIVITY_FIELDS)
        related = {k: values.pop(k) for k in ("organisers", "attributes", "consultations")}
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save()
        written = {k: related[k] for k in ("organisers", "attributes") if k in changes}
        written["consultations"] = related["consultations"]
        changed = diff(before, snapshot(locked, ACTIVITY_FIELDS))
        changed.update(
            {
                k: {"after": v}
                for k, v in _write_related(locked, written, by=by, replacing=True).items()
            }
        )
        audit_record(actor=by, action="community.activity_update", target=locked, changes=changed)
    return locked


def activity_gap_add(
    *,
    by,
    activity: Activity,
    description: str,
    kind=None,
    targets=(),
    target_attributes: str = "",
    area: Area | None = None,
) -> ResourceGap:
    """A 不足する社会資源 noticed at the activity: raised in the register (経路：地域づくり)
    and linked to the activity, together or not at all. The area defaults to the activity's."""
    _require_editor(by)
    with transaction.atomic():
        gap = gap_create(
            by=by,
            description=description,
            area=area or activity.area,
            kind=kind,
            targets=targets,
            target_attributes=target_attributes,
            origin=GapOrigin.COMMUNITY,
        )
        ActivityGap.objects.create(activity=activity, gap=gap)
        audit_record(
            actor=by,
            action="community.activity_gap_add",
            target=activity,
            context={"gap": gap.pk},
        )
    return gap
