"""What a funder report says: built from the same selectors as the dashboards and the finance
and KPI pages, for one period, with student figures protected as on the funder dashboard."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import ActivityKind
from civbio.mail import absolute_url
from ledger.models import ContributionKind
from partners.models import CofinancingCategory, Organisation
from programmes.models import Milestone, MilestoneStatus, Narrative, Project
from programmes.periods import Period
from reports import charts, figures, kpis
from reports.figures import counting_contributions


@dataclass
class LineSection:
    line: object
    light: str | None
    rows: list
    chart: charts.Chart | None
    narratives: list = field(default_factory=list)


def report_contents(project: Project, period: Period, today: date | None = None) -> dict:
    """Everything a report shows for `period`, as plain figures (the PDF, the workbook and the
    CSV files are three views of this)."""
    today = today or timezone.localdate()
    upto = period.upto(today)
    closed = figures.closed_quarters(project)
    data = kpis.kpi_rows(project, today=upto)
    current = data["quarter"][0] if data["quarter"] else 0
    raw = {r.indicator.pk: r.in_quarters(period.quarters, current) for r in data["rows"]}
    kpis.suppress_people(data["rows"])
    for row in data["rows"]:
        row.period_value = (
            figures.protect(raw[row.indicator.pk]) if row.protected else raw[row.indicator.pk]
        )
    narratives = list(
        Narrative.objects.filter(
            programme_line__project=project, period_start__range=(period.start, period.end)
        ).order_by("period_start")
    )
    lines = []
    for line in project.lines.all():
        rows = [r for r in data["rows"] if r.indicator.programme_line_id == line.pk]
        charted = [r for r in rows if r.target and r.cumulative is not None]
        chart = (
            charts.bar_chart(
                _("Line %(n)s: realised as a share of this year's target") % {"n": line.number},
                _("Each bar is an indicator's figure as a percentage of its target for the year."),
                [r.indicator.title for r in charted],
                [(_("Percentage of target"), [r.percent_of_target for r in charted])],
                horizontal=True,
                value_suffix="%",
                maximum=100,
                category=_("Indicator"),
                width=640,
                show_values=False,
                narrow=False,
            )
            if charted
            else None
        )
        lines.append(
            LineSection(
                line=line,
                light=kpis.line_light(rows) if rows else None,
                rows=rows,
                chart=chart,
                narratives=[n for n in narratives if n.programme_line_id == line.pk],
            )
        )
    happened = {
        key: n
        for key, n in figures.activities_happened(period, closed=closed).items()
        # Placements are students: reported only as the protected KPI "places filled".
        if key[0] != ActivityKind.INTERNSHIP
    }
    activity_rows = [
        (ActivityKind(kind).label, line_number, n)
        for (kind, line_id), n in sorted(happened.items())
        for line_number in [next(s.line.number for s in lines if s.line.pk == line_id)]
    ]
    milestones = list(
        Milestone.objects.filter(project=project)
        .filter(
            Q(due_date__range=(period.start, period.end))
            | Q(reached_on__range=(period.start, period.end))
        )
        .select_related("programme_line", "owner_organisation")
        .order_by("due_date")
    )
    for item in milestones:
        item.overdue = item.status == MilestoneStatus.PLANNED and item.due_date < upto
    # Every figure of the report as it stood at the end of the period (or today, while the
    # period runs): the rule checks say the same co-financing as the indicator table.
    finance = figures.cofinancing(project, period=period, as_of=upto, closed=closed)
    partners = [
        p
        for p in finance["partners"]
        if p.organisation.cofinancing_category in figures.COUNTING_CATEGORIES
        and _partner_during(p.organisation, period)
    ]
    # What partners whose contributions do not count recorded in the period: listed apart,
    # with the reason, never in the co-financing totals.
    not_counting = [
        p
        for p in finance["partners"]
        if p.not_counting_reason and p.period_recorded and _partner_during(p.organisation, period)
    ]
    engagement = [
        e
        for e in figures.partner_engagement(period, upto, closed=closed)
        if _partner_during(e.organisation, period)
    ]
    all_partners = list(Organisation.objects.partners())
    hours = list(
        counting_contributions()
        .filter(kind=ContributionKind.STAFF_HOURS, date__range=(period.start, period.end))
        .select_related("organisation", "programme_line")
        .order_by("date", "organisation__name")
    )
    return {
        "project": project,
        "period": period,
        "today": today,
        # Where a reader of the file finds how each figure is counted (docs/figures.md).
        "figures_url": absolute_url(reverse("reports:figures")),
        "upto": upto,
        "lines": lines,
        "risks_written": any(n.risks for n in narratives),
        "activities": activity_rows,
        "activities_total": sum(happened.values()),
        "milestones": milestones,
        "reached": [m for m in milestones if m.status == MilestoneStatus.REACHED],
        "missed": [m for m in milestones if m.status == MilestoneStatus.MISSED or m.overdue],
        "partners": partners,
        "printed_partners": _printed(partners),
        "cofinancing_total": {
            "committed": sum((p.period_committed for p in partners), Decimal(0)),
            "cash": sum((p.period_cash for p in partners), Decimal(0)),
            "in_kind": sum((p.period_in_kind for p in partners), Decimal(0)),
        },
        "checks": finance["checks"],
        "not_counting": not_counting,
        "active_partners": [e.organisation for e in engagement if e.active_in_period],
        "joined": [o for o in all_partners if period.contains(o.active_since)],
        "left": [o for o in all_partners if period.contains(o.active_until)],
        "hours_register": hours,
        "finance_charts": _finance_charts(partners, period),
    }


def _partner_during(organisation: Organisation, period: Period) -> bool:
    """A partner at some time in the period: joined by its end, not left before its start."""
    joined = organisation.active_since is None or organisation.active_since <= period.end
    return joined and (
        organisation.active_until is None or organisation.active_until >= period.start
    )


# Partners in the printed co-financing table; the workbook and the CSV files hold every one. A
# real consortium's fit (26 partners); a PDF of thousands of rows took a minute (make bench at a
# hundred times the consortium) and no reader goes through it.
PRINTED_PARTNERS = 50


def _printed(partners: list) -> list:
    """The partners the printed table lists: all of them while they fit, else the largest
    pledges for the period, largest first."""
    if len(partners) <= PRINTED_PARTNERS:
        return partners
    return sorted(partners, key=lambda p: p.period_committed, reverse=True)[:PRINTED_PARTNERS]


# Partners per printed chart: twenty compact rows take half an A4 page. The charts show the
# largest pledges. A chart for every twenty partners grew
# with the consortium and drawing them was most of a report's time (make bench: 14 charts at ten
# times the consortium, 130 at a hundred; WeasyPrint styles each chart against all the others).
CHART_PARTNERS = 20


def _finance_charts(partners: list, period: Period) -> list[charts.Chart]:
    """The pledge for the period next to what was realised, one chart per co-financing category
    (the RIF judges each on its own), for the partners with the largest pledges."""
    names = {
        CofinancingCategory.EMPLOYER: _("employers and organised business"),
        CofinancingCategory.OTHER: _("other partners"),
    }
    made = []
    for category, label in names.items():
        rows = [p for p in partners if p.organisation.cofinancing_category == category]
        if not rows:
            continue
        shown = sorted(rows, key=lambda p: p.period_committed, reverse=True)[:CHART_PARTNERS]
        title = _("Co-financing per partner in %(period)s: %(category)s") % {
            "period": period.short_label,
            "category": label,
        }
        summary = _("For each partner, the pledge for the period next to what it realised.")
        if len(rows) > len(shown):
            title += " " + _("(the %(n)s largest pledges of %(total)s)") % {
                "n": len(shown),
                "total": len(rows),
            }
            summary += " " + _("The table above lists every partner.")
        made.append(
            charts.bar_chart(
                title,
                summary,
                [p.organisation.name for p in shown],
                [
                    (_("Committed"), [p.period_committed for p in shown]),
                    (_("Realised"), [p.period_realised for p in shown]),
                ],
                horizontal=True,
                category=_("Partner"),
                width=640,
                show_values=False,
                narrow=False,
                compact=True,
            )
        )
    return made
