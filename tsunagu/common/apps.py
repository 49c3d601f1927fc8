from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "tsunagu.common"
    label = "common"
    verbose_name = "共通"

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from .text import clean_model_text

        # every text the program keeps, cleaned in one place (tsunagu.common.text)
        pre_save.connect(clean_model_text, dispatch_uid="tsunagu.common.text.clean_model_text")
