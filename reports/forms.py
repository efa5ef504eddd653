"""The forms of the reports page: which report to make, up to which quarter to close."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programmes.periods import project_periods
from reports import closing
from reports.models import ReportKind


def _choices(project) -> list[tuple[str, str]]:
    """What a coordinator can ask for: a report on any quarter or project year that has begun,
    and the final report's draft."""
    today = timezone.localdate()
    choices = []
    for period in project_periods(project, today):
        if period.kind == "quarter":
            key = f"{ReportKind.QUARTERLY}:{period.quarters[0]}"
            choices.append((key, f"{ReportKind.QUARTERLY.label} — {period.label}"))
        elif period.kind == "year":
            key = f"{ReportKind.ANNUAL}:{period.key[1:]}"
            choices.append((key, f"{ReportKind.ANNUAL.label} — {period.label}"))
        else:
            choices.append((f"{ReportKind.FINAL}:0", f"{ReportKind.FINAL.label} — {period.label}"))
    return choices


class ReportRequestForm(forms.Form):
    which = forms.ChoiceField(label=gettext_lazy("Report"))

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["which"].choices = _choices(project)


class QuarterCloseForm(forms.Form):
    quarter = forms.TypedChoiceField(label=gettext_lazy("Close the quarters up to"), coerce=int)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [
            (
                n,
                _("Quarter %(n)s (%(dates)s)")
                % {"n": n, "dates": f"{start:%d-%m-%Y} \N{EN DASH} {end:%d-%m-%Y}"},
            )
            for n, start, end in reversed(closing.closable_quarters(project))
        ]
