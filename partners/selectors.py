from django.db.models import Prefetch

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


def contacts_by_organisation(kinds: list[str], limit: int | None = None) -> list[Organisation]:
    """Active partners of `kinds` (the first `limit` by name) with their contact persons
    prefetched. Two queries."""
    contacts = User.objects.active().filter(is_contact=True).order_by("name")
    partners = (
        Organisation.objects.active()
        .filter(kind__in=kinds)
        .prefetch_related(Prefetch("people", queryset=contacts, to_attr="contacts"))
        .order_by("name")
    )
    return list(partners[:limit] if limit else partners)
