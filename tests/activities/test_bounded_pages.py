"""Pages that stay the same size however much a school or company gathers: the requests page,
the notifications, an activity's page and its nomination form, each a page at a time with a pager
that keeps the rest of the address."""

import re

import pytest
from django.urls import reverse

from activities import selectors, services
from activities.forms import NominationForm
from activities.models import ActivityEvent, Nomination, Notification, Request
from tests.browser import submit
from tests.conftest import days
from tests.factories import StudentFactory, UserFactory

pytestmark = pytest.mark.django_db

PER_SECTION = selectors.REQUESTS_PAGE_SIZE
ANSWERED = selectors.ANSWERED_PAGE_SIZE


def section(html: str, element_id: str) -> str:
    """The HTML of the <section> with that id."""
    found = re.search(rf'<section[^>]*id="{element_id}".*?</section>', html, re.S)
    assert found, f"no section {element_id}"
    return found.group(0)


def rows(html: str, kind: str) -> list[str]:
    """The ids of the request or nomination rows in a piece of HTML."""
    return re.findall(rf'<li id="({kind}-\d+)"', html)


def next_link(html: str) -> str:
    found = re.search(r'href="([^"]*)" rel="next"', html)
    assert found, "no link to the next page"
    return found.group(1).replace("&amp;", "&")


def many_requests(activity, school, n: int, *, first: int = 0) -> list[Request]:
    """n requests of one school, each a different class (the same class twice is one request)."""
    made = []
    for i in range(first, first + n):
        teacher = UserFactory(organisation=school, role="school_staff")
        made.append(
            services.request_activity(
                actor=teacher,
                activity=activity,
                date=days(5 + i),
                group_name=f"G{i}",
                student_count=10,
            )
        )
    return made


def many_nominations(posting, dirk, school, n: int) -> list[Nomination]:
    return [
        services.nominate_student(
            actor=dirk, posting=posting, student=StudentFactory(school=school)
        )
        for _ in range(n)
    ]


@pytest.fixture
def busy(guest_lesson, posting, bram, dirk, school):
    """A company with more of each kind of request and nomination than a section shows."""
    extra = PER_SECTION + 2
    many_requests(guest_lesson, school, extra)
    for request in many_requests(guest_lesson, school, extra, first=extra):
        services.answer_request(actor=bram, request=request, decision="decline")
    many_nominations(posting, dirk, school, extra)
    for nomination in many_nominations(posting, dirk, school, extra):
        services.answer_nomination(actor=bram, nomination=nomination, accept=False)
    return extra


def test_each_section_of_the_requests_page_shows_one_page_in_constant_queries(
    client, busy, bram, django_assert_num_queries
):
    client.force_login(bram)

    # session, user, the requests counted open and answered (one query), the nominations counted
    # likewise, a page of open requests, of answered requests, of open nominations, of answered
    # nominations, the nominated students' qualifications and who nominated them (for both
    # lists at once), unread notifications
    with django_assert_num_queries(11):
        response = client.get(reverse("activities:my_requests"))

    html = response.text
    for element_id, kind, size in [
        ("open-requests-section", "request", PER_SECTION),
        ("closed-requests-section", "request", ANSWERED),
        ("open-nominations-section", "nomination", PER_SECTION),
        ("answered-nominations-section", "nomination", ANSWERED),
    ]:
        part = section(html, element_id)
        assert len(rows(part, kind)) == size
        assert f"({busy})" in part  # the heading counts all of them
        assert f"Pagina 1 van {-(-busy // size)}" in part


def test_paging_one_section_of_the_requests_page_leaves_the_others(client, busy, bram):
    client.force_login(bram)
    first = client.get(reverse("activities:my_requests") + "?answered_nominations=2").text
    link = next_link(section(first, "open-requests-section"))

    # The link keeps the other section's page and adds its own.
    assert "answered_nominations=2" in link and "open_requests=2" in link
    second = client.get(reverse("activities:my_requests") + link).text

    open_first = rows(section(first, "open-requests-section"), "request")
    open_second = rows(section(second, "open-requests-section"), "request")
    assert len(open_second) == busy - PER_SECTION
    assert not set(open_first) & set(open_second)
    # The answered nominations are still on their second page.
    answered = section(second, "answered-nominations-section")
    assert len(rows(answered, "nomination")) == ANSWERED
    assert f"Pagina 2 van {-(-busy // ANSWERED)}" in answered


def test_a_page_number_past_the_end_shows_the_last_page(client, busy, bram):
    client.force_login(bram)

    html = client.get(reverse("activities:my_requests") + "?open_requests=99").text

    part = section(html, "open-requests-section")
    assert len(rows(part, "request")) == busy - PER_SECTION
    assert "Pagina 2 van 2" in part


