from django.db import migrations, models

#: SQLite only: the search's words (``search_text LIKE '%…%'``) read from an index holding
#: the text in the search's order, not from every row of the table (PostgreSQL has the
#: trigram index of 0004, and a B-tree there would refuse a long text)
SQLITE_TEXT_INDEX = "resource_text_by_name"


def text_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {SQLITE_TEXT_INDEX} ON resources_resource "
            "(status, name, id, search_text)"
        )


def drop_text_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP INDEX IF EXISTS {SQLITE_TEXT_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("resources", "0005_resource_gaps")]

    operations = [
        migrations.AddIndex(
            model_name="resource",
            index=models.Index(
                fields=["status", "kind", "name", "id"], name="resource_kind_by_name"
            ),
        ),
        migrations.AddIndex(
            model_name="schedule",
            index=models.Index(
                fields=["weekday", "opens_at", "closes_at", "resource"], name="schedule_open_at"
            ),
        ),
        migrations.RunPython(text_index, drop_text_index),
    ]
