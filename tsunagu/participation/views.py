"""Screens of 参加支援: the worker's list with what falls due, a new record (the person
chosen among those the worker sees), one record with its matches, follow-ups and closure, and
the steps that change it — each a form that calls one service.

A record the user may not see answers 404; a step by someone who may see but not work the
record answers 403 with the rule. Every page that shows personal data records its read.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tsunagu import access
from tsunagu.accounts.acting import acting
from tsunagu.accounts.models import Area, Role
from tsunagu.audit.services import audit_read
from tsunagu.common.errors import NotVisible
from tsunagu.common.form_token import form_token_once
from tsunagu.common.paging import CappedPaginator
from tsunagu.common.spreadsheet import audit_export, export_format, stream_list
from tsunagu.common.views import is_partial, personal_data_view
from tsunagu.resources import gaps as register
from tsunagu.resources import selectors as directory
from tsunagu.resources.models import HostProfile, Resource, ResourceKind, ResourceStatus

from . import export, forms, selectors, services
from .models import GapNeed, Match, MatchStatus, Track
from .permissions import NOT_WORKER, works_record
from .workflow import MATCH_TRANSITIONS

PAGE_SIZE = 25
DUES_SHOWN = 10  # on the list page; every one on the dues page
DUES_PAGE_SIZE = 50
GAPS_SHOWN = 200
PERSONS_SHOWN = 20
RESOURCES_SHOWN = 20
NOT_OPENER = "参加支援は、参加支援事業者の支援員が自分の機関の記録として始めます。"


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _audit_view(request: HttpRequest, record, page: str = "", **context) -> None:
    audit_read(
        request,
        "participation.view",
        record,
        persons=record.subject_persons(),
        context={"participation": record.pk, **({"page": page} if page else {}), **context},
    )


# ---------------------------------------------------------------------------------- list


@personal_data_view("participation.use")
def record_list(request: HttpRequest) -> HttpResponse:
    form = forms.ListFilterForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    state, q = data.get("state") or "open", (data.get("q") or "").strip()
    qs = selectors.record_list(user=request.user, state=state, q=q)
    fmt = export_format(request)
    if fmt:
        return _export(request, qs, fmt, state=state, q=q)
    paginator = CappedPaginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = list(page.object_list)
    audit_read(
        request,
        "participation.list",
        persons=sorted({r.person_id for r in rows}),
        context={
            "state": state,
            "q": q,
            "page": page.number,
            "participation": [r.pk for r in rows],
        },
    )
    partial = is_partial(request)
    template = "participation/_record_rows.html" if partial else "participation/record_list.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "rows": rows,
            "paginator": paginator,
            "query": _query_without(request, "page", "export"),
            "office": access.sees_everything(request.user),
            "may_create": acting(request.user).has_role(Role.PARTICIPATION_WORKER),
        },
    )


@personal_data_view("participation.use")
def dues_list(request: HttpRequest) -> HttpResponse:
    """Everything that falls due within a week or is overdue, paged; with ``?panel=1`` the
    first :data:`DUES_SHOWN` of them as the list page's panel (which asks for it once the
    list is shown, so that the list does not wait for what falls due)."""
    found = selectors.due_keys(request.user)
    if request.GET.get("panel"):
        return _dues_panel(request, found)
    paginator = Paginator(found, DUES_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = selectors.dues_for(list(page.object_list))
    audit_read(
        request,
        "participation.list",
        persons=sorted({d.record.person_id for d in rows}),
        context={
            "dues": len(rows),
            "page": page.number,
            "participation": sorted({d.record.pk for d in rows}),
        },
    )
    return render(
        request,
        "participation/dues_list.html",
        {
            "page": page,
            "rows": rows,
            "total": len(found),
            "overdue": sum(1 for d in found if d.overdue),
            "query": "",
        },
    )


def _dues_panel(request: HttpRequest, keys) -> HttpResponse:
    dues = selectors.dues_for(keys[:DUES_SHOWN])
    audit_read(
        request,
        "participation.list",
        persons=sorted({d.record.person_id for d in dues}),
        context={
            "dues": len(dues),
            "panel": "list",
            "participation": sorted({d.record.pk for d in dues}),
        },
    )
    return render(
        request,
        "participation/_dues.html",
        {"dues": dues, "dues_total": len(keys), "dues_more": len(keys) - len(dues)},
    )


STATE_LABELS = {"open": "支援中", "closed": "終結", "all": "すべて"}


def _export(request: HttpRequest, qs, fmt: str, *, state: str, q: str) -> HttpResponse:
    """Every record of the filtered list as .xlsx or CSV, in one audited read (the rows'
    count and the persons' ids)."""
    audit_export(
        request,
        "participation.list",
        fmt=fmt,
        title=export.TITLE,
        count=qs.count(),
        persons=sorted(set(qs.order_by().values_list("person_id", flat=True).distinct())),
        filters={"state": state, "q": q},
    )
    conditions = f"状態：{STATE_LABELS.get(state, state)}" + (f"・氏名：{q}" if q else "")
    return stream_list(
        fmt,
        title=export.TITLE,
        header=export.HEADER,
        rows=export.rows(qs),
        widths=export.WIDTHS,
        about=[["条件", conditions]],
        filename_ascii="participation",
        filename_ja=export.TITLE,
    )


# ----------------------------------------------------------------------------- new record


def _cases_with(user, person) -> list:
    """The 多機関協働 cases whose content the user sees that are about the person (as its
    person or a current member of its household)."""
    household_ids = person.household_links.filter(end_date__isnull=True).values("household_id")
    candidates = (
        access.case_content_visible_to(user)
        .filter(Q(person_id=person.pk) | Q(household_id__in=household_ids))
        .order_by("-opened_on", "-pk")
    )
    return [case for case in candidates if person.pk in case.subject_persons()]


@personal_data_view("participation.use")
@form_token_once
def record_create(request: HttpRequest) -> HttpResponse:
    if not acting(request.user).has_role(Role.PARTICIPATION_WORKER):
        raise PermissionDenied(NOT_OPENER)
    params = request.POST if request.method == "POST" else request.GET
    person_id = params.get("person", "")
    if not person_id:
        return _person_search(request)
    person = (
        access.persons_visible_to(request.user).filter(pk=person_id).first()
        if person_id.isdigit()
        else None
    )
    if person is None:
        raise Http404
    cases = _cases_with(request.user, person)
    if request.method == "POST":
        form = forms.RecordForm(request.POST, cases=cases)
        if form.is_valid():
            data = form.cleaned_data
            try:
                record = services.record_open(
                    by=request.user,
                    person=person,
                    case=form.case_objects.get(data["case"]),
                    started_on=data["started_on"],
                    is_early=data["is_early"],
                    outside_plan_reason=data["outside_plan_reason"],
                    goals=data["goals"],
                    steps=data["steps"],
                )
            except NotVisible as exc:
                raise Http404 from exc
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, f"{person.name}さんの参加支援を始めました。")
                return redirect("participation:record_detail", pk=record.pk)
    else:
        initial = {"case": cases[0].pk} if len(cases) == 1 else {}
        form = forms.RecordForm(initial=initial, cases=cases)
        audit_read(
            request,
            "participation.view",
            person,
            persons=[person.pk],
            context={"page": "record_create", "cases": [c.pk for c in cases]},
        )
    return render(
        request,
        "participation/record_form.html",
        {"form": form, "person": person, "cases": cases},
    )


