"""Every figure a funder sees agrees everywhere: random consortia, and each figure on the finance
page, the four role dashboards, the KPI pages, the report's PDF (its text) and its workbook
compared with the figures module (reports.figures, reports.kpis) for the same period, and the
RIF rule checks and a few counts compared with a plain recomputation from the rows made here.

The rounding rule is stated here, in `whole`, `cents` and `tenths`: half up, money on pages in
whole euros, in files in cents, hours to one decimal, percentages whole. A page is compared with
the unrounded figure rounded by that rule, never with another rounded figure.

Pages are read by their `data-figure` hooks (one figure per element) and `data-figures` (a
translated sentence whose numbers are compared as a set, in whatever order a language puts
them); the PDF by its text. Every disagreement of one example is collected and reported together,
each named by where it was seen."""

import io
import os
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from hypothesis import HealthCheck, Phase, given, settings
from openpyxl import load_workbook
from pypdf import PdfReader

from activities.models import Activity, ActivityKind, ActivityStatus, Request, RequestStatus
from ledger.models import Contribution, ContributionKind, ContributionStatus
from programmes.models import DerivedMeasure, Indicator, IndicatorSource, Project
from reports import figures, kpis
from reports import services as report_services
from reports.models import ReportKind
from tests.reports.consortia import (
    World,
    build,
    consortia,
    counting_rows,
    euros_of,
    plain_rif,
    pledged,
    ran,
)
from tests.reports.figure_pages import EURO, NUMBER, Agreement, Figures, number

pytestmark = pytest.mark.django_db

# Consortia per run. Each one renders thirteen pages and two exports and makes a report: about
# fifteen seconds on two cores, the PDF a third of it. Three keep the test under a minute in
# `make test` (the first is the smallest consortium Hypothesis draws, the next two larger ones),
# and every run meets the same three (derandomized), so a failure is repeatable. A deeper run,
# after changing a figure: FIGURE_EXAMPLES=50 FUZZ_RANDOM=1 (new consortia every run, as the
# form fuzzing does).
EXAMPLES = int(os.environ.get("FIGURE_EXAMPLES", "3"))
DERANDOMIZE = os.environ.get("FUZZ_RANDOM") != "1"


# The rule ------------------------------------------------------------------------------------


def rounded(value, places: int) -> Decimal | None:
    """Half up, as a person rounds (2.5 → 3, 0.125 → 0.13): the one rule for every figure."""
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def whole(value) -> Decimal | None:
    """Money on pages, counts, KPI figures and percentages: whole."""
    return rounded(value, 0)


def tenths(value) -> Decimal | None:
    """Hours: one decimal."""
    return rounded(value, 1)


def cents(value) -> Decimal | None:
    """Money in files: cents."""
    return rounded(value, 2)


# The test ----------------------------------------------------------------------------------------


@pytest.fixture
def people(consortium, carla, dirk, bram, fien):
    return {"carla": carla, "dirk": dirk, "bram": bram, "fien": fien}


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=DERANDOMIZE,
    # The fixtures (the consortium, the people) are the same for every consortium drawn: each
    # example's rows are rolled back below. No shrinking: one failing example, with every
    # disagreement it has, says more than a smaller one found minutes later.
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(spec=consortia())
def test_every_figure_agrees_with_the_figures_module_and_the_rif_rule(client, people, spec):
    point = transaction.savepoint_create()
    try:
        wrong = disagreements(client, people, spec)
        assert not wrong, f"{len(wrong) - 1} figures disagree {wrong[0]}:\n" + "\n".join(wrong[1:])
    finally:
        transaction.savepoint_rollback(point)


def disagreements(client, people, spec: dict) -> list[str]:
    """Every disagreement of one consortium, after a line that says which consortium."""
    world = build(spec, people)
    agreement = Agreement()
    _finance_page(client, people, world, agreement)
    _dashboards(client, people, world, agreement)
    _kpi_pages(client, people, world, agreement)
    _report(client, people, world, agreement)
    _plain_counts(world, agreement)
    if not agreement.wrong:
        return []
    project = world.project
    return [
        f"(period {world.period.key}, project {project.start_date} to {project.end_date}, today "
        f"{timezone.localdate()})",
        *agreement.wrong,
    ]


