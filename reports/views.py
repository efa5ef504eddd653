"""The pages of figures: the start page, the role dashboards, finance, the KPI pages with their
exports, the definitions of the figures, and the reports page (coordinators ask for, follow,
retry and publish reports; funders and coordinators download them, every download logged)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from civbio import documents, rules
from civbio.confirmation import confirmation_page, confirmed
from civbio.rounding import figure_cell, hours_cell, money_cell
from civbio.spreadsheets import spreadsheet_response
from partners.models import Role, User
from partners.services import log_access
from programmes import services as programme_services
from programmes.forms import NarrativeForm, ValueForm
from programmes.models import IndicatorSource, IndicatorValue, Narrative, ReportStatus
from programmes.periods import choose_period
from programmes.selectors import current_project
from reports import closing, dashboards, figures, kpis, selectors, services
from reports.forms import QuarterCloseForm, ReportRequestForm
from reports.models import REPORT_FORMATS, ReportKind, ReportState

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


def _project():
    project = current_project()
    if project is None:
        raise Http404
    return project


@login_required
def kpi_overview(request, number: int | None = None):
    project = _project()
    lines = list(project.lines.all())
    line = (
        next((li for li in lines if li.number == number), None)
        if number
        else lines[0]
        if lines
        else None
    )
    if line is None:
        raise Http404
    # Any past quarter can be looked at (and written up); the current one by default.
    quarters = [q for q in project.quarters() if q[1] <= timezone.localdate()]
    chosen = next((q for q in quarters if str(q[0]) == request.GET.get("quarter")), None)
    data = kpis.kpi_rows(project, line.pk, today=chosen[2] if chosen else None)
    if not rules.is_staff_member(request.user):
        kpis.suppress_people(data["rows"])
    quarter = data["quarter"]
    value_form = narrative_form = None
    is_coordinator = rules.is_coordinator(request.user)
    if request.method == "POST":
        try:
            if "report" in request.POST:
                value_form = ValueForm(request.POST, project=project, line=line)
                if value_form.is_valid():
                    programme_services.submit_indicator_value(
                        actor=request.user,
                        indicator=value_form.cleaned_data["indicator"],
                        period_start=date.fromisoformat(value_form.cleaned_data["period_start"]),
                        value=value_form.cleaned_data["value"],
                        note=value_form.cleaned_data["note"],
                    )
                    messages.success(request, _("The figure was sent for approval."))
                    return redirect("reports:kpis_line", number=line.number)
            elif "narrative" in request.POST and quarter:
                narrative_form = NarrativeForm(request.POST)
                if narrative_form.is_valid():
                    programme_services.save_narrative(
                        actor=request.user,
                        line=line,
                        period_start=quarter[1],
                        fields=narrative_form.cleaned_data,
                    )
                    messages.success(request, _("The narrative was saved."))
                    return redirect(f"{request.path}?quarter={quarter[0]}")
        except ValidationError as error:
            (value_form or narrative_form).add_error(None, error)
    can_report = (is_coordinator or rules.has_role(request.user, "school_staff")) and any(
        row.indicator.source == IndicatorSource.REPORTED for row in data["rows"]
    )
    if can_report and value_form is None:
        value_form = ValueForm(project=project, line=line)
    narrative = (
        Narrative.objects.filter(programme_line=line, period_start=quarter[1]).first()
        if quarter
        else None
    )
    if is_coordinator and narrative_form is None:
        narrative_form = NarrativeForm(instance=narrative)
    pending = (
        list(
            IndicatorValue.objects.filter(
                indicator__programme_line=line, status=ReportStatus.SUBMITTED
            ).select_related("indicator", "submitted_by")
        )
        if is_coordinator
        else []
    )
    return render(
        request,
        "reports/kpis.html",
        {
            "project": project,
            "lines": lines,
            "line": line,
            **data,
            "value_form": value_form if can_report else None,
            "narrative": narrative,
            "narrative_form": narrative_form,
            "pending": pending,
            "can_manage_indicators": rules.can_manage_targets(request.user),
            "quarters": list(reversed(quarters)),
            "protected": any(row.protected for row in data["rows"]),
        },
    )


def _download(fmt: str, name: str, header: list, rows: list[list]):
    stamp = timezone.localdate().isoformat()
    return spreadsheet_response(fmt, f"civbio-{name}-{stamp}", header, rows)


@login_required
def finance_export(request, fmt: str):
    if not rules.can_see_finances(request.user):
        raise PermissionDenied
    overview = figures.finance_overview(_project(), per_year=False)
    log_access(actor=request.user, action=f"export_{fmt}", target_type="finance", target_id=0)
    header = [
        _("Partner"),
        _("Counts as"),
        _("Committed"),
        _("Expected by now"),
        _("Realised in kind"),
        _("Realised cash"),
        _("Hours"),
        _("Recorded, not counting"),
        _("Why not counting"),
    ]
    rows = [
        [
            p.organisation.name,
            str(p.organisation.get_cofinancing_category_display()),
            money_cell(p.committed_total),
            money_cell(p.expected),
            money_cell(p.in_kind),
            money_cell(p.cash),
            hours_cell(p.hours),
            money_cell(p.recorded),
            p.not_counting_reason or "",
        ]
        for p in overview["partners"]
    ]
    return _download(fmt, "cofinanciering", header, rows)


@login_required
def kpi_export(request, fmt: str):
    project = _project()
    data = kpis.kpi_rows(project)
    if not rules.is_staff_member(request.user):
        kpis.suppress_people(data["rows"])
    header = [
        _("Programme line"),
        _("Indicator"),
        _("Unit"),
        _("Target"),
        _("This quarter"),
        _("Cumulative"),
        # The method is named where the forecast stands (FORECAST_METHOD on the pages).
        _("Forecast (a straight line over the time elapsed)"),
        _("Note"),
    ]
    rows = [
        [
            row.indicator.programme_line.number,
            row.indicator.title,
            row.indicator.unit_text,
            figure_cell(row.target),
            figure_cell(row.this_period),
            figure_cell(row.cumulative),
            figure_cell(row.forecast),
            str(figures.PROTECTED_COUNTS) if row.protected else "",
        ]
        for row in data["rows"]
    ]
    return _download(fmt, "kpis", header, rows)


@login_required
def report_list(request):
    visible = rules.visible_reports(request.user)
    if not (rules.is_coordinator(request.user) or rules.has_role(request.user, "funder")):
        raise PermissionDenied
    project = current_project()
    form = None
    if rules.is_coordinator(request.user) and project:
        form = ReportRequestForm(request.POST or None, project=project)
        if request.method == "POST" and form.is_valid():
            kind, number = form.cleaned_data["which"].split(":")
            try:
                report, outcome = services.request_report(
                    actor=request.user, kind=kind, number=int(number)
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if outcome == services.MADE:
                    messages.success(request, _("The report is being made. This page follows it."))
                elif outcome == services.REMADE:
                    messages.success(
                        request,
                        _(
                            "The unpublished version is being made again from today's figures. "
                            "This page follows it."
                        ),
                    )
                else:
                    messages.info(request, _("That report is being made already: see below."))
                return redirect(report.get_absolute_url())
    reports = list(visible.select_related("requested_by", "published_by"))
    close_form = None
    if rules.is_coordinator(request.user) and project:
        close_form = QuarterCloseForm(project=project)
    return render(
        request,
        "reports/report_list.html",
        {
            "reports": reports,
            "form": form,
            "close_form": close_form,
            "closed_until": project.closed_until if project else None,
        },
    )


@login_required
def report_row(request, pk: int):
    """One report's row, which the page asks for every few seconds while it is being made."""
    report = get_object_or_404(rules.visible_reports(request.user), pk=pk)
    return render(request, "reports/partials/report_row.html", {"report": report})


