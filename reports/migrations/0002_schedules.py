"""The reports' periodic work, as django-celery-beat schedules coordinators can change: the due
funder reports every morning, and the sweep that re-queues a lost report every 20 seconds (so a
lost report resumes within a minute)."""

from django.db import migrations

from civbio.schedules import schedule_operations

SCHEDULES = [
    # name, task, crontab (minute, hour, day of month) or every so many seconds
    ("civbio: funder reports due", "reports.tasks.schedule_due_reports", ("0", "6", "*")),
    ("civbio: re-queue stuck reports", "reports.tasks.requeue_stuck_reports", 20),
]


ADD, REMOVE = schedule_operations(SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(ADD, REMOVE)]
