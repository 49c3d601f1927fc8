"""The next monitoring and evaluation dates stored on each case (``Case.monitoring_due_on``
/ ``evaluation_due_on``), kept by whatever changes them: a case's status, a plan's, a
monitoring record. ``cases.signals`` runs this on every save; the services that move a case
or a plan with ``QuerySet.update`` run it themselves."""

from __future__ import annotations

from tsunagu.cases.models import Case
from tsunagu.cases.selectors.monitoring import next_due_dates


def refresh_due_dates(case_ids) -> dict[int, tuple]:
    """Store the next monitoring and evaluation dates of these cases on them (only where
    they changed) and return them by case. Run whenever a case, a plan or a monitoring
    record is saved or deleted (``cases.signals``); ``manage.py monitoring_dates_rebuild``
    runs it for every case."""
    ids = sorted({pk for pk in case_ids if pk is not None})
    found: dict[int, tuple] = {}
    for start in range(0, len(ids), 2000):
        cases = list(
            Case.objects.filter(pk__in=ids[start : start + 2000]).only(
                "pk", "status", "monitoring_due_on", "evaluation_due_on"
            )
        )
        dates = next_due_dates(cases)
        for case in cases:
            if dates[case.pk] != (case.monitoring_due_on, case.evaluation_due_on):
                Case.objects.filter(pk=case.pk).update(
                    monitoring_due_on=dates[case.pk][0], evaluation_due_on=dates[case.pk][1]
                )
        found.update(dates)
    return found
