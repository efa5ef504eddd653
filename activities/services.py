"""Every write in the activity flows: offering, requesting, nominating, answering, delivering.

Each service checks the rule it needs (civbio.rules), works in one transaction, records an event on
the activity's timeline and notifies the people on the other side of the flow.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import cast

from auditlog.models import LogEntry as AuditEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from activities import confirmations, signals
from activities.choices import KIND_LINE_NUMBER
from activities.models import (
    NOTICE_KINDS,
    Activity,
    ActivityEvent,
    ActivityKind,
    ActivityStatus,
    CalendarFeed,
    Event,
    GuestLesson,
    Nomination,
    NominationStatus,
    Notification,
    Placement,
    Posting,
    PracticumAssignment,
    ReminderKind,
    ReminderOptOut,
    Request,
    RequestStatus,
    ResearchOutput,
    ResearchProject,
)
from civbio import rules
from partners.models import Organisation, User
from programmes.models import ProgrammeLine
from programmes.selectors import current_project
from students.models import Student

MODEL_FOR_KIND: dict[str, type[Activity]] = {
    ActivityKind.INTERNSHIP: Posting,
    ActivityKind.GUEST_LESSON: GuestLesson,
    ActivityKind.PRACTICUM: PracticumAssignment,
    ActivityKind.COMPANY_VISIT: Event,
    ActivityKind.TRAINING: Event,
    ActivityKind.IMAGE: Event,
    ActivityKind.RESEARCH: ResearchProject,
}


# Timeline and notifications ---------------------------------------------------------------------


def record_event(
    *,
    activity: Activity,
    actor: User | None,
    verb: str,
    to_status: str = "",
    note: str = "",
    request: Request | None = None,
    nomination: Nomination | None = None,
    notify: Iterable[User | None] = (),
) -> ActivityEvent:
    """Add a line to the activity's timeline and tell `notify` about it in the app (a requester
    or nominator whose account was deleted is None, and skipped)."""
    event = ActivityEvent.objects.create(
        activity=activity,
        actor=actor,
        organisation_id=actor.organisation_id if actor else None,
        verb=verb,
        to_status=to_status,
        note=note,
        request=request,
        nomination=nomination,
    )
    recipients = {person.pk for person in notify if person and person.is_active}
    if actor:
        recipients.discard(actor.pk)
    Notification.objects.bulk_create(
        [Notification(recipient_id=pk, event=event) for pk in sorted(recipients)]
    )
    return event


def host_people(activity: Activity) -> list[User]:
    """Who hears about requests to an activity: its contact, else the host's contact persons,
    else everyone at the host."""
    if activity.contact is not None and activity.contact.is_active:
        return [activity.contact]
    people = list(User.objects.active().filter(organisation_id=activity.host_id))
    contacts = [p for p in people if p.is_contact]
    return contacts or people


@transaction.atomic
def mark_notifications_read(*, actor: User, ids: list[int] | None = None) -> int:
    """Mark the actor's notifications read: the given ones, or all."""
    notifications = Notification.objects.filter(recipient=actor).unread()
    if ids is not None:
        notifications = notifications.filter(pk__in=ids)
    return notifications.update(read_at=timezone.now())


# Activities -------------------------------------------------------------------------------------


def _line_for_kind(kind: str) -> ProgrammeLine:
    project = current_project()
    line = project.lines.filter(number=KIND_LINE_NUMBER[kind]).first() if project else None
    if line is None:
        raise ValidationError(_("The project and its programme lines are not set up yet."))
    return line


