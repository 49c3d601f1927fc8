from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tsunagu.cases"
    label = "cases"
    verbose_name = "多機関協働"

    def ready(self) -> None:
        from tsunagu.consultations.hooks import set_multi_agency_acceptor

        from . import permissions  # noqa: F401  (registers rules)
        from .services import case_open_from_referral

        # accepting a 多機関協働 referral (consultations) opens its case here
        set_multi_agency_acceptor(case_open_from_referral)
