"""The project page, the milestones and the decisions on reported KPI figures (the KPI page that
shows those figures and takes new ones is in reports, which adds the derived measures)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civbio import rules
from partners.selectors import partner_counts
from programmes import services
from programmes.forms import MilestoneForm
from programmes.models import IndicatorValue, Milestone, MilestoneStatus
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
        {"milestones": items, "statuses": MilestoneStatus.choices},
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
