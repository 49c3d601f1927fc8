"""The answers of the outreach API: a caseload row, a record (whole, or as a meeting's
materials), its history, contacts and plan versions; codes with their Japanese labels and
dates also in 和暦."""

import datetime

from ninja import Field, Schema

from tsunagu.common.wareki import format_wareki

from ..models import OutreachContact, OutreachEvent, OutreachPlan, OutreachRecord


def wareki(day: datetime.date | None) -> str | None:
    return format_wareki(day) if day is not None else None


def user_name(user) -> str:
    return (user.display_name or user.get_username()) if user is not None else ""


class OutreachRecordOut(Schema):
    """One row of the caseload (and the head of a record's answer)."""

    id: int
    label: str
    agency_id: int
    agency_name: str
    person_id: int | None
    person_name: str | None
    person_visible: bool
    age_band: str
    age_band_label: str
    area_id: int | None
    area_name: str | None
    source: str
    source_label: str
    stage: str
    stage_label: str
    consent: str
    consent_label: str
    began_on: datetime.date
    began_on_wareki: str
    last_contact_on: datetime.date | None
    last_contact_on_wareki: str | None
    days_since_contact: int
    next_action: str
    next_action_on: datetime.date | None
    next_action_on_wareki: str | None
    is_urgent: bool
    is_silent: bool
    is_overdue: bool
    is_closed: bool
    closed_on: datetime.date | None
    closed_on_wareki: str | None
    assigned_to_id: int | None
    assigned_to_name: str | None

    @staticmethod
    def resolve_assigned_to_name(obj: OutreachRecord) -> str | None:
        return user_name(obj.assigned_to) if obj.assigned_to_id else None

    @staticmethod
    def resolve_agency_name(obj: OutreachRecord) -> str:
        return obj.agency.name

    @staticmethod
    def resolve_person_id(obj: OutreachRecord) -> int | None:
        return obj.person_id if obj.person_visible else None

    @staticmethod
    def resolve_person_name(obj: OutreachRecord) -> str | None:
        return obj.person.name if obj.person_id and obj.person_visible else None

    @staticmethod
    def resolve_age_band_label(obj: OutreachRecord) -> str:
        return obj.get_age_band_display()

    @staticmethod
    def resolve_area_name(obj: OutreachRecord) -> str | None:
        return obj.area.name if obj.area_id else None

    @staticmethod
    def resolve_source_label(obj: OutreachRecord) -> str:
        return obj.get_source_display()

    @staticmethod
    def resolve_stage_label(obj: OutreachRecord) -> str:
        return obj.get_stage_display()

    @staticmethod
    def resolve_consent(obj: OutreachRecord) -> str:
        return "after" if obj.has_consent else "before"

    @staticmethod
    def resolve_consent_label(obj: OutreachRecord) -> str:
        return obj.consent_label

    @staticmethod
    def resolve_began_on_wareki(obj: OutreachRecord) -> str:
        return format_wareki(obj.began_on)

    @staticmethod
    def resolve_last_contact_on_wareki(obj: OutreachRecord) -> str | None:
        return wareki(obj.last_contact_on)

    @staticmethod
    def resolve_next_action_on_wareki(obj: OutreachRecord) -> str | None:
        return wareki(obj.next_action_on)

    @staticmethod
    def resolve_is_silent(obj: OutreachRecord) -> bool:
        return obj.silent  # set by selectors.with_rows

    @staticmethod
    def resolve_is_overdue(obj: OutreachRecord) -> bool:
        return obj.overdue  # set by selectors.with_rows

    @staticmethod
    def resolve_closed_on_wareki(obj: OutreachRecord) -> str | None:
        return wareki(obj.closed_on)


class OutreachEventOut(Schema):
    kind: str
    kind_label: str
    from_stage: str
    from_stage_label: str
    to_stage: str
    to_stage_label: str
    goes_back: bool
    occurred_on: datetime.date
    occurred_on_wareki: str
    note: str
    by_name: str
    at: datetime.datetime

    @staticmethod
    def resolve_kind_label(obj: OutreachEvent) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_from_stage_label(obj: OutreachEvent) -> str:
        return obj.get_from_stage_display() if obj.from_stage else ""

    @staticmethod
    def resolve_to_stage_label(obj: OutreachEvent) -> str:
        return obj.get_to_stage_display() if obj.to_stage else ""

    @staticmethod
    def resolve_occurred_on_wareki(obj: OutreachEvent) -> str:
        return format_wareki(obj.occurred_on)

    @staticmethod
    def resolve_by_name(obj: OutreachEvent) -> str:
        return user_name(obj.by)


