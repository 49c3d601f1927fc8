from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tsunagu.cases"
    label = "cases"
    verbose_name = "多機関協働"

    def ready(self) -> None:
        from tsunagu.cases.selectors import activity, monitoring
        from tsunagu.cases.selectors import plan as plans
        from tsunagu.cases.services.case import case_open_from_referral
        from tsunagu.consultations.hooks import set_multi_agency_acceptor

        from . import (
            permissions,  # noqa: F401  (registers the rules)
            signals,
        )

        signals.connect()  # the due dates stored on a case follow its plans and records
        from .panels import register_case_panel

        register_case_panel(plans.case_panel)
        register_case_panel(activity.case_panel, limited=True)  # own entries when limited
        register_case_panel(monitoring.case_panel)

        # accepting a 多機関協働 referral (consultations) opens its case here
        set_multi_agency_acceptor(case_open_from_referral)

        from tsunagu.dashboard.widgets import register_widget

        from . import widgets

        register_widget(monitoring.dashboard_panel, order=30)  # monitoring due and overdue
        register_widget(activity.dashboard_panel, order=40)  # entries not yet seen
        register_widget(widgets.awaiting_decision, order=60)

        from tsunagu.people.panels import register_household_panel

        from .selectors import household

        register_household_panel(household.household_panel, order=20)  # the household's cases
