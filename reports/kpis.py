"""KPIs per programme line: what civbio counts by itself per quarter, what partners report by
hand, against the targets — the same figures for the KPI page and the funder reports."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, QuerySet, Sum, Value, When
from django.utils import timezone

from activities.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Audience,
    Event,
    Placement,
    Posting,
    Request,
    RequestStatus,
    ResearchOutput,
)
from ledger.models import Contribution
from programmes.models import (
    Commitment,
    DerivedMeasure,
    Indicator,
    IndicatorSource,
    IndicatorValue,
    Project,
    ReportStatus,
)
from reports.figures import counting_contributions, hour_rate, protect, rate_table
from students.models import DONE_STATUSES, Edition, UnitProgress


def quarter_expression(project: Project, field_name: str):
    """SQL for the project quarter a date field falls in (0 outside the project)."""
    return Case(
        *[
            When(**{f"{field_name}__range": (start, end)}, then=Value(number))
            for number, start, end in project.quarters()
        ],
        default=Value(0),
        output_field=IntegerField(),
    )


def _per_quarter(
    queryset: QuerySet, project: Project, date_field: str, aggregate
) -> dict[int, Decimal]:
    rows = (
        queryset.annotate(q=quarter_expression(project, date_field))
        .values("q")
        .annotate(total=aggregate)
        .values_list("q", "total")
    )
    return {q: Decimal(total or 0) for q, total in rows if q}


def _delivered(kind: str) -> QuerySet:
    return Request.objects.filter(status=RequestStatus.DELIVERED, activity__kind=kind)


def measure(project: Project, key: str) -> dict[int, Decimal]:
    """One derived measure, per project quarter, in one query."""
    match key:
        case DerivedMeasure.GUEST_LESSONS:
            return _per_quarter(_delivered(ActivityKind.GUEST_LESSON), project, "date", Count("pk"))
        case DerivedMeasure.STUDENTS_REACHED:
            return _per_quarter(
                Request.objects.filter(status=RequestStatus.DELIVERED),
                project,
                "date",
                Sum("students_reached"),
            )
        case DerivedMeasure.PLACES_OFFERED:
            return _per_quarter(
                Posting.objects.exclude(
                    status__in=[ActivityStatus.DRAFT, ActivityStatus.CANCELLED]
                ),
                project,
                "start_date",
                Sum("places"),
            )
        case DerivedMeasure.PLACES_FILLED:
            return _per_quarter(Placement.objects.all(), project, "start_date", Count("pk"))
        case DerivedMeasure.EDITIONS_RUN:
            return _per_quarter(Edition.objects.all(), project, "start_date", Count("pk"))
        case DerivedMeasure.UNITS_COMPLETED:
            return _per_quarter(
                UnitProgress.objects.filter(status__in=DONE_STATUSES),
                project,
                "recorded_on",
                Count("pk"),
            )
        case DerivedMeasure.TEACHERS_TRAINED:
            return _per_quarter(
                Event.objects.filter(
                    kind=ActivityKind.TRAINING,
                    status=ActivityStatus.DELIVERED,
                    audience__in=[Audience.TEACHERS, Audience.WORKPLACE_TRAINERS],
                ),
                project,
                "start_date",
                Sum("people_reached"),
            )
        case DerivedMeasure.RESEARCH_PROJECTS:
            return _per_quarter(
                Activity.objects.filter(kind=ActivityKind.RESEARCH).exclude(
                    status=ActivityStatus.DRAFT
                ),
                project,
                "start_date",
                Count("pk"),
            )
        case DerivedMeasure.RESEARCH_OUTPUTS:
            return _per_quarter(ResearchOutput.objects.all(), project, "published_on", Count("pk"))
        case DerivedMeasure.PEOPLE_REACHED:
            return _per_quarter(
                Event.objects.filter(kind=ActivityKind.IMAGE, status=ActivityStatus.DELIVERED),
                project,
                "start_date",
                Sum("people_reached"),
            )
        case DerivedMeasure.ACTIVE_PARTNERS:
            return {q: Decimal(len(ids)) for q, ids in active_partners(project).items()}
        case DerivedMeasure.COFINANCING:
            # Valued exactly as on the finance page: each partner's rate for that year.
            rates = rate_table(project, list(Commitment.objects.filter(project=project)))
            rows = (
                counting_contributions()
                .annotate(q=quarter_expression(project, "date"))
                .values("q", "organisation_id")
                .annotate(h=Sum("hours"), a=Sum("amount"))
            )
            euros: dict[int, Decimal] = {}
            for row in rows:
                if not row["q"]:
                    continue
                year = (row["q"] - 1) // 4 + 1
                rate = hour_rate(rates, project, row["organisation_id"], year)
                value = (row["h"] or 0) * rate + (row["a"] or 0)
                euros[row["q"]] = euros.get(row["q"], Decimal(0)) + value
            return euros
    return {}


def is_headcount(indicator: Indicator) -> bool:
    return (
        indicator.source == IndicatorSource.DERIVED
        and indicator.measure == DerivedMeasure.ACTIVE_PARTNERS
    )


def active_partners(project: Project) -> dict[int, frozenset[int]]:
    """Per project quarter, the partners with an approved contribution dated in it, in one query.
    A headcount does not add up over quarters: over several, a partner counts once."""
    rows = (
        Contribution.objects.filter(
            status="approved", date__range=(project.start_date, project.end_date)
        )
        .annotate(q=quarter_expression(project, "date"))
        .values_list("q", "organisation_id")
        .order_by()
        .distinct()
    )
    partners: dict[int, set[int]] = {}
    for quarter, organisation_id in rows:
        if quarter:
            partners.setdefault(quarter, set()).add(organisation_id)
    return {q: frozenset(ids) for q, ids in partners.items()}


@dataclass
class KpiRow:
    indicator: Indicator
    per_quarter: dict = field(default_factory=dict)
    target: Decimal = Decimal(0)
    this_period: Decimal = Decimal(0)
    cumulative: Decimal = Decimal(0)
    forecast: Decimal = Decimal(0)
    pending: int = 0
    light: str = "green"
    # Where the figure should stand by now, and the target at the project's end.
    expected: Decimal = Decimal(0)
    final_target: Decimal = Decimal(0)
    # Set when the figures were protected for outsiders: no trend is drawn from them.
    protected: bool = False
    # For a headcount: who was counted in each quarter, so that over several quarters each
    # one counts once.
    members: dict[int, frozenset[int]] = field(default_factory=dict)

    @property
    def is_headcount(self) -> bool:
        return is_headcount(self.indicator)

    @property
    def percent_of_target(self) -> Decimal | None:
        """The cumulative figure as a share of this year's target, in percent."""
        if not self.target:
            return None
        return (self.cumulative / self.target * 100).quantize(Decimal("1"))

    def in_quarters(self, quarters, upto: int) -> Decimal:
        """The figure over some quarters up to quarter `upto` (later ones have not happened,
        whatever is dated in them): their sum, or for a headcount those counted in any of them,
        each once."""
        shown = [q for q in quarters if q <= upto]
        if self.is_headcount:
            counted = frozenset().union(*(self.members.get(q, frozenset()) for q in shown))
            return Decimal(len(counted))
        return sum((self.per_quarter.get(q, Decimal(0)) for q in shown), Decimal(0))

    def trend(self, last_quarter: int) -> list[Decimal | None]:
        """Cumulative figure after each quarter up to `last_quarter`, as percent of the final
        target (None when there is no target)."""
        points = []
        for q in range(1, last_quarter + 1):
            running = self.in_quarters(range(1, q + 1), q)
            points.append(
                (running / self.final_target * 100).quantize(Decimal("1"))
                if self.final_target
                else None
            )
        return points


