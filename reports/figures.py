"""Figures about people that funders and the public may see: counts only, and small counts
suppressed, so nobody can be singled out."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.choices import HAPPENED_AS_ACTIVITY, REQUESTABLE_KINDS
from activities.models import (
    Activity,
    ActivityKind,
    Placement,
    Request,
    RequestStatus,
)
from ledger.models import Contribution, ContributionKind, ContributionStatus
from ledger.services import project_year_expression, project_years
from partners.models import Organisation
from programmes.models import BudgetLine, Commitment, Project
from students.models import Enrolment

SMALL_COUNT = 5
# Only these partners' contributions count as co-financing (not the applicant school's, not a
# funder's).
COUNTING_CATEGORIES = ("employer", "other")


def suppress(count: int | None) -> int | None:
    """A count of people as it may be shown outside the schools: 1 to 4 becomes None ("< 5")."""
    if count is None:
        return None
    return None if 0 < count < SMALL_COUNT else count


def protect(count) -> int | None:
    """A student count as funders see it on pages that let them compare periods: small counts
    suppressed, and the rest rounded to a multiple of 5, so that subtracting two published
    figures cannot reveal a group of fewer than 5 either."""
    if count is None:
        return None
    count = int(count)
    if 0 < count < SMALL_COUNT:
        return None
    return int(SMALL_COUNT * round(count / SMALL_COUNT))


def student_aggregates() -> dict:
    """Students in custom modules, placements and students reached by delivered activities,
    each suppressed when small. Three queries."""
    in_modules = (
        Enrolment.objects.filter(student__erased_at__isnull=True)
        .values("student_id")
        .distinct()
        .count()
    )
    placements = Placement.objects.count()
    delivered = Request.objects.aggregate(
        count=Count("pk", filter=Q(status=RequestStatus.DELIVERED)),
        reached=Sum("students_reached", filter=Q(status=RequestStatus.DELIVERED)),
    )
    return {
        "students_in_modules": suppress(in_modules),
        "placements": suppress(placements),
        "delivered_activities": delivered["count"],
        "students_reached": suppress(delivered["reached"] or 0),
    }


# Co-financing --------------------------------------------------------------------------------

GREEN, AMBER, RED = "green", "amber", "red"


@dataclass
class PartnerFinance:
    organisation: Organisation
    rate: Decimal
    committed: dict = field(default_factory=dict)  # year -> euros
    realised: dict = field(default_factory=dict)  # year -> euros
    cash: Decimal = Decimal("0")
    in_kind: Decimal = Decimal("0")
    hours: Decimal = Decimal("0")
    expected: Decimal = Decimal("0")  # what the pledge should have brought by today
    light: str | None = None
    year_lights: dict = field(default_factory=dict)
    # Within the period asked for (a quarter, a year or the whole project).
    period_committed: Decimal = Decimal("0")
    period_cash: Decimal = Decimal("0")
    period_in_kind: Decimal = Decimal("0")
    period_light: str | None = None

    @property
    def committed_total(self) -> Decimal:
        return sum(self.committed.values(), Decimal("0"))

    @property
    def realised_total(self) -> Decimal:
        return self.cash + self.in_kind

    @property
    def period_realised(self) -> Decimal:
        return self.period_cash + self.period_in_kind


def _light(realised: Decimal, expected: Decimal) -> str:
    if expected <= 0:
        return GREEN
    share = realised / expected
    return GREEN if share >= Decimal("0.9") else AMBER if share >= Decimal("0.6") else RED


def _expected_to_date(committed: dict, years, today) -> Decimal:
    """What a pledge should have brought by today: full past years, the current year pro rata."""
    expected = Decimal("0")
    for number, start, end in years:
        pledged = committed.get(number, Decimal("0"))
        if today > end:
            expected += pledged
        elif today >= start:
            elapsed = Decimal((today - start).days + 1) / Decimal((end - start).days + 1)
            expected += pledged * elapsed
    return expected


def counting_contributions():
    """Approved, current figures that count as co-financing: supervision, superseded records and
    the applicant school's own contributions left out."""
    return Contribution.objects.filter(
        # Not corrected since: NOT EXISTS, which PostgreSQL plans as an anti-join. Written as
        # `corrections__isnull=True` it was a left join estimated at one row, and the planner
        # compared every partner with every contribution (make bench: 33 s at a hundred times).
        ~Exists(Contribution.objects.filter(corrects=OuterRef("pk"))),
        status=ContributionStatus.APPROVED,
        is_supervision=False,
        organisation__cofinancing_category__in=COUNTING_CATEGORIES,
    )


