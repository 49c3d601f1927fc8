"""Reads of 参加支援: the worker's list, one record with its matches and follow-ups, what
falls due (follow-ups on each track, keeping in touch after closure), and the records shown
beside a 多機関協働 case. Every read starts from what the user may see
(``tsunagu.access.participation_records_visible_to``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tsunagu import access

from .models import FollowUp, GapNeed, Match, ParticipationRecord, Track
from .workflow import FOLLOWED, next_follow_up


def record_list(*, user, state: str = "open", q: str = "") -> QuerySet[ParticipationRecord]:
    """The records the user works: their agency's (all of them for the office), newest first."""
    qs = ParticipationRecord.objects.all()
    if not access.sees_everything(user):
        if not access.may_handle_cases(user):
            return qs.none()
        qs = qs.filter(agency_id=access.acting_agency_id(user))
    if state == "open":
        qs = qs.filter(closed_on__isnull=True)
    elif state == "closed":
        qs = qs.filter(closed_on__isnull=False)
    for word in q.split():
        qs = qs.filter(Q(person__name__icontains=word) | Q(person__name_kana__icontains=word))
    return qs.select_related("person", "agency", "worker", "case").order_by("-started_on", "-id")


def get_record_for_user(user, pk) -> ParticipationRecord:
    try:
        return (
            access.participation_records_visible_to(user)
            .select_related("person", "agency", "worker", "case")
            .get(pk=int(pk))
        )
    except (ParticipationRecord.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def matches(record: ParticipationRecord) -> list[Match]:
    return list(
        record.matches.select_related("resource", "resource__kind", "resource__organization")
        .prefetch_related("events", "follow_ups")
        .order_by("-proposed_on", "-id")
    )


@dataclass(frozen=True)
class Due:
    """A follow-up (on one track of a match) or a keep-in-touch contact that falls due."""

    record: ParticipationRecord
    match: Match | None
    track: str  # Track value, or "keep_in_touch"
    due_on: datetime.date

    @property
    def overdue(self) -> bool:
        return self.due_on < timezone.localdate()

    @property
    def label(self) -> str:
        if self.track == "keep_in_touch":
            return "つながりの維持"
        return f"フォローアップ（{Track(self.track).label}）"


def follow_ups_due(match: Match) -> dict[str, datetime.date | None]:
    """The next due date of each track of a match."""
    last = {
        row["track"]: row["last"]
        for row in FollowUp.objects.filter(match=match)
        .values("track")
        .annotate(last=Max("occurred_on"))
    }
    return {track: next_follow_up(match, last.get(track)) for track in Track.values}


def dues(user, *, within_days: int = 7) -> list[Due]:
    """What falls due within ``within_days`` (or is overdue) for the user's agency (all of
    them for the office): follow-ups of the matches under way, and keeping in touch after
    closure. Overdue first."""
    horizon = timezone.localdate() + datetime.timedelta(days=within_days)
    records = record_list(user=user, state="all")
    found: list[Due] = []
    under_way = list(
        Match.objects.filter(
            record__in=records.filter(closed_on__isnull=True).values("pk"), status__in=FOLLOWED
        )
        .select_related("record", "record__person", "resource")
        .order_by("pk")
    )
    # the last follow-up of every track of every match, in one query (not one per match)
    last = {
        (row["match_id"], row["track"]): row["last"]
        for row in FollowUp.objects.filter(match__in=under_way)
        .values("match_id", "track")
        .annotate(last=Max("occurred_on"))
    }
    for match in under_way:
        for track in Track.values:
            due_on = next_follow_up(match, last.get((match.pk, track)))
            if due_on is not None and due_on <= horizon:
                found.append(Due(match.record, match, track, due_on))
    for record in records.filter(
        closed_on__isnull=False,
        keep_in_touch_ended_on__isnull=True,
        next_keep_in_touch_on__lte=horizon,
    ):
        found.append(Due(record, None, "keep_in_touch", record.next_keep_in_touch_on))
    return sorted(found, key=lambda d: (d.due_on, d.record.pk))


def records_beside_case(user, case) -> list[ParticipationRecord]:
    """The 参加支援 records of a 多機関協働 case the user sees (the case page)."""
    return list(
        access.participation_records_visible_to(user)
        .filter(case_id=case.pk)
        .select_related("person", "agency")
        .order_by("-started_on")
    )


# ------------------------------------------------------------- gaps found in matching


def gap_needs(record: ParticipationRecord) -> list[GapNeed]:
    """The 不足する社会資源 the record waits on, oldest first, with each gap's stage."""
    return list(
        record.gap_needs.select_related(
            "gap", "gap__kind", "gap__area", "gap__met_by", "created_by"
        ).order_by("created_at", "id")
    )


def people_waiting(gap_ids: list[int]) -> dict[int, int]:
    """How many people (distinct persons of the records linked) wait on each gap, in one
    aggregated query; no names (the register counts, it does not show)."""
    if not gap_ids:
        return {}
    return {
        row["gap_id"]: row["people"]
        for row in GapNeed.objects.filter(gap_id__in=gap_ids)
        .order_by()
        .values("gap_id")
        .annotate(people=Count("record__person_id", distinct=True))
    }


def records_waiting_on(user, gap) -> list[ParticipationRecord]:
    """The participation records the user may see that wait on ``gap``."""
    return list(
        access.participation_records_visible_to(user)
        .filter(gap_needs__gap_id=gap.pk)
        .select_related("person")
        .distinct()
        .order_by("pk")
    )


def records_of_person(user, person) -> list[ParticipationRecord]:
    """The person's participation records the user may see, newest first (the person page)."""
    return list(
        access.participation_records_visible_to(user)
        .filter(person_id=person.pk)
        .select_related("agency", "worker")
        .annotate(match_total=Count("matches"))
        .order_by("-started_on", "-id")
    )
