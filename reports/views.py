from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from civbio import documents, rules
from partners.models import Role
from programmes.periods import choose_period
from programmes.selectors import current_project
from reports import dashboards, figures, selectors

FINANCE_PAGE = 50


def home(request):
    return render(request, "reports/home.html", selectors.home_page())


def figure_definitions(request):
    """How every figure is counted and rounded (docs/figures.md), open to anyone: it holds no
    figure, and a funder's accountant may read it without an account."""
    return render(request, "reports/figures.html", {"document": documents.document("figures")})


@login_required
def dashboard(request):
    """Send each person to the dashboard of their role."""
    url_name = rules.dashboard_url_name(request.user)
    if url_name is None:
        raise PermissionDenied
    return redirect(url_name)


def _scope(request, project, *, with_lines: bool) -> dashboards.Scope:
    """The period (`?period=q7|y2|all`, the current quarter by default) and, where offered, the
    programme line (`?line=2`) a dashboard shows. Unknown values fall back to the default."""
    today = timezone.localdate()
    period, periods = choose_period(project, request.GET.get("period"), today)
    lines = list(project.lines.all())
    line = None
    if with_lines:
        line = next((li for li in lines if str(li.number) == request.GET.get("line")), None)
    return dashboards.Scope(project, period, periods, lines, line, today)


def _dashboard_for(role: str, selector, template: str, *, with_lines: bool = False):
    @login_required
    def view(request):
        if not rules.has_role(request.user, role):
            raise PermissionDenied
        project = current_project()
        if project is None:
            return render(request, "reports/dashboard_no_project.html")
        scope = _scope(request, project, with_lines=with_lines)
        context = {
            "scope": scope,
            "project": scope.project,
            "with_lines": with_lines,
            **selectors.timeline_for(scope.project),
            **selector(request.user, scope),
        }
        return render(request, template, context)

    view.__name__ = f"dashboard_{role}"
    return view


dashboard_coordinator = _dashboard_for(
    Role.COORDINATOR,
    dashboards.coordinator_dashboard,
    "reports/dashboard_coordinator.html",
    with_lines=True,
)
dashboard_school = _dashboard_for(
    Role.SCHOOL_STAFF, dashboards.school_dashboard, "reports/dashboard_school.html"
)
dashboard_industry = _dashboard_for(
    Role.INDUSTRY_STAFF, dashboards.industry_dashboard, "reports/dashboard_industry.html"
)
dashboard_funder = _dashboard_for(
    Role.FUNDER, dashboards.funder_dashboard, "reports/dashboard_funder.html", with_lines=True
)


@login_required
def finance(request):
    """Budget against realisation, co-financing per partner and the RIF rule checks."""
    if not rules.can_see_finances(request.user):
        raise PermissionDenied
    project = current_project()
    if project is None:
        raise Http404
    # Fifty partners a page: at a hundred times the consortium the table had 2,600 rows, each
    # with five amounts to format (make bench). The totals and checks are over all of them; the
    # exports hold every row.
    overview = figures.finance_overview(project, per_year=False)
    page = Paginator(overview["partners"], FINANCE_PAGE).get_page(request.GET.get("page"))
    context = {**overview, "partners": list(page.object_list), "project": project, "page": page}
    return render(request, "reports/finance.html", context)
