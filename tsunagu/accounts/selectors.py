"""Reads of agencies and areas (directory data, not personal data)."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf

from .models import Agency, Area, Notification

#: 50音 order: by reading, then name; an agency without a reading sorts by its name (after
#: the katakana readings, since kanji come after kana), and the id breaks any remaining tie.
AGENCY_ORDER = (
    Coalesce(NullIf(F("name_kana"), Value("")), F("name")).asc(),
    "name",
    "pk",
)


def agency_list(
    *,
    user,
    q: str = "",
    field: str = "",
    program: str = "",
    area: str = "",
    include_inactive: bool = False,
) -> QuerySet[Agency]:
    """The agency directory, filtered, in 50音 order (``AGENCY_ORDER``); every agency picker
    and list uses it (callers check ``accounts.view_directory``)."""
    del user  # the directory is the same for every role that may open it
    qs = Agency.objects.select_related("area").prefetch_related("programs")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if q:
        for word in q.split():
            qs = qs.filter(
                Q(name__icontains=word)
                | Q(name_kana__icontains=word)
                | Q(description__icontains=word)
                | Q(responsible_section__icontains=word)
                | Q(area__name__icontains=word)
            )
    if field:
        qs = qs.filter(field=field)
    if program:
        qs = qs.filter(programs__program=program).distinct()
    if area:
        qs = qs.filter(Q(area__code=area) | Q(area__parent__code=area))
    return qs.order_by(*AGENCY_ORDER)


def agency_get(*, user, pk: int) -> Agency:
    del user
    return (
        Agency.objects.select_related("area", "area__parent")
        .prefetch_related("programs")
        .annotate(member_count=Count("memberships", filter=Q(memberships__is_active=True)))
        .get(pk=pk)
    )


def area_list() -> QuerySet[Area]:
    return Area.objects.select_related("parent").filter(is_active=True)


def area_ids_under(area_id: int) -> list[int]:
    """The area and every area under it (市全域 > 日常生活圏域 > 地区), from one read of the
    city's areas (a few dozen) rather than one query per level."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Area.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, frontier = [area_id], [area_id]
    while frontier:
        frontier = [c for pk in frontier for c in children.get(pk, ()) if c not in found]
        found += frontier
    return found


def notification_list(*, user) -> QuerySet[Notification]:
    """The user's own notices, newest first (nobody sees another user's)."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def notification_get(*, user, pk: int) -> Notification:
    """Raises ``Notification.DoesNotExist`` for another user's notice too (404, not 403)."""
    return notification_list(user=user).get(pk=pk)


def notification_unread_count(*, user) -> int:
    return notification_list(user=user).filter(read_at__isnull=True).count()
