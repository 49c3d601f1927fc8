from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "tsunagu.reports"
    label = "reports"
    verbose_name = "統計・報告"

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers the rules)
