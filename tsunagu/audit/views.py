from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tsunagu.common.views import personal_data_view

from . import selectors
from .forms import EventFilterForm
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
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # Reading the access history of persons is itself recorded.
    audit_read(
        request,
        "audit.list",
        persons=[filters["person"]] if filters.get("person") else (),
        context={k: str(v) for k, v in filters.items() if v},
    )
    query = request.GET.copy()
    query.pop("page", None)
    events = selectors.events_described(user=request.user, events=page.object_list)
    return render(
        request,
        "audit/event_list.html",
        {
            "form": form,
            "page": page,
            "events": events,
            "query": query.urlencode(),
            "total": page.paginator.count,
        },
    )
