from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "tsunagu.consultations"
    label = "consultations"
    verbose_name = "包括的相談支援"

    def ready(self) -> None:
        from tsunagu.dashboard.widgets import register_widget

        from . import (
            permissions,  # noqa: F401  (registers rules)
            widgets,
        )

        register_widget(widgets.referral_panels, order=20)  # the home page's つなぎ panels

        from tsunagu.people.panels import register_household_panel, register_person_panel

        from . import panels

        # the 相談受付 and つなぎ sections of the person and household pages
        register_person_panel(panels.person_panel, order=10)
        register_household_panel(panels.household_panel, order=10)
