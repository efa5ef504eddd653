import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from activities import services as activity_services
from activities.models import Request
from ledger.models import Contribution, ContributionKind, ContributionStatus
from programmes import services
from programmes.models import (
    Indicator,
    IndicatorValue,
    Milestone,
    Narrative,
    ProgrammeLine,
    Project,
)
from reports.kpis import kpi_rows, measure
from tests.browser import submit
from tests.conftest import days

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(consortium):
    project = Project.objects.get()
    # A project running now, so "this quarter" is today's.
    project.start_date = days(-400)
    project.end_date = days(1060)
    project.save()
    return project


def indicator(project, measure="", *, line=1, name=None, source="derived", **targets):
    return Indicator(
        project=project,
        programme_line=project.lines.get(number=line),
        name=name or measure,
        unit="x",
        source=source,
        measure=measure,
        target_2y=targets.get("target_2y", 10),
        target_4y=targets.get("target_4y", 20),
    )


def hours_of(organisation, day, status=ContributionStatus.APPROVED):
    return Contribution.objects.create(
        organisation=organisation,
        programme_line=ProgrammeLine.objects.get(number=1),
        kind=ContributionKind.STAFF_HOURS,
        hours=Decimal(4),
        date=day,
        description="Overleg",
        status=status,
    )


def test_the_funds_moments_appear_as_milestones_once(consortium):
    project = Project.objects.get()
    keys = set(Milestone.objects.values_list("system_key", flat=True))

    assert keys == {
        "report_13",
        "report_25",
        "report_37",
        "midterm",
        "milestone_2y",
        "milestone_4y",
        "final_report",
    }
    assert services.ensure_fund_milestones(project) == 0
    final = Milestone.objects.get(system_key="final_report")
    assert (
        final.due_date == project.end_date.replace(year=2027, month=2, day=28)
        or final.due_date.month == 2
    )


def test_derived_guest_lessons_match_a_hand_count(project, guest_lesson, bram, dirk):
    for offset, group in ((7, "A"), (8, "B"), (9, "C")):
        request = activity_services.request_activity(
            actor=dirk, activity=guest_lesson, date=days(offset), group_name=group, student_count=10
        )
        activity_services.answer_request(actor=bram, request=request, decision="accept")
    # Two were given this quarter, one is still to come.
    Request.objects.filter(group_name__in=["A", "B"]).update(
        date=days(0), status="delivered", students_reached=9
    )

    counted = measure(project, "guest_lessons")
    reached = measure(project, "students_reached")

    this_quarter = project.quarter_of(days(0))[0]
    assert counted == {this_quarter: 2}
    assert reached == {this_quarter: 18}


def test_a_reported_figure_goes_through_approval_and_closed_quarters_take_none(
    project, carla, dirk, bram
):
    line = project.lines.get(number=3)
    inflow = indicator(
        project, line=3, name="Instroom", source="reported", target_2y=100, target_4y=200
    )
    inflow.save()
    first, second = project.quarters()[0][1], project.quarters()[1][1]

    item = services.submit_indicator_value(
        actor=dirk, indicator=inflow, period_start=first, value=Decimal(40)
    )
    with pytest.raises(ValidationError):
        services.submit_indicator_value(
            actor=dirk, indicator=inflow, period_start=first, value=Decimal(41)
        )
    with pytest.raises(PermissionDenied):
        services.submit_indicator_value(
            actor=bram, indicator=inflow, period_start=second, value=Decimal(1)
        )
    with pytest.raises(PermissionDenied):
        services.decide_indicator_value(actor=dirk, item=item, approve=True)
    services.decide_indicator_value(actor=carla, item=item, approve=True)
    assert kpi_rows(project, line.pk)["rows"][0].cumulative == 40

    project.closed_until = project.quarters()[1][2]
    project.save()
    with pytest.raises(ValidationError):
        services.submit_indicator_value(
            actor=dirk, indicator=inflow, period_start=second, value=Decimal(5)
        )
    with pytest.raises(ValidationError):
        services.submit_indicator_value(
            actor=dirk, indicator=inflow, period_start=days(2), value=Decimal(5)
        )
    with pytest.raises(ValidationError):
        services.submit_indicator_value(
            actor=dirk, indicator=inflow, period_start=project.quarters()[-1][1], value=Decimal(5)
        )
    assert IndicatorValue.objects.count() == 1


@pytest.mark.parametrize("counts_students", [True, False])
def test_a_reported_student_count_under_five_never_reaches_funders(
    client, project, fien, carla, dirk, counts_students
):
    """A teacher reports 3, a coordinator approves it: the funder sees "< 5" on the KPI page,
    the funder dashboard and the KPI export, wherever the figure counts students."""
    inflow = Indicator.objects.create(
        project=project,
        programme_line=project.lines.get(number=1),
        name="Instroom laboratoriumopleiding",
        unit="studenten",
        source="reported",
        counts_students=counts_students,
        target_2y=10,
        target_4y=20,
    )
    quarter = project.quarters()[1][1]  # a past quarter: figures are reported afterwards
    value = services.submit_indicator_value(
        actor=dirk, indicator=inflow, period_start=quarter, value=Decimal(3)
    )
    services.decide_indicator_value(actor=carla, item=value, approve=True)

    client.force_login(fien)
    row = client.get(reverse("reports:kpis_line", args=[1])).context["rows"][0]
    exported = client.get(reverse("reports:kpi_export", args=["csv"])).content.decode()
    dashboard = client.get(reverse("reports:dashboard_funder"))

    [header, cells] = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    # The file names the forecast's method, and says how a protected row was rounded.
    assert header[6] == "Prognose (een rechte lijn over de verstreken tijd)"
    assert (cells[7] != "") == counts_students
    [block_row] = [
        r
        for block in dashboard.context["kpi_blocks"]
        for r in block["rows"]
        if r.indicator == inflow
    ]
    if counts_students:
        assert row.cumulative is None and block_row.cumulative is None
        assert not {"3", "3.0"} & set(cells)
    else:
        assert row.cumulative == 3 and block_row.cumulative == 3
        assert "3" in cells
    if counts_students:
        assert cells[7].startswith("Een aantal studenten: minder dan 5")


