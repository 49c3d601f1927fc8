"""The grants of the records that exist when the table is created.

This runs the current rules (``tsunagu.grants.maintain.rebuild``), not a frozen copy: on a new
database it finds nothing to do. ``manage.py access_rebuild`` does the same at any time."""

from django.db import migrations


def build(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    Case = apps.get_model("cases", "Case")
    if not (Person.objects.exists() or Case.objects.exists()):
        return
    from tsunagu.grants.maintain import rebuild

    rebuild(search_entries=False)  # their table comes in 0004, filled there


class Migration(migrations.Migration):
    dependencies = [("grants", "0001_initial"), ("consultations", "0003_trigram_search_indexes")]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
