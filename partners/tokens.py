"""Invitation links: a signed (id, nonce) pair, so nothing secret is stored in the database."""

from django.core import signing

from partners.models import Invitation

INVITATION_SALT = "civbio.partners.invitation"


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps([invitation.pk, invitation.nonce], salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a link points at, whatever its state; None for a forged or mangled link."""
    try:
        pk, nonce = signing.loads(token, salt=INVITATION_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=pk, nonce=nonce)
        .first()
    )
