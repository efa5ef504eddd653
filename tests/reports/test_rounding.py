"""Issue 23, items 2 and 3: every page, chart and the PDF round a figure the same way (half up,
once, at the end: civbio/rounding.py); the files are tests/reports/test_rounding_files.py."""

import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ledger.models import Contribution, ContributionKind, ContributionStatus
from partners.models import Organisation
from programmes import services as programme_services
from programmes.models import Indicator, Project
from reports import charts, contents, services
from reports.kpis import KpiRow
from reports.models import Report, ReportKind
from tests.conftest import days

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def project(consortium):
    """A project in its first year, in its second quarter: this year's target is half the
    two-year one."""
    project = Project.objects.get()
    project.start_date = days(-100)
    project.end_date = days(1360)
    project.save()
    return project


def _reported(project, carla, dirk, name, value, target_2y):
    indicator = Indicator.objects.create(
        project=project,
        programme_line=project.lines.get(number=1),
        name=name,
        unit="bezoeken",
        source="reported",
        counts_students=False,
        target_2y=target_2y,
        target_4y=target_2y * 2,
    )
    item = programme_services.submit_indicator_value(
        actor=dirk, indicator=indicator, period_start=project.quarters()[0][1], value=value
    )
    programme_services.decide_indicator_value(actor=carla, item=item, approve=True)
    return indicator


def _cells(html: str, title: str) -> list[str]:
    """The number cells of the table row that starts with `title`."""
    row = re.search(re.escape(title) + r' <span class="muted">.*?</tr>', html, re.DOTALL)
    assert row, f"no row for {title}"
    return re.findall(r'<td class="num"[^>]*>(.*?)</td>', row.group(0))


def _current_period(project):
    number = project.quarter_of(timezone.localdate())[0]
    return services.period_of(project, ReportKind.QUARTERLY, number)


def _pdf_html(project):
    made = contents.report_contents(project, _current_period(project))
    return render_to_string("reports/pdf/report.html", {**made, "report": Report()})


# Item 2: rounding, not cutting off -------------------------------------------------------------


def test_a_quarterly_figure_and_a_target_round_half_up_on_the_dashboards_kpi_page_and_pdf(
    client, project, carla, dirk, fien
):
    """46.7 read 46 on the dashboard and in the PDF and 47 on the KPI page; 700.5 read 700 and
    701; a target of 6.5 read 6 and 7."""
    _reported(project, carla, dirk, "Bedrijfsbezoeken", D("46.7"), D(13))
    _reported(project, carla, dirk, "Gastlessen gegeven", D("700.5"), D(13))

    client.force_login(carla)
    coordinator = client.get(reverse("reports:dashboard_coordinator")).text
    kpi_page = client.get(reverse("reports:kpis_line", args=[1])).text
    client.force_login(fien)
    funder = client.get(reverse("reports:dashboard_funder")).text
    pdf = _pdf_html(project)

    # Target this year, this period, cumulative: the dashboards, the PDF and the KPI page agree.
    for page in (coordinator, funder, pdf, kpi_page):
        visits = _cells(page, "Bedrijfsbezoeken")
        lessons = _cells(page, "Gastlessen gegeven")
        assert visits[0] == lessons[0] == "7"
        assert visits[2] == "47"
        assert lessons[2] == "701"


def test_money_reads_the_same_in_the_pdfs_summary_and_its_kpi_table(client, project, carla):
    """One PDF said € 65,346 in its summary and € 65,345 in its KPI table; € 72,039.80 read
    72,039 where a KPI shows money."""
    Indicator.objects.create(
        project=project,
        programme_line=project.lines.get(number=1),
        name="Cofinanciering gerealiseerd",
        unit="euro",
        source="derived",
        measure="cofinancing",
        target_2y=D(200000),
        target_4y=D(400000),
    )
    Contribution.objects.create(
        organisation=Organisation.objects.get(slug="baseclear"),
        programme_line=project.lines.get(number=1),
        kind=ContributionKind.CASH,
        amount=D("72039.80"),
        date=timezone.localdate(),
        description="Bijdrage",
        status=ContributionStatus.APPROVED,
    )

    pdf = _pdf_html(project)
    client.force_login(carla)
    dashboard = client.get(reverse("reports:dashboard_coordinator")).text

    assert "€ 72.040 in geld" in pdf
    assert _cells(pdf, "Cofinanciering gerealiseerd")[1:3] == ["72.040", "72.040"]
    assert _cells(dashboard, "Cofinanciering gerealiseerd")[1:3] == ["72.040", "72.040"]
    assert "72.039" not in pdf and "72.039" not in dashboard


# Item 3: percentages half up, the charts' data tables too --------------------------------------


@pytest.mark.parametrize(("cumulative", "target", "percent"), [(1, 40, 3), (201, 200, 101)])
def test_a_share_of_the_target_rounds_half_up(cumulative, target, percent):
    """2.5 % read 2 %, 100.5 % read 100 %."""
    row = KpiRow(
        indicator=Indicator(source="reported"),
        per_quarter={1: D(cumulative)},
        target=D(target),
        cumulative=D(cumulative),
        final_target=D(target),
    )
    assert row.percent_of_target == percent
    assert row.trend(1) == [percent]


def test_a_charts_data_table_rounds_half_up():
    chart = charts.bar_chart(
        "Aandeel",
        "Per indicator",
        ["a", "b", "c", "d"],
        [("Percentage", [D("2.5"), D("100.5"), D("46.7"), D("72039.80")])],
        value_suffix="%",
    )
    assert [row[1] for row in chart.rows] == ["3%", "101%", "47%", "72.040%"]
