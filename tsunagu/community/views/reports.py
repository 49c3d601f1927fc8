"""Screens of 気づき・通報: the report list (untriaged first, the longest waiting first, those
past three office days flagged; search, paging, Excel), a new report, one report, and the
office's triage form.

A report the user may not see answers 404; the triage by anyone but the office 403. Every
page that shows personal data records its read.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from tsunagu import access
from tsunagu.accounts.models import Agency, Area
from tsunagu.audit.services import audit_read
from tsunagu.common import spreadsheet
from tsunagu.common.errors import NotVisible
from tsunagu.common.form_token import form_token_once
from tsunagu.common.paging import CappedPaginator
from tsunagu.common.spreadsheet import audit_export, chunks, export_format, stream_list
from tsunagu.common.views import is_partial, personal_data_view
from tsunagu.common.wareki import format_wareki
from tsunagu.consultations.models import IssueCategory

from ..forms import reports as forms
from ..models import Activity, Watch
from ..permissions import NOT_OFFICE_TRIAGE, is_office
from ..selectors import reports as selectors
from ..services import reports as services
from .watches import PAGE_SIZE, PERM, person_ids

EXPORT_TITLE = "気づき・通報"

HEADER = (
    "番号",
    "受付日時",
    "受け付けた機関",
    "通報者の種類",
    "通報者",
    "連絡方法",
    "気づいた日",
    "場所",
    "圏域",
    "気づいたこと",
    "振り分け",
    "振り分け日時",
    "注意",
)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    for key in ("page", "export"):
        query.pop(key, None)
    return query.urlencode()


def _when(value) -> str:
    local = timezone.localtime(value)
    return format_wareki(local.date()) + local.strftime(" %H:%M")


def export_rows(reports):
    """One row per report of the list's queryset (read a chunk at a time)."""
    for batch in chunks(reports.select_related("agency", "area", "person"), spreadsheet.CHUNK):
        for r in selectors.decorate(batch):
            yield [
                r.pk,
                _when(r.received_at),
                r.agency.name,
                r.get_origin_display(),
                r.reporter_name,
                r.reporter_contact,
                format_wareki(r.noticed_on) if r.noticed_on else "",
                r.place,
                r.area.name if r.area_id else "",
                r.what,
                r.get_triage_display() if r.triage else "未振り分け",
                _when(r.triaged_at) if r.triaged_at else "",
                "振り分け期限超過" if r.overdue else "",
            ]


@personal_data_view(PERM)
def report_list(request: HttpRequest) -> HttpResponse:
    form = forms.ReportFilterForm(request.GET or None)
    form.is_valid()
    data = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v}
    filters = selectors.ReportFilter(
        q=data.get("q", ""),
        state=data.get("state", ""),
        origin=data.get("origin", ""),
        triage=data.get("triage", ""),
    )
    qs = selectors.report_list(user=request.user, filters=filters)
    context = {k: str(v) for k, v in data.items()}
    fmt = export_format(request)
    if fmt:
        audit_export(
            request,
            "community.report_list",
            fmt=fmt,
            title=EXPORT_TITLE,
            count=qs.count(),
            persons=person_ids(qs),
            filters=context,
        )
        return stream_list(
            fmt,
            title=EXPORT_TITLE,
            header=HEADER,
            rows=export_rows(qs),
            filename_ascii="reports",
            filename_ja=EXPORT_TITLE,
        )
    paginator = CappedPaginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = selectors.rows_for_ids([r.pk for r in page.object_list])
    selectors.audit_list(request, rows, {**context, "page": page.number})
    template = "community/report_rows.html" if is_partial(request) else "community/report_list.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "rows": rows,
            "paginator": paginator,
            "query": _query_without_page(request),
            "office": is_office(request.user),
        },
    )


def _recent_activities(chosen: str | None) -> list[Activity]:
    """The activities a report may have been heard at: the last 60 days' (and the one the
    page was opened from)."""
    since = timezone.now() - datetime.timedelta(days=60)
    qs = Activity.objects.filter(starts_at__gte=since, starts_at__lte=timezone.now())
    found = list(qs.order_by("-starts_at", "-id")[:100])
    if chosen and chosen.isdigit() and int(chosen) not in {a.pk for a in found}:
        extra = Activity.objects.filter(pk=int(chosen)).first()
        if extra is not None:
            found.insert(0, extra)
    return found


