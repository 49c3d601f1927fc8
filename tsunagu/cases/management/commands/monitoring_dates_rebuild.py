"""``manage.py monitoring_dates_rebuild``: compute again the next monitoring and evaluation
dates stored on every case (after a change of ``MONITORING_MONTHS`` or
``EVALUATION_MONTHS``, or after rows were written in bulk)."""

from django.core.management.base import BaseCommand
from django.db.models import Q

from tsunagu.cases.models import Case
from tsunagu.cases.services.due_dates import refresh_due_dates
from tsunagu.cases.workflow import MONITORED


class Command(BaseCommand):
    help = (
        "事例に保存している次回のモニタリング・評価の予定日を、すべての事例について"
        "計算し直します（設定の月数を変えたとき、一括で記録を書き込んだあと）。"
    )

    def handle(self, *args, **options):
        # the cases being supported, and those that still hold dates from before
        ids = list(
            Case.objects.filter(
                Q(status__in=MONITORED)
                | Q(monitoring_due_on__isnull=False)
                | Q(evaluation_due_on__isnull=False)
            ).values_list("pk", flat=True)
        )
        refresh_due_dates(ids)
        self.stdout.write(self.style.SUCCESS(f"{len(ids):,} 件の事例の予定日を計算し直しました。"))
