"""The data behind the public start page and each role's dashboard, one selector per page."""

from django.db.models import Count, Q
from django.utils import timezone

from activities.models import Activity, Contribution, ContributionStatus
from partners.models import Invitation, Organisation, OrganisationKind, Role, User
from partners.selectors import KIND_ORDER, contacts_by_organisation
from programmes.models import ProgrammeLine, Project
from programmes.selectors import current_project
from reports.figures import student_aggregates


def _lines(project: Project | None) -> list[ProgrammeLine]:
    return list(project.lines.all()) if project else []


def _partners_by_kind() -> list[dict]:
    """Active partners, grouped by kind in the directory's order. One query."""
    partners = list(Organisation.objects.partners().active().order_by("-is_lead_applicant", "name"))
    return [
        {
            "kind": kind,
            "label": kind.label,
            "organisations": [o for o in partners if o.kind == kind],
        }
        for kind in KIND_ORDER
        if kind != OrganisationKind.FUNDER
    ]


def _partner_kind_counts() -> tuple[list[tuple[str, str, int]], int]:
    """Active partners counted per kind, in the directory's order, and their total. One query."""
    counts = dict(
        Organisation.objects.partners()
        .active()
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    rows = [(k, k.label, counts.get(k, 0)) for k in KIND_ORDER if k != OrganisationKind.FUNDER]
    return rows, sum(counts.values())


def _timeline(project: Project | None) -> dict | None:
    if project is None:
        return None
    today = timezone.localdate()
    months = project.month_number(project.end_date)
    return {
        "phase": project.phase_on(today),
        "month": min(project.month_number(today), months),
        "months": months,
        "percent": round(project.elapsed_fraction(today) * 100),
        "days_left": max((project.end_date - today).days, 0),
    }


def home_page() -> dict:
    """The public start page: the CIV, its three lines and its partners by category."""
    project = current_project()
    groups = _partners_by_kind()
    opportunities = Activity.objects.open_opportunities().order_by("-created_at")
    return {
        "project": project,
        "lines": _lines(project),
        "partner_groups": groups,
        "partner_count": sum(len(g["organisations"]) for g in groups),
        "opportunity_count": opportunities.count(),
        "opportunities": list(opportunities.select_related("host", "posting")[:6]),
    }


def _my_organisation(user: User) -> dict:
    colleagues = list(
        User.objects.active()
        .filter(organisation_id=user.organisation_id)
        .exclude(pk=user.pk)
        .order_by("-is_contact", "name")
    )
    return {"organisation": user.organisation, "colleagues": colleagues}


def coordinator_dashboard(user: User) -> dict:
    project = current_project()
    now = timezone.now()
    kind_counts, partner_total = _partner_kind_counts()
    role_counts = dict(
        User.objects.active().values_list("role").annotate(n=Count("id")).values_list("role", "n")
    )
    without_people = list(
        Organisation.objects.partners()
        .active()
        .annotate(n=Count("people", filter=Q(people__is_active=True)))
        .filter(n=0)
        .order_by("name")
    )
    pending = Invitation.objects.pending(now)
    return {
        "project": project,
        "timeline": _timeline(project),
        "lines": _lines(project),
        "kind_counts": kind_counts,
        "partner_total": partner_total,
        "role_counts": [(r, r.label, role_counts.get(r, 0)) for r in Role],
        "people_total": sum(role_counts.values()),
        "organisations_without_people": without_people,
        "pending_invitations": pending.count(),
        "contributions_to_approve": Contribution.objects.filter(
            status=ContributionStatus.SUBMITTED
        ).count(),
        "expiring_invitations": pending.filter(
            expires_at__lte=now + timezone.timedelta(days=3)
        ).count(),
    }


def _partner_dashboard(user: User, contact_kinds: list[str]) -> dict:
    """A school's or a company's dashboard: their organisation, and whom to reach elsewhere."""
    project = current_project()
    return {
        "project": project,
        "timeline": _timeline(project),
        "lines": _lines(project),
        **_my_organisation(user),
        "partner_contacts": contacts_by_organisation(contact_kinds),
    }


def school_dashboard(user: User) -> dict:
    return _partner_dashboard(user, [OrganisationKind.WORK_FIELD, OrganisationKind.SUPPORT])


def industry_dashboard(user: User) -> dict:
    return _partner_dashboard(user, [OrganisationKind.EDUCATION])


def funder_dashboard(user: User) -> dict:
    """Aggregates only: nothing personal reaches a funder's page."""
    project = current_project()
    kind_counts, partner_total = _partner_kind_counts()
    return {
        "project": project,
        "timeline": _timeline(project),
        "lines": _lines(project),
        "kind_counts": kind_counts,
        "partner_total": partner_total,
        "grant_share_percent": (
            round(project.grant_share * 100, 1) if project and project.grant_share else None
        ),
        "grant_within_limit": bool(project and project.grant_within_limit),
        "students": student_aggregates(),
    }
