"""Pages of the co-financing ledger: a partner's own contributions, and the coordinators' review."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activities.forms import typed_reason
from civbio import rules, uploads
from civbio.confirmation import back_url
from civbio.pagination import paginate
from ledger import selectors
from ledger import services as ledger
from ledger.forms import ContributionForm, CorrectionForm, QuarterForm
from ledger.models import EVIDENCE_FAMILIES, Contribution, ContributionStatus
from programmes.selectors import current_project

# Logged contributions on a page of "our contributions", newest first.
LOGGED_PAGE_SIZE = 50


@rules.role_required(rules.is_staff_member)
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
                return redirect("ledger:my_contributions")
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
                return redirect("ledger:my_contributions")
        except ValidationError as error:
            # The model's field errors belong to the whole form here (the quarter form has one
            # field per line, not the model's fields).
            (form if "log" in request.POST else quarter).add_error(None, error.messages)
    # This partner's figures alone, worked out as the finance page works out every partner's.
    finance = selectors.partner_ledger(project, organisation.pk)
    own = (
        rules.visible_contributions(request.user)
        .filter(organisation=organisation)
        .select_related("programme_line", "activity", "decided_by")
        .order_by("-date", "-created_at", "-pk")
    )
    logged = paginate(
        own.exclude(status=ContributionStatus.PROPOSED).annotate(
            is_superseded=Exists(Contribution.objects.filter(corrects=OuterRef("pk")))
        ),
        request.GET,
        per_page=LOGGED_PAGE_SIZE,
    )
    return render(
        request,
        "ledger/my_contributions.html",
        {
            "organisation": organisation,
            "mine": finance["mine"],
            "years": finance["years"],
            # Proposals wait for a confirmation and go once confirmed: never many.
            "proposed": list(own.filter(status=ContributionStatus.PROPOSED)),
            "contributions": logged.rows,
            "pager": logged,
            "form": form,
            "quarter": quarter,
        },
    )


@rules.role_required(rules.is_staff_member)
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
            return redirect("ledger:my_contributions")
    return render(
        request, "ledger/contribution_form.html", {"form": form, "contribution": contribution}
    )


@rules.role_required(rules.can_review_contributions)
def contribution_review(request):
    return render(request, "ledger/contribution_review.html", selectors.review_page(request.GET))


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
    # Back to the page of the list the button was on.
    return HttpResponseRedirect(back_url(request, reverse("ledger:contribution_review")))


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


@rules.role_required(rules.can_review_contributions)
def contribution_correct(request, pk: int):
    """Coordinators change an approved figure by recording a correction with its reason."""
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