def _person_search(request: HttpRequest) -> HttpResponse:
    from tsunagu.people import selectors as people_selectors

    form = forms.PersonSearchForm(request.GET or None)
    found = []
    if form.is_valid() and form.cleaned_data["q"].strip():
        found = list(
            people_selectors.person_search(user=request.user, q=form.cleaned_data["q"])[
                :PERSONS_SHOWN
            ]
        )
    if found:
        audit_read(
            request,
            "person.search",
            persons=[p.pk for p in found],
            context={"q": form.cleaned_data["q"], "page": "participation.record_create"},
        )
    return render(request, "participation/person_choose.html", {"form": form, "found": found})


# -------------------------------------------------------------------------------- record


@personal_data_view("participation.view_record")
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.get_record_for_user(request.user, pk)
    matches = selectors.matches(record)
    hosts = {
        h.resource_id: h
        for h in HostProfile.objects.filter(resource_id__in=[m.resource_id for m in matches])
    }
    for match in matches:
        match.due = selectors.follow_ups_due(match)
        match.due_rows = [
            (Track(track).label, due_on) for track, due_on in match.due.items() if due_on
        ]
        match.host = hosts.get(match.resource_id)
        match.host_assessed = match.host is not None and match.host.is_assessed
        match.may_move = bool(MATCH_TRANSITIONS[MatchStatus(match.status)])
        match.followed = match.status in (MatchStatus.STARTED, MatchStatus.SETTLED)
        match.history = list(match.events.all())
        match.follow_up_list = sorted(
            match.follow_ups.all(), key=lambda f: (f.occurred_on, f.pk), reverse=True
        )
    contacts = list(record.keep_in_touch.select_related("by").order_by("-occurred_on", "-id"))
    needs = selectors.gap_needs(record)
    _audit_view(request, record, matches=[m.pk for m in matches])
    return render(
        request,
        "participation/record_detail.html",
        {
            "record": record,
            "matches": matches,
            "decision": services.decision_in_place(record),
            "may_work": works_record(request.user, record),
            "keep_in_touch": contacts,
            "keeping_in_touch": record.is_closed and record.keep_in_touch_ended_on is None,
            "gap_needs": needs,
        },
    )


