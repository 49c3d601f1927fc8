from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "tsunagu.consultations"
    label = "consultations"
    verbose_name = "包括的相談支援"

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers rules)
