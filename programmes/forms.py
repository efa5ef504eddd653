"""The forms of the programme's own records: a reported KPI figure, a line's narrative for a
quarter, a milestone's status."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civbio import numbers
from programmes.models import Indicator, IndicatorSource, Milestone, Narrative


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
