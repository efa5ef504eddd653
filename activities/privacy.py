"""Students' data rights: everything stored about a student as an export, erasure that leaves only
anonymous counts, and the retention rule that anonymises students some time after they left."""

import uuid
from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import (
    ActivityEvent,
    Nomination,
    Placement,
    Student,
    StudentImport,
    UnitProgress,
)
from civbio import rules
from partners.models import AccessLog, User
from partners.services import log_access

ERASED_NAME = "—"


def export_student(*, actor: User, student: Student) -> dict:
    """Everything civbio stores about one student, as plain data (the export is logged)."""
    if (
        not rules.can_erase_student(actor)
        and not rules.visible_students(actor).filter(pk=student.pk).exists()
    ):
        raise PermissionDenied(_("You may not export this student."))
    log_access(actor=actor, action="export", target_type="student", target_id=student.pk)
    progress = UnitProgress.objects.filter(enrolment__student=student).select_related(
        "unit", "unit__module", "enrolment__edition"
    )
    nominations = Nomination.objects.filter(student=student).select_related(
        "posting", "posting__host", "placement"
    )
    return {
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
            }
            for p in progress
        ],
        "nominations": [
            {
                "place": n.posting.title,
                "company": n.posting.host.name,
                "status": n.status,
                "motivation": n.motivation,
                "response": n.response,
                "placement": (
                    {
                        "start": n.placement.start_date.isoformat(),
                        "end": n.placement.end_date.isoformat(),
                        "pok_reference": n.placement.pok_reference,
                    }
                    if hasattr(n, "placement")
                    else None
                ),
            }
            for n in nominations
        ],
        "views_and_exports": [
            {"by": a.actor.name if a.actor else None, "action": a.action, "at": a.at.isoformat()}
            for a in AccessLog.objects.filter(target_type="student", target_id=student.pk)
            .select_related("actor")
            .order_by("at")
        ],
    }


def _anonymise(student: Student) -> None:
    """Replace everything identifying; keep what anonymous counts need (school, level, route,
    cohort, qualification, progress statuses, placements' dates)."""
    Student.objects.filter(pk=student.pk).update(
        student_number=f"erased-{uuid.uuid4().hex[:12]}",
        display_name=ERASED_NAME,
        publicity_consent=False,
        erased_at=timezone.now(),
    )
    nominations = Nomination.objects.filter(student=student)
    nominations.update(motivation="", response="")
    Placement.objects.filter(nomination__in=nominations).update(pok_reference="")
    ActivityEvent.objects.filter(nomination__in=nominations).update(note="")
    # Uploaded files not yet imported may still list the student.
    for pending in StudentImport.objects.filter(school_id=student.school_id).exclude(rows=[]):
        kept = [r for r in pending.rows if r.get("studentnummer") != student.student_number]
        if len(kept) != len(pending.rows):
            StudentImport.objects.filter(pk=pending.pk).update(rows=kept, errors=[])


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
    return len(due)
