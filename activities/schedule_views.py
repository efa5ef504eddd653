"""The project office's page of civbio's periodic jobs: when each runs, and whether the reminders
run at all (activities.schedules)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities import schedules
from civbio import rules
from civbio.forms import add_service_error

manager_required = rules.role_required(rules.can_manage_catalogues)


class ScheduleForm(forms.Form):
    at = forms.TimeField(
        label=gettext_lazy("Time of day (Amsterdam time)"),
        input_formats=["%H:%M"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": gettext_lazy("Give a time of day, such as 07:30."),
            "invalid": gettext_lazy("Give the time in hours and minutes, such as 07:30."),
        },
    )
    enabled = forms.BooleanField(label=gettext_lazy("Runs"), required=False)

    def __init__(self, *args, job: schedules.Job, **kwargs):
        super().__init__(*args, **kwargs)
        if not job.daily:
            del self.fields["at"]
        if not job.can_switch_off:
            del self.fields["enabled"]


@manager_required
def schedule_list(request):
    return render(request, "activities/schedule_list.html", {"rows": schedules.schedule_rows()})


@manager_required
def schedule_edit(request, pk: int):
    task = get_object_or_404(schedules.civbio_schedules(), pk=pk)
    job = schedules.job_of(task)
    form = ScheduleForm(
        request.POST or None,
        job=job,
        initial={"at": schedules.time_of(task), "enabled": task.enabled},
    )
    if request.method == "POST" and form.is_valid():
        try:
            schedules.change_schedule(
                actor=request.user,
                task=task,
                at=form.cleaned_data.get("at"),
                enabled=form.cleaned_data.get("enabled"),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("%(job)s: saved.") % {"job": job.label})
            return redirect("activities:schedule_list")
    return render(
        request,
        "activities/schedule_form.html",
        {"form": form, "job": job, "task": task, "editable": bool(form.fields)},
    )
