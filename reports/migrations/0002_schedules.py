"""The reports' periodic work, as django-celery-beat schedules coordinators can change."""

import json

from django.db import migrations

SCHEDULES = [
    ("civbio: funder reports due", "reports.tasks.schedule_due_reports", ("0", "6", "*")),
    ("civbio: re-queue stuck reports", "reports.tasks.requeue_stuck_reports", ("*/5", "*", "*")),
]


def add_schedules(apps, schema_editor):
    crontabs = apps.get_model("django_celery_beat", "CrontabSchedule")
    tasks = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, (minute, hour, day) in SCHEDULES:
        if tasks.objects.filter(name=name).exists():
            continue
        crontab, _ = crontabs.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_month=day,
            month_of_year="*",
            day_of_week="*",
            timezone="Europe/Amsterdam",
        )
        tasks.objects.create(name=name, task=task, crontab=crontab, args=json.dumps([]))


def remove_schedules(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[name for name, *_ in SCHEDULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedules, remove_schedules)]
