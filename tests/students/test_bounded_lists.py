"""The students and editions lists hold a page however many a school has, and the students list
finds a student by name or number across every page."""

import re

import pytest
from django.urls import reverse

from students import progress, selectors
from tests.conftest import days
from tests.factories import ModuleFactory, StudentFactory

pytestmark = pytest.mark.django_db


def student_rows(html: str) -> list[str]:
    return re.findall(r'href="/students/(\d+)/"', html)


def test_the_students_list_pages_through_the_school_in_name_order(
    client, dirk, school, other_school, django_assert_num_queries
):
    extra = selectors.STUDENTS_PAGE_SIZE + 5
    made = [StudentFactory(school=school, display_name=f"Leerling {n:03d}") for n in range(extra)]
    StudentFactory.create_batch(3, school=other_school)
    client.force_login(dirk)
    url = reverse("students:student_list")

    # session, user, students counted, a page of them with their qualification, unread
    # notifications
    with django_assert_num_queries(5):
        first = client.get(url).text

    assert student_rows(first) == [str(s.pk) for s in made[: selectors.STUDENTS_PAGE_SIZE]]
    assert f"{extra} studenten" in first
    second = client.get(url + "?page=2").text
    assert student_rows(second) == [str(s.pk) for s in made[selectors.STUDENTS_PAGE_SIZE :]]


def test_the_students_list_finds_by_name_or_number_and_keeps_the_search_when_paging(
    client, dirk, school
):
    for n in range(selectors.STUDENTS_PAGE_SIZE + 2):
        StudentFactory(school=school, display_name=f"Amira {n:03d}")
    StudentFactory(school=school, display_name="Bas", student_number="R-991")
    left = StudentFactory(school=school, display_name="Amira weg", left_on=days(-3))
    client.force_login(dirk)
    url = reverse("students:student_list")

    assert student_rows(client.get(url, {"q": "R-991"}).text) != []
    found = client.get(url, {"q": "amira"}).text
    assert len(student_rows(found)) == selectors.STUDENTS_PAGE_SIZE
    after = re.search(r'href="([^"]*)" rel="next"', found).group(1).replace("&amp;", "&")
    assert "q=amira" in after
    rest = client.get(url + after).text
    assert len(student_rows(rest)) == 2
    assert str(left.pk) not in student_rows(rest)
    gone = client.get(url, {"q": "amira", "status": "left"}).text
    assert student_rows(gone) == [str(left.pk)]


def test_the_editions_list_pages_each_list_in_constant_queries(
    client, lines, dirk, carla, school, django_assert_num_queries
):
    module = ModuleFactory()
    extra = selectors.EDITIONS_PAGE_SIZE + 2
    for n in range(extra):
        progress.create_edition(
            actor=dirk,
            module=module,
            name=f"KLAS{n:02d}",
            start_date=days(-n),
            end_date=days(60),
            teachers=[dirk],
        )
    client.force_login(carla)  # teaches none: every edition is among the others

    # session, user, my editions counted (none: no page read), the others counted, a page of
    # them (with module and school), their teachers, unread notifications
    with django_assert_num_queries(7):
        page = client.get(reverse("students:edition_list")).text

    assert len(re.findall(r'href="/editions/\d+/"', page)) == selectors.EDITIONS_PAGE_SIZE
    later = client.get(reverse("students:edition_list") + "?others=2").text
    assert "KLAS00" not in later and "KLAS26" in later
