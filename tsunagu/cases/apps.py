from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tsunagu.cases"
    label = "cases"
    verbose_name = "多機関協働"

    def ready(self) -> None:
        from tsunagu.consultations.hooks import set_multi_agency_acceptor

        from . import (
            activity,
            monitoring,
            permissions,  # noqa: F401  (registers rules)
            plans,
        )
        from .panels import register_case_panel
        from .services import case_open_from_referral

        register_case_panel(plans.case_panel)
        register_case_panel(activity.case_panel, limited=True)  # own entries when limited
        register_case_panel(monitoring.case_panel)

        # accepting a 多機関協働 referral (consultations) opens its case here
        set_multi_agency_acceptor(case_open_from_referral)
