"""Demo indicators per programme line with targets, reported figures, a narrative and
milestones in every state, so the KPI and milestones pages look like a project in its last year."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from partners.models import Organisation, User
from programmes.models import (
    Indicator,
    IndicatorValue,
    Milestone,
    MilestoneKind,
    MilestoneStatus,
    Narrative,
    ReportStatus,
)
from programmes.selectors import current_project
from programmes.services import ensure_fund_milestones

# line, name and unit in Dutch and in English, source, measure, target at 2 years, at 4 years
INDICATORS = [
    (
        1,
        ("Gastlessen gegeven", "Guest lessons given"),
        ("gastlessen", "guest lessons"),
        "derived",
        "guest_lessons",
        20,
        50,
    ),
    (
        1,
        (
            "Studenten bereikt met gastlessen, opdrachten en bezoeken",
            "Students reached by guest lessons, assignments and visits",
        ),
        ("studenten", "students"),
        "derived",
        "students_reached",
        300,
        800,
    ),
    (
        1,
        ("Stage- en leerbaanplaatsen aangeboden", "Internship and learning-work places offered"),
        ("plaatsen", "places"),
        "derived",
        "places_offered",
        20,
        60,
    ),
    (
        1,
        ("Plaatsen vervuld", "Places filled"),
        ("plaatsingen", "placements"),
        "derived",
        "places_filled",
        10,
        40,
    ),
    (
        1,
        ("Maatwerkmodules gestart", "Custom modules started"),
        ("uitvoeringen", "editions"),
        "derived",
        "editions_run",
        4,
        12,
    ),
    (
        1,
        ("Docenten en praktijkopleiders geschoold", "Teachers and workplace trainers trained"),
        ("personen", "people"),
        "derived",
        "teachers_trained",
        20,
        60,
    ),
    (
        1,
        ("Cofinanciering gerealiseerd", "Co-financing realised"),
        ("euro", "euro"),
        "derived",
        "cofinancing",
        700000,
        1492832,
    ),
    (
        2,
        ("Onderzoeksprojecten in het practoraat", "Research projects in the practoraat"),
        ("projecten", "projects"),
        "derived",
        "research_projects",
        2,
        6,
    ),
    (
        2,
        ("Onderzoeksresultaten gedeeld", "Research outputs shared"),
        ("resultaten", "outputs"),
        "derived",
        "research_outputs",
        3,
        10,
    ),
    (
        3,
        ("Mensen bereikt met imago-activiteiten", "People reached by image activities"),
        ("personen", "people"),
        "derived",
        "people_reached",
        500,
        1500,
    ),
    (
        3,
        (
            "Instroom in laboratorium- en procesopleidingen",
            "Inflow into laboratory and process programmes",
        ),
        ("studenten", "students"),
        "reported",
        "",
        300,
        700,
    ),
    (
        3,
        (
            "Doorstroom van afgestudeerden naar het LBSP",
            "Graduates moving on to the Leiden Bio Science Park",
        ),
        ("personen", "people"),
        "reported",
        "",
        40,
        100,
    ),
]

# The demo's own milestones: Dutch title, English title.
MILESTONE_TITLES = {
    "modules": (
        "Vijf maatwerkmodules ontwikkeld met het werkveld",
        "Five custom modules developed with the work field",
    ),
    "lessons": (
        "Gastlessenprogramma voor alle laboratoriumklassen",
        "A guest-lesson programme for every laboratory class",
    ),
    "day": ("Practoraatsdag met het werkveld", "Practoraat day with the work field"),
}


def _fill_in_english(project) -> None:
    """Demo data loaded before it had English texts gets them (blank fields only)."""
    for _n, (name, name_en), (_unit, unit_en), *_rest in INDICATORS:
        Indicator.objects.filter(project=project, name=name, name_en="").update(name_en=name_en)
        Indicator.objects.filter(project=project, name=name, unit_en="").update(unit_en=unit_en)
    Indicator.objects.filter(project=project, source="reported").update(counts_students=True)
    for title, title_en in MILESTONE_TITLES.values():
        Milestone.objects.filter(project=project, title=title, title_en="").update(
            title_en=title_en
        )


@transaction.atomic
def load_demo_kpis() -> int:
    project = current_project()
    if project is None:
        return 0
    if Indicator.objects.filter(project=project).exists():
        _fill_in_english(project)
        return 0
    lines = {line.number: line for line in project.lines.all()}
    coordinator = User.objects.filter(role="coordinator").first()
    for position, (number, names, units, source, measure, two, four) in enumerate(INDICATORS):
        indicator = Indicator.objects.create(
            project=project,
            programme_line=lines[number],
            name=names[0],
            name_en=names[1],
            unit=units[0],
            unit_en=units[1],
            source=source,
            measure=measure,
            target_2y=Decimal(two),
            target_4y=Decimal(four),
            position=position,
            # The demo's reported figures count students and graduates.
            counts_students=source == "reported",
        )
        if source == "reported":
            today = timezone.localdate()
            for _n, start, _end in project.quarters():
                if start > today - timedelta(days=90):
                    break
                IndicatorValue.objects.create(
                    indicator=indicator,
                    period_start=start,
                    value=Decimal(four) / 15,
                    status=ReportStatus.APPROVED,
                    submitted_by=coordinator,
                    decided_by=coordinator,
                    note="Opgave van de scholen",
                )
            last = project.quarter_of(today)
            if last:
                IndicatorValue.objects.create(
                    indicator=indicator,
                    period_start=last[1],
                    value=Decimal(four) / 20,
                    status=ReportStatus.SUBMITTED,
                    submitted_by=coordinator,
                    note="Voorlopig",
                )
    ensure_fund_milestones(project)
    today = timezone.localdate()
    for milestone in Milestone.objects.filter(project=project, due_date__lt=today):
        milestone.status = MilestoneStatus.REACHED
        milestone.reached_on = milestone.due_date
        milestone.evidence = "Verstuurd aan het fonds"
        milestone.save()
    baseclear = Organisation.objects.get(slug="baseclear")
    Milestone.objects.create(
        project=project,
        programme_line=lines[1],
        kind=MilestoneKind.DELIVERABLE,
        title=MILESTONE_TITLES["modules"][0],
        title_en=MILESTONE_TITLES["modules"][1],
        owner_organisation=project.lead_organisation,
        due_date=project.start_date + timedelta(days=600),
        status=MilestoneStatus.MISSED,
        reason="Twee modules schuiven door naar jaar 3 door personeelstekort bij de school.",
    )
    Milestone.objects.create(
        project=project,
        programme_line=lines[1],
        kind=MilestoneKind.DELIVERABLE,
        title=MILESTONE_TITLES["lessons"][0],
        title_en=MILESTONE_TITLES["lessons"][1],
        owner_organisation=baseclear,
        due_date=today + timedelta(days=20),
    )
    Milestone.objects.create(
        project=project,
        programme_line=lines[2],
        kind=MilestoneKind.DELIVERABLE,
        title=MILESTONE_TITLES["day"][0],
        title_en=MILESTONE_TITLES["day"][1],
        owner_organisation=project.lead_organisation,
        due_date=today - timedelta(days=5),
    )
    quarter = project.quarter_of(today)
    if quarter:
        Narrative.objects.create(
            programme_line=lines[1],
            period_start=quarter[1],
            updated_by=coordinator,
            highlights="Gastlessen bij BaseClear en Janssen volgeboekt; eerste leerbanen vervuld.",
            deviations="Eurofins loopt achter op de toegezegde uren; afspraak in december.",
            risks="Docententekort bij de laboratoriumopleiding.",
        )
    return Indicator.objects.count()
