"""The data behind the public start page and each role's dashboard, one selector per page."""

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from activities.models import Activity
from civbio import rounding
from partners.models import Organisation, OrganisationKind
from partners.selectors import KIND_ORDER
from programmes.models import ProgrammeLine, Project
from programmes.selectors import current_project


def _lines(project: Project | None) -> list[ProgrammeLine]:
    return list(project.lines.all()) if project else []


# The public start page names this many partners of each kind and counts the rest.
PARTNERS_NAMED = 12


def _partners_by_kind() -> list[dict]:
    """Active partners, grouped by kind in the directory's order: the first of each kind
    named, all counted. One query for the names, one for the counts."""
    counts = dict(
        Organisation.objects.partners()
        .active()
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    named = list(
        Organisation.objects.partners()
        .active()
        .only("name", "is_lead_applicant", "kind")
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=F("kind"),
                order_by=[F("is_lead_applicant").desc(), F("name").asc()],
            )
        )
        .filter(place__lte=PARTNERS_NAMED)
        .order_by("-is_lead_applicant", "name")
    )
    groups = []
    for kind in KIND_ORDER:
        if kind == OrganisationKind.FUNDER:
            continue
        shown = [o for o in named if o.kind == kind]
        total = counts.get(kind, 0)
        groups.append(
            {
                "kind": kind,
                "label": kind.label,
                "organisations": shown,
                "count": total,
                "more": total - len(shown),
            }
        )
    return groups


def _timeline(project: Project | None) -> dict | None:
    if project is None:
        return None
    today = timezone.localdate()
    months = project.month_number(project.end_date)
    return {
        "phase": project.phase_on(today),
        "month": min(project.month_number(today), months),
        "months": months,
        "percent": rounding.percent(project.elapsed_fraction(today), 1),
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
        "partner_count": sum(g["count"] for g in groups),
        "opportunity_count": opportunities.count(),
        "opportunities": list(opportunities.select_related("host", "posting")[:6]),
    }


def timeline_for(project: Project | None) -> dict:
    return {"timeline": _timeline(project)}
