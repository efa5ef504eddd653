"""Tracked e-mail: one message per row (an invitation, a reminder), sent at most once.

The row is locked while the mail goes out and marked sent in the same transaction: a worker that
dies mid-way leaves it unsent (and the task, acknowledged late, runs again), and two workers never
send it twice. A failure is counted and recorded on the row, then re-raised so the task retries
with back-off; coordinators see the last error in the admin.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation


def absolute_url(path: str) -> str:
    """A path of the site as a full address, for a mail or a file read away from the site."""
    return settings.SITE_URL.rstrip("/") + path


@dataclass(frozen=True)
class Message:
    to: str
    template: str  # "<app>/email/<name>": <name>_subject.txt and <name>_body.txt
    context: dict[str, Any]


@dataclass(frozen=True)
class Tracking:
    """The row's fields that record the sending."""

    sent_at: str
    attempts: str
    last_error: str


def send_once(
    rows: QuerySet,
    pk: int,
    *,
    tracking: Tracking,
    language: Callable[[Any], str],
    compose: Callable[[Any], Message],
) -> bool:
    """Send the mail of row `pk` among `rows` (unsent ones only), composed in the recipient's
    `language(row)`. Returns False when there was nothing (left) to send; raises what the mail
    server raised, after recording it."""
    failure = None
    with transaction.atomic():
        row = (
            rows.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=pk, **{tracking.sent_at: None})
            .first()
        )
        if row is None:
            return False
        with translation.override(language(row)):
            message = compose(row)
            subject = render_to_string(f"{message.template}_subject.txt", message.context).strip()
            body = render_to_string(f"{message.template}_body.txt", message.context)
        try:
            send_mail(subject, body, None, [message.to])
        except Exception as exc:
            failure = exc
        else:
            rows.model.objects.filter(pk=pk).update(
                **{
                    tracking.sent_at: timezone.now(),
                    tracking.attempts: F(tracking.attempts) + 1,
                    tracking.last_error: "",
                }
            )
    if failure is not None:
        rows.model.objects.filter(pk=pk).update(
            **{
                tracking.attempts: F(tracking.attempts) + 1,
                tracking.last_error: f"{type(failure).__name__}: {failure}"[:300],
            }
        )
        raise failure
    return True