def rate_table(project: Project, commitments: list[Commitment]) -> dict[tuple[int, int], Decimal]:
    """The hourly rate per (partner, project year): the partner's own for that year when its
    agreement sets one, else the project's."""
    return {
        (c.organisation_id, c.year): c.hourly_rate for c in commitments if c.hourly_rate is not None
    }


def hour_rate(rates: dict, project: Project, organisation_id: int, year: int) -> Decimal:
    return rates.get((organisation_id, year), project.hourly_rate)


def _committed_in(committed: dict, years, start, end) -> Decimal:
    """The part of yearly pledges that falls within [start, end], pro rata by days."""
    total = Decimal("0")
    for number, year_start, year_end in years:
        first, last = max(start, year_start), min(end, year_end)
        if first <= last and committed.get(number):
            share = Decimal((last - first).days + 1) / Decimal((year_end - year_start).days + 1)
            total += committed[number] * share
    return total


def finance_overview(project: Project, today=None, period=None, *, as_of=None) -> dict:
    """Commitments against realised contributions per partner and year, the budget against what
    was realised per line, and the RIF rule checks; with a period (anything with `start` and
    `end`), also each partner's pledge and realisation within it. With `as_of`, everything is
    as it stood on that day (a report's figures stop at its period's end). Six queries whatever
    the volume."""
    today = as_of or today or timezone.localdate()
    last_day = min(project.end_date, as_of) if as_of else project.end_date
    in_period = Q(date__range=(period.start, period.end)) if period else None
    years = project_years(project)
    partners = {
        o.pk: o for o in Organisation.objects.partners().order_by("-is_lead_applicant", "name")
    }
    commitments = list(Commitment.objects.filter(project=project))
    rates = rate_table(project, commitments)
    finance = {
        pk: PartnerFinance(organisation=o, rate=project.hourly_rate) for pk, o in partners.items()
    }
    for c in commitments:
        if c.organisation_id in finance:
            row = finance[c.organisation_id]
            value = c.value(hour_rate(rates, project, c.organisation_id, c.year))
            row.committed[c.year] = row.committed.get(c.year, Decimal("0")) + value
    realised_by_line: dict[int, Decimal] = {}
    rows = (
        counting_contributions()
        .filter(date__range=(project.start_date, last_day))
        .values("organisation_id", "kind", "programme_line_id")
        .annotate(
            year=project_year_expression(project),
            h=Sum("hours"),
            a=Sum("amount"),
            **(
                {"ph": Sum("hours", filter=in_period), "pa": Sum("amount", filter=in_period)}
                if period
                else {}
            ),
        )
    )
    for row in rows:
        partner = finance.get(row["organisation_id"])
        if partner is None:
            continue
        if row["kind"] == ContributionKind.STAFF_HOURS:
            rate = hour_rate(rates, project, row["organisation_id"], row["year"])
            euros = (row["h"] or 0) * rate
            partner.hours += row["h"] or 0
            partner.in_kind += euros
            partner.period_in_kind += (row.get("ph") or 0) * rate
        else:
            euros = row["a"] or Decimal("0")
            if row["kind"] == ContributionKind.CASH:
                partner.cash += euros
                partner.period_cash += row.get("pa") or 0
            else:
                partner.in_kind += euros
                partner.period_in_kind += row.get("pa") or 0
        partner.realised[row["year"]] = partner.realised.get(row["year"], Decimal("0")) + euros
        line = row["programme_line_id"]
        realised_by_line[line] = realised_by_line.get(line, Decimal("0")) + euros
    budget_rows = list(
        BudgetLine.objects.filter(project=project)
        .values("programme_line_id", "category")
        .annotate(total=Sum("amount"))
    )
    budget: dict[int, Decimal] = {}
    for row in budget_rows:
        budget[row["programme_line_id"]] = (
            budget.get(row["programme_line_id"], Decimal(0)) + row["total"]
        )
    lines = [
        {
            "line": line,
            "budget": budget.get(line.pk, Decimal("0")),
            "by_category": {
                r["category"]: r["total"] for r in budget_rows if r["programme_line_id"] == line.pk
            },
            "realised": realised_by_line.get(line.pk, Decimal("0")),
        }
        for line in project.lines.all()
    ]
    partner_rows = []
    for row in finance.values():
        row.expected = _expected_to_date(row.committed, years, today)
        row.light = _light(row.realised_total, row.expected) if row.committed_total else None
        if period:
            row.period_committed = _committed_in(row.committed, years, period.start, period.end)
            expected_in_period = _committed_in(
                row.committed, years, period.start, min(period.end, max(today, period.start))
            )
            row.period_light = (
                _light(row.period_realised, expected_in_period) if row.period_committed else None
            )
        row.year_lights = {
            number: _light(
                row.realised.get(number, Decimal(0)),
                _expected_to_date({number: pledged}, years, today),
            )
            for number, pledged in row.committed.items()
            if pledged
        }
        partner_rows.append(row)
    return {
        "years": years,
        "partners": partner_rows,
        "lines": lines,
        "budget_total": sum(budget.values(), Decimal(0)),
        "checks": rule_checks(project, partner_rows, years, today),
    }


