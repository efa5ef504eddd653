"""Who may see and do what. Roles are `partners.models.Role`; the predicates and scoping live here.

Views fetch objects through the scoping querysets below, so another organisation's private record
is a 404 by construction, and pass templates booleans from the predicates.
"""

from django.contrib.auth.backends import BaseBackend
from django.db.models import Q, QuerySet

from partners.models import (
    ROLE_ORGANISATION_KINDS,
    Invitation,
    Organisation,
    Role,
    User,
)

# The apps whose data coordinators manage in the admin.
COORDINATOR_APP_LABELS = ("partners", "programmes", "activities", "reports")

DASHBOARD_URL_NAMES = {
    Role.COORDINATOR: "reports:dashboard_coordinator",
    Role.SCHOOL_STAFF: "reports:dashboard_school",
    Role.INDUSTRY_STAFF: "reports:dashboard_industry",
    Role.FUNDER: "reports:dashboard_funder",
}


class CoordinatorBackend(BaseBackend):
    """Grants active coordinators every model permission on the consortium's own apps.

    The role, kept on the person, is the single source of truth: no groups or staff flags to keep
    in step with it.
    """

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or getattr(user_obj, "role", None) != Role.COORDINATOR:
            return set()
        if not hasattr(user_obj, "_coordinator_perm_cache"):
            from django.contrib.auth.models import Permission

            perms = Permission.objects.filter(
                content_type__app_label__in=COORDINATOR_APP_LABELS
            ).values_list("content_type__app_label", "codename")
            user_obj._coordinator_perm_cache = {f"{label}.{code}" for label, code in perms}
        return user_obj._coordinator_perm_cache

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return (
            user_obj.is_active
            and getattr(user_obj, "role", None) == Role.COORDINATOR
            and app_label in COORDINATOR_APP_LABELS
        )


def has_role(user, *roles: str) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in roles)


def is_coordinator(user) -> bool:
    """Coordinators run the project office and see the whole consortium."""
    return has_role(user, Role.COORDINATOR)


def dashboard_url_name(user) -> str | None:
    """The dashboard a person lands on after login, by role."""
    return DASHBOARD_URL_NAMES.get(getattr(user, "role", None))


def role_fits_organisation(role: str, organisation: Organisation) -> bool:
    """A role belongs at organisations of fitting kinds (school staff at a school, …)."""
    return organisation.kind in ROLE_ORGANISATION_KINDS.get(role, set())


def can_invite(user) -> bool:
    """Coordinators invite anyone; an organisation's contact invites colleagues into it."""
    return is_coordinator(user) or bool(
        user.is_authenticated and user.is_active and user.is_contact and user.organisation_id
    )


def invitable_organisations(user) -> QuerySet[Organisation]:
    """The organisations `user` may invite people into."""
    if is_coordinator(user):
        return Organisation.objects.active()
    if can_invite(user):
        return Organisation.objects.filter(pk=user.organisation_id)
    return Organisation.objects.none()


def invitable_roles(user) -> list[str]:
    """Coordinators hand out any role; a contact invites colleagues with their own role."""
    if is_coordinator(user):
        return list(Role.values)
    if can_invite(user):
        return [user.role]
    return []


def can_invite_to(user, organisation: Organisation, role: str) -> bool:
    """Whether `user` may invite someone into `organisation` with `role`."""
    return (
        role in invitable_roles(user)
        and invitable_organisations(user).filter(pk=organisation.pk).exists()
        and role_fits_organisation(role, organisation)
    )


def visible_invitations(user) -> QuerySet[Invitation]:
    """Invitations one may see and revoke: all for coordinators, their own org's for contacts."""
    invitations = Invitation.objects.select_related("organisation", "invited_by")
    if is_coordinator(user):
        return invitations
    if can_invite(user):
        return invitations.filter(organisation_id=user.organisation_id)
    return invitations.none()


def visible_organisations(user) -> QuerySet[Organisation]:
    """Partner pages are for logged-in people; anyone logged in sees every organisation."""
    if user.is_authenticated and user.is_active:
        return Organisation.objects.all()
    return Organisation.objects.none()


def can_edit_organisation(user, organisation: Organisation) -> bool:
    """Coordinators and an organisation's own contact persons keep its profile up to date."""
    if is_coordinator(user):
        return True
    return (
        has_role(user, *Role.values) and user.is_contact and user.organisation_id == organisation.pk
    )


def visible_people(user, organisation: Organisation) -> QuerySet[User]:
    """People of `organisation` that `user` may see.

    Colleagues and coordinators see everyone at an organisation; other partners see only its
    contact persons, the people meant to be reached.
    """
    people = organisation.people.active().order_by("-is_contact", "name")
    if is_coordinator(user) or user.organisation_id == organisation.pk:
        return people
    return people.filter(Q(is_contact=True))
