"""The project office sets when civbio's periodic jobs run, and switches the reminders on or off,
in civbio (activities.schedules); django-celery-beat's rows change through the model, so a running
beat notices."""

from datetime import time

import pytest
from auditlog.models import LogEntry as AuditEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule, PeriodicTask, PeriodicTasks
from django_celery_beat.schedulers import ModelEntry

from activities import schedules
from civbio.celery import app
from tests.browser import submit

pytestmark = pytest.mark.django_db

REMINDERS = "civbio: reminders"


def task(name: str = REMINDERS) -> PeriodicTask:
    return PeriodicTask.objects.select_related("crontab").get(name=name)


def test_every_periodic_job_has_a_readable_name():
    assert set(PeriodicTask.objects.values_list("name", flat=True)) == set(schedules.JOBS)


def test_a_coordinator_moves_the_reminders_and_beat_is_told(carla):
    before = PeriodicTasks.last_change()
    retention = task("civbio: student retention")
    shared_before = retention.crontab_id

    schedules.change_schedule(actor=carla, task=task(), at=time(8, 15))

    moved = task()
    assert (moved.crontab.hour, moved.crontab.minute) == ("8", "15")
    assert moved.crontab.timezone.key == "Europe/Amsterdam"
    # The change tracking django-celery-beat's scheduler polls moved on.
    after = PeriodicTasks.last_change()
    assert after is not None and (before is None or after > before)
    entry = ModelEntry(moved, app=app)
    assert entry.schedule.hour == {8} and entry.schedule.minute == {15}
    # Another job's crontab is never changed in place.
    assert task("civbio: student retention").crontab_id == shared_before
    assert AuditEntry.objects.get_for_object(moved).exists()


def test_the_reminders_are_switched_off_and_on(carla):
    schedules.change_schedule(actor=carla, task=task(), enabled=False)
    assert not task().enabled

    schedules.change_schedule(actor=carla, task=task(), enabled=True)
    assert task().enabled


@pytest.mark.parametrize(
    "name",
    [
        "civbio: student retention",
        "civbio: funder reports due",
        "civbio: stuck student imports",
        "civbio: re-queue stuck reports",
    ],
)
def test_the_jobs_that_keep_civbio_correct_cannot_be_switched_off(carla, name):
    with pytest.raises(ValidationError) as refused:
        schedules.change_schedule(actor=carla, task=task(name), enabled=False)

    assert "alleen herinneringen kunnen uit" in refused.value.message_dict["enabled"][0]
    assert task(name).enabled


def test_a_sweep_has_no_time_of_day(carla):
    with pytest.raises(ValidationError) as refused:
        schedules.change_schedule(
            actor=carla, task=task("civbio: stuck student imports"), at=time(3, 0)
        )

    assert "niet op een tijdstip" in refused.value.message_dict["at"][0]
    assert task("civbio: stuck student imports").crontab.hour == "*"


@pytest.mark.parametrize("person", ["dirk", "bram", "fien"])
def test_only_the_project_office_changes_the_schedules(request, person):
    with pytest.raises(PermissionDenied):
        schedules.change_schedule(
            actor=request.getfixturevalue(person), task=task(), at=time(9, 0), enabled=False
        )

    assert task().enabled and task().crontab.hour == "7"


# The pages --------------------------------------------------------------------------------------


def test_the_schedule_list_names_every_job_in_a_fixed_number_of_queries(
    client, carla, django_assert_num_queries
):
    client.force_login(carla)

    # session, user, periodic tasks with their crontabs, unread notifications
    with django_assert_num_queries(4):
        page = client.get(reverse("activities:schedule_list"))

    assert "Herinneringen" in page.text and "dagelijks om 07:00" in page.text
    assert "activities.tasks" not in page.text


def test_a_coordinator_changes_the_reminder_time_on_the_page(client, carla):
    client.force_login(carla)
    url = reverse("activities:schedule_edit", args=[task().pk])

    refused = submit(client, url, {"at": "25:00"})
    assert refused.status_code == 200
    assert "Geef de tijd in uren en minuten, bijvoorbeeld 07:30." in refused.text
    assert task().crontab.hour == "7"

    submit(client, url, {"at": "06:45", "enabled": []})

    changed = task()
    assert (changed.crontab.hour, changed.crontab.minute, changed.enabled) == ("6", "45", False)
    listing = client.get(reverse("activities:schedule_list")).text
    assert "dagelijks om 06:45" in listing


def test_a_job_that_always_runs_offers_no_switch(client, carla):
    client.force_login(carla)

    page = client.get(
        reverse("activities:schedule_edit", args=[task("civbio: student retention").pk])
    )

    assert 'name="at"' in page.text and 'name="enabled"' not in page.text


def test_the_schedule_pages_speak_english_too(client, carla):
    client.force_login(carla)

    listing = client.get("/en/schedules/")
    edit = client.get(f"/en/schedules/{task().pk}/")

    assert "Reminders and periodic jobs" in listing.text and "daily at 07:00" in listing.text
    assert "Time of day (Amsterdam time)" in edit.text


def test_crontabs_are_reused_for_the_same_time(carla):
    schedules.change_schedule(actor=carla, task=task(), at=time(3, 30))

    assert task().crontab_id == task("civbio: student retention").crontab_id
    assert CrontabSchedule.objects.filter(hour="3", minute="30").count() == 1
