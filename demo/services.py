"""Demo data for `make run`: one person per role, and enough around them for every page to show
something real. Never loaded in production (the command refuses without DEBUG)."""

from collections.abc import Callable
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction

from demo.activities import load_demo_activities
from demo.finance import load_demo_finance
from demo.history import load_demo_history
from demo.kpis import load_demo_kpis
from partners.models import Invitation, Organisation, Role, User

DEMO_PASSWORD = "civbio-demo"  # noqa: S105 - the documented demo password, DEBUG only


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    organisation_slug: str
    role: str
    is_contact: bool = False
    job_title: str = ""


DEMO_LOGINS = [
    DemoPerson(
        "coordinator@demo.civbio.nl",
        "Carla de Coördinator",
        "mborijnland",
        Role.COORDINATOR,
        is_contact=True,
        job_title="Projectleider CIV Bio Sciences",
    ),
    DemoPerson(
        "docent@demo.civbio.nl",
        "Daan Docent",
        "mborijnland",
        Role.SCHOOL_STAFF,
        job_title="Docent laboratoriumtechniek",
    ),
    DemoPerson(
        "bedrijf@demo.civbio.nl",
        "Bente Bedrijf",
        "baseclear",
        Role.INDUSTRY_STAFF,
        is_contact=True,
        job_title="Praktijkopleider",
    ),
    DemoPerson(
        "financier@demo.civbio.nl",
        "Frank Financier",
        "gemeente-leiden",
        Role.FUNDER,
        job_title="Beleidsadviseur onderwijs en arbeidsmarkt",
    ),
]

# Colleagues and contacts at other partners, so directories and dashboards show real people.
DEMO_COLLEAGUES = [
    DemoPerson(
        "s.janssen@demo.civbio.nl",
        "Sanne Jansen",
        "janssen-biologics",
        Role.INDUSTRY_STAFF,
        True,
        "HR-adviseur",
    ),
    DemoPerson(
        "m.visser@demo.civbio.nl",
        "Mehmet Visser",
        "lumc",
        Role.INDUSTRY_STAFF,
        True,
        "Praktijkopleider",
    ),
    DemoPerson(
        "l.bakker@demo.civbio.nl",
        "Lotte Bakker",
        "naturalis",
        Role.INDUSTRY_STAFF,
        True,
        "Collectiebeheerder",
    ),
    DemoPerson(
        "r.smit@demo.civbio.nl", "Ruben Smit", "baseclear", Role.INDUSTRY_STAFF, False, "Analist"
    ),
    DemoPerson(
        "a.devries@demo.civbio.nl",
        "Anouk de Vries",
        "mborijnland",
        Role.SCHOOL_STAFF,
        True,
        "BPV-coördinator",
    ),
    DemoPerson(
        "y.elamrani@demo.civbio.nl",
        "Yasmina El Amrani",
        "technolab",
        Role.SCHOOL_STAFF,
        True,
        "Coördinator TechnoLab",
    ),
    DemoPerson(
        "p.mulder@demo.civbio.nl",
        "Pieter Mulder",
        "hogeschool-leiden",
        Role.SCHOOL_STAFF,
        True,
        "Lector",
    ),
    DemoPerson(
        "h.dekker@demo.civbio.nl",
        "Hanna Dekker",
        "regio-holland-rijnland",
        Role.FUNDER,
        True,
        "Programmamanager",
    ),
]


def _ensure_person(person: DemoPerson) -> bool:
    organisation = Organisation.objects.get(slug=person.organisation_slug)
    user = User.objects.filter(email=person.email).first()
    created = user is None
    if created:
        user = User.objects.create_user(
            email=person.email,
            password=DEMO_PASSWORD,
            name=person.name,
            organisation=organisation,
            role=person.role,
            is_contact=person.is_contact,
            job_title=person.job_title,
        )
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return created


@transaction.atomic
def load_demo(progress: Callable[[str], None] | None = None) -> int:
    """Create the demo people and their data (idempotent) and return how many people were new.
    Says each step through `progress`. The published reports come after, from
    demo.reports (the load_demo command makes both)."""
    say = progress or (lambda _message: None)
    say("  people")
    created = sum(_ensure_person(p) for p in DEMO_LOGINS + DEMO_COLLEAGUES)
    coordinator = User.objects.get(email=DEMO_LOGINS[0].email)
    if not Invitation.objects.filter(email="nieuw@demo.civbio.nl").exists():
        Invitation.objects.create(
            email="nieuw@demo.civbio.nl",
            name="Noor Nieuw",
            organisation=Organisation.objects.get(slug="mimetas"),
            role=Role.INDUSTRY_STAFF,
            invited_by=coordinator,
        )
    say("  activities")
    load_demo_activities()
    say("  history of the finished quarters")
    load_demo_history()
    say("  co-financing")
    load_demo_finance()
    say("  indicators and milestones")
    load_demo_kpis()
    return created
