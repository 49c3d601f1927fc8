"""Screens of 多機関協働 cases: the case list, a case with its team, status history and
consent versions, and the coordinator's own steps (consent, withdrawal, moves, team).

Anything the user may not see answers 404; a role that does not work with persons gets 403,
as does anyone but the case's coordinator or the municipal office trying a step.
Every page that shows personal data records one audited read.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tsunagu import access
from tsunagu.accounts import selectors as agency_selectors
from tsunagu.audit.services import audit_read
from tsunagu.cases import export, selectors, services, workflow
from tsunagu.cases.forms.case import (
    CaseFilterForm,
    ConsentForm,
    TeamAddForm,
    TeamLeaveForm,
    TransitionForm,
    WithdrawForm,
)
from tsunagu.cases.models import Case, CaseStatus
from tsunagu.cases.panels import AUDIT, case_panels
from tsunagu.common.paging import CappedPaginator
from tsunagu.common.spreadsheet import (
    audit_export,
    export_format,
    filter_lines,
    query_without_page,
    stream_list,
)
from tsunagu.common.views import is_partial, personal_data_view
from tsunagu.people import export as people_export

PAGE_SIZE = 25
C = CaseStatus

# The coordinator's own steps, by (from, to): the button that makes them.
STEP_LABELS = {
    (C.INTAKE, C.ASSESSMENT): "アセスメントへ進む",
    (C.ASSESSMENT, C.PLANNING): "プラン作成へ進む",
    (C.CLOSED, C.ASSESSMENT): "再開する",
    (C.SUSPENDED, C.ASSESSMENT): "再開する",
}

# Steps taken by another recorded step: an agenda, a decision, 支援決定, monitoring.
DECISION_LABELS = {
    (C.PLANNING, C.IN_CONFERENCE): "プランを重層的支援会議（同意のない事例は支援会議）の議題にする",
    (C.REPLANNING, C.IN_CONFERENCE): "再プランを重層的支援会議の議題にする",
    (C.IN_CONFERENCE, C.AWAITING_DECISION): "会議でプランに合意する（決定を記録）",
    (C.IN_CONFERENCE, C.PLANNING): "会議でプランの修正を決める、または議題を取り下げる",
    (C.IN_CONFERENCE, C.REPLANNING): "会議で再プランの修正を決める、または議題を取り下げる",
    (C.AWAITING_DECISION, C.ACTIVE): (
        "自治体の支援決定（参加支援・アウトリーチ等を含むプラン）、"
        "または自治体への報告（含まないプラン）でプランを確定する"
    ),
    (C.ACTIVE, C.MONITORING): "モニタリング・評価の時期に確認を始める",
    (C.MONITORING, C.ACTIVE): "モニタリングの結果、現在のプランで支援を継続する",
    (C.ACTIVE, C.REPLANNING): "モニタリングの結果、再プランを作成する",
    (C.MONITORING, C.REPLANNING): "モニタリングの結果、再プランを作成する",
    **{
        (source, C.CLOSED): "重層的支援会議で終結を決定し、終結後の主担当機関を指名する"
        for source in workflow.CLOSABLE
    },
}
SUSPENSION_LABEL = "本人と全く連絡が取れない場合に、会議で中断を決定する（連絡の試みを記録）"


def _may_act(request: HttpRequest, case: Case) -> bool:
    """Whether the user takes the coordinator's steps on this case."""
    return request.user.has_perm("cases.manage_case", case)


def _query_without_page(request: HttpRequest) -> str:
    return query_without_page(request)


def _audit_view(
    request: HttpRequest, case: Case, page: str = "", shown: dict | None = None
) -> None:
    context = {"case": case.pk, "referral": case.referral_id, **(shown or {})}
    if page:
        context["page"] = page
    # a limited view shows only the persons the user may see anyway
    persons = case.subject_ids if case.content_visible else sorted(case.visible_subject_ids)
    audit_read(request, "case.view", case, persons=persons, context=context)


def _report_errors(request: HttpRequest, exc: ValidationError) -> None:
    for text in exc.messages:
        messages.error(request, text)


# ------------------------------------------------------------------------------ list


