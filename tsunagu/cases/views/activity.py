"""Screens of the 支援経過記録: the case's log (newest first, by kind and agency) and the
form that records an entry.

Whoever may see the case reads its log; the agencies on the current team, the coordinating
agency and the municipal office record entries (others get 403). A case the user may not
see answers 404. When the case's coordinator opens the log, the entries other agencies
recorded count as seen.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tsunagu.accounts.acting import acting
from tsunagu.audit.services import audit_read
from tsunagu.cases import permissions, selectors
from tsunagu.cases.forms.activity import ActivityFilterForm, ActivityForm
from tsunagu.cases.selectors import activity as activity_selectors
from tsunagu.cases.services import activity as activity_services
from tsunagu.common.form_token import form_token_once
from tsunagu.common.views import personal_data_view

PAGE_SIZE = 25


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@personal_data_view("cases.use")
def activity_list(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, pk)
    own_only = activity_selectors.own_agency_only(request.user, case)
    agencies = activity_selectors.recording_agencies(case)
    if own_only:
        agencies = [a for a in agencies if a.pk == own_only]
    form = ActivityFilterForm(request.GET or None, agencies=agencies)
    form.is_valid()
    filters = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v}
    qs = activity_selectors.activity_list(
        case=case, kind=filters.get("kind", ""), agency_id=own_only or filters.get("agency")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    newly_seen = activity_services.activity_mark_seen(by=request.user, case=case)
    context = {
        "case": case.pk,
        **{k: str(v) for k, v in filters.items()},
        "page": page.number,
        "activities": [a.pk for a in rows],
    }
    if newly_seen:
        context["marked_seen"] = len(newly_seen)
    audit_read(request, "activity.list", case, persons=case.subject_persons(), context=context)
    return render(
        request,
        "cases/activity_list.html",
        {
            "case": case,
            "form": form,
            "page": page,
            "rows": rows,
            "total": page.paginator.count,
            "query": _query_without_page(request),
            "filtered": bool(filters),
            "newly_seen": set(newly_seen),
            "own_only": bool(own_only),
            "may_record": permissions.may_record_activity(request.user, case),
        },
    )


@personal_data_view("cases.use")
@form_token_once
def activity_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for_user(request.user, pk)
    refusal = permissions.refusal_message(request.user, case)
    if refusal:
        raise PermissionDenied(refusal)
    if request.method == "POST":
        form = ActivityForm(request.POST)
        if form.is_valid():
            try:
                activity_services.activity_record(
                    by=request.user, case=case, **form.service_arguments()
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "支援経過を記録しました。")
                return redirect("cases:activity_list", pk=case.pk)
    else:
        form = ActivityForm()
        audit_read(
            request,
            "case.view",
            case,
            persons=case.subject_persons(),
            context={"case": case.pk, "referral": case.referral_id, "page": "activity_create"},
        )
    return render(
        request,
        "cases/activity_form.html",
        {"case": case, "form": form, "acting_agency": acting(request.user).agency},
    )