@transaction.atomic
def create_activity(
    *,
    actor: User,
    kind: str,
    fields: dict,
    qualifications=(),
    partner_organisations=(),
    teacher_researchers=(),
    required_units=(),
    host: Organisation | None = None,
    submission_token=None,
) -> Activity:
    """Create an activity of `kind` as a draft, hosted by the actor's organisation.

    Coordinators may create it on behalf of another organisation (`host`). The form's one-time
    `submission_token` makes a double-clicked submit return the first activity, not a second.
    """
    if not rules.can_host(actor, kind):
        raise PermissionDenied(_("You may not offer this kind of activity."))
    if submission_token:
        earlier = Activity.objects.filter(
            submission_token=submission_token, created_by=actor
        ).first()
        if earlier:
            return earlier
    if host is None or not rules.is_coordinator(actor):
        host = actor.organisation
    model = MODEL_FOR_KIND[kind]
    activity = model(
        kind=kind, host=host, created_by=actor, submission_token=submission_token, **fields
    )
    if not activity.programme_line_id:
        activity.programme_line = _line_for_kind(kind)
    if isinstance(activity, Posting) and host is not None and not activity.sbb_leerbedrijf_id:
        # An internship is at its host's SBB-registered workplace unless it names another.
        activity.sbb_leerbedrijf_id = host.sbb_leerbedrijf_id
    activity.full_clean()
    activity.save()
    activity.qualifications.set(qualifications)
    activity.partner_organisations.set(partner_organisations)
    activity.required_units.set(required_units)
    if isinstance(activity, ResearchProject):
        activity.teacher_researchers.set(teacher_researchers)
    record_event(activity=activity, actor=actor, verb="created", to_status=activity.status)
    return activity


@transaction.atomic
def update_activity(
    *,
    actor: User,
    activity: Activity,
    fields: dict,
    qualifications=None,
    partner_organisations=None,
    teacher_researchers=None,
    required_units=None,
    version: str | None = None,
) -> Activity:
    """Save changes to an activity. With `version` (the updated_at the editor saw), a change made
    by someone else in the meantime is refused instead of overwritten; an empty version (a form
    sent without it) is refused the same way. Code that edits on its own passes None."""
    if not rules.can_edit_activity(actor, activity):
        raise PermissionDenied(_("You may not edit this activity."))
    current = type(activity).objects.select_for_update().get(pk=activity.pk)
    if version is not None and current.updated_at.isoformat() != version:
        raise ValidationError(
            _(
                "Someone else changed this activity while you were editing it. Your changes are "
                "still in the form: check them and save again."
            )
        )
    old_phase = current.phase if isinstance(current, ResearchProject) else None
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    if isinstance(current, Posting):
        taken = current.nominations.accepted().count()
        if current.places < taken:
            raise ValidationError(
                {
                    "places": _("%(taken)s places are already filled; keep at least that many.")
                    % {"taken": taken}
                }
            )
    current.save()
    if (
        isinstance(current, Posting)
        and current.places == current.nominations.accepted().count()
        and current.status == ActivityStatus.PUBLISHED
    ):
        _fill(current, actor)
    elif isinstance(current, Posting):
        _offer_free_places(current)  # more places: the waiting list comes first
    if qualifications is not None:
        current.qualifications.set(qualifications)
    if partner_organisations is not None:
        current.partner_organisations.set(partner_organisations)
    if required_units is not None:
        current.required_units.set(required_units)
    if teacher_researchers is not None and isinstance(current, ResearchProject):
        current.teacher_researchers.set(teacher_researchers)
    record_event(activity=current, actor=actor, verb="updated")
    if isinstance(current, ResearchProject) and current.phase != old_phase:
        record_event(activity=current, actor=actor, verb="phase", note=current.get_phase_display())
    return current


