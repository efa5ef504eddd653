from datetime import timedelta
from functools import partial
from smtplib import SMTPException

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from activities import emails, reminders
from activities.models import Reminder


@shared_task(acks_late=True)
def run_reminders() -> int:
    """Store and send the reminders due today. Safe to run as often as one likes: what was sent
    before is not sent again."""
    ids = reminders.run_reminders()
    for pk in ids:
        transaction.on_commit(partial(send_reminder_email.delay, pk))
    return len(ids)


@shared_task(
    # OSError covers refused connections, time-outs and DNS failures.
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
    acks_late=True,
)
def send_reminder_email(reminder_id: int) -> bool:
    return emails.send_reminder(reminder_id)


@shared_task(acks_late=True)
def retry_reminder_emails() -> int:
    """Queue again the reminder e-mails of the past week that failed and ran out of retries."""
    week_ago = timezone.now() - timedelta(days=7)
    ids = list(
        Reminder.objects.filter(
            emailed_at=None, email_attempts__gt=0, created_at__gte=week_ago
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        send_reminder_email.delay(pk)
    return len(ids)
