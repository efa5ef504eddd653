"""Importing students and enrolments from a CSV exported by a school's student information
system: checked row by row with a preview, applied all-or-nothing, in batches with progress."""

import codecs
import csv
import io
import logging
import re
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civbio import rules
from partners.models import User
from students.models import (
    Edition,
    Enrolment,
    ImportStatus,
    Qualification,
    Route,
    Student,
    StudentImport,
)

logger = logging.getLogger(__name__)

# The template's columns, in Dutch as the student information systems export them.
COLUMNS = ["studentnummer", "roepnaam", "crebo", "niveau", "leerweg", "cohort"]
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
BATCH = 500
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def template_csv() -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(COLUMNS)
    writer.writerow(["R100301", "Noor A.", "25653", "4", "BOL", "2025"])
    return buffer.getvalue()


# Excel's own formats, uploaded instead of the CSV saved from them (xlsx is a zip, xls an OLE file).
WORKBOOK_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 has no mark of its own when saved without one, but text in it mostly consists of
    characters below 256: every other byte is zero. Returns the byte order, or None."""
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > len(odd) * 0.3 and not even.count(0):
        return "utf-16-le"
    if even.count(0) > len(even) * 0.3 and not odd.count(0):
        return "utf-16-be"
    return None


def _decode(data: bytes) -> tuple[str, str]:
    """The file's text and how it was read. UTF-8 (with or without the mark Excel puts in front of
    "CSV UTF-8") first; then UTF-16 (Excel's "Unicode text"), by its byte order mark or its zero
    bytes; then Windows-1252, which Dutch Excel's plain "CSV (gescheiden door
    lijstscheidingsteken)" writes, and which reads Latin-1's letters the same."""
    if data.startswith(WORKBOOK_SIGNATURES):
        raise ValidationError(
            _(
                "This is an Excel workbook, not a CSV file. In Excel choose Save as, "
                "“CSV UTF-8 (comma delimited)”, and upload that file."
            )
        )
    utf16 = (
        "utf-16"
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        else _utf16_without_bom(data[:4096])
    )
    if utf16:
        try:
            return data.decode(utf16), "utf-16"
        except UnicodeDecodeError as exc:
            raise ValidationError(
                _(
                    "The file is saved as UTF-16 (Unicode text), but part of it cannot be read as "
                    "such. In Excel choose Save as, “CSV UTF-8 (comma delimited)”, and upload "
                    "that file."
                )
            ) from exc
    for encoding, name in (("utf-8-sig", "utf-8"), ("cp1252", "cp1252")):
        try:
            return data.decode(encoding), name
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The file is not a readable text (CSV) file."))


def _check_row(number: int, raw: dict, crebos: dict[str, int], seen: set[str]) -> tuple[dict, list]:
    problems = []
    row = {key: (raw.get(key) or "").strip() for key in COLUMNS}
    row["row"] = number
    if any(CONTROL_CHARACTERS.search(value) for key, value in row.items() if key != "row"):
        problems.append(_("the row holds invisible control characters"))
        row = {
            key: CONTROL_CHARACTERS.sub("", value) if key != "row" else value
            for key, value in row.items()
        }
    if len(row["studentnummer"]) > 40:
        problems.append(_("the student number is longer than 40 characters"))
    if len(row["roepnaam"]) > 120:
        problems.append(_("the name is longer than 120 characters"))
    if not row["studentnummer"]:
        problems.append(_("the student number is missing"))
    elif row["studentnummer"] in seen:
        problems.append(
            _("student number %(number)s appears twice") % {"number": row["studentnummer"]}
        )
    if not row["roepnaam"]:
        problems.append(_("the name is missing"))
    if row["crebo"] and row["crebo"] not in crebos:
        problems.append(_("crebo %(crebo)s is not a known qualification") % {"crebo": row["crebo"]})
    if row["niveau"] not in {"1", "2", "3", "4"}:
        problems.append(_("the level must be 1, 2, 3 or 4"))
    if row["leerweg"].lower() not in Route.values:
        problems.append(_("the route must be BOL or BBL"))
    if not (row["cohort"].isdigit() and 2000 <= int(row["cohort"]) <= 2100):
        problems.append(_("the cohort must be a year such as 2025"))
    seen.add(row["studentnummer"])
    return row, [{"row": number, "message": p} for p in problems]


def _actor_may_import(actor: User, edition: Edition | None) -> None:
    if not rules.can_run_editions(actor) or actor.organisation.kind != "education":
        raise PermissionDenied(_("Only a school's staff import its students."))
    if edition is not None and (
        not rules.can_track_edition(actor, edition) or edition.school_id != actor.organisation_id
    ):
        raise PermissionDenied(_("Students can only be enrolled in your own school's editions."))


