"""Screens of meetings: the list, a new meeting, a meeting's page (members, pledges,
attendance, the quorum, the agenda and its decisions, action items, resource gaps, minutes)
and the convenor's steps, each a small view.

A meeting the user may not see answers 404 (a guest's invitation counts only until it
expires or is revoked); a visible meeting the user may not run answers 403. Materials (the
agenda's cases, decisions, minutes) are shown only with ``meetings.view_materials``: at a
支援会議 after the member's own recorded pledge (社会福祉法第106条の6). A rule the program
does not allow (``MeetingRuleError``) is shown as a red message.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from tsunagu.accounts import selectors as agency_selectors
from tsunagu.accounts.acting import acting
from tsunagu.audit.services import audit_read
from tsunagu.common.form_token import form_token_once
from tsunagu.common.spreadsheet import (
    audit_export,
    export_format,
    filter_lines,
    query_without_page,
    stream_list,
)
from tsunagu.common.views import is_partial, personal_data_view

from . import export, selectors, services
from .forms import (
    ActionItemForm,
    AgendaForm,
    AttendanceForm,
    DecisionForm,
    MeetingFilterForm,
    MeetingForm,
    MemberForm,
    MinutesForm,
    ResourceGapForm,
    WithdrawForm,
)
from .hooks import agenda_links
from .models import AgendaItem, AgendaPurpose, Meeting, MeetingKind

PAGE_SIZE = 25


def _materials(request: HttpRequest, meeting: Meeting) -> bool:
    return request.user.has_perm("meetings.view_materials", meeting)


def _audit_view(
    request: HttpRequest, meeting: Meeting, page: str = "", *, materials: bool | None = None
) -> None:
    """One audited read per page; the agenda's persons only when the materials are shown
    (``materials``: what the page already asked of :func:`_materials`)."""
    context = {"meeting": meeting.pk}
    if page:
        context["page"] = page
    if materials is None:
        materials = _materials(request, meeting)
    persons = selectors.agenda_persons(meeting) if materials else []
    audit_read(request, "meeting.view", meeting, persons=persons, context=context)


def _report_errors(request: HttpRequest, exc: ValidationError) -> None:
    for text in exc.messages:
        messages.error(request, text)


def _service_errors(
    request: HttpRequest, form, exc: ValidationError, aliases: dict | None = None
) -> None:
    """A refused rule is a red message at the top; refused input goes next to its field."""
    if isinstance(exc, services.MeetingRuleError | services.CaseTransitionError):
        _report_errors(request, exc)
    else:
        form.add_service_errors(exc, aliases)


def _to_detail(meeting: Meeting, anchor: str = "") -> HttpResponse:
    response = redirect("meetings:meeting_detail", pk=meeting.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _query_without_page(request: HttpRequest) -> str:
    return query_without_page(request)


def _render_form(request, meeting, template, form, **extra) -> HttpResponse:
    return render(request, template, {"meeting": meeting, "form": form, **extra})


# ------------------------------------------------------------------------------ list


@personal_data_view("meetings.use")
def meeting_list(request: HttpRequest) -> HttpResponse:
    form = MeetingFilterForm(request.GET or None)
    form.is_valid()
    filters = getattr(form, "cleaned_data", {})
    qs = selectors.meeting_list(
        user=request.user,
        q=filters.get("q") or "",
        kind=filters.get("kind") or "",
        when=filters.get("when") or "",
        schedule=filters.get("schedule") or "",
    )
    fmt = export_format(request)
    if fmt:
        audit_export(
            request, "meeting.list", fmt=fmt, title=export.TITLE, count=qs.count(), filters=filters
        )
        return stream_list(
            fmt,
            title=export.TITLE,
            header=export.HEADER,
            rows=export.rows(qs),
            widths=export.WIDTHS,
            about=filter_lines(form),
            filename_ascii="meetings",
            filename_ja=export.TITLE,
        )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": list(page.object_list),
        "query": _query_without_page(request),
        "total": page.paginator.count,
        "may_create": request.user.has_perm("meetings.create"),
    }
    partial = is_partial(request)
    template = "meetings/_meeting_rows.html" if partial else "meetings/meeting_list.html"
    return render(request, template, context)


# ---------------------------------------------------------------------------- create


@personal_data_view("meetings.use")
@permission_required("meetings.create", raise_exception=True)
@form_token_once
def meeting_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = MeetingForm(request.POST)
        if form.is_valid():
            try:
                meeting = services.meeting_create(by=request.user, **form.service_arguments())
            except ValidationError as exc:
                form.add_service_errors(exc, {"starts_at": "starts_on"})
            else:
                messages.success(request, f"「{meeting.title}」を登録しました。")
                return _to_detail(meeting)
    else:
        initial = {"schedule": "regular", "format": "in_person"}
        if request.GET.get("kind") in MeetingKind.values:  # e.g. a 支援会議 offered by a case
            initial.update(kind=request.GET["kind"], schedule="ad_hoc")
        form = MeetingForm(initial=initial)
    return render(request, "meetings/meeting_form.html", {"form": form})


# ---------------------------------------------------------------------------- detail


def _agenda_rows(request: HttpRequest, meeting: Meeting, materials: bool) -> list[AgendaItem]:
    items = list(meeting.agenda.all())
    if not materials:
        return items
    user = request.user
    cases = selectors.visible_case_ids(user, [i.case_id for i in items if i.case_id])
    may_manage = user.has_perm("meetings.manage_meeting", meeting)
    links = agenda_links(user, items)
    for item in items:
        item.case_visible = item.case_id in cases
        item.may_decide = may_manage and not item.outcome and not item.is_withdrawn
        item.links = links.get(item.pk, [])
    return items


@personal_data_view("meetings.use")
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk)
    user = request.user
    materials = _materials(request, meeting)
    may_manage = user.has_perm("meetings.manage_meeting", meeting)
    _audit_view(request, meeting, materials=materials)
    members = list(meeting.members.all())
    for member in members:
        member.state = selectors.member_state(member)
        member.role_label = selectors.role_label(member.role)
    own = selectors.own_member(user, meeting)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "members": members,
            "own_member": own,
            "materials": materials,
            "may_manage": may_manage,
            "may_pledge_self": meeting.is_confidential and own is not None and not own.pledged_at,
            "agenda": _agenda_rows(request, meeting, materials),
            "quorum_problems": services.quorum_problems(meeting) if meeting.takes_decisions else [],
            "action_items": list(meeting.action_items.all()) if materials else [],
            "resource_gaps": [link.gap for link in meeting.gap_links.all()] if materials else [],
            "pledge_text": selectors.PLEDGE_TEXT,
            "attendance_form": AttendanceForm(members=members) if may_manage else None,
            "user_agency_id": acting(user).agency_id,
        },
    )


@personal_data_view("meetings.use")
@require_POST
def meeting_next(request: HttpRequest, pk: int) -> HttpResponse:
    """定例: the next meeting of the series, one click (same week and weekday next month)."""
    meeting = selectors.get_meeting_for_user(request.user, pk, for_write=True)
    try:
        following = services.meeting_schedule_next(by=request.user, meeting=meeting)
    except ValidationError as exc:
        _report_errors(request, exc)
        return redirect("meetings:meeting_detail", pk=meeting.pk)
    messages.success(request, "次回の定例会議を登録しました。構成員を引き継いでいます。")
    return redirect("meetings:meeting_detail", pk=following.pk)


# ---------------------------------------------------------------------------- members


@personal_data_view("meetings.use")
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk, for_write=True)
    users = selectors.member_user_choices(meeting)
    agencies = list(agency_selectors.agency_list(user=request.user))
    if request.method == "POST":
        form = MemberForm(request.POST, users=users, agencies=agencies)
        if form.is_valid():
            data = form.cleaned_data
            chosen = None
            if data["membership"]:
                chosen = selectors.membership_get(data["membership"])
            try:
                member = services.member_add(
                    by=request.user,
                    meeting=meeting,
                    user=chosen.user if chosen else None,
                    agency=chosen.agency if chosen else form.chosen_agency(),
                    name="" if chosen else data["name"],
                    is_guest=data["is_guest"],
                    invited_until=form.invited_until(),
                )
            except ValidationError as exc:
                form.add_service_errors(
                    exc, {"user": "membership", "invited_until": "invited_until_on"}
                )
            else:
                messages.success(request, f"{member.name}さんを構成員に追加しました。")
                return _to_detail(meeting, "members")
    else:
        form = MemberForm(users=users, agencies=agencies)
    return _render_form(request, meeting, "meetings/member_form.html", form)


@personal_data_view("meetings.use")
@require_POST
def invitation_revoke(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk, for_write=True)
    member = selectors.member_in(meeting, member_pk)
    try:
        services.invitation_revoke(by=request.user, member=member)
    except ValidationError as exc:
        _report_errors(request, exc)
    else:
        messages.success(request, f"{member.name}さんの招待を取り消しました。")
    return _to_detail(meeting, "members")


@personal_data_view("meetings.use")
@require_POST
def pledge_record(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """The member pledges for themself; the convenor records a pledge made on paper."""
    meeting = selectors.get_meeting_for_user(request.user, pk)
    member = selectors.member_in(meeting, member_pk)
    own = member.user_id == request.user.pk
    if not own and not request.user.has_perm("meetings.manage_meeting", meeting):
        raise PermissionDenied(selectors.MANAGE_REFUSED)
    try:
        services.pledge_record(by=request.user, member=member)
    except ValidationError as exc:
        _report_errors(request, exc)
    else:
        if own:
            messages.success(
                request, "守秘義務の誓約を記録しました。支援会議の資料を閲覧できます。"
            )
        else:
            messages.success(request, f"{member.name}さんの守秘義務の誓約（書面）を記録しました。")
    return _to_detail(meeting, "members")


@personal_data_view("meetings.use")
@require_POST
def attendance_record(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk, for_write=True)
    form = AttendanceForm(request.POST, members=meeting.members.all())
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return _to_detail(meeting, "members")
    try:
        services.attendance_record(
            by=request.user, meeting=meeting, attended=form.cleaned_data["attended"]
        )
    except ValidationError as exc:
        _report_errors(request, exc)
    else:
        messages.success(request, "出席を記録しました。")
    return _to_detail(meeting, "members")


# ----------------------------------------------------------------------------- agenda


@personal_data_view("meetings.use")
def agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk, for_write=True)
    cases = selectors.agenda_case_choices(request.user)
    if request.method == "POST":
        form = AgendaForm(request.POST, cases=cases)
        if form.is_valid():
            data = form.cleaned_data
            case = None
            if data["case"]:
                case = selectors.visible_case(user=request.user, pk=data["case"])
            try:
                item = services.agenda_add(
                    by=request.user,
                    meeting=meeting,
                    purpose=data["purpose"],
                    case=case,
                    title=data["title"],
                )
            except ValidationError as exc:
                _service_errors(request, form, exc, {"plan": "case"})
            else:
                messages.success(
                    request, f"議題{item.order}（{item.get_purpose_display()}）を追加しました。"
                )
                return _to_detail(meeting, "agenda")
    else:
        initial = {}
        case_param = request.GET.get("case", "")
        if case_param.isdigit() and int(case_param) in {pk for pk, _ in cases}:
            initial["case"] = int(case_param)
        if request.GET.get("purpose") in AgendaPurpose.values:
            initial["purpose"] = request.GET["purpose"]
        form = AgendaForm(initial=initial, cases=cases)
        shown = [pk for pk, _ in cases]
        audit_read(
            request,
            "meeting.agenda_form",
            meeting,
            persons=selectors.case_persons(shown),
            context={"meeting": meeting.pk, "cases": shown[:200]},
        )
    return _render_form(request, meeting, "meetings/agenda_form.html", form)


@personal_data_view("meetings.use")
def agenda_withdraw(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk, for_write=True)
    item = selectors.agenda_item_in(meeting, item_pk)
    if request.method == "POST":
        form = WithdrawForm(request.POST)
        if form.is_valid():
            try:
                services.agenda_withdraw(
                    by=request.user, item=item, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                _service_errors(request, form, exc)
            else:
                messages.success(request, f"議題{item.order}を取り下げました。")
                return _to_detail(meeting, "agenda")
    else:
        form = WithdrawForm()
        _audit_view(request, meeting, "agenda_withdraw")
    return _render_form(
        request,
        meeting,
        "meetings/withdraw_form.html",
        form,
        item=item,
        materials=_materials(request, meeting),
    )


@personal_data_view("meetings.use")
def decision_record(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk, for_write=True)
    item = selectors.agenda_item_in(meeting, item_pk)
    agencies = list(agency_selectors.agency_list(user=request.user))
    if item.is_decided or item.is_withdrawn:
        messages.error(request, "この議題の決定は既に記録されているか、取り下げられています。")
        return _to_detail(meeting, "agenda")
    if request.method == "POST":
        form = DecisionForm(request.POST, purpose=item.purpose, agencies=agencies)
        if form.is_valid():
            try:
                services.decision_record(by=request.user, item=item, **form.service_arguments())
            except ValidationError as exc:
                _service_errors(request, form, exc)
            else:
                messages.success(request, f"議題{item.order}の決定を記録しました。")
                return _to_detail(meeting, "agenda")
    else:
        initial = {}
        if item.purpose == AgendaPurpose.SUSPENSION:
            initial["contact_attempts"] = selectors.contact_attempts_text(item.case)
        if item.purpose == AgendaPurpose.CLOSURE and item.case_id:
            team = selectors.case_team_agency_ids(item.case)
            agencies.sort(key=lambda a: a.pk not in team)
        form = DecisionForm(initial=initial, purpose=item.purpose, agencies=agencies)
        _audit_view(request, meeting, "decision")
    return _render_form(
        request,
        meeting,
        "meetings/decision_form.html",
        form,
        item=item,
        materials=_materials(request, meeting),
        quorum_problems=services.quorum_problems(meeting) if meeting.takes_decisions else [],
        needs_quorum=item.purpose in selectors.DECISION_PURPOSES,
    )


# ------------------------------------------------------------------ minutes, actions, gaps


@personal_data_view("meetings.use")
def minutes_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk, for_write=True)
    if request.method == "POST":
        form = MinutesForm(request.POST)
        if form.is_valid():
            try:
                services.meeting_update_minutes(
                    by=request.user, meeting=meeting, minutes=form.cleaned_data["minutes"]
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "議事録を保存しました。")
                return _to_detail(meeting, "minutes")
    else:
        form = MinutesForm(initial={"minutes": meeting.minutes})
        _audit_view(request, meeting, "minutes")
    return _render_form(request, meeting, "meetings/minutes_form.html", form)


@personal_data_view("meetings.use")
def action_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk, for_write=True)
    agencies = list(agency_selectors.agency_list(user=request.user))
    items = [i for i in meeting.agenda.all() if not i.is_withdrawn]
    if request.method == "POST":
        form = ActionItemForm(request.POST, agencies=agencies, items=items)
        if form.is_valid():
            try:
                services.action_item_add(
                    by=request.user, meeting=meeting, **form.service_arguments()
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "宿題を追加しました。")
                return _to_detail(meeting, "actions")
    else:
        form = ActionItemForm(agencies=agencies, items=items)
    return _render_form(request, meeting, "meetings/action_item_form.html", form)


@personal_data_view("meetings.use")
@require_POST
def action_item_done(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    """The convenor, or the agency that owns the action item, marks it done."""
    meeting = selectors.get_meeting_for_user(request.user, pk)
    action = selectors.action_item_in(meeting, action_pk)
    try:
        services.action_item_done(by=request.user, action=action)
    except ValidationError as exc:
        _report_errors(request, exc)
    else:
        messages.success(request, f"宿題「{action.description}」を完了にしました。")
    return _to_detail(meeting, "actions")


@personal_data_view("meetings.use")
def resource_gap_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk, for_write=True)
    areas = list(agency_selectors.area_list())
    if request.method == "POST":
        form = ResourceGapForm(request.POST, areas=areas)
        if form.is_valid():
            try:
                services.resource_gap_add(
                    by=request.user,
                    meeting=meeting,
                    description=form.cleaned_data["description"],
                    area=form.chosen_area(),
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "不足する社会資源を記録しました。")
                return _to_detail(meeting, "gaps")
    else:
        form = ResourceGapForm(areas=areas)
    return _render_form(request, meeting, "meetings/resource_gap_form.html", form)
