from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "tsunagu.common"
    label = "common"
    verbose_name = "共通"
