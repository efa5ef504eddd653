"""Far-reaching actions ask first, in Chromium: the page says what will happen to whom, takes a
reason where others lose something, and only its own button acts. Cancelling a lesson (the
school reads the reason), reopening it, publishing a report and erasing a student."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from activities import services
from activities.models import Activity, ActivityKind, Request
from partners.models import Role
from programmes.selectors import current_project
from reports.models import Report, ReportKind, ReportState
from students.models import Student
from tests.e2e.conftest import log_in, log_out
from tests.factories import StudentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REASON = "Onze spreker is die week op een congres."


@pytest.fixture
def lesson_with_requests(consortium, company, school, other_school):
    host = UserFactory(
        email="host@biocorp.nl",
        name="Hanna Host",
        organisation=company,
        role=Role.INDUSTRY_STAFF,
        is_contact=True,
    )
    teacher = UserFactory(
        email="teacher@school.nl", name="Tim Teacher", organisation=school, role=Role.SCHOOL_STAFF
    )
    colleague = UserFactory(
        email="eva@rotterdam.nl", name="Eva", organisation=other_school, role=Role.SCHOOL_STAFF
    )
    lesson = services.create_activity(
        actor=host,
        kind=ActivityKind.GUEST_LESSON,
        fields={
            "title": "Van monster tot sequentie",
            "speaker": "Hanna Host",
            "format": "at_school",
            "duration_minutes": 90,
            "max_group_size": 25,
            "end_date": timezone.localdate() + timedelta(days=60),
        },
    )
    services.change_activity_status(actor=host, activity=lesson, status="published")
    day = timezone.localdate() + timedelta(days=14)
    for person, group in ((teacher, "LAB3A"), (teacher, "LAB3B"), (colleague, "RT-1")):
        request = services.request_activity(
            actor=person, activity=lesson, date=day, group_name=group, student_count=20
        )
    services.answer_request(actor=host, request=request, decision="accept")
    return lesson


def test_a_company_cancels_a_guest_lesson_with_a_reason_and_the_school_sees_the_reason(
    live_server, page, screenshot, lesson_with_requests
):
    lesson = lesson_with_requests
    log_in(page, live_server.url, "host@biocorp.nl")
    page.goto(live_server.url + lesson.get_absolute_url())
    page.get_by_role("link", name="Annuleren…", exact=True).click()

    # The page says what ends, for whom, before anything happens.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "“Van monster tot sequentie” annuleren?"
    )
    effects = page.locator(".confirm-effects")
    expect(effects).to_contain_text("3 openstaande aanvragen, van 2 scholen, vervallen")
    expect(effects).to_contain_text("Leiden Lab College (2), Rotterdam Tech (1)")
    expect(effects).to_contain_text("1 daarvan is al ingepland")
    screenshot("confirm-cancel-lesson")
    # On a phone the page fits the screen's width.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("confirm-cancel-lesson-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    # Without a reason it is refused, and nothing changed.
    page.get_by_role("button", name="Ja, annuleren").click()
    expect(page.get_by_text("Dit veld is verplicht.")).to_be_visible()
    assert Activity.objects.get(pk=lesson.pk).status == "published"

    page.get_by_label("Reden").fill(REASON)
    page.get_by_role("button", name="Ja, annuleren").click()
    expect(page.get_by_text("“Van monster tot sequentie” is geannuleerd.")).to_be_visible()
    page.reload()
    expect(page.locator(".page-head .status")).to_have_text("Geannuleerd")
    assert set(Request.objects.values_list("status", flat=True)) == {"cancelled"}
    log_out(page)

    # The teacher reads the reason in the notifications and on the lesson's timeline.
    log_in(page, live_server.url, "teacher@school.nl")
    page.get_by_role("link", name=re.compile(r"^Meldingen")).click()
    expect(page.get_by_text(REASON)).to_be_visible()
    screenshot("confirm-cancel-school-notification")
    page.get_by_role("link", name="Van monster tot sequentie").first.click()
    expect(page.get_by_role("region", name="Tijdlijn").get_by_text(REASON)).to_be_visible()


def test_a_company_reopens_a_cancelled_lesson(live_server, page, screenshot, lesson_with_requests):
    lesson = lesson_with_requests
    host = lesson.created_by
    services.change_activity_status(actor=host, activity=lesson, status="cancelled", note=REASON)

    log_in(page, live_server.url, "host@biocorp.nl")
    page.goto(live_server.url + lesson.get_absolute_url())
    page.get_by_role("link", name="Heropenen…").click()
    effects = page.locator(".confirm-effects")
    expect(effects).to_contain_text("wordt weer “Gepubliceerd”")
    expect(effects).to_contain_text("De 2 mensen die bericht kregen van de annulering")
    screenshot("confirm-reopen-lesson")
    page.get_by_label("Toelichting (niet verplicht)").fill("Het congres is verzet.")
    page.get_by_role("button", name="Ja, heropenen").click()

    expect(page.get_by_text("“Van monster tot sequentie” is weer open.")).to_be_visible()
    page.reload()
    expect(page.locator(".page-head .status")).to_have_text("Gepubliceerd")
    expect(
        page.get_by_role("region", name="Tijdlijn").get_by_text("heeft de activiteit heropend")
    ).to_be_visible()
    log_out(page)

    # The teacher who was told of the cancellation hears of it, and can ask again.
    log_in(page, live_server.url, "teacher@school.nl")
    page.get_by_role("link", name=re.compile(r"^Meldingen")).click()
    expect(page.get_by_text("Het congres is verzet.")).to_be_visible()
    page.get_by_role("link", name="Van monster tot sequentie").first.click()
    expect(page.get_by_role("button", name="Aanvraag versturen")).to_be_visible()


def test_a_coordinator_publishes_a_report_after_confirming(
    live_server, page, screenshot, consortium, school, municipality
):
    UserFactory(
        email="coordinator@school.nl", name="Carla", organisation=school, role=Role.COORDINATOR
    )
    UserFactory(email="fien@gemeente.nl", organisation=municipality, role=Role.FUNDER)
    number, start, end = current_project().quarters()[0]
    report = Report.objects.create(
        kind=ReportKind.QUARTERLY,
        number=number,
        period_start=start,
        period_end=end,
        state=ReportState.READY,
        progress=100,
    )

    log_in(page, live_server.url, "coordinator@school.nl")
    page.goto(live_server.url + "/reports/")
    page.locator(f"#report-{report.pk}").get_by_role("link", name="Publiceren…").click()
    effects = page.locator(".confirm-effects")
    expect(effects).to_contain_text("verandert deze versie nooit meer")
    expect(effects).to_contain_text("1 account van een financier kan hem downloaden")
    expect(page.get_by_text("Dit kan niet ongedaan worden gemaakt.")).to_be_visible()
    screenshot("confirm-publish-report")
    # Going back publishes nothing.
    page.get_by_role("link", name="Nee, nog niet").click()
    assert not Report.objects.get(pk=report.pk).is_published

    page.locator(f"#report-{report.pk}").get_by_role("link", name="Publiceren…").click()
    page.get_by_role("button", name="Ja, publiceren").click()
    expect(page.get_by_text("De rapportage is gepubliceerd", exact=False)).to_be_visible()
    page.reload()
    expect(page.locator(f"#report-{report.pk}")).to_contain_text("gepubliceerd")
    assert Report.objects.get(pk=report.pk).is_published


def test_a_coordinator_erases_a_student_after_confirming(
    live_server, page, screenshot, consortium, school
):
    UserFactory(
        email="coordinator@school.nl", name="Carla", organisation=school, role=Role.COORDINATOR
    )
    student = StudentFactory(school=school, display_name="Noor Nieuwenhuis", student_number="S-7")

    log_in(page, live_server.url, "coordinator@school.nl")
    page.goto(live_server.url + f"/students/{student.pk}/")
    page.get_by_role("link", name="Deze student wissen…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Noor Nieuwenhuis wissen?")
    expect(page.locator(".confirm-effects")).to_contain_text("voorgoed vervangen")
    screenshot("confirm-erase-student")
    page.get_by_role("button", name="Ja, voorgoed wissen").click()

    expect(page.get_by_text("De gegevens van de student zijn gewist", exact=False)).to_be_visible()
    page.reload()
    expect(page.get_by_text("Noor Nieuwenhuis")).to_have_count(0)
    assert Student.objects.get(pk=student.pk).erased_at is not None
