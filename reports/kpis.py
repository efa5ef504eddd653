"""KPIs per programme line: what civbio counts by itself per quarter, what partners report by
hand, against the targets — the same figures for the KPI page and the funder reports."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Aggregate,
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy

from activities.choices import REQUESTABLE_KINDS
from activities.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Audience,
    Placement,
    Request,
    RequestStatus,
    ResearchOutput,
    took_place_itself,
)
from civbio import rounding
from ledger.models import Contribution
from programmes.models import (
    DerivedMeasure,
    Indicator,
    IndicatorSource,
    IndicatorValue,
    Project,
    ReportStatus,
)
from reports.figures import (
    Closed,
    activities_happened,
    counting,
    hour_rate,
    hour_rates,
    protect,
)
from reports.models import QuarterMeasure, QuarterPartner
from students.models import DONE_STATUSES, Edition, Enrolment, Student, UnitProgress


def quarter_expression(project: Project, field_name: str, since: date | None = None):
    """SQL for the project quarter a date field falls in (0 outside the project, or before
    `since` when given: those quarters are not asked about)."""
    return Case(
        *[
            When(**{f"{field_name}__range": (start, end)}, then=Value(number))
            for number, start, end in project.quarters()
            if since is None or end >= since
        ],
        default=Value(0),
        output_field=IntegerField(),
    )


def plain(value) -> Decimal:
    """A figure without trailing zeros, however it was counted: a count of 2 and a stored
    2.000 read and print alike."""
    value = Decimal(value or 0)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


@dataclass(frozen=True)
class Source:
    """A table the derived measures count, the date that places a row in a quarter, and the
    measures it gives: all of them counted in one query over the table."""

    rows: QuerySet
    date_field: str
    measures: dict[str, Aggregate]


def _sources() -> list[Source]:
    done = [ActivityStatus.DRAFT, ActivityStatus.CANCELLED]
    delivered = ActivityStatus.DELIVERED
    return [
        Source(
            Request.objects.filter(status=RequestStatus.DELIVERED),
            "date",
            {
                # The kind through EXISTS, which PostgreSQL answers from the guest lessons
                # alone: a join read every activity to count a quarter's requests (make bench).
                DerivedMeasure.GUEST_LESSONS: Count(
                    "pk",
                    filter=Q(
                        Exists(
                            Activity.objects.filter(
                                pk=OuterRef("activity_id"), kind=ActivityKind.GUEST_LESSON
                            )
                        )
                    ),
                ),
                DerivedMeasure.STUDENTS_REACHED: Sum("students_reached"),
            },
        ),
        # Every kind of activity in one table; the kinds' own fields through their child
        # tables (a posting's places, an event's audience and people reached).
        Source(
            Activity.objects.all(),
            "start_date",
            {
                DerivedMeasure.PLACES_OFFERED: Sum("posting__places", filter=~Q(status__in=done)),
                DerivedMeasure.TEACHERS_TRAINED: Sum(
                    "event__people_reached",
                    filter=Q(
                        kind=ActivityKind.TRAINING,
                        status=delivered,
                        event__audience__in=[Audience.TEACHERS, Audience.WORKPLACE_TRAINERS],
                    ),
                ),
                # Started: as on the dashboards (took_place_itself), never a project cancelled
                # while still a draft.
                DerivedMeasure.RESEARCH_PROJECTS: Count(
                    "pk", filter=Q(kind=ActivityKind.RESEARCH) & took_place_itself()
                ),
                DerivedMeasure.PEOPLE_REACHED: Sum(
                    "event__people_reached", filter=Q(kind=ActivityKind.IMAGE, status=delivered)
                ),
            },
        ),
        Source(Placement.objects.all(), "start_date", {DerivedMeasure.PLACES_FILLED: Count("pk")}),
        Source(Edition.objects.all(), "start_date", {DerivedMeasure.EDITIONS_RUN: Count("pk")}),
        Source(
            UnitProgress.objects.filter(status__in=DONE_STATUSES),
            "recorded_on",
            {DerivedMeasure.UNITS_COMPLETED: Count("pk")},
        ),
        Source(
            ResearchOutput.objects.all(),
            "published_on",
            {DerivedMeasure.RESEARCH_OUTPUTS: Count("pk")},
        ),
    ]


# Counted from the approved contributions, per partner: who was active, and the co-financing.
CONTRIBUTION_MEASURES = frozenset({DerivedMeasure.ACTIVE_PARTNERS, DerivedMeasure.COFINANCING})


@dataclass
class Measures:
    """Derived measures per project quarter (quarters with nothing counted left out), and for the
    partners-active headcount who was counted in each quarter."""

    per_quarter: dict[str, dict[int, Decimal]] = field(default_factory=dict)
    members: dict[int, frozenset[int]] = field(default_factory=dict)

    def add(self, key: str, quarter: int, value) -> None:
        value = plain(value)
        if quarter and value:
            self.per_quarter.setdefault(key, {})[quarter] = value


def count_measures(
    project: Project, keys: Iterable[str], since: date | None = None, until: date | None = None
) -> Measures:
    """The measures in `keys` per quarter, counted from the data dated from `since` to `until`
    (either end open when None): one query per table that holds any of them."""
    keys = set(keys)
    bounds = {}
    counted = Measures()
    for source in _sources():
        wanted = {k: a for k, a in source.measures.items() if k in keys}
        if not wanted:
            continue
        if since:
            bounds = {f"{source.date_field}__gte": since}
        if until:
            bounds[f"{source.date_field}__lte"] = until
        rows = (
            source.rows.filter(**bounds)
            .annotate(q=quarter_expression(project, source.date_field, since))
            .order_by()
            .values("q")
            .annotate(**wanted)
        )
        for row in rows:
            for key in wanted:
                counted.add(key, row["q"], row[key])
    if keys & CONTRIBUTION_MEASURES:
        _count_contributions(project, counted, since, until)
    return counted


def _count_contributions(
    project: Project, counted: Measures, since: date | None, until: date | None
) -> None:
    """Partners active (an approved contribution dated in the quarter) and the co-financing
    (valued exactly as on the finance page: each partner's rate for that year), in one query
    per quarter and partner."""
    first = max(since, project.start_date) if since else project.start_date
    last = min(until, project.end_date) if until else project.end_date
    rates = hour_rates(project)
    rows = (
        Contribution.objects.filter(status="approved", date__range=(first, last))
        .annotate(q=quarter_expression(project, "date", since))
        .order_by()
        .values_list("q", "organisation_id")
        .annotate(
            h=Sum("hours", filter=counting(in_aggregate=True)),
            a=Sum("amount", filter=counting(in_aggregate=True)),
        )
    )
    partners: dict[int, set[int]] = {}
    euros: dict[int, Decimal] = {}
    for quarter, organisation_id, hours, amount in rows:
        if not quarter:
            continue
        partners.setdefault(quarter, set()).add(organisation_id)
        if hours is not None or amount is not None:
            year = (quarter - 1) // 4 + 1
            rate = hour_rate(rates, project, organisation_id, year)
            euros[quarter] = euros.get(quarter, Decimal(0)) + (hours or 0) * rate + (amount or 0)
    for quarter, ids in partners.items():
        counted.add(DerivedMeasure.ACTIVE_PARTNERS, quarter, len(ids))
        counted.members[quarter] = frozenset(ids)
    for quarter, value in euros.items():
        counted.add(DerivedMeasure.COFINANCING, quarter, value)


def read_measures(project: Project, keys: Iterable[str]) -> Measures:
    """The measures in `keys` per quarter: those of the closed quarters as they were stored when
    each closed (reports.closing), the open quarters counted now."""
    keys = set(keys)
    measures = Measures()
    stored = QuarterMeasure.objects.filter(quarter__project=project).values_list(
        "quarter__number", "measure", "value"
    )
    closed = 0
    for quarter, key, value in stored:
        closed = max(closed, quarter)
        if key in keys:
            measures.add(key, quarter, value)
    if DerivedMeasure.ACTIVE_PARTNERS in keys and closed:
        members: dict[int, set[int]] = {}
        for quarter, organisation_id in QuarterPartner.objects.filter(
            quarter__project=project, active=True
        ).values_list("quarter__number", "organisation_id"):
            members.setdefault(quarter, set()).add(organisation_id)
        measures.members = {q: frozenset(ids) for q, ids in members.items()}
    since = project.quarters()[closed][1] if 0 < closed < len(project.quarters()) else None
    if closed < len(project.quarters()):
        live = count_measures(project, keys, since=since)
        for key, values in live.per_quarter.items():
            measures.per_quarter.setdefault(key, {}).update(values)
        measures.members.update(live.members)
    return measures


def measure(project: Project, key: str) -> dict[int, Decimal]:
    """One derived measure, per project quarter."""
    return read_measures(project, [key]).per_quarter.get(key, {})


def is_headcount(indicator: Indicator) -> bool:
    return (
        indicator.source == IndicatorSource.DERIVED
        and indicator.measure == DerivedMeasure.ACTIVE_PARTNERS
    )


def active_partners(project: Project) -> dict[int, frozenset[int]]:
    """Per project quarter, the partners with an approved contribution dated in it. A headcount
    does not add up over quarters: over several, a partner counts once."""
    return read_measures(project, [DerivedMeasure.ACTIVE_PARTNERS]).members


@dataclass(frozen=True)
class Days:
    """Some days of the project, as activities_happened takes a period."""

    start: date
    end: date


# The measures student_totals reads.
STUDENT_MEASURES = frozenset({DerivedMeasure.PLACES_FILLED, DerivedMeasure.STUDENTS_REACHED})


def student_totals(
    project: Project, upto: date, *, closed: Closed, measures: Measures | None = None
) -> dict:
    """Students and what reached them from the project's start to the end of the quarter of
    `upto`: the days the KPIs' cumulative figures cover, counted by the same measures (closed
    quarters as stored), so "placements" is the KPI "places filled" and "students reached" the
    KPI of that name, whatever lies outside the project. Students in custom modules: every
    student enrolled in an edition (not erased); placements: those starting in those days;
    delivered: the guest lessons, assignments and visits delivered in them, and the students
    they reached. Exact counts, with `quarter` the last quarter counted: protect the students'
    where outsiders look. `measures`: read_measures of at least STUDENT_MEASURES, when the caller
    has them (the funder dashboard reads them once with its KPIs'). Six queries at most."""
    current = project.quarter_of(min(max(upto, project.start_date), project.end_date))
    number, last_day = (current[0], current[2]) if current else (0, project.start_date)
    # Every enrolled student counted from the enrolments' student index alone, less the (few)
    # erased ones: joining every enrolment with its student to leave those out first was three
    # times slower (make bench).
    erased = (
        Student.objects.erased()
        .filter(Exists(Enrolment.objects.filter(student_id=OuterRef("pk"))))
        .order_by()
        .values(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
    )
    in_modules = Enrolment.objects.aggregate(
        n=Count("student_id", distinct=True) - Subquery(erased)
    )["n"]
    if measures is None:
        measures = read_measures(project, STUDENT_MEASURES)
    counted = measures.per_quarter

    def cumulative(key: str) -> int:
        return int(sum(v for q, v in counted.get(key, {}).items() if q <= number))

    happened = activities_happened(
        Days(project.start_date, last_day), closed=closed, requested_only=True
    )
    return {
        "quarter": number,
        "students_in_modules": in_modules or 0,
        "placements": cumulative(DerivedMeasure.PLACES_FILLED),
        "delivered_activities": sum(
            n for (kind, _line), n in happened.items() if kind in REQUESTABLE_KINDS
        ),
        "students_reached": cumulative(DerivedMeasure.STUDENTS_REACHED),
    }


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
        return rounding.percent(self.cumulative, self.target)

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
            points.append(rounding.percent(running, self.final_target))
        return points


# How the forecast is made, in the words the pages, the reports and their files show beside it
# (templates/reports/partials/forecast_method.html says the same).
FORECAST_METHOD = gettext_lazy(
    "Forecast: a straight line over the time elapsed, the cumulative figure divided by the share "
    "of the project's days passed so far. A count of partners is not extrapolated."
)


def elapsed_share(project: Project, today: date) -> Decimal:
    """The share of the project's days that have passed by the end of `today` (between one day's
    share and 1)."""
    day = min(max(today, project.start_date), project.end_date)
    return Decimal((day - project.start_date).days + 1) / Decimal(project.duration_days)


def straight_line(cumulative: Decimal, elapsed: Decimal) -> Decimal:
    """The figure at the project's end if it goes on as it went: what was realised so far
    divided by the share of the time elapsed. It moves with the days, not with which quarters
    have figures: a quarter with nothing in it lowers the pace, it does not shorten the time."""
    if not cumulative:
        return Decimal(0)
    return (cumulative / elapsed).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def line_indicators(
    project: Project, line_id: int | None = None, today: date | None = None
) -> list[Indicator]:
    """The indicators of one line (or all) not retired by `today`, with their line and targets,
    as kpi_rows reads them. Two queries."""
    today = today or timezone.localdate()
    return list(
        Indicator.objects.filter(
            project=project, **({"programme_line_id": line_id} if line_id else {})
        )
        # A retired indicator is left out from its retirement on; a period before it still
        # shows it. Closed quarters store measures and reported figures, not indicators, so
        # their stored figures do not change.
        .active_on(today)
        .select_related("programme_line")
        .prefetch_related("targets")
    )


def derived_measures(indicators: Iterable[Indicator]) -> set[str]:
    """The derived measures the indicators count."""
    return {i.measure for i in indicators if i.source == IndicatorSource.DERIVED}


def kpi_rows(
    project: Project,
    line_id: int | None = None,
    today: date | None = None,
    *,
    indicators: list[Indicator] | None = None,
    measures: Measures | None = None,
) -> dict:
    """Every indicator (of one line, or all) with target for the current year, the figure for the
    current quarter, the cumulative figure and a forecast to the project's end: a straight line
    over the time elapsed (`straight_line`, FORECAST_METHOD). `indicators` (line_indicators) and
    `measures` (read_measures of at least their derived_measures), when the caller has them
    read already."""
    today = today or timezone.localdate()
    if indicators is None:
        indicators = line_indicators(project, line_id, today)
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
    elapsed = elapsed_share(project, today)
    derived = derived_measures(indicators)
    if measures is not None:
        counted = measures
    else:
        counted = read_measures(project, derived) if derived else Measures()
    members = counted.members
    rows = []
    for indicator in indicators:
        if indicator.source == IndicatorSource.DERIVED:
            per_quarter = counted.per_quarter.get(indicator.measure, {})
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
        if is_headcount(indicator):
            # Partners counted in any quarter so far, each once. No forecast from the pace:
            # a headcount does not grow with time as a sum does.
            partners = frozenset().union(*(members.get(q, frozenset()) for q in upto))
            cumulative = Decimal(len(partners))
            forecast = cumulative
        else:
            cumulative = sum(upto.values(), Decimal(0))
            forecast = straight_line(cumulative, elapsed)
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
