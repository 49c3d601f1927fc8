"""Events are appended without a chain link; the chain lives in append-only seals.

The old per-event sequence number and link are kept (``legacy_seq``, ``prev_hash``) for the
events recorded before, because their hashes cover them; ``seq`` becomes the event's id. The
head row now describes the last seal, so the old one is removed and the sealer starts over
(it seals the old events too, in id order).
"""

import django.db.models.deletion
from django.db import migrations, models

from tsunagu.audit.db import install_seal_immutability, remove_seal_immutability


def reset_head(apps, schema_editor):
    apps.get_model("audit", "AuditChainHead").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_immutable_in_database")]

    operations = [
        migrations.RunPython(reset_head, migrations.RunPython.noop),
        migrations.RenameField("auditevent", "seq", "legacy_seq"),
        migrations.AlterField(
            model_name="auditevent",
            name="legacy_seq",
            field=models.PositiveBigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.F("id"),
                output_field=models.BigIntegerField(),
                unique=True,
                verbose_name="連番",
            ),
        ),
        migrations.CreateModel(
            name="AuditSeal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "position",
                    models.PositiveBigIntegerField(
                        editable=False, unique=True, verbose_name="位置"
                    ),
                ),
                ("sealed_at", models.DateTimeField(editable=False, verbose_name="封印日時")),
                ("prev_hash", models.CharField(editable=False, max_length=64)),
                ("hash", models.CharField(editable=False, max_length=64)),
                (
                    "event",
                    models.OneToOneField(
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="seal",
                        to="audit.auditevent",
                    ),
                ),
            ],
            options={
                "verbose_name": "監査チェーンの封印",
                "verbose_name_plural": "監査チェーンの封印",
                "ordering": ["position"],
            },
        ),
        migrations.RunPython(install_seal_immutability, remove_seal_immutability),
    ]
