"""Screens of 包括的相談支援: consultations (相談受付) and the closed loop of referrals (つなぎ).

Anything the user may not see answers 404; a role that does not work with persons gets 403.
Every page that shows personal data records one audited read.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from tsunagu import access
from tsunagu.accounts import selectors as agency_selectors
from tsunagu.audit.services import audit_read
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
from tsunagu.people import export as people_export
from tsunagu.people import selectors as people_selectors
from tsunagu.people.models import Household, Person

from . import export, hooks, selectors, services
from .forms import (
    CompleteForm,
    ConsultationFilterForm,
    ConsultationForm,
    MultiAgencyReferralForm,
    NoteForm,
    ReferralFilterForm,
    ReferralForm,
    ResendForm,
    ReturnForm,
)
from .models import (
    Consultation,
    Outcome,
    Referral,
    ReferralKind,
    ReferralOutcome,
    ReferralStatus,
)

PAGE_SIZE = 25


def _acting_agency_id(request: HttpRequest) -> int | None:
    return access.acting_agency_id(request.user)


def _other_agencies(request: HttpRequest) -> list:
    own = _acting_agency_id(request)
    return [a for a in agency_selectors.agency_list(user=request.user) if a.pk != own]


def _categories_of(consultation: Consultation) -> list:
    """The consultation's categories, the most pressing one (◎) first."""
    return sorted(
        consultation.category_links.all(),
        key=lambda link: (not link.is_primary, link.category.sort_order, link.category_id),
    )


def _query_without_page(request: HttpRequest) -> str:
    return query_without_page(request)


def _filter_context(cleaned: dict) -> dict:
    return {k: str(v) for k, v in cleaned.items() if v not in (None, "", False, [])}


# ---------------------------------------------------------------- consultations


@personal_data_view("consultations.use")
def consultation_list(request: HttpRequest) -> HttpResponse:
    form = ConsultationFilterForm(
        request.GET or None,
        agencies=agency_selectors.agency_list(user=request.user),
        categories=selectors.active_categories(),
    )
    form.is_valid()
    filters = getattr(form, "cleaned_data", {})
    qs = selectors.consultation_list(
        user=request.user,
        q=filters.get("q") or "",
        agency_id=filters.get("agency"),
        category_id=filters.get("category"),
        outcome=filters.get("outcome") or "",
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    fmt = export_format(request)
    if fmt:
        audit_export(
            request,
            "consultation.list",
            fmt=fmt,
            title=export.CONSULTATIONS,
            count=qs.count(),
            persons=people_export.subject_person_ids(qs),
            filters=_filter_context(filters),
        )
        return stream_list(
            fmt,
            title=export.CONSULTATIONS,
            header=export.CONSULTATION_HEADER,
            rows=export.consultation_rows(request.user, qs),
            widths=export.CONSULTATION_WIDTHS,
            about=filter_lines(form),
            filename_ascii="consultations",
            filename_ja=export.CONSULTATIONS,
        )
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    counts = dict(
        selectors.referral_list(user=request.user)
        .filter(consultation_id__in=[c.pk for c in rows])
        .order_by()
        .values("consultation_id")
        .annotate(n=Count("id"))
        .values_list("consultation_id", "n")
    )
    for consultation in rows:
        consultation.category_display = _categories_of(consultation)
        consultation.referral_count = counts.get(consultation.pk, 0)
    audit_read(
        request,
        "consultation.list",
        persons=selectors.subject_person_ids(rows),
        context={**_filter_context(filters), "page": page.number, "shown": len(rows)},
    )
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": _query_without_page(request),
        "total": page.paginator.count,
        "total_label": page.paginator.count_label,
    }
    template = (
        "consultations/_consultation_rows.html"
        if is_partial(request)
        else "consultations/consultation_list.html"
    )
    return render(request, template, context)


