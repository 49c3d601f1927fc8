"""``manage.py send_outreach_reminders``: leave each outreach worker an お知らせ in the app
for the records they carry (担当) whose next action is due today or overdue, and for those that
have gone silent (no contact for ``TSUNAGU_OUTREACH_SILENT_DAYS``, default 90).

Safe to run from cron as often as wanted: a notice is kept once per record and date (the next
action's date, or the last contact's), so a second run sends nothing twice, and a record whose
date moves gets one new notice. Notices stay inside the system; like the caseload's files they
give the record's number, never a name.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone

from tsunagu.accounts.models import NotificationKind
from tsunagu.accounts.services import notification_notify
from tsunagu.common.wareki import format_wareki
from tsunagu.outreach.selectors import needing_reminders
from tsunagu.outreach.workflow import is_silent


def notices(record, today: datetime.date) -> list[tuple[str, str]]:
    """(key, message) of each notice the record calls for today."""
    found = []
    if record.next_action_on is not None and record.next_action_on <= today:
        when = "今日です" if record.next_action_on == today else "過ぎています"
        found.append(
            (
                f"outreach_due:{record.pk}:{record.next_action_on.isoformat()}",
                f"アウトリーチ対象 #{record.pk} の次の予定日"
                f"（{format_wareki(record.next_action_on)}）が{when}。",
            )
        )
    if is_silent(record, today):
        last = record.last_contact_on or record.began_on
        found.append(
            (
                f"outreach_silent:{record.pk}:{last.isoformat()}",
                f"アウトリーチ対象 #{record.pk} は{format_wareki(last)}から"
                f"{(today - last).days}日、接触の記録がありません。",
            )
        )
    return found


class Command(BaseCommand):
    help = (
        "次の予定日が今日・過ぎたアウトリーチ対象と、長く接触のない対象を、担当職員に"
        "アプリ内のお知らせで知らせます（同じお知らせは二度作りません。cronから実行できます）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="お知らせを作らず、作る予定のものを表示します。"
        )
        parser.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            help="この日付を今日として判定します（確認・テスト用）。",
        )

    def handle(self, *args, **options):
        raw = options.get("today")
        try:
            today = datetime.date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError as exc:
            raise CommandError("--today は YYYY-MM-DD の形式で指定してください。") from exc
        dry_run = options["dry_run"]
        created = already = inactive = 0
        for record in needing_reminders(today).iterator(chunk_size=500):
            worker = record.assigned_to
            for key, message in notices(record, today):
                if not worker.is_active:
                    inactive += 1
                    continue
                if dry_run:
                    self.stdout.write(f"作成予定：{worker.get_username()} {message}")
                    created += 1
                    continue
                _, new = notification_notify(
                    recipient=worker,
                    kind=NotificationKind.OUTREACH_DUE,
                    message=message,
                    url=reverse("outreach:record_detail", args=[record.pk]),
                    key=key,
                )
                created += new
                already += not new
        prefix = "【試行・作成していません】" if dry_run else ""
        verb = "作成予定" if dry_run else "作成"
        self.stdout.write(
            f"{prefix}アウトリーチのお知らせ（{today.isoformat()}）：{verb} {created}件、"
            f"作成済みのため省略 {already}件、無効な担当職員のため省略 {inactive}件"
        )
