"""The project office keeps the catalogues in Chromium: a qualification is added (a malformed
crebo code refused first, nothing typed lost), a unit is added to a module and moved up, and the
reminders move to another time of day."""

import pytest
from django_celery_beat.models import PeriodicTask
from playwright.sync_api import expect

from partners.models import Organisation, Role
from students.models import Qualification
from tests.e2e.conftest import log_in, message
from tests.factories import ModuleFactory, UserFactory

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


def test_a_coordinator_adds_a_qualification_and_finds_it_after_a_reload(
    live_server, page, screenshot, coordinator
):
    log_in(page, live_server.url, coordinator.email)
    page.get_by_role("link", name="Catalogi").first.click()
    page.get_by_role("link", name="Kwalificatie toevoegen").click()
    page.get_by_label("Crebocode").fill("2512")
    page.get_by_label("Naam").fill("Biologisch-medisch laborant")
    page.get_by_label("Niveau").fill("4")
    page.get_by_label("Aangeboden als BBL").uncheck()
    page.get_by_role("button", name="Kwalificatie opslaan").click()

    expect(page.locator("#id_crebo_error")).to_have_text(
        "Een crebocode bestaat uit precies vijf cijfers."
    )
    expect(page.get_by_label("Naam")).to_have_value("Biologisch-medisch laborant")
    assert not Qualification.objects.filter(name="Biologisch-medisch laborant").exists()
    page.get_by_label("Crebocode").fill("25123")
    screenshot("catalogue-qualification")
    page.get_by_role("button", name="Kwalificatie opslaan").click()

    expect(message(page, "Biologisch-medisch laborant")).to_be_visible()
    page.reload()
    row = page.locator("#qualifications tr").filter(has_text="25123")
    expect(row).to_contain_text("Biologisch-medisch laborant")
    expect(row).to_contain_text("BOL")
    expect(row).not_to_contain_text("BBL")
    expect(row.locator("td").nth(4)).to_have_text("aangeboden")


def test_a_coordinator_adds_a_unit_to_a_module_and_moves_it_up(
    live_server, page, screenshot, coordinator
):
    module = ModuleFactory(title="Labautomatisering", units=(10, 20))
    log_in(page, live_server.url, coordinator.email)
    page.goto(live_server.url + "/modules/")
    page.get_by_role("link", name="Module en onderdelen bewerken Labautomatisering").click()

    units = page.get_by_role("region", name="Onderdelen")
    units.get_by_label("Titel").fill("Validatie")
    units.get_by_label("Uren").fill("6")
    units.get_by_role("button", name="Onderdeel toevoegen").click()
    expect(message(page, "Het onderdeel Validatie is toegevoegd.")).to_be_visible()
    rows = page.locator("#units tbody tr")
    expect(rows.nth(2)).to_contain_text("Validatie")

    page.get_by_role("button", name="Omhoog Validatie").click()
    # The move is a form post and a redirect: wait for it to land before reloading.
    expect(page.get_by_role("button", name="Omlaag Validatie")).to_have_count(1)
    expect(page.locator("#units tbody tr").nth(1)).to_contain_text("Validatie")
    page.reload()
    rows = page.locator("#units tbody tr")
    expect(rows.nth(1)).to_contain_text("Validatie")
    expect(rows.nth(1)).to_contain_text("2")
    screenshot("catalogue-units")
    assert [u.title for u in module.units.order_by("position")][1] == "Validatie"


def test_a_coordinator_moves_the_reminders_to_another_time(
    live_server, page, screenshot, coordinator
):
    log_in(page, live_server.url, coordinator.email)
    page.goto(live_server.url + "/schedules/")
    reminders = page.locator("#schedules tr").filter(has_text="Verstuurt de herinneringen")
    expect(reminders).to_contain_text("dagelijks om 07:00")
    reminders.get_by_role("link", name="Wijzigen Herinneringen").click()

    page.get_by_label("Tijdstip (Nederlandse tijd)").fill("06:45")
    page.get_by_role("button", name="Opslaan").click()

    expect(message(page, "Herinneringen: opgeslagen.")).to_be_visible()
    page.reload()
    reminders = page.locator("#schedules tr").filter(has_text="Verstuurt de herinneringen")
    expect(reminders).to_contain_text("dagelijks om 06:45")
    expect(reminders.locator("td").nth(2)).to_have_text("aan")
    screenshot("catalogue-schedules")
    crontab = PeriodicTask.objects.get(name="civbio: reminders").crontab
    assert (crontab.hour, crontab.minute, str(crontab.timezone)) == ("6", "45", "Europe/Amsterdam")
