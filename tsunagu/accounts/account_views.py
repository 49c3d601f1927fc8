"""The user's own API tokens, and the municipal officer's approval of role grants (四つの目)."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from tsunagu.common.forms import WarekiDateField

from . import services
from .models import ApiToken, RoleGrantRequest, RoleGrantStatus

PAGE_SIZE = 25


class TokenForm(forms.Form):
    membership = forms.TypedChoiceField(label="使う所属", coerce=int)
    name = forms.CharField(label="用途", max_length=100, help_text="例：〇〇システムとの連携")
    expires_on = WarekiDateField(label="有効期限", required=False, help_text="空欄：期限なし")

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = {m.pk: m for m in memberships}
        self.fields["membership"].choices = [
            (m.pk, f"{m.agency.name}・{m.get_role_display()}") for m in memberships
        ]

    def clean_expires_on(self):
        value = self.cleaned_data.get("expires_on")
        if value and value <= timezone.localdate():
            raise ValidationError("有効期限は明日以降の日付にしてください。")
        return value


def _own_tokens(user):
    return ApiToken.objects.filter(user=user).select_related("membership__agency", "issued_by")


@permission_required("accounts.manage_own_tokens", raise_exception=True)
def token_list(request: HttpRequest) -> HttpResponse:
    """APIトークン: the signed-in user's own tokens; a token acts as its user, so only that user
    issues it (the system administrator only for service accounts)."""
    memberships = list(request.memberships)
    form = TokenForm(request.POST or None, memberships=memberships)
    raw = None
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        expires_at = (
            timezone.make_aware(datetime.combine(expires_on, time.max)) if expires_on else None
        )
        try:
            _token, raw = services.api_token_issue(
                membership=form.memberships[form.cleaned_data["membership"]],
                name=form.cleaned_data["name"],
                by=request.user,
                expires_at=expires_at,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = TokenForm(memberships=memberships)
    return render(
        request,
        "accounts/token_list.html",
        {"form": form, "tokens": _own_tokens(request.user), "raw": raw},
    )


@permission_required("accounts.manage_own_tokens", raise_exception=True)
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = _own_tokens(request.user).filter(pk=pk, revoked_at__isnull=True).first()
    if token is None:
        raise Http404
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, f"トークン「{token.name}」を失効させました。")
    return redirect("accounts:token_list")


@permission_required("accounts.decide_role_grant", raise_exception=True)
def role_grant_list(request: HttpRequest) -> HttpResponse:
    """役割付与の承認: requests the system administrator proposed, pending first, then the
    decided ones (the record of who gave which role that opens personal data)."""
    status = request.GET.get("status", "")
    grants = RoleGrantRequest.objects.select_related(
        "user", "agency", "proposed_by", "decided_by"
    ).order_by("-proposed_at", "-id")
    if status in RoleGrantStatus.values:
        grants = grants.filter(status=status)
    pending = list(grants.filter(status=RoleGrantStatus.PENDING)) if not status else []
    decided = grants.exclude(status=RoleGrantStatus.PENDING) if not status else grants
    page = Paginator(decided, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/role_grant_list.html",
        {
            "pending": pending,
            "page": page,
            "status": status,
            "statuses": RoleGrantStatus.choices,
            "query": f"status={status}" if status else "",
        },
    )


@permission_required("accounts.decide_role_grant", raise_exception=True)
@require_POST
def role_grant_decide(request: HttpRequest, pk: int) -> HttpResponse:
    grant = RoleGrantRequest.objects.filter(pk=pk).first()
    if grant is None:
        raise Http404
    approve = request.POST.get("decision") == "approve"
    try:
        services.role_grant_decide(
            grant=grant, by=request.user, approve=approve, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        verb = "承認しました" if approve else "却下しました"
        messages.success(request, f"{grant.user}さんへの役割付与を{verb}。")
    return redirect("accounts:role_grant_list")