@personal_data_view("cases.use")
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None)
    form.is_valid()
    filters = getattr(form, "cleaned_data", {})
    qs = selectors.case_list(
        user=request.user, status=filters.get("status") or "", q=filters.get("q") or ""
    )
    fmt = export_format(request)
    if fmt:
        audit_export(
            request,
            "case.list",
            fmt=fmt,
            title=export.CASES,
            count=qs.count(),
            persons=people_export.subject_person_ids(qs),
            filters=filters,
        )
        return stream_list(
            fmt,
            title=export.CASES,
            header=export.CASE_HEADER,
            rows=export.case_rows(request.user, qs),
            widths=export.CASE_WIDTHS,
            about=filter_lines(form),
            filename_ascii="cases",
            filename_ja=export.CASES,
        )
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.mark_subjects(request.user, list(page.object_list))
    for case in rows:
        case.consent_state = selectors.consent_state(case)
    audit_read(
        request,
        "case.list",
        persons=selectors.subject_person_ids(rows),
        context={
            **{k: str(v) for k, v in filters.items() if v},
            "page": page.number,
            "shown": len(rows),
            "cases": [c.pk for c in rows],
        },
    )
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": _query_without_page(request),
        "total": page.paginator.count,
        "total_label": page.paginator.count_label,
        "consent_labels": selectors.CONSENT_LABELS,
    }
    template = "cases/_case_rows.html" if is_partial(request) else "cases/case_list.html"
    return render(request, template, context)


# ---------------------------------------------------------------------------- detail


def _steps(case: Case, has_consent: bool) -> list[dict]:
    """The coordinator's own next steps from the case's status."""
    steps = []
    for (source, target), label in STEP_LABELS.items():
        if source != case.status or (source, target) not in workflow.DIRECT_TRANSITIONS:
            continue
        reopening = source in (C.CLOSED, C.SUSPENDED)
        steps.append(
            {
                "to": target,
                "label": label,
                "reason_required": reopening,
                "ask_without_consent": (source, target) == (C.INTAKE, C.ASSESSMENT)
                and not has_consent,
            }
        )
    return steps


def _decision_steps(case: Case) -> list[str]:
    """Next steps that need a meeting decision, explained (they cannot be taken here)."""
    labels = []
    for source, target in sorted(workflow.DECISION_TRANSITIONS):
        if source != case.status:
            continue
        label = (
            SUSPENSION_LABEL
            if target == C.SUSPENDED
            else DECISION_LABELS.get(
                (source, target),
                f"「{C(target).label}」へ：会議の決定などを記録して進みます",
            )
        )
        if label not in labels:
            labels.append(label)
    return labels


def _consent_summary(case: Case) -> tuple[str, str]:
    """(state, text) of the principal's consent for the top of the page."""
    state = selectors.consent_state(case)
    if state == selectors.CONSENT_NONE:
        return state, "同意なし"
    if state == selectors.CONSENT_WITHDRAWN:
        return state, "撤回済み"
    return state, f"同意あり（第{selectors.current_consent(case).version}版）"


@personal_data_view("cases.use")
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, pk)
    user = request.user
    content = selectors.case_content_visible(user, case)
    consents = list(case.consents.all())
    consent_state, consent_text = _consent_summary(case)
    has_consent = consent_state == selectors.CONSENT_GIVEN
    may_act = _may_act(request, case)
    team = selectors.mark_team_consent(case, list(case.team.all()))
    panels: dict = {}
    shown: dict = {}  # the records the panels show from other apps, named in the audited read
    for panel in case_panels(content_visible=content):
        answer = dict(panel(request.user, case))
        shown.update(answer.pop(AUDIT, {}))
        panels.update(answer)
    _audit_view(request, case, "" if content else "limited", shown)
    events = list(case.status_events.all())
    shown = case.visible_subject_ids  # one member's consent never opens another's details
    return render(
        request,
        "cases/case_detail.html",
        {
            **panels,
            "case": case,
            "content_visible": content,
            "own_plan_items": []
            if content
            else selectors.own_plan_items(case, access.acting_agency_id(user)),
            "person": case.person,
            "household": case.household,
            "person_visible": case.person_visible,
            "household_visible": case.household_visible,
            "referral_visible": user.has_perm("consultations.view_referral", case.referral),
            "team": [m for m in team if m.left_on is None],
            "unshared_team": [m for m in team if m.left_on is None and not m.shared_by_consent],
            "former_team": [m for m in team if m.left_on is not None],
            "events": events,
            "consents": [c for c in reversed(consents) if c.person_id in shown | {None}]
            if content
            else [],
            "consent_people": _consent_people(case, shown) if content else [],
            "consent_state": consent_state,
            "consent_text": consent_text,
            "has_consent": has_consent,
            "may_act": may_act,
            "steps": _steps(case, has_consent) if may_act else [],
            "decision_steps": _decision_steps(case) if content else [],
            "transition_form": TransitionForm(),
        },
    )


