"""Reads of 地域づくり活動 and プラットフォーム: the activity search (words, kind, area with the
areas under it, dates or a 年度, platform), one activity with what the user may see of the
consultations raised there, and the platforms with their members and meetings.

Activities and platforms hold no personal data: every member of staff reads them
(``community.view``); the consultations linked to an activity are personal data and are
shown only to those who may see them (``Consultation.objects.visible_to``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tsunagu.consultations.models import Consultation
from tsunagu.resources.selectors import area_ids

from ..models import Activity, ActivityOrganiser, Platform
from ..permissions import reads_community


@dataclass(frozen=True)
class ActivitySearch:
    q: str = ""
    kind: int | None = None
    area: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    fiscal_year: int | None = None  # the Gregorian year the 年度 starts
    platform: int | None = None


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def activity_search(criteria: ActivitySearch = ActivitySearch()) -> QuerySet[Activity]:
    """Newest first. A 年度 and a date range narrow together."""
    qs = Activity.objects.select_related("kind", "area", "place", "platform", "coordinator")
    if criteria.kind:
        qs = qs.filter(kind_id=criteria.kind)
    if criteria.area:
        qs = qs.filter(area_id__in=area_ids(criteria.area))
    if criteria.platform:
        qs = qs.filter(platform_id=criteria.platform)
    if criteria.fiscal_year:
        qs = qs.filter(fiscal_year=criteria.fiscal_year)  # kept on each row by Activity.save
    if criteria.date_from:
        qs = qs.filter(starts_at__gte=_day_start(criteria.date_from))
    if criteria.date_to:
        qs = qs.filter(starts_at__lt=_day_start(criteria.date_to + datetime.timedelta(days=1)))
    for word in criteria.q.split():
        organisers = ActivityOrganiser.objects.filter(activity=OuterRef("pk"), name__icontains=word)
        qs = qs.filter(
            Q(title__icontains=word)
            | Q(discussed__icontains=word)
            | Q(outcome__icontains=word)
            | Q(place_text__icontains=word)
            | Q(place__name__icontains=word)
            | Exists(organisers)
        )
    return qs.order_by("-starts_at", "-id")


def with_rows(activities: list[Activity]) -> list[Activity]:
    """Set ``organiser_names`` on each activity (one query)."""
    by_activity: dict[int, list[str]] = {}
    for activity_id, name in ActivityOrganiser.objects.filter(
        activity_id__in=[a.pk for a in activities]
    ).values_list("activity_id", "name"):
        by_activity.setdefault(activity_id, []).append(name)
    for activity in activities:
        activity.organiser_names = by_activity.get(activity.pk, [])
    return activities


def activity_get(user, pk: int) -> Activity:
    """One activity with its organisers, counts and gaps (404 for those who do not read the
    community side, and for an unknown id)."""
    if not reads_community(user):
        raise Http404
    found = (
        Activity.objects.select_related(
            "kind", "area", "place", "platform", "coordinator", "created_by"
        )
        .prefetch_related("organisers__agency", "attribute_counts__attribute", "gap_links__gap")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def consultations_shown(user, activity: Activity) -> list[Consultation]:
    """The consultations raised at the activity that ``user`` may see (no others are
    counted or named)."""
    ids = activity.consultation_links.values("consultation_id")
    return list(
        Consultation.objects.visible_to(user)
        .filter(pk__in=ids)
        .select_related("agency")
        .order_by("received_on", "pk")
    )


def consultation_label(consultation: Consultation) -> str:
    from tsunagu.common.wareki import format_wareki

    return (
        f"相談受付 #{consultation.pk}（{format_wareki(consultation.received_on)}・"
        f"{consultation.agency.name}）"
    )


# ------------------------------------------------------------------------------- platforms


@dataclass(frozen=True)
class PlatformSearch:
    q: str = ""
    area: int | None = None
    ended: bool = False  # also the platforms that have ended


def platform_search(criteria: PlatformSearch = PlatformSearch()) -> QuerySet[Platform]:
    qs = Platform.objects.select_related("area", "coordinator")
    if not criteria.ended:
        qs = qs.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=timezone.localdate()))
    if criteria.area:
        qs = qs.filter(area_id__in=area_ids(criteria.area))
    for word in criteria.q.split():
        qs = qs.filter(
            Q(name__icontains=word)
            | Q(description__icontains=word)
            | Q(members__name__icontains=word)
        )
    return qs.distinct().order_by("name", "pk")


def platform_get(user, pk: int) -> Platform:
    if not reads_community(user):
        raise Http404
    found = Platform.objects.select_related("area", "coordinator", "created_by").filter(pk=pk)
    platform = found.first()
    if platform is None:
        raise Http404
    return platform


def platform_members(platform: Platform) -> list:
    return list(platform.members.select_related("agency").order_by("left_on", "joined_on", "pk"))


def platform_meetings(platform: Platform) -> list[Activity]:
    """The platform's history: the activities that name it, newest first."""
    return list(
        platform.activities.select_related("kind", "area", "place").order_by("-starts_at", "-pk")
    )


def open_platforms(current: Platform | None = None) -> list[Platform]:
    """Platforms an activity may name: those not ended (and the one it names now)."""
    found = list(
        Platform.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=timezone.localdate() - _YEAR)
        ).order_by("name", "pk")
    )
    if current is not None and current not in found:
        found.append(current)
    return found


_YEAR = datetime.timedelta(days=366)
