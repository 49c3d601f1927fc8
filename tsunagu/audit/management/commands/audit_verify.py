"""``manage.py audit_verify``: walk the audit hash chain in one snapshot.

Exit codes: 0 the chain is whole; 1 tampering (naming the first broken event); 2 no
tampering, but events have stayed unsealed longer than ``AUDIT_SEAL_GRACE_SECONDS`` (the
sealer is not running: they are not protected by the chain until ``audit_seal`` runs).
"""

from django.core.management.base import BaseCommand, CommandError

from tsunagu.audit.services import audit_verify_chain


class Command(BaseCommand):
    help = (
        "監査ログのハッシュチェーンを検証し、改ざんがあれば最初の不整合イベントを示して"
        "終了コード1で、猶予時間を過ぎた未封印イベントがあれば終了コード2で終了します。"
    )

    def handle(self, *args, **options):
        report = audit_verify_chain()
        if not report.ok:
            raise CommandError(report.describe(), returncode=1)
        if report.problem:
            raise CommandError(report.describe(), returncode=2)
        self.stdout.write(self.style.SUCCESS(report.describe()))