class OutreachContactOut(Schema):
    id: int
    record_id: int
    occurred_on: datetime.date
    occurred_on_wareki: str
    method: str
    method_label: str
    staff: str
    summary: str
    reached_person: bool
    next_action: str
    next_action_on: datetime.date | None
    next_action_on_wareki: str | None
    agency_id: int
    agency_name: str
    recorded_by_name: str
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_occurred_on_wareki(obj: OutreachContact) -> str:
        return format_wareki(obj.occurred_on)

    @staticmethod
    def resolve_method_label(obj: OutreachContact) -> str:
        return obj.get_method_display()

    @staticmethod
    def resolve_next_action_on_wareki(obj: OutreachContact) -> str | None:
        return wareki(obj.next_action_on)

    @staticmethod
    def resolve_agency_name(obj: OutreachContact) -> str:
        return obj.agency.name

    @staticmethod
    def resolve_recorded_by_name(obj: OutreachContact) -> str:
        return user_name(obj.recorded_by)


class OutreachPlanOut(Schema):
    id: int
    record_id: int
    version: int
    approach: str
    network: str
    risks: str
    emergency_route: str
    goals: str
    status: str
    status_label: str
    with_consent: bool
    agenda_item_id: int | None
    meeting_id: int | None
    meeting_title: str | None
    meeting_kind: str | None
    meeting_kind_label: str | None
    meeting_starts_at: datetime.datetime | None
    decision_text: str
    decided_on: datetime.date | None
    decided_on_wareki: str | None
    created_by_name: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_status_label(obj: OutreachPlan) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_meeting_id(obj: OutreachPlan) -> int | None:
        return obj.agenda_item.meeting_id if obj.agenda_item_id else None

    @staticmethod
    def resolve_meeting_title(obj: OutreachPlan) -> str | None:
        return obj.agenda_item.meeting.title if obj.agenda_item_id else None

    @staticmethod
    def resolve_meeting_kind(obj: OutreachPlan) -> str | None:
        return obj.agenda_item.meeting.kind if obj.agenda_item_id else None

    @staticmethod
    def resolve_meeting_kind_label(obj: OutreachPlan) -> str | None:
        return obj.agenda_item.meeting.get_kind_display() if obj.agenda_item_id else None

    @staticmethod
    def resolve_meeting_starts_at(obj: OutreachPlan) -> datetime.datetime | None:
        return obj.agenda_item.meeting.starts_at if obj.agenda_item_id else None

    @staticmethod
    def resolve_decided_on_wareki(obj: OutreachPlan) -> str | None:
        return wareki(obj.decided_on)

    @staticmethod
    def resolve_created_by_name(obj: OutreachPlan) -> str:
        return user_name(obj.created_by)


class OutreachSuggestedCriteriaOut(Schema):
    household: bool
    gap: bool
    new_resource: bool
    why: list[str]


class OutreachHouseholdOut(Schema):
    id: int
    label: str


