"""Long lists a page at a time, in Chromium: a company pages through its incoming requests and
answers one on the second page; a teacher of a large school finds the student to nominate, and
pages through all the students who fit a place to nominate one."""

import re

import pytest
from playwright.sync_api import expect

from activities import selectors, services
from activities.forms import NominationForm
from activities.models import Nomination, Request
from tests.activities.test_bounded_matches import open_place
from tests.conftest import days
from tests.e2e.conftest import log_in
from tests.factories import StudentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_company_pages_through_its_requests_and_answers_one_on_the_second_page(
    live_server, page, screenshot, guest_lesson, bram, school
):
    extra = selectors.REQUESTS_PAGE_SIZE + 2
    for i in range(extra):
        services.request_activity(
            actor=UserFactory(organisation=school, role="school_staff"),
            activity=guest_lesson,
            date=days(5 + i),
            group_name=f"Klas {i:02d}",
            student_count=12,
        )

    log_in(page, live_server.url, bram.email)
    page.get_by_role("link", name="Aanvragen", exact=True).first.click()
    open_requests = page.locator("#open-requests-section")
    expect(open_requests.get_by_role("heading")).to_contain_text(f"({extra})")
    expect(open_requests.locator("li[id^=request-]")).to_have_count(selectors.REQUESTS_PAGE_SIZE)
    expect(open_requests.get_by_text("Klas 11, 12 studenten")).to_have_count(0)

    page.evaluate("window.stillHere = true")
    open_requests.get_by_role("link", name="Volgende").click()
    expect(open_requests.get_by_text("Pagina 2 van 2")).to_be_visible()
    # htmx swapped the section in place: the page itself was not loaded again.
    assert page.evaluate("window.stillHere") is True
    expect(open_requests.locator("li[id^=request-]")).to_have_count(2)
    expect(page).to_have_url(re.compile(r"open_requests=2"))
    screenshot("paging-requests-second-page")

    row = open_requests.locator("li[id^=request-]").filter(has_text="Klas 11")
    row.get_by_role("button", name="Accepteren").click()
    expect(row.locator(".status")).to_have_text("Ingepland")
    assert Request.objects.get(group_name="Klas 11").status == "scheduled"

    # The address kept the page: a reload shows the same page, with the answer saved.
    page.reload()
    expect(open_requests.get_by_text("Pagina 2 van 2")).to_be_visible()
    answered = open_requests.locator("li[id^=request-]").filter(has_text="Klas 11")
    expect(answered.locator(".status")).to_have_text("Ingepland")
    open_requests.get_by_role("link", name="Vorige").click()
    expect(open_requests.get_by_text("Pagina 1 van 2")).to_be_visible()
    expect(open_requests.get_by_text("Klas 00, 12 studenten")).to_be_visible()


def test_a_teacher_of_a_large_school_finds_the_student_to_nominate(
    live_server, page, screenshot, posting, dirk, school
):
    for n in range(NominationForm.SHOWN + 5):
        StudentFactory(school=school, display_name=f"Leerling {n:03d}")

    log_in(page, live_server.url, dirk.email)
    page.goto(live_server.url + posting.get_absolute_url())
    chooser = page.get_by_role("combobox", name="Student")
    expect(chooser.locator("option")).to_have_count(NominationForm.SHOWN + 1)  # and "choose"
    expect(page.get_by_text("De lijst toont de eerste 50 studenten")).to_be_visible()

    page.get_by_label("Zoek op naam of nummer").fill("Leerling 054")
    page.get_by_role("button", name="Zoeken").click()
    expect(chooser.locator("option")).to_have_count(2)
    chooser.select_option(label="Leerling 054")
    page.get_by_label("Motivatie").fill("Sterk in het lab")
    page.get_by_role("button", name="Voordragen").click()

    expect(page.get_by_text("Leerling 054 is voorgedragen.")).to_be_visible()
    screenshot("paging-nomination-found")
    nomination = Nomination.objects.get(posting=posting)
    assert (nomination.student.display_name, nomination.motivation) == (
        "Leerling 054",
        "Sterk in het lab",
    )


def test_a_teacher_opens_all_matches_of_a_place_pages_on_and_nominates(
    live_server, page, screenshot, lines, bram, dirk, school
):
    size = selectors.MATCHED_STUDENTS_PAGE_SIZE
    for n in range(size + 3):
        StudentFactory(school=school, display_name=f"Leerling {n:03d}")
    place = open_place(bram, "Stage analist")

    log_in(page, live_server.url, dirk.email)
    page.goto(live_server.url + "/opportunities/matches/")
    card = page.get_by_role("region", name=re.compile("Stage analist"))
    expect(card).to_contain_text(f"{size + 3} van je studenten passen")
    expect(card.get_by_role("button", name=re.compile("Voordragen"))).to_have_count(
        selectors.FIRST_MATCHES
    )
    card.get_by_role("link", name=re.compile("Alle matches voor")).click()

    fitting = page.locator("#fitting-section")
    expect(fitting.get_by_role("button", name=re.compile("Voordragen"))).to_have_count(size)
    fitting.get_by_role("link", name="Volgende").click()
    expect(fitting.get_by_text("Pagina 2 van 2")).to_be_visible()
    expect(fitting.get_by_role("button", name=re.compile("Voordragen"))).to_have_count(3)
    fitting.get_by_role("button", name="Voordragen Leerling 052").click()

    expect(page.get_by_text("Leerling 052 is voorgedragen.")).to_be_visible()
    # Back on the same page, without the student just nominated.
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(fitting.get_by_role("button", name=re.compile("Voordragen"))).to_have_count(2)
    screenshot("paging-matches-nominated")
    assert Nomination.objects.filter(posting=place, student__display_name="Leerling 052").exists()
