"""A partner's "our contributions" page lists what it logged fifty at a time, newest first, in
the same number of queries however much it logged; what waits for a confirmation stays on top."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ledger.views import LOGGED_PAGE_SIZE
from programmes.models import Project
from tests.ledger.test_ledger import hours

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(consortium):
    return Project.objects.get().lines.get(number=1)


def logged_days(html: str) -> list[str]:
    section = re.search(r'<section[^>]*id="logged-section".*?</section>', html, re.S).group(0)
    return re.findall(r"<tr>\s*<td>([^<]+)</td>", section)


def test_our_contributions_come_fifty_a_page_in_constant_queries(client, bram, line):
    start = date.today() - timedelta(days=LOGGED_PAGE_SIZE + 10)
    for n in range(LOGGED_PAGE_SIZE + 3):
        hours(bram, line, 1, day=start + timedelta(days=n))
    client.force_login(bram)
    url = reverse("ledger:my_contributions")

    first = client.get(url).text
    second = client.get(url + "?page=2").text

    assert len(logged_days(first)) == LOGGED_PAGE_SIZE
    assert len(logged_days(second)) == 3
    assert f"({LOGGED_PAGE_SIZE + 3})" in first
    assert 'rel="next"' in first and 'rel="prev"' in second
    # Newest first: the second page holds the three oldest.
    assert not set(logged_days(first)) & set(logged_days(second))
    before = _queries(client, url)
    for _ in range(LOGGED_PAGE_SIZE):
        hours(bram, line, 1, day=start)
    assert _queries(client, url) == before


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_our_figures_are_our_row_of_the_finance_page_counted_for_us_alone(
    client, bram, carla, line
):
    from ledger import services as ledger
    from reports.figures import finance_overview
    from tests.factories import CompanyFactory

    project = Project.objects.get()
    logged = hours(bram, line, 12, day=date.today() - timedelta(days=3))
    ledger.approve_contribution(actor=carla, contribution=logged)
    [row] = [
        p for p in finance_overview(project)["partners"] if p.organisation == bram.organisation
    ]
    client.force_login(bram)
    url = reverse("ledger:my_contributions")
    page = client.get(url)
    assert page.context["mine"].realised_total == row.realised_total > 0
    assert page.context["mine"].realised == row.realised  # per project year
    assert page.context["mine"].committed_total == row.committed_total

    # Other partners' rows are not worked out for this page: as many queries with ten more.
    before = _queries(client, url)
    for n in range(10):
        CompanyFactory(name=f"Partner {n}")
    assert _queries(client, url) == before
