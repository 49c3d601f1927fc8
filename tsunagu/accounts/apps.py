from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tsunagu.accounts"
    label = "accounts"
    verbose_name = "利用者・支援関係機関"

    def ready(self) -> None:
        from . import permissions, signals  # noqa: F401  (registers rules and receivers)
