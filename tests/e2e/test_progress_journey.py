"""The demo teacher opens an edition, updates progress in the grid, sees a student become a match
for an open place, and nominates them from there."""

import pytest
from playwright.sync_api import expect

from activities.models import Nomination
from demo.services import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_progress_in_the_grid_makes_a_match_and_the_teacher_nominates(
    live_server, page, screenshot, demo_data
):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("E-mailadres").fill("docent@demo.civbio.nl")
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()

    # Hamza does not fit the sequencing internship yet: unit 2 is still in progress, so he is
    # listed as one unit away (on the place's own page of matches), not as someone to nominate.
    page.get_by_role("link", name="Modules").click()
    page.get_by_role("link", name="Studenten die passen bij open plaatsen").click()
    sequencing = page.get_by_role("region", name="Stage analist DNA-sequencing")
    expect(sequencing.get_by_role("button", name="Voordragen Hamza O.")).to_have_count(0)
    expect(sequencing.get_by_text("mist nog één onderdeel")).to_be_visible()
    sequencing.get_by_role("link", name="Alle matches voor").click()
    expect(page.get_by_role("button", name="Voordragen Hamza O.")).to_have_count(0)
    almost = page.get_by_role("region", name="Mist nog één onderdeel")
    expect(almost.get_by_text("Hamza O. — nog af te ronden: MM-DNA.2 PCR en qPCR")).to_be_visible()
    matches_of_the_place = page.url

    page.goto(live_server.url + "/editions/")
    page.get_by_role("link", name="MM-DNA Moleculaire diagnostiek in de praktijk").first.click()
    cell = page.get_by_label("Hamza O., 2. PCR en qPCR")
    cell.select_option("completed")
    hamza_row = page.get_by_role("row", name="Hamza O.")
    expect(hamza_row.locator("td.cell-completed")).to_have_count(1)
    # The answer took the cell's place (the grid's body names the target for every cell).
    expect(page.locator(".progress-grid td td")).to_have_count(0)
    expect(
        hamza_row.locator("td.cell-completed").get_by_label("Hamza O., 2. PCR en qPCR")
    ).to_have_value("completed")
    expect(hamza_row.get_by_text("50%")).to_be_visible()
    screenshot("progress-grid")

    page.goto(matches_of_the_place)
    page.get_by_role("button", name="Voordragen Hamza O.").click()
    expect(page.get_by_text("Hamza O. is voorgedragen.")).to_be_visible()
    screenshot("matches-after-nomination")
    assert Nomination.objects.filter(student__display_name="Hamza O.", status="nominated").exists()
