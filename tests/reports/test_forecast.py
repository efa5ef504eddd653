"""The KPI forecast is a straight line over the time elapsed: what was realised so far divided by
the share of the project's days that have passed. A quarter with nothing in it does not make the
line jump, and every place that shows a forecast says how it is made."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from programmes.models import Indicator, IndicatorValue, Project, ReportStatus
from reports.contents import report_contents
from reports.kpis import FORECAST_METHOD, kpi_rows
from reports.models import ReportKind
from reports.renderers import sections
from reports.services import period_of

pytestmark = pytest.mark.django_db

METHOD = (
    "Prognose: een rechte lijn over de verstreken tijd, het cumulatieve cijfer gedeeld door het "
    "deel van de projectdagen dat voorbij is. Een aantal partners wordt niet doorgetrokken."
)


@pytest.fixture
def inflow(consortium):
    """A reported figure with 30 in the first and second quarters, and nothing in the third."""
    project = Project.objects.get()
    indicator = Indicator.objects.create(
        project=project,
        programme_line=project.lines.get(number=3),
        name="Instroom met een gat",
        unit="leerlingen",
        source="reported",
        target_2y=100,
        target_4y=200,
    )
    quarters = project.quarters()
    for number in (1, 2):
        approved(indicator, quarters[number - 1][1])
    return indicator


def approved(indicator, day):
    return IndicatorValue.objects.create(
        indicator=indicator, period_start=day, value=Decimal(30), status=ReportStatus.APPROVED
    )


def forecast_on(indicator, day):
    [row] = [r for r in kpi_rows(indicator.project, today=day)["rows"] if r.indicator == indicator]
    return row


def by_hand(project, cumulative, day) -> Decimal:
    """The straight line, worked out from the dates alone."""
    passed = Decimal((day - project.start_date).days + 1)
    days = Decimal((project.end_date - project.start_date).days + 1)
    return (cumulative * days / passed).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def test_an_empty_quarter_does_not_make_the_forecast_jump(inflow):
    project = inflow.project
    third_ends = project.quarters()[2][2]

    # At the end of the empty third quarter: 60 in three quarters' time.
    row = forecast_on(inflow, third_ends)
    assert row.cumulative == 60
    assert row.forecast == by_hand(project, 60, third_ends) == 321
    # A day later, the fourth quarter begun and nothing new, the forecast hardly moves (counted
    # over the quarters with figures, it went from 480 to 320 overnight).
    assert abs(forecast_on(inflow, third_ends + timedelta(days=1)).forecast - row.forecast) <= 1
    # The fourth quarter brings 30; a quarter later, the line goes through all 90.
    approved(inflow, project.quarters()[3][1])
    later = project.quarters()[4][2]
    assert forecast_on(inflow, later).forecast == by_hand(project, 90, later)
    # At the end, the forecast is what was realised.
    assert forecast_on(inflow, project.end_date).forecast == 90


def test_every_place_with_a_forecast_says_how_it_is_made(client, inflow, carla):
    assert str(FORECAST_METHOD) == METHOD
    client.force_login(carla)
    assert METHOD in client.get(reverse("reports:kpis_line", args=[3])).text
    assert METHOD in client.get(reverse("reports:dashboard_coordinator")).text

    project = inflow.project
    contents = report_contents(project, period_of(project, ReportKind.QUARTERLY, 3))
    assert METHOD in render_to_string("reports/pdf/report.html", contents)
    [summary] = [rows for name, _header, rows in sections(contents) if name == "Samenvatting"]
    assert ["Prognose", METHOD] in summary
    # The same summary says how counts of students were rounded for funders.
    assert [
        "Studenten",
        "Een aantal studenten: minder dan 5 wordt niet getoond (“< 5”), een groter aantal wordt "
        "afgerond op het dichtstbijzijnde veelvoud van 5, elk cijfer op zichzelf.",
    ] in summary

    # The KPI export names the method in its forecast column.
    exported = client.get(reverse("reports:kpi_export", args=["csv"])).text
    assert "Prognose (een rechte lijn over de verstreken tijd)" in exported.splitlines()[0]