def _consent_people(case: Case, shown: set[int]) -> list[dict]:
    """Each person of the case and household the viewer may see, with their own current
    consent (§6)."""
    current = {c.person_id: c for c in selectors.current_consents(case)}
    rows = []
    for person in services.consent_subjects(case):
        if person.pk not in shown:
            continue
        consent = current.get(person.pk)
        if consent is None:
            state, text = selectors.CONSENT_NONE, "同意なし"
        elif consent.is_withdrawal:
            state, text = selectors.CONSENT_WITHDRAWN, "撤回済み"
        else:
            state, text = selectors.CONSENT_GIVEN, f"同意あり（第{consent.version}版）"
        rows.append({"person": person, "consent": consent, "state": state, "text": text})
    return rows


# ---------------------------------------------------------------------------- consent


def _scope_agencies(request: HttpRequest) -> list:
    return list(agency_selectors.agency_list(user=request.user))


def _chosen_person(request: HttpRequest, case: Case):
    """The person named by ``?person=`` among the case's people (default: the case's person)."""
    people = services.consent_subjects(case)
    wanted = request.GET.get("person", "")
    chosen = next((p for p in people if str(p.pk) == wanted), None)
    return chosen or (people[0] if people else None), people


def _consent_initial(case: Case, person) -> dict:
    current = services.person_consent(case, person) if person else None
    team_ids = [m.agency_id for m in selectors.current_team(case)]
    if current is None:
        minor = bool(person is not None and services.is_minor(person, timezone.localdate()))
        return {
            "person": person.pk if person else None,
            "given_by": "" if minor or person is None else person.name,
            "by_guardian": minor,
            "given_on": timezone.localdate(),
            "scope_agencies": team_ids,
        }
    # a new version starts from the person's current one
    return {
        "person": person.pk,
        "by_guardian": current.by_guardian,
        "given_by": current.given_by,
        "given_on": timezone.localdate(),
        "method": current.method,
        "witness": current.witness,
        "scope_agencies": [a.pk for a in current.scope_agencies.all()],
        "share_in_conference": current.share_in_conference,
        "notes": current.notes,
    }


@personal_data_view("cases.use")
def consent_record(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, pk, for_write=True)
    team_ids = [m.agency_id for m in selectors.current_team(case)]
    agencies = _scope_agencies(request)
    person, people = _chosen_person(request, case)
    if request.method == "POST":
        form = ConsentForm(request.POST, agencies=agencies, team_ids=team_ids, people=people)
        if form.is_valid():
            try:
                consent = services.consent_record(
                    by=request.user, case=case, **form.service_arguments()
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request,
                    f"{consent.person.name}さんの本人同意を記録しました（第{consent.version}版）。",
                )
                return redirect("cases:case_detail", pk=case.pk)
    else:
        form = ConsentForm(
            initial=_consent_initial(case, person),
            agencies=agencies,
            team_ids=team_ids,
            people=people,
        )
        _audit_view(request, case, "consent_record")
    return render(
        request,
        "cases/consent_form.html",
        {
            "case": case,
            "form": form,
            "people": people,
            "chosen": person,
            "current": services.person_consent(case, person) if person else None,
        },
    )


