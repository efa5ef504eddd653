"""Periodic work as django-celery-beat rows, for the data migrations that put it in place."""

import json


def schedule_operations(schedules: list[tuple[str, str, tuple[str, str, str]]]):
    """Forward and backward functions for a RunPython migration that adds (name, task,
    (minute, hour, day of month)) schedules once, in Amsterdam time, and removes them again."""

    def add(apps, schema_editor):
        crontabs = apps.get_model("django_celery_beat", "CrontabSchedule")
        tasks = apps.get_model("django_celery_beat", "PeriodicTask")
        for name, task, (minute, hour, day) in schedules:
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

    def remove(apps, schema_editor):
        apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
            name__in=[name for name, *_ in schedules]
        ).delete()

    return add, remove
