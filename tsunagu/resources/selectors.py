"""Reads of the 社会資源 directory: the search a participation worker runs with the person
beside them (each result says why it matched), one resource, and the entries whose
information is due for re-checking (情報確認日 older than ``TSUNAGU["RESOURCE_STALE_MONTHS"]``,
default 12)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tsunagu.accounts.models import Area
from tsunagu.common.fiscal import add_months
from tsunagu.linkage.normalize import normalize_name

from .models import WEEKDAYS, Frequency, Resource, ResourceStatus, Schedule, Target


def stale_months() -> int:
    return int(settings.TSUNAGU.get("RESOURCE_STALE_MONTHS", 12))


def stale_before(today: datetime.date | None = None) -> datetime.date:
    """A resource confirmed before this day is due for re-checking."""
    return add_months(today or timezone.localdate(), -stale_months())


@dataclass(frozen=True)
class ResourceSearch:
    q: str = ""
    kind: int | None = None
    area: int | None = None
    weekday: int | None = None  # 0 = Monday
    at: datetime.time | None = None  # open at this time (with ``weekday``, or any day)
    target: str = ""
    free_only: bool = False
    status: str = ResourceStatus.OPEN  # "" for every status
    stale_only: bool = False

    @property
    def words(self) -> list[str]:
        return [w for w in (normalize_name(x) for x in self.q.split()) if w]


def area_ids(area_id: int) -> list[int]:
    """The area and every area under it (市全域 > 日常生活圏域 > 地区)."""
    found, frontier = [area_id], [area_id]
    while frontier:
        frontier = list(Area.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        found += frontier
    return found


def search(criteria: ResourceSearch = ResourceSearch()) -> QuerySet[Resource]:
    """Resources matching every criterion given, by name."""
    qs = Resource.objects.all()
    if criteria.status:
        qs = qs.filter(status=criteria.status)
    if criteria.kind:
        qs = qs.filter(kind_id=criteria.kind)
    if criteria.area:
        qs = qs.filter(area_id__in=area_ids(criteria.area))
    if criteria.target:
        qs = qs.filter(targets__contains=f"|{criteria.target}|")
    if criteria.free_only:
        qs = qs.filter(Q(places_free__isnull=True) | Q(places_free__gt=0))
    if criteria.stale_only:
        qs = qs.filter(confirmed_on__lt=stale_before())
    if criteria.weekday is not None or criteria.at is not None:
        slots = Schedule.objects.filter(resource=OuterRef("pk"))
        if criteria.weekday is not None:
            slots = slots.filter(weekday=criteria.weekday)
        if criteria.at is not None:
            slots = slots.filter(opens_at__lte=criteria.at, closes_at__gt=criteria.at)
        qs = qs.filter(Exists(slots))
    for word in criteria.words:
        qs = qs.filter(search_text__contains=word)
    return qs.order_by("name", "id")


@dataclass
class Row:
    """A search result with the reasons it matched (shown beside it)."""

    resource: Resource
    reasons: list[str] = field(default_factory=list)
    stale: bool = False


def explain(resources: list[Resource], criteria: ResourceSearch) -> list[Row]:
    """Why each resource matched, in the words of the search."""
    limit = stale_before()
    rows = []
    for r in resources:
        reasons = []
        if criteria.kind:
            reasons.append(f"種類：{r.kind.name}")
        if criteria.area and r.area_id:
            reasons.append(f"圏域：{r.area.name}")
        slots = [
            s
            for s in r.schedules.all()
            if (criteria.weekday is None or s.weekday == criteria.weekday)
            and (criteria.at is None or s.opens_at <= criteria.at < s.closes_at)
        ]
        if criteria.weekday is not None or criteria.at is not None:
            reasons += [f"開いている：{s.label}" for s in slots]
        if criteria.target:
            reasons.append(f"対象：{Target(criteria.target).label}")
        if criteria.free_only:
            reasons.append("空きあり" if r.places_free is None else f"空き {r.places_free}人")
        for word in criteria.words:
            reasons.append(f"「{word}」を含む")
        rows.append(Row(r, reasons, r.confirmed_on < limit))
    return rows


def with_related(qs: QuerySet[Resource]) -> QuerySet[Resource]:
    return qs.select_related("organization", "kind", "area").prefetch_related("schedules")


def get_resource(pk) -> Resource:
    try:
        return with_related(Resource.objects.all()).get(pk=int(pk))
    except (Resource.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def due_for_recheck() -> QuerySet[Resource]:
    """Resources still in use whose information is older than the configured age."""
    return Resource.objects.exclude(status=ResourceStatus.ENDED).filter(
        confirmed_on__lt=stale_before()
    )


WEEKDAY_CHOICES = [(n, f"{d}曜") for n, d in enumerate(WEEKDAYS)]
FREQUENCIES = Frequency
