from django.db import migrations

# name -> (task, schedule type): retention every hour, the orphan sweep once a day.
SCHEDULES = {
    "videogen: delete expired videos and old work folders": ("pipeline.tasks.expire_old_files", "H"),
    "videogen: remove orphan files and work folders": ("pipeline.tasks.sweep_orphans", "D"),
}


def create(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, (func, schedule_type) in SCHEDULES.items():
        Schedule.objects.get_or_create(
            name=name, defaults={"func": func, "schedule_type": schedule_type, "repeats": -1}
        )


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name__in=list(SCHEDULES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("pipeline", "0004_metrics"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]
    operations = [migrations.RunPython(create, remove)]