@transaction.atomic
def check_import(
    *, actor: User, filename: str, data: bytes, edition: Edition | None = None
) -> StudentImport:
    """Read and check the file; store the rows and every row's problems for the preview.

    A file that cannot be read at all (too large, wrong columns, not CSV) is refused at once.
    """
    _actor_may_import(actor, edition)
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The file is larger than 5 MB. Split it, or export fewer columns."))
    text, encoding = _decode(data)
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=";,\t").delimiter
    except csv.Error:
        delimiter = ";"
    # newline="" lets the csv module see line ends (a lone \r included) itself.
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise ValidationError(
            _("The file cannot be read as CSV (for example a quote that is never closed).")
        ) from exc
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ValidationError(
            _("These columns are missing: %(missing)s. Use the template.")
            % {"missing": ", ".join(missing)}
        )
    reader.fieldnames = header
    crebos = dict(Qualification.objects.values_list("crebo", "pk"))
    rows, errors, seen = [], [], set()
    try:
        for number, raw in enumerate(reader, start=2):
            if len(rows) >= MAX_ROWS:
                raise ValidationError(
                    _("The file has more than %(max)s rows. Split it.") % {"max": MAX_ROWS}
                )
            row, problems = _check_row(number, raw, crebos, seen)
            rows.append(row)
            errors.extend(problems)
    except csv.Error as exc:
        raise ValidationError(
            _("The file cannot be read as CSV (for example a quote that is never closed).")
        ) from exc
    if not rows:
        raise ValidationError(_("The file has no rows below its header."))
    existing = set(
        Student.objects.filter(
            school=actor.organisation, student_number__in=[r["studentnummer"] for r in rows]
        ).values_list("student_number", flat=True)
    )
    for row in rows:
        row["exists"] = row["studentnummer"] in existing
    return StudentImport.objects.create(
        school=actor.organisation,
        edition=edition,
        uploaded_by=actor,
        filename=filename[:200],
        rows=rows,
        errors=errors,
        total_rows=len(rows),
        encoding=encoding,
    )


# Imports as jobs ---------------------------------------------------------------------------------
#
# The row holds the real state: preview → queued → running → done or failed. All students of an
# import are written in one transaction, which hides them (and anything written to the import's
# row inside it) from everyone until it commits. So the worker reports its progress and its
# heartbeat on a second, short-lived connection of its own, committed at once; the import's
# transaction touches the import's row only at its very end, to mark it done. A worker that dies
# takes its whole transaction with it: nothing was saved, and the next run starts clean.


class _Displaced(Exception):
    """This run no longer owns the import (the sweep gave it to another, or it was withdrawn)."""


def _stale():
    return timezone.now() - timedelta(seconds=settings.IMPORT_STUCK_SECONDS)


def _claim(import_id: int) -> str | None:
    """Take the import for this run: a queued one, or a running one whose worker stopped beating.
    A conditional update with a fresh token, so two runs never both finish the same import."""
    token = uuid.uuid4().hex
    now = timezone.now()
    claimed = (
        StudentImport.objects.filter(
            Q(status=ImportStatus.QUEUED)
            | Q(status=ImportStatus.RUNNING, heartbeat_at__lt=_stale()),
            pk=import_id,
        )
        .exclude(rows=[])
        .update(
            status=ImportStatus.RUNNING,
            run_token=token,
            heartbeat_at=now,
            processed_rows=0,
            attempts=F("attempts") + 1,
        )
    )
    return token if claimed else None


class _Heartbeat:
    """Progress and heartbeat written on a connection of their own, in autocommit, while the
    import's transaction is open on the usual one. SQLite locks the whole file for a writing
    transaction (and runs imports in-process, inside the request), so there the row only learns
    the outcome."""

    def __init__(self, import_id: int, token: str):
        self.import_id, self.token = import_id, token
        self.side = (
            connections.create_connection(DEFAULT_DB_ALIAS)
            if connection.vendor == "postgresql"
            else None
        )

    def beat(self, processed: int) -> None:
        if self.side is not None:
            table = connection.ops.quote_name(StudentImport._meta.db_table)
            with self.side.cursor() as cursor:
                cursor.execute(
                    # Fixed column names; the table's name comes from the model, never from input.
                    f"UPDATE {table} SET processed_rows = %s, heartbeat_at = %s "  # noqa: S608
                    "WHERE id = %s AND run_token = %s AND status = %s",
                    [processed, timezone.now(), self.import_id, self.token, ImportStatus.RUNNING],
                )
        if settings.IMPORT_BATCH_PAUSE:  # lets the test suite stop a worker half-way
            time.sleep(settings.IMPORT_BATCH_PAUSE)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def apply_import(import_id: int) -> bool:
    """Create or update every student, and enrol them, in one transaction: all rows or none.
    Returns False when there was nothing to do (done already, or being done by another run)."""
    token = _claim(import_id)
    if token is None:
        return False
    student_import = StudentImport.objects.select_related("edition").get(pk=import_id)
    mine = StudentImport.objects.filter(pk=import_id, run_token=token, status=ImportStatus.RUNNING)
    crebos = dict(Qualification.objects.values_list("crebo", "pk"))
    rows = student_import.rows
    # Checked again: what was confirmed must still be valid (qualifications can change).
    seen: set[str] = set()
    if student_import.errors or any(
        _check_row(row.get("row", 0), row, crebos, seen)[1] for row in rows
    ):
        mine.update(
            status=ImportStatus.FAILED,
            failure=_("The file no longer passes the checks: upload it again."),
            rows=[],
            finished_at=timezone.now(),
        )
        return True
    if student_import.edition and student_import.edition.school_id != student_import.school_id:
        mine.update(status=ImportStatus.FAILED, rows=[], finished_at=timezone.now())
        return True
    heartbeat = _Heartbeat(import_id, token)
    try:
        with transaction.atomic():
            created, updated = _write_rows(student_import, rows, crebos, heartbeat)
            # Done in the same transaction as the students: both or neither. A run that lost
            # the import on the way (the sweep gave it to another) undoes everything it wrote.
            if not mine.update(
                status=ImportStatus.DONE,
                created=created,
                updated=updated,
                processed_rows=len(rows),
                # The rows have done their work: keep the counts, not the students' data.
                rows=[],
                errors=[],
                failure="",
                finished_at=timezone.now(),
            ):
                raise _Displaced
    except _Displaced:
        logger.warning("student import %s was taken over; this run undid its work", import_id)
        return False
    except Exception:
        # The error text may quote a student's data: it goes to the log, not to the page. The
        # rows stay, so the uploader can try again. If the database itself is gone this update
        # fails too: the import stays running without a heartbeat, and the sweep resumes it.
        logger.exception("Student import %s failed", import_id)
        mine.update(
            status=ImportStatus.FAILED,
            failure=_("An unexpected error; the project office can see it in the log."),
            processed_rows=0,
            finished_at=timezone.now(),
        )
        raise
    finally:
        heartbeat.close()
    return True