@transaction.atomic
def change_activity_status(
    *, actor: User, activity: Activity, status: str, note: str = "", people_reached=None
) -> Activity:
    """Move an activity along its flow (publish, close, cancel, deliver, …).

    Closing or cancelling an offer tells the schools whose requests or nominations are still open,
    with the note; cancelling ends those requests and nominations, so it needs a reason (the note)
    whenever it ends any.
    """
    if not rules.can_edit_activity(actor, activity):
        raise PermissionDenied(_("You may not change this activity."))
    current = Activity.objects.select_for_update().get(pk=activity.pk)
    if not current.can_move_to(status):
        raise ValidationError(
            _("An activity that is “%(current)s” cannot become “%(next)s”.")
            % {
                "current": ActivityStatus(current.status).label,
                "next": ActivityStatus(status).label,
            }
        )
    open_requests = list(
        Request.objects.open().filter(activity=current).select_related("requested_by")
    )
    # Nominations waiting for an answer, and those on the waiting list: a cancelled place ends
    # both.
    pending = list(
        Nomination.objects.filter(
            posting_id=current.pk,
            status__in=[NominationStatus.NOMINATED, NominationStatus.WAITING],
        ).select_related("nominated_by")
    )
    affected: list[User | None] = []
    if status in (ActivityStatus.CANCELLED, ActivityStatus.CLOSED):
        affected = [r.requested_by for r in open_requests] + [n.nominated_by for n in pending]
    if status == ActivityStatus.CANCELLED and (open_requests or pending) and not note.strip():
        raise ValidationError(
            {"note": _("Give a reason: the schools whose requests end are told it.")}
        )
    if status == ActivityStatus.DELIVERED and current.kind in (
        ActivityKind.IMAGE,
        ActivityKind.TRAINING,
    ):
        if people_reached is None or people_reached < 0:
            raise ValidationError(_("Give the number of people reached."))
        Event.objects.filter(pk=current.pk).update(people_reached=people_reached)
        signals.send_activity_delivered(current)
    _move_status(current, status, actor=actor)
    if status == ActivityStatus.CANCELLED:
        # Nothing stays live on a cancelled offer: its requests and nominations end with it.
        Request.objects.filter(pk__in=[r.pk for r in open_requests]).update(
            status=RequestStatus.CANCELLED, updated_at=timezone.now()
        )
        Nomination.objects.filter(pk__in=[n.pk for n in pending]).update(
            status=NominationStatus.DECLINED,
            response=note or _("The place was cancelled."),
            updated_at=timezone.now(),
        )
    elif status != ActivityStatus.PUBLISHED:
        # Only a published place offers its waiting list again: closed, delivered or otherwise
        # moved on, the waiting list ends and the teachers hear it (nominations already with the
        # company stay theirs to answer).
        Nomination.objects.filter(
            pk__in=[n.pk for n in pending if n.status == NominationStatus.WAITING]
        ).update(
            status=NominationStatus.DECLINED,
            response=note or _("The place was closed: the waiting list ended."),
            updated_at=timezone.now(),
        )
        affected += [n.nominated_by for n in pending if n.status == NominationStatus.WAITING]
    affected = list({person.pk: person for person in affected if person is not None}.values())
    record_event(
        activity=current, actor=actor, verb="status", to_status=status, note=note, notify=affected
    )
    return current


def _move_status(activity: Activity, status: str, *, actor: User | None) -> None:
    """Set an activity's status with a conditional update. It passes no save signal, so the
    audit trail (who, from what to what) is written here, for every status change, the
    system's own (a place filled, freed) included."""
    Activity.objects.filter(pk=activity.pk).update(status=status, updated_at=timezone.now())
    AuditEntry.objects.log_create(
        activity,
        force_log=True,
        action=AuditEntry.Action.UPDATE,
        changes={"status": [activity.status, status]},
        actor=actor,
    )
    activity.status = status


