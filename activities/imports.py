"""Importing students and enrolments from a CSV exported by a school's student information
system: checked row by row with a preview, applied all-or-nothing, in batches with progress."""

import csv
import io
import logging
import re

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from activities.models import (
    Edition,
    Enrolment,
    ImportStatus,
    Qualification,
    Route,
    Student,
    StudentImport,
)
from civbio import figure_cache, rules
from partners.models import User

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


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
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
    text = _decode(data)
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
    )


def apply_import(import_id: int) -> None:
    """Create or update every student, and enrol them, in one transaction: all rows or none.
    Progress is saved per batch outside that transaction so the page can show it."""
    student_import = StudentImport.objects.select_related("edition").get(pk=import_id)
    if student_import.status != ImportStatus.RUNNING:
        return
    crebos = dict(Qualification.objects.values_list("crebo", "pk"))
    rows = student_import.rows
    # Checked again: what was confirmed must still be valid (qualifications can change).
    seen: set[str] = set()
    if student_import.errors or any(
        _check_row(row.get("row", 0), row, crebos, seen)[1] for row in rows
    ):
        StudentImport.objects.filter(pk=import_id).update(
            status=ImportStatus.FAILED, failure=_("The file no longer passes the checks."), rows=[]
        )
        return
    if student_import.edition and student_import.edition.school_id != student_import.school_id:
        StudentImport.objects.filter(pk=import_id).update(status=ImportStatus.FAILED, rows=[])
        return
    try:
        with transaction.atomic():
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
                        [
                            Enrolment(edition_id=student_import.edition_id, student=s)
                            for s in enrolled
                        ],
                        ignore_conflicts=True,
                    )
                # Bulk writes send no signals: the kept figures are told by hand.
                figure_cache.data_changed()
                _save_progress(import_id, start + len(batch))
    except Exception:
        # The error text may quote a student's data: it goes to the log, not to the page.
        logger.exception("Student import %s failed", import_id)
        StudentImport.objects.filter(pk=import_id).update(
            status=ImportStatus.FAILED,
            failure=_("An unexpected error; the project office can see it in the log."),
            processed_rows=0,
            rows=[],
        )
        raise
    # The rows have done their work: keep the counts, not the students' data.
    StudentImport.objects.filter(pk=import_id).update(
        status=ImportStatus.DONE,
        created=created,
        updated=updated,
        processed_rows=len(rows),
        rows=[],
        errors=[],
    )


def _progress_key(import_id: int) -> str:
    return f"civbio:student-import:{import_id}:processed"


def _save_progress(import_id: int, processed: int) -> None:
    """Rows done so far, in the shared cache: the import's own transaction hides its database
    writes until the end, the cache shows the page each batch as it completes."""
    cache.set(_progress_key(import_id), processed, 3600)


def rows_processed(student_import: StudentImport) -> int:
    """How far an import has come: the final count once done, else the live count."""
    if student_import.status != ImportStatus.RUNNING:
        return student_import.processed_rows
    return cache.get(_progress_key(student_import.pk), 0)
