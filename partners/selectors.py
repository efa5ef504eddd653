from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.db.models import Count, Exists, OuterRef, Prefetch

from civbio import rules
from partners.models import Organisation, OrganisationKind, User

KIND_ORDER = [
    OrganisationKind.EDUCATION,
    OrganisationKind.WORK_FIELD,
    OrganisationKind.SUPPORT,
    OrganisationKind.GOVERNMENT,
    OrganisationKind.FUNDER,
]


def directory_groups(organisations) -> list[dict]:
    """Organisations grouped by kind in a fixed order, with their number of people. One query."""
    rows = list(organisations.with_people_count().order_by("-is_lead_applicant", "name"))
    groups = []
    for kind in KIND_ORDER:
        members = [o for o in rows if o.kind == kind]
        if members:
            groups.append({"kind": kind, "label": kind.label, "organisations": members})
    return groups


def organisation_page(user: User, organisation: Organisation) -> dict:
    """What a partner page shows `user`: the organisation and the people they may see."""
    people = list(rules.visible_people(user, organisation))
    return {
        "organisation": organisation,
        "people": people,
        "can_invite_here": rules.can_invite(user)
        and rules.invitable_organisations(user).filter(pk=organisation.pk).exists(),
        "can_edit_in_admin": rules.is_coordinator(user),
        "can_edit_profile": rules.can_edit_organisation(user, organisation),
    }


def partner_counts() -> dict:
    """The consortium's partners today (funding bodies are not partners), counted per kind in
    the directory's order, and their total: what a page says about the partners in words.
    One query."""
    counts = dict(
        Organisation.objects.partners()
        .active()
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    kinds = [(kind.label, counts[kind]) for kind in KIND_ORDER if counts.get(kind)]
    return {"total": sum(counts.values()), "kinds": kinds}


def contacts_by_organisation(kinds: list[str], limit: int | None = None) -> list[Organisation]:
    """Active partners of `kinds` (the first `limit` by name) with their contact persons
    prefetched, and whether anyone of theirs is in civbio at all (`has_people`: a partner
    with people but no contact person is told apart from one nobody joined yet). Two queries."""
    contacts = User.objects.active().filter(is_contact=True).order_by("name")
    partners = (
        Organisation.objects.active()
        .filter(kind__in=kinds)
        .annotate(has_people=Exists(User.objects.active().filter(organisation=OuterRef("pk"))))
        .prefetch_related(Prefetch("people", queryset=contacts, to_attr="contacts"))
        .order_by("name")
    )
    return list(partners[:limit] if limit else partners)


def account_page(user: User) -> dict:
    """What the account page says about the person's own sign-in: the e-mail address (and a new
    one waiting to be confirmed) and the second factor. Two queries."""
    addresses = list(EmailAddress.objects.filter(user=user).order_by("-primary", "pk"))
    confirmed = [a for a in addresses if a.verified]
    waiting = [a for a in addresses if not a.verified]
    authenticators = {a.type: a for a in Authenticator.objects.filter(user=user)}
    totp = authenticators.get(Authenticator.Type.TOTP)
    codes = authenticators.get(Authenticator.Type.RECOVERY_CODES)
    return {
        "email": confirmed[0].email if confirmed else user.email,
        "email_waiting": waiting[0].email if waiting else "",
        "totp": totp,
        "recovery_codes_left": len(RecoveryCodes(codes).get_unused_codes()) if codes else None,
        "recovery_codes_total": mfa_settings.RECOVERY_CODE_COUNT,
        "mfa_required": rules.needs_second_factor(user),
    }
