from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "tsunagu.grants"
    label = "grants"
    verbose_name = "閲覧の根拠"

    def ready(self) -> None:
        from tsunagu.common.touches import set_refresher

        from . import maintain, signals

        signals.connect()
        set_refresher(maintain.refresh)
