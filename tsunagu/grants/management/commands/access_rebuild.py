"""``manage.py access_rebuild``: recompute every grant from the records (after a restore, a
bulk load that bypassed ``save()``, or a change of the rules), one chunk per transaction."""

from django.core.management.base import BaseCommand

from tsunagu.grants.maintain import rebuild


class Command(BaseCommand):
    help = "閲覧の根拠（誰が誰を見られるか）をすべての記録から計算し直します。"

    def handle(self, *args, **options):
        labels = {"person": "本人", "household": "世帯", "case": "事例"}
        verbosity = options["verbosity"]

        def progress(subject, done):
            if verbosity > 1:
                self.stdout.write(f"{labels[subject]}まで {done:,} 件")

        done = rebuild(progress=progress)
        self.stdout.write(
            self.style.SUCCESS(f"閲覧の根拠を計算し直しました（{done:,} 件の対象）。")
        )