def partner_finance(project: Project, organisation_id: int, today=None, period=None):
    """One partner's row of `finance_overview`: a company's dashboard shows only its own."""
    overview = finance_overview(project, today, period=period)
    return next((p for p in overview["partners"] if p.organisation.pk == organisation_id), None)


def rule_checks(project: Project, partners: list[PartnerFinance], years, today) -> list[dict]:
    """The RIF rules as traffic lights, each with the figures behind it.

    The grant may be at most a third of the project's financing (the grant plus the counted
    co-financing); employers and organised business bring between a third and two thirds of it;
    other partners at most a third. Each is judged on what was committed (red when the plan breaks
    the rule) and on what was realised so far (amber when it lags what the plan needs by now).
    """
    elapsed = Decimal(str(project.elapsed_fraction(today)))
    employer = [p for p in partners if p.organisation.cofinancing_category == "employer"]
    other = [p for p in partners if p.organisation.cofinancing_category == "other"]

    def total(rows, attr):
        return sum((getattr(p, attr) for p in rows), Decimal("0"))

    employer_committed, other_committed = (
        total(employer, "committed_total"),
        total(other, "committed_total"),
    )
    employer_realised, other_realised = (
        total(employer, "realised_total"),
        total(other, "realised_total"),
    )
    counting = employer + other
    committed = employer_committed + other_committed
    realised = employer_realised + other_realised
    expected = total(counting, "expected")
    financing = project.grant_amount + committed
    third = financing / 3
    grant_ok = (
        project.grant_amount * 3 <= financing and project.grant_amount * 3 <= project.total_budget
    )

    def judged(plan_ok: bool, realised_value: Decimal, needed_by_now: Decimal) -> str:
        if not plan_ok:
            return RED
        return GREEN if realised_value >= needed_by_now * Decimal("0.9") else AMBER

    return [
        {
            "rule": _("The grant is at most one third of the project's financing"),
            "light": GREEN if grant_ok else RED,
            "figures": {
                _("grant"): project.grant_amount,
                _("co-financing committed"): committed,
                _("total budget"): project.total_budget,
            },
        },
        {
            "rule": _("Employers and organised business bring between 1/3 and 2/3 of the budget"),
            "light": judged(
                third <= employer_committed <= 2 * third, employer_realised, third * elapsed
            ),
            "figures": {
                _("committed"): employer_committed,
                _("realised"): employer_realised,
                _("at least"): third,
                _("at most"): 2 * third,
            },
        },
        {
            "rule": _("Other partners bring at most 1/3 of the budget"),
            "light": RED if other_committed > third or other_realised > third else GREEN,
            "figures": {
                _("committed"): other_committed,
                _("realised"): other_realised,
                _("limit"): third,
            },
        },
        {
            "rule": _("Co-financing realised keeps pace with what was committed"),
            "light": _light(realised, expected),
            "figures": {
                _("realised"): realised,
                _("expected by now"): expected,
                _("committed"): committed,
            },
        },
    ]


# What happened, and who took part ---------------------------------------------------------------

# How each kind of activity "happens" in a period: see activities.filters.happened_between.


