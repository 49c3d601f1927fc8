from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "tsunagu.community"
    label = "community"
    verbose_name = "地域づくり・見守り"

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers the rules)
