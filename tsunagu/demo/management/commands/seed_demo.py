"""``manage.py seed_demo``: build the demo city and print the demo sign-ins."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tsunagu.demo.services import DEMO_PASSWORD, DEMO_USERS, STEPS, seed_demo


class Command(BaseCommand):
    help = (
        "岐阜市をモデルにしたデモ用の圏域・支援関係機関・利用者・世帯を作成します"
        "（何度実行しても同じ内容。途中で中断したときは、もう一度実行すると足りないものだけを"
        "作成します）。"
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
        done = []

        def report(step, created):
            done.append(step)
            if created:
                self.stdout.write(f"  {step.label}: {created}{step.unit}を作成しました。")
            else:
                self.stdout.write(f"  {step.label}: 作成済み")

        try:
            result = seed_demo(households=households, on_step=report)
        except KeyboardInterrupt:
            if len(done) == len(STEPS):
                raise CommandError(
                    "中断しました。デモデータはすべて作成済みです。", returncode=130
                ) from None
            raise CommandError(
                f"「{STEPS[len(done)].label}」の作成中に中断しました。この手順で作りかけたものは"
                "取り消され、それまでの手順で作成したものは残っています。もう一度実行すると、"
                "足りないものだけを作成してデモデータを完成させます。",
                returncode=130,
            ) from None
        self.stdout.write("")
        if result.nothing_created:
            self.stdout.write("デモデータはすでにそろっています。新たに作成したものはありません。")
        else:
            self.stdout.write("デモデータを作成しました。")
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
