"""Demo history: what the consortium did in the quarters before the current one, so the KPI
trends and the dashboards of `make run` show a project with a past, not one that began last week.
Written straight into the tables (no notifications for things long done); deterministic."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from activities.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Event,
    Posting,
    Request,
    RequestStatus,
    ResearchProject,
)
from partners.models import Organisation, Role, User
from programmes.selectors import current_project

MARK = "HIST-"
SCHOOLS = ["mborijnland", "leidse-instrumentmakers-school", "roc-midden-nederland"]
COMPANIES = ["baseclear", "janssen-biologics", "lumc", "naturalis", "eurofins", "mimetas"]
TRAININGS = [
    "Scholing PCR en qPCR voor docenten",
    "Workshop GMP in de praktijk",
    "Train-de-trainer: begeleiden van stagiairs",
    "Scholing celkweek en steriel werken",
]
IMAGE = [
    "Open dag Bio Science Park",
    "Laboratoriumdag voor vmbo-leerlingen",
    "Science Week: proefjes op school",
    "Ouderavond Werken in de life sciences",
]


def _day_in(rng: random.Random, start, end):
    return start + timedelta(days=rng.randint(0, (end - start).days))


@transaction.atomic
def load_demo_history() -> int:
    """Fill every finished quarter once (skipped when the history is there). Returns how many
    rows were made."""
    project = current_project()
    if project is None or Request.objects.filter(group_name__startswith=MARK).exists():
        return 0
    lessons = list(Activity.objects.of_kind(ActivityKind.GUEST_LESSON, ActivityKind.COMPANY_VISIT))
    if not lessons:
        return 0
    lines = {line.number: line for line in project.lines.all()}
    organisations = {o.slug: o for o in Organisation.objects.filter(slug__in=SCHOOLS + COMPANIES)}
    teachers = {
        u.organisation_id: u for u in User.objects.filter(role=Role.SCHOOL_STAFF).order_by("pk")
    }
    schools = [organisations[s] for s in SCHOOLS if s in organisations]
    companies = [organisations[s] for s in COMPANIES if s in organisations]
    made = 0
    today = timezone.localdate()
    for number, start, end in project.quarters():
        if end >= today:
            break
        rng = random.Random(number)  # noqa: S311 - demo data, nothing secret
        for n in range(rng.randint(2, 4)):
            school = rng.choice(schools)
            Request.objects.create(
                activity=rng.choice(lessons),
                school=school,
                requested_by=teachers.get(school.pk),
                date=_day_in(rng, start, end),
                group_name=f"{MARK}{number}-{n}",
                student_count=24,
                status=RequestStatus.DELIVERED,
                students_reached=rng.randint(16, 28),
            )
            made += 1
        Event.objects.create(
            kind=ActivityKind.TRAINING,
            programme_line=lines[1],
            host=rng.choice(schools + companies),
            title=TRAININGS[number % len(TRAININGS)],
            status=ActivityStatus.DELIVERED,
            start_date=_day_in(rng, start, end),
            audience="teachers",
            people_reached=rng.randint(3, 7),
        )
        Event.objects.create(
            kind=ActivityKind.IMAGE,
            programme_line=lines[3],
            host=rng.choice(companies),
            title=IMAGE[number % len(IMAGE)],
            status=ActivityStatus.DELIVERED,
            start_date=_day_in(rng, start, end),
            audience="vo_pupils",
            people_reached=rng.randint(40, 110),
        )
        day = _day_in(rng, start, end)
        Posting.objects.create(
            kind=ActivityKind.INTERNSHIP,
            programme_line=lines[1],
            host=rng.choice(companies),
            title=f"Stageplaats analist ({start:%B %Y})",
            status=ActivityStatus.CLOSED,
            start_date=day,
            end_date=day + timedelta(days=150),
            route=rng.choice(["bol", "bbl"]),
            days_per_week=4,
            places=rng.randint(2, 5),
            location="Leiden",
        )
        made += 3
        if number % 4 == 2:
            ResearchProject.objects.create(
                kind=ActivityKind.RESEARCH,
                programme_line=lines[2],
                host=rng.choice(companies),
                title=f"Practoraatsonderzoek {number // 4 + 1}: van lab naar les",
                status=ActivityStatus.DELIVERED if number < 12 else ActivityStatus.RUNNING,
                start_date=_day_in(rng, start, end),
                track="work_field",
            )
            made += 1
    return made
