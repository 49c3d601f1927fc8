"""Screens of the 社会資源 directory: the search a worker runs with the person beside them
(each result says why it matched; Excel and CSV of the same search), one resource with its
schedules, exceptions and host profile, and the forms that keep the directory — each calls one
service, whose Japanese messages are shown on the form. The keepers also take in a directory in
HSDS 3.0 (JSON, or the CSV files in a zip) from the search page.

The directory holds no personal data: every member of staff reads it (``resources.view``);
the office, participation workers and community coordinators keep it (``resources.edit``,
else 403 with the rule).
"""

from __future__ import annotations

from typing import NamedTuple

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.utils import ErrorDict, ErrorList
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from tsunagu.accounts.models import Area
from tsunagu.common.form_token import form_token_once
from tsunagu.common.paging import CappedPaginator
from tsunagu.common.spreadsheet import export_format, stream_list
from tsunagu.common.views import is_partial, personal_data_view

from . import export, forms, hsds, selectors, services
from .models import HostProfile, Organization, Resource, ResourceKind
from .permissions import NOT_EDITOR

PAGE_SIZE = 25
BLANK_ROWS_NEW = 3
BLANK_ROWS_EDIT = 2
SCHEDULE_PREFIX = "schedules"


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    for key in ("page", "export"):
        query.pop(key, None)
    return query.urlencode()


def _may_edit(request: HttpRequest) -> bool:
    return request.user.has_perm("resources.edit")


def _not_editor(request: HttpRequest) -> HttpResponse | None:
    """The 403 page with the rule, for a member of staff who reads but does not keep the
    directory; None for an editor."""
    if _may_edit(request):
        return None
    return render(request, "resources/not_editor.html", {"message": NOT_EDITOR}, status=403)


def _kinds(current: ResourceKind | None = None) -> list[ResourceKind]:
    kinds = list(ResourceKind.objects.filter(is_active=True))
    if current is not None and current not in kinds:
        kinds.append(current)
    return kinds


def _areas(current: Area | None = None) -> list[Area]:
    areas = list(Area.objects.filter(is_active=True).order_by("sort_order", "code"))
    if current is not None and current not in areas:
        areas.append(current)
    return areas


class _Option(NamedTuple):
    """A kind or an area as the search's filters list it (no model to build per request)."""

    pk: int
    name: str
    parent_id: int | None = None


def _filter_options() -> tuple[list[_Option], list[_Option]]:
    """The kinds and the areas in use, for the search's filters."""
    in_use = ResourceKind.objects.filter(is_active=True)
    kinds = [_Option(*row) for row in in_use.values_list("pk", "name")]
    areas = [
        _Option(*row)
        for row in Area.objects.filter(is_active=True)
        .order_by("sort_order", "code")
        .values_list("pk", "name", "parent_id")
    ]
    return kinds, areas


def _organizations() -> list[Organization]:
    return list(Organization.objects.order_by("name", "pk"))


# ----------------------------------------------------------------------------------- search


@personal_data_view("resources.view")
@form_token_once
def search(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _hsds_import(request)
    kinds, areas = _filter_options()
    form = forms.SearchForm(request.GET or None, kinds=kinds, areas=areas)
    form.is_valid()
    criteria = selectors.ResourceSearch(**form.criteria_values())
    found = selectors.search(criteria)
    fmt = export_format(request)
    if fmt:
        return stream_list(
            fmt,
            title=export.TITLE,
            header=export.HEADER,
            rows=export.rows(found, criteria),
            widths=export.WIDTHS,
            filename_ascii="resources",
            filename_ja=export.TITLE,
            freeze_columns=2,
            wrap=True,
        )
    number = request.GET.get("page")
    paginator = selectors.SearchPaginator(found, PAGE_SIZE, number=number)
    page = paginator.get_page(number)
    rows = selectors.explain(list(page.object_list), criteria)
    _link(rows)
    template = "resources/_results.html" if is_partial(request) else "resources/search.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "rows": rows,
            "paginator": paginator,
            "query": _query_without_page(request),
            "may_edit": _may_edit(request),
            "import_form": forms.HsdsImportForm() if _may_edit(request) else None,
            "stale_months": selectors.stale_months(),
        },
    )


#: a stand-in id: the URL of one resource's page is reversed once for all the rows
_SOME_PK = 987654321


def _link(rows: list[selectors.Row]) -> None:
    """Each row's link to its resource's page."""
    pattern = reverse("resources:detail", args=[_SOME_PK])
    for row in rows:
        row.url = pattern.replace(str(_SOME_PK), str(row.resource.pk))


