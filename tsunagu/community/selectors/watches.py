"""Reads of 見守り: the watch list (mine and overdue first), one watch with its checks and
escalations, what is overdue for the home page, a person's watches. Every read starts from
what the user may see (``Watch.objects.visible_to(user)``)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from tsunagu import access
from tsunagu.audit.services import audit_read
from tsunagu.people import selectors as people_selectors

from ..models import Escalation, SafetyCheck, Watch
from ..services.watches import keeps, prompt_for
from ..workflow import is_overdue, prompt_reason

PANEL_ROWS = 10


@dataclass(frozen=True)
class WatchFilter:
    q: str = ""
    state: str = "open"  # "open" / "ended" / "all"
    mine: bool = False  # only the watches the acting agency keeps
    overdue: bool = False


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def watch_list(*, user, filters: WatchFilter = WatchFilter()) -> QuerySet[Watch]:
    """The watches the user sees: those their agency keeps first, then the overdue ones, then
    by the next check's date (none last)."""
    qs = Watch.objects.visible_to(user)
    today = timezone.localdate()
    agency = access.acting_agency_id(user)
    if filters.state == "open":
        qs = qs.filter(ended_on__isnull=True)
    elif filters.state == "ended":
        qs = qs.filter(ended_on__isnull=False)
    if filters.mine:
        qs = qs.filter(agency_id=agency)
    if filters.overdue:
        qs = qs.filter(ended_on__isnull=True, next_check_on__lt=today)
    for word in _norm(filters.q).split():
        named = people_selectors.person_search(user=user, q=word).values("pk")
        area_named = Q(area__name__icontains=word)
        qs = qs.filter(
            Q(label__icontains=word)
            | Q(address__icontains=word)
            | area_named
            | Q(person_id__in=named)
        )
    return qs.annotate(
        _mine=Case(When(agency_id=agency, then=Value(0)), default=Value(1)),
        _late=Case(
            When(ended_on__isnull=True, next_check_on__lt=today, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
    ).order_by("_mine", "_late", F("next_check_on").asc(nulls_last=True), "id")


def decorate(watches: list[Watch]) -> list[Watch]:
    today = timezone.localdate()
    for w in watches:
        w.overdue = is_overdue(w.next_check_on, today, ended=w.ended_on is not None)
        w.days_late = (today - w.next_check_on).days if w.overdue else 0
    return watches


def mark_persons(user, watches: list[Watch]) -> list[Watch]:
    """Whether the user may open each watch's person: the name is shown only to those who
    may (a watcher agency sees the watch — label, address, checks — not the register)."""
    visible = people_selectors.visible_person_ids(
        user, {w.person_id for w in watches if w.person_id}
    )
    for w in watches:
        w.person_visible = w.person_id in visible
    return watches


def rows_for_ids(ids: list[int]) -> list[Watch]:
    found = {
        w.pk: w for w in Watch.objects.filter(pk__in=ids).select_related("agency", "person", "area")
    }
    return decorate([found[pk] for pk in ids if pk in found])


def get_watch_for_user(user, pk) -> Watch:
    """The watch, or ``Http404`` unless the user sees it."""
    try:
        return (
            Watch.objects.visible_to(user)
            .select_related("agency", "person", "area", "created_by")
            .get(pk=int(pk))
        )
    except (Watch.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def checks(watch: Watch) -> QuerySet[SafetyCheck]:
    """Newest first."""
    return watch.checks.select_related("watcher", "recorded_by").order_by("-checked_on", "-id")


def escalations(watch: Watch) -> QuerySet[Escalation]:
    return watch.escalations.select_related(
        "consultation", "outreach_record", "safety_check", "by"
    ).order_by("-at", "-id")


def _mark_escalations(user, rows: list[Escalation]) -> list[Escalation]:
    """Whether the user may open the consultation or outreach record each escalation made
    (those who only watch see that it was made, not the record)."""
    consultations = set(
        access.consultations_visible_to(user)
        .filter(pk__in=[e.consultation_id for e in rows if e.consultation_id])
        .values_list("pk", flat=True)
    )
    records = set(
        access.outreach_records_visible_to(user)
        .filter(pk__in=[e.outreach_record_id for e in rows if e.outreach_record_id])
        .values_list("pk", flat=True)
    )
    for e in rows:
        e.consultation_visible = e.consultation_id in consultations
        e.outreach_visible = e.outreach_record_id in records
    return rows


def detail(user, watch: Watch) -> dict:
    """What the watch page shows."""
    today = timezone.localdate()
    prompt = prompt_for(watch)
    return {
        "watch": watch,
        "watchers": list(watch.watchers.select_related("agency")),
        "checks": list(checks(watch)[:100]),
        "check_count": watch.checks.count(),
        "escalations": _mark_escalations(user, list(escalations(watch))),
        "overdue": is_overdue(watch.next_check_on, today, ended=watch.ended_on is not None),
        "prompt": prompt,
        "prompt_reason": prompt_reason(prompt),
        "keeps": keeps(user, watch),
        "reports": list(
            access.community_reports_visible_to(user).filter(watch=watch).order_by("-received_at")
        ),
    }


def overdue_for(user, limit: int = PANEL_ROWS) -> tuple[list[Watch], int]:
    """The user's overdue watches (their agency's and those their agency watches; all of them
    for the office), the most late first, with how many there are."""
    today = timezone.localdate()
    qs = Watch.objects.visible_to(user).filter(ended_on__isnull=True, next_check_on__lt=today)
    ids = list(qs.order_by("next_check_on", "id").values_list("pk", flat=True)[:limit])
    total = qs.count() if len(ids) == limit else len(ids)  # counted only when there are more
    return rows_for_ids(ids), total


def watches_of_person(user, person_id: int) -> list[Watch]:
    return decorate(
        list(
            Watch.objects.visible_to(user)
            .filter(person_id=person_id)
            .select_related("agency")
            .order_by("ended_on", "-starts_on", "id")
        )
    )


def audit_list(request, watches: list[Watch], context: dict) -> None:
    audit_read(
        request,
        "community.watch_list",
        persons=[w.person_id for w in watches if w.person_id],
        context={**context, "watches": [w.pk for w in watches]},
    )


def audit_watch(request, watch: Watch, context: dict | None = None) -> None:
    audit_read(
        request,
        "community.watch_view",
        watch,
        persons=[watch.person_id] if watch.person_id else [],
        context={"watch": watch.pk, **(context or {})},
    )
