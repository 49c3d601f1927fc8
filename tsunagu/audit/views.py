from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tsunagu.common.spreadsheet import (
    audit_export,
    export_format,
    filter_lines,
    query_without_page,
    stream_list,
)
from tsunagu.common.views import personal_data_view

from . import export, selectors
from .forms import EventFilterForm
from .models import AuditEvent
from .services import audit_read

PAGE_SIZE = 50


@personal_data_view("audit.view_log")  # the access history names persons
def event_list(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.event_list(
        user=request.user,
        action=filters.get("action", ""),
        actor=filters.get("actor", ""),
        agency_id=filters["agency"].pk if filters.get("agency") else None,
        person_id=filters.get("person"),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    fmt = export_format(request) if not form.errors else ""
    if fmt:
        # the log as it stood when the file was asked for (without the export's own event)
        last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        qs = qs.filter(id__lte=last)
        audit_export(
            request,
            "audit.list",
            fmt=fmt,
            title=export.TITLE,
            count=qs.count(),
            persons=[filters["person"]] if filters.get("person") else (),
            filters=filters,
            context={"up_to": last},
        )
        return stream_list(
            fmt,
            title=export.TITLE,
            header=export.HEADER,
            rows=export.rows(request.user, qs),
            widths=export.WIDTHS,
            about=[*filter_lines(form), ["最後の連番", last]],
            filename_ascii="audit_log",
            filename_ja=export.TITLE,
        )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # Reading the access history of persons is itself recorded.
    audit_read(
        request,
        "audit.list",
        persons=[filters["person"]] if filters.get("person") else (),
        context={k: str(v) for k, v in filters.items() if v},
    )
    events = selectors.events_described(user=request.user, events=page.object_list)
    return render(
        request,
        "audit/event_list.html",
        {
            "form": form,
            "page": page,
            "events": events,
            "query": query_without_page(request),
            "total": page.paginator.count,
        },
    )