def test_a_missed_milestone_needs_its_reason_and_only_the_owner_updates(project, carla, bram, dirk):
    milestone = Milestone.objects.get(system_key="report_13")

    with pytest.raises(ValidationError):
        services.update_milestone(
            actor=carla, milestone=milestone, fields={"status": "missed", "reason": ""}
        )
    with pytest.raises(PermissionDenied):
        services.update_milestone(actor=bram, milestone=milestone, fields={"status": "reached"})
    services.update_milestone(actor=carla, milestone=milestone, fields={"status": "reached"})
    milestone.refresh_from_db()
    assert milestone.reached_on is not None


def test_only_coordinators_write_the_narrative(project, carla, dirk):
    line = project.lines.get(number=1)
    quarter = project.quarter_of(days(0))

    with pytest.raises(PermissionDenied):
        services.save_narrative(
            actor=dirk, line=line, period_start=quarter[1], fields={"highlights": "x"}
        )
    narrative = services.save_narrative(
        actor=carla, line=line, period_start=quarter[1], fields={"highlights": "Alles volgens plan"}
    )
    assert narrative.highlights == "Alles volgens plan"


def test_the_kpi_page_is_read_only_for_funders_and_constant_in_queries(
    client, project, fien, carla, django_assert_max_num_queries
):
    for key in ["guest_lessons", "students_reached", "places_offered", "cofinancing"]:
        indicator(project, key).save()
    client.force_login(fien)
    response = client.get(reverse("reports:kpis_line", args=[1]))
    assert response.status_code == 200
    assert response.context["value_form"] is None
    assert response.context["narrative_form"] is None
    client.force_login(carla)
    # user, project, lines, indicators (+targets), reported values, stored measures, one query
    # per table the derived measures count (requests, activities; co-financing: rates and
    # contributions), narrative, pending figures, unread notifications (exactly, at ten times
    # the volume and with closed quarters: tests/reports/test_page_budgets.py)
    with django_assert_max_num_queries(15):
        client.get(reverse("reports:kpis_line", args=[1]))


def test_exports_give_csv_and_excel(client, project, carla, bram):
    client.force_login(carla)
    for name in ("reports:finance_export", "reports:kpi_export"):
        assert client.get(reverse(name, args=["csv"])).content.startswith("\ufeff".encode())
        assert client.get(reverse(name, args=["xlsx"])).content.startswith(b"PK")
        assert client.get(reverse(name, args=["pdf"])).status_code == 404
    client.force_login(bram)
    assert client.get(reverse("reports:finance_export", args=["csv"])).status_code == 403


def test_funders_see_small_student_counts_suppressed_on_the_kpi_page(
    client, project, fien, carla, guest_lesson, bram, dirk
):
    line = project.lines.get(number=1)
    Indicator.objects.create(
        project=project,
        programme_line=line,
        name="Bereikt",
        unit="studenten",
        source="derived",
        measure="students_reached",
        target_2y=10,
        target_4y=20,
    )
    request = activity_services.request_activity(
        actor=dirk, activity=guest_lesson, date=days(7), group_name="A", student_count=3
    )
    Request.objects.filter(pk=request.pk).update(
        date=days(0), status="delivered", students_reached=3
    )

    client.force_login(fien)
    funder_row = client.get(reverse("reports:kpis_line", args=[1])).context["rows"][0]
    client.force_login(carla)
    coordinator_row = client.get(reverse("reports:kpis_line", args=[1])).context["rows"][0]

    assert funder_row.cumulative is None
    assert coordinator_row.cumulative == 3


def test_a_past_quarter_is_shown_and_written_up(client, project, carla):
    first = project.quarters()[0]
    client.force_login(carla)

    url = reverse("reports:kpis_line", args=[1]) + "?quarter=1"
    page = client.get(url)
    assert page.context["quarter"] == first
    submit(client, url, {"highlights": "Start van het project"}, page=page, button="narrative")

    assert Narrative.objects.get(period_start=first[1]).highlights == "Start van het project"


def test_active_partners_over_several_quarters_count_each_partner_once(
    project, school, company, other_company
):
    active = indicator(project, "active_partners", target_2y=3, target_4y=3)
    active.save()
    (_, q1, _), (_, q2, _), (_, q3, _) = project.quarters()[:3]
    for organisation, day in ((school, q1), (school, q2), (company, q2), (other_company, q3)):
        hours_of(organisation, day)
    hours_of(other_company, q1, status=ContributionStatus.SUBMITTED)  # not approved: not counted

    [row] = [r for r in kpi_rows(project)["rows"] if r.indicator == active]

    assert row.per_quarter == {1: 1, 2: 2, 3: 1}
    # Over the first three quarters: the school, the company and the other company, once each
    # (not the sum, 4, nor the third quarter's alone, 1).
    assert row.in_quarters((1, 2, 3), upto=5) == 3
    assert row.in_quarters((1, 2), upto=5) == 2
    assert row.in_quarters((2, 3), upto=2) == 2  # the third has not happened yet
    assert row.cumulative == 3
    assert row.trend(3) == [33, 67, 100]


def test_a_reported_indicator_derives_from_nothing(project):
    reported = indicator(project, "active_partners", source="reported")

    reported.full_clean()

    # Partners report its figure per quarter as it is: it is not a headcount civbio counts.
    assert reported.measure == ""
