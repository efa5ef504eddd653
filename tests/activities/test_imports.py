import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities import imports, progress, services
from activities.models import Enrolment, Student, StudentImport
from civbio import figure_cache
from tests.browser import submit
from tests.conftest import days
from tests.factories import ModuleFactory, QualificationFactory, StudentFactory

pytestmark = pytest.mark.django_db

HEADER = "studentnummer;roepnaam;crebo;niveau;leerweg;cohort\n"


@pytest.fixture
def analist(db):
    return QualificationFactory(crebo="25653", name="Analist", level=4)


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return (header + "\n".join(rows) + "\n").encode()


def test_a_good_file_creates_updates_and_enrols_all_at_once(
    dirk, school, analist, lines, django_capture_on_commit_callbacks
):
    StudentFactory(school=school, student_number="R1", display_name="Oude Naam")
    edition = progress.create_edition(
        actor=dirk, module=ModuleFactory(), name="LAB4A", start_date=days(-1), end_date=days(90)
    )
    data = csv_bytes("R1;Nieuwe Naam;25653;4;BOL;2025", "R2;Noor A.;25653;4;bbl;2025")

    checked = imports.check_import(actor=dirk, filename="export.csv", data=data, edition=edition)
    assert checked.errors == []
    assert not Student.objects.filter(student_number="R2").exists()  # nothing before confirming
    kept_before = figure_cache._version()
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_student_import(actor=dirk, student_import=checked)

    checked.refresh_from_db()
    assert (checked.status, checked.created, checked.updated) == ("done", 1, 1)
    assert Student.objects.get(school=school, student_number="R1").display_name == "Nieuwe Naam"
    assert Student.objects.get(school=school, student_number="R2").route == "bbl"
    assert Enrolment.objects.filter(edition=edition).count() == 2
    # Bulk writes send no signals: the kept figures (class sizes) were told by hand.
    assert figure_cache._version() != kept_before


def test_bad_rows_are_listed_and_nothing_can_be_imported(dirk, analist):
    data = csv_bytes(
        "R1;Anna;25653;4;BOL;2025",
        ";Zonder nummer;25653;4;BOL;2025",
        "R3;;99999;7;stage;twintig",
        "R1;Dubbel;25653;4;BOL;2025",
    )

    checked = imports.check_import(actor=dirk, filename="fouten.csv", data=data)

    rows_with_errors = {e["row"] for e in checked.errors}
    assert rows_with_errors == {3, 4, 5}
    assert (
        len([e for e in checked.errors if e["row"] == 4]) == 5
    )  # name, crebo, level, route, cohort
    with pytest.raises(ValidationError):
        services.confirm_student_import(actor=dirk, student_import=checked)
    assert not Student.objects.exists()


def test_a_file_with_the_wrong_columns_or_no_text_is_refused_at_once(dirk):
    with pytest.raises(ValidationError, match="roepnaam"):
        imports.check_import(actor=dirk, filename="x.csv", data=b"nummer;naam\nR1;Anna\n")
    with pytest.raises(ValidationError):
        imports.check_import(actor=dirk, filename="x.csv", data=HEADER.encode())
    with pytest.raises(ValidationError):
        imports.check_import(actor=dirk, filename="x.xlsx", data=b"\x89PNG\x00\xff\xfe" * 10)
    assert not StudentImport.objects.exists()


def test_a_huge_file_is_imported_in_batches_and_an_oversized_one_refused(
    dirk, school, analist, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    rows = [f"S{n:05d};Student {n};25653;4;BOL;2025" for n in range(3000)]
    checked = imports.check_import(actor=dirk, filename="groot.csv", data=csv_bytes(*rows))

    # Batches of 500: a few queries each, never one per row.
    with django_assert_max_num_queries(60), django_capture_on_commit_callbacks(execute=True):
        services.confirm_student_import(actor=dirk, student_import=checked)

    assert Student.objects.filter(school=school).count() == 3000
    too_big = csv_bytes(*(rows * 50))
    assert len(too_big) > imports.MAX_BYTES
    with pytest.raises(ValidationError, match="5 MB"):
        imports.check_import(actor=dirk, filename="te-groot.csv", data=too_big)


def test_confirming_twice_imports_once(dirk, analist, django_capture_on_commit_callbacks):
    checked = imports.check_import(
        actor=dirk, filename="x.csv", data=csv_bytes("R1;Anna;25653;4;BOL;2025")
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert services.confirm_student_import(actor=dirk, student_import=checked)
        assert not services.confirm_student_import(actor=dirk, student_import=checked)

    assert Student.objects.count() == 1


def test_companies_and_funders_cannot_import(client, bram, fien):
    for person in (bram, fien):
        client.force_login(person)
        assert client.get(reverse("activities:student_import")).status_code == 403


def test_the_import_pages_walk_from_upload_to_done(
    client, dirk, analist, django_capture_on_commit_callbacks
):
    client.force_login(dirk)
    template = client.get(reverse("activities:student_import_template"))
    assert template.content.decode().startswith("studentnummer;roepnaam")

    upload = SimpleUploadedFile("export.csv", csv_bytes("R9;Noor A.;25653;4;BOL;2025"), "text/csv")
    response = submit(client, reverse("activities:student_import"), {"file": upload})
    assert response.status_code == 302
    preview = client.get(response.url)
    assert "Noor A." in preview.text
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, response.url, page=preview)
    done = client.get(response.url)
    assert done.context["checked"].status == "done"
    assert Student.objects.filter(student_number="R9").exists()


def test_the_student_list_renders_in_constant_queries(
    client, dirk, school, django_assert_num_queries
):
    StudentFactory.create_batch(300, school=school)
    client.force_login(dirk)

    # user, students with school and qualification, unread notifications
    with django_assert_num_queries(3):
        response = client.get(reverse("activities:student_list"))
    assert len(response.context["students"]) == 300


def test_a_coordinator_cannot_import_into_another_schools_edition(carla, eva, lines, analist):
    other = progress.create_edition(
        actor=eva, module=ModuleFactory(), name="TL", start_date=days(-1), end_date=days(30)
    )

    with pytest.raises(PermissionDenied):
        imports.check_import(
            actor=carla, filename="x.csv", data=csv_bytes("R1;Anna;25653;4;BOL;2025"), edition=other
        )


def test_unreadable_csv_and_odd_values_are_explained_not_errors(dirk, analist):
    with pytest.raises(ValidationError, match="CSV"):
        imports.check_import(
            actor=dirk,
            filename="x.csv",
            data=csv_bytes('R1;"Anna;25653;4;BOL;2025' + "x" * 200_000),
        )
    checked = imports.check_import(
        actor=dirk,
        filename="x.csv",
        data=csv_bytes("R1\x00;Anna;25653;4;BOL;2025", f"{'9' * 50};{'N' * 130};25653;4;BOL;2025"),
    )
    messages = " ".join(e["message"] for e in checked.errors)
    assert "controle" in messages or "control" in messages
    assert "40" in messages and "120" in messages
