"""``manage.py send_monitoring_reminders``: e-mail each case coordinator the monitorings and
evaluations that fall due soon or are overdue, and leave each of them an お知らせ in the app
(once per item and stage, whether or not the coordinator has an e-mail address).

Safe to run from cron as often as wanted: every reminder sent is a ``MonitoringReminder`` row
(unique per case, kind, due date, stage and recipient), claimed before the mail goes out, so
a second run – or two runs at once – sends nothing twice. An item that passes its date gets
one more reminder, at the ``overdue`` stage. E-mail leaves the closed network, so it names
no person: only case numbers, the kind and the date, and where to look in the system.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tsunagu.accounts.models import NotificationKind
from tsunagu.accounts.services import notification_notify
from tsunagu.cases.models import MonitoringReminder
from tsunagu.cases.selectors import monitoring
from tsunagu.common.wareki import format_wareki


def _key(due) -> tuple:
    return (due.case.pk, due.kind, due.due_on, due.state)


def _line(due) -> str:
    path = reverse("cases:monitoring_list", kwargs={"pk": due.case.pk})
    return (
        f"・事例 #{due.case.pk}　{due.kind_label}　予定日 {format_wareki(due.due_on)}"
        f"（{due.when_text}）\n　　{path}"
    )


def notice(due) -> str:
    """The in-app お知らせ of one item: like the mail, a case number and a date, no name."""
    return (
        f"事例 #{due.case.pk} の{due.kind_label}の予定日 {format_wareki(due.due_on)}"
        f"（{due.when_text}）"
    )


def notify(recipient, dues: list) -> int:
    """お知らせ in the app for each item, once per item and stage (like the mails)."""
    created = 0
    for due in dues:
        _, new = notification_notify(
            recipient=recipient,
            kind=NotificationKind.MONITORING_DUE,
            message=notice(due),
            url=reverse("cases:monitoring_list", kwargs={"pk": due.case.pk}),
            key="monitoring:{}:{}:{}:{}".format(*_key(due)),
        )
        created += new
    return created


def compose(dues: list) -> tuple[str, str]:
    """Subject and body of one recipient's reminder (no person's name, by design)."""
    municipality = settings.TSUNAGU.get("MUNICIPALITY_NAME", "")
    overdue = [d for d in dues if d.is_overdue]
    soon = [d for d in dues if not d.is_overdue]
    subject = f"【{municipality} 重層的支援】モニタリング・評価の予定のお知らせ（{len(dues)}件）"
    parts = [
        "担当の多機関協働事業者（コーディネーター）様",
        "",
        "支援プランのモニタリング・評価について、予定日が近い、"
        "または予定日を過ぎている事例があります。",
        "",
    ]
    if overdue:
        parts += ["■ 予定日を過ぎています", *(_line(d) for d in overdue), ""]
    if soon:
        parts += ["■ 予定日が近づいています", *(_line(d) for d in soon), ""]
    parts += [
        "詳細はシステムで確認してください。",
        "（このメールには個人情報を記載していません。このメールへの返信はできません。）",
    ]
    return subject, "\n".join(parts) + "\n"


class Command(BaseCommand):
    help = (
        "モニタリング・評価の予定日が近い・過ぎている事例を、担当コーディネーターに"
        "メールで通知します（同じ通知は二度送りません。cronから実行できます）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="送信も記録もせず、送る予定の通知を表示します。",
        )
        parser.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            help="この日付を今日として判定します（確認・テスト用）。",
        )

    def handle(self, *args, **options):
        today = self._today(options.get("today"))
        dry_run = options["dry_run"]
        by_recipient: dict = defaultdict(list)
        for due in monitoring.dues_needing_reminders(today=today):
            by_recipient[due.case.coordinator].append(due)

        sent_mails = sent_items = already = failed = notified = 0
        unreachable: list[str] = []
        for recipient, dues in sorted(by_recipient.items(), key=lambda kv: kv[0].pk):
            if not dry_run and recipient.is_active:
                notified += notify(recipient, dues)
            done = set(
                MonitoringReminder.objects.filter(
                    recipient=recipient, case_id__in={d.case.pk for d in dues}
                ).values_list("case_id", "kind", "due_on", "stage")
            )
            new = [d for d in dues if _key(d) not in done]
            already += len(dues) - len(new)
            if not new:
                continue
            if not recipient.is_active or not recipient.email:
                reason = "無効な利用者" if not recipient.is_active else "メールアドレス未登録"
                cases = "、".join(f"#{pk}" for pk in sorted({d.case.pk for d in new}))
                unreachable.append(recipient.get_username())
                self.stderr.write(
                    f"通知できません（{reason}）：{recipient.get_username()}（事例 {cases}）"
                )
                continue
            if dry_run:
                sent_mails += 1
                sent_items += len(new)
                self.stdout.write(
                    f"送信予定：{recipient.get_username()} <{recipient.email}> "
                    + "、".join(f"#{d.case.pk} {d.kind_label}（{d.state}）" for d in new)
                )
                continue
            try:
                claimed = self._claim_and_send(recipient, new)
            except OSError as exc:  # smtplib.SMTPException included: retried on the next run
                failed += 1
                self.stderr.write(f"送信できませんでした：{recipient.get_username()}（{exc}）")
                continue
            already += len(new) - len(claimed)
            if claimed:
                sent_mails += 1
                sent_items += len(claimed)

        prefix = "【試行・送信していません】" if dry_run else ""
        verb = "送信予定" if dry_run else "送信"
        summary = (
            f"{prefix}モニタリング・評価の通知（{today.isoformat()}）：{verb} {sent_mails}通"
            f"（{sent_items}件）、送信済みのため省略 {already}件、"
            f"通知先がない担当者 {len(unreachable)}人"
        )
        if unreachable:
            summary += f"（{'、'.join(unreachable)}）"
        if failed:
            summary += f"、送信失敗 {failed}通"
        if not dry_run:
            summary += f"、アプリ内のお知らせ {notified}件"
        self.stdout.write(summary)

    @staticmethod
    def _today(raw: str | None) -> datetime.date:
        if not raw:
            return timezone.localdate()
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError as exc:
            raise CommandError("--today は YYYY-MM-DD の形式で指定してください。") from exc

    @staticmethod
    def _claim_and_send(recipient, dues: list) -> list:
        """Claim each reminder (another run may have just done so) and send the claimed ones
        in one mail; if the mail fails, no claim is kept."""
        claimed = []
        with transaction.atomic():
            for due in dues:
                try:
                    with transaction.atomic():
                        MonitoringReminder.objects.create(
                            case=due.case,
                            kind=due.kind,
                            due_on=due.due_on,
                            stage=due.state,
                            recipient=recipient,
                        )
                except IntegrityError:
                    continue
                claimed.append(due)
            if claimed:
                subject, body = compose(claimed)
                send_mail(
                    subject,
                    body,
                    settings.DEFAULT_FROM_EMAIL,
                    [recipient.email],
                    fail_silently=False,
                )
        return claimed
