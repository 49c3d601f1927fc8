from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("linkage", "0002_import_batches"),
    ]

    operations = [
        migrations.RenameField(
            model_name="importbatch",
            old_name="step_started_at",
            new_name="heartbeat_at",
        ),
        migrations.AlterField(
            model_name="importbatch",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="取込処理の最終応答"),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="queued_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="取込処理の依頼日時"),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="job_token",
            field=models.CharField(blank=True, max_length=32, verbose_name="取込処理の識別子"),
        ),
        migrations.AlterField(
            model_name="importbatch",
            name="status",
            field=models.CharField(
                choices=[
                    ("uploaded", "アップロード済み（列の対応づけ待ち）"),
                    ("mapped", "列の対応づけ済み"),
                    ("validated", "検証済み（取込待ち）"),
                    ("invalid", "誤りあり（取り込んでいません）"),
                    ("importing", "本人を登録中"),
                    ("linking", "名寄せ中"),
                    ("done", "完了"),
                    ("failed", "失敗（取り込みを中止しました）"),
                ],
                db_index=True,
                default="uploaded",
                max_length=20,
                verbose_name="状態",
            ),
        ),
    ]
