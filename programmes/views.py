"""The project page, the milestones and the decisions on reported KPI figures (the KPI page that
shows those figures and takes new ones is in reports, which adds the derived measures)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civbio import rules
from civbio.confirmation import confirmation_page, confirmed
from civbio.forms import add_service_error
from partners import audit
from partners.selectors import partner_counts
from programmes import services
from programmes.forms import IndicatorForm, MilestoneForm, MilestonePlanForm
from programmes.models import (
    Indicator,
    IndicatorSource,
    IndicatorValue,
    Milestone,
    MilestoneStatus,
)
from programmes.selectors import current_project


def _project():
    project = current_project()
    if project is None:
        raise Http404
    return project


@login_required
def project_detail(request):
    project = _project()
    return render(
        request,
        "programmes/project_detail.html",
        {
            "project": project,
            "lines": list(project.lines.all()),
            "partners": partner_counts(),
            "can_edit": rules.is_coordinator(request.user),
        },
    )


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
        "programmes/milestones.html",
        {
            "milestones": items,
            "statuses": MilestoneStatus.choices,
            "can_plan": rules.can_manage_targets(request.user),
        },
    )


@login_required
@require_POST
def milestone_update(request, pk: int):
    milestone = get_object_or_404(Milestone, pk=pk)
    form = MilestoneForm(request.POST, instance=Milestone.objects.get(pk=pk))
    if not form.is_valid():
        messages.error(request, _("Check the status and the date."))
        return redirect("programmes:milestones")
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
    return redirect("programmes:milestones")


@login_required
@require_POST
def indicator_value_decide(request, pk: int, decision: str):
    """A coordinator approves or rejects a reported KPI figure, from the line's KPI page."""
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


# The plan: indicators with their targets, milestones (the project office) ----------------------

planner_required = rules.role_required(rules.can_manage_targets)


@planner_required
def indicators(request):
    """Every programme line with its indicators, retired ones too, and their targets."""
    project = _project()
    lines = list(project.lines.all())
    today = timezone.localdate()
    items = list(
        Indicator.objects.filter(project=project)
        .select_related("programme_line")
        .prefetch_related("targets")
        # The indicators in use first, the retired ones after them.
        .order_by(
            "programme_line__number", F("retired_on").asc(nulls_first=True), "position", "name"
        )
    )
    years = range(1, services.project_years(project) + 1)
    by_line: dict[int, list] = {line.pk: [] for line in lines}
    for item in items:
        stored = {t.year: t.value for t in item.targets.all()}
        item.retired = item.is_retired_on(today)
        item.year_targets = [
            (y, stored.get(y, item.target_for_year(y)), y in stored) for y in years
        ]
        by_line.setdefault(item.programme_line_id, []).append(item)
    return render(
        request,
        "programmes/indicator_list.html",
        {
            "project": project,
            "lines": [(line, by_line[line.pk]) for line in lines],
            "years": years,
        },
    )


