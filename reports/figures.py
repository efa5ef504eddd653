"""Figures about people that funders and the public may see: counts only, and small counts
suppressed, so nobody can be singled out."""

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    Exists,
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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.choices import REQUESTABLE_KINDS
from activities.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Placement,
    Request,
    RequestStatus,
    took_place_itself,
)
from ledger.models import Contribution, ContributionKind, ContributionStatus
from ledger.services import project_year_expression, project_years
from partners.models import Organisation, OrganisationKind
from programmes.models import BudgetLine, Commitment, Project
from reports.models import ClosedQuarter, QuarterActivities, QuarterLine, QuarterPartner

SMALL_COUNT = 5
# What protect() does, in the words a file shows beside a protected figure (the pages say it in
# their own sentence).
PROTECTED_COUNTS = gettext_lazy(
    "A count of students: fewer than 5 is not shown (“< 5”), a larger one is rounded to the "
    "nearest 5, each figure on its own."
)
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
    # A partner whose contributions do not count (the applicant school, a funder): what it
    # recorded all the same (approved, current, supervision left out), valued as co-financing
    # would be, to date and within the period. Always zero for a partner that counts.
    recorded: Decimal = Decimal("0")
    recorded_hours: Decimal = Decimal("0")
    period_recorded: Decimal = Decimal("0")

    @property
    def not_counting_reason(self) -> str | None:
        return not_counting_reason(self.organisation)

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


def _year_shares(years, today) -> list[tuple[int, Decimal | None]]:
    """Per project year, the share of it that has passed by today: None for a whole past year,
    zero for a year to come."""
    shares: list[tuple[int, Decimal | None]] = []
    for number, start, end in years:
        if today > end:
            shares.append((number, None))
        elif today >= start:
            shares.append(
                (number, Decimal((today - start).days + 1) / Decimal((end - start).days + 1))
            )
        else:
            shares.append((number, Decimal(0)))
    return shares


def _expected(committed: dict, shares) -> Decimal:
    """What a pledge should have brought by today: full past years, the current year pro rata."""
    expected = Decimal("0")
    for number, share in shares:
        pledged = committed.get(number, Decimal("0"))
        if share is None:
            expected += pledged
        elif share:
            expected += pledged * share
    return expected


def recorded(*, in_aggregate: bool = False) -> Q:
    """Approved, current figures of any partner: supervision and superseded records left out.
    What of it counts as co-financing is `counting`. `in_aggregate`: for an aggregate's FILTER,
    where PostgreSQL cannot plan NOT EXISTS as an anti-join and hashes every contribution's
    `corrects` instead; NOT IN the corrections alone (few, and never null here) is a small hash."""
    if in_aggregate:
        superseded = Q(
            pk__in=Contribution.objects.filter(corrects__isnull=False).values("corrects_id")
        )
    else:
        # Not corrected since: NOT EXISTS, which PostgreSQL plans as an anti-join. Written as
        # `corrections__isnull=True` it was a left join estimated at one row, and the planner
        # compared every partner with every contribution (make bench: 33 s at a hundred times).
        superseded = Q(Exists(Contribution.objects.filter(corrects=OuterRef("pk"))))
    return Q(~superseded, status=ContributionStatus.APPROVED, is_supervision=False)


def counting(*, in_aggregate: bool = False) -> Q:
    """Approved, current figures that count as co-financing (`recorded`), of the partners whose
    contributions count: the applicant school's own and a funder's left out."""
    return recorded(in_aggregate=in_aggregate) & Q(
        organisation__cofinancing_category__in=COUNTING_CATEGORIES
    )


def not_counting_reason(organisation: Organisation) -> str | None:
    """Why an organisation's contributions are recorded but are no co-financing, in words; None
    when they count."""
    if organisation.cofinancing_category in COUNTING_CATEGORIES:
        return None
    if organisation.is_lead_applicant:
        return _(
            "The applicant school's own contributions are not co-financing under the RIF rules."
        )
    if organisation.kind in (OrganisationKind.FUNDER, OrganisationKind.GOVERNMENT):
        return _("A funder's contributions are not co-financing under the RIF rules.")
    return _("This partner's contributions do not count as co-financing under the RIF rules.")


