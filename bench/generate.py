"""Grow the database to many times the consortium with bulk inserts: organisations, people,
students, activities, requests, nominations, placements, progress and contributions.

`make bench` grows the demo to ten and a hundred times the consortium with the full-size `UNIT`
(per times one: 26 partners, about 200 people, 2,000 students, 5,000 activities and requests, 50,000
progress records, 2,000 contributions). The query-count tests grow it ten times with `SMALL`,
in seconds, and render pages before and after: the counts must be equal. The data is spread over
every partner the pages look at, the demo people's own organisations included, so a page that
loads per row would show it.
"""

import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from itertools import islice

from django.db import connection
from django.utils import timezone

from activities.choices import KIND_LINE_NUMBER, REQUESTABLE_KINDS
from activities.models import (
    Activity,
    ActivityEvent,
    ActivityKind,
    ActivityStatus,
    Event,
    GuestLesson,
    Nomination,
    NominationStatus,
    Notification,
    Placement,
    Posting,
    PracticumAssignment,
    Request,
    RequestStatus,
    ResearchProject,
)
from ledger.models import Contribution, ContributionKind, ContributionStatus
from partners.models import Organisation, OrganisationKind, Role, User
from programmes.models import Commitment, Milestone, Project
from students.models import (
    Edition,
    Enrolment,
    Module,
    ModuleUnit,
    Qualification,
    Student,
    UnitProgress,
)


@dataclass(frozen=True)
class Unit:
    """How much one "times the consortium" adds beyond its partners and their people."""

    students: int
    editions: int
    units_per_module: int
    enrolments_per_student: int
    min_units_done: int
    max_units_done: int
    activities: int
    requests: int
    nominations: int
    contributions: int
    milestones: int
    events: int


# The consortium's own yearly scale, as issue #9 sizes it (ten times: 20,000 students, 50,000
# activities and requests, 500,000 progress records, 20,000 contributions).
UNIT = Unit(
    students=2_000,
    editions=60,
    units_per_module=12,
    enrolments_per_student=3,
    min_units_done=4,
    max_units_done=12,
    activities=2_000,
    requests=3_000,
    nominations=500,
    contributions=2_000,
    milestones=5,
    events=20,
)
# Small enough for a test to make ten times in seconds.
SMALL = Unit(
    students=300,
    editions=6,
    units_per_module=5,
    enrolments_per_student=1,
    min_units_done=0,
    max_units_done=3,
    activities=200,
    requests=400,
    nominations=50,
    contributions=200,
    milestones=5,
    events=20,
)
BATCH = 5_000


class Steps:
    """Times each step; `report` is told (name, rows made, seconds) as each one ends."""

    def __init__(self, report: Callable[[str, int, float], None] | None = None):
        self.report = report
        self.timings: dict[str, float] = {}

    def run(self, name: str, make: Callable[[], list]) -> list:
        began = time.perf_counter()
        made = make()
        self.timings[name] = time.perf_counter() - began
        if self.report:
            self.report(name, len(made), self.timings[name])
        return made


def _batches(items: Iterable, size: int = BATCH) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _bulk(model, objects: Iterable) -> list:
    """bulk_create in batches, so a hundred times the consortium never sits in memory twice."""
    made = []
    for batch in _batches(objects):
        made.extend(model.objects.bulk_create(batch))
    return made


def _summarise(first_enrolment: int) -> None:
    """The progress summary of the new enrolments (what students.progress keeps when progress
    is recorded), in one statement over the copied rows."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE students_enrolment SET units_done = s.done, last_progress_on = s.last
            FROM (
                SELECT enrolment_id,
                       SUM(CASE WHEN status IN ('completed', 'passed') THEN 1 ELSE 0 END) AS done,
                       MAX(recorded_on) AS last
                FROM students_unitprogress
                WHERE enrolment_id >= %s
                GROUP BY enrolment_id
            ) AS s
            WHERE students_enrolment.id = s.enrolment_id
            """,
            [first_enrolment],
        )


