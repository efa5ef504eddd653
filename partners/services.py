"""Writes about people and organisations: partners joining and leaving, invitations, accounts."""

from datetime import date
from typing import cast

from allauth.account.models import EmailAddress
from auditlog.models import LogEntry as AuditEntry
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Field
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from civbio import rules
from partners.models import (
    USUAL_ROLE_BY_KIND,
    AccessLog,
    CofinancingCategory,
    Invitation,
    Organisation,
    Role,
    User,
)
from partners.tasks import send_invitation_email

# Addresses under /partners/ that are pages, not partners: no organisation's slug may take them.
RESERVED_SLUGS = {"new"}


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
    makes_contact: bool = False,
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
        makes_contact=makes_contact,
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
                is_contact=invitation.makes_contact,
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


# Partners joining and leaving ------------------------------------------------------------------


def unique_slug(name: str) -> str:
    """An address for a new organisation's page: its name in lower case and hyphens, numbered
    when another organisation (or a page under /partners/) has it already."""
    base = (slugify(name) or "partner")[:70].strip("-") or "partner"
    taken = (
        set(Organisation.objects.filter(slug__startswith=base).values_list("slug", flat=True))
        | RESERVED_SLUGS
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def _required_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason: it stays in the partner's history.")})
    return reason[:300]


def _record(actor: User, organisation: Organisation, changes: dict, reason: str) -> None:
    """Write a change made with a queryset update into the audit trail, with who made it and
    why (the reason shows in the partner page's change history)."""
    AuditEntry.objects.log_create(
        organisation,
        force_log=True,
        action=AuditEntry.Action.UPDATE,
        changes=changes,
        actor=actor,
        additional_data={"reason": reason},
    )


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


@transaction.atomic
def add_organisation(
    *,
    actor: User,
    name: str,
    kind: str,
    cofinancing_category: str,
    active_since: date,
    sbb_leerbedrijf_id: str = "",
    website: str = "",
    logo=None,
    first_contact: dict | None = None,
) -> tuple[Organisation, Invitation | None]:
    """Add an organisation to the consortium from `active_since`, and invite its first contact
    (`first_contact`: email, name, role, language) in the same step: both are made, or neither.

    The first contact becomes the organisation's contact person when they accept (they keep its
    profile up to date and invite colleagues); an empty role gives the usual role at an
    organisation of this kind. The invitation's e-mail goes out once everything is saved.
    """
    if not rules.can_manage_partners(actor):
        raise PermissionDenied(_("Only the project office adds partners."))
    name = name.strip()
    if Organisation.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("An organisation with this name is already in civbio.")})
    if first_contact and active_since > timezone.localdate():
        raise ValidationError(
            {
                "active_since": _(
                    "People of a partner can log in from the day it joins: invite its first "
                    "contact on or after %(day)s, or give an earlier date."
                )
                % {"day": formats.date_format(active_since, "SHORT_DATE_FORMAT")}
            }
        )
    organisation = Organisation(
        name=name,
        slug=unique_slug(name),
        kind=kind,
        cofinancing_category=cofinancing_category,
        active_since=active_since,
        sbb_leerbedrijf_id=sbb_leerbedrijf_id.strip(),
        website=website,
    )
    if logo:
        organisation.logo = logo
    organisation.full_clean()
    try:
        # A savepoint: a name taken at the same moment is a message, not a server error.
        with transaction.atomic():
            organisation.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"name": _("An organisation with this name is already in civbio.")}
        ) from exc
    invitation = None
    if first_contact:
        try:
            invitation = issue_invitation(
                email=first_contact["email"],
                name=first_contact.get("name", ""),
                organisation=organisation,
                role=first_contact.get("role") or USUAL_ROLE_BY_KIND[kind],
                language=first_contact.get("language") or settings.LANGUAGE_CODE,
                invited_by=actor,
                makes_contact=True,
            )
        except Exception:
            # The rows go with the transaction; the stored logo file must go by hand.
            if organisation.logo.name:
                organisation.logo.storage.delete(organisation.logo.name)
            raise
    return organisation, invitation


@transaction.atomic
def mark_organisation_left(
    *, actor: User, organisation: Organisation, last_day: date, reason: str
) -> Organisation:
    """Record that `organisation` leaves the consortium after `last_day`.

    Nothing of its history goes: contributions, activities and people stay. From the next day it
    shows as a former partner, no longer counts as a partner on the project and public pages,
    and its people can no longer log in. Pending invitations into it are withdrawn when that day
    has passed already. `take_back_departure` undoes it.
    """
    if not rules.can_manage_partners(actor):
        raise PermissionDenied(_("Only the project office records that a partner leaves."))
    reason = _required_reason(reason)
    current = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if current.pk == actor.organisation_id or not rules.may_leave(current):
        raise ValidationError(
            _(
                "%(name)s is where the project office works: marking it as left would lock the "
                "coordinators out of civbio."
            )
            % {"name": current.name}
        )
    if current.active_until is not None:
        raise ValidationError(
            _(
                "%(name)s is already marked as a partner until %(day)s. Take that back first "
                "to give another date."
            )
            % {
                "name": current.name,
                "day": formats.date_format(current.active_until, "SHORT_DATE_FORMAT"),
            }
        )
    if current.active_since and last_day < current.active_since:
        raise ValidationError(
            {
                "last_day": _("It joined on %(day)s: its last day cannot be before that.")
                % {"day": formats.date_format(current.active_since, "SHORT_DATE_FORMAT")}
            }
        )
    Organisation.objects.filter(pk=current.pk).update(
        active_until=last_day, updated_at=timezone.now()
    )
    _record(actor, current, {"active_until": [None, _day(last_day)]}, reason)
    if last_day < timezone.localdate():
        Invitation.objects.pending().filter(organisation=current).update(revoked_at=timezone.now())
    current.refresh_from_db()
    return current


@transaction.atomic
def take_back_departure(*, actor: User, organisation: Organisation, reason: str) -> Organisation:
    """Undo `mark_organisation_left`: the organisation is a partner again with no end date, and
    its people can log in again. (An organisation has one partnership period: a partner that
    really returns years later keeps its first joining date.)"""
    if not rules.can_manage_partners(actor):
        raise PermissionDenied(_("Only the project office records that a partner leaves."))
    reason = _required_reason(reason)
    current = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if current.active_until is None:
        raise ValidationError(_("%(name)s is not marked as leaving.") % {"name": current.name})
    Organisation.objects.filter(pk=current.pk).update(active_until=None, updated_at=timezone.now())
    _record(actor, current, {"active_until": [_day(current.active_until), None]}, reason)
    current.refresh_from_db()
    return current


@transaction.atomic
def change_cofinancing_category(
    *, actor: User, organisation: Organisation, category: str, reason: str
) -> Organisation:
    """Change how `organisation`'s co-financing counts under the RIF rules, with the reason.
    The finance page's rule checks read the category as it is now: the partner counts in the
    new category at once."""
    if not rules.can_manage_partners(actor):
        raise PermissionDenied(_("Only the project office changes a co-financing category."))
    if category not in CofinancingCategory.values:
        raise ValidationError({"category": _("Choose one of the categories offered.")})
    reason = _required_reason(reason)
    current = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if current.cofinancing_category == category:
        raise ValidationError(
            {
                "category": _("The co-financing of %(name)s counts this way already.")
                % {"name": current.name}
            }
        )
    Organisation.objects.filter(pk=current.pk).update(
        cofinancing_category=category, updated_at=timezone.now()
    )
    _record(
        actor, current, {"cofinancing_category": [current.cofinancing_category, category]}, reason
    )
    current.refresh_from_db()
    return current
