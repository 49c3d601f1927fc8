from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "tsunagu.outreach"
    label = "outreach"
    verbose_name = "アウトリーチ"

    def ready(self) -> None:
        from tsunagu.cases.panels import register_case_panel
        from tsunagu.dashboard.widgets import register_widget
        from tsunagu.grants.signals import watch
        from tsunagu.meetings.hooks import (
            AgendaHandlers,
            register_agenda_links,
            register_agenda_purpose,
        )
        from tsunagu.meetings.models import AgendaPurpose
        from tsunagu.people.panels import register_person_panel

        from . import (
            panels,
            permissions,  # noqa: F401  (registers the rules)
            services,
        )
        from .models import OutreachRecord

        register_case_panel(panels.case_panel)  # the outreach beside a 多機関協働 case
        register_person_panel(panels.person_panel, order=30)
        register_widget(panels.dashboard_panel, order=35)  # what is due this week

        from tsunagu.consultations.hooks import register_related_records

        # a record begun from a consultation or a referral is linked from its page too
        register_related_records(panels.related_to_intake)

        # the outreach agency sees the person its record is linked to (grants basis)
        watch(OutreachRecord, {"person_id": "persons"})
        # a record begun from an agenda item is linked from the meeting's agenda
        register_agenda_links(panels.agenda_links)
        # an outreach plan on a meeting's agenda: the meeting's decision is the plan's
        register_agenda_purpose(
            AgendaPurpose.OUTREACH_PLAN,
            AgendaHandlers(
                decided=services._plan_decided,
                withdrawn=services._plan_withdrawn,
                persons=services._item_persons,
            ),
        )
