"""`manage.py axes_reset_username NAME...`: unlock user IDs from the command line (audited).

Replaces django-axes' command of the same name, which removes the attempts without a record.
"""

from django.core.management.base import BaseCommand

from tsunagu.accounts.lockout import login_unlock


class Command(BaseCommand):
    help = "ログインのロックを解除します（監査ログに記録）。"

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="+", type=str)

    def handle(self, *args, **options):
        for username in options["username"]:
            removed = login_unlock(username=username, by=None, via="cli")
            self.stdout.write(
                f"{username}: ロックを解除しました（失敗の記録 {removed} 件を削除）。"
            )
