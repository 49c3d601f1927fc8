"""Screens of アウトリーチ: the caseload (担当一覧) with its files for Excel, a new record,
one record (all of it for its outreach agency and the office; for a meeting's members only
that meeting's materials), and the steps that change it — each a form that calls one service.

A record the user may not see answers 404; a step by someone who may see but not work the
record answers 403 with the rule. Every page that shows personal data records its read.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from tsunagu import access
from tsunagu.accounts.models import Agency, Area, Program
from tsunagu.audit.services import audit_read
from tsunagu.common.errors import NotVisible
from tsunagu.common.form_token import form_token_once
from tsunagu.common.paging import CappedPaginator
from tsunagu.common.spreadsheet import (
    audit_export,
    export_format,
    filter_lines,
    query_without_page,
    stream_list,
)
from tsunagu.common.views import is_partial, personal_data_view
from tsunagu.common.wareki import format_wareki
from tsunagu.consultations.models import IssueCategory, ReferralStatus
from tsunagu.people import selectors as people_selectors

from . import export, forms, selectors, services
from .models import STAGE_ORDER, OutreachPlan, Stage
from .permissions import NOT_WORKER, works_record
from .workflow import is_silent, meeting_kind_for, silent_days, wrong_meeting_message

PAGE_SIZE = 25
SHEET_CONTACTS = 30


def _outreach_agencies():
    return list(Agency.objects.active().filter(programs__program=Program.OUTREACH).order_by("name"))


# ------------------------------------------------------------------------------ caseload


@personal_data_view("outreach.use")
def caseload(request: HttpRequest) -> HttpResponse:
    office = access.sees_everything(request.user)
    form = forms.CaseloadFilterForm(
        request.GET or None,
        agencies=_outreach_agencies() if office else (),
        areas=_areas(),
        workers=() if office else selectors.outreach_workers(access.acting_agency_id(request.user)),
    )
    form.is_valid()
    data = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v}
    filters = selectors.CaseloadFilter(
        q=data.get("q", ""),
        stage=data.get("stage", ""),
        consent=data.get("consent", ""),
        state=data.get("state", "open"),
        flag=data.get("flag", ""),
        agency=data.get("agency"),
        area=data.get("area"),
        identified=data.get("identified", ""),
        assigned=data.get("assigned", ""),
        me=request.user.pk,
    )
    qs = selectors.caseload(user=request.user, filters=filters).select_related(
        "agency", "person", "area", "assigned_to"
    )
    context = {k: str(v) for k, v in data.items()}
    fmt = export_format(request)
    if fmt:
        audit_export(
            request,
            "outreach.list",
            fmt=fmt,
            title=export.TITLE,
            count=qs.count(),
            persons=selectors.caseload_person_ids(qs),
            filters=context,
        )
        return stream_list(
            fmt,
            title=export.TITLE,
            header=export.HEADER,
            rows=export.rows(qs),
            widths=export.WIDTHS,
            about=filter_lines(form),
            filename_ascii="outreach",
            filename_ja=export.TITLE,
        )
    paginator = CappedPaginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = selectors.with_rows(list(page.object_list))
    selectors.audit_caseload(request, rows, {**context, "page": page.number})
    template = "outreach/_caseload_rows.html" if is_partial(request) else "outreach/caseload.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "rows": rows,
            "paginator": paginator,
            "query": query_without_page(request),
            "office": office,
            "may_create": request.user.has_perm("outreach.create"),
            "silent_days": silent_days(),
        },
    )


# -------------------------------------------------------------------------------- record


def _areas():
    return list(Area.objects.order_by("code"))


@personal_data_view("outreach.create")
@form_token_once
def record_create(request: HttpRequest) -> HttpResponse:
    origins = _origins(request)
    workers = selectors.outreach_workers(access.acting_agency_id(request.user))
    if request.method == "POST":
        form = forms.RecordForm(request.POST, areas=_areas(), workers=workers)
        if form.is_valid():
            try:
                record = services.record_create(
                    by=request.user, **form.service_arguments(), **origins
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, f"アウトリーチ対象「{record.label}」を登録しました。")
                return redirect("outreach:record_detail", pk=record.pk)
    else:
        initial = {"assigned_to": request.user.pk}
        if origins.get("from_agenda_item") is not None:
            initial["source"] = "meeting"
        elif origins.get("from_referral") is not None or origins.get("from_consultation"):
            initial["source"] = "agency"
        form = forms.RecordForm(initial=initial, areas=_areas(), workers=workers)
    return render(request, "outreach/record_form.html", {"form": form, "origins": origins})


def _origins(request: HttpRequest) -> dict:
    """Where a new record begins from (``?consultation=``, ``?referral=``,
    ``?agenda_item=``): only what the user may see."""
    from tsunagu.consultations import selectors as intake
    from tsunagu.meetings.models import AgendaItem

    params = request.POST if request.method == "POST" else request.GET
    found = {}
    if params.get("consultation"):
        found["from_consultation"] = intake.get_consultation_for_user(
            request.user, params["consultation"]
        )
    if params.get("referral"):
        found["from_referral"] = intake.get_referral_for_user(request.user, params["referral"])
    if params.get("agenda_item"):
        item = (
            AgendaItem.objects.filter(pk=params["agenda_item"]).first()
            if params["agenda_item"].isdigit()
            else None
        )
        if (
            item is None
            or not access.meetings_visible_to(request.user).filter(pk=item.meeting_id).exists()
        ):
            raise Http404
        found["from_agenda_item"] = item
    return found


@personal_data_view("outreach.view_record")
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.get_record_for_user(request.user, pk)
    whole = access.works_outreach_record(request.user, record)
    if not whole:  # a meeting's member: only that meeting's materials
        plans = list(selectors.plans_on_agenda_for(request.user, record))
        audit_read(
            request,
            "outreach.view",
            record,
            persons=record.subject_persons(),
            context={
                "outreach": record.pk,
                "as": "meeting_materials",
                "plans": [p.pk for p in plans],
            },
        )
        return render(request, "outreach/record_materials.html", {"record": record, "plans": plans})
    contacts = list(selectors.contacts(record)[:50])
    handover = selectors.current_handover(record)
    plans = list(selectors.plans(record))
    events = list(selectors.events(record))
    households = selectors.person_households(request.user, record)
    audit_read(
        request,
        "outreach.view",
        record,
        persons=record.subject_persons(),
        context={
            "outreach": record.pk,
            "contacts": len(contacts),
            **({"households": [h.pk for h in households]} if households else {}),
        },
    )
    today = timezone.localdate()
    return render(
        request,
        "outreach/record_detail.html",
        {
            "record": record,
            "contacts": contacts,
            "contact_count": record.contacts.count(),
            "plans": plans,
            "events": events,
            "stages": [
                {
                    "value": value,
                    "label": label,
                    "done": STAGE_ORDER[value] < STAGE_ORDER[record.stage],
                    "current": value == record.stage,
                }
                for value, label in Stage.choices
            ],
            "silent": is_silent(record, today),
            "silent_days": silent_days(),
            "overdue": not record.is_closed
            and record.next_action_on is not None
            and record.next_action_on < today,
            "may_work": works_record(request.user, record),
            "meeting_kind": meeting_kind_for(record),
            "meeting_rule": wrong_meeting_message(record),
            "standing": selectors.statutory_standing(record),
            "handover": handover,
            "households": households,
            "may_hand_over": record.has_consent
            and (handover is None or handover.status == ReferralStatus.RETURNED),
        },
    )


@personal_data_view("outreach.view_record")
def contact_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Every contact of a record, newest first, paged; ``?export=xlsx`` or ``csv`` for Excel.
    Only the record's outreach agency and the office (a meeting's members see no contacts)."""
    record = selectors.get_record_for_user(request.user, pk)
    if not access.works_outreach_record(request.user, record):
        raise PermissionDenied("接触記録は、アウトリーチ実施機関と事務局が閲覧します。")
    qs = selectors.contacts(record)
    fmt = export_format(request)
    if fmt:
        count = qs.count()
        audit_export(
            request,
            "outreach.contact_list",
            record,
            fmt=fmt,
            title=export.CONTACTS,
            count=count,
            persons=record.subject_persons(),
            context={"outreach": record.pk, "contacts": count},
        )
        return stream_list(
            fmt,
            title=export.CONTACTS,
            header=export.CONTACT_HEADER,
            rows=export.contact_rows(qs),
            widths=export.CONTACT_WIDTHS,
            about=export.contact_about(record),
            filename_ascii=f"outreach_{record.pk}_contacts",
            filename_ja=f"{export.CONTACTS}_{record.label}",
        )
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    audit_read(
        request,
        "outreach.contact_list",
        record,
        persons=record.subject_persons(),
        context={"outreach": record.pk, "page": page.number, "contacts": [c.pk for c in rows]},
    )
    return render(
        request,
        "outreach/contact_list.html",
        {"record": record, "page": page, "rows": rows, "query": query_without_page(request)},
    )


