from django.db import migrations

from tsunagu.audit.db import install_immutability, remove_immutability


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install_immutability, remove_immutability)]