def kpi_rows(project: Project, line_id: int | None = None, today: date | None = None) -> dict:
    """Every indicator (of one line, or all) with target for the current year, the figure for the
    current quarter, the cumulative figure and a straight-line forecast to the project's end."""
    today = today or timezone.localdate()
    indicators = list(
        Indicator.objects.filter(
            project=project, **({"programme_line_id": line_id} if line_id else {})
        )
        .select_related("programme_line")
        .prefetch_related("targets")
    )
    reported: dict[int, dict[int, Decimal]] = {}
    pending: dict[int, int] = {}
    for item in IndicatorValue.objects.filter(indicator__in=indicators).exclude(
        status=ReportStatus.REJECTED
    ):
        quarter = project.quarter_of(item.period_start)
        if item.status == ReportStatus.APPROVED and quarter:
            reported.setdefault(item.indicator_id, {})[quarter[0]] = item.value
        elif item.status == ReportStatus.SUBMITTED:
            pending[item.indicator_id] = pending.get(item.indicator_id, 0) + 1
    current = project.quarter_of(min(max(today, project.start_date), project.end_date))
    current_number = current[0] if current else 0
    year = (current_number - 1) // 4 + 1 if current_number else 1
    measures: dict[str, dict[int, Decimal]] = {}
    members: dict[int, frozenset[int]] = {}
    rows = []
    for indicator in indicators:
        if is_headcount(indicator):
            if indicator.measure not in measures:
                members = active_partners(project)
                measures[indicator.measure] = {q: Decimal(len(m)) for q, m in members.items()}
            per_quarter = measures[indicator.measure]
        elif indicator.source == IndicatorSource.DERIVED:
            if indicator.measure not in measures:
                measures[indicator.measure] = measure(project, indicator.measure)
            per_quarter = measures[indicator.measure]
        else:
            per_quarter = reported.get(indicator.pk, {})
        targets = {t.year: t.value for t in indicator.targets.all()}

        def target_for(y: int, targets=targets, indicator=indicator) -> Decimal:
            return Decimal(0) if y < 1 else targets.get(y, indicator.target_for_year(y))

        # Targets are cumulative: by the end of year N the figure should have reached its target.
        target = target_for(year)
        previous = target_for(year - 1)
        quarter_in_year = Decimal((current_number - 1) % 4 + 1) if current_number else Decimal(4)
        expected = previous + (target - previous) * quarter_in_year / 4
        upto = {q: v for q, v in per_quarter.items() if q <= current_number}
        total_quarters = len(project.quarters())
        if is_headcount(indicator):
            # Partners counted in any quarter so far, each once. No forecast from the pace:
            # a headcount does not grow with time as a sum does.
            counted = frozenset().union(*(members.get(q, frozenset()) for q in upto))
            cumulative = Decimal(len(counted))
            forecast = cumulative
        else:
            cumulative = sum(upto.values(), Decimal(0))
            # Extrapolate over the quarters the figures cover: reported figures arrive after
            # their quarter, derived ones count the current quarter as it goes.
            covered = current_number if upto.get(current_number) else current_number - 1
            forecast = (
                (cumulative * total_quarters / max(covered, 1)).quantize(Decimal("1"))
                if cumulative
                else Decimal(0)
            )
        if indicator.direction == "down":
            light = "green" if cumulative <= expected else "red"
        elif cumulative >= expected * Decimal("0.9"):
            light = "green"
        elif cumulative >= expected * Decimal("0.6"):
            light = "amber"
        else:
            light = "red"
        rows.append(
            KpiRow(
                indicator=indicator,
                per_quarter=per_quarter,
                target=target,
                this_period=per_quarter.get(current_number, Decimal(0)),
                cumulative=cumulative,
                forecast=forecast,
                pending=pending.get(indicator.pk, 0),
                light=light,
                expected=expected,
                final_target=target_for((len(project.quarters()) + 3) // 4),
                members=members if is_headcount(indicator) else {},
            )
        )
    return {"rows": rows, "quarter": current, "year": year}


def line_light(rows: list[KpiRow]) -> str:
    """One traffic light for a programme line: its worst indicator's."""
    lights = {row.light for row in rows}
    return "red" if "red" in lights else "amber" if "amber" in lights else "green"


def suppress_people(rows: list[KpiRow]) -> None:
    """Student figures as outsiders see them, derived or reported (Indicator.is_student_figure):
    under 5 not shown, the rest rounded to 5 (see figures.protect), and no per-quarter series
    left to compute them from."""
    for row in rows:
        if row.indicator.is_student_figure:
            row.this_period = protect(row.this_period)
            row.cumulative = protect(row.cumulative)
            row.forecast = protect(row.forecast)
            row.per_quarter = {}
            row.protected = True