def _copy(model, columns: list[str], rows: Iterable[tuple]) -> int:
    """Rows straight into the table: COPY on PostgreSQL, batched inserts elsewhere. For the one
    table whose rows nothing else points at (progress), at millions of rows."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with (
            connection.connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        for batch in _batches(rows):
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)  # noqa: S608
            count += len(batch)
    return count


def _insert_children(model, objects) -> None:
    """bulk_create refuses multi-table children: insert the rows of their own table directly."""
    if not objects:
        return
    fields = model._meta.local_concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    rows = [
        [f.get_db_prep_save(getattr(o, f.attname), connection=connection) for f in fields]
        for o in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})",  # noqa: S608
            rows,
        )


def _child(kind: str, parent: Activity, rng: random.Random):
    common = {"activity_ptr_id": parent.pk}
    match kind:
        case ActivityKind.INTERNSHIP:
            return Posting(
                **common,
                route=rng.choice(["bol", "bbl"]),
                days_per_week=Decimal(4),
                places=rng.randint(1, 4),
                location="Leiden",
            )
        case ActivityKind.GUEST_LESSON:
            return GuestLesson(
                **common,
                speaker="Gastspreker",
                format="at_school",
                duration_minutes=90,
                max_group_size=30,
            )
        case ActivityKind.PRACTICUM:
            return PracticumAssignment(**common, max_group_size=30)
        case ActivityKind.RESEARCH:
            return ResearchProject(**common, track="work_field")
        case _:
            return Event(**common, audience="mbo_students", people_reached=rng.randint(5, 80))


def grow(
    factor: int = 10,
    *,
    unit: Unit = UNIT,
    seed: int = 7,
    partners: int | None = None,
    report: Callable[[str, int, float], None] | None = None,
) -> dict:
    """Add (factor - 1) times the consortium's partners (or `partners` of them) and `factor`
    times `unit` of everything else; returns how many rows of each kind were made, and
    `timings` in seconds per step."""
    rng = random.Random(seed)
    steps = Steps(report)
    project = Project.objects.first()
    lines = {line.number: line for line in project.lines.all()}
    quarters = project.quarters()
    today = timezone.localdate()
    start, end = project.start_date, min(project.end_date, today + timedelta(days=90))
    span = (end - start).days
    tag = f"{seed}-{Student.objects.count()}"  # keeps codes unique when grown again

    def some_day():
        return start + timedelta(days=rng.randint(0, span))

    # Organisations and people ----------------------------------------------------------------
    existing = Organisation.objects.count()
    kinds = [OrganisationKind.WORK_FIELD] * 2 + [
        OrganisationKind.EDUCATION,
        OrganisationKind.SUPPORT,
    ]
    new_orgs = steps.run(
        "organisations",
        lambda: _bulk(
            Organisation,
            (
                Organisation(
                    name=f"Partner {existing + n}",
                    slug=f"partner-{existing + n}",
                    kind=kinds[n % len(kinds)],
                    cofinancing_category=(
                        "other" if kinds[n % len(kinds)] == "education" else "employer"
                    ),
                )
                for n in range(26 * (factor - 1) if partners is None else partners)
            ),
        ),
    )
    organisations = list(Organisation.objects.partners())
    schools = [o for o in organisations if o.kind == OrganisationKind.EDUCATION]
    companies = [o for o in organisations if o.kind == OrganisationKind.WORK_FIELD]
    role_for = {
        OrganisationKind.EDUCATION: Role.SCHOOL_STAFF,
        OrganisationKind.WORK_FIELD: Role.INDUSTRY_STAFF,
        OrganisationKind.SUPPORT: Role.INDUSTRY_STAFF,
    }
    people = steps.run(
        "people",
        lambda: _bulk(
            User,
            (
                User(
                    email=f"person{n}-{o.slug}@volume.example",
                    name=f"Person {n} {o.name}",
                    organisation=o,
                    role=role_for[o.kind],
                    is_contact=n == 0,
                    password="!",  # unusable: nobody logs in as these people
                )
                for o in new_orgs
                for n in range(8)
            ),
        ),
    )
    staff_of = {}
    for person in User.objects.filter(role__in=[Role.SCHOOL_STAFF, Role.INDUSTRY_STAFF]):
        staff_of.setdefault(person.organisation_id, []).append(person)

    # Students, modules, editions and progress -------------------------------------------------
    qualification = Qualification.objects.first() or Qualification.objects.create(
        crebo="25400", name="Laborant", level=3
    )

    def full_modules():
        """Modules with at least the unit's number of units (the demo's have fewer)."""
        return [
            m
            for m in Module.objects.prefetch_related("units")
            if len(m.units.all()) >= unit.units_per_module
        ]

    modules = full_modules()
    if len(modules) < unit.enrolments_per_student:
        for n in range(unit.enrolments_per_student):
            module = Module.objects.create(
                code=f"VOL-{tag}-{n}",
                title=f"Volume module {n}",
                programme_line=lines[n % 3 + 1],
                level=3,
                study_load_hours=40,
            )
            ModuleUnit.objects.bulk_create(
                ModuleUnit(module=module, position=p, title=f"Unit {p}", hours=8)
                for p in range(1, unit.units_per_module + 1)
            )
        modules = full_modules()
    students = steps.run(
        "students",
        lambda: _bulk(
            Student,
            (
                Student(
                    school=schools[n % len(schools)],
                    student_number=f"V{tag}-{n:07d}",
                    display_name=f"Student {n}",
                    qualification=qualification,
                    level=rng.randint(2, 4),
                    route=rng.choice(["bol", "bbl"]),
                    cohort=2025,
                )
                for n in range(unit.students * factor)
            ),
        ),
    )
    editions = steps.run(
        "editions",
        lambda: _bulk(
            Edition,
            (
                Edition(
                    # A school's k-th edition is of the k-th module: every school offers each.
                    module=modules[(n // len(schools)) % len(modules)],
                    school=schools[n % len(schools)],
                    name=f"VOL{n}",
                    start_date=today - timedelta(days=60),
                    end_date=today + timedelta(days=60),
                )
                for n in range(unit.editions * factor)
            ),
        ),
    )
    teachers = _bulk(
        Edition.teachers.through,
        (
            Edition.teachers.through(edition_id=e.pk, user_id=staff.pk)
            for e in editions
            for staff in staff_of.get(e.school_id, [])[:2]
        ),
    )
    by_school: dict[int, list[Edition]] = {}
    for edition in editions:
        by_school.setdefault(edition.school_id, []).append(edition)

    def enrolments_of(student):
        choices = by_school.get(student.school_id, [])
        # One edition per module: a student is in a module once.
        seen, picked = set(), []
        for edition in rng.sample(choices, len(choices)):
            if edition.module_id not in seen:
                seen.add(edition.module_id)
                picked.append(edition)
            if len(picked) == unit.enrolments_per_student:
                break
        return picked

    enrolments = steps.run(
        "enrolments",
        lambda: _bulk(
            Enrolment,
            (
                Enrolment(edition=edition, student=s)
                for s in students
                for edition in enrolments_of(s)
            ),
        ),
    )
    # Enrolled weeks ago (auto_now_add says today), so quiet students show as falling behind.
    for batch in _batches(e.pk for e in enrolments):
        Enrolment.objects.filter(pk__in=batch).update(enrolled_on=today - timedelta(days=50))
    units = {m.pk: [u.pk for u in m.units.all()] for m in modules}
    edition_module = {e.pk: e.module_id for e in editions}
    moment = timezone.now()

    def progress_rows():
        for enrolment in enrolments:
            module_units = units[edition_module[enrolment.edition_id]]
            for unit_pk in module_units[: rng.randint(unit.min_units_done, unit.max_units_done)]:
                yield (
                    enrolment.pk,
                    unit_pk,
                    rng.choice(["completed", "in_progress", "passed"]),
                    today - timedelta(days=rng.randint(0, 80)),
                    moment,
                )

    def copy_progress():
        made = _copy(
            UnitProgress,
            ["enrolment_id", "unit_id", "status", "recorded_on", "updated_at"],
            progress_rows(),
        )
        if enrolments:
            _summarise(min(e.pk for e in enrolments))
        return range(made)

    progress = steps.run("progress", copy_progress)

    # Activities, requests, nominations and placements -----------------------------------------
    kind_cycle = list(ActivityKind)

    def activities():
        parents = _bulk(
            Activity,
            (
                Activity(
                    kind=(kind := kind_cycle[n % len(kind_cycle)]),
                    programme_line=lines[KIND_LINE_NUMBER[kind]],
                    host=(
                        rng.choice(companies)
                        if kind != ActivityKind.TRAINING
                        else rng.choice(schools)
                    ),
                    title=f"Activity {n}",
                    status={
                        ActivityKind.TRAINING: ActivityStatus.DELIVERED,
                        ActivityKind.IMAGE: ActivityStatus.DELIVERED,
                        ActivityKind.RESEARCH: ActivityStatus.RUNNING,
                    }.get(kind, ActivityStatus.PUBLISHED),
                    start_date=some_day(),
                    end_date=end,
                )
                for n in range(unit.activities * factor)
            ),
        )
        by_model: dict[type, list] = {}
        for parent in parents:
            child = _child(parent.kind, parent, rng)
            by_model.setdefault(type(child), []).append(child)
        for model, children in by_model.items():
            for batch in _batches(children):
                _insert_children(model, batch)
        return parents

    parents = steps.run("activities", activities)
    # What two in three internships and practicum assignments ask, as partners fill them in: the
    # students' qualification and one or two units of a module (the matching reads the progress
    # on those units).
    every_unit = [unit_pk for module_units in units.values() for unit_pk in module_units]
    asking = [
        a
        for a in parents
        if a.kind in (ActivityKind.INTERNSHIP, ActivityKind.PRACTICUM) and a.pk % 3
    ]
    _bulk(
        Activity.required_units.through,
        (
            Activity.required_units.through(activity_id=a.pk, moduleunit_id=unit_pk)
            for a in asking
            for unit_pk in rng.sample(every_unit, rng.randint(1, 2))
        ),
    )
    _bulk(
        Activity.qualifications.through,
        (
            Activity.qualifications.through(activity_id=a.pk, qualification_id=qualification.pk)
            for a in asking
        ),
    )
    requestable = [a for a in parents if a.kind in REQUESTABLE_KINDS]
    statuses = [
        RequestStatus.DELIVERED,
        RequestStatus.DELIVERED,
        RequestStatus.SCHEDULED,
        RequestStatus.REQUESTED,
    ]
    requests = steps.run(
        "requests",
        lambda: _bulk(
            Request,
            (
                Request(
                    activity=rng.choice(requestable),
                    school=(school := rng.choice(schools)),
                    requested_by=(staff_of.get(school.pk) or [None])[0],
                    date=some_day(),
                    group_name=f"G{n}",
                    student_count=20,
                    status=(status := rng.choice(statuses)),
                    students_reached=20 if status == RequestStatus.DELIVERED else None,
                )
                for n in range(unit.requests * factor)
            ),
        ),
    )
    postings = [a for a in parents if a.kind == ActivityKind.INTERNSHIP]
    # A posting accepts no more students than it has places; the others stay nominated.
    free = dict(Posting.objects.filter(pk__in=[p.pk for p in postings]).values_list("pk", "places"))
    pairs = set()
    nominations = []
    for student in rng.sample(students, min(len(students), unit.nominations * factor)):
        posting = rng.choice(postings)
        if (posting.pk, student.pk) in pairs:
            continue
        pairs.add((posting.pk, student.pk))
        status = rng.choice([NominationStatus.NOMINATED, NominationStatus.ACCEPTED])
        if status == NominationStatus.ACCEPTED:
            if free[posting.pk]:
                free[posting.pk] -= 1
            else:
                status = NominationStatus.NOMINATED
        nominations.append(
            Nomination(
                posting_id=posting.pk,
                student=student,
                nominated_by=(staff_of.get(student.school_id) or [None])[0],
                status=status,
            )
        )
    nominations = steps.run("nominations", lambda: _bulk(Nomination, nominations))
    placements = steps.run(
        "placements",
        lambda: _bulk(
            Placement,
            (
                Placement(
                    nomination=n,
                    start_date=(day := some_day()),
                    end_date=day + timedelta(days=120),
                )
                for n in nominations
                if n.status == NominationStatus.ACCEPTED
            ),
        ),
    )

    # Money, milestones and notifications -------------------------------------------------------
    counting = [o for o in organisations if o.cofinancing_category in ("employer", "other")]
    commitments = _bulk(
        Commitment,
        (
            Commitment(project=project, organisation=o, year=year, hours=Decimal(100))
            for o in new_orgs
            for year in range(1, (len(quarters) + 3) // 4 + 1)
        ),
    )
    contributions = steps.run(
        "contributions",
        lambda: _bulk(
            Contribution,
            (
                Contribution(
                    organisation=(o := rng.choice(counting)),
                    programme_line=lines[rng.randint(1, 3)],
                    kind=ContributionKind.STAFF_HOURS,
                    hours=Decimal(rng.randint(1, 16)),
                    date=some_day(),
                    description="Volume",
                    status=rng.choice(
                        [ContributionStatus.APPROVED] * 3
                        + [ContributionStatus.SUBMITTED, ContributionStatus.PROPOSED]
                    ),
                    submitted_by=(staff_of.get(o.pk) or [None])[0],
                )
                for _ in range(unit.contributions * factor)
            ),
        ),
    )
    milestones = _bulk(
        Milestone,
        (
            Milestone(
                project=project,
                programme_line=lines[rng.randint(1, 3)],
                kind="deliverable",
                title=f"Milestone {n}",
                due_date=some_day(),
                owner_organisation=rng.choice(organisations),
            )
            for n in range(unit.milestones * factor)
        ),
    )
    events = _bulk(
        ActivityEvent,
        (
            ActivityEvent(activity=rng.choice(parents), verb="requested")
            for _ in range(unit.events * factor)
        ),
    )
    notifications = _bulk(
        Notification,
        (
            Notification(recipient=person, event=event)
            for person in User.objects.exclude(email__endswith="@volume.example")
            for event in rng.sample(events, 10)
        ),
    )
    return {
        "organisations": len(new_orgs),
        "people": len(people),
        "students": len(students),
        "editions": len(editions),
        "teachers": len(teachers),
        "enrolments": len(enrolments),
        "progress": len(progress),
        "activities": len(parents),
        "requests": len(requests),
        "nominations": len(nominations),
        "placements": len(placements),
        "commitments": len(commitments),
        "contributions": len(contributions),
        "milestones": len(milestones),
        "notifications": len(notifications),
        "timings": steps.timings,
    }


def big_school(students: int, *, seed: int = 11) -> dict:
    """One school far larger than the others, with a teacher: its pages must stay bounded in
    size and time however many students it holds. Its students have the qualification the
    generated opportunities ask for, so the matching proposes them."""
    rng = random.Random(seed)
    school = Organisation.objects.create(
        name="Grote School",
        slug=f"grote-school-{Organisation.objects.count()}",
        kind=OrganisationKind.EDUCATION,
        cofinancing_category="other",
    )
    teacher = User.objects.create(
        email=f"docent@{school.slug}.example",
        name="Docent Grote School",
        organisation=school,
        role=Role.SCHOOL_STAFF,
        is_contact=True,
        password="!",
    )
    qualification = Qualification.objects.first()
    made = _bulk(
        Student,
        (
            Student(
                school=school,
                student_number=f"G{school.pk}-{n:07d}",
                display_name=f"Leerling {n}",
                qualification=qualification,
                level=rng.randint(2, 4),
                route=rng.choice(["bol", "bbl"]),
                cohort=2025,
            )
            for n in range(students)
        ),
    )
    return {"school": school.pk, "teacher": teacher.pk, "students": len(made)}


def more_students(school_pk: int, total: int, *, seed: int = 13) -> int:
    """Grow the large school to `total` students; returns how many were added."""
    rng = random.Random(seed)
    school = Organisation.objects.get(pk=school_pk)
    existing = Student.objects.filter(school=school).count()
    qualification = Qualification.objects.first()
    made = _bulk(
        Student,
        (
            Student(
                school=school,
                student_number=f"G{school.pk}-{n:07d}",
                display_name=f"Leerling {n}",
                qualification=qualification,
                level=rng.randint(2, 4),
                route=rng.choice(["bol", "bbl"]),
                cohort=2025,
            )
            for n in range(existing, total)
        ),
    )
    return len(made)
