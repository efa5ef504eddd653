from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render

from civbio import rules
from partners.models import Role
from programmes.selectors import current_project
from reports import figures, selectors


def home(request):
    return render(request, "reports/home.html", selectors.home_page())


@login_required
def dashboard(request):
    """Send each person to the dashboard of their role."""
    url_name = rules.dashboard_url_name(request.user)
    if url_name is None:
        raise PermissionDenied
    return redirect(url_name)


def _dashboard_for(role: str, selector, template: str):
    @login_required
    def view(request):
        if not rules.has_role(request.user, role):
            raise PermissionDenied
        return render(request, template, selector(request.user))

    view.__name__ = f"dashboard_{role}"
    return view


dashboard_coordinator = _dashboard_for(
    Role.COORDINATOR, selectors.coordinator_dashboard, "reports/dashboard_coordinator.html"
)
dashboard_school = _dashboard_for(
    Role.SCHOOL_STAFF, selectors.school_dashboard, "reports/dashboard_school.html"
)
dashboard_industry = _dashboard_for(
    Role.INDUSTRY_STAFF, selectors.industry_dashboard, "reports/dashboard_industry.html"
)
dashboard_funder = _dashboard_for(
    Role.FUNDER, selectors.funder_dashboard, "reports/dashboard_funder.html"
)


@login_required
def finance(request):
    """Budget against realisation, co-financing per partner and the RIF rule checks."""
    if not rules.can_see_finances(request.user):
        raise PermissionDenied
    project = current_project()
    if project is None:
        raise Http404
    return render(
        request, "reports/finance.html", {"project": project, **figures.finance_overview(project)}
    )
