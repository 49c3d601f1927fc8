"""The answers of the participation API: a record (a row of the list, or whole with its
matches, their moves and follow-ups, the next due dates per track, and keeping in touch
after closure) and what falls due; codes with their Japanese labels and dates also in 和暦.
Every schema is named ``Participation…`` (one OpenAPI namespace for all the apps)."""

import datetime

from ninja import Schema

from tsunagu.common.wareki import format_wareki

from ..models import (
    FollowUp,
    GapNeed,
    KeepInTouch,
    Match,
    MatchEvent,
    MatchStatus,
    ParticipationRecord,
)


def wareki(day: datetime.date | None) -> str | None:
    return format_wareki(day) if day is not None else None


def user_name(user) -> str:
    return (user.display_name or user.get_username()) if user is not None else ""


class ParticipationRecordOut(Schema):
    """One row of the worker's list (and the head of a record's answer)."""

    id: int
    agency_id: int
    agency_name: str
    worker_id: int
    worker_name: str
    person_id: int
    person_name: str
    case_id: int | None
    is_early: bool
    outside_plan_reason: str
    started_on: datetime.date
    started_on_wareki: str
    goals: str
    steps: str
    is_closed: bool
    closed_on: datetime.date | None
    closed_on_wareki: str | None
    next_keep_in_touch_on: datetime.date | None
    next_keep_in_touch_on_wareki: str | None
    keep_in_touch_ended_on: datetime.date | None

    @staticmethod
    def resolve_agency_name(obj: ParticipationRecord) -> str:
        return obj.agency.name

    @staticmethod
    def resolve_worker_name(obj: ParticipationRecord) -> str:
        return user_name(obj.worker)

    @staticmethod
    def resolve_person_name(obj: ParticipationRecord) -> str:
        return obj.person.name

    @staticmethod
    def resolve_started_on_wareki(obj: ParticipationRecord) -> str:
        return format_wareki(obj.started_on)

    @staticmethod
    def resolve_closed_on_wareki(obj: ParticipationRecord) -> str | None:
        return wareki(obj.closed_on)

    @staticmethod
    def resolve_next_keep_in_touch_on_wareki(obj: ParticipationRecord) -> str | None:
        return wareki(obj.next_keep_in_touch_on)


class ParticipationEventOut(Schema):
    """One move of a match, with its date and note."""

    id: int
    from_status: str
    from_status_label: str
    to_status: str
    to_status_label: str
    occurred_on: datetime.date
    occurred_on_wareki: str
    note: str
    by_name: str

    @staticmethod
    def resolve_from_status_label(obj: MatchEvent) -> str:
        return MatchStatus(obj.from_status).label if obj.from_status else ""

    @staticmethod
    def resolve_to_status_label(obj: MatchEvent) -> str:
        return obj.get_to_status_display()

    @staticmethod
    def resolve_occurred_on_wareki(obj: MatchEvent) -> str:
        return format_wareki(obj.occurred_on)

    @staticmethod
    def resolve_by_name(obj: MatchEvent) -> str:
        return user_name(obj.by)


class ParticipationFollowUpOut(Schema):
    """A follow-up with the person (``person``) or with the host (``host``)."""

    id: int
    match_id: int
    track: str
    track_label: str
    occurred_on: datetime.date
    occurred_on_wareki: str
    note: str
    concern: bool
    by_name: str

    @staticmethod
    def resolve_track_label(obj: FollowUp) -> str:
        return obj.get_track_display()

    @staticmethod
    def resolve_occurred_on_wareki(obj: FollowUp) -> str:
        return format_wareki(obj.occurred_on)

    @staticmethod
    def resolve_by_name(obj: FollowUp) -> str:
        return user_name(obj.by)


class ParticipationNextDueOut(Schema):
    """When the next follow-up on one track falls due (``None`` when the match is not
    followed up: before 参加開始 and after it ends)."""

    track: str
    track_label: str
    due_on: datetime.date | None
    due_on_wareki: str | None
    overdue: bool


