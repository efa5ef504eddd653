"""Closing a quarter stores its figures; pages and reports then read them instead of counting
them again, and show exactly what they showed before it closed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import Request, RequestStatus
from ledger.models import Contribution, ContributionStatus
from partners.models import User
from programmes.models import DerivedMeasure, Project
from programmes.periods import project_periods
from reports import closing, figures, kpis
from reports.contents import report_contents
from reports.models import ClosedQuarter, QuarterActivities, QuarterMeasure, QuarterPartner
from tests.browser import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_data, settings):
    settings.DEBUG = True
    return {
        "project": Project.objects.get(),
        "coordinator": User.objects.get(email="coordinator@demo.civbio.nl"),
        "funder": User.objects.get(email="financier@demo.civbio.nl"),
        "school": User.objects.get(email="docent@demo.civbio.nl"),
    }


def _ended(project) -> list:
    today = timezone.localdate()
    return [q for q in project.quarters() if q[2] < today]


def _figures(project) -> dict:
    """Everything the pages and reports show, for every period that has begun."""
    today = timezone.localdate()
    closed = figures.closed_quarters(project)
    shown: dict = {}
    for row in kpis.kpi_rows(project)["rows"]:
        shown["kpi", row.indicator.pk] = (
            row.per_quarter,
            row.members,
            row.this_period,
            row.cumulative,
            row.forecast,
            row.light,
        )
    for period in project_periods(project, today):
        upto = period.upto(today)
        overview = figures.finance_overview(project, today, period=period, closed=closed)
        shown["finance", period.key] = (
            [
                (
                    p.organisation.pk,
                    p.hours,
                    p.in_kind,
                    p.cash,
                    p.realised,
                    p.period_in_kind,
                    p.period_cash,
                    p.light,
                    p.period_light,
                    p.year_lights,
                )
                for p in overview["partners"]
            ],
            [(line["line"].pk, line["realised"]) for line in overview["lines"]],
            overview["checks"],
        )
        shown["happened", period.key] = figures.activities_happened(period, closed=closed)
        shown["engagement", period.key] = [
            (e.organisation.pk, e.last_seen, e.active_in_period)
            for e in figures.partner_engagement(period, upto, closed=closed)
        ]
        if period.kind == "quarter":
            contents = report_contents(project, period, today)
            shown["report", period.key] = (
                [
                    (r.indicator.pk, r.period_value, r.cumulative, r.forecast, r.light)
                    for s in contents["lines"]
                    for r in s.rows
                ],
                contents["activities"],
                [
                    (p.organisation.pk, p.period_in_kind, p.period_cash)
                    for p in contents["partners"]
                ],
                [o.pk for o in contents["active_partners"]],
                contents["cofinancing_total"],
            )
    return shown


def test_closing_stores_each_quarter_as_counted_live_and_every_figure_stays_the_same(demo):
    project, carla = demo["project"], demo["coordinator"]
    ended = _ended(project)
    before = _figures(project)

    stored = closing.close_quarters(actor=carla, project=project, number=ended[-2][0])

    project.refresh_from_db()
    assert [q.number for q in stored] == [q[0] for q in ended[:-1]]
    assert project.closed_until == ended[-2][2]
    # Each stored quarter holds what counting that quarter alone gives now.
    for number, first, last in ended[:-1]:
        live = kpis.count_measures(project, DerivedMeasure.values, since=first, until=last)
        kept = dict(
            QuarterMeasure.objects.filter(
                quarter__project=project, quarter__number=number
            ).values_list("measure", "value")
        )
        assert set(kept) == set(DerivedMeasure.values)
        assert {k: v for k, v in kept.items() if v} == {
            k: values[number] for k, values in live.per_quarter.items() if number in values
        }
        members = set(
            QuarterPartner.objects.filter(quarter__number=number, active=True).values_list(
                "organisation_id", flat=True
            )
        )
        assert members == set(live.members.get(number, ()))
    assert QuarterMeasure.objects.filter(value__gt=0).exists()
    assert QuarterActivities.objects.exists()
    # And every page and report shows exactly what it showed before.
    after = _figures(project)
    assert after.keys() == before.keys()
    assert [key for key in before if before[key] != after[key]] == []


def test_a_closed_quarter_is_read_as_stored_not_counted_again(client, demo):
    project, fien = demo["project"], demo["funder"]
    ended = _ended(project)
    number, first, last = ended[-2]
    closing.close_quarters(actor=demo["coordinator"], project=project, number=number)
    client.force_login(fien)
    url = reverse("reports:dashboard_funder") + f"?period=q{number}"
    shown = client.get(url).context
    assert shown["happened_total"] > 0

    # Rows in the closed quarter change behind the services' back (which refuse it): the
    # closed quarter does not change on the page, because it is not counted again.
    Request.objects.filter(date__range=(first, last)).update(status=RequestStatus.CANCELLED)
    Contribution.objects.filter(date__range=(first, last)).update(
        status=ContributionStatus.REJECTED
    )
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url).context

    assert again["happened_total"] == shown["happened_total"]
    assert again["finance_total"] == shown["finance_total"]
    assert [(r.indicator.pk, r.period_value) for b in again["kpi_blocks"] for r in b["rows"]] == [
        (r.indicator.pk, r.period_value) for b in shown["kpi_blocks"] for r in b["rows"]
    ]
    # The quarter's activities, co-financing and measures come from the stored tables; the
    # activity tables are read only for the open quarter's KPI measures.
    sql = [q["sql"] for q in queries.captured_queries]
    assert any("reports_quarteractivities" in s for s in sql)
    assert any("reports_quarterpartner" in s for s in sql)
    assert [s for s in sql if "activities_" in s and f"'{first.isoformat()}'::date" in s] == []
    # session, user, project, lines, closed quarters; indicators, targets, reported values,
    # stored measures, the open quarters' measures (requests, activities, placements, editions,
    # research outputs, rates, contributions); milestones (twelve, counted); the quarter's
    # stored activities; co-financing (partners, commitments, stored per partner, the open
    # quarters' contributions); the students and delivery up to the quarter (students enrolled,
    # the stored activities: their measures are the KPIs'); unread count.
    assert len(queries) == 26, "\n".join(sql)

    # Opened again, it is counted again: the change shows.
    closing.reopen_quarters(actor=demo["coordinator"], project=project, number=number)
    project.refresh_from_db()
    assert project.closed_until == ended[-3][2]
    assert not ClosedQuarter.objects.filter(number=number).exists()
    assert ClosedQuarter.objects.filter(number=number - 1).exists()
    assert client.get(url).context["happened_total"] < shown["happened_total"]


def test_only_coordinators_close_only_quarters_that_ended_and_each_once(demo):
    project, carla = demo["project"], demo["coordinator"]
    current = project.quarter_of(timezone.localdate())
    first = project.quarters()[0][0]

    with pytest.raises(PermissionDenied):
        closing.close_quarters(actor=demo["school"], project=project, number=first)
    with pytest.raises(PermissionDenied):
        closing.close_quarters(actor=demo["funder"], project=project, number=first)
    with pytest.raises(ValidationError):
        closing.close_quarters(actor=carla, project=project, number=current[0])
    with pytest.raises(ValidationError):
        closing.close_quarters(actor=carla, project=project, number=99)
    closing.close_quarters(actor=carla, project=project, number=first)
    with pytest.raises(ValidationError):
        closing.close_quarters(actor=carla, project=project, number=first)
    with pytest.raises(PermissionDenied):
        closing.reopen_quarters(actor=demo["school"], project=project, number=first)

    assert ClosedQuarter.objects.count() == 1
    assert [q[0] for q in closing.closable_quarters(project)] == [q[0] for q in _ended(project)[1:]]


def test_a_closed_quarter_takes_no_more_contributions(demo):
    from ledger import services as ledger

    project, carla = demo["project"], demo["coordinator"]
    number, first, _last = _ended(project)[0]
    closing.close_quarters(actor=carla, project=project, number=number)
    company = User.objects.get(email="bedrijf@demo.civbio.nl")

    with pytest.raises(ValidationError):
        ledger.log_contribution(
            actor=company,
            fields={
                "programme_line": project.lines.first(),
                "kind": "staff_hours",
                "hours": Decimal(3),
                "date": first + timedelta(days=3),
                "description": "Gastles",
            },
        )


def test_the_reports_page_closes_only_ended_quarters_and_only_for_coordinators(client, demo):
    project = demo["project"]
    url = reverse("reports:quarter_close")
    current = project.quarter_of(timezone.localdate())[0]
    client.force_login(demo["coordinator"])

    page = client.get(reverse("reports:report_list"))
    offered = [n for n, _label in page.context["close_form"].fields["quarter"].choices]
    assert offered == [q[0] for q in reversed(_ended(project))]
    refused = client.get(f"{url}?quarter={current}", follow=True)
    assert "Kies een kwartaal dat voorbij is" in refused.text
    confirm = client.get(f"{url}?quarter=3")
    assert confirm.status_code == 200 and not ClosedQuarter.objects.exists()
    done = submit(client, url, page=confirm, button="Ja, sluiten", follow=True)

    assert "De kwartalen tot en met kwartaal 3 zijn gesloten" in done.text
    assert list(ClosedQuarter.objects.values_list("number", flat=True)) == [1, 2, 3]
    # A funder, even with the page's token, is refused (tests/test_authz_matrix.py has every role).
    client.force_login(demo["funder"])
    refused = client.post_with_cookie_token(url, {"quarter": "4", "confirm": "yes"})
    assert refused.status_code == 403
    assert ClosedQuarter.objects.count() == 3


def test_a_corrected_contribution_counts_once_in_the_co_financing_measure(demo):
    from ledger import services as ledger

    project, carla = demo["project"], demo["coordinator"]
    company = User.objects.get(email="bedrijf@demo.civbio.nl")
    quarter = project.quarter_of(timezone.localdate())[0]
    before = kpis.measure(project, DerivedMeasure.COFINANCING).get(quarter, Decimal(0))
    logged = ledger.log_contribution(
        actor=company,
        fields={
            "programme_line": project.lines.first(),
            "kind": "cash",
            "amount": Decimal(1000),
            "date": timezone.localdate(),
            "description": "Materiaal",
        },
    )
    ledger.approve_contribution(actor=carla, contribution=logged)
    assert kpis.measure(project, DerivedMeasure.COFINANCING)[quarter] == before + 1000

    ledger.correct_contribution(
        actor=carla, contribution=logged, fields={"amount": Decimal(400)}, reason="Typfout"
    )

    # The correction replaces the original: 400 counted, not 1,400; as on the finance page.
    assert kpis.measure(project, DerivedMeasure.COFINANCING)[quarter] == before + 400
    row = next(
        p
        for p in figures.finance_overview(project)["partners"]
        if p.organisation == company.organisation
    )
    assert row.cash == sum(
        figures.counting_contributions()
        .filter(organisation=company.organisation, kind="cash")
        .values_list("amount", flat=True)
    )
