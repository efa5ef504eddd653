"""Reminder e-mail: sent once, in the recipient's language, retried when the mail server fails."""

from django.urls import reverse

from activities.models import Reminder
from civbio.mail import Message, Tracking, absolute_url, send_once

TRACKING = Tracking(sent_at="emailed_at", attempts="email_attempts", last_error="last_error")


def _compose(reminder: Reminder) -> Message:
    return Message(
        to=reminder.recipient.email,
        template="activities/email/reminder",
        context={
            "person": reminder.recipient,
            "reminder": reminder,
            "message": reminder.text,
            "url": absolute_url(reminder.link),
            "settings_url": absolute_url(reverse("activities:reminder_settings")),
        },
    )


def send_reminder(reminder_id: int) -> bool:
    """Send a reminder's e-mail once (civbio.mail.send_once). Returns False when there was
    nothing (left) to send; a failure is recorded on the reminder and re-raised to retry."""
    return send_once(
        Reminder.objects.select_related("recipient").filter(recipient__is_active=True),
        reminder_id,
        tracking=TRACKING,
        language=lambda reminder: reminder.recipient.language,
        compose=_compose,
    )
