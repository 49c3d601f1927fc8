"""Reads of the 社会資源 directory: the search a participation worker runs with the person
beside them (each result says why it matched), one resource, and the entries whose
information is due for re-checking (情報確認日 older than ``TSUNAGU["RESOURCE_STALE_MONTHS"]``,
default 12)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Page
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tsunagu.accounts.selectors import area_ids_under
from tsunagu.common.fiscal import add_months
from tsunagu.common.paging import CappedPaginator, rows_by_ids
from tsunagu.common.wareki import format_wareki
from tsunagu.linkage.normalize import normalize_name

from .models import WEEKDAYS, Frequency, Resource, ResourceStatus, Target


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
    """The area and every area under it."""
    return area_ids_under(area_id)


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
        # a join from the matching schedules (one filter: the same schedule row), each
        # resource once: the database reads the day's schedules from their index and looks
        # their resources up, instead of asking every open resource whether it has one
        slots = {}
        if criteria.weekday is not None:
            slots["schedules__weekday"] = criteria.weekday
        if criteria.at is not None:
            slots["schedules__opens_at__lte"] = criteria.at
            slots["schedules__closes_at__gt"] = criteria.at
        qs = qs.filter(**slots).distinct()
    for word in criteria.words:
        qs = qs.filter(search_text__contains=word)
    return qs.order_by("name", "id")


@dataclass
class Row:
    """A search result with the reasons it matched (shown beside it)."""

    resource: Resource
    reasons: list[str] = field(default_factory=list)
    stale: bool = False
    #: as the row shows them: when it is open (each schedule's label), who it is for, who
    #: runs it and where, the date its information was confirmed (和暦)
    schedule_labels: list[str] = field(default_factory=list)
    targets: str = ""
    where: str = ""
    confirmed: str = ""
    url: str = ""  # its page (set by the screen)


def explain(resources: list[Resource], criteria: ResourceSearch) -> list[Row]:
    """Why each resource matched, in the words of the search."""
    limit = stale_before()
    rows = []
    for r in resources:
        reasons = []
        schedules = list(r.schedules.all())
        if criteria.kind:
            reasons.append(f"種類：{r.kind.name}")
        if criteria.area and r.area_id:
            reasons.append(f"圏域：{r.area.name}")
        slots = [
            s
            for s in schedules
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
        rows.append(
            Row(
                r,
                reasons,
                r.confirmed_on < limit,
                schedule_labels=[s.label for s in schedules],
                targets="・".join(r.target_labels()),
                where="・".join(
                    part
                    for part in (r.organization.name, r.area.name if r.area_id else "", r.address)
                    if part
                ),
                confirmed=format_wareki(r.confirmed_on),
            )
        )
    return rows


def with_related(qs: QuerySet[Resource]) -> QuerySet[Resource]:
    return qs.select_related("organization", "kind", "area").prefetch_related("schedules")


#: what a result row of the search page shows (and :func:`explain` reads)
ROW_FIELDS = (
    "name",
    "status",
    "kind__name",
    "organization__name",
    "area__name",
    "address",
    "capacity",
    "places_free",
    "targets",
    "target_attributes",
    "cost",
    "confirmed_on",
)


def rows_of(ids: list[int]) -> list[Resource]:
    """The search's results with these ids, in this order, as the page lists them: the
    columns a row shows, with its organisation, kind and area names and its schedules (the
    export reads every column, through :func:`with_related`). Read by id alone: with the
    search's filters again, SQLite walked every open resource to find the 25."""
    return rows_by_ids(with_related(Resource.objects.only(*ROW_FIELDS)), ids)


class SearchPaginator(CappedPaginator):
    """The search's pages (``object_list``: :func:`search`), each page's rows read by
    :func:`rows_of`. The first page's ids are read before anything is counted, and a first
    page that is not full is its own count: a rare word is looked for once, not for the
    count and again for the page. (Reading the ids of every match at once, in order, would
    save the count of a full page too, but then the database sorts every match, or walks
    the search's order through every open resource, to answer it.)"""

    def __init__(self, object_list, per_page, *, number=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.first_ids = None
        if str(number or "1").strip() == "1":
            self.first_ids = list(object_list.values_list("pk", flat=True)[:per_page])
            if len(self.first_ids) < per_page:
                self.__dict__["_counted"] = len(self.first_ids)

    def _get_page(self, object_list, number, paginator) -> Page:
        if number == 1 and self.first_ids is not None:
            ids = self.first_ids
        else:
            ids = list(object_list.values_list("pk", flat=True))
        return Page(rows_of(ids), number, paginator)


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