def _coordinator_action(action, done: str):
    @login_required
    @require_POST
    def view(request, pk: int):
        report = get_object_or_404(rules.visible_reports(request.user), pk=pk)
        try:
            action(actor=request.user, report=report)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done)
        return redirect(report.get_absolute_url())

    return view


report_retry = _coordinator_action(
    services.retry_report, gettext_lazy("The report is queued again.")
)


def report_title(report) -> str:
    """The report as its row names it: kind, period and version."""
    if report.kind == ReportKind.QUARTERLY:
        which = _("quarter %(n)s") % {"n": report.number}
    elif report.kind == ReportKind.ANNUAL:
        which = _("project year %(n)s") % {"n": report.number}
    else:
        which = ""
    return _("%(kind)s %(which)s (%(start)s to %(end)s, version %(version)s)") % {
        "kind": report.get_kind_display(),
        "which": which,
        "start": date_format(report.period_start, "SHORT_DATE_FORMAT"),
        "end": date_format(report.period_end, "SHORT_DATE_FORMAT"),
        "version": report.version,
    }


def _publish_lines(report) -> list[str]:
    """What publishing does, and who will download the report."""
    funders = list(
        User.objects.active()
        .filter(role=Role.FUNDER)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    organisations = sorted({person.organisation.display_name for person in funders})
    lines = [
        _(
            "Once published, this version never changes: a correction becomes a new version, "
            "and this one stays as it was published."
        )
    ]
    if funders:
        lines.append(
            ngettext(
                "%(n)d funder account can download it (%(organisations)s).",
                "%(n)d funder accounts can download it (%(organisations)s).",
                len(funders),
            )
            % {"n": len(funders), "organisations": ", ".join(organisations)}
        )
    else:
        lines.append(_("No funder has an account yet: funders who join later can download it."))
    return lines


@login_required
@require_http_methods(["GET", "POST"])
def report_publish(request, pk: int):
    """Publish a ready report, after a page that says it can never change and who gets it."""
    report = get_object_or_404(rules.visible_reports(request.user), pk=pk)
    if not rules.is_coordinator(request.user):
        raise PermissionDenied
    if not (report.state == ReportState.READY and not report.is_published):
        messages.error(request, _("Only a ready, unpublished report can be published."))
        return redirect(report.get_absolute_url())
    if confirmed(request):
        try:
            services.publish_report(actor=request.user, report=report)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The report is published: funders can download it, and it no longer changes."),
            )
        return redirect(report.get_absolute_url())
    return confirmation_page(
        request,
        heading=_("Publish %(report)s?") % {"report": report_title(report)},
        lines=_publish_lines(report),
        action=reverse("reports:report_publish", args=[report.pk]),
        confirm_label=_("Yes, publish it"),
        back=reverse("reports:report_list"),
        back_label=_("No, not yet"),
        warning=_("This cannot be undone."),
    )