@planner_required
def indicator_create(request):
    project = _project()
    line = project.lines.filter(number=request.GET.get("line") or 0).first()
    form = IndicatorForm(
        request.POST or None,
        project=project,
        initial={"programme_line": line, "source": IndicatorSource.REPORTED},
    )
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.create_indicator(
                actor=request.user,
                project=project,
                fields=form.plan(),
                year_targets=form.year_targets(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("The indicator %(name)s was added.") % {"name": indicator.title}
            )
            return redirect(
                f"{reverse('programmes:indicators')}#line-{indicator.programme_line.number}"
            )
    return render(request, "programmes/indicator_form.html", {"form": form, "indicator": None})


@planner_required
def indicator_edit(request, pk: int):
    project = _project()
    indicator = get_object_or_404(
        rules.manageable_indicators(request.user).filter(project=project), pk=pk
    )
    if indicator.retired_on is not None:
        messages.info(request, _("This indicator was retired: it can no longer be changed."))
        return redirect("programmes:indicators")
    form = IndicatorForm(request.POST or None, instance=indicator, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_indicator(
                actor=request.user,
                indicator=indicator,
                fields=form.plan(),
                year_targets=form.year_targets(),
                version=form.cleaned_data["version"] or "",
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("The indicator %(name)s was saved.") % {"name": indicator.title}
            )
            return redirect(
                f"{reverse('programmes:indicators')}#line-{indicator.programme_line.number}"
            )
    return render(
        request,
        "programmes/indicator_form.html",
        {
            "form": form,
            "indicator": indicator,
            "history": audit.history_for(request.user, indicator),
        },
    )


@planner_required
def indicator_retire(request, pk: int):
    """Says what retiring does and asks for confirmation; only its own button retires."""
    project = _project()
    indicator = get_object_or_404(
        rules.manageable_indicators(request.user).filter(project=project), pk=pk
    )
    back = reverse("programmes:indicators")
    if indicator.retired_on is not None:
        messages.info(request, _("This indicator was retired already."))
        return redirect(back)
    if confirmed(request):
        try:
            services.retire_indicator(actor=request.user, indicator=indicator)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("The indicator %(name)s was retired.") % {"name": indicator.title}
            )
        return redirect(back)
    return confirmation_page(
        request,
        heading=_("Retire the indicator %(name)s?") % {"name": indicator.title},
        lines=[
            _(
                "From today the KPI pages, the dashboards and new reports leave it out, and no "
                "figures can be reported for it."
            ),
            _(
                "Nothing is deleted: its reported figures, closed quarters and the reports "
                "already made stay as they are, and reports on periods before today still show "
                "it."
            ),
        ],
        action=reverse("programmes:indicator_retire", args=[indicator.pk]),
        confirm_label=_("Yes, retire it"),
        back=back,
        back_label=_("No, keep it"),
    )


@planner_required
def milestone_create(request):
    project = _project()
    form = MilestonePlanForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            milestone = services.create_milestone(
                actor=request.user, project=project, fields=form.plan()
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("The milestone %(title)s was added.") % {"title": milestone.title_text}
            )
            return redirect("programmes:milestones")
    return render(request, "programmes/milestone_form.html", {"form": form, "milestone": None})


@planner_required
def milestone_edit(request, pk: int):
    project = _project()
    milestone = get_object_or_404(
        rules.manageable_milestones(request.user).filter(project=project), pk=pk
    )
    form = MilestonePlanForm(request.POST or None, instance=milestone, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_milestone_plan(
                actor=request.user,
                milestone=milestone,
                fields=form.plan(),
                version=form.cleaned_data["version"] or "",
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The milestone was updated."))
            return redirect("programmes:milestones")
    return render(
        request,
        "programmes/milestone_form.html",
        {
            "form": form,
            "milestone": milestone,
            "can_delete": not milestone.system_key and not services.has_status_history(milestone),
            "history": audit.history_for(request.user, milestone),
        },
    )


@planner_required
def milestone_delete(request, pk: int):
    """Says what removing does and asks for confirmation; only its own button removes."""
    project = _project()
    milestone = get_object_or_404(
        rules.manageable_milestones(request.user).filter(project=project), pk=pk
    )
    if confirmed(request):
        try:
            services.delete_milestone(actor=request.user, milestone=milestone)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("The milestone %(title)s was removed.") % {"title": milestone.title_text}
            )
        return redirect("programmes:milestones")
    return confirmation_page(
        request,
        heading=_("Remove the milestone %(title)s?") % {"title": milestone.title_text},
        lines=[
            _("It disappears from the milestones page and the reports."),
            _("Only a milestone without recorded progress can be removed; its history keeps it."),
        ],
        action=reverse("programmes:milestone_delete", args=[milestone.pk]),
        confirm_label=_("Yes, remove it"),
        back=reverse("programmes:milestone_edit", args=[milestone.pk]),
        back_label=_("No, keep it"),
    )
