"""The project office runs the consortium in Chromium: a partner joins with its first contact,
leaves from a date (and the departure is taken back), and its co-financing category changes."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from partners.models import Invitation, Organisation, Role
from tests.conftest import days
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


def test_a_coordinator_adds_a_partner_who_joins_and_invites_its_first_contact(
    live_server, page, screenshot, coordinator
):
    log_in(page, live_server.url, coordinator.email)
    page.goto(live_server.url + "/partners/")
    page.get_by_role("link", name="Partner toevoegen").click()

    organisation = page.get_by_role("group", name="De organisatie")
    organisation.get_by_label("Naam").fill("Genlab Leiden")
    organisation.get_by_label("Soort").select_option(label="Werkveld")
    organisation.get_by_label("Cofinanciering telt als").select_option("employer")
    organisation.get_by_label("SBB-leerbedrijf-ID").fill("12x")
    organisation.get_by_label("Website").fill("https://genlab.example")
    expect(organisation.get_by_label("Doet mee vanaf")).to_have_value(days(0).isoformat())
    contact = page.get_by_role("group", name="De eerste contactpersoon (niet verplicht)")
    contact.get_by_label("E-mailadres").fill("gina@genlab.example")
    contact.get_by_label("Naam").fill("Gina Jansen")
    page.get_by_role("button", name="Partner toevoegen").click()

    # A malformed leerbedrijf-ID is explained next to the field; nothing typed is lost.
    expect(page.locator("#id_sbb_leerbedrijf_id_error")).to_contain_text("4 tot 12 cijfers")
    expect(page.get_by_label("Naam").first).to_have_value("Genlab Leiden")
    expect(contact.get_by_label("E-mailadres")).to_have_value("gina@genlab.example")
    assert not Organisation.objects.filter(name="Genlab Leiden").exists()
    page.get_by_label("SBB-leerbedrijf-ID").fill("123456")
    screenshot("partners-add")
    page.get_by_role("button", name="Partner toevoegen").click()

    expect(
        message(page, "Genlab Leiden is aan het consortium toegevoegd. Er is een uitnodiging")
    ).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Genlab Leiden")
    page.goto(live_server.url + "/partners/")
    page.reload()
    card = page.locator(".directory-item").filter(has_text="Genlab Leiden")
    expect(card).to_be_visible()
    expect(card).not_to_contain_text("voormalig partner")
    invitation = Invitation.objects.get(email="gina@genlab.example")
    assert invitation.makes_contact and invitation.role == Role.INDUSTRY_STAFF
    assert invitation.organisation.name == "Genlab Leiden"
    assert [m.to for m in mail.outbox] == [["gina@genlab.example"]]
    page.goto(live_server.url + "/invitations/")
    expect(page.get_by_role("row").filter(has_text="gina@genlab.example")).to_contain_text(
        "Genlab Leiden"
    )


def test_a_coordinator_marks_a_partner_as_left_and_takes_it_back(
    live_server, page, screenshot, coordinator
):
    log_in(page, live_server.url, coordinator.email)
    page.goto(live_server.url + "/partners/baseclear/")
    leaving = page.get_by_role("region", name="Vertrekt uit het consortium")
    leaving.get_by_label("Laatste dag als partner").fill(days(-1).isoformat())
    leaving.get_by_label("Reden").fill("Overgenomen door een partner buiten de regio")
    leaving.get_by_role("button", name="Markeren als vertrokken").click()

    # The confirmation says what happens; only its own button acts.
    expect(page.get_by_role("heading", level=1)).to_have_text("Markeer BaseClear als vertrokken?")
    expect(page.get_by_text("kunnen vanaf die dag niet meer inloggen")).to_be_visible()
    expect(page.get_by_label("Reden")).to_have_value("Overgenomen door een partner buiten de regio")
    screenshot("partners-leave-confirm")
    page.get_by_role("button", name="Ja, markeren als vertrokken").click()

    expect(message(page, "BaseClear is partner tot")).to_be_visible()
    page.reload()
    expect(page.locator(".org-header")).to_contain_text("voormalig partner")
    history = page.get_by_role("region", name="Wijzigingsgeschiedenis")
    expect(history).to_contain_text("Overgenomen door een partner buiten de regio")
    page.goto(live_server.url + "/partners/")
    card = page.locator(".directory-item").filter(has_text="BaseClear")
    expect(card).to_contain_text("voormalig partner")
    screenshot("partners-left-in-list")

    page.goto(live_server.url + "/partners/baseclear/")
    page.get_by_role("link", name="Vertrek terugdraaien").click()
    page.get_by_label("Reden").fill("Overname ging niet door")
    page.get_by_role("button", name="Ja, het blijft partner").click()
    expect(message(page, "BaseClear is weer partner")).to_be_visible()
    page.reload()
    expect(page.locator(".org-header")).not_to_contain_text("voormalig partner")
    assert Organisation.objects.get(slug="baseclear").active_until is None


def test_a_coordinator_changes_a_partners_category_with_a_reason(live_server, page, coordinator):
    log_in(page, live_server.url, coordinator.email)
    page.goto(live_server.url + "/partners/baseclear/")
    category = page.get_by_role("region", name="Cofinancieringscategorie")
    category.get_by_label("Cofinanciering telt als").select_option("other")
    category.get_by_role("button", name="Categorie wijzigen").click()

    # The reason is required: the page says so and keeps the chosen category.
    expect(page.locator("#category_reason_error")).to_be_visible()
    expect(page.get_by_label("Cofinanciering telt als")).to_have_value("other")
    page.get_by_label("Reden").fill("Geen werkgever volgens de beschikking")
    page.get_by_role("button", name="Categorie wijzigen").click()

    expect(message(page, "De cofinanciering van BaseClear telt nu als")).to_be_visible()
    page.reload()
    expect(page.get_by_role("region", name="Over")).to_contain_text("Overige partners")
    expect(page.get_by_role("region", name="Wijzigingsgeschiedenis")).to_contain_text(
        "Geen werkgever volgens de beschikking"
    )
