from django.db import migrations

from tsunagu.audit.db import install_sqlite_immutability, remove_sqlite_immutability


class Migration(migrations.Migration):
    """SQLite refuses UPDATE and DELETE of audit rows with triggers, as PostgreSQL does."""

    dependencies = [("audit", "0003_sealed_chain")]

    operations = [migrations.RunPython(install_sqlite_immutability, remove_sqlite_immutability)]