def _hsds_import(request: HttpRequest) -> HttpResponse:
    """The directory from a file in HSDS 3.0 (the form on the search page): every row is
    checked first, and on any error nothing is added and each bad row is listed."""
    if (denied := _not_editor(request)) is not None:
        return denied
    form = forms.HsdsImportForm(request.POST, request.FILES)
    problems: list[str] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            counts = hsds.import_file(upload.read(), by=request.user, name=upload.name)
        except ValidationError as exc:
            problems = [m for messages_ in exc.message_dict.values() for m in messages_]
        else:
            messages.success(
                request,
                f"HSDS のファイルから社会資源を{counts['resources']}件登録しました"
                f"（新しい提供団体 {counts['organizations']}件、所在地 {counts['locations']}件、"
                f"開いている日時 {counts['schedules']}件）。",
            )
            return redirect("resources:search")
    return render(
        request,
        "resources/hsds_import.html",
        {
            "import_form": form,
            "problems": problems,
            "file_name": getattr(request.FILES.get("file"), "name", ""),
        },
    )


# ----------------------------------------------------------------------------------- detail


@personal_data_view("resources.view")
def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.get_resource(pk)
    today = timezone.localdate()
    exceptions = list(resource.exceptions.order_by("date", "pk"))
    return render(
        request,
        "resources/resource_detail.html",
        {
            "resource": resource,
            "schedules": list(resource.schedules.all()),
            "upcoming": [e for e in exceptions if e.date >= today],
            "past": [e for e in exceptions if e.date < today],
            "host": HostProfile.objects.filter(resource=resource)
            .select_related("assessed_by")
            .first(),
            "stale": resource.confirmed_on < selectors.stale_before(today),
            "stale_months": selectors.stale_months(),
            "may_edit": _may_edit(request),
        },
    )


# ------------------------------------------------------------------------ create and edit


def _quiet(form) -> None:
    """Show a bound form as entered, without its errors (the row was only added)."""
    form._errors = ErrorDict()
    form.cleaned_data = {}


def _with_a_new_row(data):
    data = data.copy()
    key = f"{SCHEDULE_PREFIX}-TOTAL_FORMS"
    try:
        data[key] = str(int(data.get(key, "0")) + 1)
    except ValueError:
        data[key] = "1"
    return data


def _schedule_formset(request: HttpRequest, initial: list[dict]):
    """The schedule rows, bound on POST (one more row when 「行を追加」 was pressed)."""
    if request.method != "POST":
        return forms.ScheduleFormSet(initial=initial, prefix=SCHEDULE_PREFIX), False
    adding = "add_row" in request.POST
    data = _with_a_new_row(request.POST) if adding else request.POST
    return forms.ScheduleFormSet(data, prefix=SCHEDULE_PREFIX), adding


def _organization(request: HttpRequest, form: forms.ResourceForm) -> Organization | None:
    """The organisation chosen, or the one named (found, or registered)."""
    if form.new_organization_name:
        return services.organization_get_or_create(by=request.user, name=form.new_organization_name)
    return form.chosen_organization


def _save_resource(request: HttpRequest, form, formset, save) -> Resource | None:
    """Run ``save(organization, values, schedules)`` in one transaction: the service's errors
    go on the form and its rows, and nothing (not even a new organisation) is written."""
    try:
        with transaction.atomic():
            return save(_organization(request, form), form.service_arguments(), formset.schedules())
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            form.add_error(None, exc.messages)
            return None
        errors = exc.message_dict
        formset.service_messages = formset.add_service_errors(errors)
        others = {k: v for k, v in errors.items() if not k.startswith("schedules.")}
        if others:
            form.add_service_errors(ValidationError(others))
        return None


def _resource_form_page(
    request: HttpRequest,
    *,
    form,
    formset,
    adding: bool,
    resource: Resource | None,
) -> HttpResponse:
    if adding:
        _quiet(form)
        formset._errors = []
        formset._non_form_errors = ErrorList()
        for row in formset.forms:
            _quiet(row)
    return render(
        request,
        "resources/resource_form.html",
        {
            "form": form,
            "formset": formset,
            "resource": resource,
            "schedule_messages": getattr(formset, "service_messages", []),
            "title": "社会資源を編集する" if resource else "社会資源を登録する",
            "submit": "保存する" if resource else "登録する",
        },
    )


@personal_data_view("resources.view")
@form_token_once
def resource_create(request: HttpRequest) -> HttpResponse:
    if (denied := _not_editor(request)) is not None:
        return denied
    kwargs = {"kinds": _kinds(), "areas": _areas(), "organizations": _organizations()}
    formset, adding = _schedule_formset(request, [{} for _ in range(BLANK_ROWS_NEW)])
    if request.method == "POST":
        form = forms.ResourceForm(request.POST, **kwargs)
        if not adding and form.is_valid() and formset.is_valid():

            def save(organization, values, schedules):
                return services.resource_create(
                    by=request.user, organization=organization, schedules=schedules, **values
                )

            resource = _save_resource(request, form, formset, save)
            if resource is not None:
                messages.success(request, f"社会資源「{resource.name}」を登録しました。")
                return redirect("resources:detail", pk=resource.pk)
    else:
        form = forms.ResourceForm(**kwargs)
    return _resource_form_page(request, form=form, formset=formset, adding=adding, resource=None)


