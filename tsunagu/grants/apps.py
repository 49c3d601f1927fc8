from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "tsunagu.grants"
    label = "grants"
    verbose_name = "閲覧の根拠"

    def ready(self) -> None:
        from tsunagu.common.touches import set_refresher

        from . import maintain, signals

        signals.connect()
        set_refresher(maintain.refresh)

        from tsunagu.people.panels import register_person_panel

        from . import panels

        # who may see the person and why: the person page's section for the program office
        register_person_panel(panels.person_panel, order=90)
