"""The ledger's forms: one contribution, a quarter's hours per programme line, a correction."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civbio import numbers
from civbio.widgets import DateInput
from ledger import services as ledger
from ledger.models import Contribution
from programmes.selectors import current_project


def description_without_students(description: str, organisation_id: int | None) -> str:
    named = ledger.students_named_in(description, organisation_id)
    if named:
        raise ValidationError(
            _(
                "This names a student (%(names)s). Funders read these descriptions in the hours "
                "register: describe the work without naming students."
            )
            % {"names": ", ".join(named)}
        )
    return description


class ContributionForm(forms.ModelForm):
    class Meta:
        model = Contribution
        fields = ledger.EDITABLE_FIELDS
        formfield_callback = numbers.formfield
        widgets = {"date": DateInput(), "description": forms.TextInput()}
        help_texts = {
            "description": gettext_lazy("What was done. Funders read this: name no students."),
            "evidence": gettext_lazy(
                "PDF, image (PNG, JPEG, WebP, GIF) or Word, Excel or PowerPoint file, at most 5 MB."
            ),
        }

    def clean_description(self):
        return description_without_students(
            self.cleaned_data["description"], self.instance.organisation_id
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        project = current_project()
        self.fields["programme_line"].queryset = project.lines.all() if project else []
        self.fields["activity"].queryset = self.fields["activity"].queryset.filter(
            host_id=self.instance.organisation_id
        )
        self.fields["activity"].required = False
        self.fields["date"].initial = timezone.localdate()


def quarter_choices(today: date) -> list[tuple[str, str]]:
    """The project's quarters up to now that are still open, newest first."""
    project = current_project()
    if project is None:
        return []
    return [
        (
            start.isoformat(),
            _("Quarter %(n)s (from %(date)s)") % {"n": number, "date": date_format(start)},
        )
        for number, start, end in reversed(project.quarters())
        if start <= today and not project.is_closed(end)
    ]


class QuarterForm(forms.Form):
    quarter = forms.ChoiceField(label=gettext_lazy("Quarter"), choices=())
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("What was done. Funders read this: name no students."),
    )

    def __init__(self, *args, lines, organisation_id, **kwargs):
        # Its own ids: the single-contribution form beside it on the page has a "description"
        # too, and a label must point at the field of its own form.
        kwargs.setdefault("auto_id", "id_quarter_%s")
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = quarter_choices(timezone.localdate())
        self.lines = lines
        self.organisation_id = organisation_id
        for line in lines:
            self.fields[f"line_{line.pk}"] = numbers.DecimalField(
                label=line.title, required=False, min_value=0, max_digits=7, decimal_places=1
            )

    def clean_description(self):
        return description_without_students(self.cleaned_data["description"], self.organisation_id)

    def entries(self) -> list[dict]:
        return [
            {"programme_line": line, "hours": self.cleaned_data[f"line_{line.pk}"]}
            for line in self.lines
            if self.cleaned_data.get(f"line_{line.pk}")
        ]


class CorrectionForm(ContributionForm):
    reason = forms.CharField(label=gettext_lazy("Reason for the correction"), max_length=300)
