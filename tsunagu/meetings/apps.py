from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tsunagu.meetings"
    verbose_name = "会議"

    def ready(self) -> None:
        from tsunagu.cases.hooks import on_meeting_consent_lost
        from tsunagu.cases.panels import register_case_panel

        from . import permissions  # noqa: F401  (registers the rules)
        from .selectors import case_panel, dashboard_panel
        from .services import withdraw_conference_items

        register_case_panel(case_panel)  # the case page's meetings section
        # consent no longer covering meetings (cases) withdraws the pending agenda items here
        on_meeting_consent_lost(withdraw_conference_items)

        from tsunagu.dashboard.widgets import register_widget

        register_widget(dashboard_panel, order=50)  # the home page's meetings panel

        from tsunagu.resources.hooks import register_gap_links

        from .selectors import gap_meeting_links

        register_gap_links(gap_meeting_links)  # a gap's page names the meeting that found it
