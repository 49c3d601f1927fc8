"""エコマップの画面: the picture with the table of the same ties, and the SVG download, of a
person (``/persons/<id>/ecomap/``) or a household (``/households/<id>/ecomap/``).

The same permission and check as the person and household pages (``people.use``; a person or
household the user may not see answers 404); every read is audited."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe

from tsunagu.common.views import personal_data_view
from tsunagu.people import selectors as people_selectors

from . import graph
from .reads import audit_ecomap
from .svg import render_svg

SVG_TYPE = "image/svg+xml; charset=utf-8"


def _page(request: HttpRequest, ecomap: graph.Ecomap, subject, *, back: str, svg_url: str):
    audit_ecomap(request, ecomap, subject, "html")
    return render(
        request,
        "reports/ecomap.html",
        {
            "ecomap": ecomap,
            "subject": subject,
            "svg": mark_safe(render_svg(ecomap, standalone=False)),
            "rows": ecomap.rows(),
            "back_url": back,
            "svg_url": svg_url,
        },
    )


def _download(request: HttpRequest, ecomap: graph.Ecomap, subject, name: str) -> HttpResponse:
    audit_ecomap(request, ecomap, subject, "svg")
    response = HttpResponse(render_svg(ecomap), content_type=SVG_TYPE)
    fallback = f"ecomap_{ecomap.subject}_{ecomap.subject_id}.svg"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    return response


@personal_data_view("people.use")
def person_ecomap(request: HttpRequest, pk: int) -> HttpResponse:
    person = people_selectors.get_person_for_user(request.user, pk)
    ecomap = graph.person_ecomap(request.user, person)
    return _page(
        request,
        ecomap,
        person,
        back=reverse("people:person_detail", args=[person.pk]),
        svg_url=reverse("reports:person_ecomap_svg", args=[person.pk]),
    )


@personal_data_view("people.use")
def person_ecomap_svg(request: HttpRequest, pk: int) -> HttpResponse:
    person = people_selectors.get_person_for_user(request.user, pk)
    ecomap = graph.person_ecomap(request.user, person)
    return _download(request, ecomap, person, f"エコマップ_本人{person.pk}.svg")


@personal_data_view("people.use")
def household_ecomap(request: HttpRequest, pk: int) -> HttpResponse:
    household = people_selectors.get_household_for_user(request.user, pk)
    ecomap = graph.household_ecomap(request.user, household)
    return _page(
        request,
        ecomap,
        household,
        back=reverse("people:household_detail", args=[household.pk]),
        svg_url=reverse("reports:household_ecomap_svg", args=[household.pk]),
    )


@personal_data_view("people.use")
def household_ecomap_svg(request: HttpRequest, pk: int) -> HttpResponse:
    household = people_selectors.get_household_for_user(request.user, pk)
    ecomap = graph.household_ecomap(request.user, household)
    return _download(request, ecomap, household, f"エコマップ_世帯{household.pk}.svg")
