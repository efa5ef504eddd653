"""Matching leaves out students who are on a placement at the time, a student's timeline starts
at their enrolment, and a finished import shows its outcome and the way on."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities import matching, services
from activities.models import Request
from students import progress
from students.models import Enrolment
from tests.browser import submit
from tests.conftest import days
from tests.factories import ModuleFactory, QualificationFactory, StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition(lines, dirk):
    return progress.create_edition(
        actor=dirk, module=ModuleFactory(), name="LAB3A", start_date=days(-30), end_date=days(60)
    )


@pytest.fixture
def students(edition, dirk, school):
    people = StudentFactory.create_batch(3, school=school)
    progress.enrol_students(actor=dirk, edition=edition, students=people)
    return people


def place_at(bram, student, *, start, end, dirk):
    """`student` nominated for a new place of bram's company and accepted from `start` to `end`."""
    other = services.create_activity(
        actor=bram,
        kind="internship",
        fields={
            "title": "Stage elders",
            "route": "bol",
            "start_date": start,
            "duration_months": 3,
            "days_per_week": 4,
            "places": 1,
            "location": "Leiden",
        },
    )
    services.change_activity_status(actor=bram, activity=other, status="published")
    nomination = services.nominate_student(actor=dirk, posting=other.posting, student=student)
    services.answer_nomination(
        actor=bram, nomination=nomination, accept=True, start_date=start, end_date=end
    )


def test_a_student_on_a_placement_during_the_opportunity_is_not_proposed(
    client, posting, students, dirk, bram
):
    busy, free_again, free = students
    # posting: from 60 days on, for five months. One placement overlaps it, one ends before.
    place_at(bram, busy, start=days(50), end=days(120), dirk=dirk)
    place_at(bram, free_again, start=days(1), end=days(59), dirk=dirk)

    match = next(m for m in matching.matches_for(dirk) if m.activity.pk == posting.pk)

    assert {s.pk for s in match.students} == {free_again.pk, free.pk}
    assert [(s.pk, host) for s, host, *_ in match.placed] == [(busy.pk, bram.organisation.name)]
    client.force_login(dirk)
    page = client.get(reverse("activities:matches"))
    assert "1 student die past, loopt dan stage" in page.text
    assert f'Nomineren<span class="visually-hidden"> {busy.display_name}' not in page.text


def test_the_matches_page_counts_placements_without_a_query_more(
    client, posting, students, dirk, bram, school, django_assert_num_queries
):
    for student in StudentFactory.create_batch(40, school=school):
        place_at(bram, student, start=days(50), end=days(120), dirk=dirk)
    client.force_login(dirk)

    # session, user, opportunities counted, a page of them, their qualifications, required units
    # (none, so no progress is read), students counted per kind, live nominations with the
    # placements at the time, the first students who fit, unread notifications
    with django_assert_num_queries(10):
        response = client.get(reverse("activities:matches"))
    match = next(m for m in response.context["matches"] if m.activity.pk == posting.pk)
    assert (match.placed, match.fitting) == (40, 3)


def test_a_students_timeline_starts_at_the_enrolment(client, students, edition, dirk, guest_lesson):
    student = students[0]
    Enrolment.objects.filter(edition=edition, student=student).update(enrolled_on=days(-10))
    for date, title in ((days(-20), "Voor de inschrijving"), (days(-5), "Na de inschrijving")):
        Request.objects.create(
            activity=guest_lesson,
            school=dirk.organisation,
            requested_by=dirk,
            date=date,
            group_name=edition.name,
            student_count=10,
            status="delivered",
            message=title,
        )
    client.force_login(dirk)

    page = client.get(reverse("students:student_detail", args=[student.pk]))

    timeline = page.context["timeline"]
    assert timeline[-1]["text"] == f"Ingeschreven voor {edition}"
    assert all(entry["date"] >= days(-10) for entry in timeline)
    assert [r.date for r in page.context["lessons"]] == [days(-5)]


def test_a_finished_import_shows_only_its_outcome_and_the_way_on(
    client, dirk, edition, django_capture_on_commit_callbacks
):
    QualificationFactory(crebo="25653", name="Analist", level=4)
    client.force_login(dirk)
    upload = SimpleUploadedFile(
        "export.csv",
        b"studentnummer;roepnaam;crebo;niveau;leerweg;cohort\nR9;Noor A.;25653;4;BOL;2025\n",
        "text/csv",
    )
    checked = submit(
        client, reverse("students:student_import"), {"file": upload, "edition": edition.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, checked.url, button="Bevestigen en importeren")

    done = client.get(checked.url)

    assert "export.csv is geïmporteerd" in done.text
    assert "Geïmporteerd: 1 nieuwe studenten, 0 bijgewerkt." in done.text
    # The check of the rows is over: no row count of the preview, no table of first rows.
    assert "Eerste rijen" not in done.text and "<table" not in done.text
    assert f'href="{edition.get_absolute_url()}"' in done.text
    assert f'href="{reverse("students:student_list")}"' in done.text
    # The progress bar polled by htmx makes the page reload once the import is over.
    polled = client.get(
        reverse("students:student_import_progress", args=[done.context["checked"].pk]),
        headers={"HX-Request": "true"},
    )
    assert polled["HX-Refresh"] == "true"


def test_placement_periods_follow_the_opportunity(posting):
    start, end = matching.opportunity_period(posting)
    assert start == days(60) and end == days(60) + timedelta(days=150)
