from functools import partial

from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "tsunagu.linkage"
    label = "linkage"
    verbose_name = "名寄せ"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tsunagu.people.hooks import set_person_lookup, set_registration_pair_queue

        from . import permissions  # noqa: F401  (registers rules)
        from .lookup import Probe, lookup
        from .models import CandidateOrigin
        from .services.review import candidate_add

        # the "is this person known?" check (people) asks the register through the lookup
        set_person_lookup(lookup, probe=Probe)
        # a person registered as distinct despite a match (people) waits for review here.
        # The check gives reasons, not a probability: 0.5 only orders the pair in the queue,
        # and the screens show these pairs as 「登録時に一致」 rather than as a percentage.
        set_registration_pair_queue(
            partial(candidate_add, probability=0.5, origin=CandidateOrigin.REGISTRATION)
        )