@login_required
def report_download(request, pk: int, fmt: str):
    if fmt not in REPORT_FORMATS:
        raise Http404
    report = get_object_or_404(rules.visible_reports(request.user), pk=pk)
    stored = report.file_for(fmt)
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    log_access(actor=request.user, action=f"download_{fmt}", target_type="report", target_id=pk)
    content_type, extension = REPORT_FORMATS[fmt]
    name = f"civbio-{report.kind}-{report.number}-v{report.version}.{extension}"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Checksum-SHA256"] = report.checksum_for(fmt)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def quarter_close(request):
    """Close the quarters up to the one chosen, after a page that says what closing does."""
    if not rules.is_coordinator(request.user):
        raise PermissionDenied
    project = current_project()
    if project is None:
        raise Http404
    form = QuarterCloseForm(request.POST or request.GET, project=project)
    if not form.is_valid():
        messages.error(request, _("Choose a quarter that has ended and is not closed yet."))
        return redirect("reports:report_list")
    number = form.cleaned_data["quarter"]
    if confirmed(request):
        try:
            closing.close_quarters(actor=request.user, project=project, number=number)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The quarters up to quarter %(n)s are closed: their figures are stored.")
                % {"n": number},
            )
        return redirect("reports:report_list")
    first = next((q for q in closing.closable_quarters(project)), None)
    _n, start, end = project.quarters()[number - 1]
    return confirmation_page(
        request,
        heading=_("Close the quarters up to quarter %(n)s?") % {"n": number},
        lines=[
            _(
                "Every figure of quarters %(first)s to %(n)s (%(start)s to %(end)s) is stored as "
                "it stands now: from then on the dashboards, the KPI and finance pages and the "
                "reports show those stored figures."
            )
            % {
                "first": first[0] if first else number,
                "n": number,
                "start": date_format(first[1] if first else start, "SHORT_DATE_FORMAT"),
                "end": date_format(end, "SHORT_DATE_FORMAT"),
            },
            _(
                "Contributions, reported KPI figures and narratives dated in those quarters can "
                "then no longer be added or changed."
            ),
        ],
        action=reverse("reports:quarter_close"),
        confirm_label=_("Yes, close them"),
        back=reverse("reports:report_list"),
        back_label=_("No, not yet"),
        hidden=[("quarter", number)],
        warning=_("A closed quarter cannot be opened again here."),
    )
