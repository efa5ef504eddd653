"""A funder report's PDF stays the size a reader goes through, whatever the number of partners:
its co-financing table lists the largest pledges once there are too many to print, and says
that the workbook holds every partner, which it does."""

import io
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import load_workbook

from partners.models import Organisation
from programmes.models import Commitment, Project
from reports import contents, renderers, services
from reports.figures import COUNTING_CATEGORIES
from reports.models import Report, ReportKind

pytestmark = pytest.mark.django_db


def test_the_printed_table_lists_the_largest_pledges_and_the_workbook_every_partner(
    consortium, monkeypatch
):
    project = Project.objects.get()
    counting = list(
        Organisation.objects.partners()
        .filter(cofinancing_category__in=COUNTING_CATEGORIES)
        .order_by("name")
    )
    Commitment.objects.bulk_create(
        Commitment(project=project, organisation=o, year=year, hours=Decimal(10 + n))
        for n, o in enumerate(counting)
        for year in range(1, 5)
    )
    number = [q for q in project.quarters() if q[2] < timezone.localdate()][-1][0]
    period = services.period_of(project, ReportKind.QUARTERLY, number)
    monkeypatch.setattr(contents, "PRINTED_PARTNERS", 5)

    made = contents.report_contents(project, period)
    html = render_to_string("reports/pdf/report.html", {**made, "report": Report()})
    workbook = load_workbook(io.BytesIO(renderers.render_xlsx(made)))

    # The largest pledges are the last partners by name, largest first.
    largest = [o.name for o in reversed(counting[-5:])]
    assert [p.organisation.name for p in made["printed_partners"]] == largest
    table = html.split("<h2>Cofinanciering</h2>", 1)[1].split("</table>", 1)[0]
    assert all(name in table for name in largest)
    assert counting[0].name not in table
    assert (
        f"De 5 partners met de grootste toezeggingen voor de periode, van {len(counting)}" in html
    )
    sheet = workbook["Cofinanciering"]
    assert sorted(row[0].value for row in sheet.iter_rows(min_row=2)) == sorted(
        o.name for o in counting
    )
    # The total row is over every partner, printed or not.
    assert made["cofinancing_total"]["committed"] == sum(
        p.period_committed for p in made["partners"]
    )


def test_a_real_consortium_prints_every_partner(consortium):
    project = Project.objects.get()
    number = [q for q in project.quarters() if q[2] < timezone.localdate()][-1][0]
    period = services.period_of(project, ReportKind.QUARTERLY, number)

    made = contents.report_contents(project, period)

    assert made["printed_partners"] == made["partners"]
    assert len(made["partners"]) <= contents.PRINTED_PARTNERS
