"""Writes of the 社会資源 directory: organisations, resources with their schedules and
exceptions, the confirmation of their information (情報確認), their status, and host profiles.

Every function checks that the user keeps the directory, validates its input with Japanese
messages (nothing is written on an error: a resource and its schedules are saved together or
not at all) and records an audit event in the same transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tsunagu.audit.services import audit_record, diff, snapshot
from tsunagu.common.validation import max_length_errors
from tsunagu.linkage.normalize import normalize_name

from .models import (
    Frequency,
    HostProfile,
    Organization,
    Resource,
    ResourceKind,
    ResourceStatus,
    Schedule,
    ScheduleException,
    Target,
    targets_value,
)
from .permissions import NOT_EDITOR, keeps_directory

RESOURCE_FIELDS = (
    "organization_id",
    "name",
    "kind_id",
    "description",
    "targets",
    "target_attributes",
    "conditions",
    "area_id",
    "postal_code",
    "address",
    "capacity",
    "places_free",
    "cost",
    "contact_name",
    "phone",
    "email",
    "accessibility",
    "status",
    "confirmed_on",
)
TEXT_MAX = 4000


def _require_editor(by) -> None:
    if not keeps_directory(by):
        raise PermissionDenied(NOT_EDITOR)


@dataclass(frozen=True)
class ScheduleIn:
    """One row of when a resource is open, as a form or the API gives it."""

    freq: str
    weekday: int | None
    opens_at: datetime.time | None
    closes_at: datetime.time | None
    weeks: tuple[int, ...] = ()
    note: str = ""


def schedule_errors(rows: list[ScheduleIn]) -> dict[str, str]:
    """Japanese messages for bad schedule rows, keyed ``schedules.<n>`` (1-based)."""
    errors = {}
    for n, row in enumerate(rows, start=1):
        key = f"schedules.{n}"
        if row.freq not in Frequency.values:
            errors[key] = f"{n}行目：くり返し（毎週・毎月）を選んでください。"
        elif row.weekday is None or not 0 <= row.weekday <= 6:
            errors[key] = f"{n}行目：曜日を選んでください。"
        elif row.opens_at is None or row.closes_at is None:
            errors[key] = f"{n}行目：開始時刻と終了時刻を入力してください。"
        elif row.closes_at <= row.opens_at:
            errors[key] = f"{n}行目：終了時刻は開始時刻より後にしてください。"
        elif row.freq == Frequency.WEEKLY and row.weeks:
            errors[key] = (
                f"{n}行目：毎週の予定には「第n週」を指定できません"
                "（第2・第4土曜などは「毎月（第n週）」を選んでください）。"
            )
        elif row.freq == Frequency.MONTHLY and not row.weeks:
            errors[key] = f"{n}行目：毎月の予定は、第何週かを選んでください。"
        elif any(w not in (1, 2, 3, 4, 5) for w in row.weeks):
            errors[key] = f"{n}行目：第n週は1〜5の中から選んでください。"
        elif len(row.note) > 200:
            errors[key] = f"{n}行目：備考は200文字以内で入力してください。"
    return errors


def search_text(resource: Resource) -> str:
    """The text free-text search matches (normalised as the person search normalises)."""
    parts = [
        resource.name,
        resource.organization.name if resource.organization_id else "",
        resource.kind.name if resource.kind_id else "",
        resource.description,
        resource.target_attributes,
        resource.conditions,
        resource.address,
        resource.accessibility,
    ]
    # each part on its own (the key drops spaces), kept apart so a word never spans two
    return "|".join(normalize_name(p) for p in parts if p)


def _clean(values: dict) -> tuple[dict, dict[str, str]]:
    """Strip the text of ``values`` and check it (without saving)."""
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    errors = max_length_errors(
        Resource,
        **{
            k: v
            for k, v in values.items()
            if k
            in (
                "name",
                "target_attributes",
                "postal_code",
                "address",
                "cost",
                "contact_name",
                "phone",
                "email",
                "accessibility",
            )
        },
    )
    if "name" in values and not values["name"]:
        errors["name"] = "名称を入力してください。"
    if "kind" in values and values["kind"] is None:
        errors["kind"] = "種類を選んでください。"
    if "organization" in values and values["organization"] is None:
        errors["organization"] = "提供団体を選ぶか、新しい団体名を入力してください。"
    for name in ("description", "conditions"):
        if len(values.get(name) or "") > TEXT_MAX:
            label = Resource._meta.get_field(name).verbose_name
            errors[name] = f"{label}は{TEXT_MAX}文字以内で入力してください。"
    targets = values.get("targets")
    if targets is not None:
        if any(t not in Target.values for t in targets):
            errors["targets"] = "対象の世代を選択肢から選んでください。"
        values["targets"] = targets_value(targets)
    if "status" in values and values["status"] not in ResourceStatus.values:
        errors["status"] = "状態を選択肢から選んでください。"
    confirmed = values.get("confirmed_on", ...)
    if confirmed is not ...:
        if confirmed is None:
            errors["confirmed_on"] = "情報確認日を入力してください。"
        elif confirmed > timezone.localdate():
            errors["confirmed_on"] = "情報確認日に未来の日付は指定できません。"
    capacity, free = values.get("capacity"), values.get("places_free")
    for name, value in (("capacity", capacity), ("places_free", free)):
        if value is not None and (not isinstance(value, int) or value < 0):
            errors[name] = "0以上の整数で入力してください。"
    if (
        "capacity" not in errors
        and "places_free" not in errors
        and capacity is not None
        and free is not None
        and free > capacity
    ):
        errors["places_free"] = "いまの空きは定員以下にしてください。"
    return values, errors


def _save_schedules(resource: Resource, rows: list[ScheduleIn]) -> None:
    resource.schedules.all().delete()
    Schedule.objects.bulk_create(
        [
            Schedule(
                resource=resource,
                freq=row.freq,
                weekday=row.weekday,
                weeks=sorted(set(row.weeks)) if row.freq == Frequency.MONTHLY else [],
                opens_at=row.opens_at,
                closes_at=row.closes_at,
                note=row.note.strip(),
            )
            for row in rows
        ]
    )


def _schedule_snapshot(resource: Resource) -> list[str]:
    return [s.label for s in resource.schedules.all()]


def organization_get_or_create(*, by, name: str) -> Organization:
    _require_editor(by)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"organization": "提供団体の名前を入力してください。"})
    errors = max_length_errors(Organization, name=name)
    if errors:
        raise ValidationError({"organization": errors["name"]})
    org = Organization.objects.filter(name=name).order_by("pk").first()
    if org is None:
        org = Organization.objects.create(name=name)
        audit_record(actor=by, action="resource.organization_create", target=org)
    return org


def resource_create(
    *,
    by,
    organization: Organization | None,
    name: str,
    kind: ResourceKind | None,
    confirmed_on: datetime.date | None,
    schedules: list[ScheduleIn] = (),
    **fields,
) -> Resource:
    """Add a resource with its schedules (all or nothing)."""
    _require_editor(by)
    values, errors = _clean(
        {
            "organization": organization,
            "name": name,
            "kind": kind,
            "confirmed_on": confirmed_on,
            "targets": fields.pop("targets", []),
            **fields,
        }
    )
    unknown = set(values) - {f.name for f in Resource._meta.get_fields()}
    if unknown:
        raise ValidationError({k: "この項目は登録できません。" for k in unknown})
    errors.update(schedule_errors(list(schedules)))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        resource = Resource(created_by=by, **values)
        resource.search_text = search_text(resource)
        resource.save()
        _save_schedules(resource, list(schedules))
        audit_record(
            actor=by,
            action="resource.create",
            target=resource,
            changes={
                **diff({}, snapshot(resource, RESOURCE_FIELDS)),
                "schedules": {"before": None, "after": _schedule_snapshot(resource)},
            },
        )
    return resource


def resource_update(
    *, by, resource: Resource, schedules: list[ScheduleIn] | None = None, **changes
) -> Resource:
    """Change a resource (and, when ``schedules`` is given, replace its schedules)."""
    _require_editor(by)
    allowed = {f.name for f in Resource._meta.get_fields()} - {
        "id",
        "search_text",
        "created_by",
        "created_at",
        "updated_at",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({k: "この項目は変更できません。" for k in unknown})
    values, errors = _clean(changes)
    capacity = values.get("capacity", resource.capacity)
    free = values.get("places_free", resource.places_free)
    if (
        "places_free" not in errors
        and capacity is not None
        and free is not None
        and free > capacity
    ):
        errors["places_free"] = "いまの空きは定員以下にしてください。"
    if schedules is not None:
        errors.update(schedule_errors(list(schedules)))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        before = snapshot(locked, RESOURCE_FIELDS)
        before_schedules = _schedule_snapshot(locked)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.search_text = search_text(locked)
        locked.save()
        changed = diff(before, snapshot(locked, RESOURCE_FIELDS))
        if schedules is not None:
            _save_schedules(locked, list(schedules))
            after_schedules = _schedule_snapshot(locked)
            if after_schedules != before_schedules:
                changed["schedules"] = {"before": before_schedules, "after": after_schedules}
        audit_record(actor=by, action="resource.update", target=locked, changes=changed)
    return locked


def resource_confirm(*, by, resource: Resource, on: datetime.date | None = None) -> Resource:
    """The information was checked with the provider (情報確認): today, unless given."""
    on = on or timezone.localdate()
    return resource_update(by=by, resource=resource, confirmed_on=on)


def exception_add(
    *,
    by,
    resource: Resource,
    date: datetime.date | None,
    is_closed: bool = True,
    opens_at: datetime.time | None = None,
    closes_at: datetime.time | None = None,
    note: str = "",
) -> ScheduleException:
    """A date the usual schedule does not hold (closed, or open at other times)."""
    _require_editor(by)
    errors = {}
    note = (note or "").strip()
    if date is None:
        errors["date"] = "日付を入力してください。"
    if not is_closed:
        if opens_at is None or closes_at is None:
            errors["opens_at"] = "開く日は、開始時刻と終了時刻を入力してください。"
        elif closes_at <= opens_at:
            errors["closes_at"] = "終了時刻は開始時刻より後にしてください。"
    if len(note) > 200:
        errors["note"] = "備考は200文字以内で入力してください。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if ScheduleException.objects.filter(resource=resource, date=date).exists():
            raise ValidationError({"date": "この日付の例外は既に登録されています。"})
        exception = ScheduleException.objects.create(
            resource=resource,
            date=date,
            is_closed=is_closed,
            opens_at=None if is_closed else opens_at,
            closes_at=None if is_closed else closes_at,
            note=note,
        )
        audit_record(
            actor=by,
            action="resource.exception_add",
            target=exception,
            context={"resource": resource.pk, "date": date.isoformat()},
        )
    return exception


HOST_FIELDS = ("contact_person", "tasks", "conditions", "concerns", "assessment")
HOST_AUDITED = (*HOST_FIELDS, "assessed_on")


def host_save(
    *,
    by,
    resource: Resource,
    contact_person: str,
    tasks: str,
    conditions: str = "",
    concerns: str = "",
    assessment: str = "",
    assessed_on: datetime.date | None = None,
) -> HostProfile:
    """The host profile (受け入れ先) of a resource, and its assessment when given."""
    _require_editor(by)
    values = {
        "contact_person": (contact_person or "").strip(),
        "tasks": (tasks or "").strip(),
        "conditions": (conditions or "").strip(),
        "concerns": (concerns or "").strip(),
        "assessment": (assessment or "").strip(),
    }
    errors = max_length_errors(HostProfile, contact_person=values["contact_person"])
    if not values["contact_person"]:
        errors["contact_person"] = "受け入れ先の担当者を入力してください。"
    if not values["tasks"]:
        errors["tasks"] = "切り出せる業務・役割を入力してください。"
    for name in ("tasks", "conditions", "concerns", "assessment"):
        if len(values[name]) > TEXT_MAX:
            label = HostProfile._meta.get_field(name).verbose_name
            errors[name] = f"{label}は{TEXT_MAX}文字以内で入力してください。"
    if values["assessment"] and assessed_on is None:
        errors["assessed_on"] = "アセスメントの日を入力してください。"
    elif assessed_on is not None and assessed_on > timezone.localdate():
        errors["assessed_on"] = "アセスメントの日に未来の日付は指定できません。"
    elif assessed_on is not None and not values["assessment"]:
        errors["assessment"] = "アセスメントの内容を入力してください。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        host = HostProfile.objects.select_for_update().filter(resource=resource).first()
        before = snapshot(host, HOST_AUDITED) if host else {}
        if host is None:
            host = HostProfile(resource=resource)
        for name, value in values.items():
            setattr(host, name, value)
        if assessed_on is not None and assessed_on != host.assessed_on:
            host.assessed_on = assessed_on
            host.assessed_by = by
        host.save()
        audit_record(
            actor=by,
            action="resource.host_save",
            target=host,
            context={"resource": resource.pk},
            changes=diff(before, snapshot(host, HOST_AUDITED)),
        )
    return host