@transaction.atomic
def reopen_activity(*, actor: User, activity: Activity, note: str = "") -> Activity:
    """Take a cancellation back while the activity's date has not passed: it returns to the
    status it had (published, planned, …; a draft if it never left draft), audited, and the
    people who were told of the cancellation hear that it is open again. The requests and
    nominations that ended with it stay ended: the schools ask again."""
    if not rules.can_edit_activity(actor, activity):
        raise PermissionDenied(_("You may not change this activity."))
    current = Activity.objects.select_for_update().get(pk=activity.pk)
    if current.status != ActivityStatus.CANCELLED:
        raise ValidationError(_("Only a cancelled activity can be reopened."))
    if current.has_passed(timezone.localdate()):
        raise ValidationError(_("Its date has passed: an activity in the past cannot be reopened."))
    cancellation = confirmations.cancellation_event(current)
    status = confirmations.status_before_cancellation(current, cancellation)
    _move_status(current, status, actor=actor)
    record_event(
        activity=current,
        actor=actor,
        verb="reopened",
        to_status=status,
        note=note,
        notify=confirmations.told_of_cancellation(cancellation),
    )
    return current


@transaction.atomic
def add_research_output(*, actor: User, project: ResearchProject, fields: dict) -> ResearchOutput:
    if not rules.can_edit_activity(actor, project):
        raise PermissionDenied(_("You may not change this research project."))
    output = ResearchOutput(project=project, **fields)
    output.full_clean()
    output.save()
    record_event(activity=project, actor=actor, verb="output", note=output.title)
    return output


# Requests (guest lessons, practicum assignments, company visits) --------------------------------


def _date_outside_offer(activity: Activity, day: date) -> str | None:
    """Why `day` cannot be asked for: in the past, or outside the period the host offers."""
    if day <= timezone.localdate():
        return _("Choose a date in the future.")
    if activity.start_date and day < activity.start_date:
        return _("The host offers this from %(date)s.") % {"date": date_format(activity.start_date)}
    if activity.end_date and day > activity.end_date:
        return _("The host offers this until %(date)s.") % {"date": date_format(activity.end_date)}
    return None


def _group_limit(activity: Activity) -> int | None:
    if isinstance(activity, GuestLesson | PracticumAssignment):
        return activity.max_group_size
    if isinstance(activity, Event) and activity.kind == ActivityKind.COMPANY_VISIT:
        return activity.capacity
    return None


@transaction.atomic
def request_activity(
    *,
    actor: User,
    activity: Activity,
    date: date,
    group_name: str,
    student_count: int,
    message: str = "",
) -> Request:
    """A teacher asks the host for a date and a group. Submitting the same request twice (a
    double click) returns the first one instead of making a second."""
    activity = MODEL_FOR_KIND[activity.kind].objects.select_for_update().get(pk=activity.pk)
    if not rules.may_request_kind(actor, activity):
        raise PermissionDenied(_("You cannot request this activity."))
    if not activity.is_open:
        raise ValidationError(_("This offer is not open for requests any more."))
    errors = {}
    date_error = _date_outside_offer(activity, date)
    if date_error:
        errors["date"] = date_error
    limit = _group_limit(activity)
    if limit is not None and student_count > limit:
        errors["student_count"] = _("At most %(limit)s students can take part.") % {"limit": limit}
    elif (
        isinstance(activity, Event)
        and activity.kind == ActivityKind.COMPANY_VISIT
        and activity.capacity
    ):
        # The visit's capacity is for the day, whichever schools come.
        booked = sum(
            Request.objects.open()
            .filter(activity=activity, date=date)
            .values_list("student_count", flat=True)
        )
        if booked + student_count > activity.capacity:
            errors["student_count"] = _(
                "On that day %(left)s of the %(capacity)s places are left."
            ) % {"left": max(activity.capacity - booked, 0), "capacity": activity.capacity}
    if errors:
        raise ValidationError(errors)
    existing = (
        Request.objects.open()
        .filter(
            activity=activity,
            school_id=actor.organisation_id,
            date=date,
            group_name__iexact=group_name.strip(),
        )
        .first()
    )
    if existing:
        return existing
    request = Request.objects.create(
        activity=activity,
        # may_request_kind: only someone who acts for a school (their organisation) gets here.
        school_id=cast(int, actor.organisation_id),
        requested_by=actor,
        date=date,
        group_name=group_name.strip(),
        student_count=student_count,
        message=message,
    )
    record_event(
        activity=activity,
        actor=actor,
        verb="requested",
        to_status=request.status,
        request=request,
        note=message,
        notify=host_people(activity),
    )
    return request


