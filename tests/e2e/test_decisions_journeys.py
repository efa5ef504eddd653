"""Decisions reach the person they concern, clicked through in Chromium: hours for a whole quarter,
a rejected contribution's reason in the partner's notifications, and a full place's waiting list."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from activities import services
from activities.models import Nomination
from ledger import services as ledger
from ledger.models import Contribution
from partners.models import Role
from programmes.models import Project
from tests.e2e.conftest import log_in, log_out
from tests.factories import StudentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_partner_logs_hours_for_a_whole_quarter(live_server, page, screenshot, bram, consortium):
    line = Project.objects.get().lines.get(number=2)

    log_in(page, live_server.url, bram.email)
    page.get_by_role("link", name="Bijdragen", exact=True).click()
    quarter = page.get_by_role("region", name="Uren voor een heel kwartaal")
    chosen = quarter.get_by_label("Kwartaal").input_value()
    quarter.get_by_label(line.title).fill("14")
    quarter.get_by_label("Omschrijving").fill("Stagebegeleiding en gastlessen")
    quarter.get_by_role("button", name="Kwartaal registreren").click()

    expect(page.get_by_text("1 regels geregistreerd voor het kwartaal.")).to_be_visible()
    page.reload()
    row = page.get_by_role("row", name="Stagebegeleiding en gastlessen")
    expect(row).to_contain_text("14")
    expect(row).to_contain_text("Ingediend")
    screenshot("decisions-quarter-logged")
    saved = Contribution.objects.get(description="Stagebegeleiding en gastlessen")
    assert (saved.hours, saved.date.isoformat()) == (14, chosen)


def test_a_coordinator_rejects_a_contribution_and_the_partner_reads_the_reason_in_notifications(
    live_server, page, screenshot, bram, school, consortium
):
    line = Project.objects.get().lines.get(number=1)
    UserFactory(email="coord@school.nl", name="Cor", organisation=school, role=Role.COORDINATOR)
    ledger.log_contribution(
        actor=bram,
        fields={
            "kind": "staff_hours",
            "programme_line": line,
            "hours": Decimal(9),
            "date": date.today(),
            "description": "Workshop pipetteren",
        },
    )
    mail.outbox.clear()

    log_in(page, live_server.url, "coord@school.nl")
    page.goto(live_server.url + "/contributions/review/")
    item = page.get_by_role("listitem").filter(has_text="Workshop pipetteren")
    item.get_by_label("Reden").fill("Voeg de presentielijst toe")
    item.get_by_role("button", name="Afkeuren").click()
    expect(page.get_by_text("Afgekeurd; de partner ziet je reden.")).to_be_visible()
    expect(page.get_by_text("Workshop pipetteren")).to_have_count(0)
    log_out(page)

    log_in(page, live_server.url, bram.email)
    page.get_by_role("link", name="Meldingen").first.click()
    notice = page.get_by_role("listitem").filter(has_text="Workshop pipetteren")
    expect(notice).to_contain_text("Besluit")
    expect(notice).to_contain_text("is afgekeurd")
    expect(notice).to_contain_text("“Voeg de presentielijst toe”")
    screenshot("decisions-rejection-notification")
    notice.get_by_role("link", name="openen").click()
    row = page.get_by_role("row", name="Workshop pipetteren")
    expect(row).to_contain_text("Afgekeurd")
    expect(row).to_contain_text("Voeg de presentielijst toe")
    assert [m.to for m in mail.outbox] == [[bram.email]]
    assert "Voeg de presentielijst toe" in mail.outbox[0].body


def test_a_full_place_puts_the_next_nomination_on_the_waiting_list_and_offers_it_when_a_place_frees(
    live_server, page, screenshot, posting, bram, dirk, school
):
    for name in ("Anouk A.", "Bilal B.", "Chris C."):
        services.nominate_student(
            actor=dirk, posting=posting, student=StudentFactory(school=school, display_name=name)
        )
    url = live_server.url + posting.get_absolute_url()

    # The company accepts two: both places are taken before it answered the third.
    log_in(page, live_server.url, bram.email)
    page.goto(url)
    for name in ("Anouk A.", "Bilal B."):
        page.get_by_role("button", name=f"Accepteren — {name}").click()
        expect(page.locator("li", has_text=name).get_by_text("Geaccepteerd").first).to_be_visible()
    page.reload()
    chris = page.locator("li[id^=nomination-]", has_text="Chris C.")
    expect(chris).to_contain_text("Op de wachtlijst")
    expect(chris).to_contain_text("nummer 1 op de wachtlijst")
    expect(chris).not_to_contain_text("Bedrijf:")
    expect(chris.get_by_role("button", name="Accepteren")).to_have_count(0)
    screenshot("decisions-waiting-list-company")
    log_out(page)

    # The teacher hears it from civbio, not from the company, and withdraws one accepted student.
    log_in(page, live_server.url, dirk.email)
    page.get_by_role("link", name="Meldingen").first.click()
    told = page.get_by_role("listitem").filter(has_text="op de wachtlijst gezet")
    expect(told).to_contain_text("civbio")
    expect(told).to_contain_text("alle plaatsen bezet")
    page.goto(url)
    chris = page.locator("li[id^=nomination-]", has_text="Chris C.")
    expect(chris).to_contain_text("krijgt het bedrijf hem weer")
    screenshot("decisions-waiting-list-teacher")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("decisions-waiting-list-teacher-phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("li[id^=nomination-]", has_text="Anouk A.").get_by_role(
        "link", name="Terugtrekken van de stageplaats"
    ).click()
    expect(page.get_by_text("de eerste voordracht op de wachtlijst")).to_be_visible()
    page.get_by_label("Reden").fill("Anouk stopt met de opleiding")
    page.locator("button[name=confirm]").click()

    chris = page.locator("li[id^=nomination-]", has_text="Chris C.")
    expect(chris).to_contain_text("Voorgedragen")
    expect(chris).not_to_contain_text("wachtlijst")
    page.get_by_role("link", name="Meldingen").first.click()
    expect(page.get_by_role("listitem").filter(has_text="opnieuw aangeboden").first).to_be_visible()
    log_out(page)

    # The place is the company's to give again.
    log_in(page, live_server.url, bram.email)
    page.goto(url)
    page.get_by_role("button", name="Accepteren — Chris C.").click()
    expect(page.get_by_role("button", name="Accepteren — Chris C.")).to_have_count(0)
    page.reload()
    expect(
        page.locator("li[id^=nomination-]", has_text="Chris C.").get_by_text("Geaccepteerd")
    ).to_be_visible()
    assert Nomination.objects.get(student__display_name="Chris C.").status == "accepted"
