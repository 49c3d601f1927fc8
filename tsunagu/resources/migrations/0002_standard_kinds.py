from django.db import migrations

from tsunagu.resources.kinds import install_standard_kinds


def add(apps, schema_editor):
    install_standard_kinds(apps.get_model("resources", "ResourceKind"))


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