def test_the_notifications_come_a_page_at_a_time_in_constant_queries(
    client, guest_lesson, bram, school, django_assert_num_queries
):
    extra = selectors.NOTIFICATIONS_PAGE_SIZE + 3
    many_requests(guest_lesson, school, extra)  # each tells the host's staff
    assert Notification.objects.filter(recipient=bram).count() == extra
    client.force_login(bram)

    # session, user, the notifications counted, a page of them (with their events, activities,
    # people, organisations and reminders), unread notifications
    with django_assert_num_queries(5):
        first = client.get(reverse("activities:notifications"))
    second = client.get(reverse("activities:notifications") + next_link(first.text))

    assert first.text.count('<span class="badge">') == selectors.NOTIFICATIONS_PAGE_SIZE
    assert second.text.count('<span class="badge">') == 3
    assert "Pagina 2 van 2" in second.text


def test_an_activity_page_shows_a_page_of_requests_and_of_its_timeline(
    client, guest_lesson, bram, school, django_assert_num_queries
):
    extra = selectors.TIMELINE_PAGE_SIZE + 1  # more requests than a page, more lines too
    made = many_requests(guest_lesson, school, extra)
    client.force_login(bram)
    url = reverse("activities:activity_detail", args=[guest_lesson.pk])

    # session, user, activity, its guest-lesson row, requests counted, a page of them,
    # nominations counted (none: no page read), the timeline's lines counted, a page of them,
    # qualifications, partners, unread notifications
    with django_assert_num_queries(12):
        response = client.get(url)

    html = response.text
    requests = rows(section(html, "requests-section"), "request")
    assert requests == [f"request-{r.pk}" for r in made[: selectors.DETAIL_PAGE_SIZE]]
    timeline = section(html, "timeline-section")
    assert timeline.count("<time ") == selectors.TIMELINE_PAGE_SIZE
    # The newest lines are on the first page, read from old to new.
    lines = list(ActivityEvent.objects.filter(activity=guest_lesson).order_by("-at", "-pk"))
    newest = lines[: selectors.TIMELINE_PAGE_SIZE]
    assert response.context["events"] == newest[::-1]
    earlier = client.get(url + next_link(timeline))
    assert earlier.context["events"] == lines[selectors.TIMELINE_PAGE_SIZE :][::-1]
    assert section(earlier.text, "timeline-section").count("<time ") == len(lines) - len(newest)
    # Paging the timeline leaves the requests at their page.
    assert rows(section(earlier.text, "requests-section"), "request") == requests


def test_an_internship_page_shows_a_page_of_nominations(
    client, posting, bram, dirk, school, django_assert_num_queries
):
    made = many_nominations(posting, dirk, school, selectors.DETAIL_PAGE_SIZE + 2)
    client.force_login(bram)
    url = reverse("activities:activity_detail", args=[posting.pk])

    # session, user, activity, its posting row, requests counted (none), nominations counted,
    # a page of them, their students' qualifications, who nominated them, the timeline's lines
    # counted, a page of them, places filled, qualifications, partners, unread notifications
    with django_assert_num_queries(15):
        response = client.get(url)

    newest_first = [f"nomination-{n.pk}" for n in reversed(made)]
    part = section(response.text, "nominations-section")
    assert rows(part, "nomination") == newest_first[: selectors.DETAIL_PAGE_SIZE]
    rest = section(client.get(url + next_link(part)).text, "nominations-section")
    assert rows(rest, "nomination") == newest_first[selectors.DETAIL_PAGE_SIZE :]


def test_the_nomination_form_offers_a_limited_list_and_finds_any_student(
    client, posting, dirk, school
):
    students = [
        StudentFactory(school=school, display_name=f"Leerling {n:03d}")
        for n in range(NominationForm.SHOWN + 5)
    ]
    last = students[-1]
    client.force_login(dirk)
    url = reverse("activities:activity_detail", args=[posting.pk])

    page = client.get(url).text
    options = re.findall(r'<option value="(\d+)"', page)
    assert len(options) == NominationForm.SHOWN
    assert str(last.pk) not in options
    assert "De lijst toont de eerste 50 studenten" in page

    found = client.get(url, {"find": "Leerling 054"}).text
    assert re.findall(r'<option value="(\d+)"', found) == [str(last.pk)]

    # The form as the search left it nominates the student found.
    submit(client, f"{url}?find=Leerling+054", {"student": str(last.pk)}, button="Voordragen")
    assert Nomination.objects.filter(posting=posting, student=last).exists()


def test_the_nomination_form_refuses_a_student_of_another_school(
    client, posting, dirk, other_school
):
    stranger = StudentFactory(school=other_school)
    client.force_login(dirk)

    # What a hand-made request could send: the list never offers this student.
    response = submit(
        client,
        reverse("activities:activity_detail", args=[posting.pk]),
        {"student": str(stranger.pk)},
        button="Voordragen",
        strict=False,
    )

    assert response.status_code == 400
    assert not Nomination.objects.filter(student=stranger).exists()
