"""Reminders: each kind reaches the right people once, in their language, by e-mail and in the
app; opt-outs hold; failed e-mails are kept, shown and retried."""

import re
from collections import Counter
from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from activities import reminders, tasks
from activities.models import (
    NOTICE_KINDS,
    Notification,
    Reminder,
    ReminderKind,
    Request,
    RequestStatus,
)
from ledger.models import Contribution, ContributionKind, ContributionStatus
from programmes.models import Milestone, Project
from students.models import Edition
from tests.browser import submit
from tests.conftest import days
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_world(carla, dirk, bram, school, company, guest_lesson, posting):
    """One thing due for each kind of reminder (but the quarter's end, which has its own test)."""
    today = timezone.localdate()

    def request(day, status):
        return Request.objects.create(
            activity=guest_lesson,
            school=school,
            requested_by=dirk,
            date=day,
            group_name="LAB3A",
            student_count=20,
            status=status,
        )

    soon = request(days(2), RequestStatus.SCHEDULED)
    waiting = request(days(20), RequestStatus.REQUESTED)
    Request.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(days=6))
    request(days(2), RequestStatus.DECLINED)  # nothing to remind
    posting.application_deadline = days(5)
    posting.save()
    project = Project.objects.get()
    line = project.lines.get(number=1)
    # The fund's own report moments have their own dates: out of this hand count.
    Milestone.objects.exclude(system_key="").delete()
    Milestone.objects.create(
        project=project,
        programme_line=line,
        kind="deliverable",
        title="Module GMP klaar",
        due_date=days(10),
        owner_organisation=company,
    )
    Milestone.objects.create(
        project=project,
        programme_line=line,
        kind="deliverable",
        title="Evaluatie gastlessen",
        due_date=days(-3),
        owner_organisation=company,
    )
    edition = Edition.objects.create(
        module=ModuleFactory(),
        school=school,
        name="LAB2B",
        start_date=today - timedelta(days=40),
        end_date=today + timedelta(days=40),
    )
    edition.teachers.add(dirk)
    proposed = Contribution.objects.create(
        organisation=company,
        programme_line=line,
        kind=ContributionKind.STAFF_HOURS,
        hours=3,
        date=days(-9),
        description="Gastles LAB3A",
        status=ContributionStatus.PROPOSED,
    )
    Contribution.objects.filter(pk=proposed.pk).update(
        created_at=timezone.now() - timedelta(days=8)
    )
    return {"soon": soon, "waiting": waiting}


def test_each_kind_reaches_the_right_people_once(due_world, carla, dirk, bram):
    today = timezone.localdate()

    new = reminders.run_reminders(today)

    sent = Counter((r.kind, r.recipient.name) for r in Reminder.objects.select_related("recipient"))
    assert sent == Counter(
        {
            (ReminderKind.STARTS_SOON, "Bram"): 1,  # the host's contact
            (ReminderKind.STARTS_SOON, "Dirk"): 1,  # the teacher who asked
            (ReminderKind.UNANSWERED, "Bram"): 1,
            (ReminderKind.DEADLINE, "Bram"): 1,
            (ReminderKind.MILESTONE_DUE, "Bram"): 1,
            (ReminderKind.MILESTONE_DUE, "Carla"): 1,
            (ReminderKind.MILESTONE_OVERDUE, "Bram"): 1,
            (ReminderKind.MILESTONE_OVERDUE, "Carla"): 1,
            (ReminderKind.EDITION_STALE, "Dirk"): 1,
            (ReminderKind.HOURS_UNCONFIRMED, "Bram"): 1,
        }
    )
    stale = Reminder.objects.get(kind=ReminderKind.EDITION_STALE)
    assert stale.url == Edition.objects.get(name="LAB2B").get_absolute_url()
    assert len(new) == 10
    assert Notification.objects.filter(reminder__isnull=False).count() == 10
    # A second run, and one the next day, add nothing.
    assert reminders.run_reminders(today) == []
    tomorrow = reminders.run_reminders(today + timedelta(days=1))
    assert tomorrow == [], list(Reminder.objects.filter(pk__in=tomorrow).values())
    assert Reminder.objects.count() == 10


