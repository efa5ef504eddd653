"""E-mail that partners' people receive, rendered in the recipient's language."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
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

    The send is claimed with a conditional update; if the mail server fails the claim is released
    so a retry sends it, and the error propagates to the task, which retries with back-off.
    """
    now = timezone.now()
    claimed = (
        Invitation.objects.pending(now).filter(pk=invitation_id, sent_at=None).update(sent_at=now)
    )
    if not claimed:
        return False
    invitation = Invitation.objects.select_related("organisation", "invited_by").get(
        pk=invitation_id
    )
    context = {
        "invitation": invitation,
        "url": invitation_url(invitation),
        "inviter": invitation.invited_by,
    }
    try:
        with translation.override(invitation.language):
            subject = render_to_string("partners/email/invitation_subject.txt", context).strip()
            body = render_to_string("partners/email/invitation_body.txt", context)
        send_mail(subject, body, None, [invitation.email])
    except Exception:
        with transaction.atomic():
            Invitation.objects.filter(pk=invitation_id, sent_at=now).update(sent_at=None)
        raise
    return True
