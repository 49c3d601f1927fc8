from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "tsunagu.linkage"
    label = "linkage"
    verbose_name = "名寄せ"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers rules)
