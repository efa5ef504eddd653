"""The students' periodic work, as django-celery-beat schedules coordinators can change in the
admin: retention at night, and the sweep that queues a stuck import again every minute."""

from django.db import migrations

from civbio.schedules import schedule_operations

SCHEDULES = [
    # name, task, crontab (minute, hour, day of month)
    ("civbio: student retention", "students.tasks.apply_student_retention", ("30", "3", "*")),
    ("civbio: stuck student imports", "students.tasks.requeue_stuck_imports", ("*", "*", "*")),
]


ADD, REMOVE = schedule_operations(SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(ADD, REMOVE)]