@personal_data_view("cases.use")
def consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, pk, for_write=True)
    people = [p for p in services.consent_subjects(case) if services.person_consent(case, p)]
    if request.method == "POST":
        form = WithdrawForm(request.POST, people=people)
        if form.is_valid():
            data = form.cleaned_data
            try:
                consent = services.consent_withdraw(
                    by=request.user,
                    case=case,
                    person=form.chosen_person(),
                    given_by=data["given_by"],
                    given_on=data["given_on"],
                    notes=data["notes"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request,
                    f"{consent.person.name}さんの同意の撤回を記録しました（第{consent.version}版）。"
                    "同意に基づく情報共有は、ただちに終了しました。",
                )
                return redirect("cases:case_detail", pk=case.pk)
    else:
        if not people:
            messages.error(request, "撤回できる同意がありません。")
            return redirect("cases:case_detail", pk=case.pk)
        wanted = request.GET.get("person", "")
        person = next((p for p in people if str(p.pk) == wanted), people[0])
        current = services.person_consent(case, person)
        form = WithdrawForm(
            initial={
                "person": person.pk,
                "given_by": current.given_by,
                "given_on": timezone.localdate(),
            },
            people=people,
        )
        _audit_view(request, case, "consent_withdraw")
    return render(
        request,
        "cases/consent_withdraw.html",
        {"case": case, "form": form, "current": selectors.current_consent(case)},
    )


# ------------------------------------------------------------------------- transition


@personal_data_view("cases.use")
@require_POST
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, pk, for_write=True)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return redirect("cases:case_detail", pk=case.pk)
    data = form.cleaned_data
    before = case.status
    try:
        moved = services.case_transition(
            by=request.user,
            case=case,
            to=data["to"],
            note=data["note"],
            without_consent=data["without_consent"],
        )
    except ValidationError as exc:  # CaseTransitionError included
        _report_errors(request, exc)
    else:
        if before in (C.CLOSED, C.SUSPENDED):
            text = (
                f"事例を再開しました（「{moved.get_status_display()}」から進めます）。"
                "これまでの記録はすべて引き継がれます。"
            )
        else:
            text = f"事例を「{moved.get_status_display()}」に進めました。"
        messages.success(request, text)
    return redirect("cases:case_detail", pk=case.pk)


# ------------------------------------------------------------------------------ team


@personal_data_view("cases.use")
def team_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, pk, for_write=True)
    on_team = {m.agency_id for m in selectors.current_team(case)}
    agencies = [a for a in agency_selectors.agency_list(user=request.user) if a.pk not in on_team]
    if request.method == "POST":
        form = TeamAddForm(request.POST, agencies=agencies)
        if form.is_valid():
            try:
                member = services.team_add(
                    by=request.user,
                    case=case,
                    agency=form.chosen_agency(),
                    role=form.cleaned_data["role"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, f"{member.agency.name}を支援チームに追加しました。")
                warning = selectors.consent_warning(case, member.agency)
                if warning:
                    messages.warning(request, warning)
                return redirect("cases:case_detail", pk=case.pk)
    else:
        form = TeamAddForm(agencies=agencies)
        _audit_view(request, case, "team_add")
    return render(
        request,
        "cases/team_form.html",
        {"case": case, "form": form, "team": selectors.current_team(case)},
    )


@personal_data_view("cases.use")
@require_POST
def team_leave(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that an agency left the team: its access through the team ends at once."""
    case = selectors.get_case_for_user(request.user, pk, for_write=True)
    form = TeamLeaveForm(request.POST, team=selectors.current_team(case))
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return redirect("cases:case_detail", pk=case.pk)
    member = form.cleaned_data["member"]
    try:
        services.team_leave(
            by=request.user,
            case=case,
            agency=member.agency,
            reason=form.cleaned_data["reason"],
            left_on=form.cleaned_data["left_on"],
        )
    except ValidationError as exc:
        _report_errors(request, exc)
    else:
        messages.success(
            request,
            f"{member.agency.name}の支援チームからの離脱を記録しました。"
            "この機関は、チームの一員としてこの事例を閲覧できなくなりました。",
        )
    return redirect("cases:case_detail", pk=case.pk)
