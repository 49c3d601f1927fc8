"""Acting-membership switch, the agency directory and the user's notices."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from tsunagu.audit.services import client_ip
from tsunagu.common.views import is_partial

from . import lockout, selectors, services
from .forms import AgencyFilterForm
from .middleware import SESSION_KEY
from .models import Agency

PAGE_SIZE = 25


@login_required
@require_POST
def switch_membership(request: HttpRequest) -> HttpResponse:
    try:
        wanted = int(request.POST.get("membership", ""))
    except ValueError:
        wanted = None
    chosen = next((m for m in request.memberships if m.pk == wanted), None)
    if chosen is None:
        messages.error(request, "選択した所属に切り替えられませんでした。")
    else:
        request.session[SESSION_KEY] = chosen.pk
        messages.success(
            request, f"{chosen.agency.name}（{chosen.get_role_display()}）として作業します。"
        )
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    return redirect(next_url)


@permission_required("accounts.view_directory", raise_exception=True)
def agency_list(request: HttpRequest) -> HttpResponse:
    form = AgencyFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.agency_list(
        user=request.user,
        q=filters.get("q", ""),
        field=filters.get("field", ""),
        program=filters.get("program", ""),
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "total": page.paginator.count,
    }
    template = "accounts/_agency_rows.html" if is_partial(request) else "accounts/agency_list.html"
    return render(request, template, context)


@permission_required("accounts.view_directory", raise_exception=True)
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        agency = selectors.agency_get(user=request.user, pk=pk)
    except Agency.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "accounts/agency_detail.html", {"agency": agency})


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """お知らせ: the user's own notices; those shown are marked read (flagged 新着 this once)."""
    page = Paginator(selectors.notification_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    notifications = list(page.object_list)
    unread = {n.pk for n in notifications if n.read_at is None}
    services.notification_mark_read(by=request.user, notifications=notifications)
    return render(
        request,
        "accounts/notification_list.html",
        {"page": page, "notifications": notifications, "unread": unread, "query": ""},
    )


@permission_required("accounts.unlock_login", raise_exception=True)
def login_locks(request: HttpRequest) -> HttpResponse:
    """ログインのロック: user IDs refused after repeated failures, for the program office."""
    return render(
        request,
        "accounts/login_locks.html",
        {
            "locks": lockout.locked_accounts(),
            "failure_limit": lockout.failure_limit(),
            "cooloff_minutes": lockout.cooloff_minutes(),
        },
    )


@permission_required("accounts.unlock_login", raise_exception=True)
@require_POST
def login_unlock(request: HttpRequest) -> HttpResponse:
    username = request.POST.get("username", "").strip()
    if username:
        lockout.login_unlock(username=username, by=request.user, ip_address=client_ip(request))
        messages.success(request, f"{username} のログインのロックを解除しました。")
    return redirect("accounts:login_locks")
