import pytest
from playwright.sync_api import expect

from demo.services import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_logs_in_switches_language_and_logs_out(
    live_server, page, screenshot, demo_data
):

    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="De programmalijnen")).to_be_visible()
    page.get_by_role("link", name="Inloggen").click()

    page.get_by_label("E-mailadres").fill("coordinator@demo.civbio.nl")
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()

    expect(page).to_have_url(live_server.url + "/dashboard/coordinator/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Coördinatordashboard")
    expect(
        page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Dashboard")
    ).to_have_attribute("aria-current", "page")
    screenshot("coordinator-dashboard-nl")

    page.get_by_label("Taal", exact=True).select_option("en")
    page.get_by_role("button", name="Wissel").click()

    expect(page).to_have_url(live_server.url + "/en/dashboard/coordinator/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Coordinator dashboard")
    screenshot("coordinator-dashboard-en")

    page.get_by_role("button", name="Log out").click()
    # allauth asks nothing more for a POST logout: we are out, and back on the public site.
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    page.goto(live_server.url + "/en/dashboard/")
    expect(page).to_have_url(live_server.url + "/en/accounts/login/?next=/en/dashboard/")
    screenshot("logged-out-login-en")


def test_the_start_page_works_with_the_keyboard(live_server, page, consortium):
    page.goto(live_server.url + "/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Naar de inhoud")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/#main")
