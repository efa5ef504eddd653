"""The forms of the students' pages: editions, the progress grid's cells, the import, a student."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy

from civbio import numbers, rules
from civbio.widgets import DateInput
from partners.models import Organisation, User
from students.models import (
    Edition,
    Module,
    ModuleUnit,
    ProgressStatus,
    Qualification,
    Student,
)
from students.services import MODULE_FIELDS, QUALIFICATION_FIELDS, STUDENT_FIELDS


class EditionForm(forms.ModelForm):
    class Meta:
        model = Edition
        fields = ["module", "name", "start_date", "end_date", "teachers"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = Module.objects.filter(is_active=True)
        self.fields["teachers"].queryset = User.objects.active().filter(
            organisation_id=user.organisation_id
        )
        self.fields["teachers"].required = False

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if any(ord(c) < 32 for c in name):
            raise forms.ValidationError(gettext_lazy("Use letters, digits and spaces."))
        return name

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", gettext_lazy("The end date lies before the start date."))
        return cleaned


class CellValueForm(forms.Form):
    status = forms.ChoiceField(choices=ProgressStatus.choices)
    grade = numbers.DecimalField(max_digits=3, decimal_places=1, required=False)


class CellForm(CellValueForm):
    enrolment = forms.IntegerField()
    unit = forms.IntegerField()


class BulkForm(forms.Form):
    unit = forms.IntegerField()
    status = forms.ChoiceField(choices=ProgressStatus.choices)
    students = forms.TypedMultipleChoiceField(coerce=int, choices=())

    def __init__(self, *args, student_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["students"].choices = [(pk, pk) for pk in student_ids]


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))
    edition = forms.ModelChoiceField(
        label=gettext_lazy("Also enrol them in"),
        queryset=Edition.objects.none(),
        required=False,
        empty_label=gettext_lazy("No edition"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["edition"].queryset = (
            rules.visible_editions(user)
            .filter(school_id=user.organisation_id)
            .select_related("module")
        )


class StudentForm(forms.ModelForm):
    # The version the teacher saw: a save over someone else's change is refused.
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Student
        fields = STUDENT_FIELDS
        widgets = {"left_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.updated_at.isoformat()
        # A retired qualification is offered only to the students who already have it.
        self.fields["qualification"].queryset = Qualification.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.qualification_id)
        )


class StudentSearchForm(forms.Form):
    """The students list's search: a name or number, and whether they are still at school."""

    ACTIVE, LEFT, ALL = "active", "left", "all"

    q = forms.CharField(
        label=gettext_lazy("Name or student number"), required=False, max_length=100
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            (ACTIVE, gettext_lazy("At school")),
            (LEFT, gettext_lazy("Left")),
            (ALL, gettext_lazy("All")),
        ],
    )


# The catalogues ---------------------------------------------------------------------------------


class QualificationForm(forms.ModelForm):
    class Meta:
        model = Qualification
        fields = QUALIFICATION_FIELDS
        widgets = {"crebo": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 5})}
        error_messages = {
            "crebo": {"unique": gettext_lazy("Another qualification already has this crebo code.")}
        }
        help_texts = {
            "crebo": gettext_lazy("Five digits, as in the register of qualifications."),
            "level": gettext_lazy("1 to 4."),
        }


class ModuleForm(forms.ModelForm):
    class Meta:
        model = Module
        fields = [*MODULE_FIELDS, "qualifications", "partner_organisations"]
        widgets = {
            "qualifications": forms.CheckboxSelectMultiple,
            "partner_organisations": forms.CheckboxSelectMultiple,
        }
        error_messages = {"code": {"unique": gettext_lazy("Another module already has this code.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Retired qualifications and partners that left are offered only where the module
        # already names them.
        chosen_qualifications = chosen_partners = []
        if self.instance.pk:
            chosen_qualifications = [q.pk for q in self.instance.qualifications.all()]
            chosen_partners = [o.pk for o in self.instance.partner_organisations.all()]
        self.fields["qualifications"].queryset = Qualification.objects.filter(
            Q(is_active=True) | Q(pk__in=chosen_qualifications)
        )
        self.fields["partner_organisations"].queryset = Organisation.objects.filter(
            Q(active_until__isnull=True) | Q(pk__in=chosen_partners)
        ).order_by("name")


class UnitForm(forms.ModelForm):
    class Meta:
        model = ModuleUnit
        fields = ["title", "hours"]