def _locked_request(request: Request) -> Request:
    return (
        Request.objects.select_for_update(of=("self",))
        .select_related("activity", "requested_by")
        .get(pk=request.pk)
    )


@transaction.atomic
def answer_request(
    *,
    actor: User,
    request: Request,
    decision: str,
    message: str = "",
    proposed_date: date | None = None,
) -> Request:
    """The host accepts (the lesson is scheduled), declines, or proposes another date."""
    current = _locked_request(request)
    if not rules.can_answer_request(actor, current):
        raise PermissionDenied(_("You may not answer this request."))
    if current.status != RequestStatus.REQUESTED:
        raise ValidationError(_("This request has already been answered."))
    if current.activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("The offer was cancelled."))
    if decision == "accept":
        current.status = RequestStatus.SCHEDULED
    elif decision == "decline":
        current.status = RequestStatus.DECLINED
    elif decision == "propose":
        if proposed_date is None:
            raise ValidationError({"proposed_date": _("Propose a date in the future.")})
        date_error = _date_outside_offer(current.activity, proposed_date)
        if date_error:
            raise ValidationError({"proposed_date": date_error})
        current.status = RequestStatus.PROPOSED
        current.proposed_date = proposed_date
    else:
        raise ValidationError(_("Unknown answer."))
    current.host_message = message
    current.save()
    record_event(
        activity=current.activity,
        actor=actor,
        verb=f"request_{decision}",
        to_status=current.status,
        request=current,
        note=message,
        notify=[current.requested_by],
    )
    return current


@transaction.atomic
def respond_to_proposal(*, actor: User, request: Request, accept: bool) -> Request:
    """The school takes the host's proposed date (scheduled) or lets the request go (cancelled)."""
    current = _locked_request(request)
    if not rules.can_act_for_school(actor, current):
        raise PermissionDenied(_("You may not answer for this school."))
    if current.status != RequestStatus.PROPOSED:
        raise ValidationError(_("There is no proposed date to answer."))
    if accept:
        # answer_request sets the proposed date with the status.
        current.date = cast(date, current.proposed_date)
        current.status = RequestStatus.SCHEDULED
    else:
        current.status = RequestStatus.CANCELLED
    current.save()
    record_event(
        activity=current.activity,
        actor=actor,
        verb="proposal_accepted" if accept else "proposal_rejected",
        to_status=current.status,
        request=current,
        notify=host_people(current.activity),
    )
    return current


