"""Pages of the co-financing ledger: a partner's own contributions, and the coordinators' review."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from activities.forms import DateInput, typed_reason
from activities.models import EVIDENCE_FAMILIES, Contribution, ContributionStatus
from civbio import numbers, rules, uploads
from ledger import services as ledger
from programmes.selectors import current_project
from reports.figures import finance_overview


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


def _ledger_staff(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not rules.has_role(request.user, "school_staff", "industry_staff", "coordinator"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


@_ledger_staff
def my_contributions(request):
    """The partner's own ledger: pledge, realised, what waits for confirmation or approval."""
    organisation = request.user.organisation
    project = current_project()
    if project is None:
        raise Http404
    lines = list(project.lines.all())
    blank = Contribution(organisation=organisation)
    form = ContributionForm(
        request.POST if request.method == "POST" and "log" in request.POST else None,
        request.FILES if request.method == "POST" and "log" in request.POST else None,
        instance=blank,
    )
    # The buttons say which form was sent; a button named like a field ("quarter") would
    # overwrite that field's value in the browser's submission.
    quarter = QuarterForm(
        request.POST if request.method == "POST" and "log_quarter" in request.POST else None,
        lines=lines,
        organisation_id=organisation.pk,
    )
    if request.method == "POST":
        try:
            if "log" in request.POST and form.is_valid():
                ledger.log_contribution(actor=request.user, fields=form.cleaned_data)
                messages.success(request, _("Logged and sent for approval."))
                return redirect("reports:my_contributions")
            if "log_quarter" in request.POST and quarter.is_valid():
                saved = ledger.log_quarter(
                    actor=request.user,
                    quarter_start=date.fromisoformat(quarter.cleaned_data["quarter"]),
                    entries=quarter.entries(),
                    description=quarter.cleaned_data["description"],
                )
                messages.success(
                    request, _("%(n)s entries logged for the quarter.") % {"n": len(saved)}
                )
                return redirect("reports:my_contributions")
        except ValidationError as error:
            # The model's field errors belong to the whole form here (the quarter form has one
            # field per line, not the model's fields).
            (form if "log" in request.POST else quarter).add_error(None, error.messages)
    overview = finance_overview(project)
    mine = next((p for p in overview["partners"] if p.organisation.pk == organisation.pk), None)
    contributions = list(
        rules.visible_contributions(request.user)
        .filter(organisation=organisation)
        .select_related("programme_line", "activity", "decided_by")
        .annotate(is_superseded=Exists(Contribution.objects.filter(corrects=OuterRef("pk"))))
        .order_by("-date", "-created_at")[:200]
    )
    return render(
        request,
        "ledger/my_contributions.html",
        {
            "organisation": organisation,
            "mine": mine,
            "years": overview["years"],
            "proposed": [c for c in contributions if c.status == ContributionStatus.PROPOSED],
            "contributions": [c for c in contributions if c.status != ContributionStatus.PROPOSED],
            "form": form,
            "quarter": quarter,
        },
    )


@_ledger_staff
def contribution_edit(request, pk: int):
    """Correct a rejected contribution, or confirm (and adjust) a proposed one."""
    contribution = get_object_or_404(rules.visible_contributions(request.user), pk=pk)
    form = ContributionForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=contribution,
    )
    if request.method == "POST" and form.is_valid():
        try:
            ledger.resubmit_contribution(
                actor=request.user, contribution=contribution, fields=form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Sent for approval."))
            return redirect("reports:my_contributions")
    return render(
        request, "ledger/contribution_form.html", {"form": form, "contribution": contribution}
    )


@login_required
def contribution_review(request):
    if not rules.can_review_contributions(request.user):
        raise PermissionDenied
    waiting = list(
        Contribution.objects.filter(status=ContributionStatus.SUBMITTED)
        .select_related("organisation", "programme_line", "activity", "submitted_by")
        .order_by("date", "created_at")[:300]
    )
    approved = list(
        Contribution.objects.filter(
            ~Exists(Contribution.objects.filter(corrects=OuterRef("pk"))),
            status=ContributionStatus.APPROVED,
        )
        .select_related("organisation", "programme_line")
        .order_by("-decided_at")[:50]
    )
    return render(
        request, "ledger/contribution_review.html", {"waiting": waiting, "approved": approved}
    )


@login_required
@require_POST
def contribution_decide(request, pk: int, decision: str):
    # The role first, so nobody else can tell an existing contribution from a missing one.
    if not rules.can_review_contributions(request.user):
        raise PermissionDenied
    contribution = get_object_or_404(Contribution, pk=pk)
    try:
        if decision == "approve":
            ledger.approve_contribution(actor=request.user, contribution=contribution)
            messages.success(request, _("Approved."))
        elif decision == "reject":
            ledger.reject_contribution(
                actor=request.user, contribution=contribution, reason=typed_reason(request.POST)
            )
            messages.success(request, _("Rejected; the partner sees your reason."))
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("reports:contribution_review")


@login_required
def contribution_evidence(request, pk: int):
    """Evidence files are served only to the partner itself and the coordinators, always as a
    download of the type their content is."""
    contribution = get_object_or_404(
        rules.visible_contributions(request.user).exclude(evidence=""), pk=pk
    )
    return uploads.stored_response(
        contribution.evidence, allowed=EVIDENCE_FAMILIES, as_attachment=True
    )


class CorrectionForm(ContributionForm):
    reason = forms.CharField(label=gettext_lazy("Reason for the correction"), max_length=300)


@login_required
def contribution_correct(request, pk: int):
    """Coordinators change an approved figure by recording a correction with its reason."""
    if not rules.can_review_contributions(request.user):
        raise PermissionDenied
    original = get_object_or_404(Contribution.objects.select_related("organisation"), pk=pk)
    form = CorrectionForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=Contribution.objects.get(pk=pk),
    )
    if request.method == "POST" and form.is_valid():
        try:
            ledger.correct_contribution(
                actor=request.user,
                contribution=original,
                fields={k: v for k, v in form.cleaned_data.items() if k != "reason"},
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The correction was recorded."))
            return redirect("reports:finance")
    return render(
        request,
        "ledger/contribution_form.html",
        {"form": form, "contribution": original, "correcting": True},
    )
