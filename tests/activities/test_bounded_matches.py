"""The matches pages stay the same size however many students a school has: a page of open
places, each with its counts and the first few students who fit, and one place's matches a page at
a time. The counts are worked out per kind of student; they must agree with the matching that
walks every student (matching.matches_for)."""

import re

import pytest
from django.http import QueryDict
from django.urls import reverse

from activities import matching, selectors, services
from activities.models import Nomination
from students import progress
from tests.activities.test_matching_and_timelines import place_at
from tests.browser import submit
from tests.conftest import days
from tests.factories import ModuleFactory, QualificationFactory, StudentFactory

pytestmark = pytest.mark.django_db


def open_place(bram, title: str, **fields):
    place = services.create_activity(
        actor=bram,
        kind="internship",
        fields={
            "title": title,
            "route": "bol",
            "start_date": days(60),
            "duration_months": 3,
            "days_per_week": 4,
            "places": 2,
            "location": "Leiden",
            **fields,
        },
    )
    services.change_activity_status(actor=bram, activity=place, status="published")
    return place.posting


def nominate_buttons(html: str) -> list[str]:
    return re.findall(r'action="/opportunities/(\d+)/nominate/(\d+)/"', html)


@pytest.fixture
def edition(lines, dirk):
    return progress.create_edition(
        actor=dirk, module=ModuleFactory(), name="LAB3A", start_date=days(-30), end_date=days(60)
    )


def test_the_matches_page_shows_a_page_of_places_each_with_its_count_and_first_students(
    client, lines, bram, dirk, school, django_assert_num_queries
):
    StudentFactory.create_batch(selectors.FIRST_MATCHES + 3, school=school)
    places = [open_place(bram, f"Stage {n:02d}") for n in range(selectors.MATCHES_PAGE_SIZE + 2)]
    client.force_login(dirk)

    # session, user, opportunities counted, a page of them, their qualifications, required units
    # (none: no progress read), students counted per kind, live nominations, the first students
    # who fit (one query per place: ten), unread notifications
    with django_assert_num_queries(9 + selectors.MATCHES_PAGE_SIZE):
        response = client.get(reverse("activities:matches"))

    html = response.text
    shown = re.findall(r'<h2 class="card-title" id="match-(\d+)"', html)
    newest = [str(p.pk) for p in reversed(places)]
    assert shown == newest[: selectors.MATCHES_PAGE_SIZE]
    assert len(nominate_buttons(html)) == selectors.MATCHES_PAGE_SIZE * selectors.FIRST_MATCHES
    assert html.count("8 van je studenten passen") == selectors.MATCHES_PAGE_SIZE
    link = reverse("activities:opportunity_matches", args=[places[-1].pk])
    assert f'href="{link}"' in html
    second = client.get(reverse("activities:matches") + "?page=2").text
    assert re.findall(r'id="match-(\d+)"', second) == newest[selectors.MATCHES_PAGE_SIZE :]


def test_one_places_matches_come_a_page_at_a_time(client, lines, bram, dirk, school):
    extra = selectors.MATCHED_STUDENTS_PAGE_SIZE + 4
    StudentFactory.create_batch(extra, school=school)
    place = open_place(bram, "Stage analist")
    client.force_login(dirk)
    url = reverse("activities:opportunity_matches", args=[place.pk])

    first = client.get(url).text
    second = client.get(url + "?page=2").text

    on_first, on_second = nominate_buttons(first), nominate_buttons(second)
    assert len(on_first) == selectors.MATCHED_STUDENTS_PAGE_SIZE
    assert len(on_second) == 4
    assert not set(on_first) & set(on_second)
    assert f"({extra})" in first


