"""``manage.py seed_demo``: build the demo city and print the demo sign-ins."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tsunagu.demo.services import DEMO_PASSWORD, DEMO_USERS, seed_demo


class Command(BaseCommand):
    help = (
        "岐阜市をモデルにしたデモ用の圏域・支援関係機関・利用者・世帯を作成します"
        "（何度実行しても同じ内容）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--households", type=int, default=120, help="作成する世帯数（既定 120）"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="本番設定でも実行する（デモ用パスワードの利用者が作られるため通常は不可）",
        )

    def handle(self, *args, households, force, **options):
        if not settings.TSUNAGU.get("DEMO_ALLOWED") and not force:
            raise CommandError(
                "この環境ではデモデータを作成できません（本番設定）。"
                "必要な場合は --force を付けて実行してください。"
            )
        if households < 0:
            raise CommandError("世帯数には0以上を指定してください。")
        result = seed_demo(households=households)
        self.stdout.write(
            f"圏域 {result.areas}件、支援関係機関 {result.agencies}件、"
            f"利用者 {len(result.users)}人、本人 {result.persons_created}人を作成しました。"
        )
        self.stdout.write("")
        self.stdout.write("デモ用ログイン（パスワードはすべて共通）:")
        by_username = {spec.username: spec for spec in DEMO_USERS}
        for user in result.users:
            spec = by_username[user.username]
            membership = user.memberships.get(role=spec.role, agency__code=spec.agency)
            self.stdout.write(
                f"  {user.username:<14} {membership.get_role_display()}（{membership.agency.name}）"
            )
        self.stdout.write(f"  パスワード: {DEMO_PASSWORD}")
