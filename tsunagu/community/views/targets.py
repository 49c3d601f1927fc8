"""Screens of the yearly targets (成果目標): the board of a 年度 and area — each indicator's
target beside its actual computed from the records, month by month, with the progress expected
by now — its Excel file, the office's forms to set the year's targets and write the
evaluation, and the indicators the office defines.

Every member of staff reads the board (no personal data); only the program office sets
targets, writes evaluations and defines indicators (403 with the rule for others).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse

from tsunagu.accounts.models import Area
from tsunagu.common.fiscal import fiscal_year_label
from tsunagu.common.form_token import form_token_once
from tsunagu.common.spreadsheet import stream_xlsx
from tsunagu.common.views import personal_data_view

from ..forms.targets import BoardForm, EvaluationForm, IndicatorForm, TargetsForm
from ..models import ActivityKind, Indicator, ParticipantAttribute, Target
from ..permissions import NOT_OFFICE_TARGETS
from ..selectors import targets as selectors
from ..services import targets as services

MONTH_LABELS = [f"{m}月" for m in selectors.MONTHS]


def _areas() -> list[Area]:
    return list(Area.objects.filter(is_active=True).order_by("sort_order", "code"))


def _office_only(request: HttpRequest) -> HttpResponse | None:
    if request.user.has_perm("community.set_targets"):
        return None
    return render(
        request, "community/not_allowed.html", {"message": NOT_OFFICE_TARGETS}, status=403
    )


def _chosen(request: HttpRequest) -> tuple[int, Area | None, BoardForm]:
    years = selectors.years_with_data()
    areas = _areas()
    form = BoardForm(request.GET or None, years=years, areas=areas)
    year, area = selectors.current_year(), None
    if form.is_bound and form.is_valid():
        year = form.cleaned_data.get("year") or year
        chosen = form.cleaned_data.get("area")
        area = next((a for a in areas if a.pk == chosen), None)
    if not form.is_bound:
        form = BoardForm(initial={"year": year}, years=years, areas=areas)
    return year, area, form


def _where(year: int, area: Area | None) -> str:
    return urlencode({"year": year, **({"area": area.pk} if area else {})})


@personal_data_view("community.view")
def target_board(request: HttpRequest) -> HttpResponse:
    year, area, form = _chosen(request)
    rows = selectors.board(year, area)
    if request.GET.get("export") == "xlsx":
        return _xlsx(year, area, rows)
    return render(
        request,
        "community/target_board.html",
        {
            "form": form,
            "year": year,
            "year_label": fiscal_year_label(year),
            "area": area,
            "rows": rows,
            "months": MONTH_LABELS,
            "share": round(100 * selectors.year_share(year)),
            "evaluation": selectors.evaluation(year, area),
            "may_set": request.user.has_perm("community.set_targets"),
            "where": _where(year, area),
        },
    )


def _xlsx(year: int, area: Area | None, rows) -> HttpResponse:
    return stream_xlsx(
        "成果目標と実績",
        ["指標", "単位", "目標", "実績", "達成率（%）", "今の時点の目安", *MONTH_LABELS],
        (
            [
                row.indicator.name,
                row.indicator.unit,
                row.value,
                row.actual,
                row.achieved,
                row.expected,
                *row.by_month,
            ]
            for row in rows
        ),
        heading=f"{fiscal_year_label(year)} 成果目標と実績（{area.name if area else '市全体'}）",
        widths=(36,),
        freeze_columns=1,
        about=[["実績は記録から数えた値です（手で入力したものではありません）。"]],
        filename_ascii=f"targets_{year}",
        filename_ja=f"成果目標_{year}年度",
    )


@personal_data_view("community.view")
@form_token_once
def targets_edit(request: HttpRequest) -> HttpResponse:
    if (denied := _office_only(request)) is not None:
        return denied
    year, area, _ = _chosen(request)
    indicators = list(Indicator.objects.filter(is_active=True))
    current = {t.indicator_id: t.value for t in Target.objects.filter(fiscal_year=year, area=area)}
    if request.method == "POST":
        form = TargetsForm(request.POST, indicators=indicators)
        if form.is_valid():
            try:
                services.targets_set(
                    by=request.user, fiscal_year=year, area=area, values=form.values()
                )
            except ValidationError as exc:
                form.add_service_errors(exc, aliases=form.service_aliases())
            else:
                messages.success(request, f"{fiscal_year_label(year)}の成果目標を保存しました。")
                return redirect(f"{reverse('community:target_board')}?{_where(year, area)}")
    else:
        form = TargetsForm(indicators=indicators, initial_values=current)
    return render(
        request,
        "community/target_form.html",
        {
            "form": form,
            "year_label": fiscal_year_label(year),
            "area": area,
            "where": _where(year, area),
        },
    )


@personal_data_view("community.view")
@form_token_once
def evaluation_edit(request: HttpRequest) -> HttpResponse:
    if (denied := _office_only(request)) is not None:
        return denied
    year, area, _ = _chosen(request)
    found = selectors.evaluation(year, area)
    if request.method == "POST":
        form = EvaluationForm(request.POST)
        if form.is_valid():
            try:
                services.evaluation_write(
                    by=request.user, fiscal_year=year, area=area, text=form.cleaned_data["text"]
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, f"{fiscal_year_label(year)}の評価を保存しました。")
                return redirect(f"{reverse('community:target_board')}?{_where(year, area)}")
    else:
        form = EvaluationForm(initial={"text": found.text if found else ""})
    return render(
        request,
        "community/evaluation_form.html",
        {
            "form": form,
            "year_label": fiscal_year_label(year),
            "area": area,
            "where": _where(year, area),
        },
    )


@personal_data_view("community.view")
def indicator_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "community/indicator_list.html",
        {
            "indicators": list(
                Indicator.objects.select_related("activity_kind", "attribute").order_by(
                    "sort_order", "id"
                )
            ),
            "may_set": request.user.has_perm("community.set_targets"),
        },
    )


@personal_data_view("community.view")
@form_token_once
def indicator_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if (denied := _office_only(request)) is not None:
        return denied
    indicator = get_object_or_404(Indicator, pk=pk) if pk is not None else None
    kinds = list(ActivityKind.objects.filter(is_active=True))
    attributes = list(ParticipantAttribute.objects.filter(is_active=True))
    if request.method == "POST":
        form = IndicatorForm(request.POST, kinds=kinds, attributes=attributes)
        if form.is_valid():
            try:
                services.indicator_save(
                    by=request.user, indicator=indicator, **form.service_arguments()
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "指標を保存しました。")
                return redirect("community:indicator_list")
    else:
        initial = {}
        if indicator is not None:
            initial = {
                "code": indicator.code,
                "name": indicator.name,
                "measure": indicator.measure,
                "activity_kind": indicator.activity_kind_id,
                "attribute": indicator.attribute_id,
                "generation": indicator.generation,
                "unit": indicator.unit,
                "sort_order": indicator.sort_order,
                "is_active": indicator.is_active,
            }
        form = IndicatorForm(initial=initial, kinds=kinds, attributes=attributes)
    return render(request, "community/indicator_form.html", {"form": form, "indicator": indicator})


urls = [
    path("community/targets/", target_board, name="target_board"),
    path("community/targets/edit/", targets_edit, name="targets_edit"),
    path("community/targets/evaluation/", evaluation_edit, name="evaluation_edit"),
    path("community/indicators/", indicator_list, name="indicator_list"),
    path("community/indicators/new/", indicator_edit, name="indicator_create"),
    path("community/indicators/<int:pk>/", indicator_edit, name="indicator_edit"),
]