def counting_contributions():
    """The contributions that count as co-financing (see `counting`)."""
    return Contribution.objects.filter(counting())


def rate_table(project: Project, commitments: list[Commitment]) -> dict[tuple[int, int], Decimal]:
    """The hourly rate per (partner, project year): the partner's own for that year when its
    agreement sets one, else the project's."""
    return {
        (c.organisation_id, c.year): c.hourly_rate for c in commitments if c.hourly_rate is not None
    }


def hour_rates(project: Project) -> dict[tuple[int, int], Decimal]:
    """`rate_table` in one query that reads only the partners' own rates."""
    return {
        (organisation_id, year): rate
        for organisation_id, year, rate in Commitment.objects.filter(
            project=project, hourly_rate__isnull=False
        )
        .order_by()
        .values_list("organisation_id", "year", "hourly_rate")
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


@dataclass(frozen=True)
class Closed:
    """The project's closed quarters, (number, first day, last day), oldest first. Their figures
    are read as they were stored when they closed (reports.closing); only the rest is counted."""

    project: Project
    quarters: tuple[tuple[int, date, date], ...] = ()

    def parts(self, start: date, end: date) -> tuple[list[int], date | None]:
        """Of the days from `start` to `end`: the closed quarters that fill their beginning,
        read as stored, and the first day after them, from which the rest is counted live (None
        when nothing is left)."""
        covered, day = [], start
        for number, first, last in self.quarters:
            if first == day and last <= end:
                covered.append(number)
                day = last + timedelta(days=1)
        return covered, (day if day <= end else None)


def closed_quarters(project: Project) -> Closed:
    """The project's closed quarters. One query."""
    quarters = ClosedQuarter.objects.filter(project=project).order_by("number")
    return Closed(project, tuple(quarters.values_list("number", "first_day", "last_day")))


@dataclass(frozen=True)
class Realised:
    """Co-financing a partner realised in a project year, in euros (hours valued at its rate),
    on one programme line (None: the lines not told), and the part of it within a period."""

    organisation_id: int
    programme_line_id: int | None
    year: int
    hours: Decimal | int = 0
    in_kind: Decimal | int = 0
    cash: Decimal | int = 0
    period_in_kind: Decimal | int = 0
    period_cash: Decimal | int = 0


def counted_realisation(
    project: Project,
    first: date | None,
    last: date,
    rates: dict,
    period=None,
    organisation_id=None,
    by_line=True,
    *,
    recorded_of: Iterable[int] = (),
    recorded_from: date | None = None,
) -> Iterator[Realised]:
    """The counting contributions dated from `first` (None: none) to `last`, valued, per partner,
    line (unless not `by_line`) and project year; with `recorded_of`, also those partners'
    recorded contributions from `recorded_from` to `last`, which do not count (the caller keeps
    them apart: they are the partners whose category does not count). One query."""
    in_period = Q(date__range=(period.start, period.end)) if period else None
    recorded_of = sorted(recorded_of)
    if recorded_of:
        parts = Q(organisation_id__in=recorded_of, date__range=(recorded_from, last))
        if first:
            parts |= Q(
                organisation__cofinancing_category__in=COUNTING_CATEGORIES,
                date__range=(first, last),
            )
        contributions = Contribution.objects.filter(recorded(), parts)
    else:
        contributions = counting_contributions().filter(date__range=(first, last))
    rows = (
        contributions.filter(**({"organisation_id": organisation_id} if organisation_id else {}))
        .values("organisation_id", "kind", *(["programme_line_id"] if by_line else []))
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
        where = (row["organisation_id"], row.get("programme_line_id"), row["year"])
        if row["kind"] == ContributionKind.STAFF_HOURS:
            rate = hour_rate(rates, project, row["organisation_id"], row["year"])
            hours = row["h"] or 0
            yield Realised(
                *where,
                hours=hours,
                in_kind=hours * rate,
                period_in_kind=(row.get("ph") or 0) * rate,
            )
        elif row["kind"] == ContributionKind.CASH:
            yield Realised(*where, cash=row["a"] or Decimal("0"), period_cash=row.get("pa") or 0)
        else:
            yield Realised(
                *where, in_kind=row["a"] or Decimal("0"), period_in_kind=row.get("pa") or 0
            )


def _stored_realisation(
    closed: Closed, quarters: list[int], period=None, organisation_id=None, per_year=True
) -> Iterator[Realised]:
    """What `counted_realisation` gave for the closed quarters, as stored when each closed, per
    partner and project year (or, without `per_year`, per partner with the year left at 0). One
    query."""
    in_period = Q(quarter__number__in=period.quarters) if period else None
    year = Case(
        *[
            When(quarter__number__range=(4 * n - 3, 4 * n), then=Value(n))
            for n, _start, _end in project_years(closed.project)
        ],
        default=Value(0),
        output_field=IntegerField(),
    )
    rows = (
        QuarterPartner.objects.filter(
            quarter__project=closed.project,
            quarter__number__in=quarters,
            **({"organisation_id": organisation_id} if organisation_id else {}),
        )
        # Only the partners that realised something, as counted_realisation gives: a partner's
        # row may hold no more than its sign of life.
        .exclude(hours=0, in_kind=0, cash=0)
        .values("organisation_id")
        .annotate(
            year=year if per_year else Value(0, output_field=IntegerField()),
            h=Sum("hours"),
            k=Sum("in_kind"),
            c=Sum("cash"),
            **(
                {"pk": Sum("in_kind", filter=in_period), "pc": Sum("cash", filter=in_period)}
                if period
                else {}
            ),
        )
        .order_by()
    )
    for row in rows:
        yield Realised(
            row["organisation_id"],
            None,
            row["year"],
            hours=row["h"],
            in_kind=row["k"],
            cash=row["c"],
            period_in_kind=row.get("pk") or 0,
            period_cash=row.get("pc") or 0,
        )


def _partner_rows(
    project: Project,
    today,
    period,
    last_day,
    closed: Closed,
    organisation_id=None,
    per_year=True,
    by_line=True,
) -> tuple[list, list[PartnerFinance], dict[int, Decimal]]:
    """Each partner's pledges and realisation (see finance_overview), and the realisation per
    programme line (unless not `by_line`)."""
    years = project_years(project)
    organisations = Organisation.objects.partners().order_by("-is_lead_applicant", "name")
    # Unordered: the model's order by partner name would join every partner for nothing.
    commitments = Commitment.objects.filter(project=project).order_by()
    if organisation_id:
        organisations = organisations.filter(pk=organisation_id)
        commitments = commitments.filter(organisation_id=organisation_id)
    finance = {
        o.pk: PartnerFinance(organisation=o, rate=project.hourly_rate) for o in organisations
    }
    rates: dict[tuple[int, int], Decimal] = {}
    for partner_id, year, hours, rate, in_kind, cash in commitments.values_list(
        "organisation_id", "year", "hours", "hourly_rate", "in_kind_amount", "cash_amount"
    ):
        if rate is not None:
            rates[(partner_id, year)] = rate
        if partner_id in finance:
            row = finance[partner_id]
            value = hours * (project.hourly_rate if rate is None else rate) + in_kind + cash
            row.committed[year] = row.committed.get(year, Decimal("0")) + value
    realised_by_line: dict[int, Decimal] = {}
    stored, live_from = closed.parts(project.start_date, last_day)
    # The partners whose contributions do not count: what they recorded is read live over the
    # whole project (closed quarters store counted co-financing only), in the same query.
    uncounted = {
        pk
        for pk, row in finance.items()
        if row.organisation.cofinancing_category not in COUNTING_CATEGORIES
    }
    realisation: list[tuple[bool, Iterable[Realised]]] = []
    if stored:
        realisation.append(
            (True, _stored_realisation(closed, stored, period, organisation_id, per_year))
        )
        if by_line and not organisation_id:
            realised_by_line.update(
                QuarterLine.objects.filter(quarter__project=project, quarter__number__in=stored)
                .values("programme_line_id")
                .annotate(total=Sum("realised"))
                .order_by()
                .values_list("programme_line_id", "total")
            )
    if live_from or uncounted:
        # A period that ended before the open quarters has nothing in them (but for what the
        # partners that do not count recorded, read from the start).
        live_period = (
            period if period and (uncounted or (live_from and period.end >= live_from)) else None
        )
        realisation.append(
            (
                False,
                counted_realisation(
                    project,
                    live_from,
                    last_day,
                    rates,
                    live_period,
                    organisation_id,
                    by_line,
                    recorded_of=uncounted,
                    recorded_from=project.start_date,
                ),
            )
        )
    for from_store, rows in realisation:
        for row in rows:
            partner = finance.get(row.organisation_id)
            if partner is None:
                continue
            euros = row.in_kind + row.cash
            if partner.organisation.pk in uncounted:
                # Recorded, never co-financing. Stored rows (a partner that counted when its
                # quarter closed) are left out: the live query covers the whole project here.
                if not from_store:
                    partner.recorded += euros
                    partner.recorded_hours += row.hours
                    partner.period_recorded += row.period_in_kind + row.period_cash
                continue
            partner.hours += row.hours
            partner.in_kind += row.in_kind
            partner.cash += row.cash
            partner.period_in_kind += row.period_in_kind
            partner.period_cash += row.period_cash
            if per_year:
                partner.realised[row.year] = partner.realised.get(row.year, Decimal("0")) + euros
            if row.programme_line_id is not None:
                line = row.programme_line_id
                realised_by_line[line] = realised_by_line.get(line, Decimal("0")) + euros
    shares = _year_shares(years, today)
    partner_rows = []
    for row in finance.values():
        row.expected = _expected(row.committed, shares)
        row.light = _light(row.realised_total, row.expected) if row.committed_total else None
        if period:
            row.period_committed = _committed_in(row.committed, years, period.start, period.end)
            expected_in_period = _committed_in(
                row.committed, years, period.start, min(period.end, max(today, period.start))
            )
            row.period_light = (
                _light(row.period_realised, expected_in_period) if row.period_committed else None
            )
        if per_year:
            row.year_lights = {
                number: _light(
                    row.realised.get(number, Decimal(0)), _expected({number: pledged}, shares)
                )
                for number, pledged in row.committed.items()
                if pledged
            }
        partner_rows.append(row)
    return years, partner_rows, realised_by_line


def finance_overview(
    project: Project,
    today=None,
    period=None,
    *,
    as_of=None,
    closed: Closed | None = None,
    per_year: bool = True,
) -> dict:
    """Commitments against realised contributions per partner and year, the budget against what
    was realised per line, and the RIF rule checks; with a period (anything with `start`, `end`
    and `quarters`), also each partner's pledge and realisation within it. With `as_of`,
    everything is as it stood on that day (a report's figures stop at its period's end). The
    closed quarters (`closed`, else read here) are read as stored. Without `per_year`, what each
    partner realised per project year (and its light per year) is left out. Eight queries at
    most, whatever the volume."""
    today = as_of or today or timezone.localdate()
    last_day = min(project.end_date, as_of) if as_of else project.end_date
    closed = closed if closed is not None else closed_quarters(project)
    years, partner_rows, realised_by_line = _partner_rows(
        project, today, period, last_day, closed, per_year=per_year
    )
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
    return {
        "years": years,
        "partners": partner_rows,
        "lines": lines,
        "budget_total": sum(budget.values(), Decimal(0)),
        "checks": rule_checks(project, partner_rows, years, today),
    }


def cofinancing(
    project: Project, today=None, period=None, *, as_of=None, closed: Closed | None = None
) -> dict:
    """What the dashboards and the reports show of `finance_overview`: every partner's pledge and
    realisation (within `period` too) and the RIF rule checks, without the budget, the
    realisation per line or per project year. Six queries at most."""
    today = as_of or today or timezone.localdate()
    last_day = min(project.end_date, as_of) if as_of else project.end_date
    closed = closed if closed is not None else closed_quarters(project)
    years, partner_rows, _lines = _partner_rows(
        project, today, period, last_day, closed, per_year=False, by_line=False
    )
    return {"partners": partner_rows, "checks": rule_checks(project, partner_rows, years, today)}


def partner_finance(
    project: Project, organisation_id: int, today=None, period=None, *, closed=None
) -> PartnerFinance | None:
    """One partner's row of `finance_overview`, worked out for that partner alone: a company's
    dashboard shows only its own."""
    today = today or timezone.localdate()
    closed = closed if closed is not None else closed_quarters(project)
    _years, rows, _lines = _partner_rows(
        project, today, period, project.end_date, closed, organisation_id, False, False
    )
    return rows[0] if rows else None


def partner_ledger(project: Project, organisation_id: int, today=None) -> dict:
    """One partner's row of `finance_overview` with its figures per project year (`mine`, None
    when the organisation is not a partner), and the project years: the partner's own ledger
    page, counted for that partner alone."""
    today = today or timezone.localdate()
    years, rows, _lines = _partner_rows(
        project,
        today,
        None,
        project.end_date,
        closed_quarters(project),
        organisation_id,
        per_year=True,
        by_line=False,
    )
    return {"mine": rows[0] if rows else None, "years": years}


def rule_checks(project: Project, partners: list[PartnerFinance], years, today) -> list[dict]:
    """The RIF rules as traffic lights, each with the figures behind it and the base its limits
    are taken of.

    Every limit is a share of the project's total budget in the grant decision
    (`Project.total_budget`): the grant at most a third of it; employers and organised business
    between a third and two thirds; other partners at most a third. The thirds rules are judged on
    what was committed (red when the plan breaks the rule) and on what was realised so far (amber
    when it lags what the plan needs by now). A last check says whether the grant and the
    committed co-financing add up to that budget. Limits are compared exactly (three times an
    amount against the budget), never through a rounded third.
    """
    elapsed = Decimal(str(project.elapsed_fraction(today)))
    budget = project.total_budget
    grant = project.grant_amount
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
    third = budget / 3
    financing = grant + committed

    def share(amount: Decimal) -> Decimal | None:
        """An amount as a percentage of the total budget."""
        return amount * 100 / budget if budget else None

    def judged(plan_ok: bool, realised_value: Decimal, needed_by_now: Decimal) -> str:
        if not plan_ok:
            return RED
        return GREEN if realised_value >= needed_by_now * Decimal("0.9") else AMBER

    a_third = _("1/3 of the total budget in the grant decision")
    return [
        {
            "key": "grant",
            "rule": _("The grant is at most one third of the total budget"),
            "light": GREEN if grant * 3 <= budget else RED,
            "base": a_third,
            "base_amount": budget,
            "share": share(grant),
            "share_of": _("grant"),
            "figures": {
                _("grant"): grant,
                _("limit"): third,
            },
        },
        {
            "key": "employers",
            "rule": _("Employers and organised business bring between 1/3 and 2/3 of the budget"),
            "light": judged(
                budget <= employer_committed * 3 <= 2 * budget,
                employer_realised,
                third * elapsed,
            ),
            "base": _("1/3 to 2/3 of the total budget in the grant decision"),
            "base_amount": budget,
            "share": share(employer_committed),
            "share_of": _("committed"),
            "figures": {
                _("committed"): employer_committed,
                _("realised"): employer_realised,
                _("at least"): third,
                _("at most"): 2 * third,
            },
        },
        {
            "key": "others",
            "rule": _("Other partners bring at most 1/3 of the budget"),
            "light": RED if other_committed * 3 > budget or other_realised * 3 > budget else GREEN,
            "base": a_third,
            "base_amount": budget,
            "share": share(other_committed),
            "share_of": _("committed"),
            "figures": {
                _("committed"): other_committed,
                _("realised"): other_realised,
                _("limit"): third,
            },
        },
        {
            "key": "pace",
            "rule": _("Co-financing realised keeps pace with what was committed"),
            "light": _light(realised, expected),
            "base": _("the co-financing committed"),
            "base_amount": committed,
            "share": None,
            "share_of": "",
            "figures": {
                _("realised"): realised,
                _("expected by now"): expected,
                _("committed"): committed,
            },
        },
        {
            "key": "budget",
            "rule": _("The grant and the co-financing committed add up to the total budget"),
            "light": GREEN if financing == budget else RED,
            "base": _("the total budget in the grant decision"),
            "base_amount": budget,
            "share": None,
            "share_of": "",
            "figures": {
                _("grant plus co-financing committed"): financing,
                _("total budget"): budget,
                _("difference"): financing - budget,
            },
        },
    ]


# What happened, and who took part ---------------------------------------------------------------

# How each kind of activity "happens" in a period: see activities.filters.happened_between.


def activities_happened(
    period,
    line_id: int | None = None,
    *,
    closed: Closed | None = None,
    requested_only: bool = False,
) -> dict[tuple[str, int], int]:
    """Activities that took place in a period, per (kind, programme line id): in the closed
    quarters (`closed`) as stored when they closed, one query; the rest counted, three
    queries. With `requested_only`, only the kinds a school requests (REQUESTABLE_KINDS), the
    rest counted in one query: the same counts of those kinds."""
    counts: Counter = Counter()
    start: date | None = period.start
    if closed is not None:
        stored, start = closed.parts(period.start, period.end)
        if stored:
            for kind, line_pk, n in (
                QuarterActivities.objects.filter(
                    quarter__project=closed.project,
                    quarter__number__in=stored,
                    **({"programme_line_id": line_id} if line_id else {}),
                    **({"kind__in": REQUESTABLE_KINDS} if requested_only else {}),
                )
                .values_list("kind", "programme_line_id")
                .annotate(n=Sum("count"))
                .order_by()
            ):
                counts[(kind, line_pk)] += n
    if start is not None:
        counts.update(happened_between(start, period.end, line_id, requested_only=requested_only))
    return dict(counts)


def happened_between(
    start: date, end: date, line_id: int | None, *, requested_only: bool = False
) -> Counter:
    """Activities that took place from `start` to `end`, counted. Three queries; one with
    `requested_only` (the kinds a school requests: neither a placement nor an activity that
    takes place by itself is of those kinds)."""
    counts: Counter = Counter()
    line = {"activity__programme_line_id": line_id} if line_id else {}
    for kind, line_pk, n in (
        Request.objects.filter(
            status=RequestStatus.DELIVERED,
            date__range=(start, end),
            activity__kind__in=REQUESTABLE_KINDS,
            **line,
        )
        .values_list("activity__kind", "activity__programme_line_id")
        .annotate(n=Count("pk"))
    ):
        counts[(kind, line_pk)] += n
    if requested_only:
        return counts
    posting_line = {"nomination__posting__programme_line_id": line_id} if line_id else {}
    for line_pk, n in (
        Placement.objects.filter(start_date__range=(start, end), **posting_line)
        .values_list("nomination__posting__programme_line_id")
        .annotate(n=Count("pk"))
    ):
        counts[(ActivityKind.INTERNSHIP, line_pk)] += n
    for kind, line_pk, n in (
        Activity.objects.filter(
            took_place_itself(),
            start_date__range=(start, end),
            **({"programme_line_id": line_id} if line_id else {}),
        )
        .values_list("kind", "programme_line_id")
        .annotate(n=Count("pk"))
    ):
        counts[(kind, line_pk)] += n
    return counts


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


@dataclass(frozen=True)
class Sign:
    """A kind of sign of life: the rows of a table that count (`rows`), the field naming the
    partner, and the date that decides when the partner showed it."""

    rows: Callable[[], QuerySet]
    organisation_field: str
    date_field: str


# The signs of life, each dated by when the thing took place: see partner_engagement.
SIGNS = [
    Sign(
        lambda: Activity.objects.exclude(
            status__in=[ActivityStatus.DRAFT, ActivityStatus.CANCELLED]
        ),
        "host",
        "start_date",
    ),
    Sign(
        lambda: Request.objects.filter(
            status__in=[RequestStatus.SCHEDULED, RequestStatus.DELIVERED]
        ),
        "school",
        "date",
    ),
    Sign(
        lambda: Contribution.objects.filter(
            status__in=[ContributionStatus.SUBMITTED, ContributionStatus.APPROVED]
        ),
        "organisation",
        "date",
    ),
]


def _latest_sign(sign: Sign, until: date):
    """A partner's latest sign of life of one kind up to a day, as an index scan backwards from
    that day on the (partner, date) index."""
    return Subquery(
        sign.rows()
        .filter(**{sign.organisation_field: OuterRef("pk"), f"{sign.date_field}__lte": until})
        .order_by(f"-{sign.date_field}")
        .values(sign.date_field)[:1]
    )


def _signs_within(end: date) -> dict:
    """Annotations for the latest sign of each kind up to `end`: the partner showed a sign
    within some days ending then when one of them is not before their first day (_signed)."""
    return {f"end_{n}": _latest_sign(sign, end) for n, sign in enumerate(SIGNS)}


def _signed(organisation, start: date) -> bool:
    return any(
        (end := getattr(organisation, f"end_{n}")) is not None and end >= start
        for n in range(len(SIGNS))
    )


def engaged_between(start: date, end: date) -> set[int]:
    """Every partner, active now or not, that showed a sign of life from `start` to `end` (dated
    as partner_engagement says): what it counts as active in a period. One query."""
    annotations = _signs_within(end)
    return {
        o.pk for o in Organisation.objects.partners().annotate(**annotations) if _signed(o, start)
    }


def partner_engagement(period, upto: date, *, closed: Closed | None = None) -> list[Engagement]:
    """Every active partner with the last day up to `upto` it showed a sign of life in civbio and
    whether it did so within the period: in its closed quarters (`closed`) as stored when they
    closed. One query, and one more for the closed quarters.

    A sign of life is dated by when the thing took place, never by when its row was entered (an
    activity entered late counts in the quarter it happened):
    - an activity the partner hosts, offered or under way (not a draft, not cancelled): its
      start date (an activity without one took place on no day and is no sign);
    - a request the school made that was agreed (scheduled or delivered): the day of the
      lesson, assignment or visit;
    - a contribution the partner logged (not one civbio proposed itself, nor one a coordinator
      rejected): the day it is dated.
    """
    stored, live_from = closed.parts(period.start, period.end) if closed else ([], period.start)
    engaged: set[int] = set()
    if stored:
        engaged = set(
            QuarterPartner.objects.filter(
                quarter__project=closed.project, quarter__number__in=stored, engaged=True
            ).values_list("organisation_id", flat=True)
        )
    annotations = {f"last_{n}": _latest_sign(sign, upto) for n, sign in enumerate(SIGNS)}
    if live_from:
        # A sign within the period is a latest sign up to its end that is not before its start.
        annotations.update(_signs_within(period.end))
    rows = []
    for organisation in (
        Organisation.objects.partners().active().annotate(**annotations).order_by("name")
    ):
        seen = [getattr(organisation, f"last_{n}") for n in range(len(SIGNS))]
        seen = [d for d in seen if d]
        rows.append(
            Engagement(
                organisation=organisation,
                last_seen=max(seen) if seen else None,
                joined_on=organisation.active_since or timezone.localdate(organisation.created_at),
                active_in_period=organisation.pk in engaged
                or bool(live_from and _signed(organisation, live_from)),
            )
        )
    return rows
