"""Writes about people and organisations: invitations and joining."""

from typing import cast

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _

from civbio import rules
from partners.models import AccessLog, Invitation, Organisation, Role, User
from partners.tasks import send_invitation_email


def role_refusal(role: str, organisation: Organisation) -> str | None:
    """Why `role` cannot be given at `organisation`, in words for the inviter; None if it can."""
    if rules.role_allowed_at(role, organisation):
        return None
    if role == Role.COORDINATOR and rules.role_fits_organisation(role, organisation):
        coordinating = [o.name for o in rules.coordinating_organisations().order_by("name")]
        if not coordinating:
            return _(
                "The coordinator role belongs to the project office at the lead applicant, and "
                "no organisation is the lead applicant yet."
            )
        return _(
            "The coordinator role belongs to the project office, at %(coordinating)s only. "
            "Choose another role for %(organisation)s."
        ) % {"coordinating": ", ".join(coordinating), "organisation": organisation.name}
    return _("A %(role)s cannot work at an organisation of the kind “%(kind)s”.") % {
        "role": str(dict(Role.choices).get(role, role)).lower(),
        "kind": organisation.get_kind_display(),
    }


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

    Coordinators invite anyone; an organisation's contact invites colleagues into it.
    """
    if not rules.can_invite_to(actor, organisation, role):
        raise PermissionDenied(_("You may not invite people into this organisation."))
    return issue_invitation(
        email=email,
        organisation=organisation,
        role=role,
        name=name,
        language=language,
        invited_by=actor,
        # Only the project office sees (and overrides) what happens at other organisations.
        consortium_wide=rules.is_coordinator(actor),
    )


@transaction.atomic
def issue_invitation(
    *,
    email: str,
    organisation: Organisation,
    role: str,
    name: str = "",
    language: str = "nl",
    invited_by: User | None = None,
    consortium_wide: bool = True,
) -> Invitation:
    """Create an invitation and send its e-mail once the transaction commits.

    No permission check: callers are `invite_person` (which checks) and the operator's
    `manage.py invite` (which has the server). An earlier pending invitation for the same address
    and organisation is revoked, so only the newest link works. Without `consortium_wide` (an
    organisation's contact) an account or pending invitation elsewhere is refused with a neutral
    message that does not reveal where.
    """
    refusal = role_refusal(role, organisation)
    if refusal:
        raise ValidationError({"role": refusal})
    email = email.strip().lower()
    now = timezone.now()
    # Lock the address's pending invitations: two invitations at once still leave one link.
    pending = list(Invitation.objects.for_email(email).pending(now).select_for_update())
    elsewhere = [i for i in pending if i.organisation_id != organisation.pk]
    if User.objects.with_email(email).exists() or (elsewhere and not consortium_wide):
        message = (
            _("Someone with this e-mail address already has an account or an invitation.")
            if consortium_wide
            else _("This address cannot be invited from here. Ask the project office.")
        )
        raise ValidationError({"email": message})
    Invitation.objects.filter(pk__in=[i.pk for i in pending]).update(revoked_at=now)
    invitation = Invitation.objects.create(
        email=email,
        name=name.strip(),
        organisation=organisation,
        role=role,
        language=language,
        invited_by=invited_by,
    )
    # robust: a mail server that is down must not undo or break the invitation; the failure is
    # recorded on the invitation and it can be sent again.
    transaction.on_commit(lambda: send_invitation_email.delay(invitation.pk), robust=True)
    return invitation


@transaction.atomic
def resend_invitation(*, actor: User, invitation: Invitation) -> bool:
    """Queue a pending invitation's e-mail again (after a failure, or when it went astray)."""
    if not rules.visible_invitations(actor).filter(pk=invitation.pk).exists():
        raise PermissionDenied(_("You may not resend this invitation."))
    reset = Invitation.objects.pending().filter(pk=invitation.pk).update(sent_at=None)
    if reset:
        transaction.on_commit(lambda: send_invitation_email.delay(invitation.pk), robust=True)
    return bool(reset)


class EditConflict(Exception):
    """Someone else saved the same record after the editor opened it."""


@transaction.atomic
def update_organisation_profile(
    *, actor: User, organisation: Organisation, changes: dict, version: str
) -> Organisation:
    """Save a partner's own profile (description, website, city, logo).

    `version` is the `updated_at` the editor saw: if the row changed since, nothing is saved and
    EditConflict is raised, so two people editing at once never overwrite each other silently.
    """
    if not rules.can_edit_organisation(actor, organisation):
        raise PermissionDenied(_("You may not edit this organisation."))
    current = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if current.updated_at.isoformat() != version:
        raise EditConflict
    old_logo = current.logo.name if current.logo else ""
    for name, value in changes.items():
        # The profile form edits the organisation's own columns, never a relation's other side.
        field = cast(Field, Organisation._meta.get_field(name))
        # save_form_data knows a cleared file (False) from an unchanged one.
        field.save_form_data(current, value)
    current.save()
    new_logo = current.logo.name if current.logo else ""
    if old_logo and old_logo != new_logo:
        storage = current.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    return current


@transaction.atomic
def revoke_invitation(*, actor: User, invitation: Invitation) -> bool:
    """Withdraw a pending invitation; its link stops working at once. False when it was no longer
    pending (accepted, expired or revoked already)."""
    if not rules.visible_invitations(actor).filter(pk=invitation.pk).exists():
        raise PermissionDenied(_("You may not revoke this invitation."))
    return bool(
        Invitation.objects.pending().filter(pk=invitation.pk).update(revoked_at=timezone.now())
    )


@transaction.atomic
def accept_invitation(*, invitation: Invitation, name: str, password: str) -> User:
    """Turn a pending invitation into an account with a verified e-mail address.

    The invitation is claimed with a conditional update, so a link used twice at the same moment
    still makes one account. Its role is checked again: an invitation made before the rules (or
    before the lead applicant changed) never makes a coordinator outside the project office.
    """
    if not rules.role_allowed_at(invitation.role, invitation.organisation):
        raise ValidationError(
            _(
                "This invitation gives the role “%(role)s” at %(organisation)s, which is not "
                "possible there. Ask the project office for a new invitation."
            )
            % {"role": Role(invitation.role).label.lower(), "organisation": invitation.organisation}
        )
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


def log_access_many(*, actor: User, action: str, target_type: str, target_ids: list[int]) -> None:
    AccessLog.objects.bulk_create(
        [
            AccessLog(actor=actor, action=action, target_type=target_type, target_id=pk)
            for pk in target_ids
        ]
    )


def log_access(*, actor: User, action: str, target_type: str, target_id: int) -> None:
    """Record that `actor` viewed or exported personal data (a student page, an export)."""
    AccessLog.objects.create(
        actor=actor, action=action, target_type=target_type, target_id=target_id
    )


@transaction.atomic
def update_account(*, actor: User, name: str, language: str) -> User:
    """Save a person's own name and preferred language (their e-mails and, after login, their
    dashboard come in it). Only these two fields are written: role and organisation are the
    project office's."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Fill in your name.")})
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    person = User.objects.select_for_update().get(pk=actor.pk)
    person.name = name
    person.language = language
    person.save(update_fields=["name", "language"])
    return person
