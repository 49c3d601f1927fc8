from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "tsunagu.dashboard"
    label = "dashboard"
    verbose_name = "ホーム画面"

    def ready(self) -> None:
        from .context import agency_overview, audit_summary
        from .widgets import register_widget

        # the higher apps register theirs in between (consultations 20, cases 30/40/60,
        # meetings 50); the audit count comes last so that it includes their audited reads
        register_widget(agency_overview, order=10)
        register_widget(audit_summary, order=90)
