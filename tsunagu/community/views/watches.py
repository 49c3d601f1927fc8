"""Screens of 見守り: the watch list (mine and overdue first; search, paging, Excel and CSV),
a new watch (an identified person found among those the user sees, or a working label), one
watch with its checks and escalations, and its steps — add a watcher, record a check (fit for
a tablet), escalate, link the person, end.

A watch the user may not see answers 404; a step by someone who sees it but may not take the
step 403 with the rule. Every page that shows personal data records its read.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

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

from ..forms import watches as forms
from ..selectors import watches as selectors
from ..services import watches as services

PAGE_SIZE = 25
EXPORT_TITLE = "見守り一覧"
PERM = "community.watch"


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    for key in ("page", "export"):
        query.pop(key, None)
    return query.urlencode()


def _areas():
    return list(Area.objects.order_by("code"))


def _agencies():
    return list(Agency.objects.active().order_by("name"))


# --------------------------------------------------------------------------------- export

HEADER = (
    "番号",
    "呼び名",
    "本人",
    "担う機関",
    "圏域",
    "頻度",
    "開始日",
    "終了予定日",
    "最後の確認日",
    "次の確認日",
    "注意",
    "終了日",
)


def _day(value) -> str:
    return format_wareki(value) if value else ""


def export_rows(user, watches):
    """One row per watch of the list's queryset; a person's name only for those who may open
    the person (read a chunk at a time)."""
    for batch in chunks(watches.select_related("agency", "person", "area"), spreadsheet.CHUNK):
        for w in selectors.mark_persons(user, selectors.decorate(batch)):
            yield [
                w.pk,
                w.label,
                (w.person.name if w.person_visible else "（特定済み）")
                if w.person_id
                else "（未特定）",
                w.agency.name,
                w.area.name if w.area_id else "",
                w.get_frequency_display(),
                _day(w.starts_on),
                _day(w.until_on),
                _day(w.last_check_on),
                _day(w.next_check_on),
                f"確認日超過（{w.days_late}日）" if w.overdue else "",
                _day(w.ended_on),
            ]


def person_ids(records) -> set[int]:
    """The persons a list of watches or reports concerns (ids only, one query)."""
    return set(
        records.filter(person__isnull=False)
        .order_by()
        .values_list("person_id", flat=True)
        .distinct()
    )


# ----------------------------------------------------------------------------------- list


@personal_data_view(PERM)
def watch_list(request: HttpRequest) -> HttpResponse:
    form = forms.WatchFilterForm(request.GET or None)
    form.is_valid()
    data = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v}
    filters = selectors.WatchFilter(
        q=data.get("q", ""),
        state=data.get("state", "open"),
        mine=bool(data.get("mine")),
        overdue=bool(data.get("overdue")),
    )
    qs = selectors.watch_list(user=request.user, filters=filters)
    context = {k: str(v) for k, v in data.items()}
    fmt = export_format(request)
    if fmt:
        audit_export(
            request,
            "community.watch_list",
            fmt=fmt,
            title=EXPORT_TITLE,
            count=qs.count(),
            persons=person_ids(qs),
            filters=context,
        )
        return stream_list(
            fmt,
            title="見守り",
            header=HEADER,
            rows=export_rows(request.user, qs),
            filename_ascii="watches",
            filename_ja=EXPORT_TITLE,
        )
    paginator = CappedPaginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = selectors.mark_persons(
        request.user, selectors.rows_for_ids([w.pk for w in page.object_list])
    )
    selectors.audit_list(request, rows, {**context, "page": page.number})
    template = "community/watch_rows.html" if is_partial(request) else "community/watch_list.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "rows": rows,
            "paginator": paginator,
            "query": _query_without_page(request),
            "my_agency": access.acting_agency_id(request.user),
        },
    )


# ------------------------------------------------------------------------------ new watch


def _person_search(request: HttpRequest, context: dict) -> tuple:
    """Persons the user sees matching ``?q=`` (as outreach's 「本人を特定する」)."""
    from tsunagu.people import selectors as people_selectors

    form = forms.PersonSearchForm(request.GET or None)
    found = []
    if form.is_valid() and form.cleaned_data["q"].strip():
        found = list(
            people_selectors.person_search(user=request.user, q=form.cleaned_data["q"])[:20]
        )
        if found:
            audit_read(
                request,
                "person.search",
                persons=[p.pk for p in found],
                context={"q": form.cleaned_data["q"], **context},
            )
    return form, found


def _chosen_person(request: HttpRequest):
    raw = (request.POST if request.method == "POST" else request.GET).get("person", "")
    if not raw:
        return None
    person = (
        access.persons_visible_to(request.user).filter(pk=raw).first() if raw.isdigit() else None
    )
    if person is None:
        raise Http404
    return person


@personal_data_view(PERM)
@form_token_once
def watch_create(request: HttpRequest) -> HttpResponse:
    office = access.sees_everything(request.user)
    person = _chosen_person(request)
    kwargs = {"areas": _areas(), "agencies": _agencies() if office else ()}
    if request.method == "POST":
        form = forms.WatchForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                watch = services.watch_create(
                    by=request.user, person=person, **form.service_arguments()
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, f"見守り「{watch.label}」を登録しました。")
                return redirect("community:watch_detail", pk=watch.pk)
        search, found = forms.PersonSearchForm(), []
    else:
        form = forms.WatchForm(initial={"frequency": "weekly"}, **kwargs)
        search, found = _person_search(request, {"page": "watch_create"})
    if person is not None:
        audit_read(request, "person.view", person, persons=[person.pk], context={"page": "watch"})
    return render(
        request,
        "community/watch_form.html",
        {"form": form, "search": search, "found": found, "person": person},
    )


# --------------------------------------------------------------------------------- detail


@personal_data_view(PERM)
def watch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    watch = selectors.get_watch_for_user(request.user, pk)
    context = selectors.detail(request.user, watch)
    selectors.audit_watch(request, watch, {"checks": len(context["checks"])})
    selectors.mark_persons(request.user, [watch])
    return render(request, "community/watch_detail.html", context)


# ---------------------------------------------------------------------------------- steps


def _step(
    request: HttpRequest,
    pk: int,
    *,
    form_class,
    run,
    title: str,
    submit: str,
    done: str,
    page: str,
    keeper_only: bool = False,
    intro: str = "",
    form_kwargs: dict | None = None,
    template: str = "community/watch_step.html",
    extra: dict | None = None,
) -> HttpResponse:
    """A step on one watch: the form, the service on a valid POST (its errors shown on the
    form), a message and the watch's page."""
    watch = selectors.get_watch_for_user(request.user, pk)
    if keeper_only and not services.keeps(request.user, watch):
        raise PermissionDenied(services.NOT_KEEPER)
    selectors.mark_persons(request.user, [watch])
    form_kwargs = form_kwargs or {}
    if request.method == "POST":
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                run(watch, form)
            except NotVisible as exc:
                raise Http404 from exc
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, done)
                return redirect("community:watch_detail", pk=watch.pk)
    else:
        form = form_class(**form_kwargs)
        selectors.audit_watch(request, watch, {"page": page})
    return render(
        request,
        template,
        {
            "watch": watch,
            "form": form,
            "title": title,
            "submit": submit,
            "intro": intro,
            "page_name": page,
            **(extra or {}),
        },
    )


