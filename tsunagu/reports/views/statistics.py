"""The statistics page (年度別実施状況), its workbook and its CSV. Every rendering reads the one
computation of :func:`tsunagu.reports.statistics.report`."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from tsunagu.accounts.acting import acting
from tsunagu.accounts.models import Agency, Area
from tsunagu.common.views import personal_data_view

from .. import workbook
from ..forms import StatisticsForm
from ..statistics import report, scope_for
from ..statistics.engine import display, hidden, threshold


def _form(request: HttpRequest) -> StatisticsForm:
    office = acting(request.user).is_office
    return StatisticsForm(
        request.GET or {},
        agencies=Agency.objects.order_by("name") if office else (),
        areas=Area.objects.filter(is_active=True).order_by("sort_order", "name"),
        office=office,
    )


def _report(request: HttpRequest):
    """The report asked for, or the form with its errors."""
    form = _form(request)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    agency = data.get("agency")
    if "agency" not in form.fields and request.GET.get("agency"):
        # the field is the office's; anyone else naming an agency hears why not
        agency = int(request.GET["agency"]) if request.GET["agency"].isdigit() else -1
    try:
        scope = scope_for(request.user, agency_id=agency, area_id=data.get("area"))
    except ValidationError as error:
        form.add_service_errors(error)
        return form, None
    return form, report(data["period"], scope, only=data.get("section") or "")


def rendered(result, charts: dict | None = None) -> list[dict]:
    """The sections with every cell as shown to this viewer (small counts hidden). ``charts``
    names the tables drawn as charts: table key → (chart kind, which rows are its series)."""
    scope = result.scope
    charts = charts or {}
    out = []
    for section in result.sections:
        tables = []
        for table in section.tables:
            rows = []
            for row in table.rows:
                samples = row.samples or [None] * len(row.cells)
                cells = [
                    {
                        "text": display(v, kind=row.kind, samples=n, scope=scope),
                        "link": link,
                        "value": v,
                        "shown": v is not None
                        and not hidden(v, kind=row.kind, samples=n, scope=scope),
                    }
                    for v, n, link in zip(
                        row.cells, samples, row.links or [None] * len(row.cells), strict=True
                    )
                ]
                total = {
                    "text": display(
                        row.total, kind=row.kind, samples=row.total_samples or None, scope=scope
                    ),
                    "link": row.total_link,
                }
                rows.append({"row": row, "cells": cells, "total": total})
            chart, wanted = charts.get(table.key, ("", None))
            if wanted is not None:
                for entry in wanted([r["row"] for r in rows]) or ():
                    rows[entry]["series"] = True
            tables.append({"table": table, "rows": rows, "chart": chart})
        out.append({"section": section, "tables": tables})
    return out


@personal_data_view("reports.view")
def statistics(request: HttpRequest) -> HttpResponse:
    form, result = _report(request)
    if result is None:
        return render(request, "reports/statistics.html", {"form": form}, status=422)
    query = {k: v for k, v in request.GET.items() if v and k != "export"}
    if request.GET.get("export") == "xlsx":
        return workbook.response(result)
    return render(
        request,
        "reports/statistics.html",
        {
            "form": form,
            "report": result,
            "sections": rendered(result),
            "months": result.period.month_labels,
            "query": urlencode(query),
            "threshold": threshold(),
        },
    )


urls = [path("reports/", statistics, name="statistics")]
