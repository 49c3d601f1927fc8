from django.db import migrations

from tsunagu.consultations.categories import install_standard_categories


def add(apps, schema_editor):
    install_standard_categories(apps.get_model("consultations", "IssueCategory"))


class Migration(migrations.Migration):
    dependencies = [("consultations", "0001_initial")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