# --------------------------------------------------------------------------------- steps


def _workable(request: HttpRequest, pk: int):
    record = selectors.get_record_for_user(request.user, pk)
    if not works_record(request.user, record):
        raise PermissionDenied(NOT_WORKER)
    return record


def _match_of(record, match_pk: int) -> Match:
    match = Match.objects.filter(pk=match_pk, record=record).select_related("resource").first()
    if match is None:
        raise Http404
    match.record = record
    return match


def _step(
    request: HttpRequest,
    pk: int,
    *,
    form_class,
    run,
    title: str,
    submit: str,
    done: str,
    page: str,
    intro: str = "",
    form_kwargs: dict | None = None,
    initial: dict | None = None,
    template: str = "participation/step_form.html",
    extra: dict | None = None,
    record=None,
) -> HttpResponse:
    """A step on one record: the form, the service on a valid POST (its errors shown on the
    form), a message and the record's page."""
    record = record or _workable(request, pk)
    form_kwargs = form_kwargs or {}
    if request.method == "POST":
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                run(record, form)
            except NotVisible as exc:
                raise Http404 from exc
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, done)
                return redirect("participation:record_detail", pk=record.pk)
    else:
        form = form_class(initial=initial or {}, **form_kwargs)
        _audit_view(request, record, page)
    return render(
        request,
        template,
        {
            "record": record,
            "form": form,
            "title": title,
            "submit": submit,
            "intro": intro,
            "page_name": page,
            **(extra or {}),
        },
    )


@personal_data_view("participation.view_record")
@form_token_once
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = _workable(request, pk)

    def run(record, form):
        services.record_update(by=request.user, record=record, **form.cleaned_data)

    return _step(
        request,
        pk,
        record=record,
        form_class=forms.RecordEditForm,
        run=run,
        title="目標・取り組みを直す",
        submit="保存する",
        done="目標・取り組みを更新しました。",
        page="edit",
        initial={"goals": record.goals, "steps": record.steps},
    )


def _kinds() -> list[ResourceKind]:
    return list(ResourceKind.objects.filter(is_active=True))


def _areas() -> list[Area]:
    return list(Area.objects.filter(is_active=True).order_by("sort_order", "code"))


@personal_data_view("participation.view_record")
@form_token_once
def match_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """Propose a resource: a small search of the directory (受入可 only) beside the form."""
    record = _workable(request, pk)
    search = forms.ResourceSearchForm(request.GET or None, kinds=_kinds(), areas=_areas())
    search.is_valid()
    data = getattr(search, "cleaned_data", {})
    criteria = directory.ResourceSearch(
        q=data.get("q") or "",
        kind=data.get("kind"),
        area=data.get("area"),
        status=ResourceStatus.OPEN,
    )
    found = list(
        directory.search(criteria).select_related("kind", "organization", "area")[
            : RESOURCES_SHOWN + 1
        ]
    )
    chosen_id = (request.POST if request.method == "POST" else request.GET).get("resource", "")
    chosen = Resource.objects.filter(pk=chosen_id).first() if chosen_id.isdigit() else None

    def run(record, form):
        resource = Resource.objects.filter(pk=form.cleaned_data["resource"]).first()
        if resource is None:
            raise ValidationError({"resource": "社会資源を選んでください。"})
        services.match_propose(
            by=request.user,
            record=record,
            resource=resource,
            proposed_on=form.cleaned_data["proposed_on"],
            note=form.cleaned_data["note"],
        )

    return _step(
        request,
        pk,
        record=record,
        form_class=forms.ProposeForm,
        run=run,
        title="社会資源を提案する",
        submit="提案を記録する",
        done="社会資源の提案を記録しました。",
        page="match_propose",
        intro="受入可の社会資源だけを表示します。詳しい条件（曜日・時間・対象）で探すときは、"
        "社会資源の検索画面を使ってください。",
        initial={"resource": chosen.pk} if chosen else {},
        template="participation/match_propose.html",
        extra={
            "search": search,
            "found": found[:RESOURCES_SHOWN],
            "more": len(found) > RESOURCES_SHOWN,
            "chosen": chosen,
            "search_query": _query_without(request, "resource"),
            "gap_query": _query_without(request, "resource", "page"),
        },
    )


