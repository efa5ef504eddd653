"""Who may see and do what. Roles are `partners.models.Role`; the predicates and scoping live here.

Views fetch objects through the scoping querysets below, so another organisation's private record
is a 404 by construction, and pass templates booleans from the predicates.
"""

from collections.abc import Callable
from datetime import date
from functools import wraps

from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from activities.choices import REQUESTABLE_KINDS
from activities.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Nomination,
    NominationStatus,
    Request,
)
from activities.querysets import (
    ActivityQuerySet,
    NominationQuerySet,
    RequestQuerySet,
)
from ledger.models import Contribution
from partners.backends import AuthenticationBackend
from partners.models import (
    ROLE_ORGANISATION_KINDS,
    Invitation,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from programmes.models import Indicator, Milestone
from students.models import Edition, Student
from students.querysets import StudentQuerySet

# The apps whose data coordinators manage in the admin.
# The consortium's own apps, and the schedules of its periodic work (django-celery-beat).
COORDINATOR_APP_LABELS = (
    "partners",
    "programmes",
    "students",
    "activities",
    "ledger",
    "reports",
    "django_celery_beat",
)

# Keyed by the stored role (a plain string on a loaded person).
DASHBOARD_URL_NAMES: dict[str, str] = {
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


def role_required(predicate: Callable[[User], bool]):
    """A view decorator: anonymous people go to the login page, and a person for whom
    `predicate(person)` is false gets 403 before the view reads anything.

    `@role_required(rules.is_staff_member)`, `@role_required(rules.can_run_editions)`."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def dashboard_url_name(user) -> str | None:
    """The dashboard a person lands on after login, by role; a technical superuser without a role
    lands in the admin."""
    url_name = DASHBOARD_URL_NAMES.get(getattr(user, "role", None) or "")
    if url_name is None and getattr(user, "is_superuser", False):
        return "admin:index"
    return url_name


def role_fits_organisation(role: str, organisation: Organisation) -> bool:
    """A role belongs at organisations of fitting kinds (school staff at a school, …)."""
    return organisation.kind in ROLE_ORGANISATION_KINDS.get(role, set())


def coordinating_organisations() -> QuerySet[Organisation]:
    """Where the project office sits: the lead applicant (the flag on the organisation, and the
    lead organisation the project names). Only these organisations have coordinators."""
    return Organisation.objects.filter(
        Q(is_lead_applicant=True) | Q(led_projects__isnull=False)
    ).distinct()


def role_allowed_at(role: str, organisation: Organisation) -> bool:
    """Whether a person may hold `role` at `organisation`: the role fits the organisation's kind,
    and the coordinator role (which sees and changes everything) only at a coordinating one."""
    if not role_fits_organisation(role, organisation):
        return False
    return role != Role.COORDINATOR or (
        coordinating_organisations().filter(pk=organisation.pk).exists()
    )


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


def can_manage_partners(user) -> bool:
    """The project office runs the consortium: it adds partners, records that one leaves (or
    takes that back) and changes how a partner's co-financing counts."""
    return is_coordinator(user)


def can_manage_targets(user) -> bool:
    """The project office plans the programme: it creates, edits and retires indicators and
    their targets, and plans milestones. Everyone else reads them as they are."""
    return is_coordinator(user)


def manageable_indicators(user) -> QuerySet[Indicator]:
    """The indicators `user` may edit or retire: every one for the project office, none for
    anyone else."""
    return Indicator.objects.all() if can_manage_targets(user) else Indicator.objects.none()


def manageable_milestones(user) -> QuerySet[Milestone]:
    """The milestones whose plan `user` may change or remove (their status is updated by the
    owner as well: programmes.services.update_milestone)."""
    return Milestone.objects.all() if can_manage_targets(user) else Milestone.objects.none()


def may_leave(organisation: Organisation) -> bool:
    """Whether `organisation` can be marked as leaving: not where the project office sits (the
    lead applicant), whose coordinators would lock themselves and everyone else out."""
    return not coordinating_organisations().filter(pk=organisation.pk).exists()


def visible_people(user, organisation: Organisation) -> QuerySet[User]:
    """People of `organisation` that `user` may see.

    Colleagues and coordinators see everyone at an organisation; other partners see only its
    contact persons, the people meant to be reached.
    """
    people = organisation.people.active().order_by("-is_contact", "name")
    if is_coordinator(user) or user.organisation_id == organisation.pk:
        return people
    if not is_staff_member(user):
        # Funders follow the project through aggregates, not through people's contact details.
        return people.none()
    return people.filter(is_contact=True)


# Activities ------------------------------------------------------------------------------------

STAFF_ROLES = (Role.COORDINATOR, Role.SCHOOL_STAFF, Role.INDUSTRY_STAFF)
# Which roles may offer which kinds of activity (always for their own organisation).
HOSTING_ROLES: dict[str, set[str]] = {
    ActivityKind.INTERNSHIP: {Role.INDUSTRY_STAFF},
    ActivityKind.GUEST_LESSON: {Role.INDUSTRY_STAFF, Role.SCHOOL_STAFF},
    ActivityKind.PRACTICUM: {Role.INDUSTRY_STAFF},
    ActivityKind.COMPANY_VISIT: {Role.INDUSTRY_STAFF},
    ActivityKind.TRAINING: {Role.INDUSTRY_STAFF, Role.SCHOOL_STAFF},
    ActivityKind.RESEARCH: {Role.SCHOOL_STAFF},
    ActivityKind.IMAGE: {Role.INDUSTRY_STAFF, Role.SCHOOL_STAFF},
}


def is_staff_member(user) -> bool:
    """Coordinators and the staff of schools and companies work with individual activities;
    funders read aggregates only."""
    return has_role(user, *STAFF_ROLES)


def visible_activities(user) -> ActivityQuerySet:
    """Everything but drafts for staff; drafts only for their own organisation and coordinators."""
    activities = Activity.objects.all()
    if is_coordinator(user):
        return activities
    if not is_staff_member(user):
        return activities.none()
    return activities.filter(~Q(status=ActivityStatus.DRAFT) | Q(host_id=user.organisation_id))


def can_host(user, kind: str) -> bool:
    """Whether `user` may create activities of `kind` for their organisation."""
    return is_coordinator(user) or has_role(user, *HOSTING_ROLES.get(kind, set()))


def hostable_kinds(user) -> list[str]:
    return [kind for kind in ActivityKind.values if can_host(user, kind)]


def editable_activities(user) -> ActivityQuerySet:
    """A partner edits only its own organisation's activities; coordinators edit everything."""
    if is_coordinator(user):
        return Activity.objects.all()
    if not is_staff_member(user):
        return Activity.objects.none()
    return Activity.objects.filter(host_id=user.organisation_id)


def can_edit_activity(user, activity: Activity) -> bool:
    return is_coordinator(user) or (
        is_staff_member(user) and activity.host_id == user.organisation_id
    )


def can_reopen_activity(user, activity: Activity, today: date) -> bool:
    """The host takes a cancellation back while the activity's date has not passed."""
    return (
        can_edit_activity(user, activity)
        and activity.status == ActivityStatus.CANCELLED
        and not activity.has_passed(today)
    )


def acts_for_a_school(user) -> bool:
    """Teachers, and coordinators working at a school, act for their school."""
    return has_role(user, Role.SCHOOL_STAFF) or (
        is_coordinator(user) and user.organisation.kind == OrganisationKind.EDUCATION
    )


def may_request_kind(user, activity: Activity) -> bool:
    """Whether `user` is someone who asks for this kind of activity (whatever its state now)."""
    return (
        acts_for_a_school(user)
        and activity.kind in REQUESTABLE_KINDS
        and activity.host_id != user.organisation_id
    )


def can_request(user, activity: Activity) -> bool:
    """Teachers ask for open guest lessons, practicum assignments and visits for their school."""
    return may_request_kind(user, activity) and activity.is_open


def may_nominate_to(user, activity: Activity) -> bool:
    return acts_for_a_school(user) and activity.kind == ActivityKind.INTERNSHIP


def can_nominate(user, activity: Activity) -> bool:
    """Teachers put their own school's students forward for open places."""
    return may_nominate_to(user, activity) and activity.is_open


def visible_requests(user) -> RequestQuerySet:
    """Requests to one's own organisation's activities, and one's own school's requests."""
    requests = Request.objects.all()
    if is_coordinator(user):
        return requests
    if not is_staff_member(user):
        return requests.none()
    return requests.filter(
        Q(activity__host_id=user.organisation_id) | Q(school_id=user.organisation_id)
    )


def can_answer_request(user, request: Request) -> bool:
    """The host answers requests to its own activities (accept, decline, propose a date)."""
    return is_coordinator(user) or (
        is_staff_member(user) and request.activity.host_id == user.organisation_id
    )


def can_act_for_school(user, request: Request) -> bool:
    """The requesting school's staff accept proposals, cancel and report delivery."""
    return is_coordinator(user) or (
        has_role(user, Role.SCHOOL_STAFF) and request.school_id == user.organisation_id
    )


def can_cancel_request(user, request: Request) -> bool:
    """Either side of a request may call it off: the requesting school and the host."""
    return can_act_for_school(user, request) or can_answer_request(user, request)


def can_use_calendar_feed(user) -> bool:
    """A feed works only while its owner could log in and work with activities."""
    return AuthenticationBackend().user_can_authenticate(user) and is_staff_member(user)


def visible_students(user) -> StudentQuerySet:
    """Students are seen by their own school's staff and coordinators, nobody else."""
    if is_coordinator(user):
        return Student.objects.all()
    if has_role(user, Role.SCHOOL_STAFF):
        return Student.objects.filter(school_id=user.organisation_id)
    return Student.objects.none()


def visible_nominations(user) -> NominationQuerySet:
    """A company sees only the students nominated to its own places; a school its own students'."""
    nominations = Nomination.objects.all()
    if is_coordinator(user):
        return nominations
    if has_role(user, Role.SCHOOL_STAFF):
        return nominations.filter(student__school_id=user.organisation_id)
    if has_role(user, Role.INDUSTRY_STAFF):
        # A withdrawn nomination was never meant for the company any more.
        return nominations.filter(posting__host_id=user.organisation_id).exclude(
            status=NominationStatus.WITHDRAWN
        )
    return nominations.none()


def can_answer_nomination(user, nomination: Nomination) -> bool:
    return is_coordinator(user) or (
        has_role(user, Role.INDUSTRY_STAFF) and nomination.posting.host_id == user.organisation_id
    )


def can_withdraw_nomination(user, nomination: Nomination) -> bool:
    return is_coordinator(user) or (
        has_role(user, Role.SCHOOL_STAFF) and nomination.student.school_id == user.organisation_id
    )


# Modules, editions and students ----------------------------------------------------------------


def visible_editions(user) -> QuerySet[Edition]:
    """A school's module editions are for its own staff and the coordinators."""
    if is_coordinator(user):
        return Edition.objects.all()
    if has_role(user, Role.SCHOOL_STAFF):
        return Edition.objects.filter(school_id=user.organisation_id)
    return Edition.objects.none()


def can_track_edition(user, edition: Edition) -> bool:
    """Teachers of the school record progress in its editions; coordinators may too."""
    return is_coordinator(user) or (
        has_role(user, Role.SCHOOL_STAFF) and edition.school_id == user.organisation_id
    )


def can_run_editions(user) -> bool:
    return is_coordinator(user) or has_role(user, Role.SCHOOL_STAFF)


def can_manage_catalogues(user) -> bool:
    """The project office keeps the catalogues: qualifications, the modules and their units, and
    the times of the periodic work (the reminders)."""
    return is_coordinator(user)


def can_erase_student(user) -> bool:
    """Exporting and erasing everything about a student is the project office's job."""
    return is_coordinator(user)


# Co-financing ----------------------------------------------------------------------------------


def can_log_for(user, organisation: Organisation) -> bool:
    """Partners' staff log contributions for their own organisation; coordinators for any."""
    return is_coordinator(user) or (
        has_role(user, Role.SCHOOL_STAFF, Role.INDUSTRY_STAFF)
        and user.organisation_id == organisation.pk
    )


def can_review_contributions(user) -> bool:
    return is_coordinator(user)


def can_see_finances(user) -> bool:
    """The consortium's finance page: coordinators and funders (read only)."""
    return has_role(user, Role.COORDINATOR, Role.FUNDER)


def visible_contributions(user) -> QuerySet[Contribution]:
    """Each partner sees its own contributions; coordinators all; funders only the totals."""
    if is_coordinator(user):
        return Contribution.objects.all()
    if has_role(user, Role.SCHOOL_STAFF, Role.INDUSTRY_STAFF):
        return Contribution.objects.filter(organisation_id=user.organisation_id)
    return Contribution.objects.none()


# Funder reports -----------------------------------------------------------------------------------


def visible_reports(user):
    """Coordinators see every report and version; funders only the published ones; others
    none."""
    from reports.models import Report

    if is_coordinator(user):
        return Report.objects.all()
    if has_role(user, Role.FUNDER):
        return Report.objects.filter(published_at__isnull=False)
    return Report.objects.none()


def needs_second_factor(user) -> bool:
    """With MFA_REQUIRED on: the roles that read figures for the whole consortium, and anyone who
    can open the admin (superusers and staff accounts included), must log in with a second
    factor."""
    if not settings.MFA_REQUIRED or not getattr(user, "is_authenticated", False):
        return False
    return (
        getattr(user, "role", None) in settings.MFA_REQUIRED_ROLES
        or user.is_superuser
        or user.is_staff
    )