@personal_data_view(PERM)
@form_token_once
def watcher_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(watch, form):
        data = form.cleaned_data
        services.watcher_add(
            by=request.user,
            watch=watch,
            kind=data["kind"],
            agency=form.fields["agency"].objects.get(data.get("agency")),
            name=data["name"],
            contact=data["contact"],
        )

    return _step(
        request,
        pk,
        form_class=forms.WatcherForm,
        run=run,
        title="見守る人・機関を加える",
        submit="加える",
        done="見守る人・機関を加えました。",
        page="watcher_add",
        keeper_only=True,
        intro="支援関係機関を選ぶと、その機関もこの見守りを見て安否確認を記録できます。"
        "民生委員・近隣住民・協力事業者（新聞販売店・配食・電気ガス・宅配など）は名前で記録します。",
        form_kwargs={"agencies": _agencies()},
    )


@personal_data_view(PERM)
@form_token_once
def check_create(request: HttpRequest, pk: int) -> HttpResponse:
    watch = selectors.get_watch_for_user(request.user, pk)
    watchers = list(watch.watchers.all())

    def run(watch, form):
        data = form.cleaned_data
        services.check_record(
            by=request.user,
            watch=watch,
            checked_on=data["checked_on"],
            outcome=data["outcome"],
            watcher=form.fields["watcher"].objects.get(data.get("watcher")),
            checked_by_name=data["checked_by_name"],
            note=data["note"],
        )

    return _step(
        request,
        pk,
        form_class=forms.CheckForm,
        run=run,
        title="安否確認を記録する",
        submit="記録する",
        done="安否確認を記録しました。",
        page="check_create",
        form_kwargs={"watchers": watchers},
        template="community/check_form.html",
    )


