"""Every other form people submit, in the browser: logging in and out, the language, an offer's
form and its edit conflict, requests answered with another date, editions and students (added,
corrected, imported), a partner's profile with its logo, KPI figures and their approval, the
milestones, reminders, notifications and the calendar address.

Each journey logs in through the real login page, clicks the real buttons and checks what the
person sees afterwards: the message, and the saved value after a reload.

Every POST form in templates/ and the journey that submits it (F = this file, tests/e2e/ elsewhere):

- base.html, log out: F::test_a_person_logs_in_chooses_language_reminders_and_a_new_calendar_\
  address_and_logs_out; test_journey.py::test_a_coordinator_logs_in_switches_language_and_logs_out
- partials/language_switcher.html: the same two
- account/login.html: every journey (conftest.log_in); a wrong password: F::test_a_person_logs_in_…
- allauth's password_reset.html and password_reset_from_key.html: F::test_a_person_who_forgot_the_\
  password_sets_a_new_one_from_the_mail
- allauth's password_change.html: test_account_journeys.py::test_a_too_short_password_is_refused_\
  in_dutch_with_je
- allauth's MFA pages (TOTP set-up, recovery codes): R (below)
- partners/account.html: test_account_journeys.py::test_a_teacher_changes_their_name_and_language_\
  on_the_account_page
- activities/partials/account_calendar.html: test_account_journeys.py::test_a_person_renews_their_\
  calendar_link; activities/calendar.html (same endpoint): F::test_a_person_logs_in_…
- activities/reminder_settings.html: F::test_a_person_logs_in_…
- activities/notifications.html, mark all read: F::test_a_school_requests_a_guest_lesson_and_the_\
  company_proposes_declines_and_the_school_answers
- activities/activity_form.html, new (draft) and edit with its version: F::test_a_company_posts_\
  an_internship_place_and_edits_it_without_losing_a_colleagues_change; new also in
  test_guest_lesson_journey.py
- activities/activity_detail.html: status buttons: publish F::test_a_company_posts_…,
  test_guest_lesson_journey.py; cancel and reopen test_confirmations_journeys.py::test_a_company_\
  cancels_a_guest_lesson_with_a_reason_and_the_school_sees_the_reason, ::test_a_company_reopens_a_\
  cancelled_lesson; close, mark filled, plan, start, complete: R (below). Report it delivered
  (people reached): F::test_a_school_reports_a_training_delivered_and_adds_a_research_output.
  Request this for a class: F::test_a_school_requests_…, test_guest_lesson_journey.py. Nominate a
  student: R (below). Add an output: F::test_a_school_reports_a_training_…
- activities/partials/request_row.html: accept (htmx) test_guest_lesson_journey.py; decline or
  propose another date, accept the proposed date, turn it down: F::test_a_school_requests_…;
  mark delivered: test_guest_lesson_journey.py; cancel request: R (below)
- activities/partials/nomination_row.html: accept (htmx) test_decisions_journeys.py::test_a_full_\
  place_puts_the_next_nomination_on_the_waiting_list_and_offers_it_when_a_place_frees; decline
  with a message, the agreement (POK) reference: R (below)
- partials/confirm.html (cancel, withdraw, publish, erase): test_confirmations_journeys.py,
  test_decisions_journeys.py::test_a_full_place_… (withdraw)
- activities/matches.html, nominate: test_progress_journey.py::test_progress_in_the_grid_makes_a_\
  match_and_the_teacher_nominates
- students/edition_detail.html: bulk test_progress_numbers_journeys.py::test_a_teacher_marks_\
  three_students_completed_at_once; the grid's cells (students/grid.py) test_progress_journey.py,
  test_progress_numbers_journeys.py; the grid saved without JavaScript (its one form, in
  <noscript>) test_progress_numbers_journeys.py::test_without_javascript_a_teacher_changes_two_\
  cells_and_saves_the_grid_once; enrol F::test_a_teacher_starts_an_edition_adds_imports_and_\
  enrols_students
- students/edition_form.html, student_form.html (new and edit), student_import.html,
  student_import_preview.html: F::test_a_teacher_starts_an_edition_…; test_pages_journeys.py::\
  test_a_teacher_imports_students_and_goes_on_from_the_outcome; a failed import tried again
  (students/partials/import_progress.html): test_import_journeys.py::test_a_teacher_sees_a_\
  failed_import_tries_again_and_sees_it_done
- partners/organisation_form.html (with the logo): F::test_a_coordinator_updates_a_partners_\
  profile_and_logo
- partners/invitation_form.html, invitation_accept.html: test_account_journeys.py::test_a_\
  coordinator_invites_a_company_contact_without_touching_the_role_and_gets_industry_staff;
  partners/invitation_list.html, resend and revoke: R (below)
- reports/kpis.html (report a figure, the narrative, approve, reject) and
  programmes/milestones.html:
  F::test_a_teacher_reports_figures_and_the_coordinator_decides_writes_up_and_updates_a_milestone
- programmes/indicator_form.html (new, edit), programmes/milestone_form.html (new, edit) and
  partials/confirm.html (retire an indicator, remove a milestone): test_targets_journeys.py
- reports/report_list.html (make a report) and partials/report_row.html (make again):
  F::test_a_coordinator_makes_a_quarterly_report_and_makes_a_failed_one_again; publish:
  test_confirmations_journeys.py::test_a_coordinator_publishes_a_report_after_confirming; close
  a quarter (a GET form, then partials/confirm.html): test_confirmations_journeys.py::\
  test_a_coordinator_closes_a_quarter_after_confirming
- ledger/my_contributions.html: log test_contribution_journey.py, a whole quarter
  test_decisions_journeys.py::test_a_partner_logs_hours_for_a_whole_quarter;
  ledger/contribution_review.html: test_contribution_journey.py, test_decisions_journeys.py::\
  test_a_coordinator_rejects_a_contribution_and_the_partner_reads_the_reason_in_notifications;
  ledger/contribution_form.html (edit, correct, evidence): R (below)
- 503.html (send again while the database is away): R (below)

R = test_remaining_forms_journeys.py:

- partners/invitation_list.html, send again and revoke: R::test_a_coordinator_sends_one_invitation_\
  again_and_revokes_another
- allauth's reauthenticate.html, mfa/totp/activate_form.html (a wrong code, then one computed from
  the secret shown), mfa/recovery_codes/generate.html and index.html, mfa/authenticate.html (a
  recovery code at login), mfa/totp/deactivate_form.html: R::test_a_teacher_sets_up_an_\
  authenticator_logs_in_with_a_recovery_code_and_turns_it_off
- ledger/contribution_form.html: a rejected one corrected and resent with an evidence PDF, and
  proposed hours confirmed: R::test_a_partner_resends_a_rejected_contribution_with_evidence_and_\
  confirms_proposed_hours; the coordinator's correction of an approved one (first without the
  reason): R::test_a_coordinator_corrects_an_approved_contribution_with_a_reason
- activities/activity_detail.html, nominate a student; activities/partials/nomination_row.html,
  decline with a message and the agreement (POK) reference: R::test_a_teacher_nominates_records_\
  an_agreement_and_the_company_declines_with_a_message
- activities/activity_detail.html, status buttons: mark filled, publish again, close (after
  partials/confirm.html), plan, start, complete: R::test_each_kind_of_activity_moves_through_the_\
  statuses_its_page_offers
- activities/partials/request_row.html, cancel request (after partials/confirm.html, first
  without a reason): R::test_a_teacher_cancels_a_request_after_its_page_says_who_is_told
- 503.html, send again: no browser journey (the live server would need its database taken away);
  tests/civbio/test_outage_send_again.py posts the page's form back with the test client once the
  database is up, and the contribution is logged and the reminder choices saved
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from PIL import Image
from playwright.sync_api import expect

from activities import services as activities
from activities.models import ActivityKind, ActivityStatus, Request
from partners.models import Role
from programmes.models import Indicator, IndicatorSource, Project
from reports.models import Report, ReportKind, ReportState
from tests.conftest import days
from tests.e2e.conftest import log_in, log_out, message
from tests.factories import ModuleFactory, QualificationFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_company_posts_an_internship_place_and_edits_it_without_losing_a_colleagues_change(
    live_server, page, screenshot, consortium, company
):
    UserFactory(email="host@biocorp.nl", organisation=company, role=Role.INDUSTRY_STAFF)
    log_in(page, live_server.url, "host@biocorp.nl")

    page.goto(live_server.url + "/activities/new/internship/")
    page.get_by_label("Titel").fill("Stage analist massaspectrometrie")
    page.get_by_label("Leerweg").select_option("bol")
    page.get_by_label("Startdatum").fill((timezone.localdate() + timedelta(days=60)).isoformat())
    page.get_by_label("Duur in maanden").fill("5")
    page.get_by_label("Dagen per week").fill("4")
    page.get_by_label("Aantal plaatsen").fill("2")
    page.get_by_label("Locatie").fill("Leiden")
    page.get_by_role("button", name="Opslaan als concept").click()
    expect(message(page, "Opgeslagen als concept.")).to_be_visible()

    page.get_by_role("button", name="Publiceren").click()
    expect(message(page, "De status is gewijzigd.")).to_be_visible()
    page.reload()
    expect(page.locator(".page-head .status")).to_have_text("Gepubliceerd")

    # Two tabs on the edit page: the first save wins, the second is told and keeps its typing.
    page.get_by_role("link", name="Bewerken").click()
    edit_url = page.url
    other = page.context.new_page()
    other.goto(edit_url)
    other.get_by_label("Locatie").fill("Oegstgeest")
    other.get_by_role("button", name="Opslaan").click()
    expect(message(other, "Je wijzigingen zijn opgeslagen.")).to_be_visible()
    other.close()

    page.get_by_label("Aantal plaatsen").fill("3")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Iemand anders heeft deze activiteit gewijzigd")).to_be_visible()
    expect(page.get_by_label("Aantal plaatsen")).to_have_value("3")
    screenshot("forms-activity-edit-conflict")
    # Saving again after checking is accepted: the form now carries the version it was told of.
    page.get_by_label("Locatie").fill("Oegstgeest")
    page.get_by_role("button", name="Opslaan").click()
    expect(message(page, "Je wijzigingen zijn opgeslagen.")).to_be_visible()
    page.reload()
    about = page.get_by_role("region", name="Over")
    expect(about).to_contain_text("Oegstgeest")
    expect(about).to_contain_text("3")


def test_a_school_requests_a_guest_lesson_and_the_company_proposes_declines_and_the_school_answers(
    live_server, page, screenshot, consortium, company, school
):
    host = UserFactory(email="host@biocorp.nl", organisation=company, role=Role.INDUSTRY_STAFF)
    teacher = UserFactory(
        email="teacher@school.nl", name="Tim", organisation=school, role=Role.SCHOOL_STAFF
    )
    lesson = activities.create_activity(
        actor=host,
        kind=ActivityKind.GUEST_LESSON,
        fields={
            "title": "Van monster tot sequentie",
            "speaker": "Hanna",
            "format": "at_school",
            "duration_minutes": 90,
            "max_group_size": 25,
        },
    )
    activities.change_activity_status(actor=host, activity=lesson, status=ActivityStatus.PUBLISHED)
    asked, proposed = days(10), days(17)
    for group in ("LAB3B", "LAB3C"):
        activities.request_activity(
            actor=teacher, activity=lesson, date=asked, group_name=group, student_count=20
        )

    # The teacher asks for the lesson from its page.
    log_in(page, live_server.url, "teacher@school.nl")
    page.goto(live_server.url + f"/activities/{lesson.pk}/")
    form = page.get_by_role("region", name="Aanvragen voor een klas")
    form.get_by_label("Datum").fill(asked.isoformat())
    form.get_by_label("Klas of groep").fill("LAB3A")
    form.get_by_label("Aantal studenten").fill("22")
    form.get_by_label("Bericht aan de gastorganisatie").fill("Graag in het lab")
    form.get_by_role("button", name="Aanvraag versturen").click()
    expect(message(page, "Je aanvraag is verstuurd naar BioCorp.")).to_be_visible()
    expect(page.locator("li[id^=request-]").filter(has_text="LAB3A")).to_contain_text("Aangevraagd")
    log_out(page)

    # The company proposes another date for LAB3A and declines LAB3B, from the full forms.
    log_in(page, live_server.url, "host@biocorp.nl")
    page.get_by_role("link", name="Aanvragen", exact=True).click()
    row = page.locator("li[id^=request-]").filter(has_text="LAB3A")
    row.get_by_text("Afwijzen of andere datum voorstellen").click()
    row.get_by_label("Beantwoorden").select_option("propose")
    row.get_by_role("button", name="Versturen").click()
    expect(message(page, "Stel een datum in de toekomst voor.")).to_be_visible()
    row = page.locator("li[id^=request-]").filter(has_text="LAB3A")
    row.get_by_text("Afwijzen of andere datum voorstellen").click()
    row.get_by_label("Beantwoorden").select_option("propose")
    row.get_by_label("Voorgestelde datum").fill(proposed.isoformat())
    row.get_by_label("Bericht").fill("Een week later kan Hanna wel")
    row.get_by_role("button", name="Versturen").click()
    page.goto(live_server.url + "/requests/")
    row = page.locator("li[id^=request-]").filter(has_text="LAB3B")
    row.get_by_text("Afwijzen of andere datum voorstellen").click()
    row.get_by_label("Beantwoorden").select_option("decline")
    row.get_by_label("Bericht").fill("Die week zijn we dicht")
    row.get_by_role("button", name="Versturen").click()
    page.goto(live_server.url + "/requests/")
    rows = page.locator("li[id^=request-]")
    expect(rows.filter(has_text="LAB3A")).to_contain_text("Andere datum voorgesteld")
    expect(rows.filter(has_text="LAB3A")).to_contain_text("Een week later kan Hanna wel")
    expect(rows.filter(has_text="LAB3B")).to_contain_text("Afgewezen")
    activities.answer_request(
        actor=host,
        request=Request.objects.get(group_name="LAB3C"),
        decision="propose",
        proposed_date=proposed,
    )
    log_out(page)

    # The teacher reads the answers, marks them read, takes one date and turns the other down.
    log_in(page, live_server.url, "teacher@school.nl")
    page.get_by_role("link", name="Meldingen 3 ongelezen").click()
    expect(page.locator("li.unread")).to_have_count(3)
    page.get_by_role("button", name="Alles markeren als gelezen").click()
    expect(page.locator("li.unread")).to_have_count(0)
    page.reload()
    expect(page.locator("li.unread")).to_have_count(0)
    expect(page.get_by_role("link", name="Meldingen", exact=True)).to_be_visible()

    page.get_by_role("link", name="Aanvragen", exact=True).click()
    page.get_by_role(
        "button", name="Voorgestelde datum accepteren — Van monster tot sequentie, LAB3A"
    ).click()
    row = page.locator("li[id^=request-]").filter(has_text="LAB3A")
    expect(row.locator(".status")).to_have_text("Ingepland")
    page.get_by_role("button", name="Afslaan — Van monster tot sequentie, LAB3C").click()
    expect(
        page.locator("li[id^=request-]").filter(has_text="LAB3C").locator(".status")
    ).to_have_text("Geannuleerd")
    page.reload()
    rows = page.locator("li[id^=request-]")
    expect(rows.filter(has_text="LAB3A").locator(".status")).to_have_text("Ingepland")
    expect(rows.filter(has_text="LAB3A")).to_contain_text(date_format(proposed, "l j F Y"))
    expect(rows.filter(has_text="LAB3C").locator(".status")).to_have_text("Geannuleerd")
    screenshot("forms-requests-answered")


def test_a_teacher_starts_an_edition_adds_imports_and_enrols_students(
    live_server, page, screenshot, consortium, school, tmp_path
):
    UserFactory(email="teacher@school.nl", organisation=school, role=Role.SCHOOL_STAFF)
    ModuleFactory(code="MM-DNA", title="Moleculaire diagnostiek")
    QualificationFactory(crebo="25653", name="Analist", level=4)
    log_in(page, live_server.url, "teacher@school.nl")

    page.goto(live_server.url + "/editions/")
    page.get_by_role("link", name="Nieuwe uitvoering").click()
    page.get_by_label("Module").select_option(label="MM-DNA Moleculaire diagnostiek")
    page.get_by_label("Klas of groep").fill("LAB2A")
    page.get_by_label("Startdatum").fill(days(-7).isoformat())
    page.get_by_label("Einddatum").fill(days(80).isoformat())
    page.get_by_role("button", name="Aanmaken").click()
    expect(message(page, "De uitvoering is aangemaakt.")).to_be_visible()
    edition_url = page.url
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moleculaire diagnostiek — LAB2A")

    # One student by hand, then corrected.
    page.goto(live_server.url + "/students/")
    page.get_by_role("link", name="Student toevoegen").click()
    page.get_by_label("Studentnummer of pseudoniem").fill("R100300")
    page.get_by_label("Weergavenaam").fill("Sam B")
    page.get_by_label("Kwalificatie").select_option(label="Analist (25653, niveau 4)")
    page.get_by_label("Niveau").fill("4")
    page.get_by_label("Leerweg").select_option("bol")
    page.get_by_label("Cohort").fill("2025")
    page.get_by_role("button", name="Opslaan").click()
    expect(message(page, "De student is opgeslagen.")).to_be_visible()
    page.get_by_role("link", name="Bewerken").click()
    page.get_by_label("Weergavenaam").fill("Sam B.")
    page.get_by_role("button", name="Opslaan").click()
    expect(message(page, "De student is opgeslagen.")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam B.")

    # Two more from the school's export, enrolled in the new edition at once.
    export = tmp_path / "klas.csv"
    export.write_text(
        "studentnummer;roepnaam;crebo;niveau;leerweg;cohort\n"
        "R100301;Noor A.;25653;4;BOL;2025\n"
        "R100302;Jesse K.;25653;4;BOL;2025\n",
        encoding="utf-8",
    )
    page.goto(live_server.url + "/students/import/")
    page.get_by_label("CSV-bestand").set_input_files(export)
    page.get_by_label("Ook inschrijven voor").select_option(label="MM-DNA — LAB2A")
    page.get_by_role("button", name="Bestand controleren").click()
    expect(page.get_by_text("2 rijen: 2 nieuwe studenten, 0 al bekend")).to_be_visible()
    page.get_by_role("button", name="Bevestigen en importeren").click()
    expect(page.get_by_text("Geïmporteerd: 2 nieuwe studenten, 0 bijgewerkt.")).to_be_visible()
    page.goto(live_server.url + "/students/")
    expect(page.get_by_role("link", name="Noor A.")).to_be_visible()
    expect(page.get_by_role("link", name="Jesse K.")).to_be_visible()

    # The hand-made student joins the edition from its enrol form.
    page.goto(edition_url)
    page.get_by_text("Studenten inschrijven").click()
    page.get_by_label("Studenten van de school").select_option(label="Sam B. (R100300, 2025)")
    page.get_by_role("button", name="Inschrijven", exact=True).click()
    expect(message(page, "1 studenten ingeschreven.")).to_be_visible()
    page.reload()
    for name in ("Sam B.", "Noor A.", "Jesse K."):
        expect(page.get_by_role("row", name=name)).to_be_visible()
    screenshot("forms-edition-with-students")


def test_a_coordinator_updates_a_partners_profile_and_logo(
    live_server, page, screenshot, consortium, company, school, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    UserFactory(email="coord@school.nl", organisation=school, role=Role.COORDINATOR)
    logo = tmp_path / "biocorp.png"
    Image.new("RGB", (120, 60), (10, 110, 90)).save(logo)
    log_in(page, live_server.url, "coord@school.nl")

    page.goto(live_server.url + "/partners/biocorp/")
    page.get_by_role("link", name="Profiel bewerken").click()
    page.get_by_label("Beschrijving").fill("Wij sequencen DNA voor het LUMC.")
    page.get_by_label("Website").fill("https://biocorp.example.nl")
    page.get_by_label("Plaats").fill("Oegstgeest")
    page.get_by_label("Logo").set_input_files(logo)
    page.get_by_role("button", name="Opslaan").click()
    expect(message(page, "Het profiel van BioCorp is opgeslagen.")).to_be_visible()

    page.reload()
    expect(page.get_by_text("Wij sequencen DNA voor het LUMC.", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="https://biocorp.example.nl")).to_be_visible()
    expect(page.locator(".org-header")).to_contain_text("Oegstgeest")
    shown = page.get_by_role("img", name="Logo van BioCorp")
    expect(shown).to_be_visible()
    assert shown.evaluate("img => img.complete && img.naturalWidth") == 120
    screenshot("forms-partner-profile-with-logo")


def test_a_teacher_reports_figures_and_the_coordinator_decides_writes_up_and_updates_a_milestone(
    live_server, page, screenshot, consortium, school
):
    project = Project.objects.get()
    line = project.lines.get(number=1)
    for position, name in enumerate(("Instroom bol", "Diploma's")):
        Indicator.objects.create(
            project=project,
            programme_line=line,
            name=name,
            unit="studenten",
            source=IndicatorSource.REPORTED,
            target_2y=40,
            target_4y=80,
            position=position,
        )
    UserFactory(email="teacher@school.nl", organisation=school, role=Role.SCHOOL_STAFF)
    UserFactory(email="coord@school.nl", organisation=school, role=Role.COORDINATOR)

    log_in(page, live_server.url, "teacher@school.nl")
    page.get_by_role("link", name="KPI's").click()
    for indicator, value in (("Instroom bol", "12"), ("Diploma's", "7")):
        report = page.get_by_role("region", name="Cijfer opgeven")
        report.get_by_label("Indicator").select_option(label=indicator)
        report.get_by_label("Waarde").fill(value)
        report.get_by_label("Bron of toelichting").fill("Uit het studentsysteem")
        report.get_by_role("button", name="Versturen").click()
        expect(message(page, "Het cijfer is ter goedkeuring verstuurd.")).to_be_visible()
    expect(page.get_by_role("row", name="Instroom bol")).to_contain_text(
        "1 cijfer om goed te keuren"
    )
    log_out(page)

    log_in(page, live_server.url, "coord@school.nl")
    page.get_by_role("link", name="KPI's").click()
    page.get_by_role("button", name="Goedkeuren Instroom bol").click()
    expect(message(page, "Het cijfer voor Instroom bol is goedgekeurd.")).to_be_visible()
    page.get_by_role("button", name="Afkeuren Diploma's").click()
    expect(message(page, "Het cijfer voor Diploma's is afgekeurd.")).to_be_visible()
    page.reload()
    expect(page.get_by_role("region", name="Cijfers om goed te keuren")).to_have_count(0)
    this_quarter = page.get_by_role("row", name="Instroom bol").get_by_role("cell").nth(2)
    expect(this_quarter).to_have_text("12")

    narrative = page.get_by_role("region", name="Toelichting bij dit kwartaal")
    narrative.get_by_label("Hoogtepunten").fill("De eerste klas is gestart.")
    narrative.get_by_role("button", name="Opslaan").click()
    expect(message(page, "De toelichting is opgeslagen.")).to_be_visible()
    page.reload()
    narrative = page.get_by_role("region", name="Toelichting bij dit kwartaal")
    expect(narrative.get_by_label("Hoogtepunten")).to_have_value("De eerste klas is gestart.")

    page.get_by_role("link", name="Mijlpalen").click()
    milestone = page.get_by_role("listitem").filter(has_text="Tussentijdse evaluatie").first
    milestone.get_by_text("Bijwerken").click()
    milestone.get_by_label("Status").select_option("reached")
    milestone.get_by_label("Behaald op").fill("2025-01-15")
    milestone.get_by_label("Bewijs").fill("Rapport van de evaluatoren")
    milestone.get_by_role("button", name="Opslaan").click()
    expect(message(page, "De mijlpaal is bijgewerkt.")).to_be_visible()
    page.reload()
    milestone = page.get_by_role("listitem").filter(has_text="Tussentijdse evaluatie").first
    expect(milestone.locator(".status")).to_have_text("Behaald")
    expect(milestone).to_contain_text("Bewijs: Rapport van de evaluatoren")
    screenshot("forms-milestones-updated")


def test_a_person_logs_in_chooses_language_reminders_and_a_new_calendar_address_and_logs_out(
    live_server, page, screenshot, consortium, company
):
    UserFactory(email="host@biocorp.nl", organisation=company, role=Role.INDUSTRY_STAFF)

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("E-mailadres").fill("host@biocorp.nl")
    page.get_by_label("Wachtwoord").fill("not-the-password")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "e-mailadres en/of wachtwoord is niet correct"
    )
    expect(page.get_by_label("E-mailadres")).to_have_value("host@biocorp.nl")
    log_in(page, live_server.url, "host@biocorp.nl")

    # The language stays chosen from page to page, and back.
    page.get_by_label("Taal", exact=True).select_option("en")
    page.get_by_role("button", name="Wissel").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.get_by_role("link", name="Opportunities").click()
    expect(page).to_have_url(live_server.url + "/en/opportunities/")
    page.get_by_label("Language", exact=True).select_option("nl")
    page.get_by_role("button", name="Switch").click()
    expect(page).to_have_url(live_server.url + "/opportunities/")
    page.reload()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()

    page.goto(live_server.url + "/reminders/")
    overdue = page.get_by_label("een mijlpaal over tijd is")
    expect(overdue).to_be_checked()
    overdue.uncheck()
    page.get_by_role("button", name="Opslaan").click()
    expect(message(page, "Je keuzes voor herinneringen zijn opgeslagen.")).to_be_visible()
    page.reload()
    expect(page.get_by_label("een mijlpaal over tijd is")).not_to_be_checked()
    expect(
        page.get_by_label("een gastles, bezoek of plaatsing over twee dagen begint")
    ).to_be_checked()

    page.goto(live_server.url + "/calendar/")
    address = page.get_by_label("Jouw persoonlijke adres")
    old = address.input_value()
    assert page.request.get(old).status == 200
    page.get_by_role("button", name="Nieuw adres maken").click()
    expect(message(page, "Je hebt een nieuw agenda-adres")).to_be_visible()
    expect(address).not_to_have_value(old)
    new = address.input_value()
    page.reload()
    expect(page.get_by_label("Jouw persoonlijke adres")).to_have_value(new)
    assert page.request.get(old).status == 404
    assert page.request.get(new).status == 200

    log_out(page)
    page.goto(live_server.url + "/dashboard/")
    expect(page).to_have_url(live_server.url + "/accounts/login/?next=/dashboard/")


def test_a_person_who_forgot_the_password_sets_a_new_one_from_the_mail(
    live_server, page, consortium, company, mailoutbox
):
    UserFactory(email="host@biocorp.nl", organisation=company, role=Role.INDUSTRY_STAFF)

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("link", name="Wachtwoord vergeten?").click()
    page.get_by_label("E-mailadres").fill("host@biocorp.nl")
    page.get_by_role("button", name="Herstel mijn wachtwoord").click()
    expect(page.get_by_text("Volg de link in de")).to_be_visible()
    (mail,) = mailoutbox
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", mail.body).group(0)

    page.goto(link)
    page.get_by_label("Nieuw wachtwoord:", exact=True).fill("a-new-long-passphrase-7")
    page.get_by_label("Nieuw wachtwoord (bevestigen)").fill("a-new-long-passphrase-7")
    page.get_by_role("button", name="Wachtwoord wijzigen").click()
    expect(message(page, "Je wachtwoord is gewijzigd.")).to_be_visible()
    log_in(page, live_server.url, "host@biocorp.nl", "a-new-long-passphrase-7")


def test_a_school_reports_a_training_delivered_and_adds_a_research_output(
    live_server, page, screenshot, consortium, school
):
    teacher = UserFactory(email="teacher@school.nl", organisation=school, role=Role.SCHOOL_STAFF)
    training = activities.create_activity(
        actor=teacher,
        kind=ActivityKind.TRAINING,
        fields={"title": "Docentenscholing CRISPR", "audience": "teachers", "start_date": days(0)},
    )
    activities.change_activity_status(
        actor=teacher, activity=training, status=ActivityStatus.PLANNED
    )
    research = activities.create_activity(
        actor=teacher,
        kind=ActivityKind.RESEARCH,
        fields={
            "title": "Hybride practica",
            "research_question": "Leren studenten evenveel van een hybride practicum?",
            "track": "education",
        },
    )
    activities.change_activity_status(
        actor=teacher, activity=research, status=ActivityStatus.RUNNING
    )
    log_in(page, live_server.url, "teacher@school.nl")

    page.goto(live_server.url + f"/activities/{training.pk}/")
    delivered = page.get_by_role("region", name="Melden als uitgevoerd")
    delivered.get_by_label("Bereikte mensen").fill("18")
    delivered.get_by_role("button", name="Markeren als uitgevoerd").click()
    expect(message(page, "De status is gewijzigd.")).to_be_visible()
    page.reload()
    expect(page.locator(".page-head .status")).to_have_text("Uitgevoerd")
    expect(page.get_by_role("region", name="Over")).to_contain_text("18")

    page.goto(live_server.url + f"/activities/{research.pk}/")
    outputs = page.get_by_role("region", name="Resultaten")
    outputs.get_by_text("Resultaat toevoegen").click()
    outputs.get_by_label("Soort").select_option("report")
    outputs.get_by_label("Titel").fill("Tussenrapport hybride practica")
    outputs.get_by_label("Link").fill("https://example.nl/tussenrapport.pdf")
    outputs.get_by_label("Datum").fill(days(-1).isoformat())
    outputs.get_by_role("button", name="Toevoegen").click()
    expect(message(page, "Het resultaat is toegevoegd.")).to_be_visible()
    page.reload()
    expect(
        page.get_by_role("region", name="Resultaten").get_by_role(
            "link", name="Tussenrapport hybride practica"
        )
    ).to_have_attribute("href", "https://example.nl/tussenrapport.pdf")
    screenshot("forms-research-output")


def test_a_coordinator_makes_a_quarterly_report_and_makes_a_failed_one_again(
    live_server, page, screenshot, consortium, school, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    UserFactory(email="coord@school.nl", organisation=school, role=Role.COORDINATOR)
    number, start, end = Project.objects.get().quarters()[1]
    failed = Report.objects.create(
        kind=ReportKind.QUARTERLY,
        number=number,
        period_start=start,
        period_end=end,
        state=ReportState.FAILED,
        error="De schijf was vol.",
    )
    log_in(page, live_server.url, "coord@school.nl")

    page.goto(live_server.url + "/reports/")
    page.get_by_label("Rapport").select_option("quarterly:1")
    page.get_by_role("button", name="Deze rapportage maken").click()
    expect(message(page, "De rapportage wordt gemaakt.")).to_be_visible()
    made = Report.objects.get(kind=ReportKind.QUARTERLY, number=1)
    expect(page.locator(f"#report-{made.pk}").get_by_role("link", name="PDF")).to_be_visible()

    page.locator(f"#report-{failed.pk}").get_by_role("button", name="Opnieuw maken").click()
    expect(message(page, "De rapportage staat opnieuw in de wachtrij.")).to_be_visible()
    page.reload()
    for report in (made, failed):
        row = page.locator(f"#report-{report.pk}")
        expect(row).to_contain_text("Klaar")
        expect(row.get_by_role("link", name="PDF")).to_be_visible()
    screenshot("forms-reports-made")
