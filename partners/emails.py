"""E-mail that partners' people receive, rendered in the recipient's language."""

from django.urls import reverse
from django.utils import translation

from civbio.mail import Message, Tracking, absolute_url, send_once
from partners.models import Invitation
from partners.tokens import invitation_token

TRACKING = Tracking(sent_at="sent_at", attempts="send_attempts", last_error="last_send_error")


def invitation_url(invitation: Invitation) -> str:
    with translation.override(invitation.language):
        path = reverse("partners:invitation_accept", args=[invitation_token(invitation)])
    return absolute_url(path)


def _compose(invitation: Invitation) -> Message:
    return Message(
        to=invitation.email,
        template="partners/email/invitation",
        context={
            "invitation": invitation,
            "url": invitation_url(invitation),
            "inviter": invitation.invited_by,
        },
    )


def send_invitation(invitation_id: int) -> bool:
    """Send the invitation e-mail once (civbio.mail.send_once). Returns False when there was
    nothing (left) to send; a failure is recorded on the invitation and re-raised so the task
    retries with back-off."""
    return send_once(
        Invitation.objects.pending().select_related("organisation", "invited_by"),
        invitation_id,
        tracking=TRACKING,
        language=lambda invitation: invitation.language,
        compose=_compose,
    )
