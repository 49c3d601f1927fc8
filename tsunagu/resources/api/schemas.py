"""The answers of the 社会資源 API: a resource (a search result with the reasons it matched,
or whole with its schedules, exceptions and host profile), the kinds and the HSDS tables.
Every name begins ``Resource`` (the OpenAPI schema's names are shared by every app)."""

import datetime
from typing import Any

from ninja import Schema

from tsunagu.common.wareki import format_wareki

from ..models import HostProfile, Resource, Schedule, ScheduleException
from ..selectors import WEEKDAY_CHOICES, stale_before


def hhmm(value: datetime.time | None) -> str | None:
    return f"{value:%H:%M}" if value is not None else None


class ResourceKindOut(Schema):
    id: int
    code: str
    name: str


class ResourceScheduleOut(Schema):
    """When it is open: ``weekly`` on ``weekday`` (0 = 月), or ``monthly`` on the ``weeks`` of
    the month (``[2, 4]`` = 第2・第4); times ``HH:MM``."""

    id: int
    freq: str
    freq_label: str
    weekday: int
    weekday_label: str
    weeks: list[int]
    opens_at: str
    closes_at: str
    note: str
    label: str

    @staticmethod
    def resolve_freq_label(obj: Schedule) -> str:
        return obj.get_freq_display()

    @staticmethod
    def resolve_weekday_label(obj: Schedule) -> str:
        return dict(WEEKDAY_CHOICES)[obj.weekday]

    @staticmethod
    def resolve_opens_at(obj: Schedule) -> str:
        return hhmm(obj.opens_at)

    @staticmethod
    def resolve_closes_at(obj: Schedule) -> str:
        return hhmm(obj.closes_at)


class ResourceExceptionOut(Schema):
    """A date the usual schedule does not hold: closed, or open from ``opens_at`` to
    ``closes_at``."""

    id: int
    date: datetime.date
    date_wareki: str
    is_closed: bool
    opens_at: str | None
    closes_at: str | None
    note: str

    @staticmethod
    def resolve_date_wareki(obj: ScheduleException) -> str:
        return format_wareki(obj.date)

    @staticmethod
    def resolve_opens_at(obj: ScheduleException) -> str | None:
        return hhmm(obj.opens_at)

    @staticmethod
    def resolve_closes_at(obj: ScheduleException) -> str | None:
        return hhmm(obj.closes_at)


class ResourceHostOut(Schema):
    """受け入れ先: what can be carved out for a person, and the host's own assessment."""

    contact_person: str
    tasks: str
    conditions: str
    concerns: str
    assessment: str
    assessed_on: datetime.date | None
    assessed_on_wareki: str | None
    assessed_by_name: str | None
    is_assessed: bool
    updated_at: datetime.datetime

    @staticmethod
    def resolve_assessed_on_wareki(obj: HostProfile) -> str | None:
        return format_wareki(obj.assessed_on) if obj.assessed_on else None

    @staticmethod
    def resolve_assessed_by_name(obj: HostProfile) -> str | None:
        user = obj.assessed_by
        return (user.display_name or user.get_username()) if user is not None else None


class ResourceOrganizationOut(Schema):
    id: int
    name: str
    description: str
    phone: str
    email: str
    url: str


class ResourceOut(Schema):
    """A resource as the directory lists it; ``stale``: its information (情報確認日) is due
    for re-checking."""

    id: int
    name: str
    organization_id: int
    organization_name: str
    kind_id: int
    kind_code: str
    kind_name: str
    description: str
    targets: list[str]
    target_labels: list[str]
    target_attributes: str
    conditions: str
    area_id: int | None
    area_name: str | None
    postal_code: str
    address: str
    capacity: int | None
    places_free: int | None
    is_full: bool
    cost: str
    contact_name: str
    phone: str
    email: str
    accessibility: str
    status: str
    status_label: str
    confirmed_on: datetime.date
    confirmed_on_wareki: str
    stale: bool
    schedule_labels: list[str]

    @staticmethod
    def resolve_organization_name(obj: Resource) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_kind_code(obj: Resource) -> str:
        return obj.kind.code

    @staticmethod
    def resolve_kind_name(obj: Resource) -> str:
        return obj.kind.name

    @staticmethod
    def resolve_targets(obj: Resource) -> list[str]:
        return obj.target_list

    @staticmethod
    def resolve_target_labels(obj: Resource) -> list[str]:
        return obj.target_labels()

    @staticmethod
    def resolve_area_name(obj: Resource) -> str | None:
        return obj.area.name if obj.area_id else None

    @staticmethod
    def resolve_status_label(obj: Resource) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_confirmed_on_wareki(obj: Resource) -> str:
        return format_wareki(obj.confirmed_on)

    @staticmethod
    def resolve_stale(obj: Resource) -> bool:
        return obj.confirmed_on < stale_before()

    @staticmethod
    def resolve_schedule_labels(obj: Resource) -> list[str]:
        return [s.label for s in obj.schedules.all()]


class ResourceRowOut(ResourceOut):
    """A search result with the reasons it matched (「開いている：毎週水曜 10:00〜12:00」)."""

    reasons: list[str]

    @staticmethod
    def resolve_reasons(obj: Resource) -> list[str]:
        return getattr(obj, "reasons", [])  # set by the search's page


class ResourceDetailOut(ResourceOut):
    """A resource whole: its organisation, schedules, exceptions (by date) and host profile
    (``null`` when it takes no one in); ``may_edit``: the user keeps the directory."""

    organization: ResourceOrganizationOut
    schedules: list[ResourceScheduleOut]
    exceptions: list[ResourceExceptionOut]
    host: ResourceHostOut | None
    may_edit: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_schedules(obj: Resource) -> list:
        return list(obj.schedules.all())

    @staticmethod
    def resolve_exceptions(obj: Resource) -> list:
        return obj.shown_exceptions  # set by resource_answer

    @staticmethod
    def resolve_host(obj: Resource):
        return obj.shown_host  # set by resource_answer

    @staticmethod
    def resolve_may_edit(obj: Resource) -> bool:
        return obj.may_edit  # set by resource_answer


class ResourceHsdsOut(Schema):
    """The directory as HSDS 3.0 tables (see ``tsunagu.resources.hsds``)."""

    organizations: list[dict[str, Any]]
    services: list[dict[str, Any]]
    locations: list[dict[str, Any]]
    service_at_locations: list[dict[str, Any]]
    schedules: list[dict[str, Any]]


class ResourceHsdsCountsOut(Schema):
    """What an import added: new organisations, resources, locations, schedules."""

    organizations: int
    resources: int
    locations: int
    schedules: int
