from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "tsunagu.community"
    label = "community"
    verbose_name = "地域づくり・見守り"

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers the rules)
        from .links import register as register_links

        register_links()  # the links on a gap's and a consultation's page

        from tsunagu.dashboard.widgets import register_widget
        from tsunagu.people.panels import register_person_panel

        from . import panels

        register_widget(panels.dashboard_panel, order=39)  # overdue checks, untriaged reports
        register_person_panel(panels.person_panel, order=40)  # the person's watches
