"""A company logs hours; the coordinator approves them; the company's realised figure and the
finance page's figures change accordingly."""

import pytest
from playwright.sync_api import expect

from partners.models import Role
from programmes.models import Commitment, Project
from tests.e2e.conftest import log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_logged_hours_count_once_approved(
    live_server, page, screenshot, consortium, school, company
):
    project = Project.objects.get()
    company.cofinancing_category = "employer"
    company.save()
    Commitment.objects.create(project=project, organisation=company, year=1, hours=100)
    UserFactory(
        email="host@biocorp.nl", name="Hanna Host", organisation=company, role=Role.INDUSTRY_STAFF
    )
    UserFactory(
        email="coord@school.nl", name="Cor Coördinator", organisation=school, role=Role.COORDINATOR
    )

    log_in(page, live_server.url, "host@biocorp.nl")
    page.get_by_role("link", name="Bijdragen", exact=True).click()
    expect(page.locator("#realised-total")).to_have_text("€ 0")
    log = page.get_by_role("region", name="Bijdrage registreren")
    log.get_by_label("Programmalijn").select_option(label="1. Flexibel en hybride onderwijs")
    log.get_by_label("Soort").select_option("staff_hours")
    log.get_by_label("Uren").fill("12")
    log.get_by_label("Datum").fill(project.start_date.replace(month=3, day=1).isoformat())
    log.get_by_label("Omschrijving").fill("Gastlessen voorbereid en gegeven")
    log.get_by_role("button", name="Registreren").click()
    expect(page.get_by_text("Geregistreerd en ter goedkeuring verstuurd.")).to_be_visible()
    expect(page.get_by_role("cell", name="Ingediend")).to_be_visible()
    page.get_by_role("button", name="Uitloggen").click()

    log_in(page, live_server.url, "coord@school.nl")
    page.goto(live_server.url + "/contributions/review/")
    page.get_by_role("button", name="Goedkeuren BioCorp, Gastlessen voorbereid en gegeven").click()
    expect(page.get_by_text("Goedgekeurd.")).to_be_visible()
    page.get_by_role("link", name="Financiën").click()
    biocorp = page.get_by_role("row", name="BioCorp")
    expect(biocorp.get_by_role("cell", name="€ 876")).to_be_visible()  # 12 hours at €73
    pace = page.get_by_role("listitem").filter(has_text="gelijke tred")
    expect(pace).to_contain_text("gerealiseerd: € 876")
    screenshot("finance-after-approval")
    page.get_by_role("button", name="Uitloggen").click()

    log_in(page, live_server.url, "host@biocorp.nl")
    page.get_by_role("link", name="Bijdragen", exact=True).click()
    expect(page.locator("#realised-total")).to_have_text("€ 876")
    expect(page.get_by_role("cell", name="Goedgekeurd")).to_be_visible()
