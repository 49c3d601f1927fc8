"""Reads of the audit trail."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from .labels import action_label, role_label, target_labels
from .models import AuditEvent


def _day_start(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


def event_list(
    *,
    user,
    action: str = "",
    actor: str = "",
    agency_id: int | None = None,
    person_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """Events, newest first, filtered. Callers check ``audit.view_log`` first."""
    del user
    qs = AuditEvent.objects.select_related("actor", "acting_agency")
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor_username__icontains=actor)
    if agency_id:
        qs = qs.filter(acting_agency_id=agency_id)
    if person_id:
        qs = qs.concerning_person(person_id)
    if date_from:
        qs = qs.filter(occurred_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(occurred_at__lt=_day_start(date_to + timedelta(days=1)))
    return qs.order_by("-seq")


def events_described(*, user, events) -> list[AuditEvent]:
    """``events`` with Japanese ``action_label``, ``role_label`` and ``target_label`` (a
    person's or household's name only when ``user`` may see that record)."""
    events = list(events)
    targets = target_labels(user=user, events=events)
    for event in events:
        event.action_label = action_label(event.action)
        event.role_label = role_label(event.acting_role)
        event.target_label = targets.get((event.target_type, event.target_id), "")
    return events


def event_count_since(moment: datetime) -> int:
    return AuditEvent.objects.filter(occurred_at__gte=moment).count()


def action_names() -> list[str]:
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())
