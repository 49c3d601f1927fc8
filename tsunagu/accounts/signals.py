"""Sign-in, sign-out and failed sign-in attempts go to the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from tsunagu.audit.services import audit_record, client_ip


def _ip(request):
    return client_ip(request) if request is not None else None


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    audit_record(actor=user, action="auth.login", target=user, ip_address=_ip(request), via="web")


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(
            actor=user, action="auth.logout", target=user, ip_address=_ip(request), via="web"
        )


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    audit_record(
        actor=None,
        action="auth.login_failed",
        context={"username": str(credentials.get("username", ""))[:150]},
        ip_address=_ip(request),
        via="web",
    )
