"""The reports page: coordinators ask for, follow, retry and publish reports; funders and
coordinators download them (every download is logged)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from civbio import rules
from civbio.confirmation import confirmation_page, confirmed
from partners.models import Role, User
from partners.services import log_access
from programmes.periods import project_periods
from programmes.selectors import current_project
from reports import closing, services
from reports.models import REPORT_FORMATS, ReportKind, ReportState


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


@login_required
def report_list(request):
    visible = rules.visible_reports(request.user)
    if not (rules.is_coordinator(request.user) or rules.has_role(request.user, "funder")):
        raise PermissionDenied
    project = current_project()
    form = None
    if rules.is_coordinator(request.user) and project:
        form = ReportRequestForm(request.POST or None, project=project)
        if request.method == "POST" and form.is_valid():
            kind, number = form.cleaned_data["which"].split(":")
            try:
                report, outcome = services.request_report(
                    actor=request.user, kind=kind, number=int(number)
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if outcome == services.MADE:
                    messages.success(request, _("The report is being made. This page follows it."))
                elif outcome == services.REMADE:
                    messages.success(
                        request,
                        _(
                            "The unpublished version is being made again from today's figures. "
                            "This page follows it."
                        ),
                    )
                else:
                    messages.info(request, _("That report is being made already: see below."))
                return redirect(report.get_absolute_url())
    reports = list(visible.select_related("requested_by", "published_by"))
    close_form = None
    if rules.is_coordinator(request.user) and project:
        close_form = QuarterCloseForm(project=project)
    return render(
        request,
        "reports/report_list.html",
        {
            "reports": reports,
            "form": form,
            "close_form": close_form,
            "closed_until": project.closed_until if project else None,
        },
    )


@login_required
def report_row(request, pk: int):
    """One report's row, which the page asks for every few seconds while it is being made."""
    report = get_object_or_404(rules.visible_reports(request.user), pk=pk)
    return render(request, "reports/partials/report_row.html", {"report": report})


def _coordinator_action(action, done: str):
    @login_required
    @require_POST
    def view(request, pk: int):
        report = get_object_or_404(rules.visible_reports(request.user), pk=pk)
        try:
            action(actor=request.user, report=report)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done)
        return redirect(report.get_absolute_url())

    return view


report_retry = _coordinator_action(
    services.retry_report, gettext_lazy("The report is queued again.")
)


def report_title(report) -> str:
    """The report as its row names it: kind, period and version."""
    if report.kind == ReportKind.QUARTERLY:
        which = _("quarter %(n)s") % {"n": report.number}
    elif report.kind == ReportKind.ANNUAL:
        which = _("project year %(n)s") % {"n": report.number}
    else:
        which = ""
    return _("%(kind)s %(which)s (%(start)s to %(end)s, version %(version)s)") % {
        "kind": report.get_kind_display(),
        "which": which,
        "start": date_format(report.period_start, "SHORT_DATE_FORMAT"),
        "end": date_format(report.period_end, "SHORT_DATE_FORMAT"),
        "version": report.version,
    }


def _publish_lines(report) -> list[str]:
    """What publishing does, and who will download the report."""
    funders = list(
        User.objects.active()
        .filter(role=Role.FUNDER)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    organisations = sorted({person.organisation.display_name for person in funders})
    lines = [
        _(
            "Once published, this version never changes: a correction becomes a new version, "
            "and this one stays as it was published."
        )
    ]
    if funders:
        lines.append(
            ngettext(
                "%(n)d funder account can download it (%(organisations)s).",
                "%(n)d funder accounts can download it (%(organisations)s).",
                len(funders),
            )
            % {"n": len(funders), "organisations": ", ".join(organisations)}
        )
    else:
        lines.append(_("No funder has an account yet: funders who join later can download it."))
    return lines


@login_required
@require_http_methods(["GET", "POST"])
def report_publish(request, pk: int):
    """Publish a ready report, after a page that says it can never change and who gets it."""
    report = get_object_or_404(rules.visible_reports(request.user), pk=pk)
    if not rules.is_coordinator(request.user):
        raise PermissionDenied
    if not (report.state == ReportState.READY and not report.is_published):
        messages.error(request, _("Only a ready, unpublished report can be published."))
        return redirect(report.get_absolute_url())
    if confirmed(request):
        try:
            services.publish_report(actor=request.user, report=report)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The report is published: funders can download it, and it no longer changes."),
            )
        return redirect(report.get_absolute_url())
    return confirmation_page(
        request,
        heading=_("Publish %(report)s?") % {"report": report_title(report)},
        lines=_publish_lines(report),
        action=reverse("reports:report_publish", args=[report.pk]),
        confirm_label=_("Yes, publish it"),
        back=reverse("reports:report_list"),
        back_label=_("No, not yet"),
        warning=_("This cannot be undone."),
    )


@login_required
def report_download(request, pk: int, fmt: str):
    if fmt not in REPORT_FORMATS:
        raise Http404
    report = get_object_or_404(rules.visible_reports(request.user), pk=pk)
    stored = report.file_for(fmt)
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    log_access(actor=request.user, action=f"download_{fmt}", target_type="report", target_id=pk)
    content_type, extension = REPORT_FORMATS[fmt]
    name = f"civbio-{report.kind}-{report.number}-v{report.version}.{extension}"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Checksum-SHA256"] = report.checksum_for(fmt)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def quarter_close(request):
    """Close the quarters up to the one chosen, after a page that says what closing does."""
    if not rules.is_coordinator(request.user):
        raise PermissionDenied
    project = current_project()
    if project is None:
        raise Http404
    form = QuarterCloseForm(request.POST or request.GET, project=project)
    if not form.is_valid():
        messages.error(request, _("Choose a quarter that has ended and is not closed yet."))
        return redirect("reports:report_list")
    number = form.cleaned_data["quarter"]
    if confirmed(request):
        try:
            closing.close_quarters(actor=request.user, project=project, number=number)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The quarters up to quarter %(n)s are closed: their figures are stored.")
                % {"n": number},
            )
        return redirect("reports:report_list")
    first = next((q for q in closing.closable_quarters(project)), None)
    _n, start, end = project.quarters()[number - 1]
    return confirmation_page(
        request,
        heading=_("Close the quarters up to quarter %(n)s?") % {"n": number},
        lines=[
            _(
                "Every figure of quarters %(first)s to %(n)s (%(start)s to %(end)s) is stored as "
                "it stands now: from then on the dashboards, the KPI and finance pages and the "
                "reports show those stored figures."
            )
            % {
                "first": first[0] if first else number,
                "n": number,
                "start": date_format(first[1] if first else start, "SHORT_DATE_FORMAT"),
                "end": date_format(end, "SHORT_DATE_FORMAT"),
            },
            _(
                "Contributions, reported KPI figures and narratives dated in those quarters can "
                "then no longer be added or changed."
            ),
        ],
        action=reverse("reports:quarter_close"),
        confirm_label=_("Yes, close them"),
        back=reverse("reports:report_list"),
        back_label=_("No, not yet"),
        hidden=[("quarter", number)],
        warning=_("A closed quarter cannot be opened again here."),
    )