def activities_happened(period, line_id: int | None = None) -> dict[tuple[str, int], int]:
    """Activities that took place in a period, per (kind, programme line id). Three queries."""
    counts: Counter = Counter()
    line = {"activity__programme_line_id": line_id} if line_id else {}
    for kind, line_pk, n in (
        Request.objects.filter(
            status=RequestStatus.DELIVERED,
            date__range=(period.start, period.end),
            activity__kind__in=REQUESTABLE_KINDS,
            **line,
        )
        .values_list("activity__kind", "activity__programme_line_id")
        .annotate(n=Count("pk"))
    ):
        counts[(kind, line_pk)] += n
    posting_line = {"nomination__posting__programme_line_id": line_id} if line_id else {}
    for line_pk, n in (
        Placement.objects.filter(start_date__range=(period.start, period.end), **posting_line)
        .values_list("nomination__posting__programme_line_id")
        .annotate(n=Count("pk"))
    ):
        counts[(ActivityKind.INTERNSHIP, line_pk)] += n
    status_filter = Q()
    for kind, statuses in HAPPENED_AS_ACTIVITY.items():
        status_filter |= Q(kind=kind, status__in=statuses)
    for kind, line_pk, n in (
        Activity.objects.filter(
            status_filter,
            start_date__range=(period.start, period.end),
            **({"programme_line_id": line_id} if line_id else {}),
        )
        .values_list("kind", "programme_line_id")
        .annotate(n=Count("pk"))
    ):
        counts[(kind, line_pk)] += n
    return dict(counts)


@dataclass
class Engagement:
    organisation: Organisation
    last_seen: date | None
    active_in_period: bool
    # When the partner joined (its "partner since", else the day it was added to civbio).
    joined_on: date | None = None

    def silent_since(self, cutoff: date) -> bool:
        """No sign of life since `cutoff`: judged only for partners that were partners then, so
        a partner that joined since has not been silent, whatever it did."""
        if self.joined_on is not None and self.joined_on > cutoff:
            return False
        return self.last_seen is None or self.last_seen < cutoff


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def partner_engagement(period, upto: date) -> list[Engagement]:
    """Every active partner with the last day up to `upto` it showed a sign of life in civbio (an
    activity hosted, a request made, a contribution logged; not the contributions civbio proposed
    itself or a coordinator rejected) and whether it did so within the period. One query."""

    def latest(model, organisation_field: str, field_name: str, moment: bool, until: date):
        # The latest sign up to a day, as an index scan backwards from that day: moments are
        # compared with the local midnight after it, not cast to dates, so the (organisation,
        # moment) indexes answer each partner at once.
        bound = (
            {f"{field_name}__lt": _midnight(until + timedelta(days=1))}
            if moment
            else {f"{field_name}__lte": until}
        )
        return Subquery(
            model.objects.filter(
                **{organisation_field: OuterRef("pk")},
                **bound,
                **extra.get(model, {}),
            )
            .order_by(f"-{field_name}")
            .values(field_name)[:1]
        )

    extra = {
        Contribution: {
            "status__in": [ContributionStatus.SUBMITTED, ContributionStatus.APPROVED],
        }
    }

    signs = [
        (Activity, "host", "created_at", True),
        (Request, "school", "created_at", True),
        (Contribution, "organisation", "date", False),
    ]
    annotations = {}
    for n, sign in enumerate(signs):
        annotations[f"last_{n}"] = latest(*sign, upto)
        # A sign within the period is a latest sign up to its end that is not before its start.
        annotations[f"end_{n}"] = latest(*sign, period.end)
    starts = [_midnight(period.start) if moment else period.start for *_, moment in signs]
    rows = []
    for organisation in (
        Organisation.objects.partners().active().annotate(**annotations).order_by("name")
    ):
        seen = [getattr(organisation, f"last_{n}") for n in range(len(signs))]
        seen = [timezone.localdate(d) if isinstance(d, datetime) else d for d in seen if d]
        rows.append(
            Engagement(
                organisation=organisation,
                last_seen=min(max(seen), upto) if seen else None,
                joined_on=organisation.active_since or timezone.localdate(organisation.created_at),
                active_in_period=any(
                    (end := getattr(organisation, f"end_{n}")) is not None and end >= starts[n]
                    for n in range(len(signs))
                ),
            )
        )
    return rows
