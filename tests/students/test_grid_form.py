"""The progress grid is one form for its table: its size grows by the cells alone, the CSRF
token comes once, and a browser without JavaScript saves a page of the grid with one button
without overwriting what someone else changed meanwhile."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from students import progress
from students.models import UnitProgress
from tests.browser import fill, find_form, htmx_token, parse_forms, submit
from tests.conftest import days
from tests.factories import ModuleFactory, StudentFactory

pytestmark = pytest.mark.django_db

# A graded cell is a labelled status select with its five options and a labelled grade: 666
# bytes a cell for a page of 50 students by 10 units, the rest of the page included (with a form,
# a token and a save button per cell it was 1,000). A token (110 bytes), a form or a button per
# cell again would not fit.
BYTES_PER_CELL = 720


def _edition(dirk, school, *, students: int, units: int = 10, assessment: str = "grade"):
    module = ModuleFactory(assessment=assessment, units=[4] * units)
    edition = progress.create_edition(
        actor=dirk, module=module, name="LAB3A", start_date=days(-30), end_date=days(60)
    )
    progress.enrol_students(
        actor=dirk, edition=edition, students=StudentFactory.create_batch(students, school=school)
    )
    return edition


def _page(edition) -> str:
    return reverse("students:edition_detail", args=[edition.pk])


def _grid_body(html: str) -> str:
    return html[html.index("<tbody") : html.index("</tbody>")]


def test_a_page_of_fifty_students_by_ten_units_stays_small_per_cell(client, lines, dirk, school):
    edition = _edition(dirk, school, students=50)
    for enrolment in edition.enrolments.all()[:25]:
        for unit in edition.module.units.all()[:5]:
            progress.record_progress(
                actor=dirk, enrolment=enrolment, unit=unit, status="completed", grade="7.5"
            )
    client.force_login(dirk)

    page = client.get(_page(edition))

    cells = page.text.count('<td id="cell-')
    assert cells == 500
    assert len(page.content) / cells < BYTES_PER_CELL


def test_the_token_comes_once_however_many_cells(client, lines, dirk, school):
    small, large = (_edition(dirk, school, students=n) for n in (2, 50))
    client.force_login(dirk)

    tokens = []
    for edition in (small, large):
        html = client.get(_page(edition)).text
        forms, body = parse_forms(html)
        # htmx sends the token of <body> with every cell; no cell carries one.
        assert htmx_token(body)
        grid = _grid_body(html)
        assert "csrfmiddlewaretoken" not in grid and "X-CSRFToken" not in grid
        # The grid's one form (for a browser without JavaScript) carries it once.
        [grid_form] = [form for form in forms if form.id == "grid"]
        assert [c.name for c in grid_form.controls].count("csrfmiddlewaretoken") == 1
        tokens.append(html.count('name="csrfmiddlewaretoken"'))
    # The header's language and log out, the bulk action, the grid and the enrol form: five,
    # with 2 students as with 50.
    assert tokens == [5, 5]


def test_a_cell_is_sent_alone_with_the_token_of_the_body(client, lines, dirk, school):
    edition = _edition(dirk, school, students=3)
    client.force_login(dirk)
    page = client.get(_page(edition))
    forms, _body = parse_forms(page.text)
    cell = find_form(
        forms,
        button=None,
        action=reverse("students:edition_cell", args=[edition.pk]),
        page_url=_page(edition),
        htmx=True,
    )

    # What htmx sends for a changed cell: which cell, its status and grade; nothing else.
    sent = fill(cell, {})
    assert set(sent) == {"enrolment", "unit", "status", "grade"}
    response = submit(
        client, _page(edition), {"status": "completed", "grade": "8,5"}, htmx=True, page=page
    )

    assert response.status_code == 200
    saved = UnitProgress.objects.get()
    assert [str(saved.enrolment_id), str(saved.unit_id)] == sent["enrolment"] + sent["unit"]
    assert (saved.status, saved.grade) == ("passed", Decimal("8.5"))


def _grid_form(client, edition):
    page = client.get(_page(edition))
    forms, _body = parse_forms(page.text)
    [grid] = [form for form in forms if form.id == "grid"]
    return page, grid


def test_without_javascript_one_button_saves_the_changed_cells(client, lines, dirk, school):
    edition = _edition(dirk, school, students=3, units=3)
    client.force_login(dirk)
    _page_response, grid = _grid_form(client, edition)
    data = fill(grid, {})
    order = data["cells"][0].split()
    # The teacher changes the second cell (status and grade, written the Dutch way).
    data["status"][1], data["grade"][1] = "completed", "6,5"

    response = client.post(grid.action(_page(edition)), data, follow=True)

    assert "1 wijziging opgeslagen." in response.text
    enrolment_id, unit_id = map(int, order[1].split("-"))
    saved = UnitProgress.objects.get()
    assert (saved.enrolment_id, saved.unit_id) == (enrolment_id, unit_id)
    assert (saved.status, saved.grade) == ("passed", Decimal("6.5"))
    # Sent again unchanged, nothing changes.
    again = client.post(grid.action(_page(edition)), fill(_grid_form(client, edition)[1], {}))
    assert again.status_code == 302
    assert UnitProgress.objects.get().updated_at == saved.updated_at


def test_without_javascript_a_colleagues_change_since_the_page_is_not_overwritten(
    client, lines, dirk, school
):
    edition = _edition(dirk, school, students=2, units=2)
    client.force_login(dirk)
    _page_response, grid = _grid_form(client, edition)
    data = fill(grid, {})
    order = data["cells"][0].split()
    # Meanwhile a colleague marks the first cell; the teacher changes the last one.
    first = edition.enrolments.get(pk=int(order[0].split("-")[0]))
    unit = edition.module.units.get(pk=int(order[0].split("-")[1]))
    progress.record_progress(actor=dirk, enrolment=first, unit=unit, status="in_progress")
    data["status"][-1] = "in_progress"

    response = client.post(grid.action(_page(edition)), data, follow=True)

    text = response.text
    assert "1 wijziging opgeslagen." in text
    assert "Door iemand anders gewijzigd sinds je de pagina opende" in text
    assert first.student.display_name in text
    stored = dict(
        UnitProgress.objects.values_list("enrolment_id", "status").order_by("enrolment_id")
    )
    assert stored[first.pk] == "in_progress"  # the colleague's, not the page's "not started"
    assert UnitProgress.objects.count() == 2


def test_without_javascript_a_bad_grade_is_named_and_the_rest_saved(client, lines, dirk, school):
    edition = _edition(dirk, school, students=2, units=2)
    client.force_login(dirk)
    _page_response, grid = _grid_form(client, edition)
    data = fill(grid, {})
    data["status"][0], data["grade"][0] = "completed", "zeven"
    data["status"][1] = "in_progress"

    response = client.post(grid.action(_page(edition)), data, follow=True)

    assert "Kies een status, en een cijfer zoals 7,5." in response.text
    assert "1 wijziging opgeslagen." in response.text
    assert list(UnitProgress.objects.values_list("status", flat=True)) == ["in_progress"]


@pytest.mark.parametrize(
    "change",
    [
        {"cells": "1-2 3"},  # fewer cells than values
        {"cells": "x-y x-y x-y x-y"},
        {"version": "yesterday"},
        {"version": timezone.now().replace(tzinfo=None).isoformat()},
    ],
)
def test_without_javascript_a_grid_that_does_not_add_up_changes_nothing(
    client, lines, dirk, school, change
):
    edition = _edition(dirk, school, students=2, units=2)
    client.force_login(dirk)
    _page_response, grid = _grid_form(client, edition)
    data = fill(grid, {}) | {name: [value] for name, value in change.items()}
    data["status"] = ["completed"] * len(data["status"])

    response = client.post(grid.action(_page(edition)), data, follow=True)

    assert "Het overzicht kon niet worden gelezen." in response.text
    assert not UnitProgress.objects.exists()


def test_without_javascript_the_teacher_returns_to_the_page_of_the_grid_saved(
    client, lines, dirk, school
):
    edition = _edition(dirk, school, students=60, units=1, assessment="pass_fail")
    client.force_login(dirk)
    page = client.get(_page(edition), {"page": 2})
    forms, _body = parse_forms(page.text)
    [grid] = [form for form in forms if form.id == "grid"]

    response = client.post(grid.action(_page(edition)), fill(grid, {}))

    assert response.status_code == 302
    assert re.search(r"\?page=2$", response["Location"])


def test_without_javascript_cells_of_another_edition_are_not_written(client, lines, dirk, school):
    edition = _edition(dirk, school, students=1, units=1)
    # Another class on the same module: its cells name the same units.
    other = progress.create_edition(
        actor=dirk, module=edition.module, name="LAB3B", start_date=days(-30), end_date=days(60)
    )
    progress.enrol_students(actor=dirk, edition=other, students=[StudentFactory(school=school)])
    client.force_login(dirk)
    _page_response, grid = _grid_form(client, edition)
    data = fill(grid, {})
    theirs = f"{other.enrolments.get().pk}-{edition.module.units.get().pk}"
    data["cells"], data["status"] = [theirs], ["completed"]
    data["grade"] = ["8"]

    response = client.post(grid.action(_page(edition)), data, follow=True)

    assert "Er is niets gewijzigd." in response.text
    assert not UnitProgress.objects.exists()


def test_without_javascript_a_full_page_of_a_graded_grid_can_be_sent(client, lines, dirk, school):
    """Fifty students by twelve graded units is 1,200 fields, more than Django's default limit
    of 1,000: the limit is raised for the grid (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)."""
    edition = _edition(dirk, school, students=50, units=12)
    client.force_login(dirk)
    _page_response, grid = _grid_form(client, edition)
    data = fill(grid, {})
    assert len(data["status"]) + len(data["grade"]) == 1200
    data["status"][-1] = "completed"

    response = client.post(grid.action(_page(edition)), data, follow=True)

    assert "1 wijziging opgeslagen." in response.text
    assert UnitProgress.objects.get().status == "completed"
