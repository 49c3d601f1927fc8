"""The next monitoring and evaluation dates stored on each case, filled for the cases that
exist, then indexed.

The fill runs the current computation (``services.due_dates.refresh_due_dates``), as
``manage.py monitoring_dates_rebuild`` does: on a new database it finds nothing to do."""

from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    ids = list(
        Case.objects.filter(status__in=("active", "monitoring")).values_list("pk", flat=True)
    )
    if not ids:
        return
    from tsunagu.cases.services.due_dates import refresh_due_dates

    refresh_due_dates(ids)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_outreach_due_notice"),
        ("cases", "0008_case_newest_first_index"),
        ("consultations", "0005_statistics_indexes"),
        ("people", "0004_search_covering_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="evaluation_due_on",
            field=models.DateField(editable=False, null=True, verbose_name="次回評価予定日"),
        ),
        migrations.AddField(
            model_name="case",
            name="monitoring_due_on",
            field=models.DateField(
                editable=False, null=True, verbose_name="次回モニタリング予定日"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("monitoring_due_on__isnull", False)),
                fields=["monitoring_due_on"],
                name="case_monitoring_due_on",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("evaluation_due_on__isnull", False)),
                fields=["evaluation_due_on"],
                name="case_evaluation_due_on",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("monitoring_due_on__isnull", False)),
                fields=["coordinating_agency", "monitoring_due_on"],
                name="case_agency_monitoring_due",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("evaluation_due_on__isnull", False)),
                fields=["coordinating_agency", "evaluation_due_on"],
                name="case_agency_evaluation_due",
            ),
        ),
    ]
