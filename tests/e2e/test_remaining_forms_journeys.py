"""The forms that had no journey yet, in Chromium: an invitation sent again and one revoked, an
authenticator app set up with a code computed from the secret the page shows, its recovery codes
(shown, used at login, made anew) and turning it off, a rejected contribution corrected with an
evidence PDF, proposed hours confirmed and an approved figure corrected by the coordinator, a
student nominated from the place's page, declined with a message and another's agreement (POK)
recorded, every status button the activity page offers, and a request cancelled after its page.

Each journey logs in through the real login page, clicks the real buttons and checks what the
person sees: the message, and the saved value after a reload."""

import re
import time
from decimal import Decimal

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import expect

from activities import services
from activities.models import (
    ActivityKind,
    Nomination,
    Request,
)
from ledger import services as ledger
from ledger.models import Contribution, ContributionStatus
from partners import services as partners
from partners.models import Invitation, Role
from programmes.models import Project
from tests.conftest import days
from tests.e2e.conftest import log_in, log_out, message
from tests.factories import PASSWORD, StudentFactory
from tests.files import pdf_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_sends_one_invitation_again_and_revokes_another(
    live_server, page, screenshot, carla, company, mailoutbox
):
    for email in ("nina@biocorp.nl", "otto@biocorp.nl"):
        partners.invite_person(
            actor=carla, email=email, organisation=company, role=Role.INDUSTRY_STAFF
        )
    mailoutbox.clear()
    log_in(page, live_server.url, carla.email)

    page.goto(live_server.url + "/invitations/")
    page.get_by_role("button", name="Opnieuw versturen nina@biocorp.nl").click()
    expect(
        message(page, "De uitnodiging aan nina@biocorp.nl wordt opnieuw verstuurd.")
    ).to_be_visible()
    assert [m.to for m in mailoutbox] == [["nina@biocorp.nl"]]

    page.get_by_role("button", name="Intrekken otto@biocorp.nl").click()
    expect(message(page, "De uitnodiging aan otto@biocorp.nl is ingetrokken.")).to_be_visible()
    page.reload()
    otto = page.get_by_role("row").filter(has_text="otto@biocorp.nl")
    expect(otto).to_contain_text("Ingetrokken")
    expect(otto.get_by_role("button")).to_have_count(0)
    nina = page.get_by_role("row").filter(has_text="nina@biocorp.nl")
    expect(nina).to_contain_text("Openstaand")
    expect(nina.get_by_role("button", name="Intrekken")).to_be_visible()
    screenshot("remaining-invitations")
    assert Invitation.objects.get(email="otto@biocorp.nl").revoked_at is not None


