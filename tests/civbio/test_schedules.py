"""The periodic work lives in django-celery-beat's tables: present after migrate, pointing at real
tasks, read by its database scheduler, and editable by coordinators in the admin."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import ModelEntry

from civbio.celery import app
from tests.browser import submit

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_the_schedules_come_back_after_a_flush():
    """A transactional test ends with a flush of every table; the rows the migrations wrote are
    put back by it (tests/databases.py), so the tests after it see what `migrate` made."""
    made = set(PeriodicTask.objects.values_list("name", "task"))

    call_command("flush", interactive=False, verbosity=0)

    assert made
    assert set(PeriodicTask.objects.values_list("name", "task")) == made


def test_every_schedule_names_a_registered_task():
    app.loader.import_default_modules()
    schedules = dict(PeriodicTask.objects.values_list("name", "task"))

    assert schedules == {
        "civbio: reminders": "activities.tasks.run_reminders",
        "civbio: retry reminder e-mails": "activities.tasks.retry_reminder_emails",
        "civbio: student retention": "students.tasks.apply_student_retention",
        "civbio: stuck student imports": "students.tasks.requeue_stuck_imports",
        "civbio: funder reports due": "reports.tasks.schedule_due_reports",
        "civbio: re-queue stuck reports": "reports.tasks.requeue_stuck_reports",
    }
    assert set(schedules.values()) <= set(app.tasks)


def test_the_stuck_report_sweep_runs_every_20_seconds_and_the_rest_by_the_clock():
    """A lost report resumes within a minute: its sweep is an interval, not a crontab."""
    sweep = PeriodicTask.objects.get(name="civbio: re-queue stuck reports")

    assert sweep.crontab is None
    assert (sweep.interval.every, sweep.interval.period) == (20, "seconds")
    others = PeriodicTask.objects.exclude(pk=sweep.pk)
    assert others.count() == 5 and not others.filter(crontab=None).exists()


def test_the_database_scheduler_reads_them():
    entry = ModelEntry(PeriodicTask.objects.get(name="civbio: reminders"), app=app)

    assert entry.task == "activities.tasks.run_reminders"
    assert entry.schedule.hour == {7} and entry.schedule.minute == {0}
    _due_now, next_in_seconds = entry.is_due()
    assert 0 < next_in_seconds <= 24 * 3600


def test_coordinators_change_a_schedule_in_the_admin(client, carla, dirk):
    task = PeriodicTask.objects.get(name="civbio: reminders")
    client.force_login(dirk)
    assert client.get(reverse("admin:django_celery_beat_periodictask_changelist")).status_code in (
        302,
        403,
    )

    client.force_login(carla)
    listing = client.get(reverse("admin:django_celery_beat_periodictask_changelist"))
    assert listing.status_code == 200 and "civbio: reminders" in listing.text
    response = submit(
        client,
        reverse("admin:django_celery_beat_periodictask_change", args=[task.pk]),
        {"description": "Elke ochtend"},
        button="_save",
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    task.refresh_from_db()
    assert task.description == "Elke ochtend"
