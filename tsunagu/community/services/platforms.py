"""Writes of プラットフォーム: a recurring gathering with its member organisations (an agency
of the system or a group by name, with its role, joined and left). Its meetings are the
activities that name it (:mod:`tsunagu.community.services.activities`).

Community coordinators and the office write (``community.edit``); the rules are checked here
with Japanese messages before anything is written, and each write is audited.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tsunagu.accounts.models import Agency, Area
from tsunagu.audit.services import audit_record, diff, snapshot
from tsunagu.common.validation import max_length_errors
from tsunagu.common.wareki import format_wareki

from ..models import Platform, PlatformMember
from ..permissions import NOT_COORDINATOR, NOT_EDITOR, keeps_activities, may_coordinate

TEXT_MAX = 4000
PLATFORM_FIELDS = (
    "name",
    "area_id",
    "description",
    "coordinator_id",
    "started_on",
    "ended_on",
)
CHANGEABLE = {"name", "area", "description", "coordinator", "started_on", "ended_on"}


def _require_editor(by) -> None:
    if not keeps_activities(by):
        raise PermissionDenied(NOT_EDITOR)


def _clean(values: dict, *, platform: Platform | None = None) -> tuple[dict, dict]:
    errors: dict[str, str] = {}
    values["name"] = (values.get("name") or "").strip()
    values["description"] = (values.get("description") or "").strip()
    if not values["name"]:
        errors["name"] = "プラットフォームの名称を入力してください。"
    errors.update(max_length_errors(Platform, name=values["name"]))
    if len(values["description"]) > TEXT_MAX:
        errors["description"] = f"目的・内容は{TEXT_MAX}文字以内で入力してください。"
    area = values.get("area")
    if area is not None and not isinstance(area, Area):
        errors["area"] = "圏域・社協支部を選択肢から選んでください。"
    coordinator = values.get("coordinator")
    changed = platform is None or platform.coordinator_id != getattr(coordinator, "pk", None)
    if coordinator is not None and changed and not may_coordinate(coordinator):
        errors["coordinator"] = NOT_COORDINATOR
    started_on, ended_on = values.get("started_on"), values.get("ended_on")
    if not isinstance(started_on, datetime.date):
        errors["started_on"] = "開始日を入力してください。"
    elif ended_on is not None and ended_on < started_on:
        errors["ended_on"] = "終了日は開始日より後の日付にしてください。"
    if platform is not None and isinstance(started_on, datetime.date):
        first = platform.members.order_by("joined_on").first()
        if first is not None and first.joined_on < started_on:
            errors["started_on"] = (
                f"「{first.name}」が{format_wareki(first.joined_on)}に参加しています。"
                "開始日はそれより後にできません。"
            )
    if platform is not None and ended_on is not None and "ended_on" not in errors:
        later = platform.activities.filter(starts_at__date__gt=ended_on).order_by("starts_at")
        if (found := later.first()) is not None:
            errors["ended_on"] = (
                f"{format_wareki(timezone.localdate(found.starts_at))}の「{found.title}」が"
                "このプラットフォームの集まりです。終了日はそれより後にしてください。"
            )
    return values, errors


def platform_create(
    *,
    by,
    name: str,
    started_on: datetime.date | None,
    area: Area | None = None,
    description: str = "",
    coordinator=None,
    ended_on: datetime.date | None = None,
) -> Platform:
    _require_editor(by)
    values, errors = _clean(
        {
            "name": name,
            "area": area,
            "description": description,
            "coordinator": coordinator,
            "started_on": started_on,
            "ended_on": ended_on,
        }
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        platform = Platform.objects.create(created_by=by, **values)
        audit_record(
            actor=by,
            action="community.platform_create",
            target=platform,
            changes=diff({}, snapshot(platform, PLATFORM_FIELDS)),
        )
    return platform


def platform_update(*, by, platform: Platform, **changes) -> Platform:
    """Change a platform (ending it is setting ``ended_on``)."""
    _require_editor(by)
    unknown = set(changes) - CHANGEABLE
    if unknown:
        raise ValidationError({k: "この項目は変更できません。" for k in sorted(unknown)})
    with transaction.atomic():
        locked = Platform.objects.select_for_update().get(pk=platform.pk)
        current = {
            "name": locked.name,
            "area": locked.area,
            "description": locked.description,
            "coordinator": locked.coordinator,
            "started_on": locked.started_on,
            "ended_on": locked.ended_on,
        }
        values, errors = _clean({**current, **changes}, platform=locked)
        if errors:
            raise ValidationError(errors)
        before = snapshot(locked, PLATFORM_FIELDS)
        for key, value in values.items():
            setattr(locked, key, value)
        locked.save()
        audit_record(
            actor=by,
            action="community.platform_update",
            target=locked,
            changes=diff(before, snapshot(locked, PLATFORM_FIELDS)),
        )
    return locked


def member_add(
    *,
    by,
    platform: Platform,
    joined_on: datetime.date | None,
    name: str = "",
    agency: Agency | None = None,
    role: str = "",
) -> PlatformMember:
    """A member organisation joins: an agency of the system (its name is used when none is
    given) or a group by name. Not twice while a member, not before the platform began nor
    after it ended."""
    _require_editor(by)
    name = (name or "").strip() or (agency.name if agency else "")
    role = (role or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "団体名を入力するか、機関を選んでください。"
    errors.update(max_length_errors(PlatformMember, name=name, role=role))
    if not isinstance(joined_on, datetime.date):
        errors["joined_on"] = "参加日を入力してください。"
    elif joined_on < platform.started_on:
        errors["joined_on"] = (
            f"参加日はプラットフォームの開始日（{format_wareki(platform.started_on)}）"
            "より後にしてください。"
        )
    elif platform.ended_on is not None and joined_on > platform.ended_on:
        errors["joined_on"] = (
            f"このプラットフォームは{format_wareki(platform.ended_on)}に終了しています。"
        )
    if name and "name" not in errors:
        current = platform.members.filter(left_on__isnull=True)
        same = current.filter(agency=agency) if agency is not None else current.filter(name=name)
        if same.exists():
            errors["name"] = f"「{name}」は既に構成団体です。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        member = PlatformMember.objects.create(
            platform=platform, agency=agency, name=name, role=role, joined_on=joined_on
        )
        audit_record(
            actor=by,
            action="community.platform_member_add",
            target=platform,
            context={"member": member.pk, "name": name, "role": role},
        )
    return member


def member_leave(*, by, member: PlatformMember, left_on: datetime.date | None) -> PlatformMember:
    """A member organisation leaves (the row stays, with the day it left)."""
    _require_editor(by)
    errors = {}
    if member.left_on is not None:
        errors["left_on"] = f"「{member.name}」は{format_wareki(member.left_on)}に退会しています。"
    elif not isinstance(left_on, datetime.date):
        errors["left_on"] = "退会日を入力してください。"
    elif left_on < member.joined_on:
        errors["left_on"] = (
            f"退会日は参加日（{format_wareki(member.joined_on)}）より後にしてください。"
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = PlatformMember.objects.select_for_update().get(pk=member.pk)
        if locked.left_on is not None:
            raise ValidationError({"left_on": "ほかの方が先に退会を記録しました。"})
        locked.left_on = left_on
        locked.save(update_fields=["left_on"])
        audit_record(
            actor=by,
            action="community.platform_member_leave",
            target=locked.platform,
            context={"member": locked.pk, "name": locked.name, "left_on": left_on.isoformat()},
        )
    return locked
