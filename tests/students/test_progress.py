import csv
import io
from datetime import date

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from activities import matching, services
from activities.models import (
    Activity,
    ActivityEvent,
    Nomination,
)
from partners.models import AccessLog
from students import privacy, progress
from students.models import Student, StudentImport, UnitProgress
from tests.browser import submit
from tests.conftest import days
from tests.factories import ModuleFactory, QualificationFactory, StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def analist_q(db):
    return QualificationFactory(crebo="25653", name="Analist", level=4)


@pytest.fixture
def module(lines):
    return ModuleFactory(assessment="grade")


@pytest.fixture
def edition(module, dirk):
    return progress.create_edition(
        actor=dirk, module=module, name="LAB3A", start_date=days(-30), end_date=days(60)
    )


@pytest.fixture
def students(edition, dirk, school):
    people = StudentFactory.create_batch(3, school=school)
    progress.enrol_students(actor=dirk, edition=edition, students=people)
    return people


def enrolment_of(edition, student):
    return edition.enrolments.get(student=student)


def assert_summaries_true(edition):
    """Each enrolment's stored summary equals what its progress says."""
    for enrolment in edition.enrolments.all():
        rows = list(UnitProgress.objects.filter(enrolment=enrolment))
        done = sum(1 for p in rows if p.status in ("completed", "passed"))
        last = max((p.recorded_on for p in rows), default=None)
        assert (enrolment.units_done, enrolment.last_progress_on) == (done, last), enrolment


def test_each_enrolment_keeps_a_true_summary_of_its_progress(edition, students, dirk):
    """Units done and progress last recorded, which the dashboards read, follow every way
    progress is written or removed."""
    first, second, third = edition.module.units.all()
    anna = enrolment_of(edition, students[0])

    progress.record_progress(actor=dirk, enrolment=anna, unit=first, status="completed")
    progress.record_progress(actor=dirk, enrolment=anna, unit=second, status="in_progress")
    assert_summaries_true(edition)
    anna.refresh_from_db()
    assert (anna.units_done, anna.last_progress_on) == (1, timezone.localdate())

    progress.bulk_record_progress(
        actor=dirk,
        edition=edition,
        unit=third,
        student_ids=[s.pk for s in students],
        status="completed",
    )
    assert_summaries_true(edition)
    assert sorted(edition.enrolments.values_list("units_done", flat=True)) == [1, 1, 2]

    progress.record_progress(actor=dirk, enrolment=anna, unit=first, status="in_progress")
    UnitProgress.objects.filter(enrolment=anna, unit=second).delete()
    assert_summaries_true(edition)
    third.delete()  # a unit taken out of the module takes its progress with it
    assert_summaries_true(edition)
    anna.refresh_from_db()
    assert (anna.units_done, anna.last_progress_on) == (0, timezone.localdate())


def test_progress_follows_the_hours_of_completed_and_passed_units(edition, students, dirk):
    first, second, third = edition.module.units.all()  # 10, 20 and 10 hours
    enrolment = enrolment_of(edition, students[0])

    progress.record_progress(actor=dirk, enrolment=enrolment, unit=first, status="completed")
    progress.record_progress(actor=dirk, enrolment=enrolment, unit=second, status="in_progress")
    progress.record_progress(
        actor=dirk, enrolment=enrolment, unit=third, status="failed", grade="4.5"
    )
    grid = progress.edition_grid(edition)
    row = next(r for r in grid["rows"] if r.enrolment == enrolment)
    assert row.percent == 25  # 10 of 40 hours

    progress.record_progress(
        actor=dirk, enrolment=enrolment, unit=second, status="completed", grade="7.2"
    )
    row = next(r for r in progress.edition_grid(edition)["rows"] if r.enrolment == enrolment)
    assert row.percent == 75  # a 7.2 passes: 30 of 40 hours
    assert UnitProgress.objects.get(enrolment=enrolment, unit=second).status == "passed"


