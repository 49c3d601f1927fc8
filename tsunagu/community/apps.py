from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "tsunagu.community"
    label = "community"
    verbose_name = "地域づくり・見守り"

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers the rules)
        from .links import register as register_links

        register_links()  # the links on a gap's and a consultation's page
