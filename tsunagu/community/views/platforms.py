"""Screens of プラットフォーム: the list (words, area, those ended too), one platform with its
member organisations and its meetings (the activities that name it: what was discussed and
what was started), the forms that create and change a platform, and a member joining and
leaving.

Every member of staff reads (``community.view``); the community coordinators and the office
write (else 403 with the rule).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from tsunagu.common.form_token import form_token_once
from tsunagu.common.paging import CappedPaginator
from tsunagu.common.views import personal_data_view

from ..forms.activities import LeaveForm, MemberForm, PlatformForm, PlatformSearchForm
from ..selectors import activities as selectors
from ..services import platforms as services
from .activities import agencies, areas, coordinators, may_edit, not_editor

PAGE_SIZE = 25


@personal_data_view("community.view")
def platform_list(request: HttpRequest) -> HttpResponse:
    form = PlatformSearchForm(request.GET or None, areas=areas())
    form.is_valid()
    qs = selectors.platform_search(selectors.PlatformSearch(**form.criteria_values()))
    paginator = CappedPaginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "community/platform_list.html",
        {
            "form": form,
            "page": page,
            "rows": list(page.object_list),
            "paginator": paginator,
            "query": query.urlencode(),
            "may_edit": may_edit(request),
            "today": timezone.localdate(),
        },
    )


@personal_data_view("community.view")
def platform_detail(request: HttpRequest, pk: int) -> HttpResponse:
    platform = selectors.platform_get(request.user, pk)
    members = selectors.platform_members(platform)
    return render(
        request,
        "community/platform_detail.html",
        {
            "platform": platform,
            "current": [m for m in members if m.left_on is None],
            "former": [m for m in members if m.left_on is not None],
            "meetings": selectors.platform_meetings(platform),
            "may_edit": may_edit(request),
        },
    )


def _form_page(request, *, form, platform=None, title: str, submit: str) -> HttpResponse:
    return render(
        request,
        "community/platform_form.html",
        {"form": form, "platform": platform, "title": title, "submit": submit},
    )


@personal_data_view("community.view")
@form_token_once
def platform_create(request: HttpRequest) -> HttpResponse:
    if (denied := not_editor(request)) is not None:
        return denied
    choices = {"areas": areas(), "coordinators": coordinators()}
    if request.method == "POST":
        form = PlatformForm(request.POST, **choices)
        if form.is_valid():
            try:
                platform = services.platform_create(by=request.user, **form.service_arguments())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "プラットフォームを登録しました。")
                return redirect("community:platform_detail", pk=platform.pk)
    else:
        form = PlatformForm(
            initial={"started_on": timezone.localdate(), "coordinator": request.user.pk},
            **choices,
        )
    return _form_page(request, form=form, title="プラットフォームを登録する", submit="登録する")


@personal_data_view("community.view")
@form_token_once
def platform_edit(request: HttpRequest, pk: int) -> HttpResponse:
    platform = selectors.platform_get(request.user, pk)
    if (denied := not_editor(request)) is not None:
        return denied
    choices = {"areas": areas(platform.area), "coordinators": coordinators(platform.coordinator)}
    if request.method == "POST":
        form = PlatformForm(request.POST, **choices)
        if form.is_valid():
            try:
                services.platform_update(
                    by=request.user, platform=platform, **form.service_arguments()
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "プラットフォームを更新しました。")
                return redirect("community:platform_detail", pk=platform.pk)
    else:
        form = PlatformForm(
            initial={
                "name": platform.name,
                "area": platform.area_id,
                "description": platform.description,
                "coordinator": platform.coordinator_id,
                "started_on": platform.started_on,
                "ended_on": platform.ended_on,
            },
            **choices,
        )
    return _form_page(
        request, form=form, platform=platform, title="プラットフォームを直す", submit="保存する"
    )


@personal_data_view("community.view")
@form_token_once
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    platform = selectors.platform_get(request.user, pk)
    if (denied := not_editor(request)) is not None:
        return denied
    if request.method == "POST":
        form = MemberForm(request.POST, agencies=agencies())
        if form.is_valid():
            try:
                services.member_add(by=request.user, platform=platform, **form.service_arguments())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "構成団体を加えました。")
                return redirect("community:platform_detail", pk=platform.pk)
    else:
        form = MemberForm(initial={"joined_on": timezone.localdate()}, agencies=agencies())
    return render(
        request, "community/platform_member_form.html", {"form": form, "platform": platform}
    )


@personal_data_view("community.view")
@form_token_once
def member_leave(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    platform = selectors.platform_get(request.user, pk)
    member = platform.members.filter(pk=member_pk).first()
    if member is None:
        raise Http404
    if (denied := not_editor(request)) is not None:
        return denied
    if request.method == "POST":
        form = LeaveForm(request.POST)
        if form.is_valid():
            try:
                services.member_leave(
                    by=request.user, member=member, left_on=form.cleaned_data["left_on"]
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, f"「{member.name}」の退会を記録しました。")
                return redirect("community:platform_detail", pk=platform.pk)
    else:
        form = LeaveForm(initial={"left_on": timezone.localdate()})
    return render(
        request,
        "community/platform_leave_form.html",
        {"form": form, "platform": platform, "member": member},
    )


#: this topic's URL patterns, gathered by tsunagu/community/urls.py
urls: list = [
    path("community/platforms/", platform_list, name="platform_list"),
    path("community/platforms/new/", platform_create, name="platform_create"),
    path("community/platforms/<int:pk>/", platform_detail, name="platform_detail"),
    path("community/platforms/<int:pk>/edit/", platform_edit, name="platform_edit"),
    path("community/platforms/<int:pk>/members/new/", member_add, name="platform_member_add"),
    path(
        "community/platforms/<int:pk>/members/<int:member_pk>/leave/",
        member_leave,
        name="platform_member_leave",
    ),
]