def test_grades_outside_the_scale_and_other_schools_are_refused(edition, students, eva, dirk):
    unit = edition.module.units.first()
    enrolment = enrolment_of(edition, students[0])
    with pytest.raises(ValidationError):
        progress.record_progress(
            actor=dirk, enrolment=enrolment, unit=unit, status="passed", grade="11"
        )
    with pytest.raises(PermissionDenied):
        progress.record_progress(actor=eva, enrolment=enrolment, unit=unit, status="completed")


def test_the_bulk_action_marks_a_unit_for_the_selected_students(edition, students, dirk):
    unit = edition.module.units.last()
    selected = [s.pk for s in students[:2]]
    graded = enrolment_of(edition, students[0])
    progress.record_progress(actor=dirk, enrolment=graded, unit=unit, status="completed", grade="8")

    count = progress.bulk_record_progress(
        actor=dirk, edition=edition, unit=unit, student_ids=selected, status="completed"
    )

    assert count == 2
    assert UnitProgress.objects.filter(unit=unit).count() == 2
    # The grade recorded for one student survives the bulk action.
    assert UnitProgress.objects.get(enrolment=graded, unit=unit).grade == 8
    with pytest.raises(ValidationError):
        # A graded unit is assessed per student, with a grade, not in bulk.
        progress.bulk_record_progress(
            actor=dirk, edition=edition, unit=unit, student_ids=selected, status="passed"
        )


def test_setting_a_unit_back_clears_its_grade(edition, students, dirk):
    unit = edition.module.units.first()
    enrolment = enrolment_of(edition, students[0])
    progress.record_progress(
        actor=dirk, enrolment=enrolment, unit=unit, status="completed", grade="8"
    )

    progress.record_progress(
        actor=dirk, enrolment=enrolment, unit=unit, status="not_started", grade="8"
    )

    item = UnitProgress.objects.get(enrolment=enrolment, unit=unit)
    assert (item.status, item.grade) == ("not_started", None)


def test_the_grid_updates_a_cell_in_place_and_renders_in_constant_queries(
    client, edition, dirk, school, django_assert_num_queries
):
    progress.enrol_students(
        actor=dirk, edition=edition, students=StudentFactory.create_batch(200, school=school)
    )
    client.force_login(dirk)

    # The first cell of the page, changed as htmx sends it.
    response = submit(
        client,
        reverse("students:edition_detail", args=[edition.pk]),
        {"status": "completed"},
        action=reverse("students:edition_cell", args=[edition.pk]),
        htmx=True,
    )
    assert response.status_code == 200
    changed = UnitProgress.objects.get()
    enrolment, unit = changed.enrolment, changed.unit
    assert f'id="cell-{enrolment.pk}-{unit.pk}"' in response.text
    assert 'hx-swap-oob="true"' in response.text
    assert "25%" in response.text

    # session, user, edition, units, the class's order and hours, the page's enrolments and
    # students, their progress, candidates, unread
    with django_assert_num_queries(9):
        page = client.get(reverse("students:edition_detail", args=[edition.pk]))
    assert len(page.context["rows"]) == 50  # a page of the grid
    assert page.context["students"] == 200
    assert "200 studenten" in page.text
    # The class figure counts every student, not only the page shown: the last page's fifty
    # complete every unit, so the class stands at a quarter while the first page is at 0%.
    enrolments = sorted(
        edition.enrolments.select_related("student"), key=lambda e: (e.student.display_name, e.pk)
    )
    last_page = [e.student_id for e in enrolments[150:]]
    for unit in edition.module.units.all():
        progress.bulk_record_progress(
            actor=dirk, edition=edition, unit=unit, student_ids=last_page, status="completed"
        )
    first = client.get(reverse("students:edition_detail", args=[edition.pk]))
    assert first.context["class_percent"] == 25
    assert {r.percent for r in first.context["rows"]} <= {0, 25}
    last = client.get(reverse("students:edition_detail", args=[edition.pk]), {"page": 4})
    assert [r.enrolment.student_id for r in last.context["rows"]] == last_page
    assert {r.percent for r in last.context["rows"]} == {100}


