from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tsunagu.cases"
    label = "cases"
    verbose_name = "多機関協働"

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers rules)
