"""Screens of 地域づくり活動: the list (words, kind, area with the areas under it, 年度 or
dates, platform; paging; Excel and CSV of the search), one activity with the consultations the
user may see and the gaps noticed there, the form that records or changes an activity (the
place found among the 社会資源 by name), and raising a 不足する社会資源 from an activity.

Every member of staff reads (``community.view``; meeting guests and administrators 403); the
community coordinators and the office write (else 403 with the rule).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from tsunagu.accounts.models import Agency, Area, Role, User
from tsunagu.common import spreadsheet
from tsunagu.common.form_token import form_token_once
from tsunagu.common.paging import CappedPaginator
from tsunagu.common.spreadsheet import audit_export, chunks, export_format, stream_list
from tsunagu.common.views import personal_data_view
from tsunagu.common.wareki import format_wareki
from tsunagu.linkage.normalize import normalize_name
from tsunagu.resources.gap_forms import GapForm
from tsunagu.resources.models import Resource, ResourceKind, ResourceStatus

from ..forms.activities import ActivityForm, ActivitySearchForm, activity_initial
from ..models import ActivityKind, ParticipantAttribute, Platform
from ..permissions import NOT_EDITOR
from ..selectors import activities as selectors
from ..services import activities as services

PAGE_SIZE = 25
PLACE_CHOICES_MAX = 50


# ----------------------------------------------------------------------------- choices


def may_edit(request: HttpRequest) -> bool:
    return request.user.has_perm("community.edit")


def not_editor(request: HttpRequest) -> HttpResponse | None:
    """The 403 page with the rule for a member of staff who reads but does not write."""
    if may_edit(request):
        return None
    return render(
        request, "community/activity_not_editor.html", {"message": NOT_EDITOR}, status=403
    )


def areas(current: Area | None = None) -> list[Area]:
    found = list(Area.objects.filter(is_active=True).order_by("sort_order", "code"))
    if current is not None and current not in found:
        found.append(current)
    return found


def coordinators(current=None) -> list[User]:
    found = list(
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__role__in=[Role.COMMUNITY_COORDINATOR, Role.MUNICIPAL_OFFICER],
        )
        .distinct()
        .order_by("display_name", "username")
    )
    if current is not None and current not in found:
        found.append(current)
    return found


def agencies() -> list[Agency]:
    return list(Agency.objects.filter(is_active=True).order_by("name", "pk"))


def _kinds(current: ActivityKind | None = None) -> list[ActivityKind]:
    found = list(ActivityKind.objects.filter(is_active=True))
    if current is not None and current not in found:
        found.append(current)
    return found


def _places(word: str, chosen: str, current: Resource | None) -> list[Resource]:
    """社会資源 that may be the place: found by name (not ended), the one chosen on the form
    and the one the activity names now."""
    found: list[Resource] = []
    words = [w for w in (normalize_name(x) for x in word.split()) if w]
    if words:
        qs = Resource.objects.exclude(status=ResourceStatus.ENDED).select_related("kind", "area")
        for part in words:
            qs = qs.filter(search_text__contains=part)
        found = list(qs.order_by("name", "pk")[:PLACE_CHOICES_MAX])
    extra = [current] if current is not None else []
    if chosen.isdigit():
        extra += list(Resource.objects.select_related("kind", "area").filter(pk=int(chosen)))
    for resource in extra:
        if resource not in found:
            found.append(resource)
    return found


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    for key in ("page", "export"):
        query.pop(key, None)
    return query.urlencode()


# ------------------------------------------------------------------------------ export

HEADER = (
    "番号",
    "日付",
    "時間",
    "種類",
    "名称",
    "場所",
    "圏域・社協支部",
    "プラットフォーム",
    "主催・運営",
    "子ども",
    "若者",
    "現役世代",
    "高齢者",
    "参加者数",
    "新たなつながり（人）",
    "話し合ったこと・内容",
    "生まれたこと・次の動き",
)
WIDTHS = (7, 16, 12, 16, 30, 24, 16, 20, 24, 7, 7, 9, 7, 9, 10, 50, 40)


EXPORT_TITLE = "地域づくり活動"


def export_rows(activities):
    """One row per activity of the search's queryset, each chunk's organisers read at once."""
    for batch in chunks(activities, spreadsheet.CHUNK):
        for a in selectors.with_rows(batch):
            start = timezone.localtime(a.starts_at)
            end = timezone.localtime(a.ends_at) if a.ends_at else None
            place = a.place.name if a.place_id else ""
            if a.place_text:
                place = f"{place}（{a.place_text}）" if place else a.place_text
            yield [
                a.pk,
                format_wareki(start.date()),
                f"{start:%H:%M}" + (f"〜{end:%H:%M}" if end else ""),
                a.kind.name,
                a.title,
                place,
                a.area.name,
                a.platform.name if a.platform_id else "",
                "・".join(getattr(a, "organiser_names", [])),
                a.children,
                a.youth,
                a.working_age,
                a.elderly,
                a.participants,
                a.new_connections,
                a.discussed,
                a.outcome,
            ]


# ------------------------------------------------------------------------------- pages


@personal_data_view("community.view")
def activity_list(request: HttpRequest) -> HttpResponse:
    platforms = list(Platform.objects.order_by("name", "pk"))
    form = ActivitySearchForm(
        request.GET or None, kinds=_kinds(), areas=areas(), platforms=platforms
    )
    form.is_valid()
    criteria = form.criteria_values()
    qs = selectors.activity_search(selectors.ActivitySearch(**criteria))
    fmt = export_format(request)
    if fmt:
        totals = qs.order_by().aggregate(rows=Count("id"), participants=Sum("participants"))
        audit_export(
            request,
            "community.activity_export",
            fmt=fmt,
            title=EXPORT_TITLE,
            count=totals["rows"],
            filters=criteria,
            context={"format": fmt},
        )
        return stream_list(
            fmt,
            title=EXPORT_TITLE,
            header=HEADER,
            rows=export_rows(qs),
            widths=WIDTHS,
            about=[["参加者数", totals["participants"] or 0]],
            filename_ascii="community_activities",
            filename_ja=EXPORT_TITLE,
            freeze_columns=4,
            wrap=True,
        )
    paginator = CappedPaginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "community/activity_list.html",
        {
            "form": form,
            "page": page,
            "rows": selectors.with_rows(list(page.object_list)),
            "paginator": paginator,
            "query": _query_without_page(request),
            "may_edit": may_edit(request),
        },
    )


@personal_data_view("community.view")
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(request.user, pk)
    shown = selectors.consultations_shown(request.user, activity)
    return render(
        request,
        "community/activity_detail.html",
        {
            "activity": activity,
            "consultations": [(c, selectors.consultation_label(c)) for c in shown],
            "gaps": [link.gap for link in activity.gap_links.all()],
            "may_edit": may_edit(request),
        },
    )


def _form_page(request, *, form, activity=None, title: str, submit: str) -> HttpResponse:
    return render(
        request,
        "community/activity_form.html",
        {"form": form, "activity": activity, "title": title, "submit": submit},
    )


def _form(request, *, activity=None, initial=None) -> ActivityForm:
    data = request.POST if request.method == "POST" else None
    source = data if data is not None else (initial or {})
    current_place = activity.place if activity is not None else None
    existing = len(activity.organisers.all()) if activity is not None else 0
    return ActivityForm(
        data,
        initial=initial,
        kinds=_kinds(activity.kind if activity else None),
        areas=areas(activity.area if activity else None),
        platforms=selectors.open_platforms(activity.platform if activity else None),
        coordinators=coordinators(activity.coordinator if activity else None),
        places=_places(
            str(source.get("place_find", "") or "")[:100],
            str(source.get("place", "") or ""),
            current_place,
        ),
        agencies=agencies(),
        attributes=ParticipantAttribute.objects.filter(is_active=True),
        organiser_rows=max(existing + 1, 3),  # those recorded and one blank
    )


@personal_data_view("community.view")
@form_token_once
def activity_create(request: HttpRequest) -> HttpResponse:
    if (denied := not_editor(request)) is not None:
        return denied
    initial = None
    if request.method != "POST":
        initial = {"day": timezone.localdate(), "coordinator": request.user.pk}
        platform = request.GET.get("platform", "")
        if platform.isdigit():
            initial["platform"] = int(platform)
    form = _form(request, initial=initial)
    if request.method == "POST" and "find_place" not in request.POST and form.is_valid():
        try:
            activity = services.activity_create(by=request.user, **form.service_arguments())
        except ValidationError as exc:
            form.add_service_errors(exc, aliases=_aliases(form))
        else:
            messages.success(request, "地域づくり活動を記録しました。")
            return redirect("community:activity_detail", pk=activity.pk)
    return _form_page(request, form=form, title="地域づくり活動を記録する", submit="記録する")


def _aliases(form: ActivityForm) -> dict[str, str]:
    aliases = {"starts_at": "day", "ends_at": "end_time"}
    for n in form.organiser_rows:
        aliases[f"organisers.{n}"] = f"org{n}_name"
    return aliases


@personal_data_view("community.view")
@form_token_once
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(request.user, pk)
    if (denied := not_editor(request)) is not None:
        return denied
    initial = None
    if request.method != "POST":
        shown = selectors.consultations_shown(request.user, activity)
        initial = activity_initial(activity, consultation_ids=[c.pk for c in shown])
    form = _form(request, activity=activity, initial=initial)
    if request.method == "POST" and "find_place" not in request.POST and form.is_valid():
        try:
            services.activity_update(by=request.user, activity=activity, **form.service_arguments())
        except ValidationError as exc:
            form.add_service_errors(exc, aliases=_aliases(form))
        else:
            messages.success(request, "地域づくり活動の記録を更新しました。")
            return redirect("community:activity_detail", pk=activity.pk)
    return _form_page(
        request, form=form, activity=activity, title="地域づくり活動の記録を直す", submit="保存する"
    )


@personal_data_view("community.view")
@form_token_once
def activity_gap(request: HttpRequest, pk: int) -> HttpResponse:
    """Raise a 不足する社会資源 noticed at the activity (the register's own form)."""
    activity = selectors.activity_get(request.user, pk)
    if (denied := not_editor(request)) is not None:
        return denied
    kinds = list(ResourceKind.objects.filter(is_active=True))
    area_list = areas(activity.area)
    if request.method == "POST":
        form = GapForm(request.POST, kinds=kinds, areas=area_list)
        if form.is_valid():
            try:
                services.activity_gap_add(
                    by=request.user, activity=activity, **form.service_arguments()
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "不足する社会資源を登録し、この活動に結びつけました。")
                return redirect("community:activity_detail", pk=activity.pk)
    else:
        form = GapForm(initial={"area": activity.area_id}, kinds=kinds, areas=area_list)
    return render(request, "community/activity_gap_form.html", {"form": form, "activity": activity})


#: this topic's URL patterns, gathered by tsunagu/community/urls.py
urls: list = [
    path("community/activities/", activity_list, name="activity_list"),
    path("community/activities/new/", activity_create, name="activity_create"),
    path("community/activities/<int:pk>/", activity_detail, name="activity_detail"),
    path("community/activities/<int:pk>/edit/", activity_edit, name="activity_edit"),
    path("community/activities/<int:pk>/gaps/new/", activity_gap, name="activity_gap"),
]
