"""The next monitoring and evaluation dates stored on a case (``Case.monitoring_due_on`` /
``evaluation_due_on``) follow every save or deletion of the case, its plans and its
monitoring records, whoever writes them (a service, the admin site, a test's arrangement).
Writes that bypass ``save()`` (``bulk_create``, ``QuerySet.update``) call
``services.due_dates.refresh_due_dates`` themselves, or ``manage.py
monitoring_dates_rebuild`` is run after them.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from .models import Case, MonitoringRecord, SupportPlan
from .services.due_dates import refresh_due_dates


def _case_saved(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    dates = refresh_due_dates([instance.pk]).get(instance.pk)
    if dates:  # the instance in hand carries them too, so that a later save() keeps them
        instance.monitoring_due_on, instance.evaluation_due_on = dates


def _record_changed(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    refresh_due_dates([instance.case_id])


def connect() -> None:
    post_save.connect(_case_saved, sender=Case, dispatch_uid="cases.due_dates.case")
    for model in (SupportPlan, MonitoringRecord):
        uid = f"cases.due_dates.{model._meta.model_name}"
        post_save.connect(_record_changed, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_record_changed, sender=model, dispatch_uid=f"{uid}.delete")
