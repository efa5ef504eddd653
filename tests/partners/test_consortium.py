from datetime import date

import pytest
from django.core.management import call_command

from partners.models import Organisation, OrganisationKind
from programmes.models import ProgrammeLine, Project
from programmes.services import load_consortium

pytestmark = pytest.mark.django_db

SEED_PARTNERS = {
    OrganisationKind.WORK_FIELD: {
        "Janssen Biologics",
        "Bristol Myers Squibb",
        "Avery Dennison",
        "BaseClear",
        "CellPoint",
        "Eurofins",
        "Mimetas",
        "HAL Allergy/Halix",
        "LUMC",
        "Naturalis Biodiversity Center",
        "Hoogheemraadschap van Rijnland",
    },
    OrganisationKind.EDUCATION: {
        "mboRijnland",
        "Hogeschool Leiden",
        "Leidse Instrumentmakers School",
        "ROC Midden Nederland",
        "Techniek College Rotterdam",
        "Consortium Beroepsonderwijs",
        "TechnoLab",
        "Biotech Training Facility",
    },
    OrganisationKind.SUPPORT: {
        "Stichting LBSP",
        "Ondernemersvereniging Bio Science Park",
        "BioPartner",
        "Vereniging Innovatieve Geneesmiddelen",
        "Randstad",
    },
    OrganisationKind.GOVERNMENT: {"Regio Holland Rijnland", "Gemeente Leiden"},
}


def test_the_seed_partners_are_loaded_in_their_categories():
    load_consortium()

    partners = Organisation.objects.partners()
    assert partners.count() == 26
    for kind, names in SEED_PARTNERS.items():
        assert set(partners.filter(kind=kind).values_list("name", flat=True)) == names
    lead = Organisation.objects.get(is_lead_applicant=True)
    assert lead.name == "mboRijnland"
    assert lead.cofinancing_category == "not_counted"
    assert Organisation.objects.get(name="BaseClear").cofinancing_category == "employer"
    assert Organisation.objects.get(name="Gemeente Leiden").cofinancing_category == "other"
    # The national fund follows the project but is not a partner.
    assert Organisation.objects.get(kind=OrganisationKind.FUNDER).name.startswith("Regionaal")


def test_the_project_and_its_three_lines_are_loaded():
    load_consortium()

    project = Project.objects.get()
    assert project.grant_amount == 746416
    # About €2.2 million: at least three times the grant, since the grant may be at most 1/3.
    assert project.total_budget == 3 * project.grant_amount
    assert project.hourly_rate == 73
    assert project.lead_organisation.name == "mboRijnland"
    assert project.grant_within_limit
    assert list(ProgrammeLine.objects.values_list("number", "name")) == [
        (1, "Flexibel en hybride onderwijs"),
        (2, "Onderzoek in practoraat"),
        (3, "Versterken positief imago beroep en sector"),
    ]


def test_loading_twice_changes_nothing_and_keeps_coordinators_edits():
    load_consortium()
    Organisation.objects.filter(name="Randstad").update(
        active_until=date(2024, 6, 30), city="Diemen"
    )
    Project.objects.update(hourly_rate=80)

    call_command("load_consortium", verbosity=0)

    assert Organisation.objects.count() == 27
    assert Project.objects.count() == 1
    assert ProgrammeLine.objects.count() == 3
    randstad = Organisation.objects.get(name="Randstad")
    assert randstad.city == "Diemen"
    assert randstad.active_until == date(2024, 6, 30)
    assert Project.objects.get().hourly_rate == 80


def test_a_retired_partner_drops_out_of_the_active_partners():
    load_consortium()
    Organisation.objects.filter(name="Randstad").update(active_until=date(2024, 6, 30))

    active = Organisation.objects.partners().active(date(2025, 1, 1))

    assert active.count() == 25
    assert not active.filter(name="Randstad").exists()
    assert Organisation.objects.partners().active(date(2024, 1, 1)).count() == 26
