"""A company posts a guest lesson; a teacher requests it; the company accepts; the teacher marks it
delivered; the delivered lesson shows in both sides' timelines."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from activities.models import Request
from partners.models import Role
from tests.e2e.conftest import log_in, log_out
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_guest_lesson_from_posting_to_delivered(
    live_server, page, screenshot, consortium, company, school
):
    UserFactory(
        email="host@biocorp.nl",
        name="Hanna Host",
        organisation=company,
        role=Role.INDUSTRY_STAFF,
        is_contact=True,
    )
    UserFactory(
        email="teacher@school.nl", name="Tim Teacher", organisation=school, role=Role.SCHOOL_STAFF
    )
    lesson_date = timezone.localdate() + timedelta(days=10)

    # The company posts and publishes a guest lesson.
    log_in(page, live_server.url, "host@biocorp.nl")
    page.goto(live_server.url + "/activities/new/guest_lesson/")
    page.get_by_label("Onderwerp").fill("Van monster tot sequentie")
    page.get_by_label("Spreker").fill("Hanna Host")
    page.get_by_label("Vorm").select_option("at_school")
    page.get_by_label("Duur in minuten").fill("90")
    page.get_by_label("Maximale groepsgrootte").fill("25")
    page.get_by_role("button", name="Opslaan als concept").click()
    page.get_by_role("button", name="Publiceren").click()
    expect(page.get_by_text("Gepubliceerd").first).to_be_visible()
    log_out(page)

    # A teacher finds it on the board and requests it for a class.
    log_in(page, live_server.url, "teacher@school.nl")
    page.goto(live_server.url + "/opportunities/?kind=guest_lesson")
    page.get_by_role("link", name="Van monster tot sequentie").click()
    page.get_by_label("Datum").fill(lesson_date.isoformat())
    page.get_by_label("Klas of groep").fill("LAB3A")
    page.get_by_label("Aantal studenten").fill("22")
    page.get_by_role("button", name="Aanvraag versturen").click()
    expect(page.get_by_role("heading", name="Mijn aanvragen en voordrachten")).to_be_visible()
    log_out(page)

    # The company accepts it from its incoming requests, without leaving the page (htmx).
    log_in(page, live_server.url, "host@biocorp.nl")
    expect(page.get_by_role("link", name="Meldingen 1 ongelezen")).to_be_visible()
    page.get_by_role("link", name="Aanvragen", exact=True).click()
    page.get_by_role("button", name="Accepteren").click()
    expect(page.get_by_text("Ingepland")).to_be_visible()
    log_out(page)

    # The day of the lesson comes.
    Request.objects.update(date=timezone.localdate())

    # The teacher marks it delivered with the number of students reached.
    log_in(page, live_server.url, "teacher@school.nl")
    page.get_by_role("link", name="Aanvragen", exact=True).click()
    page.get_by_text("Markeren als uitgevoerd").first.click()
    page.get_by_label("Bereikte studenten").fill("21")
    page.get_by_label("Korte feedback").fill("Heel leerzaam")
    page.get_by_role("button", name="Markeren als uitgevoerd").click()
    page.get_by_role("link", name="Van monster tot sequentie").first.click()
    timeline = page.get_by_role("region", name="Tijdlijn")
    expect(timeline.get_by_text("heeft gemeld dat het is uitgevoerd")).to_be_visible()
    screenshot("guest-lesson-teacher-timeline")
    log_out(page)

    # The company sees the delivered lesson in its timeline too.
    log_in(page, live_server.url, "host@biocorp.nl")
    page.goto(live_server.url + "/opportunities/")
    page.get_by_role("link", name="Van monster tot sequentie").click()
    timeline = page.get_by_role("region", name="Tijdlijn")
    expect(timeline.get_by_text("heeft gemeld dat het is uitgevoerd")).to_be_visible()
    expect(page.get_by_text("21 studenten bereikt.")).to_be_visible()
    screenshot("guest-lesson-company-timeline")
