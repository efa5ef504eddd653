import signal
import threading
import time
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from civbio.celery import app as celery_app
from students import imports, privacy, progress, services, tasks
from students.models import Enrolment, Student, StudentImport
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
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_student_import(actor=dirk, student_import=checked)

    checked.refresh_from_db()
    assert (checked.status, checked.created, checked.updated) == ("done", 1, 1)
    assert Student.objects.get(school=school, student_number="R1").display_name == "Nieuwe Naam"
    assert Student.objects.get(school=school, student_number="R2").route == "bbl"
    assert Enrolment.objects.filter(edition=edition).count() == 2


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
        assert client.get(reverse("students:student_import")).status_code == 403


def test_the_import_pages_walk_from_upload_to_done(
    client, dirk, analist, django_capture_on_commit_callbacks
):
    client.force_login(dirk)
    template = client.get(reverse("students:student_import_template"))
    assert template.content.decode().startswith("studentnummer;roepnaam")

    upload = SimpleUploadedFile("export.csv", csv_bytes("R9;Noor A.;25653;4;BOL;2025"), "text/csv")
    response = submit(client, reverse("students:student_import"), {"file": upload})
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

    # session, user, students counted, a page of them with their qualification, unread
    # notifications
    with django_assert_num_queries(5):
        response = client.get(reverse("students:student_list"))
    assert len(response.context["students"]) == 50
    assert response.context["pager"].count == 300


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


# Imports as jobs: queued → running → done or failed, a sweep, a retry, retention -----------------


def _rows(count: int, prefix: str = "J") -> bytes:
    return csv_bytes(*(f"{prefix}{n:05d};Student {n};25653;4;BOL;2025" for n in range(count)))


def test_an_import_is_queued_then_running_with_progress_in_its_row_then_done(
    dirk, analist, monkeypatch, django_capture_on_commit_callbacks
):
    checked = imports.check_import(actor=dirk, filename="x.csv", data=_rows(1200))
    seen = []
    beat = imports._Heartbeat.beat

    def watched(self, processed):
        seen.append((StudentImport.objects.get(pk=checked.pk).status, processed))
        beat(self, processed)

    monkeypatch.setattr(imports._Heartbeat, "beat", watched)

    with django_capture_on_commit_callbacks() as sent:
        services.confirm_student_import(actor=dirk, student_import=checked)
    checked.refresh_from_db()
    assert checked.status == "queued" and checked.heartbeat_at is not None
    for send in sent:
        send()

    checked.refresh_from_db()
    assert seen == [("running", 500), ("running", 1000), ("running", 1200)]
    assert (checked.status, checked.created, checked.attempts) == ("done", 1200, 1)
    assert checked.rows == [] and checked.finished_at is not None


def test_a_failed_import_shows_why_and_trying_again_imports_every_row_once(
    client, dirk, analist, monkeypatch, django_capture_on_commit_callbacks
):
    checked = imports.check_import(actor=dirk, filename="x.csv", data=_rows(1200))
    beat = imports._Heartbeat.beat
    failures = iter([RuntimeError("the database went away")])

    def failing_once(self, processed):
        if processed == 1000:  # two batches written, inside the import's transaction
            raise next(failures, None) or AssertionError("failed twice")
        beat(self, processed)

    monkeypatch.setattr(imports._Heartbeat, "beat", failing_once)
    client.force_login(dirk)
    url = reverse("students:student_import_preview", args=[checked.pk])
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, url, button="Bevestigen en importeren")

    checked.refresh_from_db()
    assert checked.status == "failed" and len(checked.rows) == 1200  # kept for a retry
    assert not Student.objects.exists()  # the two written batches went with the transaction
    page = client.get(url)
    assert "Het importeren is mislukt" in page.text and "Opnieuw proberen" in page.text

    monkeypatch.setattr(imports._Heartbeat, "beat", beat)
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, url, page=page, button="Opnieuw proberen")

    checked.refresh_from_db()
    assert (checked.status, checked.created, checked.updated) == ("done", 1200, 0)
    assert Student.objects.count() == 1200
    assert "Opnieuw proberen" not in client.get(url).text
    with pytest.raises(ValidationError):  # a done import cannot be tried again
        services.retry_import(actor=dirk, student_import=checked)