def _write_rows(
    student_import: StudentImport, rows: list[dict], crebos: dict[str, int], heartbeat: _Heartbeat
) -> tuple[int, int]:
    created = updated = 0
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        existing = {
            s.student_number: s
            for s in Student.objects.select_for_update().filter(
                school_id=student_import.school_id,
                student_number__in=[r["studentnummer"] for r in batch],
            )
        }
        new, changed = [], []
        for row in batch:
            values = {
                "display_name": row["roepnaam"],
                "qualification_id": crebos.get(row["crebo"]),
                "level": int(row["niveau"]),
                "route": row["leerweg"].lower(),
                "cohort": int(row["cohort"]),
            }
            student = existing.get(row["studentnummer"])
            if student is None:
                new.append(
                    Student(
                        school_id=student_import.school_id,
                        student_number=row["studentnummer"],
                        **values,
                    )
                )
            else:
                for key, value in values.items():
                    setattr(student, key, value)
                changed.append(student)
        Student.objects.bulk_create(new)
        Student.objects.bulk_update(
            changed, ["display_name", "qualification_id", "level", "route", "cohort"]
        )
        created += len(new)
        updated += len(changed)
        if student_import.edition_id:
            enrolled = Student.objects.filter(
                school_id=student_import.school_id,
                student_number__in=[r["studentnummer"] for r in batch],
            )
            Enrolment.objects.bulk_create(
                [Enrolment(edition_id=student_import.edition_id, student=s) for s in enrolled],
                ignore_conflicts=True,
            )
        heartbeat.beat(start + len(batch))
    return created, updated


def requeue_stuck_imports() -> dict[str, list[int]]:
    """Imports whose worker died (running without a heartbeat) or whose task was lost (queued
    long ago) are queued again, saying why; after IMPORT_MAX_ATTEMPTS runs one fails visibly,
    and its uploader can try again. The caller sends the requeued ones' tasks
    (students.tasks.requeue_stuck_imports)."""
    stuck = Q(status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]) & (
        Q(heartbeat_at__lt=_stale()) | Q(heartbeat_at=None)
    )
    now = timezone.now()
    failed = list(
        StudentImport.objects.filter(stuck, attempts__gte=settings.IMPORT_MAX_ATTEMPTS).values_list(
            "pk", flat=True
        )
    )
    StudentImport.objects.filter(stuck, pk__in=failed).update(
        status=ImportStatus.FAILED,
        failure=_(
            "The import stopped %(n)s times before it finished (the server was interrupted). "
            "Nothing was saved."
        )
        % {"n": settings.IMPORT_MAX_ATTEMPTS},
        processed_rows=0,
        finished_at=now,
    )
    requeued = []
    for pk in StudentImport.objects.filter(stuck).values_list("pk", flat=True):
        with transaction.atomic():
            if StudentImport.objects.filter(stuck, pk=pk).update(
                status=ImportStatus.QUEUED,
                heartbeat_at=now,
                processed_rows=0,
                failure=_(
                    "The import was interrupted (the server stopped) and starts again from the "
                    "beginning; nothing of the interrupted run was saved."
                ),
            ):
                requeued.append(pk)
    return {"requeued": requeued, "failed": failed}


def rows_processed(student_import: StudentImport) -> int:
    """How far an import has come, as its worker last wrote it."""
    return student_import.processed_rows