def test_a_bad_cell_value_is_explained_and_changes_nothing(client, edition, students, dirk):
    client.force_login(dirk)

    response = submit(
        client,
        reverse("students:edition_detail", args=[edition.pk]),
        {"status": "completed", "grade": "99"},
        action=reverse("students:edition_cell", args=[edition.pk]),
        htmx=True,
    )

    assert response.status_code == 200
    assert 'role="alert"' in response.text
    assert not UnitProgress.objects.exists()


def test_students_who_completed_the_required_units_match_an_open_place(
    posting, edition, students, dirk
):
    first = edition.module.units.first()
    posting.required_units.set([first])
    done, not_done = students[0], students[1]
    progress.record_progress(
        actor=dirk, enrolment=enrolment_of(edition, done), unit=first, status="completed"
    )
    StudentFactory(school=done.school, route="bbl")  # wrong route for a BOL place

    matches = {m.activity.pk: m for m in matching.matches_for(dirk)}

    assert [s.pk for s in matches[posting.pk].students] == [done.pk]
    services.nominate_student(actor=dirk, posting=posting, student=done)
    assert matching.matches_for(dirk)[0].students == []  # nominated students drop out
    assert not_done.pk not in [s.pk for s in matches[posting.pk].students]


def test_the_matches_page_nominates_with_one_click(client, posting, edition, students, dirk):
    client.force_login(dirk)

    response = submit(
        client,
        reverse("activities:matches"),
        action=reverse("activities:match_nominate", args=[posting.pk, students[0].pk]),
    )

    assert response.status_code == 302
    assert Nomination.objects.filter(posting=posting, student=students[0]).exists()


@pytest.mark.parametrize("persona", ["eva", "bram", "fien"])
def test_student_pages_are_closed_to_other_schools_companies_and_funders(
    client, students, edition, persona, request
):
    client.force_login(request.getfixturevalue(persona))
    student = students[0]

    for url in (
        reverse("students:student_detail", args=[student.pk]),
        reverse("students:student_export", args=[student.pk]),
        reverse("students:edition_detail", args=[edition.pk]),
    ):
        assert client.get(url).status_code in (403, 404), url


def test_viewing_a_student_is_logged(client, students, dirk):
    client.force_login(dirk)

    client.get(reverse("students:student_detail", args=[students[0].pk]))

    entry = AccessLog.objects.get()
    assert (entry.actor, entry.action, entry.target_id) == (dirk, "view", students[0].pk)


def test_an_export_holds_everything_and_an_erasure_leaves_nothing_identifying(
    edition, students, dirk, carla, posting, bram
):
    student = Student.objects.get(pk=students[0].pk)
    student.display_name = "Zoë Zeldzaam"
    student.student_number = "R-777"
    student.save()
    unit = edition.module.units.first()
    progress.record_progress(
        actor=dirk, enrolment=enrolment_of(edition, student), unit=unit, status="completed"
    )
    nomination = services.nominate_student(
        actor=dirk, posting=posting, student=student, motivation="Zoë is sterk"
    )
    services.answer_nomination(actor=bram, nomination=nomination, accept=True, message="Welkom Zoë")

    pending = StudentImport.objects.create(
        school=student.school,
        filename="export.csv",
        rows=[{"studentnummer": "R-777", "roepnaam": "Zoë Zeldzaam"}, {"studentnummer": "R-1"}],
    )
    data = privacy.export_student(actor=carla, student=student)
    assert data["student"]["display_name"] == "Zoë Zeldzaam"
    assert data["progress"][0]["status"] == "completed"
    assert data["nominations"][0]["motivation"] == "Zoë is sterk"

    privacy.erase_student(actor=carla, student=student)

    student.refresh_from_db()
    assert "Zoë" not in student.display_name
    assert student.student_number != "R-777"
    assert student.student_number.startswith("erased-")
    nomination.refresh_from_db()
    assert "Zoë" not in nomination.motivation + nomination.response
    assert not ActivityEvent.objects.filter(note__icontains="Zoë").exists()
    pending.refresh_from_db()
    # An upload that named the student is withdrawn: it has to be uploaded again.
    assert (pending.rows, pending.status) == ([], "failed")
    # Anonymous counts stay: the progress and the filled place still count.
    assert UnitProgress.objects.filter(enrolment__student=student, status="completed").count() == 1
    assert Nomination.objects.filter(posting=posting, status="accepted").count() == 1
    with pytest.raises(PermissionDenied):
        privacy.erase_student(actor=dirk, student=student)