@personal_data_view(PERM)
@form_token_once
def escalate(request: HttpRequest, pk: int) -> HttpResponse:
    watch = selectors.get_watch_for_user(request.user, pk)
    categories = list(IssueCategory.objects.filter(is_active=True).order_by("sort_order", "pk"))
    prompt = services.prompt_for(watch)

    def run(watch, form):
        services.escalate(by=request.user, watch=watch, **form.service_arguments())

    return _step(
        request,
        pk,
        form_class=forms.EscalateForm,
        run=run,
        title="相談窓口・アウトリーチにつなぐ",
        submit="つなぐ",
        done="つなぎました。つなぎ先の記録はこの見守りの画面から開けます。",
        page="escalate",
        intro="相談窓口を選ぶと、自分の機関で相談として受け付け、その窓口へつなぎます"
        "（通常の相談・つなぎの流れに入ります）。本人が特定されていないときは、"
        "アウトリーチにつないでください。",
        form_kwargs={"agencies": _agencies(), "categories": categories},
        extra={"prompt": prompt},
    )


@personal_data_view(PERM)
@form_token_once
def watch_end(request: HttpRequest, pk: int) -> HttpResponse:
    def run(watch, form):
        data = form.cleaned_data
        services.watch_end(
            by=request.user, watch=watch, ended_on=data["ended_on"], reason=data["end_reason"]
        )

    return _step(
        request,
        pk,
        form_class=forms.EndForm,
        run=run,
        title="見守りを終了する",
        submit="終了する",
        done="見守りを終了しました。記録はそのまま残ります。",
        page="end",
        keeper_only=True,
    )


@personal_data_view(PERM)
@form_token_once
def watch_person(request: HttpRequest, pk: int) -> HttpResponse:
    """Identify the person of a watch kept under a label, among those the user sees."""
    watch = selectors.get_watch_for_user(request.user, pk)
    if not services.keeps(request.user, watch):
        raise PermissionDenied(services.NOT_KEEPER)
    if request.method == "POST":
        person = _chosen_person(request)
        try:
            services.watch_link_person(by=request.user, watch=watch, person=person)
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, f"本人（{person.name}）と結び付けました。")
        return redirect("community:watch_detail", pk=watch.pk)
    search, found = _person_search(request, {"watch": watch.pk})
    selectors.mark_persons(request.user, [watch])
    selectors.audit_watch(request, watch, {"page": "person"})
    return render(
        request,
        "community/watch_person.html",
        {"watch": watch, "search": search, "found": found},
    )


#: this topic's URL patterns, gathered by tsunagu/community/urls.py
urls: list = [
    path("community/watches/", watch_list, name="watch_list"),
    path("community/watches/new/", watch_create, name="watch_create"),
    path("community/watches/<int:pk>/", watch_detail, name="watch_detail"),
    path("community/watches/<int:pk>/watchers/new/", watcher_add, name="watcher_add"),
    path("community/watches/<int:pk>/checks/new/", check_create, name="check_create"),
    path("community/watches/<int:pk>/escalate/", escalate, name="watch_escalate"),
    path("community/watches/<int:pk>/person/", watch_person, name="watch_person"),
    path("community/watches/<int:pk>/end/", watch_end, name="watch_end"),
]
