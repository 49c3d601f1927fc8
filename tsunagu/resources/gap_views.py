"""Screens of the 不足する社会資源 register: the list (search, paging, Excel and CSV), one gap
with its history and where it was found, raising a gap, changing what it says, and moving it
to another stage (開発済み names the resource that met it).

Every member of staff reads the register and may raise a gap; changing and moving gaps is for
those who keep the directory (else 403 with the rule). The register holds no personal data;
the sections of the higher apps (the meeting, the participation records waiting) come through
:mod:`tsunagu.resources.hooks` and show only what the user may see.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tsunagu.common.form_token import form_token_once
from tsunagu.common.paging import CappedPaginator
from tsunagu.common.spreadsheet import export_format, stream_list
from tsunagu.common.views import personal_data_view

from . import gap_export, gaps, hooks
from .gap_forms import GapForm, GapMoveForm, GapSearchForm
from .models import GapStatus, Resource, ResourceStatus
from .views import _areas, _kinds, _may_edit, _not_editor, _query_without_page

PAGE_SIZE = 25
MOVE_CHOICES_MAX = 200


@personal_data_view("resources.view")
def gap_list(request: HttpRequest) -> HttpResponse:
    form = GapSearchForm(request.GET or None, kinds=_kinds(), areas=_areas())
    form.is_valid()
    qs = gaps.gap_search(gaps.GapSearch(**form.criteria_values()))
    fmt = export_format(request)
    if fmt:
        return stream_list(
            fmt,
            title=gap_export.TITLE,
            header=gap_export.HEADER,
            rows=gap_export.rows(qs),
            widths=gap_export.WIDTHS,
            filename_ascii="resource_gaps",
            filename_ja=gap_export.TITLE,
            freeze_columns=2,
            wrap=True,
        )
    paginator = CappedPaginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "resources/gap_list.html",
        {
            "form": form,
            "page": page,
            "rows": gaps.with_people(list(page.object_list)),
            "paginator": paginator,
            "query": _query_without_page(request),
            "counts": [(s, GapStatus(s).label, n) for s, n in gaps.status_counts().items()],
            "may_edit": _may_edit(request),
        },
    )


@personal_data_view("resources.view")
def gap_detail(request: HttpRequest, pk: int) -> HttpResponse:
    gap = gaps.gap_get(request.user, pk)
    (gap,) = gaps.with_people([gap])
    return render(
        request,
        "resources/gap_detail.html",
        {
            "gap": gap,
            "events": list(gap.events.select_related("by", "resource")),
            "links": hooks.gap_links(request.user, gap),
            "may_edit": _may_edit(request),
        },
    )


def _gap_form_page(request, *, form, gap=None, title: str, submit: str) -> HttpResponse:
    return render(
        request,
        "resources/gap_form.html",
        {"form": form, "gap": gap, "title": title, "submit": submit},
    )


@personal_data_view("resources.view")
@form_token_once
def gap_create(request: HttpRequest) -> HttpResponse:
    kinds, areas = _kinds(), _areas()
    if request.method == "POST":
        form = GapForm(request.POST, kinds=kinds, areas=areas)
        if form.is_valid():
            try:
                gap = gaps.gap_create(by=request.user, **form.service_arguments())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "不足する社会資源を登録しました。")
                return redirect("resources:gap_detail", pk=gap.pk)
    else:
        form = GapForm(kinds=kinds, areas=areas)
    return _gap_form_page(request, form=form, title="不足する社会資源を登録する", submit="登録する")


@personal_data_view("resources.view")
@form_token_once
def gap_edit(request: HttpRequest, pk: int) -> HttpResponse:
    gap = gaps.gap_get(request.user, pk)
    if (denied := _not_editor(request)) is not None:
        return denied
    kinds, areas = _kinds(gap.kind), _areas(gap.area)
    if request.method == "POST":
        form = GapForm(request.POST, kinds=kinds, areas=areas)
        if form.is_valid():
            try:
                gaps.gap_update(by=request.user, gap=gap, **form.service_arguments())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "不足する社会資源の内容を更新しました。")
                return redirect("resources:gap_detail", pk=gap.pk)
    else:
        form = GapForm(
            initial={
                "description": gap.description,
                "kind": gap.kind_id,
                "targets": gap.target_list,
                "target_attributes": gap.target_attributes,
                "area": gap.area_id,
            },
            kinds=kinds,
            areas=areas,
        )
    return _gap_form_page(
        request, form=form, gap=gap, title="不足する社会資源の内容を直す", submit="保存する"
    )


def _move_candidates(gap, word: str) -> list[Resource]:
    """Resources that may have met the gap: by name when a word is given, else those of its
    kind (and area) first, newest first; at most :data:`MOVE_CHOICES_MAX`."""
    from .selectors import area_ids

    qs = Resource.objects.exclude(status=ResourceStatus.ENDED).select_related("kind", "area")
    if word:
        from tsunagu.linkage.normalize import normalize_name

        for part in (normalize_name(w) for w in word.split()):
            if part:
                qs = qs.filter(search_text__contains=part)
    else:
        if gap.kind_id:
            qs = qs.filter(kind_id=gap.kind_id)
        if gap.area_id:
            qs = qs.filter(area_id__in=area_ids(gap.area_id))
    return list(qs.order_by("-created_at", "-id")[:MOVE_CHOICES_MAX])


@personal_data_view("resources.view")
@form_token_once
def gap_move(request: HttpRequest, pk: int) -> HttpResponse:
    gap = gaps.gap_get(request.user, pk)
    if (denied := _not_editor(request)) is not None:
        return denied
    word = request.GET.get("find", "").strip()[:100]
    candidates = _move_candidates(gap, word)
    chosen = request.POST.get("met_by", "")
    if chosen.isdigit() and int(chosen) not in {r.pk for r in candidates}:
        extra = Resource.objects.select_related("kind", "area").filter(pk=int(chosen)).first()
        if extra is not None:
            candidates.append(extra)
    if request.method == "POST":
        form = GapMoveForm(request.POST, resources=candidates, current=gap.status)
        if form.is_valid():
            try:
                gaps.gap_move(by=request.user, gap=gap, **form.service_arguments())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "不足する社会資源の状況を変えました。")
                return redirect("resources:gap_detail", pk=gap.pk)
    else:
        form = GapMoveForm(resources=candidates, current=gap.status)
    return render(
        request,
        "resources/gap_move.html",
        {"form": form, "gap": gap, "find": word, "candidates": len(candidates)},
    )
