"""The project office plans the programme in Chromium: an indicator with its targets is added,
shows on the KPI page and is edited; a milestone is added to the milestones page, re-planned and
removed; an indicator is retired after a confirmation."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from partners.models import Organisation, Role
from programmes.models import Indicator, IndicatorTarget, Milestone, ProgrammeLine
from programmes.selectors import current_project
from tests.e2e.conftest import log_in, message
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coordinator(consortium):
    lead = Organisation.objects.get(is_lead_applicant=True)
    return UserFactory(
        email="coord@mborijnland.nl",
        name="Cor de Vries",
        organisation=lead,
        role=Role.COORDINATOR,
    )


def test_a_coordinator_adds_a_reported_indicator_and_sees_it_on_the_kpi_page(
    live_server, page, screenshot, coordinator
):
    log_in(page, live_server.url, coordinator.email)
    page.goto(live_server.url + "/kpis/line/2/")
    page.get_by_role("link", name="Indicatoren beheren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Indicatoren beheren")
    page.get_by_role("link", name="Een indicator toevoegen", exact=True).click()

    page.get_by_label("Programmalijn").select_option(label=str(ProgrammeLine.objects.get(number=2)))
    page.get_by_label(re.compile(r"^Naam:?$")).fill("Diploma's bio-informatica")
    page.get_by_label("Naam (Engels)").fill("Bioinformatics diplomas")
    page.get_by_label(re.compile(r"^Eenheid:?$")).fill("diploma's")
    page.get_by_label("Bron").select_option(label="Met de hand opgegeven")
    page.get_by_label("Telt studenten").check()
    page.get_by_label("Doel na 2 jaar").fill("30")
    page.get_by_label("Doel na 4 jaar").fill("12,5")
    page.get_by_label("Doel voor projectjaar 3").fill("20")
    page.get_by_role("button", name="Indicator toevoegen").click()

    # The targets out of order are explained next to the field; nothing typed is lost.
    expect(page.locator("#id_target_4y_error")).to_contain_text(
        "kan niet lager zijn dan het doel na 2 jaar"
    )
    expect(page.get_by_label(re.compile(r"^Naam:?$"))).to_have_value("Diploma's bio-informatica")
    assert not Indicator.objects.filter(name="Diploma's bio-informatica").exists()
    page.get_by_label("Doel na 2 jaar").fill("12,5")
    page.get_by_label("Doel na 4 jaar").fill("40")
    screenshot("targets-indicator-add")
    page.get_by_role("button", name="Indicator toevoegen").click()

    expect(message(page, "De indicator Diploma's bio-informatica is toegevoegd.")).to_be_visible()
    indicator = Indicator.objects.get(name="Diploma's bio-informatica")
    assert (indicator.target_2y, indicator.target_4y) == (Decimal("12.5"), Decimal(40))
    assert IndicatorTarget.objects.get(indicator=indicator).value == Decimal(20)
    row = page.get_by_role("row").filter(has_text="Diploma's bio-informatica")
    expect(row.locator(f'[data-figure="target.{indicator.pk}.3"]')).to_contain_text("20")

    page.goto(live_server.url + "/kpis/line/2/")
    page.reload()
    kpi = page.get_by_role("row").filter(has_text="Diploma's bio-informatica")
    expect(kpi).to_contain_text("Met de hand opgegeven")
    expect(kpi.locator(f'[data-figure="kpi.{indicator.pk}.target_4y"]')).to_have_text("40")
    # Partners can report figures for it straight away.
    expect(
        page.get_by_label("Indicator").locator("option", has_text="Diploma's bio-informatica")
    ).to_be_attached()

    # Its targets change on its edit page; the change is in its history.
    page.get_by_role("link", name="Indicatoren beheren").click()
    page.get_by_role("link", name="Bewerken Diploma's bio-informatica").click()
    expect(page.get_by_label("Doel na 2 jaar")).to_have_value("12,5")
    page.get_by_label("Doel na 4 jaar").fill("45")
    page.get_by_label("Doel voor projectjaar 3").fill("")
    page.get_by_role("button", name="Opslaan").click()
    expect(message(page, "De indicator Diploma's bio-informatica is opgeslagen.")).to_be_visible()
    page.reload()
    row = page.get_by_role("row").filter(has_text="Diploma's bio-informatica")
    expect(row.locator(f'[data-figure="target.{indicator.pk}.4"]')).to_have_text("45")
    assert not IndicatorTarget.objects.filter(indicator=indicator).exists()
    page.get_by_role("link", name="Bewerken Diploma's bio-informatica").click()
    history = page.get_by_role("region", name="Wijzigingsgeschiedenis")
    expect(history).to_contain_text("Cor de Vries")
    expect(history).to_contain_text("Doel na 4 jaar")


def test_a_coordinator_adds_a_milestone_and_sees_it_on_the_milestones_page(
    live_server, page, screenshot, coordinator
):
    owner = UserFactory(
        email="saskia@naturalis.example",
        name="Saskia Bos",
        organisation=Organisation.objects.get(slug="naturalis"),
        role=Role.INDUSTRY_STAFF,
    )
    log_in(page, live_server.url, coordinator.email)
    page.goto(live_server.url + "/milestones/")
    page.get_by_role("link", name="Een mijlpaal toevoegen").click()

    page.get_by_label("Soort").select_option(label="Op te leveren resultaat")
    page.get_by_label(re.compile(r"^Titel:?$")).fill("Tentoonstelling biodiversiteit geopend")
    page.get_by_label("Beschrijving").fill("Met werk van studenten uit drie klassen.")
    page.get_by_label("Programmalijn").select_option(index=3)
    page.get_by_label(re.compile(r"^Eigenaar:?$")).select_option(label=owner.organisation.name)
    page.get_by_label("Eigenaar (persoon)").select_option(
        label=f"Saskia Bos ({owner.organisation.display_name})"
    )
    page.get_by_label("Uiterlijk").fill("2027-03-01")
    page.get_by_role("button", name="Mijlpaal toevoegen").click()

    # After the project's end: said next to the date, and the rest is kept.
    expect(page.locator("#id_due_date_error")).to_contain_text("binnen het project vallen")
    expect(page.get_by_label(re.compile(r"^Titel:?$"))).to_have_value(
        "Tentoonstelling biodiversiteit geopend"
    )
    page.get_by_label("Uiterlijk").fill("2026-11-20")
    screenshot("targets-milestone-add")
    page.get_by_role("button", name="Mijlpaal toevoegen").click()

    expect(
        message(page, "De mijlpaal Tentoonstelling biodiversiteit geopend is toegevoegd.")
    ).to_be_visible()
    page.reload()
    item = page.locator(".item-list > li").filter(has_text="Tentoonstelling biodiversiteit")
    expect(item).to_contain_text("Met werk van studenten uit drie klassen.")
    expect(item).to_contain_text("Saskia Bos")
    milestone = Milestone.objects.get(title="Tentoonstelling biodiversiteit geopend")
    assert (milestone.owner, milestone.kind, milestone.status) == (owner, "deliverable", "planned")

    # The plan changes on its own page.
    item.get_by_role("link", name="Planning bewerken").click()
    page.get_by_label("Uiterlijk").fill("2026-12-01")
    page.get_by_role("button", name="Opslaan").click()
    expect(message(page, "De mijlpaal is bijgewerkt.")).to_be_visible()
    page.reload()
    expect(
        page.locator(".item-list > li").filter(has_text="Tentoonstelling biodiversiteit")
    ).to_contain_text("1 dec 2026")

    # Made by mistake after all: removed after the confirmation, while nothing was recorded.
    page.locator(".item-list > li").filter(has_text="Tentoonstelling biodiversiteit").get_by_role(
        "link", name="Planning bewerken"
    ).click()
    page.get_by_role("link", name="Deze mijlpaal verwijderen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Mijlpaal Tentoonstelling biodiversiteit geopend verwijderen?"
    )
    page.get_by_role("button", name="Ja, verwijderen").click()
    expect(
        message(page, "De mijlpaal Tentoonstelling biodiversiteit geopend is verwijderd.")
    ).to_be_visible()
    expect(page.locator(".item-list > li").filter(has_text="Tentoonstelling")).to_have_count(0)
    assert not Milestone.objects.filter(pk=milestone.pk).exists()


def test_a_coordinator_retires_an_indicator_after_confirming(
    live_server, page, screenshot, coordinator
):
    project = current_project()
    indicator = Indicator.objects.create(
        project=project,
        programme_line=project.lines.get(number=1),
        name="Doorstroom naar hbo",
        unit="studenten",
        source="reported",
        target_2y=10,
        target_4y=25,
    )
    log_in(page, live_server.url, coordinator.email)
    page.goto(live_server.url + "/kpis/line/1/")
    expect(page.get_by_role("row").filter(has_text="Doorstroom naar hbo")).to_be_visible()
    page.goto(live_server.url + "/indicators/")
    page.get_by_role("link", name="Buiten gebruik stellen Doorstroom naar hbo").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Indicator Doorstroom naar hbo buiten gebruik stellen?"
    )
    expect(page.get_by_text("Er wordt niets verwijderd")).to_be_visible()
    screenshot("targets-indicator-retire")
    page.get_by_role("button", name="Ja, buiten gebruik stellen").click()

    expect(
        message(page, "De indicator Doorstroom naar hbo is buiten gebruik gesteld.")
    ).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Doorstroom naar hbo")).to_contain_text(
        "buiten gebruik sinds"
    )
    indicator.refresh_from_db()
    assert indicator.retired_on is not None
    page.goto(live_server.url + "/kpis/line/1/")
    page.reload()
    expect(page.get_by_role("row").filter(has_text="Doorstroom naar hbo")).to_have_count(0)
