"""Issue 23, item 8: the report's workbook and CSV files and the finance export hold amounts
as numbers in cents (the workbook with a euro number format) and hours to one decimal, never
text (civbio/rounding.py)."""

import csv
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from ledger.models import Contribution, ContributionKind, ContributionStatus
from partners.models import Organisation
from programmes.models import Commitment, Project
from reports import contents, renderers, services
from reports.models import ReportKind
from tests.conftest import days

pytestmark = pytest.mark.django_db

D = Decimal
EURO = '"€" #,##0.00'


@pytest.fixture
def project(consortium):
    project = Project.objects.get()
    project.start_date = days(-100)
    project.end_date = days(1360)
    project.save()
    return project


def _current_period(project):
    number = project.quarter_of(timezone.localdate())[0]
    return services.period_of(project, ReportKind.QUARTERLY, number)


@pytest.fixture
def pledged(project):
    """Pledges in hours, which make a quarter's share a long fraction of a euro, and an
    approved quarter-hour."""
    baseclear = Organisation.objects.get(slug="baseclear")
    Commitment.objects.create(project=project, organisation=baseclear, year=1, hours=D("1001.7"))
    Contribution.objects.create(
        organisation=baseclear,
        programme_line=project.lines.get(number=1),
        kind=ContributionKind.STAFF_HOURS,
        hours=D("7.5"),
        date=timezone.localdate(),
        description="Begeleiding practicum",
        status=ContributionStatus.APPROVED,
    )
    Contribution.objects.create(
        organisation=baseclear,
        programme_line=project.lines.get(number=1),
        kind=ContributionKind.CASH,
        amount=D("1250.55"),
        date=timezone.localdate(),
        description="Bijdrage",
        status=ContributionStatus.APPROVED,
    )
    return baseclear


def _is_cents(value) -> bool:
    return isinstance(value, int | float) and round(value * 100, 6) == round(value * 100)


def test_the_reports_workbook_holds_amounts_in_cents_with_a_euro_format(project, pledged):
    made = contents.report_contents(project, _current_period(project))
    with translation.override("en"):
        workbook = load_workbook(io.BytesIO(renderers.render_xlsx(made)))

    sheet = workbook["Co-financing"]
    [row] = [r for r in sheet.iter_rows(min_row=2) if r[0].value == pledged.name]
    for cell in row[2:5]:  # committed for the period, cash, in kind
        assert _is_cents(cell.value), cell.value
        assert cell.number_format == EURO
    assert row[3].value == 1250.55
    summary = {r[0].value: r[1] for r in workbook["Summary"].iter_rows(min_row=2)}
    for label in (
        "Co-financing committed for the period",
        "Co-financing realised: cash",
        "Co-financing realised: in kind",
    ):
        assert _is_cents(summary[label].value) and summary[label].number_format == EURO
    hours = list(workbook["Hours register"].iter_rows(min_row=2))
    assert [(r[3].value, r[3].number_format) for r in hours] == [(7.5, "#,##0.0")]
    # The rule checks' amounts are numbers too, one per row, not text.
    checks = list(workbook["Rule checks"].iter_rows(min_row=2))
    assert checks
    for r in checks:
        assert _is_cents(r[3].value) and r[3].number_format == EURO


def test_the_reports_csv_files_write_amounts_with_two_decimals(project, pledged):
    made = contents.report_contents(project, _current_period(project))
    with translation.override("en"):
        bundle = zipfile.ZipFile(io.BytesIO(renderers.render_csv_zip(made)))

    def read(part: str) -> list[list[str]]:
        [name] = [n for n in bundle.namelist() if part in n]
        return list(csv.reader(io.StringIO(bundle.read(name).decode("utf-8-sig"))))

    [row] = [r for r in read("co-financing") if r[0] == pledged.name]
    for field in row[2:5]:
        assert re.fullmatch(r"-?\d+\.\d\d", field), field
    assert row[3] == "1250.55"
    # The period's share of a year's pledge was written as 100400.9863013699.
    summary = dict(r for r in read("summary") if len(r) == 2)
    assert re.fullmatch(r"\d+\.\d\d", summary["Co-financing committed for the period"])
    assert summary["Co-financing realised: cash"] == "1250.55"
    [hours] = read("hours-register")[1:]
    assert hours[3] == "7.5"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_finance_export_gives_expected_by_now_in_cents_like_the_other_columns(
    client, project, carla, pledged, fmt
):
    """The column "expected by now" was whole euros while the other columns kept cents."""
    client.force_login(carla)
    response = client.get(reverse("reports:finance_export", args=[fmt]))

    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        [row] = [r for r in rows if r[0] == pledged.name]
        for field in row[2:6]:
            assert re.fullmatch(r"-?\d+\.\d\d", field), field
        assert row[6] == "7.5"
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        [row] = [r for r in sheet.iter_rows(min_row=2) if r[0].value == pledged.name]
        for cell in row[2:6]:
            assert _is_cents(cell.value) and cell.number_format == EURO, cell.value
        assert (row[6].value, row[6].number_format) == (7.5, "#,##0.0")
