"""``manage.py audit_verify``: walk the audit hash chain; exit 1 naming the first broken event."""

from django.core.management.base import BaseCommand, CommandError

from tsunagu.audit.services import audit_verify_chain


class Command(BaseCommand):
    help = (
        "監査ログのハッシュチェーンを検証し、改ざんがあれば"
        "最初の不整合イベントを示して終了コード1で終了します。"
    )

    def handle(self, *args, **options):
        report = audit_verify_chain()
        if not report.ok:
            raise CommandError(report.describe(), returncode=1)
        self.stdout.write(self.style.SUCCESS(report.describe()))
