"""``manage.py purge_request_keys``: delete expired ``Idempotency-Key`` records and old
one-time form tokens.

Safe to run from cron (e.g. hourly): a key older than ``API_IDEMPOTENCY_TTL`` (24 h) is
ignored by the API anyway; this only reclaims the space (the stored answers hold personal
data, so they should not stay longer than needed). Form tokens are kept for 30 days.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tsunagu.api import idempotency
from tsunagu.common import form_token


class Command(BaseCommand):
    help = "期限の過ぎた Idempotency-Key の記録と、古いフォーム送信の記録を削除します。"

    def handle(self, *args, **options):
        keys = idempotency.purge()
        tokens = form_token.purge()
        if options["verbosity"]:
            self.stdout.write(f"Idempotency-Key {keys}件、フォーム送信 {tokens}件を削除しました。")