@personal_data_view("outreach.view_record")
def record_sheet_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """アウトリーチ記録票: the record, its current plan, the latest contacts and its history on
    A4, to take on a home visit or to a meeting (the record's agency and the office)."""
    from django.template.loader import render_to_string

    from tsunagu.meetings.pdf import render_pdf

    record = selectors.get_record_for_user(request.user, pk)
    if not access.works_outreach_record(request.user, record):
        raise PermissionDenied("記録票は、アウトリーチ実施機関と事務局が出力します。")
    contacts = list(selectors.contacts(record)[:SHEET_CONTACTS])
    plan = selectors.plans(record).first()
    audit_read(
        request,
        "outreach.print",
        record,
        persons=record.subject_persons(),
        context={"outreach": record.pk, "contacts": len(contacts), "format": "pdf"},
    )
    html = render_to_string(
        "outreach/record_sheet_pdf.html",
        {
            "record": record,
            "plan": plan,
            "contacts": contacts,
            "contact_total": record.contacts.count(),
            "events": list(selectors.events(record)),
            "printed_at": format_wareki(timezone.localdate()),
            "printed_by": request.user.display_name or request.user.get_username(),
        },
    )
    response = HttpResponse(
        render_pdf(html, header="取扱注意（個人情報）"), content_type="application/pdf"
    )
    name = f"アウトリーチ記録票_{record.label}.pdf"
    response["Content-Disposition"] = (
        f"inline; filename=\"outreach_{record.pk}.pdf\"; filename*=UTF-8''{quote(name)}"
    )
    return response