def confirm_password(page):
    """allauth asks for the password once more before the second factor is shown or changed."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Toegang bevestigen")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Bevestigen").click()


def _code(secret: str) -> str:
    """What the app on the phone shows now."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_a_teacher_sets_up_an_authenticator_logs_in_with_a_recovery_code_and_turns_it_off(
    live_server, page, screenshot, dirk, settings
):
    # A code typed at the turn of a 30-second step still counts, as phones' clocks drift.
    settings.MFA_TOTP_TOLERANCE = 1
    log_in(page, live_server.url, dirk.email)
    page.get_by_role("link", name="Mijn account").click()
    mfa = page.get_by_role("region", name="Tweede stap bij het inloggen")
    expect(mfa).to_contain_text("Uit")
    mfa.get_by_role("link", name="Authenticator-app instellen").click()

    # The code a phone's app would show, from the secret the page gives for typing in by hand.
    confirm_password(page)
    secret = page.get_by_label("Authenticator geheim").input_value()
    page.get_by_label("Authenticator code").fill("000000")
    page.get_by_role("button", name="Activeer").click()
    expect(page.get_by_text("Ongeldige code.")).to_be_visible()
    screenshot("remaining-mfa-activate")
    page.get_by_label("Authenticator code").fill(_code(secret))
    page.get_by_role("button", name="Activeer").click()
    expect(message(page, "Authenticator-app geactiveerd.")).to_be_visible()
    first_codes = page.get_by_label("Ongebruikte codes").input_value().split()
    assert len(first_codes) == 10

    page.goto(live_server.url + "/account/")
    mfa = page.get_by_role("region", name="Tweede stap bij het inloggen")
    expect(mfa).to_contain_text("Aan")
    expect(mfa).to_contain_text("Nog 10 van de 10 herstelcodes over")
    mfa.get_by_role("link", name="Nieuwe herstelcodes maken").click()
    screenshot("remaining-mfa-generate")
    page.get_by_role("button", name="Genereer").click()
    codes = page.get_by_label("Ongebruikte codes").input_value().split()
    assert len(codes) == 10 and not set(codes) & set(first_codes)
    # The codes sit under their label, and allauth's links look like the buttons they are.
    label = page.locator("label[for=recovery_codes]").bounding_box()
    assert (
        label["y"] + label["height"] <= page.get_by_label("Ongebruikte codes").bounding_box()["y"]
    )
    expect(page.get_by_role("link", name="Codes downloaden")).to_have_class("button")
    screenshot("remaining-mfa-recovery-codes")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("remaining-mfa-recovery-codes-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    log_out(page)

    # Without the phone: the password, then one of the new recovery codes (an old one fails).
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("E-mailadres").fill(dirk.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    code = page.get_by_role("textbox")
    code.fill(first_codes[0])
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_text("Ongeldige code.")).to_be_visible()
    screenshot("remaining-mfa-login-step")
    page.get_by_role("textbox").fill(codes[0])
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()

    page.goto(live_server.url + "/account/")
    mfa = page.get_by_role("region", name="Tweede stap bij het inloggen")
    expect(mfa).to_contain_text("Nog 9 van de 10 herstelcodes over")
    mfa.get_by_role("link", name="Herstelcodes tonen").click()
    confirm_password(page)
    shown = page.get_by_label("Ongebruikte codes").input_value().split()
    assert shown == codes[1:]

    page.goto(live_server.url + "/account/")
    page.get_by_role("link", name="Uitzetten").click()
    screenshot("remaining-mfa-deactivate")
    page.get_by_role("button", name="Deactiveer").click()
    expect(message(page, "Authenticator-app gedeactiveerd.")).to_be_visible()
    screenshot("remaining-mfa-index")
    page.goto(live_server.url + "/account/")
    expect(page.get_by_role("region", name="Tweede stap bij het inloggen")).to_contain_text("Uit")


def test_a_partner_resends_a_rejected_contribution_with_evidence_and_confirms_proposed_hours(
    live_server, page, screenshot, bram, carla, guest_lesson, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    line = Project.objects.get().lines.get(number=1)
    workshop = ledger.log_contribution(
        actor=bram,
        fields={
            "kind": "staff_hours",
            "programme_line": line,
            "hours": Decimal(9),
            "date": days(0),
            "description": "Workshop pipetteren",
        },
    )
    ledger.reject_contribution(
        actor=carla, contribution=workshop, reason="Voeg de presentielijst toe"
    )
    ledger.propose_for_delivery(activity=guest_lesson)
    attendance = tmp_path / "presentielijst.pdf"
    attendance.write_bytes(pdf_bytes())

    log_in(page, live_server.url, bram.email)
    page.get_by_role("link", name="Bijdragen", exact=True).click()
    page.get_by_role("row", name="Workshop pipetteren").get_by_role(
        "link", name="Herstellen en opnieuw indienen"
    ).click()
    expect(page.get_by_text("“Voeg de presentielijst toe”")).to_be_visible()
    page.get_by_label("Uren").fill("7,5")
    page.get_by_label("Bewijsstuk").set_input_files(attendance)
    screenshot("remaining-contribution-resend")
    page.get_by_role("button", name="Ter goedkeuring versturen").click()
    expect(message(page, "Ter goedkeuring verstuurd.")).to_be_visible()
    page.reload()
    row = page.get_by_role("row", name="Workshop pipetteren")
    expect(row).to_contain_text("7,5 u")
    expect(row).to_contain_text("Ingediend")
    href = row.get_by_role("link", name="bewijsstuk").get_attribute("href")
    evidence = page.request.get(live_server.url + href)
    assert evidence.status == 200 and evidence.body() == pdf_bytes()
    assert evidence.headers["content-type"] == "application/pdf"

    # The delivered lesson proposed its hours; the company says how many it really were.
    proposed = page.get_by_role("region", name="Uitgevoerde activiteiten: bevestig de uren")
    proposed.get_by_role("link", name="Controleren en bevestigen Van monster tot sequentie").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uren bevestigen")
    page.get_by_label("Uren").fill("3")
    page.get_by_role("button", name="Ter goedkeuring versturen").click()
    expect(message(page, "Ter goedkeuring verstuurd.")).to_be_visible()
    page.reload()
    expect(
        page.get_by_role("region", name="Uitgevoerde activiteiten: bevestig de uren")
    ).to_have_count(0)
    lesson = page.get_by_role("row", name="Van monster tot sequentie")
    expect(lesson).to_contain_text("3,0 u")
    expect(lesson).to_contain_text("Ingediend")
    screenshot("remaining-contributions-resent")
    assert Contribution.objects.get(pk=workshop.pk).evidence.name.endswith(".pdf")


def test_a_coordinator_corrects_an_approved_contribution_with_a_reason(
    live_server, page, screenshot, bram, carla, consortium
):
    line = Project.objects.get().lines.get(number=1)
    workshop = ledger.log_contribution(
        actor=bram,
        fields={
            "kind": "staff_hours",
            "programme_line": line,
            "hours": Decimal(9),
            "date": days(0),
            "description": "Workshop pipetteren",
        },
    )
    ledger.approve_contribution(actor=carla, contribution=workshop)

    log_in(page, live_server.url, carla.email)
    page.goto(live_server.url + "/contributions/review/")
    page.get_by_role("link", name="Corrigeren BioCorp, Workshop pipetteren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Correctie vastleggen voor BioCorp")
    page.get_by_label("Uren").fill("6")
    page.get_by_role("button", name="Correctie vastleggen").click()
    expect(page.locator("#id_reason_error")).to_be_visible()
    expect(page.get_by_label("Uren")).to_have_value("6")
    page.get_by_label("Reden van de correctie").fill("De presentielijst telt 6 uur")
    page.get_by_role("button", name="Correctie vastleggen").click()
    expect(message(page, "De correctie is vastgelegd.")).to_be_visible()

    page.goto(live_server.url + "/contributions/review/")
    row = page.get_by_role("row", name="Workshop pipetteren")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("6,0 u")
    screenshot("remaining-contribution-corrected")
    correction = Contribution.objects.get(corrects=workshop)
    assert (correction.hours, correction.status) == (6, ContributionStatus.APPROVED)
    assert correction.rejection_reason == "De presentielijst telt 6 uur"


def test_a_teacher_nominates_records_an_agreement_and_the_company_declines_with_a_message(
    live_server, page, screenshot, posting, bram, dirk, school
):
    StudentFactory(school=school, display_name="Noor A.")
    sam = services.nominate_student(
        actor=dirk, posting=posting, student=StudentFactory(school=school, display_name="Sam B.")
    )
    services.answer_nomination(actor=bram, nomination=sam, accept=True)
    url = live_server.url + posting.get_absolute_url()

    log_in(page, live_server.url, dirk.email)
    page.goto(url)
    nominate = page.get_by_role("region", name="Student voordragen")
    nominate.get_by_label("Student").select_option(label="Noor A.")
    nominate.get_by_label("Motivatie").fill("Noor heeft de PCR-module met een 9 afgerond.")
    nominate.get_by_role("button", name="Voordragen").click()
    expect(message(page, "Noor A. is voorgedragen.")).to_be_visible()
    noor = page.locator("li[id^=nomination-]", has_text="Noor A.")
    expect(noor).to_contain_text("Voorgedragen")
    expect(noor).to_contain_text("“Noor heeft de PCR-module met een 9 afgerond.”")

    # The school notes the three-party agreement of the accepted one.
    sam_row = page.locator("li[id^=nomination-]", has_text="Sam B.")
    sam_row.get_by_label("POK-kenmerk").fill("POK-2026-0042")
    sam_row.get_by_role("button", name="Opslaan").click()
    expect(message(page, "Het kenmerk van de overeenkomst is opgeslagen.")).to_be_visible()
    page.reload()
    sam_row = page.locator("li[id^=nomination-]", has_text="Sam B.")
    expect(sam_row).to_contain_text("Overeenkomst (POK): POK-2026-0042")
    expect(sam_row.get_by_label("POK-kenmerk")).to_have_value("POK-2026-0042")
    log_out(page)

    log_in(page, live_server.url, bram.email)
    page.goto(url)
    noor = page.locator("li[id^=nomination-]", has_text="Noor A.")
    noor.get_by_text("Afwijzen met een bericht").click()
    noor.get_by_label("Bericht").fill("We zoeken iemand met ervaring in celkweek")
    screenshot("remaining-nomination-decline")
    # The form is sent without htmx: the page comes back with the row answered.
    with page.expect_navigation():
        noor.get_by_role("button", name="Afwijzen — Noor A.").click()
    expect(noor).to_contain_text("Afgewezen")
    page.reload()
    noor = page.locator("li[id^=nomination-]", has_text="Noor A.")
    expect(noor).to_contain_text("Afgewezen")
    expect(noor).to_contain_text("Bedrijf: “We zoeken iemand met ervaring in celkweek”")
    expect(noor.get_by_role("button")).to_have_count(0)
    assert Nomination.objects.get(student__display_name="Noor A.").status == "declined"


def status(page):
    return page.locator(".page-head .status")


def test_each_kind_of_activity_moves_through_the_statuses_its_page_offers(
    live_server, page, screenshot, posting, bram, dirk
):
    training = services.create_activity(
        actor=dirk,
        kind=ActivityKind.TRAINING,
        fields={"title": "Docentenscholing CRISPR", "audience": "teachers", "start_date": days(20)},
    )
    research = services.create_activity(
        actor=dirk,
        kind=ActivityKind.RESEARCH,
        fields={
            "title": "Hybride practica",
            "research_question": "Leren studenten evenveel van een hybride practicum?",
            "track": "education",
        },
    )

    # A place: filled, open again, then closed after the page says what closing does.
    log_in(page, live_server.url, bram.email)
    page.goto(live_server.url + posting.get_absolute_url())
    page.get_by_role("button", name="Markeren als vol").click()
    expect(message(page, "De status is gewijzigd.")).to_be_visible()
    page.reload()
    expect(status(page)).to_have_text("Vol")
    page.get_by_role("button", name="Publiceren").click()
    expect(message(page, "De status is gewijzigd.")).to_be_visible()
    expect(status(page)).to_have_text("Gepubliceerd")
    page.get_by_role("link", name="Sluiten…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("“Stage analist” sluiten?")
    screenshot("remaining-status-close-confirm")
    page.get_by_role("button", name="Ja, sluiten").click()
    expect(message(page, "“Stage analist” is gesloten.")).to_be_visible()
    page.reload()
    expect(status(page)).to_have_text("Gesloten")
    log_out(page)

    # A training is planned; research is started and completed.
    log_in(page, live_server.url, dirk.email)
    page.goto(live_server.url + training.get_absolute_url())
    expect(status(page)).to_have_text("Concept")
    page.get_by_role("button", name="Inplannen", exact=True).click()
    expect(message(page, "De status is gewijzigd.")).to_be_visible()
    page.reload()
    expect(status(page)).to_have_text("Gepland")
    expect(page.get_by_role("region", name="Melden als uitgevoerd")).to_be_visible()

    page.goto(live_server.url + research.get_absolute_url())
    page.get_by_role("button", name="Starten").click()
    expect(message(page, "De status is gewijzigd.")).to_be_visible()
    page.reload()
    expect(status(page)).to_have_text("Lopend")
    page.get_by_role("button", name="Afronden").click()
    expect(message(page, "De status is gewijzigd.")).to_be_visible()
    page.reload()
    expect(status(page)).to_have_text("Uitgevoerd")
    expect(page.locator(".page-head .actions button")).to_have_count(0)
    screenshot("remaining-status-research-completed")


def test_a_teacher_cancels_a_request_after_its_page_says_who_is_told(
    live_server, page, screenshot, guest_lesson, bram, dirk
):
    services.request_activity(
        actor=dirk, activity=guest_lesson, date=days(14), group_name="LAB3A", student_count=20
    )

    log_in(page, live_server.url, dirk.email)
    page.goto(live_server.url + "/requests/")
    page.get_by_role("link", name="Aanvraag annuleren… — Van monster tot sequentie, LAB3A").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deze aanvraag annuleren?")
    screenshot("remaining-request-cancel-confirm")
    page.get_by_role("button", name="Ja, aanvraag annuleren").click()
    expect(page.get_by_text("Dit veld is verplicht.")).to_be_visible()
    assert Request.objects.get().status == "requested"

    page.get_by_label("Reden").fill("De klas gaat die week op excursie")
    page.get_by_role("button", name="Ja, aanvraag annuleren").click()
    expect(message(page, "De aanvraag is geannuleerd.")).to_be_visible()
    expect(page).to_have_url(live_server.url + "/requests/")
    page.reload()
    row = page.locator("li[id^=request-]").filter(has_text="LAB3A")
    expect(row).to_contain_text("Geannuleerd")
    expect(row.get_by_role("link", name=re.compile("Aanvraag annuleren"))).to_have_count(0)
    log_out(page)

    # The company reads the reason.
    log_in(page, live_server.url, bram.email)
    page.get_by_role("link", name=re.compile(r"^Meldingen")).click()
    expect(page.get_by_text("De klas gaat die week op excursie")).to_be_visible()
