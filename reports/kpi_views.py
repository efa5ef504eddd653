"""KPI pages per programme line, the milestones page, and the finance and KPI exports."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from civbio import numbers, rules
from civbio.rounding import figure_cell, hours_cell, money_cell
from civbio.spreadsheets import spreadsheet_response
from partners.services import log_access
from programmes import services
from programmes.models import (
    Indicator,
    IndicatorSource,
    IndicatorValue,
    Milestone,
    MilestoneStatus,
    Narrative,
    ReportStatus,
)
from programmes.selectors import current_project
from reports import figures, kpis


class ValueForm(forms.Form):
    indicator = forms.ModelChoiceField(
        label=gettext_lazy("Indicator"), queryset=Indicator.objects.none()
    )
    period_start = forms.ChoiceField(label=gettext_lazy("Quarter"), choices=())
    value = numbers.DecimalField(
        label=gettext_lazy("Value"), min_value=0, max_digits=12, decimal_places=1
    )
    note = forms.CharField(label=gettext_lazy("Source or note"), max_length=300, required=False)

    def __init__(self, *args, project, line, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.filter(
            programme_line=line, source=IndicatorSource.REPORTED
        )
        today = timezone.localdate()
        self.fields["period_start"].choices = [
            (
                start.isoformat(),
                _("Quarter %(n)s (from %(date)s)") % {"n": n, "date": start.strftime("%d-%m-%Y")},
            )
            for n, start, end in reversed(project.quarters())
            if start <= today and not project.is_closed(end)
        ]


class NarrativeForm(forms.ModelForm):
    class Meta:
        model = Narrative
        fields = ["highlights", "deviations", "risks"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in fields}


class MilestoneForm(forms.ModelForm):
    # The version the editor saw: a save over someone else's change is refused.
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Milestone
        fields = ["status", "reached_on", "evidence", "reason"]
        widgets = {"reached_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


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


@login_required
@require_POST
def kpi_value_decide(request, pk: int, decision: str):
    if decision not in ("approve", "reject"):
        raise Http404
    # The role first, so nobody else can tell an existing figure from a missing one.
    if not rules.is_coordinator(request.user):
        raise PermissionDenied
    item = get_object_or_404(
        IndicatorValue.objects.select_related("indicator__programme_line"), pk=pk
    )
    try:
        services.decide_indicator_value(
            actor=request.user, item=item, approve=decision == "approve"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = (
            _("The figure for %(indicator)s was approved.")
            if decision == "approve"
            else _("The figure for %(indicator)s was rejected.")
        )
        messages.success(request, done % {"indicator": item.indicator.title})
    return redirect("reports:kpis_line", number=item.indicator.programme_line.number)


@login_required
def milestones(request):
    project = _project()
    items = list(
        project.milestones.select_related("programme_line", "owner_organisation", "owner").order_by(
            "due_date"
        )
    )
    today = timezone.localdate()
    for item in items:
        item.overdue = item.status == MilestoneStatus.PLANNED and item.due_date < today
        item.can_update = rules.is_coordinator(request.user) or (
            not item.system_key
            and rules.is_staff_member(request.user)
            and item.owner_organisation_id == request.user.organisation_id
        )
    return render(
        request,
        "reports/milestones.html",
        {"milestones": items, "statuses": MilestoneStatus.choices},
    )


@login_required
@require_POST
def milestone_update(request, pk: int):
    milestone = get_object_or_404(Milestone, pk=pk)
    form = MilestoneForm(request.POST, instance=Milestone.objects.get(pk=pk))
    if not form.is_valid():
        messages.error(request, _("Check the status and the date."))
        return redirect("reports:milestones")
    try:
        services.update_milestone(
            actor=request.user,
            milestone=milestone,
            fields=form.cleaned_data,
            # No version sent: refused like a conflict, never saved blind.
            version=form.cleaned_data.get("version") or "",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The milestone was updated."))
    return redirect("reports:milestones")


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
