from django.db import migrations, models


def stopped_to_paused(apps, schema_editor):
    # A job that stopped after a stage used to read "succeeded" with `stopped_after` set.
    Job = apps.get_model("pipeline", "Job")
    Job.objects.filter(status="succeeded", result__isnull=True).exclude(paused_after="").update(
        status="paused"
    )


def paused_to_stopped(apps, schema_editor):
    Job = apps.get_model("pipeline", "Job")
    Job.objects.filter(status="paused").update(status="succeeded")


class Migration(migrations.Migration):
    dependencies = [
        ("pipeline", "0005_cleanup_schedules"),
    ]

    operations = [
        migrations.RenameField(model_name="job", old_name="stopped_after", new_name="paused_after"),
        migrations.AlterField(
            model_name="job",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("running", "Running"),
                    ("paused", "Paused"),
                    ("succeeded", "Succeeded"),
                    ("failed", "Failed"),
                    ("canceled", "Canceled"),
                ],
                db_index=True,
                default="queued",
                max_length=12,
            ),
        ),
        migrations.RunPython(stopped_to_paused, paused_to_stopped),
    ]
