"""``manage.py backup [--output-dir DIR]``: the database and the uploaded files, with a
manifest, in a new folder ``tsunagu-YYYYMMDD-HHMM/`` (see :mod:`tsunagu.operations.backups`).

Exit codes: 0 written; 1 failed (nothing is left but the error); 3 pg_dump is not installed.
"""

from django.core.management.base import BaseCommand, CommandError

from tsunagu.operations.backups import BackupError, create_backup, default_backup_dir


class Command(BaseCommand):
    help = (
        "データベース（PostgreSQL は pg_dump、SQLite はオンラインバックアップ）と"
        "アップロードされたファイルを、マニフェスト（表ごとの行数、監査チェーンの先頭、"
        "各ファイルの SHA-256）とともに日時の名前のフォルダーに書き出します。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            help=(
                "書き出し先のフォルダー（既定: 設定 TSUNAGU_BACKUP_DIR、"
                f"いまは {default_backup_dir()}）"
            ),
        )

    def handle(self, *args, **options):
        try:
            folder, manifest = create_backup(options["output_dir"], log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(
                f"バックアップを作成できませんでした: {exc}", returncode=exc.code
            ) from exc
        tables = manifest["tables"]
        head = manifest["audit_chain_head"]
        self.stdout.write(
            f"表 {len(tables)} 個・計 {sum(tables.values())} 行、"
            f"監査チェーンの先頭 封印 {head['seq']}（{head['hash'][:16]}…）。"
        )
        for name, digest in manifest["files"].items():
            self.stdout.write(f"  {name}  SHA-256 {digest}")
        self.stdout.write(self.style.SUCCESS(f"バックアップを作成しました: {folder}"))
