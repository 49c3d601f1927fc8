"""Sign-in, sign-out, failed sign-in attempts and lockouts go to the audit trail."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from tsunagu.audit.services import audit_record, client_ip

from .lockout import on_locked_out
from .sso import failure_of, sign_in_method


def _ip(request):
    return client_ip(request) if request is not None else None


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    audit_record(
        actor=user,
        action="auth.login",
        target=user,
        context={"method": sign_in_method(user)},
        ip_address=_ip(request),
        via="web",
    )


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        idle = getattr(request, "tsunagu_signed_out_idle", False)
        audit_record(
            actor=user,
            action="auth.logout",
            target=user,
            context={"reason": "idle"} if idle else None,
            ip_address=_ip(request),
            via="web",
        )


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    context = {"username": str(credentials.get("username") or "")[:150]}
    failure = failure_of(request)
    if failure:  # a directory sign-in refused: how, why, and the directory's user ID
        context = {
            "username": failure["username"] or context["username"],
            "method": failure["method"],
            "reason": failure["reason"],
        }
    audit_record(
        actor=None,
        action="auth.login_failed",
        context=context,
        ip_address=_ip(request),
        via="web",
    )


user_locked_out.connect(on_locked_out, dispatch_uid="tsunagu.accounts.locked_out")
