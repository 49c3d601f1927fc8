"""Meetings over the API: the list, one meeting with its members, agenda, decisions, action
items and resource gaps, and the convenor's steps.

The same rules and audit as the screens: a meeting the user may not see answers 404 (a
guest's invitation counts only until it expires or is revoked), a step by anyone but the
convening agency's coordinator or the program office 403, a step the rules of the program
refuse 409, bad input 422. The materials (the agenda's cases, decisions, minutes, action
items, resource gaps) are ``null`` unless the user may read them: at a 支援会議 only after
the member's own recorded pledge (社会福祉法第106条の6).
"""

import datetime
from typing import Any

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from tsunagu.accounts.models import Agency, Area
from tsunagu.accounts.selectors import agency_list, area_list
from tsunagu.api.errors import api_fields, invalid
from tsunagu.api.inputs import check_lengths, date_input
from tsunagu.api.pagination import AuditedPagination
from tsunagu.api.permissions import require_perm
from tsunagu.api.schemas import ErrorOut, InvalidOut, RuleBrokenOut
from tsunagu.audit.services import audit_read

from . import selectors, services
from .models import (
    ActionItem,
    AgendaItem,
    AgendaPurpose,
    Meeting,
    MeetingKind,
    MeetingMember,
    Schedule,
)

router = Router(tags=["会議"])