def _cell(value):
    """A workbook's cell as a number; text (a number written as text) is a disagreement."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    return f"text {value!r}"


def _page(client, person, url: str) -> Figures:
    client.force_login(person)
    response = client.get(url)
    assert response.status_code == 200, url
    return Figures(response.content.decode())


def _checks(agreement: Agreement, page: Figures, where: str, checks: list[dict]) -> None:
    """The rule checks on a page: each figure as the module gives it, in whole euros."""
    for n, check in enumerate(checks, start=1):
        agreement.same(f"{where} check {n} light", page.lights.get(n), check["light"])
        for m, value in enumerate(check["figures"].values(), start=1):
            agreement.figure(page, where, f"check.{n}.{m}", whole(value))
    agreement.same(f"{where} number of checks", len(page.lights), len(checks))


def _rif(agreement: Agreement, world: World, where: str, checks_of, upto: date) -> None:
    """The module's rule checks (`checks_of()`, asked in English to tell them apart by their
    words) against the plain recomputation: the limits are thirds of the total budget, and
    each light is red exactly when the plan breaks the rule."""
    plain = plain_rif(world, upto)
    with translation.override("en"):
        checks = checks_of()
        rules = [str(c["rule"]) for c in checks]
    by_rule = dict(zip(rules, checks, strict=True))

    def find(word: str) -> dict | None:
        return next((c for rule, c in by_rule.items() if word in rule.lower()), None)

    grant, employer, other = find("grant"), find("employer"), find("other partners")
    for name, check in (("grant", grant), ("employers", employer), ("others", other)):
        agreement.truth(f"{where} RIF check on {name}", check is not None, "missing")
    if grant:
        agreement.same(f"{where} RIF grant light", grant["light"] != "red", plain["grant_holds"])
    if employer:
        limits = {cents(v) for v in employer["figures"].values()}
        agreement.truth(
            f"{where} RIF employers' limits are 1/3 and 2/3 of the total budget "
            f"({cents(plain['third'])}, {cents(plain['two_thirds'])})",
            {cents(plain["third"]), cents(plain["two_thirds"])} <= limits,
            f"the check shows {sorted(limits)}",
        )
        agreement.same(
            f"{where} RIF employers' plan holds",
            employer["light"] != "red",
            plain["employer_holds"],
        )
    if other:
        limits = {cents(v) for v in other["figures"].values()}
        agreement.truth(
            f"{where} RIF others' limit is 1/3 of the total budget ({cents(plain['third'])})",
            cents(plain["third"]) in limits,
            f"the check shows {sorted(limits)}",
        )
        agreement.same(f"{where} RIF others hold", other["light"] != "red", plain["other_holds"])
    if not plain["financing_is_budget"]:
        agreement.truth(
            f"{where} RIF: a check says the grant plus committed co-financing differs from the "
            "total budget",
            len(checks) > 4,
            f"{len(checks)} checks: {rules}",
        )


def _finance_page(client, people, world: World, agreement: Agreement) -> None:
    project = world.project
    page = _page(client, people["carla"], reverse("reports:finance"))
    overview = figures.finance_overview(project, per_year=False)
    where = "finance page"
    for row in overview["partners"]:
        slug = row.organisation.slug
        agreement.figure(page, where, f"partner.{slug}.committed", whole(row.committed_total))
        agreement.figure(page, where, f"partner.{slug}.expected", whole(row.expected))
        agreement.figure(page, where, f"partner.{slug}.in_kind", whole(row.in_kind))
        agreement.figure(page, where, f"partner.{slug}.cash", whole(row.cash))
        agreement.figure(page, where, f"partner.{slug}.hours", tenths(row.hours))
    for line in overview["lines"]:
        number_ = line["line"].number
        agreement.figure(page, where, f"line.{number_}.budget", whole(line["budget"]))
        agreement.figure(page, where, f"line.{number_}.realised", whole(line["realised"]))
    agreement.figure(page, where, "budget_total", whole(overview["budget_total"]))
    agreement.sentence(
        page,
        where,
        "grant total_budget hourly_rate",
        [whole(project.grant_amount), whole(project.total_budget), cents(project.hourly_rate)],
    )
    _checks(agreement, page, where, overview["checks"])
    _rif(
        agreement,
        world,
        where,
        lambda: figures.finance_overview(project, per_year=False)["checks"],
        timezone.localdate(),
    )
    # Its export: amounts in cents, hours with one decimal, all numbers.
    response = client.get(reverse("reports:finance_export", args=["xlsx"]))
    exported = {
        row[0]: row
        for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(
            min_row=2, values_only=True
        )
    }
    for row in overview["partners"]:
        name = row.organisation.name
        agreement.same(
            f"finance export (XLSX), {name}",
            [_cell(v) for v in exported[name][2:7]] if name in exported else "not found",
            [
                cents(row.committed_total),
                cents(row.expected),
                cents(row.in_kind),
                cents(row.cash),
                tenths(row.hours),
            ],
        )
    # The module against the rows themselves: what each partner realised, valued at its rate.
    rows = counting_rows(world, project.start_date, project.end_date)
    for row in overview["partners"]:
        mine = [c for c in rows if c.organisation == row.organisation]
        hours = sum((c.hours for c in mine if c.kind == ContributionKind.STAFF_HOURS), Decimal(0))
        cash = sum((c.amount for c in mine if c.kind == ContributionKind.CASH), Decimal(0))
        in_kind = sum(
            (euros_of(world, c) for c in mine if c.kind != ContributionKind.CASH), Decimal(0)
        )
        name = row.organisation.name
        agreement.same(f"figures module, {name}'s hours (plain sum)", row.hours, hours)
        agreement.same(f"figures module, {name}'s cash (plain sum)", row.cash, cash)
        agreement.same(f"figures module, {name}'s in kind (plain sum)", row.in_kind, in_kind)
        agreement.same(
            f"figures module, {name}'s pledge (plain sum)",
            row.committed_total,
            pledged(world, row.organisation),
        )


def _period_totals(overview: dict) -> dict:
    counting = [
        p
        for p in overview["partners"]
        if p.organisation.cofinancing_category in ("employer", "other")
    ]
    total = {
        "committed": sum((p.period_committed for p in counting), Decimal(0)),
        "cash": sum((p.period_cash for p in counting), Decimal(0)),
        "in_kind": sum((p.period_in_kind for p in counting), Decimal(0)),
    }
    total["realised"] = total["cash"] + total["in_kind"]
    return total


def _kpi_expected(project, period, today, *, protected: bool) -> dict[int, dict]:
    """Each indicator's figures on a dashboard for `period`, as the KPI module gives them."""
    data = kpis.kpi_rows(project, None, today=period.upto(today))
    current = data["quarter"][0] if data["quarter"] else 0
    raw = {r.indicator.pk: r.in_quarters(period.quarters, current) for r in data["rows"]}
    if protected:
        kpis.suppress_people(data["rows"])
    expected = {}
    for row in data["rows"]:
        value = raw[row.indicator.pk]
        expected[row.indicator.pk] = {
            "row": row,
            "target": row.target,
            "period": figures.protect(value) if row.protected else value,
            "cumulative": row.cumulative,
            "forecast": row.forecast,
        }
    return expected


