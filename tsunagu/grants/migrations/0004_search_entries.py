"""The search entries (``SearchEntry``): created, filled from the current person grants and
the persons' keys, then indexed (filling first and indexing after is the faster order at a
million persons)."""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    entry = apps.get_model("grants", "SearchEntry")._meta.db_table
    grant = apps.get_model("grants", "AccessGrant")._meta.db_table
    person = apps.get_model("people", "Person")._meta.db_table
    keys = "key_name, key_given, key_kana, key_kana_given, birth_date"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {entry} (agency_id, person_id, {keys}) "
            f"SELECT g.agency_id, p.id, p.key_name, p.key_given, p.key_kana, p.key_kana_given, "
            f"p.birth_date FROM {person} p JOIN (SELECT DISTINCT agency_id, person_id "
            f"FROM {grant} WHERE valid_until IS NULL AND person_id IS NOT NULL) g "
            f"ON g.person_id = p.id WHERE p.is_archived = %s",
            [False],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_outreach_due_notice"),
        ("grants", "0003_alter_accessgrant_basis"),
        ("people", "0004_search_covering_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key_name", models.CharField(blank=True, max_length=100)),
                ("key_given", models.CharField(blank=True, max_length=60)),
                ("key_kana", models.CharField(blank=True, max_length=100)),
                ("key_kana_given", models.CharField(blank=True, max_length=60)),
                ("birth_date", models.DateField(blank=True, null=True)),
                (
                    "agency",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.agency",
                        verbose_name="機関",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="people.person",
                        verbose_name="本人",
                    ),
                ),
            ],
            options={
                "verbose_name": "検索できる本人",
                "verbose_name_plural": "検索できる本人",
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="searchentry",
            constraint=models.UniqueConstraint(
                fields=("person", "agency"), name="search_entry_person"
            ),
        ),
        *(
            migrations.AddIndex(
                model_name="searchentry",
                index=models.Index(fields=["agency", key, "key_kana", "person"], name=name),
            )
            for key, name in (
                ("key_name", "search_entry_name"),
                ("key_given", "search_entry_given"),
                ("key_kana_given", "search_entry_kana_given"),
            )
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(fields=["agency", "key_kana", "person"], name="search_entry_kana"),
        ),
    ]
