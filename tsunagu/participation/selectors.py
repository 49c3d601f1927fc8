"""Reads of 参加支援: the worker's list, one record with its matches and follow-ups, what
falls due (follow-ups on each track, keeping in touch after closure), and the records shown
beside a 多機関協働 case. Every read starts from what the user may see
(``tsunagu.access.participation_records_visible_to``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Count, Max, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from tsunagu import access
from tsunagu.people.selectors import person_search

from .models import FollowUp, GapNeed, Match, ParticipationRecord, Track
from .workflow import FOLLOWED, follow_up_due_by, next_follow_up, weekly_weeks


def record_list(*, user, state: str = "open", q: str = "") -> QuerySet[ParticipationRecord]:
    """The records the user works: their agency's (all of them for the office), newest first;
    ``q`` finds the person by name or reading as the person search does."""
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
        # the register's search keys (異体字・かな・空白), asked of the persons first: on
        # PostgreSQL their trigram indexes, instead of a LIKE over every record's person
        named = person_search(user=user, q=word).order_by().values("pk")
        qs = qs.filter(person_id__in=named)
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


class DueKey(NamedTuple):
    """What falls due, before its rows are read: sorted by due date, then record."""

    due_on: datetime.date
    record_id: int
    match_id: int  # 0 for keeping in touch
    track: str  # Track value, or "keep_in_touch"

    @property
    def overdue(self) -> bool:
        return self.due_on < timezone.localdate()


def _last_follow_up(track: str) -> Subquery:
    return Subquery(
        FollowUp.objects.filter(match_id=OuterRef("pk"), track=track)
        .order_by("-occurred_on")
        .values("occurred_on")[:1]
    )


def due_keys(user, *, within_days: int = 7) -> list[DueKey]:
    """What falls due within ``within_days`` (or is overdue) for the user's agency (all of
    them for the office), overdue first: follow-ups of the matches under way on each track,
    and keeping in touch after closure. Read as dates and ids only — the last follow-up of
    each track by an index seek beside each match — so that a page reads the rows of only
    the keys it shows (:func:`dues_for`)."""
    horizon = timezone.localdate() + datetime.timedelta(days=within_days)
    records = record_list(user=user, state="all")
    weeks = weekly_weeks()
    found: list[DueKey] = []
    under_way = (
        Match.objects.filter(
            record__in=records.filter(closed_on__isnull=True).values("pk"),
            status__in=FOLLOWED,
            started_on__isnull=False,
        )
        .order_by()
        .annotate(last_person=_last_follow_up(Track.PERSON), last_host=_last_follow_up(Track.HOST))
        .values_list("pk", "record_id", "started_on", "last_person", "last_host")
    )
    person, host = Track.PERSON.value, Track.HOST.value
    for pk, record_id, started_on, last_person, last_host in under_way:
        for track, last_on in ((person, last_person), (host, last_host)):
            due_on = follow_up_due_by(started_on, last_on, horizon, weeks=weeks)
            if due_on is not None:
                found.append(DueKey(due_on, record_id, pk, track))
    for record_id, due_on in (
        records.filter(
            closed_on__isnull=False,
            keep_in_touch_ended_on__isnull=True,
            next_keep_in_touch_on__lte=horizon,
        )
        .order_by()
        .values_list("pk", "next_keep_in_touch_on")
    ):
        found.append(DueKey(due_on, record_id, 0, "keep_in_touch"))
    return sorted(found)


def dues_for(keys: list[DueKey]) -> list[Due]:
    """The rows of ``keys`` (two queries, whatever their number), in their order."""
    match_ids = {k.match_id for k in keys if k.match_id}
    matches_by_id = {
        m.pk: m
        for m in Match.objects.filter(pk__in=match_ids).select_related(
            "record", "record__person", "resource"
        )
    }
    record_ids = {k.record_id for k in keys if not k.match_id}
    records_by_id = {
        r.pk: r
        for r in ParticipationRecord.objects.filter(pk__in=record_ids).select_related("person")
    }
    found = []
    for key in keys:
        if key.match_id:
            match = matches_by_id[key.match_id]
            found.append(Due(match.record, match, key.track, key.due_on))
        else:
            found.append(Due(records_by_id[key.record_id], None, key.track, key.due_on))
    return found


def dues(user, *, within_days: int = 7) -> list[Due]:
    """Every row of what falls due (:func:`due_keys`), overdue first."""
    return dues_for(due_keys(user, within_days=within_days))


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