def _kpi_block(agreement, page, where, expected: dict) -> None:
    for pk, values in expected.items():
        for name in ("target", "period", "cumulative", "forecast"):
            agreement.figure(page, where, f"kpi.{pk}.{name}", whole(values[name]))


def _dashboards(client, people, world: World, agreement: Agreement) -> None:
    project, period = world.project, world.period
    today = timezone.localdate()
    query = f"?period={period.key}"
    closed = figures.closed_quarters(project)
    overview = figures.cofinancing(project, today, period=period, closed=closed)
    total = _period_totals(overview)
    happened = figures.activities_happened(period, None, closed=closed)
    engagement = figures.partner_engagement(period, period.upto(today), closed=closed)
    label_numbers = [number(m) for m in NUMBER.findall(str(period.short_label))]

    # Coordinator.
    where = f"coordinator dashboard ({period.key})"
    page = _page(client, people["carla"], reverse("reports:dashboard_coordinator") + query)
    agreement.figure(page, where, "finance.committed", whole(total["committed"]))
    agreement.figure(page, where, "finance.realised", whole(total["realised"]))
    agreement.sentence(
        page, where, "finance.cash finance.in_kind", [whole(total["cash"]), whole(total["in_kind"])]
    )
    agreement.figure(page, where, "happened.total", sum(happened.values()))
    for kind in ActivityKind:
        count = sum(n for (k, _line), n in happened.items() if k == kind)
        if count:
            agreement.figure(page, where, f"happened.{kind}", count)
    agreement.sentence(
        page,
        where,
        "active_count engagement_total period",
        [sum(e.active_in_period for e in engagement), len(engagement), *label_numbers],
        pattern=NUMBER,
    )
    _checks(agreement, page, where, overview["checks"])
    _rif(
        agreement,
        world,
        where,
        lambda: figures.cofinancing(project, today, period=period, closed=closed)["checks"],
        today,
    )
    coordinator_kpis = _kpi_expected(project, period, today, protected=False)
    _kpi_block(agreement, page, where, coordinator_kpis)
    charted = page.chart_rows()
    for p in overview["partners"]:
        if p.organisation.name in charted and (p.period_committed or p.period_realised):
            agreement.same(
                f"{where} chart table, {p.organisation.name}",
                [number(c) for c in charted[p.organisation.name]],
                [whole(p.period_committed), whole(p.period_realised)],
            )
    for values in coordinator_kpis.values():
        row = values["row"]
        if row.target and row.indicator.title in charted:
            agreement.same(
                f"{where} KPI chart table, {row.indicator.title} (% of this year's target)",
                number(charted[row.indicator.title][0]),
                whole(row.cumulative / row.target * 100),
            )

    # Funder.
    where = f"funder dashboard ({period.key})"
    page = _page(client, people["fien"], reverse("reports:dashboard_funder") + query)
    agreement.figure(page, where, "grant", whole(project.grant_amount))
    agreement.sentence(page, where, "total_budget", [whole(project.total_budget)])
    # One decimal: a share just above the RIF's third must not read as 33 %.
    agreement.figure(page, where, "grant_share", tenths(project.grant_share * 100))
    agreement.figure(page, where, "finance.realised", whole(total["realised"]))
    agreement.sentence(page, where, "finance.committed", [whole(total["committed"])])
    agreement.sentence(
        page, where, "finance.cash finance.in_kind", [whole(total["cash"]), whole(total["in_kind"])]
    )
    agreement.figure(
        page,
        where,
        "happened.total",
        sum(n for (k, _line), n in happened.items() if k != ActivityKind.INTERNSHIP),
    )
    _checks(agreement, page, where, overview["checks"])
    _kpi_block(agreement, page, where, _kpi_expected(project, period, today, protected=True))
    upto = period.upto(today)
    totals = kpis.student_totals(project, upto, closed=closed)
    students = {
        **totals,
        **{k: figures.protect(totals[k]) for k in ("students_in_modules", "placements")},
        "students_reached": figures.protect(totals["students_reached"]),
    }
    for key in ("students_in_modules", "placements", "students_reached"):
        agreement.figure(page, where, f"students.{key}", students[key])
    agreement.figure(page, where, "students.delivered_activities", students["delivered_activities"])
    # One rule for every student figure a funder sees (issue 23, item 9): the totals beside the
    # KPIs are the KPIs' cumulative figures (from the project's start to the end of the quarter
    # shown), protected as the KPIs are.
    current = project.quarter_of(min(max(upto, project.start_date), project.end_date))
    last_day = current[2] if current else project.start_date
    reached = sum(
        r.students_reached or 0
        for r in world.requests
        if r.status == RequestStatus.DELIVERED and project.start_date <= r.date <= last_day
    )
    agreement.same(
        f"{where} students reached: the funders' rule (figures.protect) on the plain sum {reached}",
        students["students_reached"],
        figures.protect(reached),
    )
    in_project = sum(1 for p in world.placements if project.start_date <= p.start_date <= last_day)
    agreement.same(
        f"{where} placements at partners: the funders' rule on the {in_project} placements that "
        f"start within the project up to {last_day} (of {len(world.placements)})",
        students["placements"],
        figures.protect(in_project),
    )

    # Industry: BioCorp's own figures.
    where = f"industry dashboard ({period.key})"
    bram = people["bram"]
    page = _page(client, bram, reverse("reports:dashboard_industry") + query)
    mine = figures.partner_finance(project, bram.organisation_id, today, period=period)
    agreement.sentence(
        page,
        where,
        "mine.realised mine.committed",
        [whole(mine.period_realised), whole(mine.period_committed)],
    )
    if mine.period_committed or mine.period_realised:
        shown = [number(cells[0]) for cells in page.chart_rows().values()]
        agreement.same(
            f"{where} chart table (committed, in kind, cash)",
            shown,
            [whole(mine.period_committed), whole(mine.period_in_kind), whole(mine.period_cash)],
        )

    # School: Leiden Lab College's requests delivered in the period.
    where = f"school dashboard ({period.key})"
    page = _page(client, people["dirk"], reverse("reports:dashboard_school") + query)
    delivered = sum(
        1
        for r in world.requests
        if r.school_id == people["dirk"].organisation_id
        and r.status == RequestStatus.DELIVERED
        and period.start <= r.date <= period.end
    )
    agreement.figure(page, where, "delivered_in_period", delivered)
    agreement.figure(page, where, "units_done_in_period", 0)


