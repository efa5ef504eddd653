"""Invitations and the account page, clicked through in Chromium: the role an invitation gives,
one's own name, language, calendar address and password."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from activities.models import CalendarFeed
from partners.models import Invitation, Organisation, Role, User
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, UserFactory

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


def test_a_coordinator_invites_a_company_contact_without_touching_the_role_and_gets_industry_staff(
    live_server, browser, page, screenshot, coordinator, company
):
    log_in(page, live_server.url, coordinator.email)
    page.goto(live_server.url + "/invitations/new/")
    page.get_by_label("E-mailadres").fill("nina@biocorp.nl")
    page.get_by_label("Naam:", exact=True).fill("Nina")
    page.get_by_label("Organisatie").select_option(label="BioCorp")
    expect(page.get_by_label("Rol")).to_have_value("")
    screenshot("account-invitation-form")
    page.get_by_role("button", name="Uitnodiging versturen").click()

    expect(page.get_by_text("Uitnodiging verstuurd naar nina@biocorp.nl.")).to_be_visible()
    page.reload()
    row = page.get_by_role("row").filter(has_text="nina@biocorp.nl")
    expect(row).to_contain_text("Bedrijfsmedewerker")
    expect(row).not_to_contain_text("Coördinator")
    assert Invitation.objects.get().role == Role.INDUSTRY_STAFF

    # Nina opens the link from her e-mail in her own browser and lands on the company dashboard.
    path = re.search(r"/invitation/\S+/", mail.outbox[-1].body).group(0)
    link = live_server.url + path
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    nina = context.new_page()
    nina.goto(link)
    nina.get_by_label("Wachtwoord:", exact=True).fill("Pipet-Centrifuge-42")
    nina.get_by_label("Wachtwoord (nogmaals)").fill("Pipet-Centrifuge-42")
    nina.get_by_role("button", name="Maak mijn account").click()
    expect(nina).to_have_url(live_server.url + "/dashboard/industry/")
    expect(nina.get_by_role("link", name="Beheer")).to_have_count(0)
    context.close()
    assert User.objects.get(email="nina@biocorp.nl").role == Role.INDUSTRY_STAFF


def test_the_coordinator_role_is_refused_at_a_company(
    live_server, page, screenshot, coordinator, company
):
    log_in(page, live_server.url, coordinator.email)
    page.goto(live_server.url + "/invitations/new/")
    page.get_by_label("E-mailadres").fill("boss@biocorp.nl")
    page.get_by_label("Organisatie").select_option(label="BioCorp")
    page.get_by_label("Rol").select_option(label="Coördinator")
    page.get_by_role("button", name="Uitnodiging versturen").click()

    error = page.locator("#id_role_error")
    expect(error).to_contain_text("De rol coördinator hoort bij het projectbureau")
    expect(error).to_contain_text("mboRijnland")
    # What was typed is kept.
    expect(page.get_by_label("E-mailadres")).to_have_value("boss@biocorp.nl")
    screenshot("account-invitation-coordinator-refused")
    page.goto(live_server.url + "/invitations/")
    expect(page.get_by_text("boss@biocorp.nl")).to_have_count(0)
    assert not Invitation.objects.exists()


def test_a_teacher_changes_their_name_and_language_on_the_account_page(
    live_server, page, screenshot, consortium, school
):
    UserFactory(email="dirk@school.nl", name="Dirk", organisation=school, role=Role.SCHOOL_STAFF)
    log_in(page, live_server.url, "dirk@school.nl")

    page.get_by_role("link", name="Mijn account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn account")
    screenshot("account-page-nl")
    details = page.get_by_role("region", name="Naam en taal")
    details.get_by_label("Je naam").fill("Dirk de Leraar")
    details.get_by_label("Taal").select_option("en")
    details.get_by_role("button", name="Opslaan").click()

    expect(page).to_have_url(live_server.url + "/en/account/")
    expect(page.get_by_text("Your account details are saved.")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    details = page.get_by_role("region", name="Name and language")
    expect(details.get_by_label("Your name")).to_have_value("Dirk de Leraar")
    expect(details.get_by_label("Language")).to_have_value("en")
    expect(page.locator(".who")).to_contain_text("Dirk de Leraar")
    screenshot("account-page-en")
    page.get_by_role("button", name="Log out").click()

    # The next login, from the Dutch start, leads to the dashboard in English.
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("E-mailadres").fill("dirk@school.nl")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(live_server.url + "/en/dashboard/school/")


def test_a_person_renews_their_calendar_link(live_server, page, screenshot, consortium, company):
    UserFactory(
        email="bram@biocorp.nl", name="Bram", organisation=company, role=Role.INDUSTRY_STAFF
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, live_server.url, "bram@biocorp.nl")
    page.get_by_role("link", name="Mijn account").click()

    address = page.get_by_label("Je persoonlijke agenda-adres")
    old = address.input_value()
    assert old.startswith(live_server.url + "/calendar/") and old.endswith(".ics")
    subscribe = page.get_by_role("link", name="Abonneren in mijn agenda-app")
    expect(subscribe).to_have_attribute("href", "webcal://" + old.split("://", 1)[1])
    page.get_by_role("button", name="Adres kopiëren").click()
    expect(page.get_by_role("button", name="Gekopieerd")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == old
    assert page.request.get(old).status == 200

    page.get_by_role("button", name="Nieuw adres maken (het oude werkt dan niet meer)").click()

    expect(page).to_have_url(live_server.url + "/account/")
    expect(page.get_by_text("het oude werkt niet meer")).to_be_visible()
    page.reload()
    new = page.get_by_label("Je persoonlijke agenda-adres").input_value()
    assert new != old
    assert new.endswith(CalendarFeed.objects.get(user__email="bram@biocorp.nl").token + ".ics")
    assert page.request.get(old).status == 404
    assert page.request.get(new).status == 200
    screenshot("account-calendar-renewed")


def test_a_too_short_password_is_refused_in_dutch_with_je(
    live_server, page, screenshot, consortium, school
):
    UserFactory(email="dirk@school.nl", name="Dirk", organisation=school, role=Role.SCHOOL_STAFF)
    log_in(page, live_server.url, "dirk@school.nl")
    page.get_by_role("link", name="Mijn account").click()
    page.get_by_role("link", name="Wachtwoord wijzigen").click()

    expect(page.get_by_text("Gebruik minstens 10 tekens.")).to_be_visible()
    page.get_by_label("Huidig wachtwoord").fill(PASSWORD)
    page.get_by_label(re.compile(r"^Nieuw wachtwoord:?$")).fill("kort1")
    page.get_by_label("Nieuw wachtwoord (bevestigen)").fill("kort1")
    page.get_by_role("button", name="Wachtwoord wijzigen").click()

    expect(
        page.get_by_text("Dit wachtwoord is te kort: gebruik minstens 10 tekens.")
    ).to_be_visible()
    body = page.locator("main").inner_text()
    assert not re.search(r"\b[Uu]w\b|\b[Uu]\b", body), body
    screenshot("account-password-too-short")

    page.get_by_label("Huidig wachtwoord").fill(PASSWORD)
    page.get_by_label(re.compile(r"^Nieuw wachtwoord:?$")).fill("Pipet-Centrifuge-42")
    page.get_by_label("Nieuw wachtwoord (bevestigen)").fill("Pipet-Centrifuge-42")
    page.get_by_role("button", name="Wachtwoord wijzigen").click()
    expect(page.get_by_text("Je wachtwoord is gewijzigd.")).to_be_visible()
    assert User.objects.get(email="dirk@school.nl").check_password("Pipet-Centrifuge-42")
