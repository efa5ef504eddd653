"""KPI pages per programme line (with the forms of programmes: a reported figure, the
narrative), and the finance and KPI exports."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from civbio import rules
from civbio.rounding import figure_cell, hours_cell, money_cell
from civbio.spreadsheets import spreadsheet_response
from partners.services import log_access
from programmes import services
from programmes.forms import NarrativeForm, ValueForm
from programmes.models import IndicatorSource, IndicatorValue, Narrative, ReportStatus
from programmes.selectors import current_project
from reports import figures, kpis


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
                    services.submit_indicator_value(
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
                    services.save_narrative(
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