def test_the_sweep_requeues_an_import_whose_worker_stopped_and_fails_it_after_three_tries(
    client, dirk, analist, settings, django_capture_on_commit_callbacks
):
    long_ago = timezone.now() - timedelta(seconds=settings.IMPORT_STUCK_SECONDS + 1)
    lost = imports.check_import(actor=dirk, filename="lost.csv", data=_rows(3, "L"))
    worn = imports.check_import(actor=dirk, filename="worn.csv", data=_rows(3, "W"))
    alive = imports.check_import(actor=dirk, filename="alive.csv", data=_rows(3, "A"))
    StudentImport.objects.filter(pk=lost.pk).update(
        status="running", heartbeat_at=long_ago, attempts=1
    )
    StudentImport.objects.filter(pk=worn.pk).update(
        status="running", heartbeat_at=long_ago, attempts=3
    )
    StudentImport.objects.filter(pk=alive.pk).update(
        status="running", heartbeat_at=timezone.now(), attempts=1
    )

    with django_capture_on_commit_callbacks() as sent:
        swept = tasks.requeue_stuck_imports()

    assert swept == {"requeued": [lost.pk], "failed": [worn.pk]}
    lost.refresh_from_db()
    assert lost.status == "queued" and "onderbroken" in lost.failure
    client.force_login(dirk)
    waiting = client.get(reverse("students:student_import_preview", args=[lost.pk]))
    assert "onderbroken" in waiting.text and "hx-trigger" in waiting.text
    for send in sent:
        send()
    lost.refresh_from_db()
    assert (lost.status, lost.created, lost.attempts) == ("done", 3, 2)
    worn_page = client.get(reverse("students:student_import_preview", args=[worn.pk]))
    assert "3 keer" in worn_page.text and "Opnieuw proberen" in worn_page.text
    assert StudentImport.objects.get(pk=alive.pk).status == "running"  # still beating
    assert Student.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_run_whose_import_was_taken_over_undoes_everything_it_wrote(dirk, analist, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("two connections writing at once need PostgreSQL")
    checked = imports.check_import(actor=dirk, filename="x.csv", data=_rows(1200))
    beat = imports._Heartbeat.beat

    def another_run_takes_it():
        StudentImport.objects.filter(pk=checked.pk).update(run_token="someone-else")
        connection.close()

    def taken_over(self, processed):
        beat(self, processed)
        if processed == 1000:  # meanwhile the sweep gave the import to another run
            other = threading.Thread(target=another_run_takes_it)
            other.start()
            other.join()

    monkeypatch.setattr(imports._Heartbeat, "beat", taken_over)
    services.confirm_student_import(actor=dirk, student_import=checked)

    assert imports.apply_import(checked.pk) is False
    checked.refresh_from_db()
    assert (checked.status, checked.run_token) == ("running", "someone-else")
    assert not Student.objects.exists()


def test_text_in_utf16_windows_1252_or_with_a_bom_is_read_and_said_so(client, dirk, analist):
    text = HEADER + "R1;Zoë Çelik;25653;4;BOL;2025\n"
    for data, encoding in (
        (text.encode("utf-16"), "utf-16"),  # Excel's "Unicode text", with its byte order mark
        (text.encode("utf-16-le"), "utf-16"),
        (text.encode("utf-8-sig"), "utf-8"),  # Excel's "CSV UTF-8"
        (text.encode("cp1252"), "cp1252"),  # Dutch Excel's plain CSV
    ):
        checked = imports.check_import(actor=dirk, filename="x.csv", data=data)
        assert (checked.encoding, checked.errors) == (encoding, [])
        assert checked.rows[0]["roepnaam"] == "Zoë Çelik"

    client.force_login(dirk)
    upload = SimpleUploadedFile("unicode.txt", text.encode("utf-16"), "text/plain")
    response = submit(client, reverse("students:student_import"), {"file": upload})
    assert "UTF-16" in client.get(response.url).text


def test_a_broken_utf16_file_or_a_workbook_is_named_for_what_it_is(client, dirk):
    client.force_login(dirk)
    for name, data, says in (
        ("x.csv", (HEADER + "R1;Anna").encode("utf-16")[:-1], "UTF-16"),
        ("x.xlsx", b"PK\x03\x04" + b"\x00" * 100, "Excel"),
    ):
        upload = SimpleUploadedFile(name, data, "text/csv")
        page = submit(client, reverse("students:student_import"), {"file": upload})
        assert page.status_code == 200
        assert says in page.text and "ontbreken" not in page.text
    assert not StudentImport.objects.exists()


def test_retention_clears_the_rows_of_every_import_that_did_not_finish_within_a_week(
    dirk, analist, django_capture_on_commit_callbacks
):
    old = {
        status: imports.check_import(actor=dirk, filename=f"{status}.csv", data=_rows(2, status))
        for status in ("preview", "queued", "running", "failed")
    }
    done = imports.check_import(actor=dirk, filename="done.csv", data=_rows(2, "D"))
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_student_import(actor=dirk, student_import=done)
    recent = imports.check_import(actor=dirk, filename="recent.csv", data=_rows(2, "R"))
    for status, pending in old.items():
        StudentImport.objects.filter(pk=pending.pk).update(status=status)
    StudentImport.objects.exclude(pk=recent.pk).update(
        created_at=timezone.now() - timedelta(days=8)
    )

    privacy.apply_retention()

    for pending in old.values():
        pending.refresh_from_db()
        assert (pending.status, pending.rows, pending.errors) == ("failed", [], [])
        assert "7" in pending.failure
    done.refresh_from_db()
    assert (done.status, done.created) == ("done", 2)
    assert len(StudentImport.objects.get(pk=recent.pk).rows) == 2


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_leaves_nothing_and_the_sweep_imports_every_row_once(
    dirk, analist, celery_workers, settings
):
    """The whole worker dies (SIGKILL) after a batch: its transaction dies with it, the row keeps
    the progress its worker wrote, and the sweep gives the import to the next worker (this test's
    own process, which saves starting a second one)."""
    settings.IMPORT_STUCK_SECONDS = 2
    worker = celery_workers.start(IMPORT_BATCH_PAUSE="5")
    checked = imports.check_import(actor=dirk, filename="x.csv", data=_rows(1500))
    services.confirm_student_import(actor=dirk, student_import=checked)
    deadline = time.monotonic() + 60
    while StudentImport.objects.get(pk=checked.pk).processed_rows < 500:  # progress in the row
        assert time.monotonic() < deadline, "the worker never got through a batch"
        time.sleep(0.1)

    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert not Student.objects.exists()
    assert StudentImport.objects.get(pk=checked.pk).status == "running"  # its last word
    assert tasks.requeue_stuck_imports()["requeued"] == []  # its heartbeat is still fresh
    time.sleep(2)
    celery_app.conf.task_always_eager = True  # the next worker is this process
    swept = tasks.requeue_stuck_imports()

    checked.refresh_from_db()
    assert swept["requeued"] == [checked.pk]
    assert (checked.status, checked.created, checked.updated, checked.attempts) == (
        "done",
        1500,
        0,
        2,
    )
    assert Student.objects.count() == 1500
