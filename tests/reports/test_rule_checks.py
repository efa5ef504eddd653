"""The RIF rule checks take every limit of the total budget in the grant decision, say their
base, and say when the grant and the committed co-financing do not add up to that budget; the
contributions of a partner that does not count (the applicant school) show as recorded, not as
nothing. Each check is recomputed here from the rows themselves."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import load_workbook

from ledger import services as ledger
from ledger.models import Contribution, ContributionKind, ContributionStatus
from partners.models import Organisation, User
from programmes.models import Commitment, Project
from reports import closing
from reports.contents import report_contents
from reports.figures import finance_overview
from reports.models import ReportKind
from reports.renderers import render_xlsx
from reports.services import period_of
from tests.factories import GovernmentFactory, UserFactory

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")


def plain_committed(project: Project) -> dict[str, Decimal]:
    """Co-financing committed per category, added up from the commitment rows by hand: hours at
    the partner's own rate for that year where it has one, else the project's, plus in kind and
    cash."""
    totals = {"employer": Decimal(0), "other": Decimal(0)}
    for row in Commitment.objects.filter(project=project).select_related("organisation"):
        category = row.organisation.cofinancing_category
        if category in totals and row.organisation.kind != "funder":
            rate = project.hourly_rate if row.hourly_rate is None else row.hourly_rate
            totals[category] += row.hours * rate + row.in_kind_amount + row.cash_amount
    return totals


def by_key(overview: dict) -> dict[str, dict]:
    return {check["key"]: check for check in overview["checks"]}


def amounts(check: dict) -> list[Decimal]:
    return list(check["figures"].values())


def test_every_limit_is_a_share_of_the_total_budget_in_the_grant_decision(consortium):
    project = Project.objects.get()
    budget = project.total_budget
    # Employers half of the budget (one of them at its own rate for hours), other partners
    # 34.0 % of it: more than a third of the budget, less than a third of the grant plus the
    # co-financing committed (the base the checks wrongly took).
    lumc = Organisation.objects.get(slug="lumc")
    Commitment.objects.create(
        project=project, organisation=lumc, year=1, hours=100, hourly_rate=85, in_kind_amount=500
    )
    baseclear = Organisation.objects.get(slug="baseclear")
    Commitment.objects.create(
        project=project,
        organisation=baseclear,
        year=2,
        cash_amount=budget / 2 - 100 * 85 - 500,
    )
    hsleiden = Organisation.objects.get(slug="hogeschool-leiden")
    Commitment.objects.create(
        project=project,
        organisation=hsleiden,
        year=1,
        cash_amount=(budget * Decimal("0.34")).quantize(CENT),
    )

    checks = by_key(finance_overview(project, today=project.start_date))

    committed = plain_committed(project)
    assert committed["other"] * 100 / budget == Decimal("34")
    # Under the old base, a third of the grant plus the co-financing, the others' rule held.
    assert committed["other"] * 3 <= project.grant_amount + sum(committed.values())
    third, two_thirds = budget / 3, budget * 2 / 3
    assert third.quantize(CENT) == Decimal("746416.00")
    assert two_thirds.quantize(CENT) == Decimal("1492832.00")
    for key in ("grant", "employers", "others"):
        assert checks[key]["base_amount"] == budget
    assert amounts(checks["grant"]) == [project.grant_amount, third]
    assert amounts(checks["employers"])[0] == committed["employer"]
    assert amounts(checks["employers"])[2:] == [third, two_thirds]
    assert amounts(checks["others"])[0] == committed["other"]
    assert amounts(checks["others"])[2] == third
    assert checks["others"]["share"] == Decimal("34")
    assert checks["grant"]["light"] == "green"  # exactly a third of the budget
    assert checks["employers"]["light"] == "green"  # half the budget, nothing needed yet
    assert checks["others"]["light"] == "red"  # 34.0 % breaks "at most a third"

    # The grant and the committed co-financing do not add up to the budget: its own check.
    financing = project.grant_amount + committed["employer"] + committed["other"]
    assert amounts(checks["budget"]) == [financing, budget, financing - budget]
    assert checks["budget"]["light"] == "red"

    # Once they add up (others down to exactly what the budget leaves), that check holds, and so
    # does the others' rule.
    Commitment.objects.filter(organisation=hsleiden).update(
        cash_amount=budget - project.grant_amount - committed["employer"]
    )
    checks = by_key(finance_overview(project, today=project.start_date))
    assert amounts(checks["budget"])[2] == 0
    assert checks["budget"]["light"] == "green"
    assert checks["others"]["light"] == "green"


def test_the_demo_checks_take_a_third_of_the_budget_and_show_it(client, demo_data):
    project = Project.objects.get()
    budget = project.total_budget
    committed = plain_committed(project)

    checks = by_key(finance_overview(project))

    # Of the grant plus the co-financing committed, a third was €779,912 and two thirds
    # €1,559,824; of the budget they are:
    assert amounts(checks["employers"])[2].quantize(CENT) == Decimal("746416.00")
    assert amounts(checks["employers"])[3].quantize(CENT) == Decimal("1492832.00")
    assert amounts(checks["others"])[2].quantize(CENT) == Decimal("746416.00")
    assert amounts(checks["employers"])[0] == committed["employer"]
    assert amounts(checks["others"])[0] == committed["other"]
    for key, category in (("employers", "employer"), ("others", "other")):
        assert checks[key]["share"] == committed[category] * 100 / budget
    assert checks["employers"]["light"] == (
        "green" if budget <= committed["employer"] * 3 <= 2 * budget else "red"
    )
    # The demo's pledges and the grant come to more than the budget: said, with the difference.
    financing = project.grant_amount + committed["employer"] + committed["other"]
    assert financing != budget
    assert amounts(checks["budget"]) == [financing, budget, financing - budget]
    assert checks["budget"]["light"] == "red"

    client.force_login(User.objects.get(email="coordinator@demo.civbio.nl"))
    # Read as the page says it (each figure sits in a span the property test finds it by).
    page = re.sub(r"</?span[^>]*>", "", client.get(reverse("reports:finance")).text)
    assert "1/3 van de totale begroting uit de subsidiebeschikking € 2.239.248" in page
    assert "1/3 tot 2/3 van de totale begroting uit de subsidiebeschikking € 2.239.248" in page
    assert "minimaal: € 746.416 · maximaal: € 1.492.832" in page
    share = f"{committed['other'] * 100 / budget:.1f}".replace(".", ",")
    assert f"toegezegd: {share} % van de totale begroting" in page
    assert "De subsidie en de toegezegde cofinanciering tellen op tot de totale begroting" in page
    difference = f"{financing - budget:,.0f}".replace(",", ".")
    assert f"verschil: € {difference}" in page


def _applicant_contributions(project, carla):
    """The applicant school's approved hours and cash in the first quarter, and what it recorded
    that is not a figure at all (rejected, supervision, superseded)."""
    applicant = Organisation.objects.get(is_lead_applicant=True)
    teacher = UserFactory(organisation=applicant, role="school_staff")
    line = project.lines.get(number=1)
    day = project.start_date + timedelta(days=10)
    made = {}
    for name, kind, figure in (
        ("hours", ContributionKind.STAFF_HOURS, {"hours": Decimal(100)}),
        ("cash", ContributionKind.CASH, {"amount": Decimal(1000)}),
        ("rejected", ContributionKind.CASH, {"amount": Decimal(5000)}),
        ("corrected", ContributionKind.STAFF_HOURS, {"hours": Decimal(30)}),
    ):
        made[name] = Contribution.objects.create(
            organisation=applicant,
            programme_line=line,
            kind=kind,
            date=day,
            description="Eigen inzet",
            status=ContributionStatus.SUBMITTED,
            **figure,
        )
    for name in ("hours", "cash", "corrected"):
        ledger.approve_contribution(actor=carla, contribution=made[name])
    ledger.reject_contribution(actor=carla, contribution=made["rejected"], reason="Dubbel")
    ledger.correct_contribution(
        actor=carla, contribution=made["corrected"], fields={"hours": Decimal(20)}, reason="Tik"
    )
    Contribution.objects.create(
        organisation=applicant,
        programme_line=line,
        kind=ContributionKind.STAFF_HOURS,
        hours=Decimal(300),
        date=day,
        description="Begeleiding",
        is_supervision=True,
        status=ContributionStatus.APPROVED,
    )
    return applicant, teacher


def test_the_applicant_schools_contributions_show_as_recorded_and_not_counting(
    client, consortium, carla
):
    project = Project.objects.get()
    applicant, teacher = _applicant_contributions(project, carla)
    # By hand: 100 + 20 (the correction) hours at the project's €73, and €1,000 cash.
    recorded = 120 * project.hourly_rate + 1000
    reason = "De eigen bijdragen van de aanvragende school zijn volgens de RIF-regels geen "
    reason += "cofinanciering."

    overview = finance_overview(project)
    [row] = [p for p in overview["partners"] if p.organisation == applicant]
    assert (row.realised_total, row.recorded, row.recorded_hours) == (0, recorded, 120)
    assert row.not_counting_reason == reason
    # Nothing of it reaches the co-financing or its rules.
    assert amounts(by_key(overview)["pace"])[0] == 0

    client.force_login(carla)
    page = client.get(reverse("reports:finance")).text
    assert f"€ 9.760 vastgelegd (120,0 uur), telt niet als cofinanciering. {reason}" in page
    exported = client.get(reverse("reports:finance_export", args=["csv"])).content.decode()
    [cells] = [
        r for r in csv.reader(io.StringIO(exported.lstrip("\ufeff"))) if r[0] == applicant.name
    ]
    assert (Decimal(cells[-2]), cells[-1]) == (recorded, reason)
    dashboard = client.get(reverse("reports:dashboard_coordinator"), {"period": "all"}).text
    assert "telt niet als cofinanciering" in dashboard
    assert f"{applicant.name}: € 9.760." in dashboard
    client.force_login(teacher)
    mine = client.get(reverse("ledger:my_contributions")).text
    assert f"€ 9.760 vastgelegd (120,0 uur), telt niet als cofinanciering. {reason}" in mine

    # The funder report of the first quarter lists it apart, in print and in the workbook.
    contents = report_contents(project, period_of(project, ReportKind.QUARTERLY, 1))
    assert [(p.organisation, p.period_recorded) for p in contents["not_counting"]] == [
        (applicant, recorded)
    ]
    assert applicant not in [p.organisation for p in contents["partners"]]
    printed = render_to_string("reports/pdf/report.html", contents)
    assert "Vastgelegd in de periode, telt niet als cofinanciering" in printed
    assert f'{applicant.name}</td><td class="num">€ 9.760</td><td>{reason}' in printed
    assert "1/3 van de totale begroting uit de subsidiebeschikking € 2.239.248" in printed
    workbook = load_workbook(io.BytesIO(render_xlsx(contents)))
    rows = list(workbook["Telt niet"].iter_rows(values_only=True))
    assert rows[1][0] == applicant.name and rows[1][2] == float(recorded) and rows[1][3] == reason
    rules = list(workbook["Toetsing aan de regels"].iter_rows(values_only=True))
    assert rules[1][2:4] == ("1/3 van de totale begroting uit de subsidiebeschikking", 2239248)

    # A closed quarter keeps only counted co-financing: what the school recorded in it is still
    # read, once.
    closing.close_quarters(actor=carla, project=project, number=2)
    [row] = [p for p in finance_overview(project)["partners"] if p.organisation == applicant]
    assert (row.realised_total, row.recorded) == (0, recorded)


def test_the_admin_asks_for_the_total_budget_of_the_grant_decision(client, consortium, carla):
    client.force_login(carla)
    project = Project.objects.get()

    page = client.get(reverse("admin:programmes_project_change", args=[project.pk])).text

    assert 'name="total_budget"' in page
    assert "Totale begroting uit de subsidiebeschikking" in page
    assert "Elke RIF-grens wordt ervan genomen" in page


def test_a_partner_of_a_category_that_does_not_count_shows_what_it_recorded(consortium, carla):
    project = Project.objects.get()
    province = GovernmentFactory(name="Provincie Voorbeeld", cofinancing_category="not_counted")
    Contribution.objects.create(
        organisation=province,
        programme_line=project.lines.get(number=1),
        kind=ContributionKind.OTHER_IN_KIND,
        amount=Decimal("2500.50"),
        date=project.start_date + timedelta(days=40),
        description="Zaalhuur",
        status=ContributionStatus.APPROVED,
    )

    overview = finance_overview(project)

    [row] = [p for p in overview["partners"] if p.organisation == province]
    assert (row.realised_total, row.recorded, row.recorded_hours) == (0, Decimal("2500.50"), 0)
    assert row.not_counting_reason == (
        "Bijdragen van een financier zijn volgens de RIF-regels geen cofinanciering."
    )
    assert amounts(by_key(overview)["pace"])[0] == 0
