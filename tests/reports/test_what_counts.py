"""What counts, and in which period: a research project counts as started only once it ran, and
a partner's sign of life is dated by when the thing took place, not when its row was made. Each
the same on every page, in the reports and in a closed quarter."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from activities import services
from activities.filters import happened_between
from activities.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Event,
    Request,
    RequestStatus,
)
from programmes.models import DerivedMeasure, Project
from programmes.periods import period_by_key
from reports import closing, figures, kpis
from reports.contents import report_contents

pytestmark = pytest.mark.django_db

# Quarter 5 of the project: 1 January - 31 March 2024.
Q5_DAY = date(2024, 2, 1)


def _research(actor, title: str, *statuses: str) -> Activity:
    """A research project starting in quarter 5, moved through `statuses` as its page does."""
    activity = services.create_activity(
        actor=actor,
        kind=ActivityKind.RESEARCH,
        fields={
            "title": title,
            "research_question": "Wat verandert er?",
            "track": "work_field",
            "start_date": Q5_DAY,
        },
    )
    for status in statuses:
        services.change_activity_status(actor=actor, activity=activity, status=status)
    return activity


def test_a_research_project_cancelled_as_a_draft_never_started_anywhere(lines, dirk, carla):
    project = Project.objects.get()
    line = project.lines.get(number=2)
    _research(dirk, "Nooit begonnen", ActivityStatus.CANCELLED)
    _research(dirk, "Gestopt na de start", ActivityStatus.RUNNING, ActivityStatus.CANCELLED)
    _research(dirk, "Loopt", ActivityStatus.RUNNING)
    _research(dirk, "Afgerond", ActivityStatus.RUNNING, ActivityStatus.DELIVERED)
    _research(dirk, "Nog een concept")
    q5 = period_by_key(project, "q5")

    # Started: the three that ran, the one cancelled after it ran among them; never the one
    # cancelled while a draft, nor the draft. Alike on the dashboards, the KPIs, the board's
    # filter and in the report.
    happened = figures.activities_happened(q5)
    assert happened[(ActivityKind.RESEARCH, line.pk)] == 3
    started = kpis.count_measures(project, [DerivedMeasure.RESEARCH_PROJECTS]).per_quarter
    assert started[DerivedMeasure.RESEARCH_PROJECTS] == {5: Decimal(3)}
    on_board = happened_between(Activity.objects.all(), q5.start, q5.end)
    assert set(on_board.values_list("title", flat=True)) == {
        "Gestopt na de start",
        "Loopt",
        "Afgerond",
    }
    assert report_contents(project, q5)["activities_total"] == 3

    # Closed, quarter 5 reads the same from what was stored.
    closing.close_quarters(actor=carla, project=project, number=5)
    closed = figures.closed_quarters(project)
    assert figures.activities_happened(q5, closed=closed) == happened
    assert kpis.measure(project, DerivedMeasure.RESEARCH_PROJECTS) == {5: Decimal(3)}


def test_a_partner_is_active_when_its_activity_or_request_took_place(
    lines, company, school, dirk, carla
):
    """Both rows are made today, for things that took place in quarter 5: the partners were
    active in quarter 5, not in the quarter the rows were entered."""
    project = Project.objects.get()
    training = Event.objects.create(
        kind=ActivityKind.TRAINING,
        programme_line=project.lines.get(number=1),
        host=company,
        title="Scholing PCR",
        status=ActivityStatus.PLANNED,
        start_date=Q5_DAY,
        audience="teachers",
    )
    Request.objects.create(
        activity=training,
        school=school,
        requested_by=dirk,
        date=date(2024, 3, 5),
        group_name="LAB2",
        student_count=12,
        status=RequestStatus.SCHEDULED,
    )
    # Neither a draft nor a declined request is a sign of anything taking place.
    Event.objects.create(
        kind=ActivityKind.TRAINING,
        programme_line=project.lines.get(number=1),
        host=school,
        title="Concept",
        status=ActivityStatus.DRAFT,
        start_date=date(2024, 1, 10),
        audience="teachers",
    )
    q5 = period_by_key(project, "q5")
    now = period_by_key(project, f"q{project.quarter_of(timezone.localdate())[0]}")

    def active(period, closed=None) -> dict:
        rows = figures.partner_engagement(period, period.end, closed=closed)
        return {e.organisation.pk: (e.active_in_period, e.last_seen) for e in rows}

    in_q5 = active(q5)
    assert in_q5[company.pk] == (True, Q5_DAY)
    assert in_q5[school.pk] == (True, date(2024, 3, 5))
    assert figures.engaged_between(q5.start, q5.end) >= {company.pk, school.pk}
    in_now = active(now)
    assert in_now[company.pk][0] is False and in_now[school.pk][0] is False

    # Closed, quarter 5 reads the same from what was stored.
    closing.close_quarters(actor=carla, project=project, number=5)
    assert active(q5, figures.closed_quarters(project)) == in_q5
