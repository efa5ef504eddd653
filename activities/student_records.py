"""What activities keep about a student: their nominations and placements, with their history, and
the guest lessons and visits their class had. Registered with `students.records` in apps.py, so
the student's page, the export of everything stored and erasure reach them (students cannot
import activities)."""

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import ActivityEvent, Nomination, Placement, Request
from students.models import Enrolment, Student
from students.privacy import ERASED_NAME
from students.records import StudentRecords


def page(student: Student, enrolments: list[Enrolment]) -> tuple[dict, list[dict]]:
    """The student's nominations and placements, and the lessons of their class from the day
    they joined it, with the timeline's entries for them. Three queries."""
    nominations = list(
        Nomination.objects.filter(student=student).select_related(
            "posting", "posting__host", "placement"
        )
    )
    placements = list(
        Placement.objects.filter(nomination__student=student).select_related(
            "nomination__posting__host"
        )
    )
    # The class's lessons from the day the student joined that class, not the ones before.
    with_the_class = Q(pk__in=[])
    for enrolment in enrolments:
        with_the_class |= Q(group_name=enrolment.edition.name, date__gte=enrolment.enrolled_on)
    lessons = list(
        Request.objects.filter(with_the_class, school_id=student.school_id, status="delivered")
        .select_related("activity", "activity__host")
        .order_by("-date")[:20]
    )
    entries = []
    for nomination in nominations:
        entries.append(
            {
                "date": timezone.localdate(nomination.created_at),
                "text": _("Nominated for %(place)s (%(status)s)")
                % {"place": nomination.posting.title, "status": nomination.get_status_display()},
                "own": True,
            }
        )
    for placement in placements:
        entries.append(
            {
                "date": placement.start_date,
                "text": _("Placement at %(company)s starts")
                % {"company": placement.nomination.posting.host.name},
                "own": True,
            }
        )
    for lesson in lessons:
        entries.append(
            {
                "date": lesson.date,
                "text": f"{lesson.activity.title} — {lesson.activity.host.display_name}",
            }
        )
    context = {"nominations": nominations, "placements": placements, "lessons": lessons}
    return context, entries


def export(student: Student) -> dict:
    """The student's nominations (with their placement) and what happened to them."""
    nominations = list(
        Nomination.objects.filter(student=student).select_related(
            "posting", "posting__host", "placement", "nominated_by"
        )
    )
    history = ActivityEvent.objects.filter(nomination__in=nominations).select_related("actor")
    return {
        "nominations": [
            {
                "place": n.posting.title,
                "company": n.posting.host.name,
                "status": n.status,
                "nominated_by": n.nominated_by.name if n.nominated_by else None,
                "nominated_at": n.created_at.isoformat(),
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
        "nomination_history": [
            {
                "at": e.at.isoformat(),
                "by": e.actor.name if e.actor else None,
                "what": e.verb,
                "status": e.to_status,
                "note": e.note,
            }
            for e in history
        ],
    }


def anonymise(student: Student) -> None:
    """The notes about the student go (motivations, messages, agreement references, the notes on
    their nominations' timeline), and the admin's and the audit trail's history of their
    nominations and placements; the nominations and placements stay, for anonymous counts."""
    from auditlog.models import LogEntry as AuditEntry

    nominations = Nomination.objects.filter(student=student)
    nominations.update(motivation="", response="")
    Placement.objects.filter(nomination__in=nominations).update(pok_reference="")
    ActivityEvent.objects.filter(nomination__in=nominations).update(note="")
    nomination_ids = list(nominations.values_list("pk", flat=True))
    placement_ids = list(
        Placement.objects.filter(nomination__in=nominations).values_list("pk", flat=True)
    )
    for model, ids in ((Nomination, nomination_ids), (Placement, placement_ids)):
        content_type = ContentType.objects.get_for_model(model)
        # The admin's change history names the object it changed.
        LogEntry.objects.filter(
            content_type=content_type, object_id__in=[str(pk) for pk in ids]
        ).update(object_repr=ERASED_NAME, change_message="")
        AuditEntry.objects.filter(
            content_type=content_type, object_pk__in=[str(pk) for pk in ids]
        ).delete()


def kept(student: Student) -> dict[str, int]:
    """What stays of the student here after erasure, counted."""
    return {
        "nominations": Nomination.objects.filter(student=student).count(),
        "placements": Placement.objects.filter(nomination__student=student).count(),
    }


RECORDS = StudentRecords(page=page, export=export, anonymise=anonymise, kept=kept)
