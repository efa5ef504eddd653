"""The funder report as printed: every partner on a chart that fits its page, only the partners of
the period, and every figure as it stood at the period's end (not "today" in one place and "end
of quarter" in another)."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from openpyxl import load_workbook
from pypdf import PdfReader
from weasyprint import HTML

from ledger.models import Contribution, ContributionKind, ContributionStatus
from partners.models import Organisation
from programmes.models import Commitment, Project
from reports import services
from reports.contents import CHART_PARTNERS, report_contents
from reports.figures import COUNTING_CATEGORIES
from reports.models import Report, ReportKind
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(consortium, carla):
    """The consortium with a pledge from every partner for every project year, and the quarter
    before the last finished one as the report's period (so a later quarter has passed too)."""
    project = Project.objects.get()
    counting = list(
        Organisation.objects.partners().filter(cofinancing_category__in=COUNTING_CATEGORIES)
    )
    Commitment.objects.bulk_create(
        Commitment(project=project, organisation=o, year=year, hours=Decimal(40 + n))
        for n, o in enumerate(counting)
        for year in range(1, 5)
    )
    finished = [q for q in project.quarters() if q[2] < timezone.localdate()]
    number, start, end = finished[-2]
    return {
        "project": project,
        "coordinator": carla,
        "counting": counting,
        "number": number,
        "start": start,
        "end": end,
        "next_quarter": finished[-1],
    }


def _period(world):
    return services.period_of(world["project"], ReportKind.QUARTERLY, world["number"])


def _made(world, capture) -> Report:
    with capture(execute=True):
        report, _ = services.request_report(
            actor=world["coordinator"], kind=ReportKind.QUARTERLY, number=world["number"]
        )
    report.refresh_from_db()
    return report


def _pdf_text(report: Report) -> str:
    with report.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_every_partner_is_on_a_co_financing_chart_that_fits_its_page(world):
    contents = report_contents(world["project"], _period(world))

    charted = [row[0] for chart in contents["finance_charts"] for row in chart.rows]
    assert sorted(charted) == sorted(o.name for o in world["counting"])
    assert all(len(chart.rows) <= CHART_PARTNERS for chart in contents["finance_charts"])
    # Laid out as the PDF is: no drawing runs past the bottom of its page (a chart taller than
    # a page is cut off there, and the partners at its end are lost).
    html = render_to_string("reports/pdf/report.html", {**contents, "report": Report()})
    document = HTML(string=html).render()
    drawings = 0
    for page in document.pages:
        box = page._page_box
        bottom = box.content_box_y() + box.height
        for child in box.descendants():
            if str(getattr(child, "element_tag", "")).endswith("svg"):
                drawings += 1
                assert child.position_y + child.margin_height() <= bottom + 1
    assert drawings >= len(contents["finance_charts"]) >= 2


def test_a_partner_that_joined_after_the_quarter_is_not_in_its_report(
    world, django_capture_on_commit_callbacks
):
    newcomer = CompanyFactory(
        name="Nieuwkomer Biotech",
        cofinancing_category="employer",
        active_since=world["end"] + timedelta(days=20),
    )
    Commitment.objects.create(
        project=world["project"], organisation=newcomer, year=4, hours=Decimal(100)
    )
    Commitment.objects.create(
        project=world["project"], organisation=newcomer, year=3, hours=Decimal(100)
    )

    report = _made(world, django_capture_on_commit_callbacks)

    text = _pdf_text(report)
    assert "Nieuwkomer" not in text
    for organisation in world["counting"]:
        assert organisation.name in text
    with report.xlsx.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    cells = [str(c.value) for sheet in workbook for row in sheet.iter_rows() for c in row]
    assert not any("Nieuwkomer" in cell for cell in cells)


def test_the_report_counts_co_financing_up_to_the_end_of_its_period(
    world, django_capture_on_commit_callbacks
):
    baseclear = Organisation.objects.get(slug="baseclear")
    in_period = world["start"] + timedelta(days=10)
    later = world["next_quarter"][1] + timedelta(days=5)
    for day, amount in ((in_period, "1000"), (later, "5000")):
        Contribution.objects.create(
            organisation=baseclear,
            programme_line=world["project"].lines.get(number=1),
            kind=ContributionKind.CASH,
            amount=Decimal(amount),
            date=day,
            description="Bijdrage",
            status=ContributionStatus.APPROVED,
        )

    contents = report_contents(world["project"], _period(world))

    assert contents["upto"] == world["end"]
    employers = contents["checks"][1]["figures"]
    pace = contents["checks"][3]["figures"]
    # The rules are judged on the realisation to the period's end, as the period's own tables.
    assert list(employers.values())[1] == Decimal("1000")
    assert next(iter(pace.values())) == Decimal("1000")
    assert contents["cofinancing_total"]["cash"] == Decimal("1000")
    # The PDF says which day its figures stand on, on the cover and at the rule checks.
    text = _pdf_text(_made(world, django_capture_on_commit_callbacks))
    day = date_format(world["end"], "j F Y")
    assert "Cijfers per" in text and f"tot en met {day}" in text


def test_the_report_names_its_lines_in_the_report_language(
    world, django_capture_on_commit_callbacks
):
    report = _made(world, django_capture_on_commit_callbacks)

    text = _pdf_text(report)
    assert "1. Flexibel en hybride onderwijs" in text
    assert "Flexible and hybrid" not in text
