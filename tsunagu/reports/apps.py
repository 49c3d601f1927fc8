from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "tsunagu.reports"
    label = "reports"
    verbose_name = "統計・報告"

    def ready(self) -> None:
        from tsunagu.meetings.hooks import register_sheet_figure
        from tsunagu.people.panels import register_household_panel, register_person_panel

        from . import permissions  # noqa: F401  (registers the rules)
        from .ecomap import panels as ecomap_panels
        from .ecomap.sheet import sheet_figure

        # the links on the person and household pages: the ecomap, and for the program office
        # 「開示請求に応じる」 on the person page
        register_person_panel(ecomap_panels.person_panel, order=95)
        register_household_panel(ecomap_panels.household_panel, order=95)
        register_sheet_figure(sheet_figure)  # the ecomap on the meeting's 事例概要シート (PDF)