def _kpi_pages(client, people, world: World, agreement: Agreement) -> None:
    project, period = world.project, world.period
    today = timezone.localdate()
    begun = [q for q in project.quarters() if q[1] <= today]
    quarter = max((q for q in begun if q[0] in period.quarters), key=lambda q: q[0])
    for person, protected in ((people["carla"], False), (people["fien"], True)):
        for line in project.lines.all():
            where = f"KPI page line {line.number} quarter {quarter[0]} as {person.role}"
            url = reverse("reports:kpis_line", args=[line.number]) + f"?quarter={quarter[0]}"
            page = _page(client, person, url)
            data = kpis.kpi_rows(project, line.pk, today=quarter[2])
            if protected:
                kpis.suppress_people(data["rows"])
            for row in data["rows"]:
                pk = row.indicator.pk
                agreement.figure(page, where, f"kpi.{pk}.target", whole(row.target))
                agreement.figure(page, where, f"kpi.{pk}.this_period", whole(row.this_period))
                agreement.figure(page, where, f"kpi.{pk}.cumulative", whole(row.cumulative))
                agreement.figure(page, where, f"kpi.{pk}.forecast", whole(row.forecast))
                agreement.figure(page, where, f"kpi.{pk}.target_4y", whole(row.indicator.target_4y))