def test_the_retention_rule_anonymises_students_who_left_long_ago(school):
    old = StudentFactory(school=school, display_name="Lang Geleden", left_on=date(2023, 1, 31))
    recent = StudentFactory(school=school, display_name="Net Weg", left_on=date(2026, 6, 30))
    current = StudentFactory(school=school, display_name="Nog Hier")

    count = privacy.apply_retention(today=date(2026, 11, 24), months=24)

    assert count == 1
    names = dict(Student.objects.values_list("pk", "display_name"))
    assert names[old.pk] != "Lang Geleden"
    assert names[recent.pk] == "Net Weg"
    assert names[current.pk] == "Nog Hier"
    assert privacy.apply_retention(today=date(2026, 11, 24), months=24) == 0


def test_the_progress_export_comes_as_csv_and_xlsx_with_formulas_escaped(
    client, edition, students, dirk
):
    student = students[0]
    Student.objects.filter(pk=student.pk).update(display_name="=cmd|' /C calc'!A0")
    client.force_login(dirk)

    response = client.get(reverse("students:edition_export", args=[edition.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 4
    assert any(row[1].startswith("'=") for row in rows[1:])

    xlsx = client.get(reverse("students:edition_export", args=[edition.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 4
    assert all(not str(cell.value).startswith("=") for row in sheet.iter_rows() for cell in row)
    assert (
        client.get(reverse("students:edition_export", args=[edition.pk, "pdf"])).status_code == 404
    )


def test_only_students_of_the_editions_school_can_be_enrolled(edition, dirk, other_school):
    with pytest.raises(ValidationError):
        progress.enrol_students(
            actor=dirk, edition=edition, students=[StudentFactory(school=other_school)]
        )


def test_an_erased_student_is_no_longer_matched_enrolled_or_tracked(
    posting, edition, students, dirk, carla
):
    first = edition.module.units.first()
    posting.required_units.set([first])
    student = students[0]
    progress.record_progress(
        actor=dirk, enrolment=enrolment_of(edition, student), unit=first, status="completed"
    )
    LogEntry.objects.create(
        user=carla,
        content_type=ContentType.objects.get_for_model(Student),
        object_id=str(student.pk),
        object_repr=student.display_name,
        action_flag=2,
        change_message='[{"changed": {"fields": ["display_name"]}}]',
    )

    privacy.erase_student(actor=carla, student=student)
    student.refresh_from_db()

    assert student.pk not in [s.pk for m in matching.matches_for(dirk) for s in m.students]
    with pytest.raises(ValidationError):
        services.nominate_student(actor=dirk, posting=posting, student=student)
    with pytest.raises(ValidationError):
        progress.record_progress(
            actor=dirk, enrolment=enrolment_of(edition, student), unit=first, status="passed"
        )
    entry = LogEntry.objects.get(object_id=str(student.pk))
    assert (entry.object_repr, entry.change_message) == ("—", "")


def test_a_bad_grade_comes_back_in_its_cell_with_the_typed_value(client, edition, students, dirk):
    client.force_login(dirk)

    response = submit(
        client,
        reverse("students:edition_detail", args=[edition.pk]),
        {"status": "completed", "grade": "abc"},
        action=reverse("students:edition_cell", args=[edition.pk]),
        htmx=True,
    )

    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'value="abc"' in response.text
    assert 'aria-invalid="true"' in response.text


def test_odd_input_to_the_grid_pages_is_never_a_server_error(client, edition, students, dirk):
    client.force_login(dirk)
    edition.name = 'LAB "3"\\n'
    edition.save()
    # Posts no page offers, with the token a page gave (an attack, not a person).
    assert client.get(reverse("students:edition_detail", args=[edition.pk])).status_code == 200

    assert (
        client.post_with_cookie_token(
            reverse("students:edition_enrol", args=[edition.pk]),
            {"students": ["99999999999999999999999", "x"]},
        ).status_code
        == 302
    )
    assert (
        client.post_with_cookie_token(
            reverse("students:edition_cell", args=[edition.pk]),
            {"enrolment": "9" * 30, "unit": "x"},
        ).status_code
        == 404
    )
    export = client.get(reverse("students:edition_export", args=[edition.pk, "csv"]))
    assert export.status_code == 200
    assert export.content.startswith("\ufeff".encode())


def test_a_teacher_adds_a_student_and_records_that_they_left(client, dirk, school, analist_q):
    client.force_login(dirk)
    data = {
        "student_number": "R500",
        "display_name": "Nieuw N.",
        "qualification": analist_q.pk,
        "level": "4",
        "route": "bol",
        "cohort": "2025",
    }

    created = submit(client, reverse("students:student_create"), data)
    student = Student.objects.get(school=school, student_number="R500")
    assert created.status_code == 302
    duplicate = submit(client, reverse("students:student_create"), data)
    assert duplicate.status_code == 200
    assert Student.objects.filter(student_number="R500").count() == 1
    submit(
        client,
        reverse("students:student_edit", args=[student.pk]),
        {"left_on": "2026-07-01", "publicity_consent": "on"},
    )
    student.refresh_from_db()
    assert (student.left_on.isoformat(), student.publicity_consent) == ("2026-07-01", True)


def test_another_schools_teacher_cannot_edit_a_student(client, eva, students):
    client.force_login(eva)

    assert client.get(reverse("students:student_edit", args=[students[0].pk])).status_code == 404


def test_a_company_names_the_units_its_place_requires(client, lines, bram, module):
    client.force_login(bram)
    unit = module.units.first()

    submit(
        client,
        reverse("activities:activity_create", args=["internship"]),
        {
            "title": "Stage met eisen",
            "route": "bol",
            "start_date": days(40).isoformat(),
            "duration_months": "3",
            "days_per_week": "4",
            "places": "1",
            "location": "Leiden",
            "required_units": [unit.pk],
        },
    )

    assert list(Activity.objects.get(title="Stage met eisen").required_units.all()) == [unit]


def test_students_one_unit_away_are_shown_with_the_unit_they_miss(posting, edition, students, dirk):
    first, second = list(edition.module.units.all())[:2]
    posting.required_units.set([first, second])
    progress.record_progress(
        actor=dirk, enrolment=enrolment_of(edition, students[0]), unit=first, status="completed"
    )

    match = next(m for m in matching.matches_for(dirk) if m.activity.pk == posting.pk)

    assert match.students == []
    assert (students[0], second) in [(s, u) for s, u in match.almost]


def test_the_matches_and_edition_pages_stay_constant_with_many_students(
    client, posting, edition, dirk, school, django_assert_num_queries
):
    many = StudentFactory.create_batch(150, school=school)
    progress.enrol_students(actor=dirk, edition=edition, students=many)
    first = edition.module.units.first()
    posting.required_units.set([first])
    progress.bulk_record_progress(
        actor=dirk,
        edition=edition,
        unit=first,
        student_ids=[s.pk for s in many],
        status="completed",
    )
    client.force_login(dirk)

    # session, user, opportunities counted, a page of them, their qualifications, required units
    # (with modules), students counted per kind, live nominations, the progress on the required
    # units, the first students who fit, unread notifications
    with django_assert_num_queries(11):
        response = client.get(reverse("activities:matches"))
    assert response.context["matches"][0].fitting == 150
    assert len(response.context["matches"][0].first) == 5
    # session, user, my editions counted, a page of them (with module, school), their teachers,
    # the others counted (none: no page read), unread notifications
    with django_assert_num_queries(7):
        client.get(reverse("students:edition_list"))
