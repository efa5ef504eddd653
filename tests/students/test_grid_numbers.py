"""The progress grid as a browser uses it: grades typed and shown as the page's language writes
them, the bulk action posted with its token, and grades exported as numbers."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from students import progress
from students.models import UnitProgress
from tests.browser import BrowserClient, parse_forms, submit
from tests.conftest import days
from tests.factories import ModuleFactory, StudentFactory

pytestmark = pytest.mark.django_db


def _edition(dirk, school, *, assessment: str, students: int = 3):
    edition = progress.create_edition(
        actor=dirk,
        module=ModuleFactory(assessment=assessment),
        name="LAB3A",
        start_date=days(-30),
        end_date=days(60),
    )
    people = StudentFactory.create_batch(students, school=school)
    progress.enrol_students(actor=dirk, edition=edition, students=people)
    return edition, people


@pytest.fixture
def graded(lines, dirk, school):
    return _edition(dirk, school, assessment="grade")


@pytest.fixture
def pass_fail(lines, dirk, school):
    return _edition(dirk, school, assessment="pass_fail")


def _page(edition, language="nl"):
    with translation.override(language):
        return reverse("students:edition_detail", args=[edition.pk])


def _cell_url(edition, language="nl"):
    with translation.override(language):
        return reverse("students:edition_cell", args=[edition.pk])


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_grade_typed_with_a_comma_is_saved_from_the_grid_in_either_language(
    client, graded, dirk, language
):
    edition, _people = graded
    client.force_login(dirk)

    response = submit(
        client,
        _page(edition, language),
        {"status": "completed", "grade": "7,5"},
        action=_cell_url(edition, language),
        htmx=True,
    )

    assert response.status_code == 200
    assert 'role="alert"' not in response.text
    saved = UnitProgress.objects.get()
    assert (saved.status, saved.grade) == ("passed", Decimal("7.5"))
    # The cell that took the form's place shows it as the page's language writes it.
    shown = "7,5" if language == "nl" else "7.5"
    assert f'value="{shown}"' in response.text


def test_grades_show_with_a_comma_on_dutch_pages_and_a_point_on_english_ones(client, graded, dirk):
    edition, people = graded
    enrolment = edition.enrolments.get(student=people[0])
    unit = edition.module.units.first()
    progress.record_progress(
        actor=dirk, enrolment=enrolment, unit=unit, status="completed", grade="6.8"
    )
    client.force_login(dirk)

    dutch = client.get(_page(edition)).text
    english = client.get(_page(edition, "en")).text

    grade_input = f'id="g-{enrolment.pk}-{unit.pk}"'
    assert f'{grade_input} class="grade" name="grade" inputmode="decimal" size="3" value="6,8"' in (
        dutch
    )
    assert 'value="6.8"' not in dutch
    assert f'{grade_input} class="grade" name="grade" inputmode="decimal" size="3" value="6.8"' in (
        english
    )


def test_a_grade_that_is_no_number_is_explained_in_its_cell_and_saves_nothing(client, graded, dirk):
    edition, _people = graded
    client.force_login(dirk)

    response = submit(
        client,
        _page(edition),
        {"status": "completed", "grade": "7,5,5"},
        action=_cell_url(edition),
        htmx=True,
    )

    assert "Kies een status, en een cijfer zoals 7,5." in response.text
    assert 'value="7,5,5"' in response.text
    assert not UnitProgress.objects.exists()


def test_the_bulk_action_is_posted_with_the_pages_token_and_marks_the_ticked_students(
    client, pass_fail, dirk
):
    edition, people = pass_fail
    client.force_login(dirk)
    unit = edition.module.units.get(position=2)
    page = client.get(_page(edition))
    forms, _body = parse_forms(page.text)
    bulk = next(form for form in forms if form.id == "bulk")
    assert bulk.token  # inside the form, as a browser sends it

    response = submit(
        client,
        _page(edition),
        {"students": [people[0].pk, people[2].pk], "unit": unit.pk, "status": "completed"},
        button="Toepassen",
        page=page,
        follow=True,
    )

    assert response.status_code == 200
    assert f"{unit.title} op “Afgerond” gezet voor 2 studenten." in response.text
    marked = set(
        UnitProgress.objects.filter(unit=unit, status="completed").values_list(
            "enrolment__student", flat=True
        )
    )
    assert marked == {people[0].pk, people[2].pk}


def test_the_bulk_action_works_from_a_second_browser(client, pass_fail, dirk):
    """The same teacher with the grid open in two browsers: each page carries its own
    browser's token, and the action goes through from either."""
    edition, people = pass_fail
    client.force_login(dirk)
    client.get(_page(edition))
    laptop = BrowserClient()
    laptop.force_login(dirk)

    response = submit(
        laptop,
        _page(edition),
        {"students": [people[1].pk], "unit": edition.module.units.first().pk},
        button="Toepassen",
    )

    assert response.status_code == 302
    assert UnitProgress.objects.filter(enrolment__student=people[1], status="completed").exists()


def test_the_export_holds_grades_as_numbers(client, graded, dirk):
    edition, people = graded
    enrolment = edition.enrolments.get(student=people[0])
    unit = edition.module.units.first()
    progress.record_progress(
        actor=dirk, enrolment=enrolment, unit=unit, status="completed", grade="7.5"
    )
    client.force_login(dirk)

    xlsx = client.get(reverse("students:edition_export", args=[edition.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    header = [cell.value for cell in sheet[1]]
    column = header.index(f"1. {unit.title}: cijfer")
    assert header[column - 1] == f"1. {unit.title}"
    values = [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert 7.5 in values
    assert all(value is None or isinstance(value, float) for value in values)

    text = client.get(reverse("students:edition_export", args=[edition.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(text.content.decode().lstrip("\ufeff"))))
    student_row = next(row for row in rows if row[1] == people[0].display_name)
    assert student_row[column - 1 : column + 1] == ["Beoordeeld: voldaan", "7.5"]
