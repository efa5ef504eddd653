"""The periodic work as coordinators see it: each of civbio's django-celery-beat schedules by a
readable name, its time of day (Amsterdam time) and whether it runs.

Only the reminder jobs can be switched off. The others keep the app correct — the funder reports
due, the students' retention clean-up, the sweeps that queue a lost import or report again — so
they always run; the daily ones may move to another time. The sweeps run every minute or every
few seconds and have no time of day. A change is saved through the PeriodicTask model (not a
queryset update), whose save marks the schedules changed (PeriodicTasks), so a running beat
reads it without a restart.
"""

from dataclasses import dataclass
from datetime import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from civbio import rules
from partners.models import User

TIMEZONE = "Europe/Amsterdam"


@dataclass(frozen=True)
class Job:
    label: Promise
    purpose: Promise
    daily: bool  # runs once a day at a time of day, which may be changed
    can_switch_off: bool


# By the PeriodicTask's name, as the migrations create them (civbio/schedules.py).
JOBS: dict[str, Job] = {
    "civbio: reminders": Job(
        gettext_lazy("Reminders"),
        gettext_lazy(
            "Sends the day's reminders: deadlines, placements starting, evidence still missing."
        ),
        daily=True,
        can_switch_off=True,
    ),
    "civbio: retry reminder e-mails": Job(
        gettext_lazy("Reminder e-mails that failed, sent again"),
        gettext_lazy("Every hour, a quarter past."),
        daily=False,
        can_switch_off=True,
    ),
    "civbio: funder reports due": Job(
        gettext_lazy("Funder reports due"),
        gettext_lazy("Makes the funder reports whose period has ended."),
        daily=True,
        can_switch_off=False,
    ),
    "civbio: student retention": Job(
        gettext_lazy("Clean-up of students' data"),
        gettext_lazy("Erases students' data once its retention period has passed."),
        daily=True,
        can_switch_off=False,
    ),
    "civbio: stuck student imports": Job(
        gettext_lazy("Student imports that stopped, resumed"),
        gettext_lazy("Every minute."),
        daily=False,
        can_switch_off=False,
    ),
    "civbio: re-queue stuck reports": Job(
        gettext_lazy("Reports that stopped, resumed"),
        gettext_lazy("Every 20 seconds."),
        daily=False,
        can_switch_off=False,
    ),
}


def job_of(task: PeriodicTask) -> Job:
    return JOBS[task.name]


def civbio_schedules():
    """civbio's periodic jobs (those JOBS names), with their crontabs: one query."""
    return PeriodicTask.objects.filter(name__in=JOBS).select_related("crontab")


def time_of(task: PeriodicTask) -> time | None:
    """The time of day a daily job runs, or None for one that does not run once a day."""
    crontab = task.crontab
    if crontab is None or not (crontab.hour.isdigit() and crontab.minute.isdigit()):
        return None
    return time(int(crontab.hour), int(crontab.minute))


def schedule_rows() -> list[dict]:
    """The schedules page: each job in JOBS order, with its name, purpose, time and state."""
    tasks = {task.name: task for task in civbio_schedules()}
    return [
        {"task": tasks[name], "job": job, "time": time_of(tasks[name])}
        for name, job in JOBS.items()
        if name in tasks
    ]


@transaction.atomic
def change_schedule(
    *, actor: User, task: PeriodicTask, at: time | None = None, enabled: bool | None = None
) -> PeriodicTask:
    """Move a daily job to another time of day (Amsterdam time), or switch a reminder job on or
    off. The crontab is looked up or made for the new time, never changed in place: other jobs
    may share it."""
    if not rules.can_manage_catalogues(actor):
        raise PermissionDenied(_("Only the project office changes when periodic jobs run."))
    task = (
        PeriodicTask.objects.select_for_update(of=("self",))
        .select_related("crontab")
        .get(pk=task.pk)
    )
    job = JOBS.get(task.name)
    if job is None:
        raise PermissionDenied(_("This periodic job is not one of civbio's."))
    errors = {}
    if at is not None and at != time_of(task):
        if not job.daily or task.crontab is None:
            errors["at"] = _("This job does not run at a time of day; its time cannot be set.")
        elif at.second or at.microsecond:
            errors["at"] = _("Give the time in hours and minutes, such as 07:30.")
        else:
            task.crontab, _created = CrontabSchedule.objects.get_or_create(
                minute=str(at.minute),
                hour=str(at.hour),
                day_of_month=task.crontab.day_of_month,
                month_of_year=task.crontab.month_of_year,
                day_of_week=task.crontab.day_of_week,
                timezone=TIMEZONE,
            )
    if enabled is not None and enabled != task.enabled:
        if not enabled and not job.can_switch_off:
            errors["enabled"] = _(
                "This job keeps civbio correct and always runs; only reminders can be switched off."
            )
        else:
            task.enabled = enabled
    if errors:
        raise ValidationError(errors)
    # The model's save, not an update: it tells a running beat that the schedules changed.
    task.save()
    return task
