"""Periodic work as django-celery-beat rows, for the data migrations that put it in place."""

import json

# A schedule is (minute, hour, day of month), a crontab in Amsterdam time, or a number of seconds.
When = tuple[str, str, str] | int


def schedule_operations(schedules: list[tuple[str, str, When]]):
    """Forward and backward functions for a RunPython migration that adds (name, task, when)
    schedules once, and removes them again."""

    def add(apps, schema_editor):
        crontabs = apps.get_model("django_celery_beat", "CrontabSchedule")
        intervals = apps.get_model("django_celery_beat", "IntervalSchedule")
        tasks = apps.get_model("django_celery_beat", "PeriodicTask")
        for name, task, when in schedules:
            if tasks.objects.filter(name=name).exists():
                continue
            if isinstance(when, int):
                interval, _ = intervals.objects.get_or_create(every=when, period="seconds")
                tasks.objects.create(name=name, task=task, interval=interval, args=json.dumps([]))
                continue
            minute, hour, day = when
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
