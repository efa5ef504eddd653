"""A student import is a job with a state like a report: queued, running with a heartbeat, done
or failed; a sweep every minute queues a stuck one again or fails it visibly."""

from django.conf import settings
from django.db import migrations, models

from civbio.schedules import schedule_operations

SCHEDULES = [
    ("civbio: stuck student imports", "activities.tasks.requeue_stuck_imports", ("*", "*", "*")),
]
ADD, REMOVE = schedule_operations(SCHEDULES)


def fail_the_stuck(apps, schema_editor):
    """Imports left running before this change had no heartbeat: nothing of them was saved, so
    they fail visibly and their uploader can try again (or retention clears them)."""
    apps.get_model("activities", "StudentImport").objects.filter(status="running").update(
        status="failed"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0017_waiting_list_and_notices'),
        ('partners', '0003_access_log'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name='studentimport',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='studentimport',
            name='encoding',
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name='studentimport',
            name='finished_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='studentimport',
            name='heartbeat_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='studentimport',
            name='run_token',
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.AlterField(
            model_name='studentimport',
            name='status',
            field=models.CharField(choices=[('preview', 'Checked, waiting for confirmation'), ('queued', 'Waiting to start'), ('running', 'Importing'), ('done', 'Imported'), ('failed', 'Failed')], default='preview', max_length=20),
        ),
        migrations.AddIndex(
            model_name='studentimport',
            index=models.Index(condition=models.Q(('status__in', ['queued', 'running'])), fields=['heartbeat_at'], name='studentimport_unfinished'),
        ),
        migrations.RunPython(fail_the_stuck, migrations.RunPython.noop),
        migrations.RunPython(ADD, REMOVE),
    ]