@transaction.atomic
def cancel_request(*, actor: User, request: Request, reason: str) -> Request:
    """Either side calls off an open request, with a reason; the other side is told it."""
    current = _locked_request(request)
    school_side = rules.can_act_for_school(actor, current)
    if not rules.can_cancel_request(actor, current):
        raise PermissionDenied(_("You may not cancel this request."))
    if not current.is_open:
        raise ValidationError(_("Only an open request can be cancelled."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason: the other side is told it.")})
    current.status = RequestStatus.CANCELLED
    current.save()
    other_side = host_people(current.activity) if school_side else [current.requested_by]
    record_event(
        activity=current.activity,
        actor=actor,
        verb="request_cancelled",
        to_status=current.status,
        request=current,
        note=reason,
        notify=other_side,
    )
    return current


@transaction.atomic
def report_delivery(
    *,
    actor: User,
    request: Request,
    students_reached: int | None = None,
    feedback: str = "",
    results: str = "",
) -> Request:
    """Mark a scheduled request delivered, or add the other side's feedback afterwards.

    The school reports the students reached; each side leaves its own short feedback.
    """
    current = _locked_request(request)
    school_side = rules.can_act_for_school(actor, current)
    host_side = rules.can_answer_request(actor, current)
    if not (school_side or host_side):
        raise PermissionDenied(_("You may not report on this request."))
    newly_delivered = current.status == RequestStatus.SCHEDULED
    if current.status == RequestStatus.SCHEDULED:
        if current.date > timezone.localdate():
            raise ValidationError(
                _("It can be marked delivered on or after %(date)s.")
                % {"date": date_format(current.date)}
            )
        current.status = RequestStatus.DELIVERED
    elif current.status != RequestStatus.DELIVERED:
        raise ValidationError(_("Only a scheduled activity can be marked delivered."))
    if students_reached is not None and school_side:
        # The school counts its own students; the host's word is its feedback.
        if not 0 <= students_reached <= current.student_count:
            raise ValidationError(
                {
                    "students_reached": _("Between 0 and the %(count)s students of the group.")
                    % {"count": current.student_count}
                }
            )
        current.students_reached = students_reached
    elif current.students_reached is None:
        current.students_reached = current.student_count
    if school_side and feedback:
        current.teacher_feedback = feedback
    elif host_side and feedback:
        current.host_feedback = feedback
    if results:
        current.results = results
    current.save()
    if newly_delivered:
        # The activity counts itself: the host is offered its hours as a contribution.
        signals.send_activity_delivered(current.activity, request=current)
    record_event(
        activity=current.activity,
        actor=actor,
        verb="delivered",
        to_status=current.status,
        request=current,
        note=feedback,
        notify=[current.requested_by, *host_people(current.activity)],
    )
    return current


# Nominations and placements ---------------------------------------------------------------------


@transaction.atomic
def nominate_student(
    *, actor: User, posting: Posting, student: Student, motivation: str = ""
) -> Nomination:
    """A teacher puts forward a student of their own school for an open place."""
    posting = Posting.objects.select_for_update().get(pk=posting.pk)
    if not rules.may_nominate_to(actor, posting):
        raise PermissionDenied(_("You cannot nominate students."))
    if not rules.visible_students(actor).filter(pk=student.pk).exists():
        raise PermissionDenied(_("You can only nominate students of your own school."))
    errors = []
    if not posting.is_open:
        errors.append(_("This place is not open for nominations any more."))
    if not student.is_active:
        errors.append(_("%(name)s has left school.") % {"name": student.display_name})
        raise ValidationError(errors)
    if student.route != posting.route:
        errors.append(
            _("%(name)s follows %(route)s; this place is for %(place_route)s.")
            % {
                "name": student.display_name,
                "route": student.get_route_display(),
                "place_route": posting.get_route_display(),
            }
        )
    if posting.application_deadline and posting.application_deadline < timezone.localdate():
        errors.append(_("The application deadline has passed."))
    if posting.nominations.accepted().count() >= posting.places:
        errors.append(_("All places are filled."))
    if errors:
        raise ValidationError(errors)
    existing = posting.nominations.live().filter(student=student).first()
    if existing:
        return existing
    # While others wait for a place, a newcomer queues behind them: first come, first served.
    queued = posting.nominations.filter(status=NominationStatus.WAITING).exists()
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(
                posting=posting,
                student=student,
                nominated_by=actor,
                motivation=motivation,
                status=NominationStatus.WAITING if queued else NominationStatus.NOMINATED,
            )
    except IntegrityError:
        return posting.nominations.live().get(student=student)
    record_event(
        activity=posting,
        actor=actor,
        verb="nominated",
        to_status=nomination.status,
        nomination=nomination,
        notify=host_people(posting),
    )
    return nomination


class PlacesFull(ValidationError):
    pass


@transaction.atomic
def answer_nomination(
    *,
    actor: User,
    nomination: Nomination,
    accept: bool,
    message: str = "",
    start_date: date | None = None,
    end_date: date | None = None,
) -> Nomination:
    """The company accepts (a placement starts) or declines, with a message.

    The place is locked while counting, so parallel acceptances never fill more places than
    there are; the last place filled marks the posting filled.
    """
    posting = Posting.objects.select_for_update().get(pk=nomination.posting_id)
    current = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("nominated_by")
        .get(pk=nomination.pk)
    )
    current.posting = posting
    if not rules.can_answer_nomination(actor, current):
        raise PermissionDenied(_("You may not answer this nomination."))
    if current.status != NominationStatus.NOMINATED:
        raise ValidationError(_("This nomination has already been answered."))
    if posting.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("The place was cancelled."))
    current.response = message
    if accept:
        taken = posting.nominations.accepted().count()
        if taken >= posting.places:
            raise PlacesFull(
                _("All %(places)s places are already filled.") % {"places": posting.places}
            )
        start = start_date or posting.start_date or timezone.localdate()
        end = (
            end_date
            or posting.end_date
            or (start + timedelta(days=30 * (posting.duration_months or 1)))
        )
        if end < start:
            raise ValidationError({"end_date": _("The end date lies before the start date.")})
        current.status = NominationStatus.ACCEPTED
        current.save()
        Placement.objects.create(nomination=current, start_date=start, end_date=end)
        record_event(
            activity=posting,
            actor=actor,
            verb="nomination_accepted",
            to_status=current.status,
            nomination=current,
            note=message,
            notify=[current.nominated_by],
        )
        if taken + 1 >= posting.places and posting.status == ActivityStatus.PUBLISHED:
            _fill(posting, actor)
    else:
        current.status = NominationStatus.DECLINED
        current.save()
        record_event(
            activity=posting,
            actor=actor,
            verb="nomination_declined",
            to_status=current.status,
            nomination=current,
            note=message,
            notify=[current.nominated_by],
        )
        _offer_free_places(posting)
    return current


