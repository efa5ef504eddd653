from dataclasses import dataclass

from django.db import transaction

from partners.models import Organisation
from programmes import consortium
from programmes.models import ProgrammeLine, Project


@dataclass
class LoadResult:
    organisations_created: int = 0
    lines_created: int = 0
    project_created: bool = False


def _get_or_create_organisation(row: tuple, *, is_lead_applicant: bool = False):
    name, short_name, slug, kind, category, city, website = row
    return Organisation.objects.get_or_create(
        slug=slug,
        defaults={
            "name": name,
            "short_name": short_name,
            "kind": kind,
            "cofinancing_category": category,
            "city": city,
            "website": website,
            "is_lead_applicant": is_lead_applicant,
            "active_since": consortium.PROJECT["applied_on"],
        },
    )


@transaction.atomic
def load_consortium() -> LoadResult:
    """Put the consortium of the source document in place: partners, funder, project, lines.

    Idempotent: what exists (matched by slug) is left as it is, so coordinators' edits and
    retired partners survive a second load.
    """
    result = LoadResult()
    lead, created = _get_or_create_organisation(consortium.LEAD_APPLICANT, is_lead_applicant=True)
    result.organisations_created += created
    for row in consortium.PARTNERS:
        _, created = _get_or_create_organisation(row)
        result.organisations_created += created
    funder, created = _get_or_create_organisation(consortium.FUNDER)
    result.organisations_created += created

    project = Project.objects.filter(short_name=consortium.PROJECT["short_name"]).first()
    if project is None:
        project = Project.objects.create(
            lead_organisation=lead, funder=funder, **consortium.PROJECT
        )
        result.project_created = True
    for line in consortium.LINES:
        _, created = ProgrammeLine.objects.get_or_create(
            project=project, number=line["number"], defaults=line
        )
        result.lines_created += created
    return result