def _user_name(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


def _aware(value: datetime.datetime | None) -> datetime.datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


# --- schemas ----------------------------------------------------------------------------


class MeetingFields(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    schedule: str
    schedule_label: str
    format: str
    format_label: str
    starts_at: datetime.datetime
    place: str
    series: str
    convening_agency_id: int
    convening_agency_name: str
    is_cancelled: bool
    is_confidential: bool


class MeetingOut(MeetingFields):
    @staticmethod
    def resolve_kind_label(obj: Meeting) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_schedule_label(obj: Meeting) -> str:
        return obj.get_schedule_display()

    @staticmethod
    def resolve_format_label(obj: Meeting) -> str:
        return obj.get_format_display()

    @staticmethod
    def resolve_convening_agency_name(obj: Meeting) -> str:
        return obj.convening_agency.name


class MeetingMemberOut(Schema):
    id: int
    user_id: int | None
    name: str
    agency_id: int | None
    agency_name: str | None
    role: str
    role_label: str
    is_guest: bool
    invited_until: datetime.datetime | None
    invitation_revoked_at: datetime.datetime | None
    invitation_state: str
    pledged_at: datetime.datetime | None
    attended: bool | None


class AgendaItemOut(Schema):
    id: int
    order: int
    purpose: str
    purpose_label: str
    is_withdrawn: bool
    outcome: str
    outcome_label: str
    decided_at: datetime.datetime | None
    # materials: null unless the user may read the meeting's materials
    case_id: int | None
    case_status: str | None
    case_status_label: str | None
    case_visible: bool | None
    person_name: str | None
    household_label: str | None
    plan_id: int | None
    plan_version: int | None
    title: str | None
    withdrawn_reason: str | None
    decision_text: str | None
    lead_agency_id: int | None
    lead_agency_name: str | None
    contact_attempts: str | None
    decided_by_name: str | None


class ActionItemOut(Schema):
    id: int
    agenda_item_id: int | None
    description: str
    owner_agency_id: int
    owner_agency_name: str
    owner_name: str
    due_on: datetime.date
    done_on: datetime.date | None


class MeetingResourceGapOut(Schema):
    id: int
    description: str
    area_id: int | None
    area_name: str | None
    status: str
    status_label: str


class MeetingDetailOut(MeetingFields):
    materials_visible: bool
    may_manage: bool
    quorum_problems: list[str]
    members: list[MeetingMemberOut]
    agenda: list[AgendaItemOut]
    minutes: str | None
    action_items: list[ActionItemOut] | None
    resource_gaps: list[MeetingResourceGapOut] | None


class MeetingFilter(Schema):
    q: str = ""
    kind: str = ""
    when: str = ""
    schedule: str = ""


class MeetingIn(Schema):
    kind: str = ""
    title: str = ""
    schedule: str = ""
    format: str = ""
    starts_at: datetime.datetime | None = None
    place: str = ""
    series: str = ""


class MemberIn(Schema):
    user_id: int | None = None
    agency_id: int | None = None
    name: str = ""
    is_guest: bool = False
    invited_until: datetime.datetime | None = None


class AttendanceIn(Schema):
    attended: list[int] = []


class AgendaIn(Schema):
    purpose: str = ""
    case_id: int | None = None
    title: str = ""


class WithdrawIn(Schema):
    reason: str = ""


class DecisionIn(Schema):
    outcome: str = ""
    decision_text: str = ""
    lead_agency_id: int | None = None
    contact_attempts: str = ""


class MinutesIn(Schema):
    minutes: str = ""


class ActionItemIn(Schema):
    description: str = ""
    owner_agency_id: int | None = None
    owner_name: str = ""
    due_on: str | None = None
    agenda_item_id: int | None = None


class ResourceGapIn(Schema):
    description: str = ""
    area_id: int | None = None


# --- the answer -------------------------------------------------------------------------


def _member_answer(member: MeetingMember) -> dict[str, Any]:
    return {
        "id": member.pk,
        "user_id": member.user_id,
        "name": member.name,
        "agency_id": member.agency_id,
        "agency_name": member.agency.name if member.agency_id else None,
        "role": member.role,
        "role_label": selectors.role_label(member.role),
        "is_guest": member.is_guest,
        "invited_until": member.invited_until,
        "invitation_revoked_at": member.invitation_revoked_at,
        "invitation_state": selectors.member_state(member),
        "pledged_at": member.pledged_at,
        "attended": member.attended,
    }


def _item_answer(item: AgendaItem, materials: bool, visible_cases: set[int]) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "id": item.pk,
        "order": item.order,
        "purpose": item.purpose,
        "purpose_label": item.get_purpose_display(),
        "is_withdrawn": item.is_withdrawn,
        "outcome": item.outcome,
        "outcome_label": item.get_outcome_display() if item.outcome else "",
        "decided_at": item.decided_at,
    }
    hidden = dict.fromkeys(AgendaItemOut.model_fields.keys() - answer.keys())
    if not materials:
        return {**answer, **hidden}
    case = item.case
    return {
        **answer,
        "case_id": item.case_id,
        "case_status": case.status if case else None,
        "case_status_label": case.get_status_display() if case else None,
        "case_visible": item.case_id in visible_cases if case else None,
        "person_name": case.person.name if case and case.person_id else None,
        "household_label": case.household.label if case and case.household_id else None,
        "plan_id": item.plan_id,
        "plan_version": item.plan.version if item.plan_id else None,
        "title": item.title,
        "withdrawn_reason": item.withdrawn_reason,
        "decision_text": item.decision_text,
        "lead_agency_id": item.lead_agency_id,
        "lead_agency_name": item.lead_agency.name if item.lead_agency_id else None,
        "contact_attempts": item.contact_attempts,
        "decided_by_name": _user_name(item.decided_by),
    }


def _action_answer(action: ActionItem) -> dict[str, Any]:
    return {
        "id": action.pk,
        "agenda_item_id": action.agenda_item_id,
        "description": action.description,
        "owner_agency_id": action.owner_agency_id,
        "owner_agency_name": action.owner_agency.name,
        "owner_name": action.owner_name,
        "due_on": action.due_on,
        "done_on": action.done_on,
    }


def meeting_answer(request, meeting: Meeting, *, audit: bool = True) -> dict[str, Any]:
    """The meeting as the user may read it; the read is audited (the agenda's persons
    only when the materials are shown)."""
    user = request.user
    materials = user.has_perm("meetings.view_materials", meeting)
    items = list(meeting.agenda.all())
    visible_cases = (
        selectors.visible_case_ids(user, [i.case_id for i in items if i.case_id])
        if materials
        else set()
    )
    if audit:
        audit_read(
            request,
            "meeting.view",
            meeting,
            persons=selectors.agenda_persons(meeting) if materials else [],
            context={"meeting": meeting.pk},
        )
    return {
        **{field: getattr(meeting, field) for field in ("id", "kind", "title", "schedule")},
        "kind_label": meeting.get_kind_display(),
        "schedule_label": meeting.get_schedule_display(),
        "format": meeting.format,
        "format_label": meeting.get_format_display(),
        "starts_at": meeting.starts_at,
        "place": meeting.place,
        "series": meeting.series,
        "convening_agency_id": meeting.convening_agency_id,
        "convening_agency_name": meeting.convening_agency.name,
        "is_cancelled": meeting.is_cancelled,
        "is_confidential": meeting.is_confidential,
        "materials_visible": materials,
        "may_manage": user.has_perm("meetings.manage_meeting", meeting),
        "quorum_problems": services.quorum_problems(meeting) if meeting.takes_decisions else [],
        "members": [_member_answer(m) for m in meeting.members.all()],
        "agenda": [_item_answer(i, materials, visible_cases) for i in items],
        "minutes": meeting.minutes if materials else None,
        "action_items": [_action_answer(a) for a in meeting.action_items.all()]
        if materials
        else None,
        "resource_gaps": [
            {
                "id": gap.pk,
                "description": gap.description,
                "area_id": gap.area_id,
                "area_name": gap.area.name if gap.area_id else None,
                "status": gap.status,
                "status_label": gap.get_status_display(),
            }
            for gap in (link.gap for link in meeting.gap_links.all())
        ]
        if materials
        else None,
    }


def _fresh(request, meeting: Meeting) -> dict[str, Any]:
    """The meeting after a step (the step itself is audited by its service)."""
    return meeting_answer(
        request, selectors.get_meeting_for_user(request.user, meeting.pk), audit=False
    )


def _agency(pk: int | None, field: str, *, required: bool = False) -> Agency | None:
    if pk is None:
        if required:
            raise invalid({field: "機関を選んでください。"})
        return None
    agency = agency_list(user=None).filter(pk=pk).first()
    if agency is None:
        raise invalid({field: "指定された機関が見つかりません。"})
    return agency


def _choice(value: str, choices, field: str, message: str) -> None:
    if value and value not in choices:
        raise invalid({field: message})


# --- routes -----------------------------------------------------------------------------


@router.get("/meetings", response=list[MeetingOut], summary="会議の一覧")
@paginate(AuditedPagination, page_size=25)
def meeting_list(request, filters: Query[MeetingFilter]):
    """自機関が招集した会議と、構成員として参加する会議（ゲストは招待の期限まで）。
    会議名（``q``）、種類（``kind``）、``when``（``upcoming`` これから／``past`` 開催済み）、
    開催区分（``schedule``）で絞り込めます。"""
    require_perm(request, "meetings.use")
    _choice(filters.kind, MeetingKind.values, "kind", "会議の種類の値が正しくありません。")
    _choice(
        filters.when, (selectors.UPCOMING, selectors.PAST), "when", "開催の値が正しくありません。"
    )
    _choice(filters.schedule, Schedule.values, "schedule", "開催区分の値が正しくありません。")
    return selectors.meeting_list(
        user=request.user,
        q=filters.q,
        kind=filters.kind,
        when=filters.when,
        schedule=filters.schedule,
    )


@router.post(
    "/meetings",
    response={201: MeetingDetailOut, 403: ErrorOut, 422: InvalidOut},
    summary="会議の登録（所属機関が招集し、登録者が最初の構成員になります）",
)
def meeting_create(request, payload: MeetingIn):
    """``kind``：``conference``（重層的支援会議）・``confidential_meeting``（支援会議）・
    ``case_meeting``・``liaison``・``steering``。``schedule``：``regular``（定例）・``ad_hoc``
    （随時）。``format``：``in_person``・``online``・``hybrid``。"""
    require_perm(request, "meetings.use")
    require_perm(request, "meetings.create")
    check_lengths(Meeting, payload.dict(), {"title": "title", "place": "place", "series": "series"})
    meeting = services.meeting_create(
        by=request.user,
        kind=payload.kind,
        title=payload.title,
        schedule=payload.schedule,
        format=payload.format,
        starts_at=_aware(payload.starts_at),
        place=payload.place,
        series=payload.series,
    )
    return Status(201, _fresh(request, meeting))


@router.post(
    "/meetings/{meeting_id}/next",
    response={201: MeetingDetailOut, 403: ErrorOut, 404: ErrorOut, 409: RuleBrokenOut},
    summary="次回の定例会議の登録（翌月の同じ週・曜日。構成員を引き継ぎます）",
)
def meeting_next(request, meeting_id: int):
    require_perm(request, "meetings.use")
    meeting = selectors.get_meeting_for_user(request.user, meeting_id)
    require_perm(request, "meetings.manage_meeting", meeting)
    following = services.meeting_schedule_next(by=request.user, meeting=meeting)
    return Status(201, _fresh(request, following))


@router.get(
    "/meetings/{meeting_id}",
    response={200: MeetingDetailOut, 403: ErrorOut, 404: ErrorOut},
    summary="会議の詳細（構成員・議題・決定・宿題・不足する社会資源）",
)
def meeting_detail(request, meeting_id: int):
    require_perm(request, "meetings.use")
    return meeting_answer(request, selectors.get_meeting_for_user(request.user, meeting_id))


MANAGE_RESPONSES = {403: ErrorOut, 404: ErrorOut, 409: RuleBrokenOut, 422: InvalidOut}


@router.post(
    "/meetings/{meeting_id}/members",
    response={201: MeetingDetailOut, **MANAGE_RESPONSES},
    summary="構成員の追加（利用者、またはシステムを使わない方の氏名と所属）",
)
@api_fields({"user": "user_id", "agency": "agency_id"})
def member_add(request, meeting_id: int, payload: MemberIn):
    """``user_id`` で利用者を、または ``name``（と ``agency_id``）でシステムを使わない方を
    追加します。会議ゲストの役割の利用者は、自動的にゲスト（この会議だけの招待）になります。"""
    require_perm(request, "meetings.use")
    meeting = selectors.get_meeting_for_user(request.user, meeting_id)
    require_perm(request, "meetings.manage_meeting", meeting)
    user = None
    if payload.user_id is not None:
        user = selectors.active_user(payload.user_id)
        if user is None:
            raise invalid({"user_id": "指定された利用者が見つかりません。"})
    agency = _agency(payload.agency_id, "agency_id")
    check_lengths(MeetingMember, payload.dict(), {"name": "name"})
    services.member_add(
        by=request.user,
        meeting=meeting,
        user=user,
        agency=agency,
        name=payload.name,
        is_guest=payload.is_guest,
        invited_until=_aware(payload.invited_until),
    )
    return Status(201, _fresh(request, meeting))


@router.post(
    "/meetings/{meeting_id}/members/{member_id}/pledge",
    response={200: MeetingDetailOut, **MANAGE_RESPONSES},
    summary="守秘義務の誓約の記録（本人による誓約、または招集機関による書面の記録）",
)
def pledge_record(request, meeting_id: int, member_id: int):
    """支援会議（社会福祉法第106条の6）の構成員は、誓約を記録してから資料を閲覧できます。
    違反した場合は一年以下の拘禁刑又は百万円以下の罰金に処されます。"""
    require_perm(request, "meetings.use")
    meeting = selectors.get_meeting_for_user(request.user, meeting_id)
    member = selectors.member_in(meeting, member_id)
    if member.user_id != request.user.pk:
        require_perm(request, "meetings.manage_meeting", meeting)
    services.pledge_record(by=request.user, member=member)
    return _fresh(request, meeting)


@router.post(
    "/meetings/{meeting_id}/members/{member_id}/revoke",
    response={200: MeetingDetailOut, **MANAGE_RESPONSES},
    summary="ゲストの招待の取消（ただちに会議を閲覧できなくなります）",
)
def invitation_revoke(request, meeting_id: int, member_id: int):
    require_perm(request, "meetings.use")
    meeting = selectors.get_meeting_for_user(request.user, meeting_id)
    require_perm(request, "meetings.manage_meeting", meeting)
    member = selectors.member_in(meeting, member_id)
    services.invitation_revoke(by=request.user, member=member)
    return _fresh(request, meeting)


@router.post(
    "/meetings/{meeting_id}/attendance",
    response={200: MeetingDetailOut, **MANAGE_RESPONSES},
    summary="出席の記録（出席した構成員のID。支援会議では誓約済みの方だけ）",
)
def attendance_record(request, meeting_id: int, payload: AttendanceIn):
    require_perm(request, "meetings.use")
    meeting = selectors.get_meeting_for_user(request.user, meeting_id)
    require_perm(request, "meetings.manage_meeting", meeting)
    services.attendance_record(by=request.user, meeting=meeting, attended=payload.attended)
    return _fresh(request, meeting)


@router.post(
    "/meetings/{meeting_id}/agenda",
    response={201: MeetingDetailOut, **MANAGE_RESPONSES},
    summary="議題の追加（事例と目的。同意のない事例は支援会議だけ）",
)
@api_fields({"case": "case_id", "plan": "case_id"})
def agenda_add(request, meeting_id: int, payload: AgendaIn):
    """``purpose``：``plan_adoption``・``replan``・``closure``・``suspension``・``progress``・
    ``information``・``resource``。プランの決定では事例の作成中のプランが議題になります。"""
    require_perm(request, "meetings.use")
    meeting = selectors.get_meeting_for_user(request.user, meeting_id)
    require_perm(request, "meetings.manage_meeting", meeting)
    _choice(payload.purpose, AgendaPurpose.values, "purpose", "議題の目的の値が正しくありません。")
    case = None
    if payload.case_id is not None:
        case = selectors.visible_case(user=request.user, pk=payload.case_id)
        if case is None:
            raise invalid({"case_id": "指定された事例が見つかりません。"})
    check_lengths(AgendaItem, payload.dict(), {"title": "title"})
    services.agenda_add(
        by=request.user,
        meeting=meeting,
        purpose=payload.purpose,
        case=case,
        title=payload.title,
    )
    return Status(201, _fresh(request, meeting))


@router.post(
    "/meetings/{meeting_id}/agenda/{item_id}/withdraw",
    response={200: MeetingDetailOut, **MANAGE_RESPONSES},
    summary="議題の取り下げ（協議中のプランは作成中に戻ります）",
)
def agenda_withdraw(request, meeting_id: int, item_id: int, payload: WithdrawIn):
    require_perm(request, "meetings.use")
    meeting = selectors.get_meeting_for_user(request.user, meeting_id)
    require_perm(request, "meetings.manage_meeting", meeting)
    item = selectors.agenda_item_in(meeting, item_id)
    services.agenda_withdraw(by=request.user, item=item, reason=payload.reason)
    return _fresh(request, meeting)


@router.post(
    "/meetings/{meeting_id}/agenda/{item_id}/decision",
    response={200: MeetingDetailOut, **MANAGE_RESPONSES},
    summary="議題の決定の記録（効果は同時に事例とプランに反映されます）",
)
@api_fields({"lead_agency": "lead_agency_id"})
def decision_record(request, meeting_id: int, item_id: int, payload: DecisionIn):
    """``outcome``：プランの決定・再プランは ``agreed``／``revise``（``decision_text`` に修正点）、
    終結・中断は ``agreed``／``not_agreed``、その他は ``noted``。終結には ``lead_agency_id``
    （終結後の主担当機関）、中断には ``contact_attempts``（行った連絡の試み）が必要です。
    重層的支援会議・支援会議の決定には、多機関協働事業者と自治体職員の出席が必要です（409）。"""
    require_perm(request, "meetings.use")
    meeting = selectors.get_meeting_for_user(request.user, meeting_id)
    require_perm(request, "meetings.manage_meeting", meeting)
    item = selectors.agenda_item_in(meeting, item_id)
    lead_agency = _agency(payload.lead_agency_id, "lead_agency_id")
    services.decision_record(
        by=request.user,
        item=item,
        outcome=payload.outcome,
        decision_text=payload.decision_text,
        lead_agency=lead_agency,
        contact_attempts=payload.contact_attempts,
    )
    return _fresh(request, meeting)


@router.put(
    "/meetings/{meeting_id}/minutes",
    response={200: MeetingDetailOut, **MANAGE_RESPONSES},
    summary="議事録の保存",
)
def minutes_update(request, meeting_id: int, payload: MinutesIn):
    require_perm(request, "meetings.use")
    meeting = selectors.get_meeting_for_user(request.user, meeting_id)
    require_perm(request, "meetings.manage_meeting", meeting)
    services.meeting_update_minutes(by=request.user, meeting=meeting, minutes=payload.minutes)
    return _fresh(request, meeting)


@router.post(
    "/meetings/{meeting_id}/action-items",
    response={201: MeetingDetailOut, **MANAGE_RESPONSES},
    summary="宿題の追加（担当機関と期限）",
)
@api_fields({"owner_agency": "owner_agency_id", "agenda_item": "agenda_item_id"})
def action_item_add(request, meeting_id: int, payload: ActionItemIn):
    require_perm(request, "meetings.use")
    meeting = selectors.get_meeting_for_user(request.user, meeting_id)
    require_perm(request, "meetings.manage_meeting", meeting)
    owner = _agency(payload.owner_agency_id, "owner_agency_id", required=True)
    due_on = date_input(payload.due_on, "due_on")
    item = None
    if payload.agenda_item_id is not None:
        item = next((i for i in meeting.agenda.all() if i.pk == payload.agenda_item_id), None)
        if item is None:
            raise invalid({"agenda_item_id": "この会議の議題を選んでください。"})
    check_lengths(
        ActionItem,
        payload.dict(),
        {"description": "description", "owner_name": "owner_name"},
    )
    services.action_item_add(
        by=request.user,
        meeting=meeting,
        description=payload.description,
        owner_agency=owner,
        owner_name=payload.owner_name,
        due_on=due_on,
        agenda_item=item,
    )
    return Status(201, _fresh(request, meeting))


@router.post(
    "/meetings/{meeting_id}/action-items/{action_id}/done",
    response={200: MeetingDetailOut, **MANAGE_RESPONSES},
    summary="宿題の完了（担当機関、または会議を招集した機関）",
)
def action_item_done(request, meeting_id: int, action_id: int, done_on: str | None = None):
    """完了日（``done_on``、クエリ。和暦・西暦）を省くと今日の日付で記録します。"""
    require_perm(request, "meetings.use")
    meeting = selectors.get_meeting_for_user(request.user, meeting_id)
    action = selectors.action_item_in(meeting, action_id)
    done_day = date_input(done_on, "done_on")
    services.action_item_done(by=request.user, action=action, done_on=done_day)
    return _fresh(request, meeting)


@router.post(
    "/meetings/{meeting_id}/resource-gaps",
    response={201: MeetingDetailOut, **MANAGE_RESPONSES},
    summary="不足する社会資源（地域課題）の記録",
)
@api_fields({"area": "area_id"})
def resource_gap_add(request, meeting_id: int, payload: ResourceGapIn):
    require_perm(request, "meetings.use")
    meeting = selectors.get_meeting_for_user(request.user, meeting_id)
    require_perm(request, "meetings.manage_meeting", meeting)
    area: Area | None = None
    if payload.area_id is not None:
        area = area_list().filter(pk=payload.area_id).first()
        if area is None:
            raise invalid({"area_id": "指定された圏域が見つかりません。"})
    services.resource_gap_add(
        by=request.user, meeting=meeting, description=payload.description, area=area
    )
    return Status(201, _fresh(request, meeting))
