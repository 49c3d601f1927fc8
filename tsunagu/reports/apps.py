from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "tsunagu.reports"
    label = "reports"
    verbose_name = "統計・報告"

    def ready(self) -> None:
        from tsunagu.meetings.hooks import register_sheet_figure
        from tsunagu.people.panels import register_household_panel, register_person_panel

        from . import permissions  # noqa: F401  (registers the rules)
        from .disclosure import panels as disclosure_panels
        from .ecomap import panels as ecomap_panels
        from .ecomap.sheet import sheet_figure

        # the link to the ecomap on the person and household pages
        register_person_panel(ecomap_panels.person_panel, order=95)
        register_household_panel(ecomap_panels.household_panel, order=95)
        # 「開示請求に応じる」 on the person page, for the program office
        register_person_panel(disclosure_panels.person_panel, order=96)
        register_sheet_figure(sheet_figure)  # the ecomap on the meeting's 事例概要シート (PDF)
