"""The periodic work, as django-celery-beat schedules coordinators can change in the admin."""

import json

from django.db import migrations

SCHEDULES = [
    # name, task, crontab (minute, hour, day of month), what it does
    ("civbio: reminders", "activities.tasks.run_reminders", ("0", "7", "*")),
    ("civbio: retry reminder e-mails", "activities.tasks.retry_reminder_emails", ("15", "*", "*")),
    ("civbio: student retention", "activities.tasks.apply_student_retention", ("30", "3", "*")),
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
        ("activities", "0007_reminders"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedules, remove_schedules)]
