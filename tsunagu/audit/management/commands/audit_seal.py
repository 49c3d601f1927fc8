"""``manage.py audit_seal``: chain the committed audit events not sealed yet (cron/systemd),
then write a checkpoint of the chain head outside the database."""

from django.core.management.base import BaseCommand

from tsunagu.audit.checkpoint import checkpoint_path, write_checkpoint
from tsunagu.audit.services import audit_seal


class Command(BaseCommand):
    help = (
        "確定済みで未封印の監査イベントを記録順にハッシュチェーンへ封印し、チェーンの先頭を"
        "データベースの外のチェックポイントのファイルに追記します"
        "（cron や systemd タイマーから数分ごとに実行する想定）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-checkpoint",
            action="store_true",
            help="チェックポイントを書かない（封印だけ行う）",
        )

    def handle(self, *args, **options):
        sealed = audit_seal()
        self.stdout.write(self.style.SUCCESS(f"{sealed}件の監査イベントを封印しました。"))
        if options["no_checkpoint"]:
            return
        written = write_checkpoint()
        if written is not None:
            self.stdout.write(
                f"チェックポイントを書きました（封印 {written.position}）: {checkpoint_path()}"
            )
