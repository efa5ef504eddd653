"""Random consortia for the property test of the figures (test_figures_agree): a Hypothesis
strategy that draws one as plain data, `build` that makes its rows, and the plain recomputation
of what the RIF rules and a few counts should say, from those rows alone."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from hypothesis import strategies as st

from activities import services as activity_services
from activities.models import (
    ActivityKind,
    ActivityStatus,
    Audience,
    Event,
    GuestLesson,
    Nomination,
    NominationStatus,
    Placement,
    Posting,
    Request,
    RequestStatus,
    ResearchOutput,
    ResearchProject,
)
from ledger.models import Contribution, ContributionKind, ContributionStatus
from ledger.services import project_years
from partners.models import Organisation
from programmes.models import (
    Commitment,
    DerivedMeasure,
    Indicator,
    IndicatorSource,
    IndicatorValue,
    Project,
    ReportStatus,
)
from programmes.periods import project_periods
from tests.factories import CompanyFactory, SchoolFactory, StudentFactory


def _cents(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _tenths(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# Random consortia ------------------------------------------------------------------------------

RESEARCH_HISTORIES = [
    (),
    (ActivityStatus.CANCELLED,),
    (ActivityStatus.RUNNING,),
    (ActivityStatus.RUNNING, ActivityStatus.CANCELLED),
    (ActivityStatus.RUNNING, ActivityStatus.DELIVERED),
]
REQUEST_STATUSES = [
    RequestStatus.DELIVERED,
    RequestStatus.DELIVERED,
    RequestStatus.SCHEDULED,
    RequestStatus.DECLINED,
    RequestStatus.CANCELLED,
    RequestStatus.REQUESTED,
]
CONTRIBUTION_STATUSES = [
    ContributionStatus.APPROVED,
    ContributionStatus.APPROVED,
    ContributionStatus.APPROVED,
    ContributionStatus.SUBMITTED,
    ContributionStatus.REJECTED,
    ContributionStatus.PROPOSED,
]
# (measure, programme line) of the derived indicators; students reached and places filled
# count students (protected for funders).
DERIVED = [
    (DerivedMeasure.GUEST_LESSONS, 1),
    (DerivedMeasure.STUDENTS_REACHED, 1),
    (DerivedMeasure.PLACES_OFFERED, 1),
    (DerivedMeasure.PLACES_FILLED, 1),
    (DerivedMeasure.TEACHERS_TRAINED, 1),
    (DerivedMeasure.RESEARCH_PROJECTS, 2),
    (DerivedMeasure.RESEARCH_OUTPUTS, 2),
    (DerivedMeasure.COFINANCING, 2),
    (DerivedMeasure.PEOPLE_REACHED, 3),
    # The headcount last: a derived indicator after it in the same list made kpis.kpi_rows raise
    # (the headcount's partners took the name of the counted measures); see
    # test_a_derived_indicator_after_a_headcount_is_counted.
    (DerivedMeasure.ACTIVE_PARTNERS, 3),
]


def euros(low: int, high: int):
    """An amount in cents between `low` and `high` euros."""
    return st.integers(low * 100, high * 100).map(lambda c: Decimal(c) / 100)


def tenth_hours(low: int, high: int):
    return st.integers(low * 10, high * 10).map(lambda t: Decimal(t) / 10)


@st.composite
def consortia(draw):
    """A project placed around today, partners with yearly pledges, contributions of every kind
    and state, activities, placements and research, indicators with targets and reported
    figures. Plain data: `build` makes the rows."""
    today = timezone.localdate()
    # Today lies in the project after its first quarter, anywhere up to its last weeks.
    start = today - timedelta(days=draw(st.integers(100, 4 * 365 - 20)))
    end = start.replace(year=start.year + 4) - timedelta(days=1)
    days = (today - start).days
    quarters = [q for q in Project(start_date=start, end_date=end).quarters() if q[1] <= today]
    # Days on both sides of every quarter's (and so every year's) boundary, often drawn.
    edges = sorted(
        {(d - start).days for _n, first, last in quarters for d in (first, last) if d <= today}
    )
    day = st.one_of(st.integers(0, days), st.sampled_from(edges))
    employers = draw(st.integers(1, 3))
    others = draw(st.integers(1, 2))
    # Index 0 is BioCorp (bram's), then the employers, the schools and the lead applicant.
    partners = [("employer", "BioCorp")]
    partners += [("employer", f"Werkgever {n}") for n in range(1, employers + 1)]
    partners += [("other", "Leiden Lab College")]
    partners += [("other", f"Kennispartner {n}") for n in range(1, others + 1)]
    counting = len(partners)
    pledges = [
        {
            "partner": p,
            "year": year,
            "hours": draw(tenth_hours(0, 2500)),
            "rate": draw(st.one_of(st.none(), euros(45, 125))),
            "in_kind": draw(euros(0, 40000)),
            "cash": draw(euros(0, 90000)),
        }
        for p in range(counting)
        for year in range(1, 5)
        if draw(st.integers(0, 4))
    ]
    contribution = st.fixed_dictionaries(
        {
            # The last index is the lead applicant: recorded, never counted.
            "partner": st.integers(0, counting),
            "kind": st.sampled_from(list(ContributionKind)),
            "hours": tenth_hours(1, 300),
            "amount": euros(1, 25000),
            "day": day,
            "status": st.sampled_from(CONTRIBUTION_STATUSES),
            "supervision": st.integers(0, 5).map(lambda n: n == 0),
            # An approved figure corrected by a coordinator: the new value replaces it.
            "corrected": st.one_of(st.none(), st.integers(1, 9)),
        }
    )
    request = st.fixed_dictionaries(
        {
            "school": st.integers(0, 1),  # Leiden Lab College (dirk's) or the first other
            "status": st.sampled_from(REQUEST_STATUSES),
            "day": day,
            "reached": st.integers(0, 30),
        }
    )
    after_end = (end - start).days + 1
    return {
        "start": start,
        "end": end,
        "today": today,
        "budget_factor": draw(
            st.sampled_from([Decimal("1.5"), Decimal("1.35"), Decimal("1.4999"), Decimal("1.65")])
        ),
        "grant_share": draw(st.sampled_from([Decimal("0.3"), Decimal("0.3333"), Decimal("0.34")])),
        "project_rate": draw(euros(50, 95)),
        "partners": partners,
        "pledges": pledges,
        "contributions": draw(st.lists(contribution, min_size=4, max_size=16)),
        "lessons": draw(
            st.lists(
                st.tuples(st.integers(1, employers), day, st.lists(request, max_size=4)),
                min_size=1,
                max_size=2,
            )
        ),
        "events": draw(
            st.lists(
                st.tuples(
                    st.sampled_from([ActivityKind.TRAINING, ActivityKind.IMAGE]),
                    st.sampled_from(
                        [ActivityStatus.PLANNED, ActivityStatus.DELIVERED, ActivityStatus.CANCELLED]
                    ),
                    st.sampled_from([Audience.TEACHERS, Audience.VO_PUPILS]),
                    day,
                    st.integers(1, 120),
                ),
                max_size=3,
            )
        ),
        "research": draw(
            st.lists(
                st.tuples(st.sampled_from(RESEARCH_HISTORIES), day, st.lists(day, max_size=2)),
                min_size=1,
                max_size=4,
            )
        ),
        # Placements starting in the project, or after its end.
        "placements": draw(
            st.lists(
                st.one_of(day, st.integers(after_end, after_end + 200)), min_size=0, max_size=7
            )
        ),
        "places": draw(st.integers(1, 6)),
        "targets": draw(
            st.lists(
                st.integers(1, 400).map(lambda n: Decimal(n) / 2),
                min_size=len(DERIVED) + 2,
                max_size=len(DERIVED) + 2,
            )
        ),
        # Reported figures per quarter begun: a value with one decimal and its state.
        "reported": draw(
            st.lists(
                st.tuples(
                    st.integers(1, 9999).map(lambda n: Decimal(n) / 10),
                    st.sampled_from(list(ReportStatus)),
                ),
                min_size=len(quarters),
                max_size=len(quarters),
            )
        ),
        "period": draw(st.integers(0, 10_000)),
    }


@dataclass
class World:
    project: Project
    period: object
    partners: list[Organisation]
    lead: Organisation
    pledges: list[dict]
    contributions: list[Contribution] = field(default_factory=list)
    research: list[tuple[ResearchProject, tuple]] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    activities: list = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)


def build(spec: dict, people: dict) -> World:
    project = Project.objects.get()
    project.start_date, project.end_date = spec["start"], spec["end"]
    project.hourly_rate = spec["project_rate"]
    project.save()
    carla, dirk, bram = people["carla"], people["dirk"], people["bram"]
    partners = [bram.organisation]
    for category, name in spec["partners"][1:]:
        if name == "Leiden Lab College":
            partners.append(dirk.organisation)
        elif category == "employer":
            partners.append(CompanyFactory(name=name))
        else:
            partners.append(SchoolFactory(name=name))
    lead = Organisation.objects.get(is_lead_applicant=True)
    Commitment.objects.bulk_create(
        Commitment(
            project=project,
            organisation=partners[p["partner"]],
            year=p["year"],
            hours=p["hours"],
            hourly_rate=p["rate"],
            in_kind_amount=p["in_kind"],
            cash_amount=p["cash"],
        )
        for p in spec["pledges"]
    )
    # The budget in the grant decision: near, but not always at, the grant plus co-financing.
    committed = sum(
        (
            p["hours"] * (p["rate"] if p["rate"] is not None else project.hourly_rate)
            + p["in_kind"]
            + p["cash"]
            for p in spec["pledges"]
        ),
        Decimal(0),
    )
    project.total_budget = _cents(max(committed, Decimal(90000)) * spec["budget_factor"])
    project.grant_amount = _cents(project.total_budget * spec["grant_share"])
    project.save()
    lines = {line.number: line for line in project.lines.all()}
    world = World(project, None, partners, lead, spec["pledges"])
    start = spec["start"]

    def on(offset: int) -> date:
        return start + timedelta(days=offset)

    who = [*partners, lead]
    made = Contribution.objects.bulk_create(
        Contribution(
            organisation=who[c["partner"]],
            programme_line=lines[1 + n % 3],
            kind=c["kind"],
            hours=c["hours"] if c["kind"] == ContributionKind.STAFF_HOURS else None,
            amount=None if c["kind"] == ContributionKind.STAFF_HOURS else c["amount"],
            date=on(c["day"]),
            description=f"Bijdrage {n}",
            is_supervision=c["supervision"],
            status=c["status"],
        )
        for n, c in enumerate(spec["contributions"])
    )
    corrections = [
        Contribution(
            organisation=original.organisation,
            programme_line=original.programme_line,
            kind=original.kind,
            hours=original.hours * c["corrected"] / 4 if original.hours else None,
            amount=_cents(original.amount * c["corrected"] / 7) if original.amount else None,
            date=original.date,
            description=f"{original.description} (gecorrigeerd)",
            is_supervision=original.is_supervision,
            status=ContributionStatus.APPROVED,
            corrects=original,
            decided_by=carla,
            rejection_reason="Verkeerd overgenomen",
        )
        for original, c in zip(made, spec["contributions"], strict=True)
        if c["corrected"] and original.status == ContributionStatus.APPROVED
    ]
    for correction in corrections:
        if correction.hours is not None:
            correction.hours = max(_tenths(correction.hours), Decimal("0.5"))
        if correction.amount is not None:
            correction.amount = max(correction.amount, Decimal("0.01"))
    world.contributions = made + Contribution.objects.bulk_create(corrections)

    schools = [
        dirk.organisation,
        partners[len([p for p in spec["partners"] if p[0] == "employer"]) + 1],
    ]
    for n, (host, offset, requests) in enumerate(spec["lessons"]):
        lesson = GuestLesson.objects.create(
            kind=ActivityKind.GUEST_LESSON,
            programme_line=lines[1],
            host=partners[host],
            title=f"Gastles {n}",
            status=ActivityStatus.PUBLISHED,
            start_date=on(offset),
            speaker="Spreker",
            format="at_school",
            duration_minutes=90,
            max_group_size=30,
        )
        world.activities.append(lesson)
        world.requests += Request.objects.bulk_create(
            Request(
                activity=lesson,
                school=schools[r["school"]],
                requested_by=dirk,
                date=on(r["day"]),
                group_name=f"LAB{m}",
                student_count=25,
                status=r["status"],
                students_reached=r["reached"] if r["status"] == RequestStatus.DELIVERED else None,
            )
            for m, r in enumerate(requests)
        )
    for n, (kind, status, audience, offset, reached) in enumerate(spec["events"]):
        world.activities.append(
            Event.objects.create(
                kind=kind,
                programme_line=lines[1 if kind == ActivityKind.TRAINING else 3],
                host=partners[n % len(partners)],
                title=f"Evenement {n}",
                status=status,
                start_date=on(offset),
                audience=audience,
                people_reached=reached if status == ActivityStatus.DELIVERED else None,
            )
        )
    for n, (history, offset, outputs) in enumerate(spec["research"]):
        research = ResearchProject.objects.create(
            kind=ActivityKind.RESEARCH,
            programme_line=lines[2],
            host=dirk.organisation,
            title=f"Onderzoek {n}",
            start_date=on(offset),
            research_question="Wat werkt?",
            track="education",
        )
        for status in history:  # as a coordinator moves it, so its history is kept
            activity_services.change_activity_status(
                actor=carla, activity=research, status=status, note="Gestopt"
            )
        ResearchOutput.objects.bulk_create(
            ResearchOutput(
                project=research, kind="report", title=f"Rapport {n}.{m}", published_on=on(d)
            )
            for m, d in enumerate(outputs)
        )
        world.research.append((research, history))
        world.activities.append(research)
    posting = Posting.objects.create(
        kind=ActivityKind.INTERNSHIP,
        programme_line=lines[1],
        host=bram.organisation,
        title="Stage analist",
        status=ActivityStatus.PUBLISHED,
        start_date=on(0),
        route="bol",
        days_per_week=4,
        places=spec["places"],
        location="Leiden",
    )
    world.activities.append(posting)
    for offset in spec["placements"]:
        student = StudentFactory(school=dirk.organisation)
        nomination = Nomination.objects.create(
            posting=posting, student=student, nominated_by=dirk, status=NominationStatus.ACCEPTED
        )
        world.placements.append(
            Placement.objects.create(
                nomination=nomination, start_date=on(offset), end_date=on(offset + 120)
            )
        )
    targets = iter(spec["targets"])
    for position, (measure, line) in enumerate(DERIVED):
        target = next(targets)
        world.indicators.append(
            Indicator.objects.create(
                project=project,
                programme_line=lines[line],
                name=f"KPI {measure}",
                unit="aantal",
                source=IndicatorSource.DERIVED,
                measure=measure,
                target_2y=target,
                target_4y=target * 3,
                position=position,
            )
        )
    for number, counts_students in ((1, False), (3, True)):
        target = next(targets)
        reported = Indicator.objects.create(
            project=project,
            programme_line=lines[number],
            name=f"KPI gemeld {number}",
            unit="aantal",
            source=IndicatorSource.REPORTED,
            counts_students=counts_students,
            target_2y=target,
            target_4y=target * 2,
            position=99,
        )
        world.indicators.append(reported)
        IndicatorValue.objects.bulk_create(
            IndicatorValue(
                indicator=reported,
                period_start=first,
                value=value * (number if counts_students else 1),
                status=status,
                submitted_by=dirk,
            )
            for (_n, first, _last), (value, status) in zip(
                (q for q in project.quarters() if q[1] <= spec["today"]),
                spec["reported"],
                strict=False,
            )
        )
    periods = project_periods(project, spec["today"])
    world.period = periods[spec["period"] % len(periods)]
    return world


# The plain recomputation -------------------------------------------------------------------------


def year_of(project: Project, day: date) -> int:
    return next((n for n, first, last in project_years(project) if first <= day <= last), 0)


def rate_of(world: World, organisation: Organisation, year: int) -> Decimal:
    own = [
        p["rate"]
        for p in world.pledges
        if world.partners[p["partner"]] == organisation and p["year"] == year
    ]
    return own[0] if own and own[0] is not None else world.project.hourly_rate


def counting_rows(world: World, first: date, last: date) -> list[Contribution]:
    """Approved, not corrected since, not supervision, from an employer or another partner (not
    the lead applicant), dated from `first` to `last`."""
    replaced = {c.corrects_id for c in world.contributions if c.corrects_id}
    return [
        c
        for c in world.contributions
        if c.status == ContributionStatus.APPROVED
        and c.pk not in replaced
        and not c.is_supervision
        and c.organisation.cofinancing_category in ("employer", "other")
        and first <= c.date <= last
    ]


def euros_of(world: World, c: Contribution) -> Decimal:
    if c.kind == ContributionKind.STAFF_HOURS:
        return c.hours * rate_of(world, c.organisation, year_of(world.project, c.date))
    return c.amount


def pledged(world: World, organisation: Organisation) -> Decimal:
    return sum(
        (
            p["hours"] * (p["rate"] if p["rate"] is not None else world.project.hourly_rate)
            + p["in_kind"]
            + p["cash"]
            for p in world.pledges
            if world.partners[p["partner"]] == organisation
        ),
        Decimal(0),
    )


def plain_rif(world: World, upto: date) -> dict:
    """The RIF rules taken of the total budget in the grant decision."""
    project = world.project
    budget = project.total_budget
    rows = counting_rows(world, project.start_date, min(upto, project.end_date))
    share = {}
    for category in ("employer", "other"):
        partners = {o for o in world.partners if o.cofinancing_category == category}
        share[category] = {
            "committed": sum((pledged(world, o) for o in partners), Decimal(0)),
            "realised": sum(
                (euros_of(world, c) for c in rows if c.organisation in partners), Decimal(0)
            ),
        }
    employer, other = share["employer"], share["other"]
    return {
        "third": budget / 3,
        "two_thirds": 2 * budget / 3,
        "grant_holds": 3 * project.grant_amount <= budget,
        "employer_holds": budget <= 3 * employer["committed"] <= 2 * budget,
        "other_holds": 3 * other["committed"] <= budget and 3 * other["realised"] <= budget,
        "financing_is_budget": project.grant_amount + employer["committed"] + other["committed"]
        == budget,
    }


def ran(history: tuple) -> bool:
    return ActivityStatus.RUNNING in history
