import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import (
    NOTICE_KINDS,
    Activity,
    ActivityKind,
    ActivityStatus,
    Event,
    GuestLesson,
    Placement,
    Posting,
    PracticumAssignment,
    ReminderKind,
    ResearchOutput,
    ResearchProject,
)
from civbio import numbers, rules
from civbio.widgets import DateInput
from partners.models import Organisation, User
from students.models import ModuleUnit, Qualification

COMMON_FIELDS = [
    "title",
    "description",
    "start_date",
    "end_date",
    "qualifications",
    "level",
    "contact",
    "partner_organisations",
]
DATE_WIDGETS = {"start_date": DateInput(), "end_date": DateInput()}


class ActivityForm(forms.ModelForm):
    """Fields every kind shares; each kind adds its own. `version` guards concurrent edits."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, host: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["submission_token"].initial = uuid.uuid4()
        # A retired qualification, or a partner that left, stays an option where the activity
        # already names it: an edit must not drop it without anyone choosing to.
        chosen_qualifications = chosen_partners = Qualification.objects.none().values("pk")
        if self.instance.pk:
            chosen_qualifications = self.instance.qualifications.values("pk")
            chosen_partners = self.instance.partner_organisations.values("pk")
        self.fields["qualifications"].queryset = Qualification.objects.filter(
            Q(is_active=True) | Q(pk__in=chosen_qualifications)
        )
        self.fields["qualifications"].widget.attrs["size"] = 6
        self.fields["contact"].queryset = User.objects.active().filter(organisation=host)
        still_partners = Organisation.objects.partners().active().values("pk")
        self.fields["partner_organisations"].queryset = (
            Organisation.objects.partners()
            .filter(Q(pk__in=still_partners) | Q(pk__in=chosen_partners))
            .exclude(pk=host.pk)
        )
        self.fields["partner_organisations"].widget.attrs["size"] = 6
        if "required_units" in self.fields:
            # A retired unit only where the activity already asks for it (a subquery of the
            # options' own query).
            offered = Q(module__is_active=True, retired_on__isnull=True)
            if self.instance.pk:
                offered |= Q(pk__in=self.instance.required_units.values("pk"))
            self.fields["required_units"].queryset = ModuleUnit.objects.filter(
                offered
            ).select_related("module")
            self.fields["required_units"].widget.attrs["size"] = 6
        if self.instance.pk:
            self.fields["version"].initial = self.instance.updated_at.isoformat()

    def activity_fields(self) -> dict:
        """The cleaned values the service saves on the activity row itself."""
        many = {
            "qualifications",
            "required_units",
            "partner_organisations",
            "teacher_researchers",
            "version",
            "submission_token",
            "host",
        }
        return {k: v for k, v in self.cleaned_data.items() if k not in many}


class PostingForm(ActivityForm):
    class Meta:
        model = Posting
        fields = [
            "title",
            "description",
            "route",
            "qualifications",
            "level",
            "start_date",
            "end_date",
            "duration_months",
            "days_per_week",
            "places",
            "location",
            "allowance_min",
            "allowance_max",
            "required_units",
            "required_skills",
            "offer",
            "contact",
            "sbb_leerbedrijf_id",
            "application_deadline",
            "partner_organisations",
        ]
        formfield_callback = numbers.formfield
        widgets = {**DATE_WIDGETS, "application_deadline": DateInput()}
        labels = {"contact": _("Workplace trainer (contact)")}


class GuestLessonForm(ActivityForm):
    class Meta:
        model = GuestLesson
        fields = [
            *COMMON_FIELDS[:2],
            "speaker",
            "format",
            "duration_minutes",
            "max_group_size",
            "availability",
            *COMMON_FIELDS[2:],
        ]
        widgets = DATE_WIDGETS
        labels = {
            "title": _("Topic"),
            "start_date": _("Available from"),
            "end_date": _("Available until"),
        }


class PracticumForm(ActivityForm):
    class Meta:
        model = PracticumAssignment
        fields = [
            "title",
            "description",
            "deliverable",
            "materials",
            "max_group_size",
            "required_units",
            *COMMON_FIELDS[2:],
        ]
        widgets = DATE_WIDGETS
        labels = {
            "description": _("Brief"),
            "start_date": _("Period from"),
            "end_date": _("Period until"),
        }


class EventForm(ActivityForm):
    class Meta:
        model = Event
        fields = [
            "title",
            "description",
            "event_type",
            "audience",
            "location",
            "capacity",
            *COMMON_FIELDS[2:],
        ]
        widgets = DATE_WIDGETS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.kind != ActivityKind.IMAGE:
            del self.fields["event_type"]
        else:
            self.fields["event_type"].required = True


class ResearchForm(ActivityForm):
    class Meta:
        model = ResearchProject
        fields = [
            "title",
            "research_question",
            "description",
            "track",
            "phase",
            "practor",
            "teacher_researchers",
            "students_involved",
            *COMMON_FIELDS[2:],
        ]
        widgets = DATE_WIDGETS

    def __init__(self, *args, host: Organisation, **kwargs):
        super().__init__(*args, host=host, **kwargs)
        school_people = User.objects.active().filter(organisation=host)
        self.fields["practor"].queryset = school_people
        self.fields["teacher_researchers"].queryset = school_people


FORM_FOR_KIND = {
    ActivityKind.INTERNSHIP: PostingForm,
    ActivityKind.GUEST_LESSON: GuestLessonForm,
    ActivityKind.PRACTICUM: PracticumForm,
    ActivityKind.COMPANY_VISIT: EventForm,
    ActivityKind.TRAINING: EventForm,
    ActivityKind.IMAGE: EventForm,
    ActivityKind.RESEARCH: ResearchForm,
}


class RequestForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    group_name = forms.CharField(label=_("Class or group"), max_length=80)
    student_count = forms.IntegerField(label=_("Number of students"), min_value=1, max_value=500)
    message = forms.CharField(
        label=_("Message to the host"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value <= timezone.localdate():
            raise forms.ValidationError(_("Choose a date in the future."))
        return value


class AnswerRequestForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("accept", _("Accept")),
            ("decline", _("Decline")),
            ("propose", _("Propose another date")),
        ]
    )
    proposed_date = forms.DateField(label=_("Proposed date"), required=False, widget=DateInput())
    message = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeliveryForm(forms.Form):
    students_reached = forms.IntegerField(
        label=_("Students reached"), min_value=0, max_value=500, required=False
    )
    feedback = forms.CharField(
        label=_("Short feedback"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    results = forms.CharField(
        label=_("Results returned"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NominationForm(forms.Form):
    """Put a student forward for a place. Any of the school's students on the place's route may
    be chosen; the list offers at most SHOWN of them (those whose name or number holds `find`,
    when given), so the page stays small however many students the school has."""

    SHOWN = 50

    student = forms.ModelChoiceField(
        label=_("Student"), queryset=None, empty_label=_("Choose a student")
    )
    motivation = forms.CharField(
        label=_("Motivation"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, actor: User, posting: Posting, find: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        students = rules.visible_students(actor).active().filter(route=posting.route)
        field = self.fields["student"]
        field.queryset = students  # what may be chosen: checked when the form is sent
        find = find.strip()
        if find:
            students = students.filter(
                Q(display_name__icontains=find) | Q(student_number__icontains=find)
            )
        shown = list(students.order_by("display_name", "pk")[: self.SHOWN + 1])
        self.find = find
        self.more_students = len(shown) > self.SHOWN
        field.widget.choices = [("", field.empty_label)] + [
            (student.pk, field.label_from_instance(student)) for student in shown[: self.SHOWN]
        ]


class AnswerNominationForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    message = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    start_date = forms.DateField(label=_("Start date"), required=False, widget=DateInput())
    end_date = forms.DateField(label=_("End date"), required=False, widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date lies before the start date."))
        return cleaned


class PlacementAgreementForm(forms.ModelForm):
    class Meta:
        model = Placement
        fields = ["pok_reference"]


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActivityStatus.choices)
    people_reached = forms.IntegerField(
        label=_("People reached"), min_value=0, max_value=1_000_000, required=False
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ResearchOutputForm(forms.ModelForm):
    class Meta:
        model = ResearchOutput
        fields = ["kind", "title", "url", "published_on"]
        widgets = {"published_on": DateInput()}


def activity_form_class(activity: Activity) -> type[ActivityForm]:
    return FORM_FOR_KIND[activity.kind]


class ReminderSettingsForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Send me a reminder when"),
        # Notices of decisions about one's own work always come; they are not offered here.
        choices=[(k, label) for k, label in ReminderKind.choices if k not in NOTICE_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class ReasonForm(forms.Form):
    """A short reason typed with a one-click action (cancelling, rejecting): plain text only."""

    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class ConfirmForm(forms.Form):
    """The reason typed on a confirmation page. Required where another party loses something
    (a request, a nomination): they are sent it, and it stays on the timeline. `told` says who
    is sent it; it is shown as the field's help, unescaped, so it is a fixed sentence, never
    anything a user typed."""

    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, required: bool, told: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        field.required = required
        if not required:
            field.label = _("Message (optional)")
        field.help_text = told


def typed_reason(data) -> str:
    """The reason from a posted form, or a ValidationError in the person's language."""
    form = ReasonForm(data)
    if not form.is_valid():
        raise ValidationError([e for errors in form.errors.values() for e in errors])
    return form.cleaned_data["reason"]
