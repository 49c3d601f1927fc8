"""What the 社会資源 operations share: the directory is staff-only (403 for meeting guests and
system administrators, before anything is looked up), a resource unknown answers 404, a write
by anyone who does not keep the directory 403; the lookups of the ids and codes a request
names (422 when unknown), times typed ``HH:MM``, and a resource's whole answer."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import PermissionDenied

from tsunagu.accounts.models import Area
from tsunagu.accounts.selectors import area_list
from tsunagu.api.errors import invalid
from tsunagu.api.permissions import require_perm
from tsunagu.api.schemas import ErrorOut, InvalidOut

from .. import selectors
from ..models import HostProfile, Organization, Resource, ResourceKind
from ..permissions import NOT_EDITOR
from ..services import ScheduleIn

#: the error answers of a write on a resource
WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 422: InvalidOut}

#: the service's fields by the request body's names
RESOURCE_FIELDS = {"organization": "organization_id", "area": "area_id"}

TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")


def reading(request) -> None:
    """403 unless the user is staff (every member of staff reads the directory)."""
    require_perm(request, "resources.view")


def keeping(request) -> None:
    """403 unless the user keeps the directory (the office, participation workers and
    community coordinators)."""
    reading(request)
    if not request.user.has_perm("resources.edit"):
        raise PermissionDenied(NOT_EDITOR)


def resource_for(request, resource_id) -> Resource:
    """The resource, or 404."""
    reading(request)
    return selectors.get_resource(resource_id)


def editing(request, resource_id) -> Resource:
    """The resource for a write: 404 when unknown, 403 unless the user keeps the directory."""
    resource = resource_for(request, resource_id)
    keeping(request)
    return resource


TIME_MESSAGE = "時刻は 00:00〜23:59 の「HH:MM」の形で入力してください。"


def _time(value: str | None) -> datetime.time | None:
    """A time typed ``HH:MM`` (``10:30``); ``ValueError`` when it is not one."""
    if value is None or not str(value).strip():
        return None
    match = TIME_RE.match(str(value).strip())
    if not match:
        raise ValueError(TIME_MESSAGE)
    return datetime.time(int(match[1]), int(match[2]))  # ValueError past 23:59


def time_input(value: str | None, field: str) -> datetime.time | None:
    """A time typed ``HH:MM``, or 422 naming ``field``."""
    try:
        return _time(value)
    except ValueError as exc:
        raise invalid({field: TIME_MESSAGE}) from exc


def kind_of(value: str | int | None, field: str = "kind") -> ResourceKind | None:
    """A kind by its code (``ibasho``) or its id."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    found = ResourceKind.objects.filter(
        **({"pk": int(text)} if text.isdigit() else {"code": text})
    ).first()
    if found is None:
        raise invalid({field: "指定された種類が見つかりません。"})
    return found


def area_of(pk: int | None, field: str = "area_id") -> Area | None:
    if pk is None:
        return None
    area = area_list().filter(pk=pk).first()
    if area is None:
        raise invalid({field: "指定された圏域が見つかりません。"})
    return area


def organization_of(pk: int, field: str = "organization_id") -> Organization:
    found = Organization.objects.filter(pk=pk).first()
    if found is None:
        raise invalid({field: "指定された提供団体が見つかりません。"})
    return found


def schedule_ins(rows) -> list[ScheduleIn]:
    """The schedule rows of a request (``schedules.<n>`` names a row, from 1)."""
    found, errors = [], {}
    for n, row in enumerate(rows, start=1):
        try:
            opens_at, closes_at = _time(row.opens_at), _time(row.closes_at)
        except ValueError:
            errors[f"schedules.{n}"] = f"{n}行目：{TIME_MESSAGE}"
            continue
        found.append(
            ScheduleIn(
                freq=row.freq,
                weekday=row.weekday,
                opens_at=opens_at,
                closes_at=closes_at,
                weeks=tuple(row.weeks),
                note=row.note,
            )
        )
    if errors:
        raise invalid(errors)
    return found


def resource_answer(request, resource: Resource) -> Resource:
    """The resource read again, whole: schedules, exceptions by date, host profile."""
    fresh = selectors.get_resource(resource.pk)
    fresh.shown_exceptions = list(fresh.exceptions.order_by("date", "id"))
    fresh.shown_host = (
        HostProfile.objects.select_related("assessed_by").filter(resource=fresh).first()
    )
    fresh.may_edit = request.user.has_perm("resources.edit")
    return fresh
