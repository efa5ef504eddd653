"""Writes about people and organisations: invitations and joining."""

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civbio import rules
from partners.models import Invitation, Organisation, User
from partners.tasks import send_invitation_email


class InvitationUnavailable(Exception):
    """The invitation was accepted, revoked or has expired: its link no longer opens anything."""

    def __init__(self, invitation: Invitation):
        super().__init__(invitation.status)
        self.invitation = invitation


@transaction.atomic
def invite_person(
    *,
    actor: User,
    email: str,
    organisation: Organisation,
    role: str,
    name: str = "",
    language: str = "nl",
) -> Invitation:
    """Invite someone by e-mail to join `organisation` with `role`, and send the link.

    An earlier pending invitation for the same address is revoked, so only the newest link works.
    """
    if not rules.can_invite_to(actor, organisation, role):
        raise PermissionDenied(_("You may not invite people into this organisation."))
    email = email.strip().lower()
    if User.objects.with_email(email).exists():
        raise ValidationError(
            {"email": _("Someone with this e-mail address already has an account.")}
        )
    now = timezone.now()
    Invitation.objects.for_email(email).pending(now).update(revoked_at=now)
    invitation = Invitation.objects.create(
        email=email,
        name=name.strip(),
        organisation=organisation,
        role=role,
        language=language,
        invited_by=actor,
    )
    transaction.on_commit(lambda: send_invitation_email.delay(invitation.pk))
    return invitation


@transaction.atomic
def revoke_invitation(*, actor: User, invitation: Invitation) -> None:
    """Withdraw a pending invitation; its link stops working at once."""
    if not rules.visible_invitations(actor).filter(pk=invitation.pk).exists():
        raise PermissionDenied(_("You may not revoke this invitation."))
    Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def accept_invitation(*, invitation: Invitation, name: str, password: str) -> User:
    """Turn a pending invitation into an account with a verified e-mail address.

    The invitation is claimed with a conditional update, so a link used twice at the same moment
    still makes one account.
    """
    now = timezone.now()
    claimed = Invitation.objects.pending(now).filter(pk=invitation.pk).update(accepted_at=now)
    if not claimed:
        invitation.refresh_from_db()
        raise InvitationUnavailable(invitation)
    if User.objects.with_email(invitation.email).exists():
        raise ValidationError(_("Someone with this e-mail address already has an account."))
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=invitation.email,
                password=password,
                name=name.strip() or invitation.name,
                organisation=invitation.organisation,
                role=invitation.role,
                language=invitation.language,
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("Someone with this e-mail address already has an account.")
        ) from exc
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    Invitation.objects.filter(pk=invitation.pk).update(accepted_by=user)
    return user
