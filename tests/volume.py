"""Grow the database to many times the consortium with bulk inserts: organisations, people,
students, activities, requests, nominations, placements, progress and contributions.

Query-count tests render pages before and after growing, and the counts must be equal. The data
is spread over every partner the pages look at, the demo people's own organisations included,
so a page that loads per row would show it.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from activities.models import (
    KIND_LINE_NUMBER,
    REQUESTABLE_KINDS,
    Activity,
    ActivityEvent,
    ActivityKind,
    ActivityStatus,
    Contribution,
    ContributionKind,
    ContributionStatus,
    Edition,
    Enrolment,
    Event,
    GuestLesson,
    Module,
    ModuleUnit,
    Nomination,
    NominationStatus,
    Notification,
    Placement,
    Posting,
    PracticumAssignment,
    Qualification,
    Request,
    RequestStatus,
    ResearchProject,
    Student,
    UnitProgress,
)
from partners.models import Organisation, OrganisationKind, Role, User
from programmes.models import Commitment, Milestone, Project


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


def grow(factor: int = 10, *, seed: int = 7) -> dict:
    """Add (factor - 1) times the consortium's partners and a proportional mass of everything
    else; returns how many rows of each kind were made."""
    rng = random.Random(seed)
    project = Project.objects.first()
    lines = {line.number: line for line in project.lines.all()}
    quarters = project.quarters()
    today = timezone.localdate()
    start, end = project.start_date, min(project.end_date, today + timedelta(days=90))
    span = (end - start).days

    def some_day():
        return start + timedelta(days=rng.randint(0, span))

    # Organisations and people ----------------------------------------------------------------
    existing = Organisation.objects.count()
    kinds = [OrganisationKind.WORK_FIELD] * 2 + [
        OrganisationKind.EDUCATION,
        OrganisationKind.SUPPORT,
    ]
    new_orgs = Organisation.objects.bulk_create(
        Organisation(
            name=f"Partner {existing + n}",
            slug=f"partner-{existing + n}",
            kind=kinds[n % len(kinds)],
            cofinancing_category="other" if kinds[n % len(kinds)] == "education" else "employer",
        )
        for n in range(26 * (factor - 1))
    )
    organisations = list(Organisation.objects.partners())
    schools = [o for o in organisations if o.kind == OrganisationKind.EDUCATION]
    companies = [o for o in organisations if o.kind == OrganisationKind.WORK_FIELD]
    role_for = {
        OrganisationKind.EDUCATION: Role.SCHOOL_STAFF,
        OrganisationKind.WORK_FIELD: Role.INDUSTRY_STAFF,
        OrganisationKind.SUPPORT: Role.INDUSTRY_STAFF,
    }
    people = User.objects.bulk_create(
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
    )
    staff_of = {}
    for person in User.objects.filter(role__in=[Role.SCHOOL_STAFF, Role.INDUSTRY_STAFF]):
        staff_of.setdefault(person.organisation_id, []).append(person)

    # Students, modules, editions and progress -------------------------------------------------
    qualification = Qualification.objects.first() or Qualification.objects.create(
        crebo="25400", name="Laborant", level=3
    )
    modules = list(Module.objects.prefetch_related("units")) or []
    if not modules:
        module = Module.objects.create(
            code="VOL-1",
            title="Volume module",
            programme_line=lines[1],
            level=3,
            study_load_hours=40,
        )
        ModuleUnit.objects.bulk_create(
            ModuleUnit(module=module, position=p, title=f"Unit {p}", hours=8) for p in range(1, 6)
        )
        modules = list(Module.objects.prefetch_related("units"))
    students = Student.objects.bulk_create(
        Student(
            school=schools[n % len(schools)],
            student_number=f"V{n:06d}",
            display_name=f"Student {n}",
            qualification=qualification,
            level=rng.randint(2, 4),
            route=rng.choice(["bol", "bbl"]),
            cohort=2025,
        )
        for n in range(300 * factor)
    )
    editions = Edition.objects.bulk_create(
        Edition(
            module=modules[n % len(modules)],
            school=schools[n % len(schools)],
            name=f"VOL{n}",
            start_date=today - timedelta(days=60),
            end_date=today + timedelta(days=60),
        )
        for n in range(6 * factor)
    )
    teachers = Edition.teachers.through.objects.bulk_create(
        Edition.teachers.through(edition_id=e.pk, user_id=staff.pk)
        for e in editions
        for staff in staff_of.get(e.school_id, [])[:2]
    )
    by_school: dict[int, list[Edition]] = {}
    for edition in editions:
        by_school.setdefault(edition.school_id, []).append(edition)
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(edition=rng.choice(by_school[s.school_id]), student=s)
        for s in students
        if s.school_id in by_school
    )
    # Enrolled weeks ago (auto_now_add says today), so quiet students show as falling behind.
    Enrolment.objects.filter(pk__in=[e.pk for e in enrolments]).update(
        enrolled_on=today - timedelta(days=50)
    )
    units = {m.pk: list(m.units.all()) for m in modules}
    edition_module = {e.pk: e.module_id for e in editions}
    progress = UnitProgress.objects.bulk_create(
        UnitProgress(
            enrolment=enrolment,
            unit=unit,
            status=rng.choice(["completed", "in_progress", "passed"]),
            recorded_on=today - timedelta(days=rng.randint(0, 80)),
        )
        for enrolment in enrolments
        for unit in units[edition_module[enrolment.edition_id]][: rng.randint(0, 3)]
    )

    # Activities, requests, nominations and placements -----------------------------------------
    kind_cycle = list(ActivityKind)
    parents = Activity.objects.bulk_create(
        Activity(
            kind=(kind := kind_cycle[n % len(kind_cycle)]),
            programme_line=lines[KIND_LINE_NUMBER[kind]],
            host=rng.choice(companies) if kind != ActivityKind.TRAINING else rng.choice(schools),
            title=f"Activity {n}",
            status={
                ActivityKind.TRAINING: ActivityStatus.DELIVERED,
                ActivityKind.IMAGE: ActivityStatus.DELIVERED,
                ActivityKind.RESEARCH: ActivityStatus.RUNNING,
            }.get(kind, ActivityStatus.PUBLISHED),
            start_date=some_day(),
            end_date=end,
        )
        for n in range(200 * factor)
    )
    by_model: dict[type, list] = {}
    for parent in parents:
        child = _child(parent.kind, parent, rng)
        by_model.setdefault(type(child), []).append(child)
    for model, children in by_model.items():
        _insert_children(model, children)
    requestable = [a for a in parents if a.kind in REQUESTABLE_KINDS]
    statuses = [
        RequestStatus.DELIVERED,
        RequestStatus.DELIVERED,
        RequestStatus.SCHEDULED,
        RequestStatus.REQUESTED,
    ]
    requests = Request.objects.bulk_create(
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
        for n in range(400 * factor)
    )
    postings = [a for a in parents if a.kind == ActivityKind.INTERNSHIP]
    pairs = set()
    nominations = []
    for student in rng.sample(students, min(len(students), 50 * factor)):
        posting = rng.choice(postings)
        if (posting.pk, student.pk) in pairs:
            continue
        pairs.add((posting.pk, student.pk))
        nominations.append(
            Nomination(
                posting_id=posting.pk,
                student=student,
                nominated_by=(staff_of.get(student.school_id) or [None])[0],
                status=rng.choice([NominationStatus.NOMINATED, NominationStatus.ACCEPTED]),
            )
        )
    nominations = Nomination.objects.bulk_create(nominations)
    placements = Placement.objects.bulk_create(
        Placement(nomination=n, start_date=(day := some_day()), end_date=day + timedelta(days=120))
        for n in nominations
        if n.status == NominationStatus.ACCEPTED
    )

    # Money, milestones and notifications -------------------------------------------------------
    counting = [o for o in organisations if o.cofinancing_category in ("employer", "other")]
    commitments = Commitment.objects.bulk_create(
        Commitment(project=project, organisation=o, year=year, hours=Decimal(100))
        for o in new_orgs
        for year in range(1, (len(quarters) + 3) // 4 + 1)
    )
    contributions = Contribution.objects.bulk_create(
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
        for _ in range(200 * factor)
    )
    milestones = Milestone.objects.bulk_create(
        Milestone(
            project=project,
            programme_line=lines[rng.randint(1, 3)],
            kind="deliverable",
            title=f"Milestone {n}",
            due_date=some_day(),
            owner_organisation=rng.choice(organisations),
        )
        for n in range(5 * factor)
    )
    events = ActivityEvent.objects.bulk_create(
        ActivityEvent(activity=rng.choice(parents), verb="requested") for _ in range(20 * factor)
    )
    notifications = Notification.objects.bulk_create(
        Notification(recipient=person, event=event)
        for person in User.objects.exclude(email__endswith="@volume.example")
        for event in rng.sample(events, 10)
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
    }