def _fill(posting: Posting, actor: User) -> None:
    """The last place is taken: the posting is filled, and the nominations still waiting for an
    answer go on the waiting list. That is civbio's doing, not the company's: each teacher hears
    it from civbio, and nothing is written in the company's name."""
    _move_status(posting, ActivityStatus.FILLED, actor=actor)
    pending = list(
        posting.nominations.filter(status=NominationStatus.NOMINATED).select_related("nominated_by")
    )
    Nomination.objects.filter(pk__in=[n.pk for n in pending]).update(
        status=NominationStatus.WAITING, updated_at=timezone.now()
    )
    record_event(activity=posting, actor=actor, verb="status", to_status=ActivityStatus.FILLED)
    for nomination in pending:
        record_event(
            activity=posting,
            actor=None,
            verb="nomination_waiting",
            nomination=nomination,
            notify=[nomination.nominated_by],
        )


def _offer_free_places(posting: Posting) -> list[Nomination]:
    """A place came free (a placement withdrawn, a nomination declined or withdrawn, more places):
    a filled posting opens again, and the waiting list's nominations go back to the company,
    first come first served, as many as there are free places not already awaiting an answer.

    The caller holds the posting's row lock, so two places freed at once never offer the same
    nomination twice or more nominations than places."""
    if posting.status not in (ActivityStatus.PUBLISHED, ActivityStatus.FILLED):
        return []
    free = posting.places - posting.nominations.accepted().count()
    if free <= 0:
        return []
    if posting.status == ActivityStatus.FILLED:
        _move_status(posting, ActivityStatus.PUBLISHED, actor=None)
        # On the timeline like every status change: a later reopening after a cancellation
        # returns to this status, not to "filled".
        record_event(
            activity=posting, actor=None, verb="status", to_status=ActivityStatus.PUBLISHED
        )
    room = free - posting.nominations.filter(status=NominationStatus.NOMINATED).count()
    if room <= 0:
        return []
    offered = list(
        posting.nominations.select_for_update(of=("self",))
        .filter(status=NominationStatus.WAITING)
        .select_related("nominated_by")
        .order_by("created_at", "pk")[:room]
    )
    Nomination.objects.filter(pk__in=[n.pk for n in offered]).update(
        status=NominationStatus.NOMINATED, updated_at=timezone.now()
    )
    hosts = host_people(posting)
    for nomination in offered:
        nomination.status = NominationStatus.NOMINATED
        record_event(
            activity=posting,
            actor=None,
            verb="nomination_offered",
            nomination=nomination,
            notify=[nomination.nominated_by, *hosts],
        )
    return offered


