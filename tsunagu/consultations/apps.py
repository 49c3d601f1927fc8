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
