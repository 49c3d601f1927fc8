from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "tsunagu.operations"
    label = "operations"
    verbose_name = "運用（バックアップと復元）"