REPORT_KINDS = {
    "quarter": ReportKind.QUARTERLY,
    "year": ReportKind.ANNUAL,
    "project": ReportKind.FINAL,
}


def _sentence(text: str, msgid: str) -> dict[str, Decimal] | None:
    """The numbers in a translated sentence of the PDF (None when it is not there)."""
    pattern = re.escape(" ".join(gettext(msgid).split()))
    pattern = re.sub(r"%\\\((\w+)\\\)s", r"(?P<\1>[\\d.,]+)", pattern)
    found = re.search(pattern, text)
    return {k: number(v) for k, v in found.groupdict().items()} if found else None


def _report(client, people, world: World, agreement: Agreement) -> None:
    project, period = world.project, world.period
    today = timezone.localdate()
    upto = period.upto(today)
    kind = REPORT_KINDS[period.kind]
    number_ = 0 if kind == ReportKind.FINAL else int(period.key[1:])
    report, _created = report_services.request_report(
        actor=people["carla"], kind=kind, number=number_
    )
    assert report_services.generate_report(report.pk)
    client.force_login(people["carla"])

    def download(fmt: str) -> bytes:
        response = client.get(reverse("reports:report_download", args=[report.pk, fmt]))
        assert response.status_code == 200, fmt
        return b"".join(response.streaming_content)

    # The module's figures as the report's period stood at its end.
    finance = figures.cofinancing(project, period=period, as_of=upto)
    during = [
        p
        for p in finance["partners"]
        if p.organisation.cofinancing_category in figures.COUNTING_CATEGORIES
        and (p.organisation.active_since is None or p.organisation.active_since <= period.end)
        and (p.organisation.active_until is None or p.organisation.active_until >= period.start)
    ]
    total = _period_totals({"partners": during})
    kpi = _kpi_expected(project, period, upto, protected=True)
    happened = sum(
        n
        for (k, _line), n in figures.activities_happened(period).items()
        if k != ActivityKind.INTERNSHIP
    )

    # The PDF, by its text.
    reader = PdfReader(io.BytesIO(download("pdf")))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    where = f"report PDF ({period.key})"
    summary = _sentence(
        text,
        "Co-financing: € %(committed)s committed for the period; € %(cash)s cash and € "
        "%(kind)s in kind realised and approved.",
    )
    agreement.truth(f"{where} summary sentence", summary is not None, "not found")
    if summary:
        agreement.same(
            f"{where} summary: committed", summary["committed"], whole(total["committed"])
        )
        agreement.same(f"{where} summary: cash", summary["cash"], whole(total["cash"]))
        agreement.same(f"{where} summary: in kind", summary["kind"], whole(total["in_kind"]))
    activities = _sentence(text, "%(n)s activities took place in this period.")
    agreement.same(f"{where} activities", activities and activities["n"], happened)
    found = re.search(re.escape(gettext("Total")) + r" € ([\d.,]+) € ([\d.,]+) € ([\d.,]+)", text)
    agreement.same(
        f"{where} co-financing total row",
        [number(v) for v in found.groups()] if found else None,
        [whole(total["committed"]), whole(total["cash"]), whole(total["in_kind"])],
    )
    figure_text = r"(< 5|[\d.,]+|\N{EN DASH})"
    for values in kpi.values():
        indicator = values["row"].indicator
        found = re.search(
            re.escape(f"{indicator.title} ({indicator.unit_text})") + (" " + figure_text) * 4,
            text,
        )
        agreement.same(
            f"{where} KPI row {indicator.title}",
            [number(v) for v in found.groups()] if found else "not found",
            [whole(values[k]) for k in ("target", "period", "cumulative", "forecast")],
        )
    checks = text[text.find(gettext("Outcome")) : text.rfind(gettext("Risks"))]
    # Each check prints its base (an amount) and then its figures.
    agreement.same(
        f"{where} rule check figures",
        [number(v) for v in EURO.findall(checks)],
        [
            whole(v)
            for check in finance["checks"]
            for v in [check["base_amount"], *check["figures"].values()]
        ],
    )
    _rif(
        agreement,
        world,
        where,
        lambda: figures.cofinancing(project, period=period, as_of=upto)["checks"],
        upto,
    )

    # The workbook: numbers, money in cents.
    workbook = load_workbook(io.BytesIO(download("xlsx")))
    where = f"report XLSX ({period.key})"

    summary_sheet = {
        str(row[0]): row[1]
        for row in workbook[gettext("Summary")].iter_rows(min_row=2, values_only=True)
    }
    for label, value in (
        ("Co-financing committed for the period", total["committed"]),
        ("Co-financing realised: cash", total["cash"]),
        ("Co-financing realised: in kind", total["in_kind"]),
    ):
        agreement.same(f"{where} {label}", _cell(summary_sheet.get(gettext(label))), cents(value))
    agreement.same(
        f"{where} activities",
        _cell(summary_sheet.get(gettext("Activities that took place"))),
        happened,
    )
    kpi_sheet = {
        row[1]: row for row in workbook[gettext("KPIs")].iter_rows(min_row=2, values_only=True)
    }
    for values in kpi.values():
        title = values["row"].indicator.title
        row = kpi_sheet.get(title)
        agreement.same(
            f"{where} KPI row {title}",
            [v if v == "< 5" else _cell(v) for v in row[3:7]] if row else "not found",
            # KPI figures whole in files too, as on every page (civbio/rounding.py).
            [
                "< 5" if values[k] is None else whole(values[k])
                for k in ("target", "period", "cumulative", "forecast")
            ],
        )
    finance_sheet = {
        row[0]: row
        for row in workbook[gettext("Co-financing")].iter_rows(min_row=2, values_only=True)
    }
    for p in during:
        row = finance_sheet.get(p.organisation.name)
        agreement.same(
            f"{where} co-financing row {p.organisation.name}",
            [_cell(v) for v in row[2:5]] if row else "not found",
            [cents(p.period_committed), cents(p.period_cash), cents(p.period_in_kind)],
        )
    # One row per figure of a check: rule, outcome, base, base amount, figure, amount.
    check_rows = list(workbook[gettext("Rule checks")].iter_rows(min_row=2, values_only=True))
    for n, check in enumerate(finance["checks"], start=1):
        rows = [row for row in check_rows if row[0] == check["rule"]]
        agreement.same(
            f"{where} rule check {n} figures",
            [(_cell(row[3]), _cell(row[5])) for row in rows],
            [(cents(check["base_amount"]), cents(v)) for v in check["figures"].values()],
        )
    hours_sheet = list(workbook[gettext("Hours register")].iter_rows(min_row=2, values_only=True))
    expected_hours = sorted(
        tenths(c.hours)
        for c in counting_rows(world, period.start, period.end)
        if c.kind == ContributionKind.STAFF_HOURS
    )
    agreement.same(
        f"{where} hours register", sorted(_cell(row[3]) for row in hours_sheet), expected_hours
    )


