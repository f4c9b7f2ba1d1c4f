from django.db import migrations

# The tasks moved with the rest of the engine into pipeline.engine.
OLD, NEW = "pipeline.tasks.", "pipeline.engine.tasks."


def _rename(apps, old, new):
    Schedule = apps.get_model("django_q", "Schedule")
    for schedule in Schedule.objects.filter(func__startswith=old):
        schedule.func = new + schedule.func[len(old) :]
        schedule.save(update_fields=["func"])


def forwards(apps, schema_editor):
    _rename(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _rename(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("pipeline", "0006_job_paused"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