@personal_data_view(PERM)
@form_token_once
def report_create(request: HttpRequest) -> HttpResponse:
    areas = list(Area.objects.order_by("code"))
    chosen = request.POST.get("activity") or request.GET.get("activity")
    activities = _recent_activities(chosen)
    if request.method == "POST":
        form = forms.ReportForm(request.POST, areas=areas, activities=activities)
        if form.is_valid():
            try:
                report = services.report_record(by=request.user, **form.service_arguments())
            except ValidationError as exc:
                form.add_service_errors(exc, {"received_at": "received_on"})
            else:
                messages.success(request, "気づき・通報を記録しました。")
                return redirect("community:report_detail", pk=report.pk)
    else:
        initial = {}
        picked = next((a for a in activities if str(a.pk) == chosen), None)
        if picked is not None:
            initial = {"activity": picked.pk, "area": picked.area_id, "place": picked.place_text}
        form = forms.ReportForm(initial=initial, areas=areas, activities=activities)
    return render(request, "community/report_form.html", {"form": form})


@personal_data_view(PERM)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.get_report_for_user(request.user, pk)
    selectors.audit_report(request, report)
    return render(
        request,
        "community/report_detail.html",
        {"report": report, "may_triage": is_office(request.user) and not report.triage},
    )


def _triage_persons(request: HttpRequest, report) -> list:
    """The persons the triage may name: the report's, those found by ``?q=`` (a consultation
    needs the person), and on a POST the one chosen — all among those the user sees."""
    from tsunagu.people import selectors as people_selectors

    persons = [report.person] if report.person_id else []
    if request.method == "POST":
        raw = request.POST.get("person", "")
        chosen = (
            access.persons_visible_to(request.user).filter(pk=raw).first()
            if raw.isdigit()
            else None
        )
        if chosen is not None and chosen not in persons:
            persons.append(chosen)
        return persons
    q = request.GET.get("q", "").strip()[:100]
    if q:
        found = list(people_selectors.person_search(user=request.user, q=q)[:20])
        if found:
            audit_read(
                request,
                "person.search",
                persons=[p.pk for p in found],
                context={"q": q, "report": report.pk},
            )
        persons += [p for p in found if p not in persons]
    return persons


@personal_data_view(PERM)
@form_token_once
def report_triage(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.get_report_for_user(request.user, pk)
    if not is_office(request.user):
        raise PermissionDenied(NOT_OFFICE_TRIAGE)
    if report.triage:
        messages.error(request, services.ALREADY_TRIAGED)
        return redirect("community:report_detail", pk=report.pk)
    kwargs = {
        "agencies": list(Agency.objects.active().order_by("name")),
        "categories": list(
            IssueCategory.objects.filter(is_active=True).order_by("sort_order", "pk")
        ),
        "watches": list(
            Watch.objects.visible_to(request.user)
            .filter(ended_on__isnull=True)
            .order_by("label")[:200]
        ),
        "persons": _triage_persons(request, report),
    }
    if request.method == "POST":
        form = forms.TriageForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            record = None
            if data.get("outreach_record"):
                record = (
                    access.outreach_records_visible_to(request.user)
                    .filter(pk=data["outreach_record"])
                    .first()
                )
            try:
                if data.get("outreach_record") and record is None:
                    raise ValidationError(
                        {"outreach_record": "この番号のアウトリーチ対象は見つかりません。"}
                    )
                services.report_triage(
                    by=request.user,
                    report=report,
                    triage=data["triage"],
                    no_action_reason=data["no_action_reason"],
                    reason=data["reason"],
                    agency=form.picked("agency"),
                    person=form.picked("person"),
                    categories=[form.category_objects[c] for c in data.get("categories") or ()],
                    consent_to_share=data.get("consent_to_share", False),
                    outreach_record=record,
                    watch=form.picked("watch"),
                    watch_label=data["watch_label"],
                    watch_frequency=data.get("watch_frequency") or "weekly",
                )
            except NotVisible as exc:
                raise Http404 from exc
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "振り分けました。")
                return redirect("community:report_detail", pk=report.pk)
    else:
        form = forms.TriageForm(**kwargs)
        selectors.audit_report(request, report, {"page": "triage"})
    return render(
        request,
        "community/report_triage.html",
        {"report": report, "form": form, "q": request.GET.get("q", "")},
    )


#: this topic's URL patterns, gathered by tsunagu/community/urls.py
urls: list = [
    path("community/reports/", report_list, name="report_list"),
    path("community/reports/new/", report_create, name="report_create"),
    path("community/reports/<int:pk>/", report_detail, name="report_detail"),
    path("community/reports/<int:pk>/triage/", report_triage, name="report_triage"),
]
