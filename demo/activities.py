"""Demo activities: every kind, across the partners, in every status, with students, requests,
nominations and their timelines, so each page shows a lived-in project.

Dates are relative to the day the demo is loaded. Crebo codes are illustrative: coordinators
maintain the real list of qualifications.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from activities import services
from activities.models import (
    Activity,
    ActivityEvent,
    ActivityKind,
    ActivityStatus,
    Request,
)
from partners.models import Organisation, User
from programmes.models import ProgrammeLine
from students import progress
from students.models import Module, ModuleUnit, ProgressStatus, Qualification, Student

QUALIFICATIONS = [
    ("25652", "Laborant", 3, True, True),
    ("25653", "Analist", 4, True, True),
    ("25654", "Research analist", 4, True, False),
    ("25655", "Biologisch laborant", 3, True, True),
    ("25350", "Operator B", 3, True, True),
    ("25351", "Operator C (procestechniek)", 4, True, True),
]

STUDENTS = [
    # school slug, number, display name, crebo, level, route, cohort
    ("mborijnland", "R100231", "Amira B.", "25653", 4, "bol", 2024),
    ("mborijnland", "R100232", "Bas de K.", "25653", 4, "bol", 2024),
    ("mborijnland", "R100233", "Chloë V.", "25652", 3, "bol", 2025),
    ("mborijnland", "R100234", "Daan P.", "25652", 3, "bol", 2025),
    ("mborijnland", "R100235", "Esra Y.", "25655", 3, "bol", 2024),
    ("mborijnland", "R100236", "Finn L.", "25350", 3, "bbl", 2024),
    ("mborijnland", "R100237", "Gwen S.", "25351", 4, "bbl", 2023),
    ("mborijnland", "R100238", "Hamza O.", "25654", 4, "bol", 2023),
    ("mborijnland", "R100239", "Iris M.", "25653", 4, "bol", 2025),
    ("mborijnland", "R100240", "Jesse T.", "25350", 3, "bbl", 2025),
    ("technolab", "TL-0412", "Kiki R.", "25652", 3, "bol", 2024),
    ("technolab", "TL-0413", "Lars H.", "25655", 3, "bol", 2024),
    ("roc-midden-nederland", "MN-55120", "Mila D.", "25653", 4, "bol", 2024),
]


def _person(email: str) -> User:
    return User.objects.get(email=email)


def _org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def _create(actor: User, kind: str, publish: bool = True, host=None, **fields) -> Activity:
    qualifications = fields.pop("qualifications", [])
    partners = fields.pop("partners", [])
    activity = services.create_activity(
        actor=actor,
        kind=kind,
        host=host,
        fields=fields,
        qualifications=Qualification.objects.filter(crebo__in=qualifications),
        partner_organisations=Organisation.objects.filter(slug__in=partners),
    )
    if publish:
        first = {
            ActivityKind.TRAINING: ActivityStatus.PLANNED,
            ActivityKind.IMAGE: ActivityStatus.PLANNED,
            ActivityKind.RESEARCH: ActivityStatus.RUNNING,
        }.get(kind, ActivityStatus.PUBLISHED)
        services.change_activity_status(actor=actor, activity=activity, status=first)
    return activity


def _request(teacher: User, activity: Activity, days: int, group: str, count: int, message=""):
    return services.request_activity(
        actor=teacher,
        activity=activity,
        date=timezone.localdate() + timedelta(days=days),
        group_name=group,
        student_count=count,
        message=message,
    )


def _deliver_in_the_past(request: Request, days_ago: int, teacher: User, host: User, **report):
    """Bring a scheduled request to a past date (as if time passed), report it delivered, and date
    its timeline as it would have happened: asked for three weeks before, delivered on the day."""
    day = timezone.localdate() - timedelta(days=days_ago)
    Request.objects.filter(pk=request.pk).update(date=day)
    request.refresh_from_db()
    services.report_delivery(actor=teacher, request=request, **report)
    services.report_delivery(
        actor=host, request=request, feedback="Enthousiaste groep, goede vragen."
    )
    moment = timezone.now() - timedelta(days=days_ago)
    events = ActivityEvent.objects.filter(request=request)
    events.exclude(verb="delivered").update(at=moment - timedelta(days=21))
    events.filter(verb="delivered").update(at=moment + timedelta(hours=2))


@transaction.atomic
def load_demo_activities() -> int:
    """Create the demo activities once (skipped when any activity exists). Returns how many."""
    if Activity.objects.exists():
        return 0
    for crebo, name, level, bol, bbl in QUALIFICATIONS:
        Qualification.objects.get_or_create(
            crebo=crebo,
            defaults={"name": name, "level": level, "offers_bol": bol, "offers_bbl": bbl},
        )
    qualification = {q.crebo: q for q in Qualification.objects.all()}
    for school, number, name, crebo, level, route, cohort in STUDENTS:
        Student.objects.get_or_create(
            school=_org(school),
            student_number=number,
            defaults={
                "display_name": name,
                "qualification": qualification[crebo],
                "level": level,
                "route": route,
                "cohort": cohort,
            },
        )

    today = timezone.localdate()
    coordinator = _person("coordinator@demo.civbio.nl")
    teacher = _person("docent@demo.civbio.nl")
    bpv = _person("a.devries@demo.civbio.nl")
    technolab = _person("y.elamrani@demo.civbio.nl")
    baseclear = _person("bedrijf@demo.civbio.nl")
    janssen = _person("s.janssen@demo.civbio.nl")
    lumc = _person("m.visser@demo.civbio.nl")
    naturalis = _person("l.bakker@demo.civbio.nl")
    for slug, sbb in (
        ("baseclear", "100234567"),
        ("janssen-biologics", "100345678"),
        ("lumc", "100456789"),
    ):
        Organisation.objects.filter(slug=slug, sbb_leerbedrijf_id="").update(sbb_leerbedrijf_id=sbb)

    # Internships and learning-work places
    sequencing = _create(
        baseclear,
        ActivityKind.INTERNSHIP,
        title="Stage analist DNA-sequencing",
        description="Meedraaien in het sequencing-lab: monstervoorbereiding, library prep en "
        "kwaliteitscontrole van runs op de NovaSeq.",
        route="bol",
        qualifications=["25653", "25654"],
        level=4,
        start_date=today + timedelta(days=70),
        duration_months=5,
        days_per_week=4,
        places=2,
        location="Leiden, Bio Science Park",
        allowance_min=350,
        allowance_max=450,
        required_skills="Nauwkeurig pipetteren, basiskennis moleculaire biologie, Engels lezen.",
        offer="Een vaste begeleider, een eigen project en een vergoeding.",
        application_deadline=today + timedelta(days=30),
        contact=baseclear,
    )
    leerbaan = _create(
        janssen,
        ActivityKind.INTERNSHIP,
        title="Leerbaan operator biologics",
        description="Vier dagen werken in de productie van biologische geneesmiddelen, één dag "
        "naar school. Cleanroom, GMP en procesbesturing.",
        route="bbl",
        qualifications=["25350", "25351"],
        level=3,
        start_date=today + timedelta(days=45),
        duration_months=24,
        days_per_week=4,
        places=3,
        location="Leiden",
        allowance_min=1900,
        allowance_max=2300,
        offer="Arbeidsovereenkomst voor de duur van de opleiding.",
        application_deadline=today + timedelta(days=21),
    )
    pathology = _create(
        lumc,
        ActivityKind.INTERNSHIP,
        title="Stage laborant pathologie",
        description="Weefselkweek en coupes snijden in het pathologielab.",
        route="bol",
        qualifications=["25652"],
        level=3,
        start_date=today + timedelta(days=30),
        end_date=today + timedelta(days=150),
        days_per_week=5,
        places=1,
        location="LUMC, Leiden",
    )
    _create(
        _person("r.smit@demo.civbio.nl"),
        ActivityKind.INTERNSHIP,
        publish=False,
        title="Stage bioinformatica-ondersteuning (concept)",
        route="bol",
        level=4,
        start_date=today + timedelta(days=120),
        duration_months=5,
        days_per_week=4,
        places=1,
        location="Leiden",
    )
    collection = _create(
        naturalis,
        ActivityKind.INTERNSHIP,
        title="Stage DNA-barcoding collectie",
        route="bol",
        qualifications=["25655"],
        level=3,
        start_date=today + timedelta(days=20),
        duration_months=4,
        days_per_week=4,
        places=2,
        location="Naturalis, Leiden",
    )
    services.change_activity_status(
        actor=naturalis, activity=collection, status=ActivityStatus.CLOSED, note="Genoeg reacties."
    )

    students = {s.student_number: s for s in Student.objects.all()}
    n1 = services.nominate_student(
        actor=bpv, posting=sequencing, student=students["R100231"], motivation="Sterk in PCR."
    )
    services.nominate_student(actor=bpv, posting=sequencing, student=students["R100239"])
    services.answer_nomination(actor=baseclear, nomination=n1, accept=True, message="Welkom!")
    services.nominate_student(
        actor=teacher,
        posting=leerbaan,
        student=students["R100236"],
        motivation="Werkt al bij ons op zaterdag.",
    )
    n_declined = services.nominate_student(
        actor=teacher, posting=leerbaan, student=students["R100240"]
    )
    services.answer_nomination(
        actor=janssen, nomination=n_declined, accept=False, message="Eerst niveau 2 afronden."
    )
    n_path = services.nominate_student(
        actor=teacher, posting=pathology, student=students["R100233"]
    )
    services.answer_nomination(actor=lumc, nomination=n_path, accept=True)
    services.nominate_student(actor=technolab, posting=sequencing, student=students["TL-0412"])

    withdrawn = services.nominate_student(actor=bpv, posting=leerbaan, student=students["R100237"])
    services.withdraw_nomination(
        actor=bpv, nomination=withdrawn, reason="De student kiest voor een stage dichter bij huis."
    )

    # Guest lessons
    lesson = _create(
        baseclear,
        ActivityKind.GUEST_LESSON,
        title="Van monster tot sequentie",
        description="Hoe een DNA-monster in een dag een genoom wordt, met echte data.",
        speaker="Bente Bedrijf",
        format="at_school",
        duration_minutes=90,
        max_group_size=30,
        availability="Dinsdag en donderdag",
        qualifications=["25653", "25652"],
        start_date=today - timedelta(days=120),
        end_date=today + timedelta(days=240),
    )
    organ = _create(
        _person("s.janssen@demo.civbio.nl"),
        ActivityKind.GUEST_LESSON,
        title="Biologics: van cel tot medicijn",
        description="Celkweek op grote schaal, zuivering en kwaliteitscontrole.",
        speaker="Sanne Jansen",
        format="at_company",
        duration_minutes=120,
        max_group_size=20,
        start_date=today - timedelta(days=60),
        end_date=today + timedelta(days=300),
    )
    _create(
        naturalis,
        ActivityKind.GUEST_LESSON,
        title="DNA in de collectie",
        description="Hoe een museum met DNA soorten herkent.",
        speaker="Lotte Bakker",
        format="online",
        duration_minutes=60,
        max_group_size=60,
    )
    delivered = _request(teacher, lesson, 3, "LAB4A", 24, "Graag met practicumdeel.")
    services.answer_request(actor=baseclear, request=delivered, decision="accept")
    _deliver_in_the_past(delivered, 14, teacher, baseclear, students_reached=22, feedback="Top!")
    scheduled = _request(teacher, lesson, 12, "LAB3B", 18)
    services.answer_request(
        actor=baseclear, request=scheduled, decision="accept", message="Tot dan!"
    )
    proposed = _request(bpv, lesson, 8, "LAB4C", 26)
    services.answer_request(
        actor=baseclear,
        request=proposed,
        decision="propose",
        proposed_date=today + timedelta(days=15),
        message="Die dag zitten we vol; kan het een week later?",
    )
    _request(technolab, organ, 20, "TL-Bio2", 16, "Kunnen we ook de cleanroom zien?")
    declined = _request(teacher, organ, 5, "OPR3", 12)
    services.answer_request(
        actor=janssen, request=declined, decision="decline", message="Auditweek, helaas."
    )

    # Practicum assignments
    water = _create(
        coordinator,
        ActivityKind.PRACTICUM,
        host=_org("hoogheemraadschap-van-rijnland"),
        title="Oppervlaktewater meten",
        description="Echte watermonsters uit de polder: fosfaat, nitraat en E. coli bepalen.",
        deliverable="Meetrapport per monster met onzekerheid.",
        materials="Monsters en certificaat van referentiemateriaal.",
        max_group_size=24,
        qualifications=["25652", "25653"],
        start_date=today - timedelta(days=30),
        end_date=today + timedelta(days=90),
    )
    practicum = _request(teacher, water, 2, "LAB3A", 20)
    services.answer_request(actor=coordinator, request=practicum, decision="accept")
    _deliver_in_the_past(
        practicum,
        5,
        teacher,
        coordinator,
        students_reached=20,
        results="Rapport gedeeld op 3 juni.",
    )
    _request(bpv, water, 25, "LAB4B", 22)

    samples = _create(
        _person("r.smit@demo.civbio.nl"),
        ActivityKind.PRACTICUM,
        title="Onbekende bacterie identificeren",
        description="Een echte (onschuldige) isolaat: identificeer hem met 16S-sequencing.",
        deliverable="Identificatie met onderbouwing en sequentiedata.",
        max_group_size=16,
        qualifications=["25653", "25654"],
        level=4,
    )
    services.change_activity_status(
        actor=baseclear, activity=samples, status=ActivityStatus.CLOSED, note="Dit semester vol."
    )
    cancelled_request = _request(bpv, organ, 30, "LAB4A", 18)
    services.cancel_request(actor=bpv, request=cancelled_request, reason="Toetsweek verschoven.")

    # Company visits
    visit = _create(
        _person("s.janssen@demo.civbio.nl"),
        ActivityKind.COMPANY_VISIT,
        title="Rondleiding productiefaciliteit",
        description="Een kijkje achter het glas van de productie.",
        audience="mbo_students",
        location="Janssen, Leiden",
        capacity=25,
    )
    visit_request = _request(teacher, visit, 18, "OPR2", 21)
    services.answer_request(actor=janssen, request=visit_request, decision="accept")
    lab_tour = _create(
        lumc,
        ActivityKind.COMPANY_VISIT,
        title="Kijken in het diagnostisch lab",
        audience="mbo_students",
        location="LUMC, Leiden",
        capacity=12,
    )
    _request(technolab, lab_tour, 11, "TL-Bio3", 12)
    cancelled = _create(
        naturalis,
        ActivityKind.COMPANY_VISIT,
        title="Achter de schermen van het depot",
        audience="mbo_students",
        capacity=20,
    )
    services.change_activity_status(
        actor=naturalis, activity=cancelled, status=ActivityStatus.CANCELLED, note="Verbouwing."
    )

    # Trainings
    _create(
        coordinator,
        ActivityKind.TRAINING,
        title="GMP voor docenten",
        description="Twee dagdelen Good Manufacturing Practice voor docenten laboratoriumtechniek.",
        audience="teachers",
        location="Biotech Training Facility",
        start_date=today + timedelta(days=25),
        partners=["biotech-training-facility"],
    )
    coaching = _create(
        coordinator,
        ActivityKind.TRAINING,
        title="Begeleiden van stagiairs voor praktijkopleiders",
        audience="workplace_trainers",
        location="mboRijnland, Leiden",
        start_date=today - timedelta(days=40),
        partners=["baseclear", "lumc"],
    )
    services.change_activity_status(
        actor=coordinator, activity=coaching, status=ActivityStatus.DELIVERED, people_reached=14
    )

    # Research in the practoraat
    automation = _create(
        teacher,
        ActivityKind.RESEARCH,
        title="Lab-automatisering in het mbo-onderwijs",
        research_question="Welke handelingen van de analist veranderen door pipetteerrobots, en "
        "wat betekent dat voor het curriculum?",
        description="Samen met BaseClear en LUMC.",
        track="work_field",
        phase="fieldwork",
        practor=teacher,
        students_involved=6,
        start_date=today - timedelta(days=200),
        partners=["baseclear", "lumc"],
    )
    for kind, title in (
        ("presentation", "Tussenresultaten practoraatsdag"),
        ("report", "Verkenning: pipetteerrobots in drie bedrijven"),
        ("curriculum", "Nieuwe keuzemodule Lab-automatisering"),
    ):
        services.add_research_output(
            actor=teacher, project=automation.researchproject, fields={"kind": kind, "title": title}
        )
    _create(
        bpv,
        ActivityKind.RESEARCH,
        title="Hybride praktijkonderwijs",
        research_question="Hoe combineer je online voorbereiding met schaarse labtijd?",
        track="education",
        phase="plan",
        students_involved=3,
    )

    # Image of the profession and sector
    open_day = _create(
        coordinator,
        ActivityKind.IMAGE,
        title="Open dag Life Sciences",
        event_type="open_day",
        audience="vo_pupils",
        location="mboRijnland, Leiden",
        start_date=today - timedelta(days=60),
        partners=["stichting-lbsp", "naturalis"],
    )
    services.change_activity_status(
        actor=coordinator, activity=open_day, status=ActivityStatus.DELIVERED, people_reached=240
    )
    _create(
        coordinator,
        ActivityKind.IMAGE,
        title="Campagne Werken in het lab",
        event_type="campaign",
        audience="vo_pupils",
        start_date=today + timedelta(days=10),
        end_date=today + timedelta(days=60),
        partners=["stichting-lbsp"],
    )
    tour = _create(
        naturalis,
        ActivityKind.IMAGE,
        title="Bedrijfsrondleiding voor ouders",
        event_type="company_tour",
        audience="parents",
        location="Naturalis, Leiden",
        start_date=today - timedelta(days=20),
    )
    services.change_activity_status(
        actor=naturalis, activity=tour, status=ActivityStatus.DELIVERED, people_reached=35
    )
    _load_modules(teacher, bpv, sequencing, water)
    return Activity.objects.count()


MODULES = [
    (
        "MM-DNA",
        "Moleculaire diagnostiek in de praktijk",
        4,
        ["25653", "25654"],
        ["baseclear", "lumc"],
        "grade",
        [
            ("DNA-isolatie en kwantificering", 16),
            ("PCR en qPCR", 24),
            ("Sequencing-workflow", 24),
            ("Data-analyse en rapportage", 16),
        ],
    ),
    (
        "MM-GMP",
        "Werken onder GMP",
        3,
        ["25652", "25350"],
        ["janssen-biologics"],
        "pass_fail",
        [
            ("Hygiëne en cleanroomgedrag", 8),
            ("Documenteren volgens GMP", 12),
            ("Afwijkingen melden", 8),
        ],
    ),
]


def _load_modules(teacher: User, bpv: User, sequencing: Activity, water: Activity) -> None:
    """Two co-developed modules, editions for classes at mboRijnland with students at varied
    progress, and units that opportunities require, so the grid and matching look real."""
    line = ProgrammeLine.objects.get(number=1)
    today = timezone.localdate()
    modules = {}
    for code, title, level, crebos, partners, assessment, units in MODULES:
        module = Module.objects.create(
            code=code,
            title=title,
            programme_line=line,
            level=level,
            study_load_hours=sum(h for _, h in units),
            assessment=assessment,
            description="Samen met het werkveld ontwikkeld voor het CIV Bio Sciences.",
        )
        module.qualifications.set(Qualification.objects.filter(crebo__in=crebos))
        module.partner_organisations.set(Organisation.objects.filter(slug__in=partners))
        for position, (unit_title, hours) in enumerate(units, start=1):
            ModuleUnit.objects.create(
                module=module, position=position, title=unit_title, hours=hours
            )
        modules[code] = module

    dna = modules["MM-DNA"]
    dna_units = list(dna.units.all())
    # The sequencing internship asks for the first two units of the DNA module.
    sequencing.required_units.set(dna_units[:2])
    water.required_units.set(list(modules["MM-GMP"].units.all())[:1])

    lab4 = progress.create_edition(
        actor=teacher,
        module=dna,
        name="LAB4A",
        start_date=today - timedelta(days=60),
        end_date=today + timedelta(days=90),
        teachers=[teacher, bpv],
    )
    gmp = progress.create_edition(
        actor=teacher,
        module=modules["MM-GMP"],
        name="LAB3A",
        start_date=today - timedelta(days=30),
        end_date=today + timedelta(days=60),
    )
    school = Organisation.objects.get(slug="mborijnland")
    level4 = list(Student.objects.filter(school=school, level=4, route="bol"))
    level3 = list(Student.objects.filter(school=school, level=3))
    progress.enrol_students(actor=teacher, edition=lab4, students=level4)
    progress.enrol_students(actor=teacher, edition=gmp, students=level3)
    # Varied progress: the first students are further along than the last.
    grades = ["7.5", "6.8", "8.1", "5.9", "7.0"]
    for index, enrolment in enumerate(
        lab4.enrolments.select_related("student").order_by("student__display_name")
    ):
        finished = max(0, 3 - index)
        for unit in dna_units[:finished]:
            progress.record_progress(
                actor=teacher,
                enrolment=enrolment,
                unit=unit,
                status="completed",
                grade=grades[(index + unit.position) % len(grades)],
            )
        if finished < len(dna_units):
            progress.record_progress(
                actor=teacher,
                enrolment=enrolment,
                unit=dna_units[finished],
                status=ProgressStatus.IN_PROGRESS,
            )
    technolab_teacher = _person("y.elamrani@demo.civbio.nl")
    bio = progress.create_edition(
        actor=technolab_teacher,
        module=modules["MM-GMP"],
        name="TL-Bio2",
        start_date=today - timedelta(days=20),
        end_date=today + timedelta(days=70),
    )
    technolab_students = list(Student.objects.filter(school__slug="technolab"))
    progress.enrol_students(actor=technolab_teacher, edition=bio, students=technolab_students)
    first_unit = modules["MM-GMP"].units.first()
    progress.record_progress(
        actor=technolab_teacher,
        enrolment=bio.enrolments.first(),
        unit=first_unit,
        status=ProgressStatus.IN_PROGRESS,
    )
    gmp_units = list(modules["MM-GMP"].units.all())
    progress.bulk_record_progress(
        actor=teacher,
        edition=gmp,
        unit=gmp_units[0],
        student_ids=[s.pk for s in level3],
        status=ProgressStatus.COMPLETED,
    )
