"""A report remembers the run that holds it and when its task was last sent, and the stuck-report
sweep runs every 20 seconds instead of every five minutes, so a lost report resumes within a
minute."""

import django.utils.timezone
from django.db import migrations, models

SWEEP = "civbio: re-queue stuck reports"


def every_20_seconds(apps, schema_editor):
    """Only while the sweep still has its first schedule: a coordinator's own change stays."""
    tasks = apps.get_model("django_celery_beat", "PeriodicTask")
    intervals = apps.get_model("django_celery_beat", "IntervalSchedule")
    sweep = tasks.objects.filter(name=SWEEP, crontab__minute="*/5").first()
    if sweep is None:
        return
    sweep.interval, _ = intervals.objects.get_or_create(every=20, period="seconds")
    sweep.crontab = None
    sweep.save()


def every_5_minutes(apps, schema_editor):
    tasks = apps.get_model("django_celery_beat", "PeriodicTask")
    crontabs = apps.get_model("django_celery_beat", "CrontabSchedule")
    sweep = tasks.objects.filter(name=SWEEP, interval__every=20, interval__period="seconds").first()
    if sweep is None:
        return
    sweep.crontab, _ = crontabs.objects.get_or_create(
        minute="*/5",
        hour="*",
        day_of_month="*",
        month_of_year="*",
        day_of_week="*",
        timezone="Europe/Amsterdam",
    )
    sweep.interval = None
    sweep.save()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_schedules"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="queued_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="report",
            name="run_token",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="report",
            name="runner",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.RunPython(every_20_seconds, every_5_minutes),
    ]
