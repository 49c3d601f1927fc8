"""``manage.py audit_seal``: chain the committed audit events not sealed yet (cron/systemd)."""

from django.core.management.base import BaseCommand

from tsunagu.audit.services import audit_seal


class Command(BaseCommand):
    help = (
        "確定済みで未封印の監査イベントを記録順にハッシュチェーンへ封印します"
        "（cron や systemd タイマーから毎分実行する想定）。"
    )

    def handle(self, *args, **options):
        sealed = audit_seal()
        self.stdout.write(self.style.SUCCESS(f"{sealed}件の監査イベントを封印しました。"))
