"""Queue again the CSV imports whose job stopped answering (cron, every few minutes)."""

from django.core.management.base import BaseCommand

from tsunagu.linkage.services.imports import resume_crashed_imports


class Command(BaseCommand):
    help = (
        "応答の止まったCSV取込（ワーカーの強制終了・再起動）を、"
        "続きから取り込むよう再び依頼します。"
    )

    def handle(self, *args, **options):
        resumed = resume_crashed_imports()
        if resumed:
            ids = "、".join(f"#{pk}" for pk in resumed)
            self.stdout.write(f"CSV取込 {ids} の取り込みを再開しました。")
        elif options["verbosity"] > 1:
            self.stdout.write("再開が必要なCSV取込はありません。")