# --------------------------------------------------------------------------------- steps


def _workable(request: HttpRequest, pk: int):
    record = selectors.get_record_for_user(request.user, pk)
    if not works_record(request.user, record):
        raise PermissionDenied(NOT_WORKER)
    return record


def _audit_form_read(request, record, page: str) -> None:
    audit_read(
        request,
        "outreach.view",
        record,
        persons=record.subject_persons(),
        context={"outreach": record.pk, "page": page},
    )


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
    template: str = "outreach/step_form.html",
    extra: dict | None = None,
) -> HttpResponse:
    """A step on one record: the form, the service on a valid POST (its errors shown on the
    form), a message and the record's page."""
    record = _workable(request, pk)
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
                return redirect("outreach:record_detail", pk=record.pk)
    else:
        form = form_class(initial=initial or {}, **form_kwargs)
        _audit_form_read(request, record, page)
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


@personal_data_view("outreach.view_record")
@form_token_once
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = _workable(request, pk)
    initial = {
        name: getattr(record, name)
        for name in ("label", "age_band", "address", "household_hint", "known_facts")
    }
    initial.update(
        area=record.area_id,
        informant_name=record.informant_name,
        informant_contact=record.informant_contact,
        assigned_to=record.assigned_to_id,
    )

    def run(record, form):
        services.record_update(by=request.user, record=record, **form.service_arguments())

    return _step(
        request,
        pk,
        form_class=forms.RecordEditForm,
        run=run,
        title="分かっていることを直す",
        submit="保存する",
        done="記録を更新しました。",
        page="edit",
        form_kwargs={"areas": _areas(), "workers": selectors.outreach_workers(record.agency_id)},
        initial=initial,
    )