def _subjects_from_query(request: HttpRequest) -> tuple[Person | None, Household | None]:
    """The person/household named in ``?person=`` / ``?household=``; 404 unless visible."""
    person = household = None
    if request.GET.get("person"):
        person = people_selectors.get_person_for_user(request.user, request.GET["person"])
    if request.GET.get("household"):
        household = people_selectors.get_household_for_user(request.user, request.GET["household"])
    return person, household


def _suggestions(request: HttpRequest, category_ids, *, person=None, household=None) -> list:
    """Help-desk suggestions; the person's/household's own 圏域 first (when known)."""
    ids = [int(pk) for pk in category_ids if str(pk).isdigit()]
    if not ids:
        return []
    return selectors.help_desk_suggestions(
        category_ids=ids,
        exclude_agency_id=_acting_agency_id(request),
        person=person,
        household=household,
    )


def _consultation_suggestions(request: HttpRequest, consultation: Consultation) -> list:
    category_ids = [link.category_id for link in consultation.category_links.all()]
    return _suggestions(
        request, category_ids, person=consultation.person, household=consultation.household
    )


def _chosen_category_ids(form: ConsultationForm) -> list:
    if form.is_bound:
        return form.data.getlist("categories") if hasattr(form.data, "getlist") else []
    return form.initial.get("categories") or []


@personal_data_view("consultations.use")
@form_token_once
def consultation_create(request: HttpRequest) -> HttpResponse:
    person, household = _subjects_from_query(request)
    if person is None and household is None:
        return render(request, "consultations/consultation_start.html")
    categories = list(selectors.active_categories())
    if request.method == "POST":
        form = ConsultationForm(request.POST, categories=categories)
        if form.is_valid():
            try:
                consultation = services.consultation_record(
                    by=request.user, person=person, household=household, **form.service_arguments()
                )
            except services.NotVisible as exc:
                raise Http404 from exc
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, f"相談を登録しました（受付番号 {consultation.pk}）。")
                if consultation.outcome == Outcome.REFERRED:
                    messages.info(request, "続けて、つなぎ先を選んでください。")
                    return redirect("consultations:referral_create", pk=consultation.pk)
                if consultation.outcome == Outcome.MULTI_AGENCY:
                    messages.info(request, "続けて、多機関協働へつなぐ内容を入力してください。")
                    return redirect("consultations:referral_create_multi", pk=consultation.pk)
                return redirect("consultations:consultation_detail", pk=consultation.pk)
    else:
        form = ConsultationForm(
            initial={"received_on": timezone.localdate(), "consulter_type": "self"},
            categories=categories,
        )
        subject_ids = sorted(
            ({person.pk} if person else set())
            | {m.person_id for m in getattr(household, "current_members", [])}
        )
        audit_read(
            request,
            "person.view" if person else "household.view",
            person or household,
            persons=subject_ids,
            context={
                "page": "consultation_create",
                "person": person.pk if person else None,
                "household": household.pk if household else None,
            },
        )
    return render(
        request,
        "consultations/consultation_form.html",
        {
            "form": form,
            "person": person,
            "household": household,
            "suggestions": _suggestions(
                request, _chosen_category_ids(form), person=person, household=household
            ),
            "chosen": bool(_chosen_category_ids(form)),
            "action_url": request.get_full_path(),
        },
    )


@personal_data_view("consultations.use")
@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """ヘルプデスク: agencies that handle the ticked themes (an htmx fragment); with
    ``?person=``/``?household=`` the agencies of their own 圏域 come first."""
    person, household = _subjects_from_query(request)
    return render(
        request,
        "consultations/_suggestions.html",
        {
            "suggestions": _suggestions(
                request, request.GET.getlist("categories"), person=person, household=household
            ),
            "chosen": bool(request.GET.getlist("categories")),
        },
    )


