"""Students' data rights: everything stored about a student as an export, erasure that leaves only
anonymous counts, and the retention rule that anonymises students some time after they left."""

import uuid
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civbio import rules
from partners.models import AccessLog, User
from partners.services import log_access
from students import records
from students.models import Enrolment, ImportStatus, Student, StudentImport, UnitProgress

ERASED_NAME = "—"
STALE_UPLOAD_DAYS = 7


def export_student(*, actor: User, student: Student) -> dict:
    """Everything civbio stores about one student, as plain data (the export is logged)."""
    if (
        not rules.can_erase_student(actor)
        and not rules.visible_students(actor).filter(pk=student.pk).exists()
    ):
        raise PermissionDenied(_("You may not export this student."))
    log_access(actor=actor, action="export", target_type="student", target_id=student.pk)
    progress = UnitProgress.objects.filter(enrolment__student=student).select_related(
        "unit", "unit__module", "enrolment__edition", "enrolment__edition__module", "recorded_by"
    )
    data = {
        "student": {
            "school": student.school.name,
            "student_number": student.student_number,
            "display_name": student.display_name,
            "qualification": str(student.qualification) if student.qualification else None,
            "level": student.level,
            "route": student.route,
            "cohort": student.cohort,
            "left_on": student.left_on.isoformat() if student.left_on else None,
            "publicity_consent": student.publicity_consent,
            "created_at": student.created_at.isoformat(),
            "erased_at": student.erased_at.isoformat() if student.erased_at else None,
        },
        "enrolments": [
            {"edition": str(e.edition), "enrolled_on": e.enrolled_on.isoformat()}
            for e in student.enrolments.select_related("edition", "edition__module")
        ],
        "progress": [
            {
                "edition": str(p.enrolment.edition),
                "unit": str(p.unit),
                "status": p.status,
                "grade": str(p.grade) if p.grade is not None else None,
                "date": p.recorded_on.isoformat(),
                "recorded_by": p.recorded_by.name if p.recorded_by else None,
            }
            for p in progress
        ],
    }
    # What other apps keep (nominations, placements and their history: activities).
    for kept in records.registered():
        data.update(kept.export(student))
    data["views_and_exports"] = [
        {"by": a.actor.name if a.actor else None, "action": a.action, "at": a.at.isoformat()}
        for a in AccessLog.objects.filter(target_type="student", target_id=student.pk)
        .select_related("actor")
        .order_by("at")
    ]
    return data


def _anonymise(student: Student) -> None:
    """Replace everything identifying; keep what anonymous counts need (school, level, route,
    cohort, qualification, progress statuses, placements' dates)."""
    Student.objects.filter(pk=student.pk).update(
        student_number=f"erased-{uuid.uuid4().hex[:12]}",
        display_name=ERASED_NAME,
        publicity_consent=False,
        erased_at=timezone.now(),
    )
    # What other apps keep about the student (nominations, placements and their history).
    for kept in records.registered():
        kept.anonymise(student)
    # Uploaded files not yet imported may still list the student: such an upload is withdrawn
    # (it has to be uploaded again), so nothing of the student stays in it.
    for pending in StudentImport.objects.filter(school_id=student.school_id).exclude(rows=[]):
        if any(r.get("studentnummer") == student.student_number for r in pending.rows):
            StudentImport.objects.filter(pk=pending.pk).update(
                rows=[],
                errors=[],
                status=ImportStatus.FAILED,
                failure=_("Withdrawn: upload again."),
            )
    # The admin's change history names the object it changed.
    student_type = ContentType.objects.get_for_model(Student)
    LogEntry.objects.filter(content_type=student_type, object_id=str(student.pk)).update(
        object_repr=ERASED_NAME, change_message=""
    )
    _erase_audit_trail(student)


def _erase_audit_trail(student: Student) -> None:
    """The audit trail of the student and of everything here that names them (enrolments,
    progress; the other apps' records took theirs) goes; one entry without personal data says the
    erasure happened."""
    from auditlog.models import LogEntry as AuditEntry

    enrolments = Enrolment.objects.filter(student=student)
    for model, ids in (
        (Student, [student.pk]),
        (Enrolment, list(enrolments.values_list("pk", flat=True))),
        (
            UnitProgress,
            list(
                UnitProgress.objects.filter(enrolment__in=enrolments).values_list("pk", flat=True)
            ),
        ),
    ):
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_pk__in=[str(pk) for pk in ids],
        ).delete()
    AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Student),
        object_pk=str(student.pk),
        object_id=student.pk,
        object_repr=ERASED_NAME,
        action=AuditEntry.Action.UPDATE,
        changes={"erased": ["", "yes"]},
    )


def erase_effects(student: Student) -> list[str]:
    """Erasing a student: what goes for good and what stays, for the page that asks first."""
    enrolments = Enrolment.objects.filter(student=student).count()
    progress = UnitProgress.objects.filter(enrolment__student=student).count()
    kept = {"nominations": 0, "placements": 0}
    for records_kept in records.registered():
        kept.update(records_kept.kept(student))
    return [
        _(
            "The name and student number of %(name)s (%(school)s) are replaced for good, and "
            "every note about them is removed: motivations, messages, agreement references "
            "and the history of changes."
        )
        % {"name": student.display_name, "school": student.school.display_name},
        _(
            "What stays, without the name, for the anonymous counts: enrolments "
            "(%(enrolments)d), progress records (%(progress)d), nominations "
            "(%(nominations)d) and placements (%(placements)d)."
        )
        % {
            "enrolments": enrolments,
            "progress": progress,
            "nominations": kept["nominations"],
            "placements": kept["placements"],
        },
    ]


@transaction.atomic
def erase_student(*, actor: User, student: Student) -> None:
    """Erase a student at their request: nothing identifying stays, in any table or history;
    the anonymous counts (progress, placements) stay intact."""
    if not rules.can_erase_student(actor):
        raise PermissionDenied(_("Only the project office erases students."))
    _anonymise(student)
    log_access(actor=actor, action="erase", target_type="student", target_id=student.pk)


@transaction.atomic
def apply_retention(*, today: date | None = None, months: int | None = None) -> int:
    """Anonymise students who left school longer ago than the retention period. Returns how many."""
    today = today or timezone.localdate()
    months = settings.STUDENT_RETENTION_MONTHS if months is None else months
    cutoff = today - relativedelta(months=months)
    due = list(Student.objects.filter(left_on__lt=cutoff, erased_at__isnull=True))
    for student in due:
        _anonymise(student)
    purge_import_rows()
    return len(due)


def purge_import_rows(*, now=None) -> int:
    """An import keeps the students' rows of its file (the file itself is never stored) until it
    is done, and the problems found in them; a done import keeps only its counts. Whatever did
    not finish (checked but never confirmed, failed, or stuck queued or running) loses its rows a
    week after the upload, in every state, and so can no longer run: it fails, saying why."""
    now = now or timezone.now()
    old = StudentImport.objects.filter(
        created_at__lt=now - timedelta(days=STALE_UPLOAD_DAYS)
    ).exclude(rows=[], errors=[])
    purged = old.filter(status=ImportStatus.DONE).update(rows=[], errors=[])
    purged += old.update(
        rows=[],
        errors=[],
        status=ImportStatus.FAILED,
        failure=_(
            "Not imported within %(days)s days, so its rows were deleted: upload the file again."
        )
        % {"days": STALE_UPLOAD_DAYS},
        finished_at=now,
    )
    return purged
