from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "tsunagu.people"
    label = "people"
    verbose_name = "本人・世帯"

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers rules)