def _plain_counts(world: World, agreement: Agreement) -> None:
    """Counts the issue names, recomputed from the rows: research started (cancelled while a
    draft is not), and activities that happened in the period."""
    project, period = world.project, world.period
    quarters = {q[0]: (q[1], q[2]) for q in project.quarters()}
    counted = kpis.count_measures(project, [DerivedMeasure.RESEARCH_PROJECTS]).per_quarter
    shown = sum(counted.get(DerivedMeasure.RESEARCH_PROJECTS, {}).values(), Decimal(0))
    started = sum(
        1
        for research, history in world.research
        if ran(history) and any(a <= research.start_date <= b for a, b in quarters.values())
    )
    agreement.same(
        "KPI module: research projects started (those that ran; plain count of "
        f"{[(h, str(r.start_date)) for r, h in world.research]})",
        shown,
        started,
    )
    happened = figures.activities_happened(period)
    in_period = sum(
        1
        for research, history in world.research
        if ran(history) and period.start <= research.start_date <= period.end
    )
    agreement.same(
        f"figures module: research that started in {period.key} (plain count)",
        sum(n for (k, _line), n in happened.items() if k == ActivityKind.RESEARCH),
        in_period,
    )
    # Partners active in the period: an activity hosted (not a draft, not cancelled), a request
    # agreed (scheduled or delivered) or a contribution logged, dated in the period up to today
    # (not the day its row was made).
    last = min(period.end, period.upto(timezone.localdate()))
    signs: set[int] = set()
    # The rows as they stand now (a request's status moved on after it was made).
    for host, status, start in Activity.objects.values_list("host_id", "status", "start_date"):
        if (
            status not in (ActivityStatus.DRAFT, ActivityStatus.CANCELLED)
            and start
            and period.start <= start <= last
        ):
            signs.add(host)
    for school, status, day in Request.objects.values_list("school_id", "status", "date"):
        if status in (RequestStatus.SCHEDULED, RequestStatus.DELIVERED) and (
            period.start <= day <= last
        ):
            signs.add(school)
    for organisation, status, day in Contribution.objects.values_list(
        "organisation_id", "status", "date"
    ):
        if status in (ContributionStatus.SUBMITTED, ContributionStatus.APPROVED) and (
            period.start <= day <= last
        ):
            signs.add(organisation)
    engagement = figures.partner_engagement(period, period.upto(timezone.localdate()))
    agreement.same(
        f"figures module: partners active in {period.key} (plain, by the activities' dates)",
        sorted(e.organisation.name for e in engagement if e.active_in_period),
        sorted(e.organisation.name for e in engagement if e.organisation.pk in signs),
    )


def test_a_derived_indicator_after_a_headcount_is_counted(client, consortium, carla):
    """Found by the property test above: after the partners-active headcount, the next derived
    indicator of the same list was counted from the headcount's set of partners, and the KPI page
    and the dashboards answered with a server error."""
    project = Project.objects.get()
    line = project.lines.get(number=1)
    for position, measure in enumerate(
        [DerivedMeasure.ACTIVE_PARTNERS, DerivedMeasure.GUEST_LESSONS]
    ):
        Indicator.objects.create(
            project=project,
            programme_line=line,
            name=f"KPI {measure}",
            unit="aantal",
            source=IndicatorSource.DERIVED,
            measure=measure,
            target_2y=10,
            target_4y=20,
            position=position,
        )
    client.force_login(carla)

    page = client.get(reverse("reports:kpis_line", args=[1]))

    assert page.status_code == 200
    assert [row.indicator.measure for row in page.context["rows"]] == [
        DerivedMeasure.ACTIVE_PARTNERS,
        DerivedMeasure.GUEST_LESSONS,
    ]
