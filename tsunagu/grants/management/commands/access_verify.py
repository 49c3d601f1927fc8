"""``manage.py access_verify``: compare the grants with the rules evaluated on the records.

Exit codes: 0 they agree for every agency; 1 they differ (each difference is listed: the
agency, what, and the ids the rules open without a grant or a grant opens against the rules).
``manage.py access_rebuild`` repairs the grants.
"""

from django.core.management.base import BaseCommand, CommandError

from tsunagu.accounts.models import Agency
from tsunagu.grants.maintain import verify

WHAT = {"persons": "本人", "households": "世帯", "cases": "事例", "case content": "事例の内容"}
# the search entries follow the grants: their differences are told in their own words
SEARCH_MISSING = "見られる本人の検索用の行がないか、氏名の検索キーが古くなっています"
SEARCH_EXTRA = "見られない（またはアーカイブ済みの）本人の検索用の行があります"


def _ids(ids: list[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:20])
    return shown + (f" ほか {len(ids) - 20} 件" if len(ids) > 20 else "")


class Command(BaseCommand):
    help = (
        "閲覧の根拠が、記録から直接評価した閲覧規則と一致するかを機関ごとに検証し、"
        "不一致があれば一覧にして終了コード1で終了します。"
    )

    def handle(self, *args, **options):
        differences = verify()
        names = dict(Agency.objects.values_list("pk", "name"))
        for diff in differences:
            agency = names.get(diff.agency_id, diff.agency_id)
            if diff.what == "search entries":
                for ids, text in ((diff.missing, SEARCH_MISSING), (diff.extra, SEARCH_EXTRA)):
                    if ids:
                        self.stderr.write(f"{agency}: {text}: {_ids(ids)}")
                continue
            if diff.missing:
                self.stderr.write(
                    f"{agency}: 規則では見られる{WHAT[diff.what]}に根拠がありません: "
                    f"{_ids(diff.missing)}"
                )
            if diff.extra:
                self.stderr.write(
                    f"{agency}: 規則では見られない{WHAT[diff.what]}に根拠があります: "
                    f"{_ids(diff.extra)}"
                )
        if differences:
            raise CommandError(
                f"閲覧の根拠が規則と {len(differences)} か所で一致しません。"
                "manage.py access_rebuild で計算し直してください。",
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS("閲覧の根拠はすべての機関で規則と一致しています。"))