@personal_data_view("participation.view_record")
@form_token_once
def match_move(request: HttpRequest, pk: int, match_pk: int) -> HttpResponse:
    record = _workable(request, pk)
    match = _match_of(record, match_pk)
    allowed = MATCH_TRANSITIONS[MatchStatus(match.status)]
    host = HostProfile.objects.filter(resource_id=match.resource_id).first()

    def run(record, form):
        data = form.cleaned_data
        services.match_move(
            by=request.user,
            match=match,
            to=data["status"],
            occurred_on=data["occurred_on"],
            note=data["note"],
            full_override_reason=data["full_override_reason"],
        )

    initial = {}
    if request.method == "GET" and request.GET.get("to") in {s.value for s in allowed}:
        initial["status"] = request.GET["to"]
    return _step(
        request,
        pk,
        record=record,
        form_class=forms.MoveForm,
        run=run,
        title=f"「{match.resource.name}」の状況を進める",
        submit="記録する",
        done="マッチングの状況を記録しました。",
        page="match_move",
        intro=f"いまの状況：{match.get_status_display()}",
        form_kwargs={"allowed": allowed},
        initial=initial,
        template="participation/match_move.html",
        extra={
            "match": match,
            "decision": services.decision_in_place(record),
            "host_assessed": host is not None and host.is_assessed,
            "full": match.resource.is_full,
            "may_start": MatchStatus.STARTED in allowed,
        },
    )


@personal_data_view("participation.view_record")
@form_token_once
def follow_up_create(request: HttpRequest, pk: int, match_pk: int) -> HttpResponse:
    record = _workable(request, pk)
    match = _match_of(record, match_pk)

    def run(record, form):
        services.follow_up_record(by=request.user, match=match, **form.cleaned_data)

    initial = {}
    if request.GET.get("track") in Track.values:
        initial["track"] = request.GET["track"]
    due = selectors.follow_ups_due(match)
    return _step(
        request,
        pk,
        record=record,
        form_class=forms.FollowUpForm,
        run=run,
        title=f"フォローアップ（{match.resource.name}）",
        submit="記録する",
        done="フォローアップを記録しました。",
        page="follow_up",
        intro="本人との面談と、受け入れ先への訪問・電話（受け入れ先支援）を、相手ごとに記録します。",
        initial=initial,
        template="participation/follow_up_form.html",
        extra={
            "match": match,
            "due_rows": [(Track(t).label, d) for t, d in due.items() if d],
        },
    )


@personal_data_view("participation.view_record")
@form_token_once
def record_close(request: HttpRequest, pk: int) -> HttpResponse:
    def run(record, form):
        data = form.cleaned_data
        services.record_close(
            by=request.user,
            record=record,
            closed_on=data["closed_on"],
            person_view=data["person_view"],
            note=data["closure_note"],
        )

    return _step(
        request,
        pk,
        form_class=forms.CloseForm,
        run=run,
        title="参加支援を終結する",
        submit="終結する",
        done="参加支援を終結しました。これからは、つながりの維持として様子を確かめます。",
        page="close",
        intro="地域とのつながりが安定したら、本人の受け止めを記録して終結します。"
        "提案・見学・参加開始のままのマッチングは、先に定着・終了・中止を記録してください。",
    )