class OutreachRecordDetailOut(OutreachRecordOut):
    """A record. ``materials_only``: the user sees it as a meeting's materials (a member of
    a meeting with its plan on the agenda, not of the outreach agency): the informant, the
    address, the notes on urgency, consent and closure, the history and the contacts are ``null`` or
    empty, and only the plans on that meeting's agenda are given."""

    materials_only: bool
    may_work: bool
    address: str | None
    household_hint: str
    known_facts: str
    informant_name: str | None
    informant_contact: str | None
    urgent_note: str | None
    urgent_since: datetime.datetime | None
    consented_on: datetime.date | None
    consented_on_wareki: str | None
    consent_method: str
    consent_method_label: str
    consent_note: str | None
    first_met_on: datetime.date | None
    first_met_on_wareki: str | None
    from_consultation_id: int | None
    from_referral_id: int | None
    from_agenda_item_id: int | None
    handover_referral_id: int | None
    current_handover_referral_id: int | None = Field(
        None, description="いま多機関協働へのつなぎを担うつなぎ（差戻し後の再送では最新の再送）"
    )
    current_handover_status: str | None = Field(
        None, description="そのつなぎの状態（sent / accepted / returned / in_progress / completed）"
    )
    households: list[OutreachHouseholdOut] = Field(
        [], description="特定した本人の世帯（閲覧できるもの。世帯の画面・APIで世帯員を確かめます）"
    )
    suggested_criteria: OutreachSuggestedCriteriaOut | None = Field(
        None,
        description="多機関協働へつなぐときの基準①②③のうち、記録から当てはまりそうなもの"
        "（つなぎの画面の初期値。実施機関と事務局だけに返します）",
    )
    closure_reason: str
    closure_reason_label: str
    closure_note: str | None
    connected_agency_id: int | None
    connected_agency_name: str | None
    connected_referral_id: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    events: list[OutreachEventOut]
    contact_count: int | None
    recent_contacts: list[OutreachContactOut]
    plans: list[OutreachPlanOut]

    @staticmethod
    def resolve_address(obj: OutreachRecord) -> str | None:
        return None if obj.materials_only else obj.address

    @staticmethod
    def resolve_informant_name(obj: OutreachRecord) -> str | None:
        return None if obj.materials_only else obj.informant_name

    @staticmethod
    def resolve_informant_contact(obj: OutreachRecord) -> str | None:
        return None if obj.materials_only else obj.informant_contact

    @staticmethod
    def resolve_urgent_note(obj: OutreachRecord) -> str | None:
        return None if obj.materials_only else obj.urgent_note

    @staticmethod
    def resolve_consented_on_wareki(obj: OutreachRecord) -> str | None:
        return wareki(obj.consented_on)

    @staticmethod
    def resolve_consent_method_label(obj: OutreachRecord) -> str:
        return obj.get_consent_method_display() if obj.consent_method else ""

    @staticmethod
    def resolve_consent_note(obj: OutreachRecord) -> str | None:
        return None if obj.materials_only else obj.consent_note

    @staticmethod
    def resolve_first_met_on_wareki(obj: OutreachRecord) -> str | None:
        return wareki(obj.first_met_on)

    @staticmethod
    def resolve_from_consultation_id(obj: OutreachRecord) -> int | None:
        return None if obj.materials_only else obj.from_consultation_id

    @staticmethod
    def resolve_from_referral_id(obj: OutreachRecord) -> int | None:
        return None if obj.materials_only else obj.from_referral_id

    @staticmethod
    def resolve_from_agenda_item_id(obj: OutreachRecord) -> int | None:
        return None if obj.materials_only else obj.from_agenda_item_id

    @staticmethod
    def resolve_handover_referral_id(obj: OutreachRecord) -> int | None:
        return None if obj.materials_only else obj.handover_referral_id

    @staticmethod
    def resolve_current_handover_referral_id(obj: OutreachRecord) -> int | None:
        current = getattr(obj, "current_handover", None)
        return current.pk if current else None

    @staticmethod
    def resolve_current_handover_status(obj: OutreachRecord) -> str | None:
        current = getattr(obj, "current_handover", None)
        return current.status if current else None

    @staticmethod
    def resolve_closure_reason_label(obj: OutreachRecord) -> str:
        return obj.get_closure_reason_display() if obj.closure_reason else ""

    @staticmethod
    def resolve_closure_note(obj: OutreachRecord) -> str | None:
        return None if obj.materials_only else obj.closure_note

    @staticmethod
    def resolve_connected_referral_id(obj: OutreachRecord) -> int | None:
        return None if obj.materials_only else obj.connected_referral_id

    @staticmethod
    def resolve_connected_agency_name(obj: OutreachRecord) -> str | None:
        return obj.connected_agency.name if obj.connected_agency_id else None

    @staticmethod
    def resolve_events(obj: OutreachRecord) -> list:
        return obj.history  # set by record_answer

    @staticmethod
    def resolve_contact_count(obj: OutreachRecord) -> int | None:
        return obj.contact_count  # set by record_answer

    @staticmethod
    def resolve_recent_contacts(obj: OutreachRecord) -> list:
        return obj.recent_contacts  # set by record_answer

    @staticmethod
    def resolve_plans(obj: OutreachRecord) -> list:
        return obj.shown_plans  # set by record_answer