def test_the_quarters_end_reaches_contacts_and_coordinators(carla, bram, bea, dirk, consortium):
    end = Project.objects.get().quarters()[5][2]

    reminders.run_reminders(end - timedelta(days=10))
    assert not Reminder.objects.filter(kind=ReminderKind.QUARTER_END).exists()

    near = reminders.run_reminders(end - timedelta(days=2))

    got = {
        (r.recipient.name, r.url)
        for r in Reminder.objects.filter(kind=ReminderKind.QUARTER_END).select_related("recipient")
    }
    # Bram is BioCorp's contact (an employer); Carla coordinates; Dirk's school has no contact
    # person, so its staff hear it (Bea, no contact at BioCorp, does not).
    assert got == {
        ("Bram", reverse("ledger:my_contributions")),
        ("Dirk", reverse("ledger:my_contributions")),
        ("Carla", reverse("ledger:contribution_review")),
    }
    assert Reminder.objects.filter(pk__in=near, kind=ReminderKind.QUARTER_END).count() == 3


def test_people_switch_kinds_off(client, due_world, bram):
    client.force_login(bram)
    kinds = [k for k in ReminderKind.values if k not in NOTICE_KINDS | {ReminderKind.DEADLINE}]

    response = submit(client, reverse("activities:reminder_settings"), {"kinds": kinds})
    reminders.run_reminders()

    assert response.status_code == 302
    mine = set(Reminder.objects.filter(recipient=bram).values_list("kind", flat=True))
    assert ReminderKind.DEADLINE not in mine and ReminderKind.UNANSWERED in mine
    page = client.get(reverse("activities:reminder_settings"))
    assert ReminderKind.DEADLINE not in page.context["form"].initial["kinds"]


def test_the_task_mails_each_reminder_once_in_the_recipients_language(
    due_world, bram, dirk, django_capture_on_commit_callbacks
):
    bram.language = "en"
    bram.save()

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.run_reminders.delay().get() == 10
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.run_reminders.delay().get() == 0

    assert len(mail.outbox) == 10
    to_bram = [m for m in mail.outbox if m.to == [bram.email]]
    to_dirk = [m for m in mail.outbox if m.to == [dirk.email]]
    assert all("Dear Bram" in m.body for m in to_bram)
    assert all("Beste Dirk" in m.body for m in to_dirk)
    assert any("starts on" in m.body for m in to_bram)
    assert any("begint op" in m.body for m in to_dirk)
    assert all(m.body.count("/reminders/") == 1 for m in mail.outbox)
    links = {m.to[0]: re.findall(r"https?://\S+", m.body) for m in mail.outbox}
    assert all("/en/" in link for link in links[bram.email])
    assert not any("/en/" in link for link in links[dirk.email])
    assert not Reminder.objects.filter(emailed_at=None).exists()


def test_a_failed_email_is_kept_shown_and_retried(due_world, client, carla, monkeypatch):
    def broken(*args, **kwargs):
        raise SMTPException("relay down")

    monkeypatch.setattr("civbio.mail.send_mail", broken)
    ids = reminders.run_reminders()
    with pytest.raises(SMTPException):
        tasks.send_reminder_email.apply(args=[ids[0]], throw=True, retries=8)

    failed = Reminder.objects.get(pk=ids[0])
    assert failed.emailed_at is None and failed.email_attempts == 1
    assert "relay down" in failed.last_error
    client.force_login(carla)
    listing = client.get(reverse("admin:activities_reminder_changelist") + "?failed=yes")
    assert listing.status_code == 200 and "relay down" in listing.text

    monkeypatch.undo()
    assert tasks.retry_reminder_emails.delay().get() == 1
    assert Reminder.objects.get(pk=ids[0]).emailed_at is not None


def test_reminders_show_under_notifications(client, due_world, dirk):
    reminders.run_reminders()
    client.force_login(dirk)

    page = client.get(reverse("activities:notifications"))

    assert "Herinnering" in page.text and "begint op" in page.text
    assert "Nog niemand heeft" in page.text or "dertig dagen" in page.text
    # Read in English, a reminder's link stays in English.
    stored = Reminder.objects.filter(recipient=dirk).exclude(url="").first().url
    assert f'href="{stored}"' in page.text
    english = client.get("/en" + reverse("activities:notifications"))
    assert "Reminder" in english.text and f'href="/en{stored}"' in english.text


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_each_due_reminder_exactly_once(due_world, celery_worker_process):
    import time

    assert tasks.run_reminders.delay().get(timeout=60) == 10
    deadline = time.monotonic() + 60
    while Reminder.objects.filter(emailed_at=None).exists():
        assert time.monotonic() < deadline, "the worker did not send every e-mail"
        time.sleep(0.2)

    assert tasks.run_reminders.delay().get(timeout=60) == 0
    time.sleep(1)
    assert Reminder.objects.count() == 10
    assert set(Reminder.objects.values_list("email_attempts", flat=True)) == {1}