@personal_data_view("outreach.view_record")
@form_token_once
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    def run(record, form):
        services.contact_record(by=request.user, record=record, **form.cleaned_data)

    return _step(
        request,
        pk,
        form_class=forms.ContactForm,
        run=run,
        title="接触を記録する",
        submit="記録する",
        done="接触を記録しました。",
        page="contact_create",
        template="outreach/contact_form.html",
        initial={"staff": request.user.display_name or request.user.get_username()},
    )


@personal_data_view("outreach.view_record")
@form_token_once
def stage_change(request: HttpRequest, pk: int) -> HttpResponse:
    def run(record, form):
        data = form.cleaned_data
        services.stage_change(
            by=request.user,
            record=record,
            to=data["stage"],
            occurred_on=data["occurred_on"],
            reason=data["reason"],
        )

    return _step(
        request,
        pk,
        form_class=forms.StageForm,
        run=run,
        title="段階を変える",
        submit="段階を変える",
        done="段階を変更しました。",
        page="stage",
        intro="段階は①→⑤の順に進むとは限りません。戻すこともでき、変更はすべて経過に残ります。",
    )


@personal_data_view("outreach.view_record")
@form_token_once
def consent_record(request: HttpRequest, pk: int) -> HttpResponse:
    def run(record, form):
        data = form.cleaned_data
        services.consent_record(
            by=request.user,
            record=record,
            consented_on=data["consented_on"],
            method=data["consent_method"],
            note=data["note"],
        )

    return _step(
        request,
        pk,
        form_class=forms.ConsentForm,
        run=run,
        title="同意（利用申込）を記録する",
        submit="同意を記録する",
        done="同意（利用申込）を記録しました。これからの計画は重層的支援会議で協議します。",
        page="consent",
        intro="本人から支援の利用申込と情報共有への同意を得たときに記録します。"
        "同意は本人ごとに記録するため、先に本人を特定してください。",
    )


@personal_data_view("outreach.view_record")
@form_token_once
def urgent_set(request: HttpRequest, pk: int) -> HttpResponse:
    def run(record, form):
        services.urgent_set(by=request.user, record=record, note=form.cleaned_data["note"])

    return _step(
        request,
        pk,
        form_class=forms.UrgentForm,
        run=run,
        title="緊急にする",
        submit="緊急にする",
        done="緊急にしました。担当一覧の先頭に表示されます。",
        page="urgent",
        intro="生命・安全にかかわるときは、ためらわず警察・救急・保健所に連絡し、"
        "その連絡先と日時を記録してください。",
    )


@personal_data_view("outreach.view_record")
@form_token_once
def urgent_clear(request: HttpRequest, pk: int) -> HttpResponse:
    record = _workable(request, pk)
    if request.method != "POST":
        return redirect("outreach:record_detail", pk=record.pk)
    try:
        services.urgent_clear(by=request.user, record=record, note=request.POST.get("note", ""))
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, "緊急を解除しました。")
    return redirect("outreach:record_detail", pk=record.pk)


@personal_data_view("outreach.view_record")
@form_token_once
def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.get_record_for_user(request.user, pk)
    last = record.plans.order_by("-version").first() if works_record(request.user, record) else None
    initial = (
        {name: getattr(last, name) for name in services.PLAN_FIELDS} if last is not None else {}
    )

    def run(record, form):
        services.plan_create(by=request.user, record=record, **form.cleaned_data)

    return _step(
        request,
        pk,
        form_class=forms.PlanForm,
        run=run,
        title="アウトリーチ支援計画をつくる",
        submit="この版を保存する",
        done="アウトリーチ支援計画を保存しました。",
        page="plan_create",
        intro="保存するたびに新しい版になり、前の版はそのまま残ります。"
        + ("前の版の内容を下に入れてあります。" if last is not None else ""),
        initial=initial,
    )


