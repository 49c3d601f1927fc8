from django.apps import AppConfig


class GuideConfig(AppConfig):
    name = "tsunagu.guide"
    label = "guide"
    verbose_name = "利用者ガイド（ヘルプ）"
