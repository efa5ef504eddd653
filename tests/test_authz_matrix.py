"""The authorisation matrix: every URL, role, relation to the object and method has one answer.

Each named URL pattern of the project has an entry in MATRIX (a URL without one fails the suite).
For every role — coordinator (carla), school staff (dirk), industry staff (bram), funder (fien)
and an anonymous visitor — and every relation to the object the URL names, the URL is requested
with GET and with each write method the view accepts, in a world that holds objects of every kind
on two sides, and the answer is compared with the entry. POSTs carry just enough data to reach the
access decision (which for some views sits in the service, behind the form).

Answers are coarse classes: "ok" (2xx, or a redirect that is the view's own, not to the login
page), "login" (a redirect to the login page), "forbidden" (403), "notfound" (404), "method"
(405), "invalid" (400: the form refused what was named in it) and "conflict" (409).

Relations
- The world has two sides. Side A: the school (where carla and dirk work), the company (bram) and
  the municipality (fien). Side B: other_school (eva) and other_company (olaf).
- "own": the object belongs to the person's organisation: the teacher's school's student, edition,
  contribution or guest lesson; the company's guest lesson, internship place, contribution;
  an invitation into, a milestone of, the person's own organisation. Where the organisation cannot
  hold that kind of object, "own" is the object on the person's side, linked to their
  organisation where a link exists: the school's student nominated to the company's place (that
  nomination, placement and the school's request for the company's guest lesson involve both),
  the school's research project with the company as a partner.
- "other": the same kind of object on side B (other_school, other_company).
- Coordinators see the whole consortium. Their "own" is the object of carla's school (or of side
  A), "other" that of side B, and the answers are the same for both except where the relation
  means more than seeing: a school never requests its own school's offer, and a student import
  is its uploader's alone.
- Funders hold no records of the consortium. Their "own" is the municipality's where one exists
  (its profile, an invitation into it, a milestone it owns) and otherwise side A's; "other" is
  side B's. They read aggregates, so every private record is refused to them either way.
- Things that belong to a person: a calendar address and a student import are "own" when they
  are the person's own, "other" when they are eva's (a teacher at other_school). Funder reports
  belong to nobody: "own" is a published report (what funders are given), "other" one that is not
  published yet.
- activity_detail, activity_edit and activity_status add "other_draft": another organisation's
  draft, hidden from everyone but its host and the coordinators.
- activity_create's "relation" is the kind of activity asked for: an internship place, a research
  project (each role may offer one of the two, or both, or neither).
- URLs that name no object have the single relation "none". Anonymous visitors belong to no
  organisation: they are checked for every relation but "own".

Rules the matrix pins down
- A role that lacks a capability entirely gets 403, whatever the object: a funder on any staff
  page, a company on editions and students, anyone but a coordinator approving figures or
  contributions, erasing students, correcting contributions or opening the admin; a company
  nominating students (until this matrix, a 400 form error: the view now refuses first).
- An object another organisation holds privately is a 404: it is looked up through a scoping
  queryset (rules.visible_*), so the page cannot even tell it exists. Views that look up through
  an editing scope answer 404 for another organisation's object even when it is visible
  elsewhere: another partner's published activity opens on its page, but its edit, status and
  output pages are 404 (rules.editable_activities).
- 403, not 404, for another organisation's object only where that object is public to the person
  anyway: partner profiles (every partner sees every partner) and milestones (the milestone page
  lists them all). The change is refused; nothing is revealed. The same for an object the person
  sees but whose action belongs to the other party: a teacher answering the request the school
  sent, a company withdrawing a nomination or recording the school's agreement, a funder
  publishing a report.
- Where a view relies on its scoping queryset alone, a role that sees none of those objects gets
  404 rather than 403: report rows, retries, publishing and downloads for school and industry
  staff, evidence files for funders.
- A GET on a POST-only view is 405 for everyone who passes the view's outer check (login, staff,
  school); the others get that check's answer (403, or the login page).
- An object named in a form rather than in the address is refused by the form's choices: a
  teacher nominating another school's student gets 400 with the form error.
- Coordinators see the add-a-student form, but only a school's staff add students: their valid
  submission is refused (403).
- A funder's POST to the reports page changes nothing (there is no form for them): the list shows.
- The calendar feed's address is its key: it answers without a session, for the owner and for
  anyone else, as long as the owner may work with activities (a funder's feed is 404).
- Logged-in people get 409 on an invitation link (it is for someone not yet in civbio).

The admin and allauth's pages follow rules instead of entries (the two tests near the end): the
admin opens for coordinators on
the consortium's own apps, except pages its ModelAdmins keep closed (listed), and answers
everyone else 403, anonymous visitors going to the login page; allauth's pages answer logged-in
people and send anonymous visitors to the login page or not as tests/test_access.py says.

The world is built once for the module, in a transaction rolled back at the end, and every request
runs in a savepoint that is rolled back: each check sees the same world, whatever ran before it.
The figures are in COUNTS; test_the_matrix_is_complete_and_large prints them and records them as
test properties.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from PIL import Image

from activities import services
from activities.models import (
    ActivityKind,
    ActivityStatus,
    CalendarFeed,
    Nomination,
    NominationStatus,
    Placement,
    Request,
)
from ledger.models import Contribution
from partners.models import Role
from partners.tokens import invitation_token
from programmes.models import Indicator, IndicatorValue, Milestone, Project
from programmes.services import load_consortium
from reports.models import Report, ReportKind, ReportState
from students.models import Edition, Enrolment, StudentImport
from tests.browser import audit_forms
from tests.factories import (
    CompanyFactory,
    GovernmentFactory,
    InvitationFactory,
    ModuleFactory,
    QualificationFactory,
    SchoolFactory,
    StudentFactory,
    UserFactory,
)
from tests.test_access import ALLAUTH_LOGIN_REQUIRED, named_patterns

OK, LOGIN, FORBIDDEN, NOTFOUND, METHOD, INVALID, CONFLICT = (
    "ok",
    "login",
    "forbidden",
    "notfound",
    "method",
    "invalid",
    "conflict",
)
STATUS_CLASSES = {400: INVALID, 403: FORBIDDEN, 404: NOTFOUND, 405: METHOD, 409: CONFLICT}

# The world ----------------------------------------------------------------------------------

ROLES = ("coordinator", "school", "industry", "funder", "anonymous")
OWN_ORG = {
    "coordinator": "school",
    "school": "school",
    "industry": "company",
    "funder": "municipality",
}
OTHER_ORG = {
    "coordinator": "other_school",
    "school": "other_school",
    "industry": "other_company",
    "funder": "other_school",
    "anonymous": "other_school",
}
SIDES = {"A": ("school", "company", "municipality"), "B": ("other_school", "other_company")}


def side_of(org_key: str) -> str:
    return "A" if org_key in SIDES["A"] else "B"


def days(n: int):
    return timezone.localdate() + timedelta(days=n)


@dataclass
class World:
    orgs: dict
    people: dict
    objects: dict = field(default_factory=dict)

    def add(self, kind: str, **by_key):
        self.objects.setdefault(kind, {}).update(by_key)

    def pick(self, kind: str, role: str, relation: str):
        """The object of `kind` that stands in `relation` to `role`'s person."""
        org_key = (OWN_ORG if relation == "own" else OTHER_ORG)[role]
        held = self.objects[kind]
        if org_key in held:
            return held[org_key]
        side = side_of(org_key)
        if side in held:
            return held[side]
        return next(held[key] for key in SIDES[side] if key in held)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "green").save(buffer, "PNG")
    return buffer.getvalue()


