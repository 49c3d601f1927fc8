from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "tsunagu.resources"
    label = "resources"
    verbose_name = "社会資源"

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers the rules)
