"""``manage.py restore DIR [--yes]``: check a backup folder, replace the configured database
(and the uploaded files) with it, then check the restored database against the manifest, the
audit hash chain and the access rules (see :mod:`tsunagu.operations.backups`).

Exit codes: 0 restored and every check agrees; 1 the restore failed or a check of the restored
database does not agree; 2 refused before anything was changed (the manifest, a file's
SHA-256, another kind of database, or a database holding records without ``--yes``);
3 pg_restore or psql is not installed.
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from tsunagu.operations import backups
from tsunagu.operations.backups import BackupError

CONFIRM = (
    "設定されているデータベースには記録（利用者または監査ログ）があります。"
    "バックアップの内容で置き換えると、いまの記録はすべて失われます。"
)


class Command(BaseCommand):
    help = (
        "バックアップのフォルダーを検査して（形式、データベースの種類、各ファイルの SHA-256）"
        "設定されているデータベースとアップロードされたファイルに復元し、表ごとの行数、"
        "監査ログのハッシュチェーン、閲覧の根拠を確かめます。"
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="バックアップのフォルダー（tsunagu-YYYYMMDD-HHMM）")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="記録のあるデータベースでも確認せずに置き換える",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="確認の質問をしない（記録があれば --yes なしでは中止）",
        )

    def handle(self, *args, **options):
        folder = options["folder"]
        try:
            manifest = backups.read_manifest(folder)
            backups.check_vendor(manifest)
            backups.check_version(manifest)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=exc.code) from exc
        self.stdout.write(
            f"バックアップ {folder}（{manifest['created_at']} 作成、"
            f"{backups.VENDOR_NAMES.get(manifest['database']['vendor'])}、"
            f"版 {manifest.get('version')}）のファイルはすべてマニフェストと一致しています。"
        )
        try:
            holds_data = backups.database_holds_data()
        except DatabaseError as exc:
            raise CommandError(
                f"設定されているデータベースに接続できません: {exc}",
                returncode=backups.EXIT_REFUSED,
            ) from exc
        if holds_data and not options["yes"]:
            self._confirm(options["interactive"])
        try:
            backups.restore_database(folder, manifest, log=self.stdout.write)
            previous = backups.restore_media(folder, manifest, log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=exc.code) from exc
        checkpoints = backups.set_aside_checkpoints()
        if checkpoints is not None:
            self.stdout.write(
                f"監査チェックポイントのファイルを {checkpoints} に退避しました"
                "（次の audit_seal が新しいファイルを始めます）。"
            )
        if previous is not None:
            self.stdout.write(f"それまでのアップロードされたファイルは {previous} に残しました。")
        self.stdout.write("復元したデータベースを確かめています…")
        verification = backups.verify_restored(manifest, checkpoints=checkpoints)
        for note in verification.notes:
            self.stdout.write(f"  ✓ {note}")
        for problem in verification.problems:
            self.stderr.write(f"  ✗ {problem}")
        if not verification.ok:
            raise CommandError(
                f"復元したデータベースの確認で {len(verification.problems)} 件の不一致が"
                "見つかりました（上記）。",
                returncode=backups.EXIT_FAILED,
            )
        self.stdout.write(self.style.SUCCESS("復元が完了し、すべての確認が一致しました。"))

    def _confirm(self, interactive: bool) -> None:
        if interactive and sys.stdin.isatty():
            answer = input(f"{CONFIRM}\n置き換えるには yes と入力してください: ")
            if answer.strip().lower() == "yes":
                return
            raise CommandError("復元を中止しました。", returncode=backups.EXIT_REFUSED)
        raise CommandError(
            f"{CONFIRM}置き換える場合は --yes を付けて実行してください"
            "（先にこのデータベースのバックアップを取っておくことをお勧めします）。"
            "復元を中止しました。",
            returncode=backups.EXIT_REFUSED,
        )