@personal_data_view("participation.view_record")
@form_token_once
def keep_in_touch_create(request: HttpRequest, pk: int) -> HttpResponse:
    def run(record, form):
        services.keep_in_touch_record(by=request.user, record=record, **form.cleaned_data)

    return _step(
        request,
        pk,
        form_class=forms.KeepInTouchForm,
        run=run,
        title="つながりの維持を記録する",
        submit="記録する",
        done="つながりの維持を記録しました。",
        page="keep_in_touch",
        intro="終結の後も、間をおいて本人の様子を確かめます。記録すると次の確認日が決まります。",
    )


@personal_data_view("participation.view_record")
@form_token_once
def keep_in_touch_end(request: HttpRequest, pk: int) -> HttpResponse:
    def run(record, form):
        services.keep_in_touch_end(by=request.user, record=record, **form.cleaned_data)

    return _step(
        request,
        pk,
        form_class=forms.KeepInTouchEndForm,
        run=run,
        title="つながりの維持を終える",
        submit="終える",
        done="つながりの維持を終えました。",
        page="keep_in_touch_end",
        intro="本人が地域の中で自らつながりを保てるようになったときに終えます。",
    )


# ---------------------------------------------------------------- gaps found in matching


def _gap_choices(kind_id, area_id) -> list:
    """The gaps a record may wait on (every stage before 開発済み), those of the kind and area
    the worker searched first, then the newest."""
    found = list(register.gap_search(register.GapSearch(status="active"))[:GAPS_SHOWN])
    return sorted(found, key=lambda g: (g.kind_id != kind_id, g.area_id != area_id))


def _int_or_none(value: str):
    return int(value) if value and value.isdigit() else None


@personal_data_view("participation.view_record")
@form_token_once
def gap_need_add(request: HttpRequest, pk: int) -> HttpResponse:
    """合う社会資源がない: the record waits on a gap of the register (chosen, or raised here
    with the kind and area of the worker's search)."""
    record = _workable(request, pk)
    kinds, areas = _kinds(), _areas()
    kind_id = _int_or_none(request.GET.get("kind", ""))
    area_id = _int_or_none(request.GET.get("area", ""))
    words = request.GET.get("q", "").strip()[:100]
    gaps = _gap_choices(kind_id, area_id)

    def run(record, form):
        services.gap_need_add(by=request.user, record=record, **form.service_arguments())

    searched = [
        label
        for label in (
            next((f"種類：{k.name}" for k in kinds if k.pk == kind_id), ""),
            next((f"圏域・地区：{a.name}" for a in areas if a.pk == area_id), ""),
            f"ことば：「{words}」" if words else "",
        )
        if label
    ]
    return _step(
        request,
        pk,
        record=record,
        form_class=forms.GapNeedForm,
        run=run,
        title="合う社会資源がない",
        submit="記録する",
        done="合う社会資源がないことを記録しました。不足する社会資源の一覧にも載ります。",
        page="gap_need",
        intro="本人に合う社会資源が見つからないときに記録します。登録済みの不足する社会資源を"
        "選ぶか、新しく内容を入力してください（新しいものは「参加支援のマッチング」で把握した"
        "不足する社会資源として登録されます）。本人の名前は不足する社会資源の一覧には出ません。",
        form_kwargs={"gaps": gaps, "kinds": kinds, "areas": areas},
        initial={"kind": kind_id, "area": area_id},
        template="participation/gap_need_form.html",
        extra={"searched": searched, "gap_needs": selectors.gap_needs(record)},
    )


@personal_data_view("participation.view_record")
@form_token_once
def gap_need_remove(request: HttpRequest, pk: int, need_pk: int) -> HttpResponse:
    record = _workable(request, pk)
    need = GapNeed.objects.filter(pk=need_pk, record=record).select_related("gap").first()
    if need is None:
        raise Http404
    need.record = record

    def run(record, form):
        services.gap_need_remove(by=request.user, need=need, **form.cleaned_data)

    return _step(
        request,
        pk,
        record=record,
        form_class=forms.GapNeedRemoveForm,
        run=run,
        title="不足する社会資源の記録から外す",
        submit="外す",
        done="不足する社会資源の記録から外しました。",
        page="gap_need_remove",
        intro=f"「{need.gap.description[:80]}」を、この方が待っている不足する社会資源から外します。"
        "不足する社会資源そのものは一覧に残ります。",
    )
