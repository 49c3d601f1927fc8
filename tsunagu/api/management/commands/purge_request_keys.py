"""``manage.py purge_request_keys``: delete expired ``Idempotency-Key`` records.

Safe to run from cron (e.g. hourly): a key older than ``API_IDEMPOTENCY_TTL`` (24 h) is
ignored by the API anyway; this only reclaims the space (the stored answers hold personal
data, so they should not stay longer than needed).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tsunagu.api import idempotency


class Command(BaseCommand):
    help = "期限の過ぎた Idempotency-Key の記録を削除します。"

    def handle(self, *args, **options):
        deleted = idempotency.purge()
        if options["verbosity"]:
            self.stdout.write(f"Idempotency-Key: {deleted}件を削除しました。")
