"""Writes on students and their imports: adding and correcting a student, and confirming or
retrying an import (which then runs in the background, students.tasks)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civbio import rules
from partners.models import User
from students import tasks
from students.models import ImportStatus, Student, StudentImport

# Students ---------------------------------------------------------------------------------------


STUDENT_FIELDS = [
    "student_number",
    "display_name",
    "qualification",
    "level",
    "route",
    "cohort",
    "left_on",
    "publicity_consent",
]


@transaction.atomic
def save_student(
    *, actor: User, fields: dict, student: Student | None = None, version: str | None = None
) -> Student:
    """Add a student to the actor's school, or correct one (e.g. record that they left). With
    `version` (the updated_at the editor saw), a change made by someone else in the meantime is
    refused instead of overwritten."""
    if student is None:
        if not rules.has_role(actor, "school_staff"):
            raise PermissionDenied(_("Only a school's staff add its students."))
        student = Student(school=actor.organisation)
    elif not rules.visible_students(actor).filter(pk=student.pk).exists() or student.erased_at:
        raise PermissionDenied(_("You may not change this student."))
    else:
        student = Student.objects.select_for_update().get(pk=student.pk)
        if version is not None and student.updated_at.isoformat() != version:
            raise ValidationError(
                _(
                    "Someone else changed this student while you were editing. Your changes are "
                    "still in the form: check them and save again."
                )
            )
    for name in STUDENT_FIELDS:
        if name in fields:
            setattr(student, name, fields[name])
    student.full_clean()
    student.save()
    return student


# Student imports --------------------------------------------------------------------------------


@transaction.atomic
def confirm_student_import(*, actor: User, student_import: StudentImport) -> bool:
    """Confirm a checked import: it runs in the background (in-process without a broker).
    Confirming twice starts it once."""
    if student_import.uploaded_by_id != actor.pk:
        raise PermissionDenied(_("Only the person who uploaded the file confirms it."))
    if student_import.errors:
        raise ValidationError(_("Fix the rows with problems in the file and upload it again."))
    claimed = StudentImport.objects.filter(
        pk=student_import.pk, status=ImportStatus.PREVIEW
    ).update(status=ImportStatus.QUEUED, heartbeat_at=timezone.now())
    if claimed:
        tasks.enqueue_import(student_import.pk)
    return bool(claimed)


@transaction.atomic
def retry_import(*, actor: User, student_import: StudentImport) -> None:
    """Queue a failed import again, from its first row: its failed run saved nothing (all rows are
    one transaction), so no row is ever imported twice."""
    if student_import.uploaded_by_id != actor.pk:
        raise PermissionDenied(_("Only the person who uploaded the file can try it again."))
    queued = (
        StudentImport.objects.filter(pk=student_import.pk, status=ImportStatus.FAILED)
        .exclude(rows=[])
        .update(
            status=ImportStatus.QUEUED,
            heartbeat_at=timezone.now(),
            attempts=0,
            processed_rows=0,
            failure="",
            finished_at=None,
        )
    )
    if not queued:
        raise ValidationError(
            _(
                "Only a failed import whose rows are still kept can be tried again: "
                "upload the file again."
            )
        )
    tasks.enqueue_import(student_import.pk)