def build_world() -> World:
    """The personas of tests/conftest.py (every staff persona their organisation's contact) and one
    object of every kind on each side."""
    load_consortium()
    orgs = {
        "school": SchoolFactory(name="Leiden Lab College", slug="leiden-lab-college"),
        "other_school": SchoolFactory(name="Rotterdam Tech", slug="rotterdam-tech"),
        "company": CompanyFactory(name="BioCorp", slug="biocorp"),
        "other_company": CompanyFactory(name="OtherLab", slug="otherlab"),
        "municipality": GovernmentFactory(name="Gemeente Voorbeeld", slug="gemeente-voorbeeld"),
    }
    people = {
        name: UserFactory(
            email=f"{name}@example.nl",
            name=name.title(),
            organisation=orgs[org_key],
            role=role,
            is_contact=True,
        )
        for name, org_key, role in (
            ("carla", "school", Role.COORDINATOR),
            ("dirk", "school", Role.SCHOOL_STAFF),
            ("eva", "other_school", Role.SCHOOL_STAFF),
            ("bram", "company", Role.INDUSTRY_STAFF),
            ("olaf", "other_company", Role.INDUSTRY_STAFF),
            ("fien", "municipality", Role.FUNDER),
        )
    }
    carla, dirk, eva, bram, olaf = (people[k] for k in ("carla", "dirk", "eva", "bram", "olaf"))
    company = orgs["company"]
    world = World(
        orgs=orgs,
        people={
            "coordinator": carla,
            "school": dirk,
            "industry": bram,
            "funder": people["fien"],
            "eva": eva,
            "olaf": olaf,
        },
    )
    project = Project.objects.get()
    line = project.lines.get(number=1)
    world.project, world.line = project, line
    logo = png_bytes()
    for organisation in orgs.values():
        organisation.logo.save("logo.png", ContentFile(logo), save=True)
    world.add("org", **orgs)

    # Invitations into each organisation, pending.
    invitation_roles = {
        "school": Role.SCHOOL_STAFF,
        "other_school": Role.SCHOOL_STAFF,
        "company": Role.INDUSTRY_STAFF,
        "other_company": Role.INDUSTRY_STAFF,
        "municipality": Role.FUNDER,
    }
    world.add(
        "invitation",
        **{
            key: InvitationFactory(organisation=orgs[key], role=role, invited_by=carla)
            for key, role in invitation_roles.items()
        },
    )
    world.accept_token = invitation_token(world.objects["invitation"]["other_company"])

    # Activities: a published guest lesson and a draft at every partner.
    hosts = {"school": dirk, "other_school": eva, "company": bram, "other_company": olaf}
    lesson_fields = {
        "speaker": "Spreker",
        "format": "at_school",
        "duration_minutes": 60,
        "max_group_size": 30,
    }
    for key, host in hosts.items():
        lesson = services.create_activity(
            actor=host,
            kind=ActivityKind.GUEST_LESSON,
            fields={"title": f"Gastles {key}", **lesson_fields},
        )
        services.change_activity_status(
            actor=host, activity=lesson, status=ActivityStatus.PUBLISHED
        )
        draft = services.create_activity(
            actor=host,
            kind=ActivityKind.GUEST_LESSON,
            fields={"title": f"Concept {key}", **lesson_fields},
        )
        world.add("lesson", **{key: lesson})
        world.add("draft", **{key: draft})
    # Research runs at schools; the school's project has the company as a partner (the link a
    # company has to research).
    for key, host, partners in (("school", dirk, [company]), ("other_school", eva, [])):
        project_ = services.create_activity(
            actor=host,
            kind=ActivityKind.RESEARCH,
            fields={
                "title": f"Onderzoek {key}",
                "research_question": "Wat werkt?",
                "track": "work_field",
            },
            partner_organisations=partners,
        )
        services.change_activity_status(
            actor=host, activity=project_, status=ActivityStatus.RUNNING
        )
        world.add("research", **{key: project_})
    for key, host in (("company", bram), ("other_company", olaf)):
        place = services.create_activity(
            actor=host,
            kind=ActivityKind.INTERNSHIP,
            fields={
                "title": f"Stage {key}",
                "route": "bol",
                "start_date": days(60),
                "duration_months": 5,
                "days_per_week": 4,
                "places": 3,
                "location": "Leiden",
                "application_deadline": days(30),
            },
        )
        services.change_activity_status(actor=host, activity=place, status=ActivityStatus.PUBLISHED)
        world.add("posting", **{key: place.posting})

    # Students, nominations and placements: side A is the school's student nominated to the
    # company's place, side B the other school's student nominated to the other company's.
    qualification = QualificationFactory()
    module = ModuleFactory()
    for side, school_key, company_key, teacher in (
        ("A", "school", "company", dirk),
        ("B", "other_school", "other_company", eva),
    ):
        organisation = orgs[school_key]
        posting = world.objects["posting"][company_key]
        nominated = StudentFactory(school=organisation, qualification=qualification, route="bol")
        placed = StudentFactory(school=organisation, qualification=qualification, route="bol")
        nomination = Nomination.objects.create(
            posting=posting, student=nominated, nominated_by=teacher
        )
        accepted = Nomination.objects.create(
            posting=posting,
            student=placed,
            nominated_by=teacher,
            status=NominationStatus.ACCEPTED,
        )
        placement = Placement.objects.create(
            nomination=accepted, start_date=days(60), end_date=days(200)
        )
        edition = Edition.objects.create(
            module=module,
            school=organisation,
            name=f"LAB-{side}",
            start_date=days(-10),
            end_date=days(60),
        )
        edition.teachers.add(teacher)
        enrolment = Enrolment.objects.create(edition=edition, student=nominated)
        request = Request.objects.create(
            activity=world.objects["lesson"][company_key],
            school=organisation,
            requested_by=teacher,
            date=days(14),
            group_name=f"LAB-{side}",
            student_count=20,
        )
        world.add("student", **{side: nominated})
        world.add("nomination", **{side: nomination})
        world.add("placement", **{side: placement})
        world.add("edition", **{side: edition})
        world.add("enrolment", **{side: enrolment})
        world.add("request", **{side: request})
    world.unit = module.units.first()
    world.qualification, world.module = qualification, module

    # Student imports belong to the person who uploaded them.
    world.add(
        "import",
        **{
            person.email: StudentImport.objects.create(
                school=person.organisation,
                uploaded_by=person,
                filename="lijst.csv",
                rows=[{"studentnummer": "N-1", "roepnaam": "Nieuw"}],
                total_rows=1,
            )
            for person in (carla, dirk, eva)
        },
    )
    # Calendar feeds belong to their person.
    world.add(
        "feed",
        **{
            person.email: CalendarFeed.objects.create(user=person)
            for person in (carla, dirk, bram, people["fien"], eva)
        },
    )

    # Co-financing: a submitted contribution with evidence at every partner.
    for key in hosts:
        contribution = Contribution.objects.create(
            organisation=orgs[key],
            programme_line=line,
            kind="staff_hours",
            hours=3,
            date=days(-3),
            description=f"Uren {key}",
            status="submitted",
            submitted_by=hosts[key],
        )
        contribution.evidence.save("bon.pdf", ContentFile(b"%PDF-1.7 bon"), save=True)
        world.add("contribution", **{key: contribution})

    # KPIs: a reported indicator on line 1, with a figure waiting for approval from each school.
    quarters = project.quarters()
    indicator = Indicator.objects.create(
        project=project,
        programme_line=line,
        name="Instroom",
        unit="studenten",
        source="reported",
        target_2y=100,
        target_4y=200,
    )
    world.indicator = indicator
    world.kpi_report = {
        "report": "1",
        "indicator": indicator.pk,
        "period_start": project.quarter_of(timezone.localdate())[1].isoformat(),
        "value": "5",
    }
    for number, (key, person) in enumerate((("school", dirk), ("other_school", eva))):
        value = IndicatorValue.objects.create(
            indicator=indicator,
            period_start=quarters[number][1],
            value=Decimal(10),
            status="submitted",
            submitted_by=person,
        )
        world.add("kpi_value", **{key: value})

    # Milestones owned by each organisation.
    for key, organisation in orgs.items():
        world.add(
            "milestone",
            **{
                key: Milestone.objects.create(
                    project=project,
                    programme_line=line,
                    kind="deliverable",
                    title=f"Mijlpaal {key}",
                    due_date=days(20),
                    owner_organisation=organisation,
                )
            },
        )

    # Funder reports: a published one and one not yet published (both ready, with a PDF).
    for number, published in ((1, True), (2, False)):
        report = Report.objects.create(
            kind=ReportKind.QUARTERLY,
            number=number,
            period_start=quarters[number - 1][1],
            period_end=quarters[number - 1][2],
            state=ReportState.READY,
            progress=100,
            requested_by=carla,
            published_at=timezone.now() if published else None,
            published_by=carla if published else None,
        )
        report.pdf.save("report.pdf", ContentFile(b"%PDF-1.7 report"), save=True)
        world.add("report", **{"published" if published else "draft": report})
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module, in a transaction rolled back at its end. Each test runs in a
    savepoint inside it (pytest-django's `db`), and each request in a savepoint of its own."""
    media = tmp_path_factory.mktemp("authz-media")
    # Second factors are tested in tests/civbio/test_sessions_mfa.py; here roles are the point.
    with (
        override_settings(MEDIA_ROOT=media, MFA_REQUIRED=False),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)


# The matrix -----------------------------------------------------------------------------------

Spec = str | tuple[str, ...]  # one answer, or one per relation in the entry's order


def roles(coordinator: Spec, school: Spec, industry: Spec, funder: Spec, anonymous: Spec = LOGIN):
    """Expected answers by role; a tuple gives one answer per relation, in the entry's order."""
    return {
        "coordinator": coordinator,
        "school": school,
        "industry": industry,
        "funder": funder,
        "anonymous": anonymous,
    }


def everyone(outcome: str, anonymous: str = LOGIN):
    return roles(outcome, outcome, outcome, outcome, anonymous)


PUBLIC = everyone(OK, anonymous=OK)
LOGGED_IN = everyone(OK)
STAFF = roles(OK, OK, OK, FORBIDDEN)
SCHOOLS = roles(OK, OK, FORBIDDEN, FORBIDDEN)  # coordinators and school staff
COORDINATOR = roles(OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)
FINANCE = roles(OK, FORBIDDEN, FORBIDDEN, OK)
# A GET on a POST-only view, by the wrapper that answers first: login only, staff, schools.
POST_ONLY = everyone(METHOD)
STAFF_POST_ONLY = roles(METHOD, METHOD, METHOD, FORBIDDEN)
SCHOOLS_POST_ONLY = roles(METHOD, METHOD, FORBIDDEN, FORBIDDEN)
COORDINATOR_POST_ONLY = roles(METHOD, FORBIDDEN, FORBIDDEN, FORBIDDEN)
OWN_ONLY = (OK, NOTFOUND)  # own: ok, other: 404
# Staff see their own organisation's private objects; a coordinator sees all; funders nothing.
SCOPED_STAFF = roles(OK, OWN_ONLY, OWN_ONLY, FORBIDDEN)
SCOPED_SCHOOLS = roles(OK, OWN_ONLY, FORBIDDEN, FORBIDDEN)


@dataclass(frozen=True)
class Entry:
    expected: dict[str, dict[str, Spec]]  # method -> role -> answer(s)
    target: Callable = lambda w, role, relation: {}  # URL kwargs for (role, relation)
    relations: tuple[str, ...] = ("none",)
    data: dict | Callable = field(default_factory=dict)  # what the write methods post

    def relations_for(self, role: str) -> tuple[str, ...]:
        if role == "anonymous":
            return tuple(r for r in self.relations if r != "own")
        return self.relations

    def answer(self, method: str, role: str, relation: str) -> str:
        spec = self.expected[method][role]
        if isinstance(spec, str):
            return spec
        assert len(spec) == len(self.relations), (spec, self.relations)
        return spec[self.relations.index(relation)]

    def post_data(self, world, role: str, relation: str) -> dict:
        return self.data(world, role, relation) if callable(self.data) else self.data


def page(get, **kwargs) -> Entry:
    return Entry({"GET": get}, **kwargs)


def form(get, post=None, **kwargs) -> Entry:
    """A page with a form: GET shows it, POST submits it (same answers unless `post` is given)."""
    return Entry({"GET": get, "POST": post or get}, **kwargs)


def action(post, get, **kwargs) -> Entry:
    """A POST-only view (require_POST); `get` is what a GET gets."""
    return Entry({"GET": get, "POST": post}, **kwargs)


OWN_OTHER = ("own", "other")


def obj(kind: str, kwarg: str = "pk", attr: str = "pk", **fixed):
    """The URL names the object of `kind` in the relation being checked."""

    def target(w, role, relation):
        return {kwarg: getattr(w.pick(kind, role, relation), attr), **fixed}

    return target


def on(kind: str, **kwargs) -> dict:
    return {"target": obj(kind, **kwargs), "relations": OWN_OTHER}


def personal(kind: str, kwarg: str, attr: str):
    """Objects that belong to a person: the person's own, or a teacher's at other_school (eva).
    Roles whose person has none get the school teacher's (dirk's)."""

    def target(w, role, relation):
        held = w.objects[kind]
        owner = w.people["eva"] if relation == "other" else w.people.get(role)
        item = held.get(owner.email) if owner else None
        return {kwarg: getattr(item or held[w.people["school"].email], attr)}

    return target


def report(**fixed):
    def target(w, role, relation):
        return {
            "pk": w.objects["report"]["published" if relation == "own" else "draft"].pk,
            **fixed,
        }

    return target


def catalogue(name: str):
    """The URL names the world's qualification, module or unit: shared by everyone."""

    def target(w, role, relation):
        return {"pk": getattr(w, name).pk}

    return target


def later(n: int) -> str:
    return (timezone.localdate() + timedelta(days=n)).isoformat()


MATRIX: dict[str, Entry] = {
    # Public and operational ------------------------------------------------------------------
    "healthz": page(PUBLIC),
    "home": page(PUBLIC),
    "reports:figures": page(PUBLIC),
    "set_language": form(PUBLIC, data={"language": "en", "next": "/"}),
    "calendar_feed": page(
        roles(OK, OK, OK, (NOTFOUND, OK), anonymous=OK),
        target=personal("feed", "token", "token"),
        relations=OWN_OTHER,
    ),
    "dashboard": page(LOGGED_IN),
    "programmes:project_detail": page(LOGGED_IN),
    # Partners ---------------------------------------------------------------------------------
    # One's own account: it names nobody else, so everyone logged in gets their own.
    "partners:account": form(LOGGED_IN),
    "partners:organisation_list": page(LOGGED_IN),
    "partners:organisation_detail": page(LOGGED_IN, **on("org", kwarg="slug", attr="slug")),
    # Every partner is visible to everyone logged in, so someone else's profile is a 403.
    "partners:organisation_edit": form(
        roles(OK, (OK, FORBIDDEN), (OK, FORBIDDEN), (OK, FORBIDDEN)),
        **on("org", kwarg="slug", attr="slug"),
    ),
    "partners:organisation_logo": page(PUBLIC, **on("org", kwarg="slug", attr="slug")),
    # The project office runs the consortium: adding partners, recording that one leaves (or
    # taking that back), changing a co-financing category. Everyone else is refused before the
    # partner is looked up. A coordinator's POST to the leave page without the confirmation
    # button shows the confirmation; the world's partners have not left, so taking a departure
    # back sends the coordinator to the partner's page.
    "partners:organisation_add": form(COORDINATOR),
    "partners:organisation_leave": form(
        COORDINATOR,
        data={"last_day": later(0), "reason": "Vertrekt"},
        **on("org", kwarg="slug", attr="slug"),
    ),
    "partners:organisation_rejoin": form(
        COORDINATOR, data={"reason": "Blijft"}, **on("org", kwarg="slug", attr="slug")
    ),
    "partners:organisation_category": form(COORDINATOR, **on("org", kwarg="slug", attr="slug")),
    # Every persona is their organisation's contact person, who may invite colleagues.
    "partners:invitation_list": page(LOGGED_IN),
    "partners:invitation_create": form(LOGGED_IN),
    "partners:invitation_revoke": action(
        roles(OK, OWN_ONLY, OWN_ONLY, OWN_ONLY), POST_ONLY, **on("invitation")
    ),
    "partners:invitation_resend": action(
        roles(OK, OWN_ONLY, OWN_ONLY, OWN_ONLY), POST_ONLY, **on("invitation")
    ),
    "partners:invitation_accept": form(
        everyone(CONFLICT, anonymous=OK), target=lambda w, role, relation: {"token": w.accept_token}
    ),
    # Activities -------------------------------------------------------------------------------
    "activities:board": page(STAFF),
    "activities:board_csv": page(STAFF),
    "activities:public_board": page(PUBLIC),
    "activities:activity_list": page(STAFF, target=lambda w, r, rel: {"kind": "guest_lesson"}),
    "activities:activity_create": form(
        roles(OK, (FORBIDDEN, OK), (OK, FORBIDDEN), FORBIDDEN),
        target=lambda w, role, relation: {"kind": relation},
        relations=("internship", "research"),
    ),
    # A published activity is visible to all staff; a draft only to its host and coordinators.
    "activities:activity_detail": page(
        roles(OK, (OK, OK, NOTFOUND), (OK, OK, NOTFOUND), FORBIDDEN),
        target=lambda w, role, relation: {
            "pk": w.pick("draft" if relation == "other_draft" else "lesson", role, relation).pk
        },
        relations=("own", "other", "other_draft"),
    ),
    "activities:activity_edit": form(
        roles(OK, (OK, NOTFOUND, NOTFOUND), (OK, NOTFOUND, NOTFOUND), FORBIDDEN),
        target=lambda w, role, relation: {
            "pk": w.pick("draft" if relation == "other_draft" else "lesson", role, relation).pk
        },
        relations=("own", "other", "other_draft"),
    ),
    # Cancelling and closing answer GET and an unconfirmed POST with their confirmation page;
    # other statuses' GET goes back to the activity.
    "activities:activity_status": form(
        roles(OK, (OK, NOTFOUND, NOTFOUND), (OK, NOTFOUND, NOTFOUND), FORBIDDEN),
        target=lambda w, role, relation: {
            "pk": w.pick("draft" if relation == "other_draft" else "lesson", role, relation).pk
        },
        relations=("own", "other", "other_draft"),
        data={"status": "cancelled"},
    ),
    # Only the host reopens a cancelled activity (a live one goes back to its page).
    "activities:activity_reopen": form(
        roles(OK, (OK, NOTFOUND, NOTFOUND), (OK, NOTFOUND, NOTFOUND), FORBIDDEN),
        target=lambda w, role, relation: {
            "pk": w.pick("draft" if relation == "other_draft" else "lesson", role, relation).pk
        },
        relations=("own", "other", "other_draft"),
        data={"confirm": "yes"},
    ),
    # Only the hosting school adds outputs; the company is a partner in the school's project.
    "activities:research_output_add": action(
        roles(OK, OWN_ONLY, NOTFOUND, FORBIDDEN),
        STAFF_POST_ONLY,
        data={"kind": "report", "title": "Rapport"},
        **on("research"),
    ),
    # A school asks for another organisation's offer, never its own.
    "activities:request_create": action(
        roles((FORBIDDEN, OK), (FORBIDDEN, OK), FORBIDDEN, FORBIDDEN),
        STAFF_POST_ONLY,
        data={"date": later(21), "group_name": "LAB-X", "student_count": 10},
        **on("lesson"),
    ),
    "activities:nominate": action(
        roles(OK, (OK, INVALID), FORBIDDEN, FORBIDDEN),
        STAFF_POST_ONLY,
        data=lambda w, role, relation: {"student": w.pick("student", role, relation).pk},
        **on("posting"),
    ),
    "activities:my_requests": page(STAFF),
    # The host answers; the requesting school responds to a proposal; either side cancels or
    # reports delivery. Another organisation's request is a 404.
    "activities:request_answer": action(
        roles(OK, (FORBIDDEN, NOTFOUND), OWN_ONLY, FORBIDDEN),
        STAFF_POST_ONLY,
        data={"decision": "decline"},
        **on("request"),
    ),
    "activities:request_proposal": action(
        roles(OK, OWN_ONLY, (FORBIDDEN, NOTFOUND), FORBIDDEN),
        STAFF_POST_ONLY,
        data={"accept": "1"},
        **on("request"),
    ),
    # Cancelling and withdrawing open a confirmation page first (GET, or a POST without it).
    "activities:request_cancel": form(
        SCOPED_STAFF, data={"reason": "Ziek", "confirm": "yes"}, **on("request")
    ),
    "activities:request_deliver": action(SCOPED_STAFF, STAFF_POST_ONLY, **on("request")),
    # The company answers a nomination; the school withdraws it and records the agreement.
    "activities:nomination_answer": action(
        roles(OK, (FORBIDDEN, NOTFOUND), OWN_ONLY, FORBIDDEN),
        STAFF_POST_ONLY,
        data={"decision": "decline"},
        **on("nomination"),
    ),
    "activities:nomination_withdraw": form(
        roles(OK, OWN_ONLY, (FORBIDDEN, NOTFOUND), FORBIDDEN),
        data={"reason": "Verhuisd", "confirm": "yes"},
        **on("nomination"),
    ),
    "activities:placement_agreement": action(
        roles(OK, OWN_ONLY, (FORBIDDEN, NOTFOUND), FORBIDDEN),
        STAFF_POST_ONLY,
        data={"pok_reference": "POK-1"},
        **on("placement"),
    ),
    "activities:notifications": page(LOGGED_IN),
    "activities:notifications_read": action(LOGGED_IN, POST_ONLY),
    "activities:reminder_settings": form(LOGGED_IN),
    "activities:calendar": page(STAFF),
    "activities:calendar_regenerate": action(STAFF, STAFF_POST_ONLY),
    # When the periodic work runs is the project office's (everyone else: 403). A coordinator's
    # empty POST is a form with errors (the time is required), shown again.
    "activities:schedule_list": page(COORDINATOR),
    "activities:schedule_edit": form(
        COORDINATOR,
        target=lambda w, role, relation: {
            "pk": PeriodicTask.objects.get(name="civbio: reminders").pk
        },
    ),
    # Modules, editions, students --------------------------------------------------------------
    "students:module_list": page(STAFF),
    # The catalogues are the project office's: qualifications, modules and their units. They
    # belong to no organisation; everyone else is refused before anything is read. Empty POSTs
    # are forms shown again with their errors; a unit's removal shows its confirmation first.
    "students:qualification_list": page(COORDINATOR),
    "students:qualification_create": form(COORDINATOR),
    "students:qualification_edit": form(COORDINATOR, target=catalogue("qualification")),
    "students:qualification_retire": action(
        COORDINATOR, COORDINATOR_POST_ONLY, target=catalogue("qualification")
    ),
    "students:module_create": form(COORDINATOR),
    "students:module_edit": form(COORDINATOR, target=catalogue("module")),
    "students:unit_add": action(
        COORDINATOR,
        COORDINATOR_POST_ONLY,
        data={"unit-title": "Nieuwe eenheid", "unit-hours": "4"},
        target=catalogue("module"),
    ),
    "students:unit_edit": form(COORDINATOR, target=catalogue("unit")),
    "students:unit_move": action(
        COORDINATOR, COORDINATOR_POST_ONLY, data={"direction": "down"}, target=catalogue("unit")
    ),
    "students:unit_remove": form(COORDINATOR, target=catalogue("unit")),
    "students:edition_list": page(SCHOOLS),
    "students:edition_create": form(SCHOOLS),
    "students:edition_detail": page(SCOPED_SCHOOLS, **on("edition")),
    "students:edition_cell": action(
        SCOPED_SCHOOLS,
        SCHOOLS_POST_ONLY,
        data=lambda w, role, relation: {
            "enrolment": w.pick("enrolment", role, relation).pk,
            "unit": w.unit.pk,
            "status": "completed",
        },
        **on("edition"),
    ),
    "students:edition_bulk": action(SCOPED_SCHOOLS, SCHOOLS_POST_ONLY, **on("edition")),
    "students:edition_enrol": action(SCOPED_SCHOOLS, SCHOOLS_POST_ONLY, **on("edition")),
    "students:edition_export": page(SCOPED_SCHOOLS, **on("edition", fmt="csv")),
    "students:student_list": page(SCHOOLS),
    "students:student_import": form(SCHOOLS),
    "students:student_import_template": page(SCHOOLS),
    # An import is the uploader's alone, a coordinator's included.
    "students:student_import_preview": form(
        roles(OWN_ONLY, OWN_ONLY, FORBIDDEN, FORBIDDEN),
        target=personal("import", "pk", "pk"),
        relations=OWN_OTHER,
    ),
    "students:student_import_progress": page(
        roles(OWN_ONLY, OWN_ONLY, FORBIDDEN, FORBIDDEN),
        target=personal("import", "pk", "pk"),
        relations=OWN_OTHER,
    ),
    # Coordinators see the form, but only a school's staff add its students (the service says
    # so: a coordinator's valid submission is refused).
    "students:student_create": form(
        SCHOOLS,
        post=roles(FORBIDDEN, OK, FORBIDDEN, FORBIDDEN),
        data=lambda w, role, relation: {
            "student_number": "N-900",
            "display_name": "Nieuwe student",
            "qualification": w.objects["student"]["A"].qualification_id,
            "level": 3,
            "route": "bol",
            "cohort": 2025,
        },
    ),
    "students:student_detail": page(SCOPED_SCHOOLS, **on("student")),
    "students:student_edit": form(SCOPED_SCHOOLS, **on("student")),
    "students:student_export": page(SCOPED_SCHOOLS, **on("student")),
    "students:student_export_page": page(SCOPED_SCHOOLS, **on("student")),
    # Erasure is the project office's job: everyone else lacks the capability (403).
    "students:student_erase": form(COORDINATOR, data={"confirm": "yes"}, **on("student")),
    "activities:matches": page(SCHOOLS),
    # Every open place is on the board: any school's staff see which of their students fit it.
    "activities:opportunity_matches": page(SCHOOLS, **on("posting")),
    "activities:match_nominate": action(
        SCOPED_SCHOOLS,
        SCHOOLS_POST_ONLY,
        relations=OWN_OTHER,
        target=lambda w, role, relation: {
            "pk": w.objects["posting"]["company"].pk,
            "student_pk": w.pick("student", role, relation).pk,
        },
    ),
    # Dashboards, finance, KPIs, milestones ----------------------------------------------------
    "reports:dashboard_coordinator": page(COORDINATOR),
    "reports:dashboard_school": page(roles(FORBIDDEN, OK, FORBIDDEN, FORBIDDEN)),
    "reports:dashboard_industry": page(roles(FORBIDDEN, FORBIDDEN, OK, FORBIDDEN)),
    "reports:dashboard_funder": page(roles(FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)),
    "reports:finance": page(FINANCE),
    "reports:finance_export": page(FINANCE, target=lambda w, r, rel: {"fmt": "csv"}),
    # Everyone reads the KPIs; coordinators and school staff report figures.
    "reports:kpis": form(LOGGED_IN, post=SCHOOLS, data=lambda w, r, rel: w.kpi_report),
    "reports:kpis_line": form(
        LOGGED_IN,
        post=SCHOOLS,
        target=lambda w, r, rel: {"number": w.line.number},
        data=lambda w, r, rel: w.kpi_report,
    ),
    "reports:kpi_export": page(LOGGED_IN, target=lambda w, r, rel: {"fmt": "csv"}),
    "programmes:indicator_value_decide": action(
        COORDINATOR, POST_ONLY, **on("kpi_value", decision="approve")
    ),
    "programmes:milestones": page(LOGGED_IN),
    # The plan is the project office's (issue #24): indicators and their targets, milestones.
    # Everyone else is refused before anything is looked up. A coordinator's POST without the
    # confirmation button shows the retire or remove confirmation; an empty form shows its errors.
    "programmes:indicators": page(COORDINATOR),
    "programmes:indicator_create": form(COORDINATOR),
    "programmes:indicator_edit": form(COORDINATOR, target=lambda w, r, rel: {"pk": w.indicator.pk}),
    "programmes:indicator_retire": form(
        COORDINATOR, target=lambda w, r, rel: {"pk": w.indicator.pk}
    ),
    "programmes:milestone_create": form(COORDINATOR),
    "programmes:milestone_edit": form(COORDINATOR, **on("milestone")),
    "programmes:milestone_delete": form(COORDINATOR, **on("milestone")),
    # Milestones are listed to everyone: another organisation's is refused (403), not hidden.
    "programmes:milestone_update": action(
        roles(OK, (OK, FORBIDDEN), (OK, FORBIDDEN), FORBIDDEN),
        POST_ONLY,
        data={"status": "planned"},
        **on("milestone"),
    ),
    # Funder reports ----------------------------------------------------------------------------
    # A funder's POST to the list changes nothing (there is no form for them): the list shows.
    "reports:report_list": form(roles(OK, FORBIDDEN, FORBIDDEN, OK)),
    "reports:report_row": page(
        roles(OK, NOTFOUND, NOTFOUND, OWN_ONLY), target=report(), relations=OWN_OTHER
    ),
    "reports:report_retry": action(
        roles(OK, NOTFOUND, NOTFOUND, (FORBIDDEN, NOTFOUND)),
        POST_ONLY,
        target=report(),
        relations=OWN_OTHER,
    ),
    "reports:report_publish": form(
        roles(OK, NOTFOUND, NOTFOUND, (FORBIDDEN, NOTFOUND)),
        target=report(),
        relations=OWN_OTHER,
        data={"confirm": "yes"},
    ),
    # Closing quarters: coordinators only. Sent without the confirmation's own button, the
    # choice shows the confirmation page and closes nothing.
    "reports:quarter_close": form(COORDINATOR, data={"quarter": "1"}),
    "reports:report_download": page(
        roles(OK, NOTFOUND, NOTFOUND, OWN_ONLY), target=report(fmt="pdf"), relations=OWN_OTHER
    ),
    # Co-financing ------------------------------------------------------------------------------
    "ledger:my_contributions": form(STAFF),
    "ledger:contribution_review": page(COORDINATOR),
    "ledger:contribution_edit": form(SCOPED_STAFF, **on("contribution")),
    "ledger:contribution_evidence": page(
        roles(OK, OWN_ONLY, OWN_ONLY, NOTFOUND), **on("contribution")
    ),
    "ledger:contribution_correct": form(COORDINATOR, **on("contribution")),
    "ledger:contribution_decide": action(
        COORDINATOR, POST_ONLY, **on("contribution", decision="approve")
    ),
}


# Running it -------------------------------------------------------------------------------------

ALLAUTH_PREFIXES = ("account_", "mfa_")
PATTERNS = dict(named_patterns())
ADMIN_NAMES = sorted(name for name in PATTERNS if name.startswith("admin:"))
ALLAUTH_NAMES = sorted(name for name in PATTERNS if name.startswith(ALLAUTH_PREFIXES))


def combinations(entry: Entry):
    for role in ROLES:
        for relation in entry.relations_for(role):
            for method in entry.expected:
                yield role, relation, method, entry.answer(method, role, relation)


def classify(response) -> str:
    code = response.status_code
    if 300 <= code < 400:
        return LOGIN if response["Location"].startswith(reverse("account_login")) else OK
    if 200 <= code < 300:
        return OK
    return STATUS_CLASSES.get(code, f"status {code}")


def ask(client, method: str, url: str, data: dict | None = None, *, follow: bool = False):
    """One request in a savepoint that is rolled back, so every check sees the same world."""
    with transaction.atomic():
        if method == "GET":
            response = client.get(url, follow=follow)
        else:
            # The token a page gave the browser, sent as htmx sends it (the client checks CSRF).
            response = client.post(
                url, data or {}, follow=follow, headers={"X-CSRFToken": csrf_token(client)}
            )
        if response.streaming:
            # Reading to the end closes files and fires request_finished, as a server would.
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    # A language chosen on one page must not redirect the next one.
    client.cookies.pop(django_settings.LANGUAGE_COOKIE_NAME, None)
    return response


def csrf_token(client) -> str:
    if "csrftoken" not in client.cookies:
        # Every page renders the header's language form, and with it the token's cookie.
        with transaction.atomic():
            client.get(reverse("home"))
            transaction.set_rollback(True)
    return client.cookies["csrftoken"].value


def log_in(client, world, role: str) -> None:
    client.logout()
    if role != "anonymous":
        client.force_login(world.people[role])


def described(response) -> str:
    location = response.get("Location", "")
    return f"{response.status_code}{' -> ' + location if location else ''}"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_every_role_and_relation_gets_the_expected_answer(name, world, db, client):
    entry = MATRIX[name]
    wrong, checked = [], 0
    for role in ROLES:
        log_in(client, world, role)
        for relation in entry.relations_for(role):
            url = reverse(name, kwargs=entry.target(world, role, relation) or None)
            for method in entry.expected:
                expected = entry.answer(method, role, relation)
                response = ask(client, method, url, entry.post_data(world, role, relation))
                checked += 1
                if classify(response) != expected:
                    wrong.append(
                        f"  {role:<11} {relation:<11} {method:<4} expected {expected:<9} "
                        f"got {classify(response):<9} ({described(response)}) {url}"
                    )

    assert checked == COUNTS["per_url"][name]
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


def reachable_pages(world):
    """(role, relation, url) of every page of the matrix that a role opens with GET."""
    for name in sorted(MATRIX):
        entry = MATRIX[name]
        if "GET" not in entry.expected:
            continue
        for role in ROLES:
            for relation in entry.relations_for(role):
                if entry.answer("GET", role, relation) == OK:
                    yield (
                        name,
                        role,
                        relation,
                        reverse(name, kwargs=entry.target(world, role, relation) or None),
                    )


def test_every_form_a_persona_reaches_can_be_sent_by_a_browser(world, db, client):
    """Every POST form on every page each persona opens holds the CSRF token a browser sends
    (or is an htmx form on a page that sends it in hx-headers), and no button's name overwrites
    one of the form's fields (the button's value would win)."""
    problems, pages, forms = [], 0, 0
    signed_in_as = None
    for name, role, relation, url in reachable_pages(world):
        if role != signed_in_as:
            log_in(client, world, role)
            signed_in_as = role
        response = ask(client, "GET", url, follow=True)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        html = response.content.decode()
        forms += html.count("<form")
        problems += [f"{name} ({role}, {relation}) {url}: {p}" for p in audit_forms(html)]

    assert pages > 100 and forms > 200, (pages, forms)
    assert not problems, "\n".join(sorted(set(problems)))


# The admin and allauth, by rule ------------------------------------------------------------------

# Models outside the consortium's apps (civbio.rules.COORDINATOR_APP_LABELS): allauth's e-mail
# addresses and second factors, groups, and the audit log (read on the partner, activity and student
# pages instead). Their admin pages are closed to coordinators too.
ADMIN_OUTSIDE_COORDINATOR_APPS = (
    "auth_group_",
    "account_emailaddress_",
    "mfa_authenticator_",
    "auditlog_logentry_",
)
# The rest opens for coordinators, except pages their ModelAdmins keep closed on purpose, and two
# of the admin's own.
ADMIN_COORDINATOR_EXCEPTIONS = {
    # Figures change through approval and recorded corrections, never by hand.
    "admin:ledger_contribution_add": FORBIDDEN,
    "admin:ledger_contribution_delete": FORBIDDEN,
    # Made by the system: reminders by the nightly run, reports by the worker.
    "admin:activities_reminder_add": FORBIDDEN,
    "admin:reports_report_add": FORBIDDEN,
    # The report the admin pages name is published: what a funder received never goes away.
    "admin:reports_report_delete": FORBIDDEN,
    # People join and are invited through the invitations page, which checks roles.
    "admin:partners_user_add": FORBIDDEN,
    "admin:partners_invitation_add": FORBIDDEN,
    "admin:logout": METHOD,  # logging out is a POST
}


def fill_admin_gaps(world) -> None:
    """One object of every model the admin shows that the world has none of, so that every
    change, delete and history page names a real object."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from django.contrib.auth.models import Group
    from django_celery_beat.models import ClockedSchedule, IntervalSchedule, SolarSchedule

    from activities.models import Reminder
    from programmes.models import BudgetLine, Commitment, Narrative

    Group.objects.create(name="Projectbureau")
    RecoveryCodes.activate(world.people["eva"])
    ClockedSchedule.objects.create(clocked_time=timezone.now())
    IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    SolarSchedule.objects.create(event="sunrise", latitude=52.16, longitude=4.49)
    BudgetLine.objects.create(
        project=world.project, programme_line=world.line, category="staff", year=1, amount=1000
    )
    Commitment.objects.create(project=world.project, organisation=world.orgs["company"], year=1)
    Narrative.objects.create(programme_line=world.line, period_start=world.project.start_date)
    Reminder.objects.create(
        kind="deadline",
        target_type="activity",
        target_id=world.objects["posting"]["company"].pk,
        recipient=world.people["school"],
        due=timezone.localdate(),
        title="Sluitingsdatum",
    )


def admin_url(name: str, world) -> str:
    pattern = PATTERNS[name]
    kwargs = {}
    for key in pattern.pattern.regex.groupindex:
        if key == "app_label":
            kwargs[key] = "partners"
        elif key == "content_type_id":
            kwargs[key] = ContentType.objects.get_for_model(world.orgs["school"]).pk
        elif key == "object_id" and name == "admin:view_on_site":
            kwargs[key] = world.orgs["school"].pk
        elif key == "object_id":
            kwargs[key] = admin_model(name)._default_manager.order_by("pk").first().pk
        else:
            raise AssertionError(f"no sample value for {key} in {name}")
    url = reverse(name, kwargs=kwargs)
    if name == "admin:autocomplete":
        # Not the `host` field: OrganisationAdmin's annotated queryset loses Meta.ordering, and
        # its autocomplete pages an unordered list (a warning, which this suite makes an error).
        url += "?app_label=activities&model_name=activity&field_name=qualifications&term=Lab"
    return url


def admin_model(name: str):
    suffix = name.removeprefix("admin:")
    for model in admin.site._registry:
        if suffix.startswith(f"{model._meta.app_label}_{model._meta.model_name}_"):
            return model
    raise AssertionError(f"no model for {name}")


def admin_expected(name: str, role: str) -> str:
    if role == "anonymous":
        return LOGIN
    if role != "coordinator" or name.removeprefix("admin:").startswith(
        ADMIN_OUTSIDE_COORDINATOR_APPS
    ):
        return FORBIDDEN
    return ADMIN_COORDINATOR_EXCEPTIONS.get(name, OK)


def followed(response) -> str:
    """The answer at the end of the redirects: the login page, or the last status."""
    if any(url.startswith(reverse("account_login")) for url, _status in response.redirect_chain):
        return LOGIN
    return classify(response)


def test_the_admin_opens_for_coordinators_only(world, db, client):
    fill_admin_gaps(world)
    wrong, checked = [], 0
    for role in ROLES:
        log_in(client, world, role)
        for name in ADMIN_NAMES:
            url = admin_url(name, world)
            # Someone without access is sent to the admin's login, which answers 403 (or sends
            # an anonymous visitor on to the real login page): follow to the end.
            response = ask(client, "GET", url, follow=role != "coordinator")
            got = followed(response) if role != "coordinator" else classify(response)
            checked += 1
            if got != admin_expected(name, role):
                wrong.append(
                    f"  {role:<11} {name:<50} expected {admin_expected(name, role)} got {got}"
                )
    assert checked == COUNTS["admin"]
    assert not wrong, "\n".join(wrong)


def allauth_expected(name: str, role: str) -> str:
    if role == "anonymous":
        return LOGIN if name in ALLAUTH_LOGIN_REQUIRED else ALLAUTH_ANONYMOUS.get(name, OK)
    return ALLAUTH_LOGGED_IN.get(name, OK)


# allauth's own answers where they are not a plain page. The steps in the middle of a login (the
# code sent by e-mail, the second factor) send a visitor with no login under way back to the login
# page; the pages of a second factor that is not set up are 404 (nobody in the world has one).
ALLAUTH_ANONYMOUS = {"account_confirm_login_code": LOGIN, "mfa_authenticate": LOGIN}
ALLAUTH_LOGGED_IN = {
    "mfa_deactivate_totp": NOTFOUND,
    "mfa_download_recovery_codes": NOTFOUND,
    "mfa_view_recovery_codes": NOTFOUND,
}


def test_allauth_pages_follow_the_login_rule(world, db, client):
    wrong, checked = [], 0
    for role in ROLES:
        log_in(client, world, role)
        for name in ALLAUTH_NAMES:
            pattern = PATTERNS[name]
            kwargs = dict.fromkeys(pattern.pattern.regex.groupindex, "x")
            response = ask(client, "GET", reverse(name, kwargs=kwargs or None))
            checked += 1
            if classify(response) != allauth_expected(name, role):
                wrong.append(
                    f"  {role:<11} {name:<40} expected {allauth_expected(name, role)} "
                    f"got {classify(response)} ({described(response)})"
                )
    assert checked == COUNTS["allauth"]
    assert not wrong, "\n".join(wrong)


# Completeness and the figures ------------------------------------------------------------------

COUNTS = {
    "per_url": {name: sum(1 for _ in combinations(entry)) for name, entry in MATRIX.items()},
    "admin": len(ADMIN_NAMES) * len(ROLES),
    "allauth": len(ALLAUTH_NAMES) * len(ROLES),
}
COUNTS["url_names"] = len(PATTERNS)
COUNTS["matrix_urls"] = len(MATRIX)
COUNTS["matrix_checks"] = sum(COUNTS["per_url"].values())
COUNTS["total_checks"] = COUNTS["matrix_checks"] + COUNTS["admin"] + COUNTS["allauth"]


def test_every_url_pattern_has_an_entry():
    by_rule = set(ADMIN_NAMES) | set(ALLAUTH_NAMES)
    missing = sorted(set(PATTERNS) - set(MATRIX) - by_rule)
    stale = sorted(set(MATRIX) - set(PATTERNS))

    assert missing == [], f"URL patterns without an entry in the authorisation matrix: {missing}"
    assert stale == [], f"entries for URL patterns that no longer exist: {stale}"


def test_the_matrix_is_complete_and_large(record_property):
    for key in ("url_names", "matrix_urls", "matrix_checks", "admin", "allauth", "total_checks"):
        record_property(key, COUNTS[key])
    print(
        f"\nauthorisation matrix: {COUNTS['url_names']} URL names; {COUNTS['matrix_urls']} with "
        f"entries, {COUNTS['matrix_checks']} (url, role, relation, method) checks; admin "
        f"{len(ADMIN_NAMES)} names / {COUNTS['admin']} checks; allauth {len(ALLAUTH_NAMES)} "
        f"names / {COUNTS['allauth']} checks; {COUNTS['total_checks']} checks in all"
    )
    assert COUNTS["matrix_urls"] + len(ADMIN_NAMES) + len(ALLAUTH_NAMES) == COUNTS["url_names"]
    assert COUNTS["matrix_checks"] > 900
