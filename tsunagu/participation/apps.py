from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "tsunagu.participation"
    label = "participation"
    verbose_name = "参加支援"

    def ready(self) -> None:
        from tsunagu.grants.signals import watch

        from . import permissions  # noqa: F401  (registers the rules)
        from .models import ParticipationRecord

        # the participation agency sees the person its record follows (grants basis)
        watch(ParticipationRecord, {"person_id": "persons"})
