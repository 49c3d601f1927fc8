from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tsunagu.meetings"
    verbose_name = "会議"

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers the rules)
