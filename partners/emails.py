"""E-mail that partners' people receive, rendered in the recipient's language."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from partners.models import Invitation
from partners.tokens import invitation_token


def invitation_url(invitation: Invitation) -> str:
    with translation.override(invitation.language):
        path = reverse("partners:invitation_accept", args=[invitation_token(invitation)])
    return settings.SITE_URL.rstrip("/") + path


def send_invitation(invitation_id: int) -> bool:
    """Send the invitation e-mail once. Returns False when there was nothing (left) to send.

    The row is locked while the mail goes out and marked sent in the same transaction: a worker
    that dies mid-way leaves it unsent (and the task, acknowledged late, runs again), and two
    workers never send it twice. A failure is recorded on the invitation and re-raised so the
    task retries with back-off.
    """
    failure = None
    with transaction.atomic():
        invitation = (
            Invitation.objects.pending()
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("organisation", "invited_by")
            .filter(pk=invitation_id, sent_at=None)
            .first()
        )
        if invitation is None:
            return False
        context = {
            "invitation": invitation,
            "url": invitation_url(invitation),
            "inviter": invitation.invited_by,
        }
        with translation.override(invitation.language):
            subject = render_to_string("partners/email/invitation_subject.txt", context).strip()
            body = render_to_string("partners/email/invitation_body.txt", context)
        try:
            send_mail(subject, body, None, [invitation.email])
        except Exception as exc:
            failure = exc
        else:
            Invitation.objects.filter(pk=invitation_id).update(
                sent_at=timezone.now(), send_attempts=F("send_attempts") + 1, last_send_error=""
            )
    if failure is not None:
        Invitation.objects.filter(pk=invitation_id).update(
            send_attempts=F("send_attempts") + 1,
            last_send_error=f"{type(failure).__name__}: {failure}"[:300],
        )
        raise failure
    return True
