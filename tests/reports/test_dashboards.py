"""The four role dashboards: fixed query counts at any volume, figures that match a hand count
and the shared selectors, the period and line choices, and no personal data for funders."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, F, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import (
    ActivityKind,
    ActivityStatus,
    Event,
    Nomination,
    NominationStatus,
    Posting,
    Request,
    RequestStatus,
    ResearchProject,
)
from demo.services import DEMO_LOGINS
from ledger.models import Contribution, ContributionKind, ContributionStatus
from partners.models import Role, User
from programmes.models import Commitment, Indicator, Project
from reports import charts, closing, figures, kpis
from students.models import Edition, Enrolment, Student, UnitProgress
from students.progress import bulk_record_progress, enrol_students, record_progress
from tests.factories import ModuleFactory, QualificationFactory, StudentFactory
from tests.volume import grow

pytestmark = pytest.mark.django_db

DASHBOARDS = {
    Role.COORDINATOR: "reports:dashboard_coordinator",
    Role.SCHOOL_STAFF: "reports:dashboard_school",
    Role.INDUSTRY_STAFF: "reports:dashboard_industry",
    Role.FUNDER: "reports:dashboard_funder",
}
# Quarter 5 of the project: 1 January - 31 March 2024, in project year 2 (a leap year).
Q5 = (date(2024, 1, 1), date(2024, 3, 31))


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_every_dashboard_renders_in_the_same_number_of_queries_at_ten_times_the_volume(
    client, demo_data
):
    people = {p.role: User.objects.get(email=p.email) for p in DEMO_LOGINS}
    urls = {
        role: [reverse(name), f"{reverse(name)}?period=all", f"{reverse(name)}?period=y2&line=1"]
        for role, name in DASHBOARDS.items()
    }
    before = {}
    for role, person in people.items():
        client.force_login(person)
        before[role] = [_count(client, url) for url in urls[role]]

    made = grow(10)
    assert made["organisations"] >= 230 and made["people"] >= 1800
    assert made["activities"] >= 2000 and made["students"] >= 3000
    assert made["requests"] >= 4000 and made["contributions"] >= 2000
    # As in a real consortium, no place takes more students than it has places.
    accepted = Count("nominations", filter=Q(nominations__status=NominationStatus.ACCEPTED))
    postings = Posting.objects.annotate(taken=accepted)
    assert postings.filter(taken__gt=0).exists()
    assert not postings.filter(taken__gt=F("places")).exists()
    after = {}
    for role, person in people.items():
        client.force_login(person)
        after[role] = [_count(client, url) for url in urls[role]]

    assert after == before
    # Every dashboard: session, user, project, lines, and the header's unread count (5).
    # Coordinator: the closed quarters; indicators, targets, reported values, the closed
    # quarters' stored measures, the open quarters' measures (one query per table: requests,
    # activities, placements, editions, research outputs, contributions, and the partners' own
    # rates); invitations, contributions waiting (submitted and proposed in one), KPI values
    # waiting with the line they belong to, narratives, partners without people (counted, the
    # first twelve), 3 activity counts, co-financing (partners, commitments, contributions),
    # partner engagement, milestones. (No quarter is closed: nothing stored is read.)
    assert before[Role.COORDINATOR][0] == 31, before
    # School: units per module, editions (+ whether I teach any), students behind (counted and
    # the first ten), upcoming, my requests, my nominations, matching (opportunities + 2
    # prefetches, students, progress on the required units, nominations), delivered, units
    # done, reminders, students and editions counted, partner contacts (2); the students behind
    # are named by one more when there are any (none in the demo).
    assert before[Role.SCHOOL_STAFF][0] == 26, before
    # Industry: offers with counts, requests waiting, nominations waiting, upcoming, placements,
    # our finance (the closed quarters, us, our commitments, our contributions), our
    # contributions waiting, partner contacts (2).
    assert before[Role.INDUSTRY_STAFF][0] == 17
    # Funder: as the coordinator's closed quarters, KPIs, activity counts and co-financing, plus
    # the milestones (twelve, counted) and the students and delivery as the KPIs count them
    # (2: students enrolled, the delivered activities; their measures read with the KPIs', and
    # the delivered activities' stored part only when a quarter is closed); no approvals,
    # engagement or invitations.
    assert before[Role.FUNDER][0] == 27


# A small world with figures counted by hand ------------------------------------------------


@pytest.fixture
def small_world(consortium, school, company, dirk, bram, guest_lesson, posting):
    """In quarter 5: two guest lessons delivered, a training delivered, a research project
    started; BioCorp pledged 100 hours for year 2 and had 10 hours and €500 cash approved."""
    line = {li.number: li for li in Project.objects.get().lines.all()}

    def request(day, status, reached=20):
        return Request.objects.create(
            activity=guest_lesson,
            school=school,
            requested_by=dirk,
            date=day,
            group_name="LAB2",
            student_count=20,
            status=status,
            students_reached=reached if status == RequestStatus.DELIVERED else None,
        )

    request(date(2024, 2, 10), RequestStatus.DELIVERED)
    request(date(2024, 3, 5), RequestStatus.DELIVERED)
    request(date(2024, 4, 10), RequestStatus.DELIVERED)  # quarter 6
    request(date(2024, 2, 20), RequestStatus.SCHEDULED)  # never delivered
    request(timezone.localdate() + timedelta(days=10), RequestStatus.REQUESTED)  # to answer
    Event.objects.create(
        kind=ActivityKind.TRAINING,
        programme_line=line[1],
        host=school,
        title="Scholing PCR",
        status=ActivityStatus.DELIVERED,
        start_date=date(2024, 2, 1),
        audience="teachers",
        people_reached=12,
    )
    ResearchProject.objects.create(
        kind=ActivityKind.RESEARCH,
        programme_line=line[2],
        host=company,
        title="Biobank-onderzoek",
        status=ActivityStatus.RUNNING,
        start_date=date(2024, 3, 1),
        track="work_field",
    )
    project = Project.objects.get()
    Commitment.objects.create(project=project, organisation=company, year=2, hours=Decimal(100))
    for measure, unit in (("guest_lessons", "gastlessen"), ("students_reached", "studenten")):
        Indicator.objects.create(
            project=project,
            programme_line=line[1],
            name=measure,
            unit=unit,
            source="derived",
            measure=measure,
            target_2y=Decimal(20),
            target_4y=Decimal(50),
        )

    def contribution(day, status, kind=ContributionKind.STAFF_HOURS, hours=None, amount=None):
        return Contribution.objects.create(
            organisation=company,
            programme_line=line[1],
            kind=kind,
            hours=hours,
            amount=amount,
            date=day,
            description="Gastles",
            status=status,
            submitted_by=bram,
        )

    contribution(date(2024, 2, 15), ContributionStatus.APPROVED, hours=Decimal(10))
    contribution(
        date(2024, 3, 10), ContributionStatus.APPROVED, ContributionKind.CASH, amount=Decimal(500)
    )
    contribution(date(2024, 2, 20), ContributionStatus.SUBMITTED, hours=Decimal(5))
    contribution(date(2024, 5, 1), ContributionStatus.APPROVED, hours=Decimal(4))  # quarter 6
    contribution(timezone.localdate(), ContributionStatus.PROPOSED, hours=Decimal(2))
    for _ in range(2):
        Nomination.objects.create(
            posting=posting, student=StudentFactory(school=school), nominated_by=dirk
        )
    return {"company": company}


def test_the_coordinator_dashboard_adds_up_a_quarter_by_hand(client, carla, small_world):
    client.force_login(carla)

    context = client.get(reverse("reports:dashboard_coordinator") + "?period=q5").context

    assert context["scope"].period.start == Q5[0] and context["scope"].period.end == Q5[1]
    # Two guest lessons delivered, a training delivered and a research project started.
    assert context["happened_total"] == 4
    counts = {item["kind"]: item["count"] for item in context["happened_by_kind"]}
    assert counts == {
        ActivityKind.GUEST_LESSON: 2,
        ActivityKind.TRAINING: 1,
        ActivityKind.RESEARCH: 1,
    }
    biocorp = next(p for p in context["finance_partners"] if p.organisation.name == "BioCorp")
    # 100 hours x €73 = €7,300 for year 2 (366 days); quarter 5 has 91 of them.
    assert biocorp.period_committed.quantize(Decimal("0.01")) == Decimal("1815.03")
    assert biocorp.period_in_kind == Decimal(730) and biocorp.period_cash == Decimal(500)
    assert context["finance_total"]["realised"] == Decimal(1230)
    guest_lessons = next(
        row
        for block in context["kpi_blocks"]
        for row in block["rows"]
        if row.indicator.measure == "guest_lessons"
    )
    assert guest_lessons.period_value == 2 and guest_lessons.cumulative == 2
    # Active in quarter 5, by when things took place: BioCorp (its contributions) and the school
    # (its guest lessons were delivered then).
    assert context["active_count"] == 2
    assert "BioCorp" not in {e.organisation.name for e in context["silent_partners"]}
    assert context["approvals"]["contributions"] == 1
    assert context["approvals"]["hours_unconfirmed"] == 1
    # The same figures as the finance page's selector for the same period.
    overview = figures.finance_overview(
        Project.objects.get(), timezone.localdate(), period=context["scope"].period
    )
    same = next(p for p in overview["partners"] if p.organisation.name == "BioCorp")
    assert same.period_realised == biocorp.period_realised


def test_the_year_and_whole_project_periods_take_in_more(client, carla, small_world):
    client.force_login(carla)

    year = client.get(reverse("reports:dashboard_coordinator") + "?period=y2").context
    everything = client.get(reverse("reports:dashboard_coordinator") + "?period=all").context

    assert year["happened_total"] == 5  # quarter 6's guest lesson joins
    assert everything["happened_total"] == 5
    biocorp = next(p for p in year["finance_partners"] if p.organisation.name == "BioCorp")
    assert biocorp.period_committed == Decimal(7300)
    assert biocorp.period_in_kind == Decimal(14 * 73)


def test_a_tile_links_to_the_list_behind_its_number(client, carla, small_world, guest_lesson):
    client.force_login(carla)
    context = client.get(reverse("reports:dashboard_coordinator") + "?period=q5").context
    url = next(
        i["url"] for i in context["happened_by_kind"] if i["kind"] == ActivityKind.GUEST_LESSON
    )

    listed = client.get(url).context["activities"]

    assert [a.pk for a in listed] == [guest_lesson.pk]
    later = client.get(url.replace("2024-03-31", "2024-01-31").replace("2024-01-01", "2024-01-01"))
    assert list(later.context["activities"]) == []


def test_unknown_periods_and_lines_fall_back_to_the_defaults(client, carla, consortium):
    client.force_login(carla)
    url = reverse("reports:dashboard_coordinator")

    default = client.get(url).context["scope"]
    odd = client.get(url + "?period=q999&line=7").context["scope"]
    one_line = client.get(url + "?line=2").context

    assert odd.period == default.period and default.period.kind == "quarter"
    assert odd.line is None
    assert [b["line"].number for b in one_line["kpi_blocks"]] == [2]
    keys = [p.key for p in default.periods]
    assert keys[0] == default.period.key and "y1" in keys and keys[-1] == "all"


def _running_class(teacher, module, name: str) -> Edition:
    """An edition of `module` that `teacher` teaches, two months under way."""
    today = timezone.localdate()
    edition = Edition.objects.create(
        module=module,
        school=teacher.organisation,
        name=name,
        start_date=today - timedelta(days=60),
        end_date=today + timedelta(days=60),
    )
    edition.teachers.add(teacher)
    return edition


def test_the_school_dashboard_shows_class_progress_and_who_falls_behind(client, dirk, lines):
    today = timezone.localdate()
    module = ModuleFactory()
    units = list(module.units.all())
    edition = _running_class(dirk, module, "LAB3A")
    qualification = QualificationFactory()
    students = {
        name: StudentFactory(
            school=dirk.organisation, display_name=name, qualification=qualification
        )
        for name in ("Anna", "Bas", "Cem", "Dewi")
    }
    enrolments = {
        name: Enrolment.objects.create(edition=edition, student=s) for name, s in students.items()
    }
    Enrolment.objects.update(enrolled_on=today - timedelta(days=30))

    def done(name, unit, days_ago):
        UnitProgress.objects.create(
            enrolment=enrolments[name],
            unit=unit,
            status="completed",
            recorded_on=today - timedelta(days=days_ago),
        )

    for unit in units:
        done("Anna", unit, 50)  # all done long ago: not behind
    done("Bas", units[0], 40)  # stalled
    done("Dewi", units[0], 2)  # recent
    client.force_login(dirk)

    context = client.get(reverse("reports:dashboard_school")).context

    [shown] = context["editions"]
    # 3 + 1 + 0 + 1 units done of 3 x 4.
    assert shown.percent == round(5 * 100 / 12)
    assert context["behind_count"] == 2
    assert {e.student.display_name for e in context["behind"]} == {"Bas", "Cem"}
    assert context["progress_chart"].rows == [["LAB3A · " + module.code, "42%"]]


def test_the_school_dashboard_shows_each_change_to_progress_and_classes_at_once(
    client, dirk, lines
):
    today = timezone.localdate()
    module = ModuleFactory()
    first, second = list(module.units.all())[:2]
    edition = _running_class(dirk, module, "LAB3B")
    quirine, rutger, siem = (
        StudentFactory(school=dirk.organisation, display_name=name)
        for name in ("Quirine", "Rutger", "Siem")
    )
    enrol_students(actor=dirk, edition=edition, students=[quirine, rutger])
    Enrolment.objects.update(enrolled_on=today - timedelta(days=60))  # both fall behind
    client.force_login(dirk)
    url = reverse("reports:dashboard_school")

    def visit():
        context = client.get(url).context
        [shown] = context["editions"]
        return (shown.students, shown.done, context["units_done_in_period"]), context

    figures_now, context = visit()
    assert figures_now == (2, 0, 0)
    assert [e.student.display_name for e in context["behind"]] == ["Quirine", "Rutger"]

    # Every way the figures change is seen on the next visit: one cell, the bulk action, a
    # student enrolled (the last two are bulk writes that send no signals).
    [quirine_in] = Enrolment.objects.filter(student=quirine)
    record_progress(actor=dirk, enrolment=quirine_in, unit=first, status="completed")
    assert visit()[0] == (2, 1, 1)
    bulk_record_progress(
        actor=dirk,
        edition=edition,
        unit=second,
        student_ids=[quirine.pk, rutger.pk],
        status="completed",
    )
    assert visit()[0] == (2, 3, 3)
    enrol_students(actor=dirk, edition=edition, students=[siem])
    assert visit()[0] == (3, 3, 3)


def test_the_industry_dashboard_counts_what_waits_for_the_company(client, bram, small_world):
    client.force_login(bram)

    context = client.get(reverse("reports:dashboard_industry") + "?period=q5").context

    assert context["requests_waiting"] == 1
    assert context["nominations_waiting"] == 2
    assert context["hours_unconfirmed"] == 1
    assert context["contributions_submitted"] == 1
    assert context["my_finance"].period_realised == Decimal(1230)
    offers = {a.title: (a.new_requests, a.new_nominations) for a in context["postings"]}
    assert offers == {
        "Van monster tot sequentie": (1, 0),
        "Stage analist": (0, 2),
        "Biobank-onderzoek": (0, 0),
    }


def test_the_funder_dashboard_shows_no_personal_data_in_any_period(client, demo_data):
    funder = User.objects.get(email="financier@demo.civbio.nl")
    client.force_login(funder)
    personal = set()
    for student in Student.objects.all():
        personal |= {student.display_name, student.student_number}
    for person in User.objects.exclude(pk=funder.pk):
        personal |= {person.email, person.name}
    assert len(personal) > 20

    for query in ("", "?period=all", "?period=y4&line=1", "?period=y3&line=3"):
        html = client.get(reverse("reports:dashboard_funder") + query).text
        found = [p for p in personal if p and re.search(rf"\b{re.escape(p)}\b", html)]
        assert found == [], query


def test_funders_see_student_counts_protected_everywhere(client, fien, small_world, posting):
    from activities.models import Placement

    for student in Student.objects.all()[:2]:
        nomination = Nomination.objects.get(student=student)
        Placement.objects.create(
            nomination=nomination, start_date=date(2024, 2, 1), end_date=date(2024, 6, 1)
        )
    client.force_login(fien)

    context = client.get(reverse("reports:dashboard_funder") + "?period=q5").context

    rows = {row.indicator.measure: row for block in context["kpi_blocks"] for row in block["rows"]}
    # Two deliveries of 20 students: shown, rounded to 5; their quarters not drawn as a trend.
    assert rows["students_reached"].period_value == 40
    assert rows["students_reached"].per_quarter == {}
    trend = context["kpi_blocks"][0]["chart"]
    assert trend is None or "studenten" not in trend.columns
    # The two placements are students: not in the chart of what happened, not in its total.
    assert ActivityKind.INTERNSHIP not in [i["kind"] for i in context["happened_by_kind"]]
    assert context["happened_total"] == 4
    assert context["students"]["placements"] is None  # fewer than 5
    assert [figures.protect(n) for n in (0, 1, 4, 5, 7, 8, 12, 13)] == [
        0,
        None,
        None,
        5,
        5,
        10,
        10,
        15,
    ]


def test_a_placement_after_the_projects_end_is_no_placement_at_a_partner(
    client, fien, carla, small_world, posting, school, dirk
):
    from activities.models import Placement

    project = Project.objects.get()

    def place(day):
        nomination = Nomination.objects.create(
            posting=posting, student=StudentFactory(school=school), nominated_by=dirk
        )
        Placement.objects.create(
            nomination=nomination, start_date=day, end_date=day + timedelta(days=120)
        )

    for _ in range(7):
        place(date(2024, 2, 1))
    place(project.end_date + timedelta(days=30))
    Indicator.objects.create(
        project=project,
        programme_line=project.lines.get(number=1),
        name="places_filled",
        unit="plaatsingen",
        source="derived",
        measure="places_filled",
        target_2y=Decimal(10),
        target_4y=Decimal(40),
    )
    today = timezone.localdate()

    totals = kpis.student_totals(project, today, closed=figures.closed_quarters(project))

    assert totals["placements"] == 7
    client.force_login(fien)
    context = client.get(reverse("reports:dashboard_funder") + "?period=all").context
    rows = {row.indicator.measure: row for block in context["kpi_blocks"] for row in block["rows"]}
    # "Placements at partners" is the KPI "places filled", protected alike: 7 shows as 5.
    assert context["students"]["placements"] == rows["places_filled"].cumulative == 5
    # Closed, the quarters read from what was stored give the same.
    closing.close_quarters(actor=carla, project=project, number=15)
    assert kpis.student_totals(project, today, closed=figures.closed_quarters(project)) == totals


def test_the_funder_sees_one_figure_for_the_students_reached_everywhere(
    client, fien, small_world, guest_lesson, school, dirk
):
    # A third delivery in quarter 5 reaches 3: 63 students in all (20 + 20 + 20 + 3).
    Request.objects.create(
        activity=guest_lesson,
        school=school,
        requested_by=dirk,
        date=date(2024, 3, 20),
        group_name="LAB3",
        student_count=3,
        status=RequestStatus.DELIVERED,
        students_reached=3,
    )
    client.force_login(fien)

    response = client.get(reverse("reports:dashboard_funder") + "?period=all")

    context = response.context
    rows = {row.indicator.measure: row for block in context["kpi_blocks"] for row in block["rows"]}
    # One rule for every count of students: rounded to 5, in the KPI table as in the list.
    assert rows["students_reached"].cumulative == 65
    assert context["students"]["students_reached"] == 65
    assert context["students"]["delivered_activities"] == 4
    # The page says so, as the KPI page does.
    assert "afgerond op 5" in response.text
    assert "afgerond op 5" in client.get(reverse("reports:kpis_line", args=[1])).text


def test_charts_are_svg_without_script_labelled_and_patterned(client, carla, small_world):
    chart = charts.bar_chart(
        "Activiteiten",
        "Twee reeksen",
        ["Gastles", "Stage"],
        [("Lijn 1", [2, 1]), ("Lijn 2", [0, 3])],
        category="Soort",
    )

    assert "<script" not in chart.svg and 'class="tooltip' not in chart.svg
    assert 'role="img"' in chart.svg and 'aria-label="Activiteiten. Twee reeksen"' in chart.svg
    # The second series is hatched, so the two read apart in black and white.
    assert re.search(r"\.series\.color-1 rect[^{]*\{fill:url\(#hatch-", chart.svg)
    assert chart.rows == [["Gastles", "2", "0"], ["Stage", "1", "3"]]
    assert [name for name, *_ in chart.legend] == ["Lijn 1", "Lijn 2"]

    client.force_login(carla)
    response = client.get(reverse("reports:dashboard_coordinator") + "?period=q5")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    styles = re.findall(r"<style[^>]*>", response.text)
    assert styles and all(f'nonce="{nonce}"' in s for s in styles)
    assert "<script" not in response.text.split("<main", 1)[1].split("</main>")[0]
