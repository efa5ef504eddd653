"""The review page holds a page of what waits and of what was approved, however much the
partners log; approving on a later page comes back to that page."""

import re

import pytest
from django.urls import reverse

from ledger import selectors
from ledger import services as ledger
from ledger.models import Contribution, ContributionStatus
from programmes.models import Project
from tests.browser import submit
from tests.ledger.test_ledger import hours

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(consortium):
    return Project.objects.get().lines.get(number=1)


def waiting_rows(html: str) -> list[str]:
    return re.findall(r'<li id="contribution-(\d+)"', html)


def test_the_review_page_shows_a_page_of_each_list_in_constant_queries(
    client,
    bram,
    carla,
    line,
    django_assert_num_queries,
):
    extra = selectors.REVIEW_PAGE_SIZE + 3
    for n in range(extra):
        hours(bram, line, 1 + n % 5)
    for item in [hours(bram, line, 2) for _ in range(extra)]:
        ledger.approve_contribution(actor=carla, contribution=item)
    client.force_login(carla)
    url = reverse("ledger:contribution_review")

    # session, user, waiting counted, a page of them (with partner, line, submitter), approved
    # counted, a page of them (with partner and line), unread notifications
    with django_assert_num_queries(7):
        response = client.get(url)

    html = response.text
    assert len(waiting_rows(html)) == selectors.REVIEW_PAGE_SIZE
    approved = re.search(r'<section[^>]*id="approved-section".*?</section>', html, re.S).group(0)
    assert approved.count("<tr>") == selectors.REVIEW_PAGE_SIZE + 1  # and the heading row
    assert f"({extra})" in html
    later = client.get(url + "?waiting=2").text
    assert len(waiting_rows(later)) == 3
    assert not set(waiting_rows(later)) & set(waiting_rows(html))


def test_approving_on_a_later_page_comes_back_to_it(client, bram, carla, line):
    for n in range(selectors.REVIEW_PAGE_SIZE + 3):
        hours(bram, line, 1 + n % 5)
    client.force_login(carla)
    url = reverse("ledger:contribution_review") + "?waiting=2"
    page = client.get(url)
    pk = waiting_rows(page.text)[0]

    response = submit(
        client, url, page=page, action=reverse("ledger:contribution_decide", args=[pk, "approve"])
    )

    assert response.status_code == 302 and response["Location"] == url
    assert Contribution.objects.get(pk=pk).status == ContributionStatus.APPROVED
