"""Reminder e-mail: sent once, in the recipient's language, retried when the mail server fails."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from activities.models import Reminder


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def send_reminder(reminder_id: int) -> bool:
    """Send a reminder's e-mail once. Returns False when there was nothing (left) to send.

    The row is locked while the mail goes out and marked sent in the same transaction, so two
    workers never send it twice and a worker that dies leaves it unsent for the retry. A failure
    is recorded on the reminder (coordinators see it in the admin) and re-raised to retry.
    """
    failure = None
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=reminder_id, emailed_at=None, recipient__is_active=True)
            .first()
        )
        if reminder is None:
            return False
        person = reminder.recipient
        with translation.override(person.language):
            context = {
                "person": person,
                "reminder": reminder,
                "message": reminder.text,
                "url": _absolute(reminder.link),
                "settings_url": _absolute(reverse("activities:reminder_settings")),
            }
            subject = render_to_string("activities/email/reminder_subject.txt", context).strip()
            body = render_to_string("activities/email/reminder_body.txt", context)
        try:
            send_mail(subject, body, None, [person.email])
        except Exception as exc:
            failure = exc
        else:
            Reminder.objects.filter(pk=reminder_id).update(
                emailed_at=timezone.now(), email_attempts=F("email_attempts") + 1, last_error=""
            )
    if failure is not None:
        Reminder.objects.filter(pk=reminder_id).update(
            email_attempts=F("email_attempts") + 1,
            last_error=f"{type(failure).__name__}: {failure}"[:300],
        )
        raise failure
    return True
