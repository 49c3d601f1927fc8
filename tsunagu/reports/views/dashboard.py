"""The statistics as charts (ダッシュボード): consultations per month by category, the referral
loop, cases by status at each month's end, meetings held, and the yearly targets against the
actuals. Each chart is drawn from the table under it (the same figures as the statistics page,
small counts hidden the same way), and each bar opens the list behind it."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from tsunagu.common.views import personal_data_view

from ..statistics.engine import threshold
from .statistics import _report, rendered

TOP = 8


def _top_categories(rows):
    ticked = [(n, r) for n, r in enumerate(rows) if not r.label.startswith("◎") and r.total]
    ticked.sort(key=lambda pair: -pair[1].total)
    return [n for n, _ in ticked[:TOP]]


def _labels(*labels):
    return lambda rows: [n for n, r in enumerate(rows) if r.label in labels]


def _kinds_held(rows):
    return [n for n, r in enumerate(rows) if r.indent and r.total]


def _any_cases(rows):
    return [n for n, r in enumerate(rows) if any(r.cells)]


#: table key → (chart, the rows drawn); the order of the page
CHARTS = {
    "consultations_by_category": ("stacked", _top_categories),
    "referrals": ("bar", _labels("送付", "受理", "回答期限を過ぎた（送付月）")),
    "cases_status": ("stacked", _any_cases),
    "meetings": ("stacked", _kinds_held),
}
TITLES = {
    "consultations_by_category": "相談の受付（分類別・月ごと、上位8分類）",
    "referrals": "つなぎの流れ（送付・受理・期限超過）",
    "cases_status": "事例の状況の推移（月末）",
    "meetings": "会議の開催（種類別）",
}


@personal_data_view("reports.view")
def dashboard(request: HttpRequest) -> HttpResponse:
    form, result = _report(request)
    if result is None:
        return render(request, "reports/dashboard.html", {"form": form}, status=422)
    sections = rendered(result, CHARTS)
    tables = {t["table"].key: t for s in sections for t in s["tables"]}
    charts = []
    for key in CHARTS:
        if key in tables:
            charts.append({**tables[key], "title": TITLES[key]})
    targets = tables.get("community_targets")
    query = {k: v for k, v in request.GET.items() if v and k != "section"}
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "report": result,
            "charts": charts,
            "targets": _target_pairs(targets) if targets else None,
            "months": result.period.month_labels,
            "query": urlencode(query),
            "threshold": threshold(),
        },
    )


def _target_pairs(table) -> list[dict]:
    """Each indicator with a target: its target and its actual to date."""
    rows = [r["row"] for r in table["rows"]]
    pairs = []
    for actual, target in zip(rows[::2], rows[1::2], strict=True):
        if target.total is not None:
            rate = round(100 * actual.total / target.total, 1) if target.total else None
            pairs.append(
                {
                    "label": actual.label,
                    "target": target.total,
                    "actual": actual.total,
                    "rate": rate,
                }
            )
    return pairs


urls = [path("reports/dashboard/", dashboard, name="dashboard")]
