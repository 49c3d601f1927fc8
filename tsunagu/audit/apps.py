from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tsunagu.audit"
    label = "audit"
    verbose_name = "監査ログ"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from . import context, permissions  # noqa: F401  (permissions registers rules)

        # a request's events are sealed once its response has been sent
        request_finished.connect(context.seal_when_sent, dispatch_uid="tsunagu-audit-seal-sent")
