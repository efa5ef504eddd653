"""The forms of the programme's own records: a reported KPI figure, a line's narrative for a
quarter, a milestone's status, and the coordinators' plan: indicators with their targets and
milestones."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civbio import numbers
from civbio.widgets import DateInput
from partners.models import Organisation, User
from programmes.models import (
    Indicator,
    IndicatorSource,
    Milestone,
    MilestoneKind,
    Narrative,
    Project,
)
from programmes.services import (
    INDICATOR_FIELDS,
    MILESTONE_FIELDS,
    PLANNED_KINDS,
    SYSTEM_MILESTONE_FIELDS,
    has_figures,
    project_years,
)


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
        today = timezone.localdate()
        self.fields["indicator"].queryset = Indicator.objects.active_on(today).filter(
            programme_line=line, source=IndicatorSource.REPORTED
        )
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


class IndicatorForm(forms.ModelForm):
    """An indicator's plan: what it counts and its targets. A target per project year is
    optional: left empty, the year's target lies on the straight line between the 2- and 4-year
    targets."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Indicator
        fields = list(INDICATOR_FIELDS)
        formfield_callback = numbers.formfield
        # The model's "unit" is also a module's unit in Dutch (onderdeel): here it is what is
        # counted in.
        labels = {"unit": gettext_lazy("Unit of measure")}
        help_texts = {
            "measure": gettext_lazy("Only for a derived indicator: what civbio counts."),
            "target_2y": gettext_lazy("Counted from the project's start, like every target."),
        }

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["programme_line"].queryset = project.lines.all()
        self.fields["programme_line"].empty_label = None
        self.fields["measure"].choices = [("", "—"), *self.fields["measure"].choices[1:]]
        if self.instance.pk:
            self.fields["version"].initial = self.instance.updated_at.isoformat()
            if has_figures(self.instance):
                # What it counts stands once it has figures (services.update_indicator).
                for name in ("source", "measure"):
                    self.fields[name].disabled = True
                self.fields["source"].help_text = _(
                    "It has figures already: to count something else, retire it and add a new "
                    "indicator."
                )
        stored = {t.year: t.value for t in self.instance.targets.all()} if self.instance.pk else {}
        for year in range(1, project_years(project) + 1):
            self.fields[f"year_{year}"] = numbers.DecimalField(
                label=_("Target for project year %(year)s") % {"year": year},
                required=False,
                min_value=0,
                max_digits=12,
                decimal_places=1,
                initial=stored.get(year),
                help_text=_("Empty: on the line between the 2- and 4-year targets."),
            )

    def year_targets(self) -> dict:
        return {
            int(name.removeprefix("year_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("year_")
        }

    def plan(self) -> dict:
        return {name: self.cleaned_data[name] for name in INDICATOR_FIELDS}

    def year_fields(self):
        return [self[name] for name in self.fields if name.startswith("year_")]

    def main_fields(self):
        return [self[name] for name in INDICATOR_FIELDS]


class MilestonePlanForm(forms.ModelForm):
    """A milestone's plan. The fund's own moments keep their title, kind and due date (shown,
    not sent)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Milestone
        fields = list(MILESTONE_FIELDS)
        widgets = {
            "due_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme_line"].queryset = project.lines.all()
        self.fields["programme_line"].empty_label = _("The whole project")
        self.fields["owner_organisation"].queryset = (
            Organisation.objects.partners().active().order_by("name")
        )
        self.fields["owner"].queryset = (
            User.objects.active()
            .filter(organisation__isnull=False)
            .select_related("organisation")
            .order_by("name", "email")
        )
        self.fields["owner"].label_from_instance = lambda person: (
            f"{person} ({person.organisation.display_name})"
        )
        system = bool(self.instance.pk and self.instance.system_key)
        kinds = MilestoneKind.choices if system else [(k.value, k.label) for k in PLANNED_KINDS]
        self.fields["kind"].choices = kinds
        if self.instance.pk:
            self.fields["version"].initial = self.instance.updated_at.isoformat()
        if system:
            for name in SYSTEM_MILESTONE_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Set by the fund's rules from the project's dates.")

    def plan(self) -> dict:
        return {name: self.cleaned_data[name] for name in MILESTONE_FIELDS}