@personal_data_view("outreach.view_record")
@form_token_once
def plan_to_meeting(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    record = _workable(request, pk)
    plan = OutreachPlan.objects.filter(pk=plan_pk, record=record).first()
    if plan is None:
        raise Http404
    kind = meeting_kind_for(record)
    meetings = list(
        access.meetings_visible_to(request.user)
        .filter(kind=kind, is_cancelled=False)
        .order_by("-starts_at")[:50]
    )

    def refusal(pk: int) -> str | None:
        """The rule, for a meeting the user sees that is of the other kind."""
        other = access.meetings_visible_to(request.user).filter(pk=pk).exclude(kind=kind)
        return wrong_meeting_message(record) if other.exists() else None

    def run(record, form):
        meeting = form.meeting_objects[form.cleaned_data["meeting"]]
        services.plan_to_meeting(by=request.user, plan=plan, meeting=meeting)

    return _step(
        request,
        pk,
        form_class=forms.MeetingChoiceForm,
        run=run,
        title=f"計画（第{plan.version}版）を会議で協議する",
        submit="議題にする",
        done="計画を会議の議題にしました。会議の決定はこの計画に記録されます。",
        page="plan_to_meeting",
        intro=wrong_meeting_message(record),
        form_kwargs={"meetings": meetings, "refusal": refusal},
        extra={"no_meetings": not meetings},
    )


@personal_data_view("outreach.view_record")
@form_token_once
def person_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Find the registered person among those the user may see, or register them."""
    record = _workable(request, pk)
    form = forms.PersonLinkForm(request.GET or None)
    found = []
    if request.method == "POST":
        person_id = request.POST.get("person", "")
        person = (
            access.persons_visible_to(request.user).filter(pk=person_id).first()
            if person_id.isdigit()
            else None
        )
        if person is None:
            raise Http404
        try:
            services.record_link_person(by=request.user, record=record, person=person)
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, f"本人（{person.name}）と結び付けました。")
        return redirect("outreach:record_detail", pk=record.pk)
    if form.is_valid() and form.cleaned_data["q"].strip():
        found = list(
            people_selectors.person_search(user=request.user, q=form.cleaned_data["q"])[:20]
        )
    _audit_form_read(request, record, "person_link")
    if found:
        audit_read(
            request,
            "person.search",
            persons=[p.pk for p in found],
            context={"q": form.cleaned_data["q"], "outreach": record.pk},
        )
    return render(
        request, "outreach/person_link.html", {"record": record, "form": form, "found": found}
    )


@personal_data_view("outreach.view_record")
@form_token_once
def identify_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the program office to identify a person another agency already knows."""

    def run(record, form):
        services.identify_request(by=request.user, record=record, note=form.cleaned_data["note"])

    return _step(
        request,
        pk,
        form_class=forms.IdentifyRequestForm,
        run=run,
        title="事務局に本人の特定を依頼する",
        submit="依頼する",
        done="事務局に本人の特定を依頼しました。結び付けられると、この画面に本人が表示されます。",
        page="identify_request",
        intro="本人の登録で「ほかの機関が既に関わっています（事務局に問い合わせてください）」と"
        "表示されたときは、二重に登録せず、事務局に本人の特定を依頼します。事務局が登録済みの"
        "本人とこの対象を結び付けます。",
    )


@personal_data_view("outreach.view_record")
@form_token_once
def handover(request: HttpRequest, pk: int) -> HttpResponse:
    agencies = list(
        Agency.objects.active()
        .filter(programs__program=Program.MULTI_AGENCY)
        .distinct()
        .order_by("name")
    )
    categories = list(IssueCategory.objects.filter(is_active=True).order_by("sort_order", "pk"))
    initial, why = _handover_initial(request.user, pk) if request.method != "POST" else ({}, ())

    def run(record, form):
        data = form.cleaned_data
        services.handover_to_multi_agency(
            by=request.user,
            record=record,
            to_agency=form.agency_objects[data["to_agency"]],
            reason=data["reason"],
            tried_with_agencies=data["tried_with_agencies"],
            criterion_household=data["criterion_household"],
            criterion_gap=data["criterion_gap"],
            criterion_new_resource=data["criterion_new_resource"],
            categories=[form.category_objects[c] for c in data["categories"]],
        )

    return _step(
        request,
        pk,
        form_class=forms.HandoverForm,
        run=run,
        title="多機関協働へつなぐ",
        submit="つなぐ",
        done="多機関協働へつなぎました。アウトリーチは事例と並んで続きます。",
        page="handover",
        intro="同意（利用申込）の後、世帯全体の支援や制度の狭間の課題があるときに、"
        "多機関協働事業者へつなぎます。アウトリーチの記録は事例の画面にも表示されます。",
        form_kwargs={"agencies": agencies, "categories": categories},
        initial=initial,
        template="outreach/handover_form.html",
        extra={"criteria_why": why},
    )


def _handover_initial(user, pk) -> tuple[dict, tuple[str, ...]]:
    """The referral prefilled from the record: what is known as the reason, the outreach so
    far as what was tried, and the criteria its facts point to
    (:func:`~tsunagu.outreach.selectors.suggested_criteria`)."""
    record = selectors.get_record_for_user(user, pk)
    if not works_record(user, record):
        return {}, ()
    criteria = selectors.suggested_criteria(user, record)
    counts = selectors.contact_counts(record)
    began = format_wareki(record.began_on)
    tried = f"アウトリーチ（{record.agency.name}）：{began}から接触{sum(counts.values())}回"
    if counts:
        tried += "（" + "、".join(f"{label}{n}回" for label, n in counts.items()) + "）"
    if record.first_met_on:
        tried += f"。初回面会 {format_wareki(record.first_met_on)}"
    return {
        "reason": record.known_facts,
        "tried_with_agencies": tried + "。",
        "criterion_household": criteria.household,
        "criterion_gap": criteria.gap,
        "criterion_new_resource": criteria.new_resource,
    }, criteria.why


@personal_data_view("outreach.view_record")
@form_token_once
def record_close(request: HttpRequest, pk: int) -> HttpResponse:
    agencies = list(Agency.objects.active().order_by("name"))

    def run(record, form):
        data = form.cleaned_data
        services.record_close(
            by=request.user,
            record=record,
            closed_on=data["closed_on"],
            reason=data["closure_reason"],
            note=data["note"],
            connected_agency=form.agency_objects.get(data["connected_agency"]),
            connected_referral=form.referral_objects.get(data.get("connected_referral")),
        )

    return _step(
        request,
        pk,
        form_class=forms.CloseForm,
        run=run,
        title="アウトリーチを終了する",
        submit="終了する",
        done="アウトリーチを終了しました。再開すれば経過はそのまま続きます。",
        page="close",
        intro="本人が適切な機関につながったとき、または転居・死亡・本人の強い拒否などで"
        "終了します。終了しても記録は残り、いつでも再開できます。",
        form_kwargs={
            "agencies": agencies,
            "referrals": selectors.closing_referrals(_workable(request, pk)),
        },
    )


@personal_data_view("outreach.view_record")
@form_token_once
def record_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    def run(record, form):
        services.record_reopen(by=request.user, record=record, reason=form.cleaned_data["reason"])

    return _step(
        request,
        pk,
        form_class=forms.ReopenForm,
        run=run,
        title="アウトリーチを再開する",
        submit="再開する",
        done="アウトリーチを再開しました。",
        page="reopen",
    )
