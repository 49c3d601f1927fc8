from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "tsunagu.participation"
    label = "participation"
    verbose_name = "参加支援"

    def ready(self) -> None:
        from tsunagu.cases.panels import register_case_panel
        from tsunagu.dashboard.widgets import register_widget
        from tsunagu.grants.signals import watch
        from tsunagu.people.panels import register_person_panel
        from tsunagu.resources.hooks import register_gap_links, register_gap_people_counter

        from . import (
            panels,
            permissions,  # noqa: F401  (registers the rules)
        )
        from .models import ParticipationRecord

        register_case_panel(panels.case_panel)  # the records beside a 多機関協働 case
        register_widget(panels.dashboard_panel, order=37)  # follow-ups falling due
        register_person_panel(panels.person_panel, order=35)  # the person's records
        # the 不足する社会資源 register: people waiting on a gap, and the records waiting
        register_gap_people_counter(panels.gap_people)
        register_gap_links(panels.gap_links)

        # the participation agency sees the person its record follows (grants basis)
        watch(ParticipationRecord, {"person_id": "persons"})
