"""The reminders' periodic work, as django-celery-beat schedules coordinators can change in the
admin."""

from django.db import migrations

from civbio.schedules import schedule_operations

SCHEDULES = [
    # name, task, crontab (minute, hour, day of month)
    ("civbio: reminders", "activities.tasks.run_reminders", ("0", "7", "*")),
    ("civbio: retry reminder e-mails", "activities.tasks.retry_reminder_emails", ("15", "*", "*")),
]


ADD, REMOVE = schedule_operations(SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0003_search_trigram_indexes"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(ADD, REMOVE)]