@personal_data_view("consultations.use")
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.get_consultation_for_user(request.user, pk)
    referrals = list(selectors.referral_list(user=request.user, consultation_id=consultation.pk))
    for referral in referrals:
        referral.overdue = selectors.is_overdue(referral)
    subject_persons = consultation.subject_persons()
    audit_read(
        request,
        "consultation.view",
        consultation,
        persons=subject_persons,
        context={"consultation": consultation.pk},
    )
    return render(
        request,
        "consultations/consultation_detail.html",
        {
            "consultation": consultation,
            "categories": _categories_of(consultation),
            "referrals": referrals,
            "is_recording_agency": consultation.agency_id == _acting_agency_id(request),
            "related_records": hooks.related_records(request.user, consultation=consultation),
            "person": consultation.person,
            "household": consultation.household,
            "person_hidden": not request.user.has_perm("people.view_person", consultation.person),
            "household_hidden": not request.user.has_perm(
                "people.view_household", consultation.household
            ),
        },
    )


@personal_data_view("consultations.use")
def consultation_update(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.get_consultation_for_user(request.user, pk, for_write=True)
    current = [link.category for link in consultation.category_links.all()]
    categories = list(selectors.active_categories())
    categories += [c for c in current if c not in categories]
    if request.method == "POST":
        form = ConsultationForm(request.POST, categories=categories)
        if form.is_valid():
            arguments = form.service_arguments()
            try:
                services.consultation_update(
                    by=request.user,
                    consultation=consultation,
                    categories=arguments.pop("categories"),
                    primary_category=arguments.pop("primary_category"),
                    **arguments,
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "相談の内容を修正しました。")
                return redirect("consultations:consultation_detail", pk=consultation.pk)
    else:
        form = ConsultationForm(
            initial=ConsultationForm.initial_from(consultation), categories=categories
        )
        audit_read(
            request,
            "consultation.view",
            consultation,
            persons=consultation.subject_persons(),
            context={"consultation": consultation.pk, "page": "consultation_update"},
        )
    return render(
        request,
        "consultations/consultation_form.html",
        {
            "form": form,
            "consultation": consultation,
            "person": consultation.person,
            "household": consultation.household,
            "suggestions": _suggestions(
                request,
                _chosen_category_ids(form),
                person=consultation.person,
                household=consultation.household,
            ),
            "chosen": bool(_chosen_category_ids(form)),
            "action_url": request.get_full_path(),
        },
    )


# ------------------------------------------------------------------ referrals


def _targets(request: HttpRequest, consultation: Consultation) -> list[tuple]:
    """Whom a referral may concern: the consultation's person, its household or a current
    member of it, as far as the user may see them."""
    user = request.user
    targets = []
    person, household = consultation.person, consultation.household
    if person is not None and user.has_perm("people.view_person", person):
        targets.append(("person", f"本人：{person.name}", person, None))
    if household is not None and user.has_perm("people.view_household", household):
        targets.append(("household", f"世帯：{household.label}", None, household))
        members = people_selectors.household_get(user=user, pk=household.pk).current_members
        for member in members:
            if member.person_id == consultation.person_id:
                continue
            if not user.has_perm("people.view_person", member.person):
                continue
            targets.append(
                (
                    f"member:{member.person_id}",
                    f"世帯員：{member.person.name}（{member.get_relation_display()}）",
                    member.person,
                    None,
                )
            )
    return targets


def _referral_create(request: HttpRequest, pk: int, *, multi: bool) -> HttpResponse:
    consultation = selectors.get_consultation_for_user(request.user, pk)
    own = _acting_agency_id(request)
    targets = _targets(request, consultation)
    if multi:
        form_class = MultiAgencyReferralForm
        criteria = selectors.eligibility_criteria()
        extra = {
            "criteria_texts": criteria,
            "suggested": (),
            "agencies": [a for a in selectors.multi_agency_targets() if a.pk != own],
        }
    else:
        form_class = ReferralForm
        criteria = None
        extra = {
            "suggested": [agency for agency, _ in _consultation_suggestions(request, consultation)],
            "agencies": _other_agencies(request),
        }
    keys = [key for key, *_ in targets]
    # 多機関協働 usually concerns the whole household
    default = "household" if multi and "household" in keys else (keys[0] if keys else None)
    initial = {"target": default} if default else {}
    if request.method == "POST":
        form = form_class(request.POST, targets=targets, **extra)
        if form.is_valid():
            try:
                referral = services.referral_send(
                    by=request.user,
                    consultation=consultation,
                    kind=ReferralKind.MULTI_AGENCY if multi else ReferralKind.STANDARD,
                    **form.service_arguments(),
                )
            except services.NotVisible as exc:
                raise Http404 from exc
            except ValidationError as exc:
                form.add_service_errors(
                    exc, {"criteria": "criteria", "person": "target", "kind": "to_agency"}
                )
            else:
                messages.success(
                    request,
                    f"{referral.to_agency.name}へつなぎました。回答期限までに受理・差戻しの回答があります。",
                )
                return redirect("consultations:referral_detail", pk=referral.pk)
    else:
        form = form_class(initial=initial, targets=targets, **extra)
        audit_read(
            request,
            "consultation.view",
            consultation,
            persons=consultation.subject_persons(),
            context={
                "consultation": consultation.pk,
                "page": "referral_create_multi" if multi else "referral_create",
            },
        )
    return render(
        request,
        "consultations/referral_form.html",
        {
            "form": form,
            "consultation": consultation,
            "categories": _categories_of(consultation),
            "multi": multi,
            "criteria": criteria,
            "suggestions": [] if multi else _consultation_suggestions(request, consultation),
        },
    )


@personal_data_view("consultations.use")
@form_token_once
def referral_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _referral_create(request, pk, multi=False)


@personal_data_view("consultations.use")
@form_token_once
def referral_create_multi(request: HttpRequest, pk: int) -> HttpResponse:
    return _referral_create(request, pk, multi=True)


BOXES = {"inbox": "inbox", "outbox": "outbox", "all": ""}


@personal_data_view("consultations.use")
def referral_list(request: HttpRequest) -> HttpResponse:
    form = ReferralFilterForm(request.GET)
    form.is_valid()
    filters = getattr(form, "cleaned_data", {})
    box = filters.get("box") or "inbox"
    qs = selectors.referral_list(
        user=request.user,
        box=BOXES[box],
        status=filters.get("status") or "",
        overdue_only=bool(filters.get("overdue")),
    )
    fmt = export_format(request)
    if fmt:
        audit_export(
            request,
            "referral.list",
            fmt=fmt,
            title=export.REFERRALS,
            count=qs.count(),
            persons=people_export.subject_person_ids(qs),
            filters={**_filter_context(filters), "box": box},
        )
        return stream_list(
            fmt,
            title=export.REFERRALS,
            header=export.REFERRAL_HEADER,
            rows=export.referral_rows(qs),
            widths=export.REFERRAL_WIDTHS,
            about=[
                ["条件：表示", dict(form.fields["box"].choices)[box]],
                *(line for line in filter_lines(form) if line[0] not in ("条件", "条件：表示")),
            ],
            filename_ascii="referrals",
            filename_ja=export.REFERRALS,
        )
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    own = _acting_agency_id(request)
    for referral in rows:
        referral.overdue = selectors.is_overdue(referral)
        referral.needs_acknowledgement = (
            referral.from_agency_id == own
            and referral.status == ReferralStatus.RETURNED
            and referral.return_acknowledged_at is None
        )
    audit_read(
        request,
        "referral.list",
        persons=selectors.subject_person_ids(rows),
        context={**_filter_context(filters), "box": box, "page": page.number, "shown": len(rows)},
    )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    tab_query = query.copy()
    tab_query.pop("box", None)
    context = {
        "form": form,
        "box": box,
        "tabs": [(key, label) for key, label in form.fields["box"].choices],
        "tab_query": tab_query.urlencode(),
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "total": page.paginator.count,
        "total_label": page.paginator.count_label,
    }
    template = (
        "consultations/_referral_rows.html"
        if is_partial(request)
        else "consultations/referral_list.html"
    )
    return render(request, template, context)


def _visible_chain(request: HttpRequest, referral: Referral) -> tuple:
    user = request.user
    previous = referral.previous
    if previous is not None and not user.has_perm("consultations.view_referral", previous):
        previous = None
    following = [
        r for r in referral.next_referrals.all() if user.has_perm("consultations.view_referral", r)
    ]
    return previous, following


@personal_data_view("consultations.use")
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.get_referral_for_user(request.user, pk)
    own = _acting_agency_id(request)
    is_receiver = referral.to_agency_id == own
    is_sender = referral.from_agency_id == own
    previous, following = _visible_chain(request, referral)
    referral.overdue = selectors.is_overdue(referral)
    status = referral.status
    S = ReferralStatus
    resend_form = None
    complete_form = None
    if is_sender and status == S.RETURNED and not following:
        resend_form = ResendForm(**_resend_choices(request, referral))
    if is_receiver and status in (S.ACCEPTED, S.IN_PROGRESS):
        complete_form = CompleteForm(agencies=_other_agencies(request))
    audit_read(
        request,
        "referral.view",
        referral,
        persons=referral.subject_persons(),
        context={"referral": referral.pk, "consultation": referral.consultation_id},
    )
    user = request.user
    return render(
        request,
        "consultations/referral_detail.html",
        {
            "referral": referral,
            "events": list(referral.events.all()),
            "related_records": hooks.related_records(request.user, referral=referral),
            "previous": previous,
            "following": following,
            "is_receiver": is_receiver,
            "is_sender": is_sender,
            "is_multi": referral.kind == ReferralKind.MULTI_AGENCY,
            "can_accept": is_receiver and status == S.SENT,
            "can_return": is_receiver and status == S.SENT,
            "can_start": is_receiver and status == S.ACCEPTED,
            "complete_form": complete_form,
            "can_acknowledge": is_sender
            and status == S.RETURNED
            and referral.return_acknowledged_at is None,
            "resend_form": resend_form,
            "return_form": ReturnForm(),
            "note_form": NoteForm(),
            "criteria": selectors.eligibility_criteria()
            if referral.kind == ReferralKind.MULTI_AGENCY
            else None,
            "consultation_visible": user.has_perm(
                "consultations.view_consultation", referral.consultation
            ),
            "person": referral.person,
            "household": referral.household,
            "person_hidden": not user.has_perm("people.view_person", referral.person),
            "household_hidden": not user.has_perm("people.view_household", referral.household),
        },
    )


def _resend_choices(request: HttpRequest, referral: Referral) -> dict:
    own = _acting_agency_id(request)
    if referral.kind == ReferralKind.MULTI_AGENCY:
        return {
            "suggested": (),
            "agencies": [a for a in selectors.multi_agency_targets() if a.pk != own],
        }
    category_ids = [link.category_id for link in referral.consultation.category_links.all()]
    return {
        "suggested": [
            a
            for a, _ in _suggestions(
                request, category_ids, person=referral.person, household=referral.household
            )
            if a.pk != referral.to_agency_id
        ],
        "agencies": _other_agencies(request),
    }


def _report_errors(request: HttpRequest, errors) -> None:
    if isinstance(errors, ValidationError):
        texts = errors.messages
    else:  # a form's errors
        texts = [text for field_errors in errors.values() for text in field_errors]
    for text in texts:
        messages.error(request, text)


def _move(request: HttpRequest, pk: int, step: Callable, success: str) -> HttpResponse:
    """Run one step of the referral loop and go back to the referral's page.

    ``step(request, referral)`` returns the referral the user should see next, or a form
    whose errors are shown instead. Errors of the loop come back as messages in Japanese.
    """
    referral = selectors.get_referral_for_user(request.user, pk)
    try:
        result = step(request, referral)
    except services.NotVisible as exc:
        raise Http404 from exc
    except ValidationError as exc:  # TransitionError included
        _report_errors(request, exc)
        return redirect("consultations:referral_detail", pk=referral.pk)
    if not isinstance(result, Referral):
        _report_errors(request, result.errors)
        return redirect("consultations:referral_detail", pk=referral.pk)
    messages.success(request, success)
    return redirect("consultations:referral_detail", pk=result.pk)


def _note(request: HttpRequest) -> NoteForm:
    form = NoteForm(request.POST)
    form.is_valid()
    return form


@personal_data_view("consultations.use")
@require_POST
def referral_accept(request: HttpRequest, pk: int) -> HttpResponse:
    def step(request, referral):
        form = _note(request)
        if form.errors:
            return form
        note = form.cleaned_data["note"].strip()
        return services.referral_accept(by=request.user, referral=referral, note=note)

    return _move(request, pk, step, "つなぎを受理しました。")


@personal_data_view("consultations.use")
@require_POST
def referral_return(request: HttpRequest, pk: int) -> HttpResponse:
    def step(request, referral):
        form = ReturnForm(request.POST)
        if not form.is_valid():
            return form
        reason = form.cleaned_data["reason"]
        return services.referral_return(by=request.user, referral=referral, reason=reason)

    return _move(request, pk, step, "つなぎを差し戻しました。つなぎ元の機関に確認を求めます。")


@personal_data_view("consultations.use")
@require_POST
def referral_start(request: HttpRequest, pk: int) -> HttpResponse:
    def step(request, referral):
        form = _note(request)
        if form.errors:
            return form
        note = form.cleaned_data["note"].strip()
        return services.referral_start(by=request.user, referral=referral, note=note)

    return _move(request, pk, step, "対応を開始しました。")


@personal_data_view("consultations.use")
@require_POST
def referral_complete(request: HttpRequest, pk: int) -> HttpResponse:
    def step(request, referral):
        form = CompleteForm(request.POST, agencies=_other_agencies(request))
        if not form.is_valid():
            return form
        arguments = form.service_arguments()
        return services.referral_complete(by=request.user, referral=referral, **arguments)

    success = "つなぎを完了にしました。"
    if request.POST.get("outcome") == ReferralOutcome.REREFERRED:
        success += "再紹介先へのつなぎを送付しました（「次のつなぎ」から確認できます）。"
    return _move(request, pk, step, success)


@personal_data_view("consultations.use")
@require_POST
def referral_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    def step(request, referral):
        form = _note(request)
        if form.errors:
            return form
        note = form.cleaned_data["note"].strip()
        return services.referral_acknowledge_return(by=request.user, referral=referral, note=note)

    return _move(request, pk, step, "差戻しを確認しました。")


@personal_data_view("consultations.use")
@require_POST
def referral_resend(request: HttpRequest, pk: int) -> HttpResponse:
    def step(request, referral):
        form = ResendForm(request.POST, **_resend_choices(request, referral))
        if not form.is_valid():
            return form
        eligibility = {}
        if referral.kind == ReferralKind.MULTI_AGENCY:
            # the eligibility check travels with the referral to the next 多機関協働 agency
            eligibility = {
                "criterion_household": referral.criterion_household,
                "criterion_gap": referral.criterion_gap,
                "criterion_new_resource": referral.criterion_new_resource,
                "tried_with_agencies": referral.tried_with_agencies,
                "is_urgent": referral.is_urgent,
            }
        return services.referral_resend(
            by=request.user,
            referral=referral,
            to_agency=form.agency(form.cleaned_data["to_agency"]),
            reason=form.cleaned_data["reason"],
            **eligibility,
        )

    return _move(request, pk, step, "別の機関へ再送しました。")