@personal_data_view("resources.view")
@form_token_once
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.get_resource(pk)
    if (denied := _not_editor(request)) is not None:
        return denied
    kwargs = {
        "kinds": _kinds(resource.kind),
        "areas": _areas(resource.area),
        "organizations": _organizations(),
    }
    initial_rows = forms.schedule_initial(resource.schedules.all())
    initial_rows += [{} for _ in range(BLANK_ROWS_EDIT)]
    formset, adding = _schedule_formset(request, initial_rows)
    if request.method == "POST":
        form = forms.ResourceForm(request.POST, **kwargs)
        if not adding and form.is_valid() and formset.is_valid():

            def save(organization, values, schedules):
                return services.resource_update(
                    by=request.user,
                    resource=resource,
                    organization=organization,
                    schedules=schedules,
                    **values,
                )

            saved = _save_resource(request, form, formset, save)
            if saved is not None:
                messages.success(request, f"社会資源「{saved.name}」を更新しました。")
                return redirect("resources:detail", pk=resource.pk)
    else:
        initial = {name: getattr(resource, name) for name in forms.ResourceForm.SERVICE_FIELDS}
        initial.update(
            organization=resource.organization_id,
            kind=resource.kind_id,
            area=resource.area_id,
            targets=resource.target_list,
        )
        form = forms.ResourceForm(initial=initial, **kwargs)
    return _resource_form_page(
        request, form=form, formset=formset, adding=adding, resource=resource
    )


# --------------------------------------------------------------------- host and exceptions


def _step(
    request: HttpRequest,
    pk: int,
    *,
    form_class,
    run,
    title: str,
    submit: str,
    done: str,
    intro: str = "",
    initial: dict | None = None,
) -> HttpResponse:
    """A form on one resource: the service on a valid POST (its errors shown on the form), a
    message and the resource's page."""
    resource = selectors.get_resource(pk)
    if (denied := _not_editor(request)) is not None:
        return denied
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                run(resource, form)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, done)
                return redirect("resources:detail", pk=resource.pk)
    else:
        form = form_class(initial=initial or {})
    return render(
        request,
        "resources/step_form.html",
        {"resource": resource, "form": form, "title": title, "submit": submit, "intro": intro},
    )


@personal_data_view("resources.view")
@form_token_once
def host_edit(request: HttpRequest, pk: int) -> HttpResponse:
    host = HostProfile.objects.filter(resource_id=pk).first()
    initial = (
        {name: getattr(host, name) for name in (*services.HOST_FIELDS, "assessed_on")}
        if host is not None
        else {}
    )

    def run(resource, form):
        services.host_save(by=request.user, resource=resource, **form.cleaned_data)

    return _step(
        request,
        pk,
        form_class=forms.HostForm,
        run=run,
        title="受け入れ先の登録・アセスメント",
        submit="保存する",
        done="受け入れ先の情報を保存しました。",
        intro="本人をつなぐ前に、受け入れ先の担当者と話し、切り出せる業務や心配ごとを聞き取って"
        "受け入れ先のアセスメントを記録します。受け入れ先はこのシステムの利用者ではありません。",
        initial=initial,
    )


@personal_data_view("resources.view")
@form_token_once
def exception_create(request: HttpRequest, pk: int) -> HttpResponse:
    def run(resource, form):
        services.exception_add(by=request.user, resource=resource, **form.cleaned_data)

    return _step(
        request,
        pk,
        form_class=forms.ExceptionForm,
        run=run,
        title="予定の例外を追加する",
        submit="追加する",
        done="予定の例外を追加しました。",
        intro="いつもの予定どおりではない日（休み、時間の変更）を登録します。",
    )


# ---------------------------------------------------------------------------- confirmation


@personal_data_view("resources.view")
@form_token_once
def resource_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """情報を確認した（今日）: the provider confirmed the information today."""
    resource = selectors.get_resource(pk)
    if (denied := _not_editor(request)) is not None:
        return denied
    back_to_list = request.POST.get("back") == "recheck"
    if request.method == "POST":
        try:
            services.resource_confirm(by=request.user, resource=resource)
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, f"「{resource.name}」の情報確認日を今日にしました。")
    if back_to_list:
        return redirect("resources:recheck")
    return redirect("resources:detail", pk=resource.pk)


@personal_data_view("resources.view")
def recheck(request: HttpRequest) -> HttpResponse:
    """The resources whose information is due for re-checking, the oldest first."""
    if (denied := _not_editor(request)) is not None:
        return denied
    qs = selectors.with_related(selectors.due_for_recheck()).order_by("confirmed_on", "name", "pk")
    paginator = CappedPaginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "resources/recheck.html",
        {
            "page": page,
            "paginator": paginator,
            "rows": list(page.object_list),
            "query": "",
            "stale_months": selectors.stale_months(),
        },
    )
