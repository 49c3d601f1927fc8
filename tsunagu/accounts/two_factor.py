"""二段階認証: the office and administrators confirm each sign-in with a code (TOTP).

At the first sign-in the page shows a QR code (and the key as text) for an authenticator app;
the first correct code confirms the app. Wrong codes slow down (django-otp's throttling) and
every step is audited.
"""

from __future__ import annotations

from base64 import b32encode

import segno
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tsunagu.audit.services import audit_record, client_ip

DEVICE_NAME = "認証アプリ"
WRONG_CODE = "確認コードが正しくありません。認証アプリに表示されている6桁の数字を入力してください。"
THROTTLED = (
    "確認コードを続けて誤ったため、しばらく入力できません。少し待ってから再度お試しください。"
)


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return "/"
    return wanted


def _device_for(user) -> tuple[TOTPDevice, bool]:
    """The user's confirmed device, or the one being set up (created once, then reused)."""
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if confirmed is not None:
        return confirmed, False
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if pending is None:
        pending = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return pending, True


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():
        return redirect(_next_url(request))
    device, setting_up = _device_for(request.user)
    error = ""
    if request.method == "POST":
        code = "".join(request.POST.get("code", "").split())
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            error = THROTTLED
        elif code.isdigit() and device.verify_token(code):
            with transaction.atomic():
                if setting_up:
                    device.confirmed = True
                    device.save(update_fields=["confirmed"])
                    audit_record(
                        actor=request.user,
                        action="auth.2fa_enrolled",
                        target=request.user,
                        ip_address=client_ip(request),
                    )
                otp_login(request, device)
                audit_record(
                    actor=request.user,
                    action="auth.2fa_verified",
                    target=request.user,
                    ip_address=client_ip(request),
                )
            return redirect(_next_url(request))
        else:
            error = WRONG_CODE
            audit_record(
                actor=request.user,
                action="auth.2fa_failed",
                target=request.user,
                ip_address=client_ip(request),
            )
    context = {"setting_up": setting_up, "error": error, "next": _next_url(request)}
    if setting_up:
        key = b32encode(device.bin_key).decode()
        context["qr"] = segno.make(device.config_url, error="m").svg_data_uri(scale=4)
        context["key_groups"] = " ".join(key[i : i + 4] for i in range(0, len(key), 4))
    return render(request, "accounts/two_factor.html", context, status=200 if not error else 400)


def second_factor_reset(*, user, by, ip_address: str | None = None) -> int:
    """Forget ``user``'s authenticator app (a lost phone): the next sign-in sets one up."""
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        audit_record(
            actor=by,
            action="auth.2fa_reset",
            target=user,
            context={"removed": removed},
            ip_address=ip_address,
            via="admin",
        )
    return removed
