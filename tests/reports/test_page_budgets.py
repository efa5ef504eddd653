"""The figures pages' query budgets with closed quarters, at the demo's volume and at ten times
it: the same number of queries, each named. (tests/reports/test_dashboards.py has the dashboards
with no quarter closed.)"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from demo.services import DEMO_LOGINS
from partners.models import Role, User
from programmes.models import Project
from reports import closing
from tests.volume import grow

pytestmark = pytest.mark.django_db

# Every page: session, user, and the header's unread count; the figures pages read the project.
PAGES = {
    # (page, role): what the page reads beyond the session, user, project and unread count.
    # The closed quarters; indicators, targets, reported values, the stored measures, the open
    # quarters' measures (requests, activities, placements, editions, research outputs, the
    # partners' own rates, contributions); invitations, contributions waiting, KPI values
    # waiting, narratives, partners without people (counted, the first twelve), 3 activity
    # counts, co-financing (partners, commitments, stored per partner, open quarters'
    # contributions), partner engagement (and the stored signs for the closed part of the
    # period), milestones; lines.
    ("reports:dashboard_coordinator", Role.COORDINATOR, ""): 32,
    # For a closed quarter: its activities (one stored query instead of three) and its
    # partners' signs of life (one stored query more); the project-to-date figures as above.
    ("reports:dashboard_coordinator", Role.COORDINATOR, "?period=q{closed}"): 31,
    # The whole project: the stored part and the open part of activities and engagement both.
    ("reports:dashboard_coordinator", Role.COORDINATOR, "?period=all"): 34,
    # As the coordinator's closed quarters, KPIs, activity counts and co-financing, plus the
    # milestones (twelve, counted) and the students and delivery up to the period's quarter as
    # the KPIs count them: students enrolled (their measures read once with the KPIs'), the
    # delivered activities (stored, and one for the open quarters' requests).
    ("reports:dashboard_funder", Role.FUNDER, ""): 29,
    # Up to a closed quarter, the delivered activities are all stored: one query, not two.
    ("reports:dashboard_funder", Role.FUNDER, "?period=q{closed}"): 26,
    # Offers with counts, requests and nominations waiting, upcoming, placements, our
    # co-financing (closed quarters, us, our commitments, our stored and open contributions),
    # our contributions waiting, partner contacts (2); lines.
    ("reports:dashboard_industry", Role.INDUSTRY_STAFF, ""): 18,
    # Lines, indicators, targets, reported values, stored measures, the line's open measures
    # (requests, activities, placements, editions, rates, contributions), the narrative, the
    # figures to approve.
    ("reports:kpis", Role.COORDINATOR, ""): 17,
    # A school: the same, without the figures to approve.
    ("reports:kpis", Role.SCHOOL_STAFF, ""): 16,
    # The closed quarters, partners, commitments, stored per partner, stored per line, the open
    # quarters' contributions, budget, lines.
    ("reports:finance", Role.COORDINATOR, ""): 12,
    # Reports, the closed quarters (what can close), the project.
    ("reports:report_list", Role.COORDINATOR, ""): 6,
}


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_the_figures_pages_keep_their_query_budget_with_closed_quarters_at_ten_times(
    client, demo_data
):
    project = Project.objects.get()
    people = {p.role: User.objects.get(email=p.email) for p in DEMO_LOGINS}
    ended = [q for q in project.quarters() if q[2] < timezone.localdate()]
    closing.close_quarters(actor=people[Role.COORDINATOR], project=project, number=ended[-2][0])
    closed = ended[-2][0]

    def counts():
        found = {}
        for (name, role, query), _budget in PAGES.items():
            client.force_login(people[role])
            url = reverse(name) + query.format(closed=closed)
            client.get(url)  # the first visit of a session reads more (the language)
            found[(name, role, query)] = _count(client, url)
        return found

    before = counts()
    grow(10)
    after = counts()

    assert after == before
    assert before == PAGES
