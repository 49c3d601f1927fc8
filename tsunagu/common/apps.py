from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "tsunagu.common"
    label = "common"
    verbose_name = "共通"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import pre_save

        from .database import keep_prepared
        from .text import clean_model_text

        # every text the program keeps, cleaned in one place (tsunagu.common.text)
        pre_save.connect(clean_model_text, dispatch_uid="tsunagu.common.text.clean_model_text")
        connection_created.connect(keep_prepared, dispatch_uid="tsunagu.common.database")