def test_nominating_from_a_page_of_matches_comes_back_to_that_page(
    client, lines, bram, dirk, school
):
    StudentFactory.create_batch(selectors.MATCHED_STUDENTS_PAGE_SIZE + 4, school=school)
    place = open_place(bram, "Stage analist")
    client.force_login(dirk)
    url = reverse("activities:opportunity_matches", args=[place.pk]) + "?page=2"
    page = client.get(url)
    _posting, student = nominate_buttons(page.text)[0]

    response = submit(
        client,
        url,
        page=page,
        action=reverse("activities:match_nominate", args=[place.pk, student]),
    )

    assert response.status_code == 302 and response["Location"] == url
    assert Nomination.objects.filter(posting=place, student_id=student).exists()
    assert student not in [s for _p, s in nominate_buttons(client.get(url).text)]


def test_the_counted_matching_agrees_with_the_matching_of_every_student(
    client, lines, bram, dirk, school, other_school, edition
):
    """A mixed world: two qualifications and levels, both routes, a student put forward, one
    on a placement then, one who left, another school's students, and two required units done
    by some, one by others, none by the rest."""
    analist, other = QualificationFactory(), QualificationFactory()
    students = [
        StudentFactory(school=school, qualification=q, level=level, route=route)
        for q in (analist, other)
        for level in (2, 3, 4)
        for route in ("bol", "bbl")
        for _ in range(3)
    ]
    StudentFactory.create_batch(4, school=other_school, qualification=analist)
    students[0].left_on = days(-1)
    students[0].save()
    progress.enrol_students(actor=dirk, edition=edition, students=students[1:])
    first, second, _third = edition.module.units.all()
    ids = [s.pk for s in students[1:]]
    progress.bulk_record_progress(
        actor=dirk, edition=edition, unit=first, student_ids=ids[::2], status="completed"
    )
    progress.bulk_record_progress(
        actor=dirk, edition=edition, unit=second, student_ids=ids[::5], status="passed"
    )
    plain = open_place(bram, "Zonder eisen")
    asks = open_place(bram, "Analist niveau 3", level=3)
    asks.qualifications.set([analist])
    one_unit = open_place(bram, "Een onderdeel")
    one_unit.required_units.set([first])
    two_units = open_place(bram, "Twee onderdelen", level=3)
    two_units.required_units.set([first, second])
    bol = [s for s in students[1:] if s.route == "bol"]
    services.nominate_student(actor=dirk, posting=plain, student=bol[0])
    place_at(bram, bol[1], start=days(50), end=days(120), dirk=dirk)

    places = list(matching.matchable_opportunities())
    walked = {m.activity.pk: m for m in matching.matches_for(dirk)}
    counted = matching.Matching(dirk, places)
    for place in places:
        full = walked[place.pk]
        summary = counted.summary(place)
        assert (summary.fitting, summary.almost, summary.placed) == (
            len(full.students),
            len(full.almost),
            len(full.placed),
        ), place.title
        fitting = counted.fitting(place)
        assert [s.pk for s in fitting[: len(full.students)]] == sorted(
            (s.pk for s in full.students),
            key=lambda pk: next((s.display_name, s.pk) for s in students if s.pk == pk),
        )
        page = selectors.opportunity_matches_page(dirk, place, QueryDict(""))
        assert {(s.pk, unit.pk) for s, unit in page["almost"].rows} == {
            (s.pk, unit.pk) for s, unit in full.almost
        }
        assert [(s.pk, host) for s, host, *_ in page["placed"].rows] == [
            (s.pk, host) for s, host, *_ in full.placed
        ]
    # The world holds each case the counting treats apart.
    assert walked[two_units.pk].students and walked[two_units.pk].almost
    assert walked[one_unit.pk].students and walked[one_unit.pk].almost
    assert walked[plain.pk].placed


def test_the_matches_of_a_place_that_is_not_open_are_not_found(client, posting, bram, dirk):
    services.change_activity_status(actor=bram, activity=posting, status="closed")
    client.force_login(dirk)

    response = client.get(reverse("activities:opportunity_matches", args=[posting.pk]))

    assert response.status_code == 404