@transaction.atomic
def withdraw_nomination(*, actor: User, nomination: Nomination, reason: str) -> Nomination:
    """The school takes back a nomination, with a reason the company is told: one not yet
    answered, one on the waiting list, or an accepted one whose placement has not started. A
    place that comes free goes to the next nomination on the waiting list."""
    # The posting is locked before the nomination, in the order answer_nomination locks them.
    posting = Posting.objects.select_for_update().get(
        pk=Nomination.objects.values_list("posting_id", flat=True).get(pk=nomination.pk)
    )
    current = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("student")
        .get(pk=nomination.pk)
    )
    current.posting = posting
    if not rules.can_withdraw_nomination(actor, current):
        raise PermissionDenied(_("You may not withdraw this nomination."))
    was = current.status
    if was == NominationStatus.ACCEPTED:
        placement = Placement.objects.filter(nomination=current).first()
        if placement and placement.start_date <= timezone.localdate():
            raise ValidationError(_("The placement has started; it can no longer be withdrawn."))
    elif was not in (NominationStatus.NOMINATED, NominationStatus.WAITING):
        raise ValidationError(
            _(
                "This nomination can no longer be withdrawn: it was declined, or its "
                "placement has started."
            )
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason: the company is told it.")})
    if was == NominationStatus.ACCEPTED:
        Placement.objects.filter(nomination=current).delete()
    current.status = NominationStatus.WITHDRAWN
    current.save()
    record_event(
        activity=posting,
        actor=actor,
        verb="placement_withdrawn" if was == NominationStatus.ACCEPTED else "nomination_withdrawn",
        to_status=current.status,
        nomination=current,
        note=reason,
        notify=host_people(posting),
    )
    if was != NominationStatus.WAITING:
        _offer_free_places(posting)
    return current


@transaction.atomic
def record_placement_agreement(
    *, actor: User, placement: Placement, pok_reference: str
) -> Placement:
    """The school notes the reference of the three-party agreement (POK) from its own systems."""
    nomination = placement.nomination
    if not rules.can_withdraw_nomination(actor, nomination):
        raise PermissionDenied(_("Only the student's school records the agreement."))
    Placement.objects.filter(pk=placement.pk).update(pok_reference=pok_reference.strip())
    placement.pok_reference = pok_reference.strip()
    record_event(
        activity=nomination.posting,
        actor=actor,
        verb="agreement",
        nomination=nomination,
        note=placement.pok_reference,
    )
    return placement


# Calendar ---------------------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_for(*, actor: User, regenerate: bool = False) -> CalendarFeed:
    """The person's secret calendar address; regenerating makes the old address stop working."""
    feed, created = CalendarFeed.objects.get_or_create(user=actor)
    if regenerate and not created:
        feed.token = CalendarFeed._meta.get_field("token").default()
        feed.save()
    return feed


# Reminders --------------------------------------------------------------------------------------


@transaction.atomic
def set_reminder_kinds(*, actor: User, enabled: set[str]) -> None:
    """Switch each kind of reminder on (when in `enabled`) or off for the actor."""
    off = {kind for kind in ReminderKind.values if kind not in enabled and kind not in NOTICE_KINDS}
    ReminderOptOut.objects.filter(user=actor).exclude(kind__in=off).delete()
    ReminderOptOut.objects.bulk_create(
        [ReminderOptOut(user=actor, kind=kind) for kind in off], ignore_conflicts=True
    )