class ParticipationMatchOut(Schema):
    """A match of the person with a community resource, with its moves and follow-ups."""

    id: int
    record_id: int
    resource_id: int
    resource_name: str
    organization_name: str
    resource_is_full: bool
    status: str
    status_label: str
    allowed_moves: list[str]
    proposed_on: datetime.date
    proposed_on_wareki: str
    started_on: datetime.date | None
    started_on_wareki: str | None
    settled_on: datetime.date | None
    settled_on_wareki: str | None
    ended_on: datetime.date | None
    ended_on_wareki: str | None
    end_reason: str
    full_override_reason: str
    note: str
    events: list[ParticipationEventOut]
    follow_ups: list[ParticipationFollowUpOut]
    next_due: list[ParticipationNextDueOut]

    @staticmethod
    def resolve_resource_name(obj: Match) -> str:
        return obj.resource.name

    @staticmethod
    def resolve_organization_name(obj: Match) -> str:
        return obj.resource.organization.name

    @staticmethod
    def resolve_resource_is_full(obj: Match) -> bool:
        return bool(obj.resource.is_full)

    @staticmethod
    def resolve_status_label(obj: Match) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_proposed_on_wareki(obj: Match) -> str:
        return format_wareki(obj.proposed_on)

    @staticmethod
    def resolve_started_on_wareki(obj: Match) -> str | None:
        return wareki(obj.started_on)

    @staticmethod
    def resolve_settled_on_wareki(obj: Match) -> str | None:
        return wareki(obj.settled_on)

    @staticmethod
    def resolve_ended_on_wareki(obj: Match) -> str | None:
        return wareki(obj.ended_on)

    @staticmethod
    def resolve_events(obj: Match) -> list:
        return list(obj.events.all())

    @staticmethod
    def resolve_follow_ups(obj: Match) -> list:
        return list(obj.follow_ups.all())


class ParticipationKeepInTouchOut(Schema):
    """A contact after closure (つながりの維持)."""

    id: int
    occurred_on: datetime.date
    occurred_on_wareki: str
    note: str
    by_name: str

    @staticmethod
    def resolve_occurred_on_wareki(obj: KeepInTouch) -> str:
        return format_wareki(obj.occurred_on)

    @staticmethod
    def resolve_by_name(obj: KeepInTouch) -> str:
        return user_name(obj.by)


class ParticipationGapNeedOut(Schema):
    """A 不足する社会資源 the record waits on (no resource fitted the person), with the gap's
    stage in the register and, when developed, the resource that met it."""

    id: int
    gap_id: int
    gap_description: str
    gap_status: str
    gap_status_label: str
    gap_kind_name: str | None
    gap_area_name: str | None
    gap_met_by_id: int | None
    gap_met_by_name: str | None
    note: str
    created_at: datetime.datetime
    created_by_name: str

    @staticmethod
    def resolve_gap_description(obj: GapNeed) -> str:
        return obj.gap.description

    @staticmethod
    def resolve_gap_status(obj: GapNeed) -> str:
        return obj.gap.status

    @staticmethod
    def resolve_gap_status_label(obj: GapNeed) -> str:
        return obj.gap.get_status_display()

    @staticmethod
    def resolve_gap_kind_name(obj: GapNeed) -> str | None:
        return obj.gap.kind.name if obj.gap.kind_id else None

    @staticmethod
    def resolve_gap_area_name(obj: GapNeed) -> str | None:
        return obj.gap.area.name if obj.gap.area_id else None

    @staticmethod
    def resolve_gap_met_by_id(obj: GapNeed) -> int | None:
        return obj.gap.met_by_id

    @staticmethod
    def resolve_gap_met_by_name(obj: GapNeed) -> str | None:
        return obj.gap.met_by.name if obj.gap.met_by_id else None

    @staticmethod
    def resolve_created_by_name(obj: GapNeed) -> str:
        return user_name(obj.created_by)


class ParticipationRecordDetailOut(ParticipationRecordOut):
    """A record whole: its matches (newest first) and, after closure, keeping in touch."""

    decision_in_place: bool
    may_work: bool
    person_view: str
    closure_note: str
    keep_in_touch_months: int
    matches: list[ParticipationMatchOut]
    keep_in_touch: list[ParticipationKeepInTouchOut]
    gap_needs: list[ParticipationGapNeedOut]

    @staticmethod
    def resolve_matches(obj: ParticipationRecord) -> list:
        return obj.matches_shown

    @staticmethod
    def resolve_keep_in_touch(obj: ParticipationRecord) -> list:
        return obj.keep_in_touch_shown

    @staticmethod
    def resolve_gap_needs(obj: ParticipationRecord) -> list:
        return obj.gap_needs_shown


class ParticipationDueOut(Schema):
    """A follow-up on one track of a match, or a keep-in-touch contact, that falls due."""

    record_id: int
    person_id: int
    person_name: str
    match_id: int | None
    resource_name: str | None
    track: str
    label: str
    due_on: datetime.date
    due_on_wareki: str
    overdue: bool
