"""The lines of an activity's timeline: one function per thing that happens, with the actor.

Each writes one `ActivityEvent` (its verb an `EventVerb`) and tells the people on the other side in
the app. Who those people are is the calling service's business (`notify`): a requester or
nominator whose account was deleted is None there, and skipped; the actor is never told of their
own act. The services call these inside their transaction.
"""

from collections.abc import Iterable

from activities.models import (
    Activity,
    ActivityEvent,
    EventVerb,
    Nomination,
    NominationStatus,
    Notification,
    Placement,
    Request,
    ResearchOutput,
    ResearchProject,
)
from partners.models import User

People = Iterable[User | None]

# How a host answers a request: the decision the form sends, and the line it writes.
REQUEST_ANSWERS = {
    "accept": EventVerb.REQUEST_ACCEPT,
    "decline": EventVerb.REQUEST_DECLINE,
    "propose": EventVerb.REQUEST_PROPOSE,
}


def _record(
    *,
    activity_id: int,
    actor: User | None,
    verb: EventVerb,
    to_status: str = "",
    note: str = "",
    request: Request | None = None,
    nomination: Nomination | None = None,
    notify: People = (),
) -> ActivityEvent:
    event = ActivityEvent.objects.create(
        activity_id=activity_id,
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


# The activity itself ----------------------------------------------------------------------------


def activity_created(*, activity: Activity, actor: User) -> ActivityEvent:
    return _record(
        activity_id=activity.pk, actor=actor, verb=EventVerb.CREATED, to_status=activity.status
    )


def details_changed(*, activity: Activity, actor: User) -> ActivityEvent:
    return _record(activity_id=activity.pk, actor=actor, verb=EventVerb.UPDATED)


def phase_changed(*, project: ResearchProject, actor: User) -> ActivityEvent:
    return _record(
        activity_id=project.pk, actor=actor, verb=EventVerb.PHASE, note=project.get_phase_display()
    )


def status_changed(
    *,
    activity: Activity,
    actor: User | None,
    status: str,
    note: str = "",
    notify: People = (),
) -> ActivityEvent:
    """Moved to `status` by `actor`, or by civbio itself (None: a place filled or freed)."""
    return _record(
        activity_id=activity.pk,
        actor=actor,
        verb=EventVerb.STATUS,
        to_status=status,
        note=note,
        notify=notify,
    )


def activity_reopened(
    *, activity: Activity, actor: User, status: str, note: str, notify: People
) -> ActivityEvent:
    return _record(
        activity_id=activity.pk,
        actor=actor,
        verb=EventVerb.REOPENED,
        to_status=status,
        note=note,
        notify=notify,
    )


def output_added(*, project: ResearchProject, actor: User, output: ResearchOutput) -> ActivityEvent:
    return _record(activity_id=project.pk, actor=actor, verb=EventVerb.OUTPUT, note=output.title)


# Requests ---------------------------------------------------------------------------------------


def _on_request(
    request: Request, *, actor: User, verb: EventVerb, note: str = "", notify: People
) -> ActivityEvent:
    return _record(
        activity_id=request.activity_id,
        actor=actor,
        verb=verb,
        to_status=request.status,
        request=request,
        note=note,
        notify=notify,
    )


def request_sent(*, request: Request, actor: User, message: str, notify: People) -> ActivityEvent:
    return _on_request(request, actor=actor, verb=EventVerb.REQUESTED, note=message, notify=notify)


def request_answered(
    *, request: Request, actor: User, decision: str, message: str, notify: People
) -> ActivityEvent:
    """The host accepted, declined, or proposed another date (`decision`: a REQUEST_ANSWERS key)."""
    return _on_request(
        request, actor=actor, verb=REQUEST_ANSWERS[decision], note=message, notify=notify
    )


def proposal_answered(
    *, request: Request, actor: User, accepted: bool, notify: People
) -> ActivityEvent:
    verb = EventVerb.PROPOSAL_ACCEPTED if accepted else EventVerb.PROPOSAL_REJECTED
    return _on_request(request, actor=actor, verb=verb, notify=notify)


def request_cancelled(
    *, request: Request, actor: User, reason: str, notify: People
) -> ActivityEvent:
    return _on_request(
        request, actor=actor, verb=EventVerb.REQUEST_CANCELLED, note=reason, notify=notify
    )


def request_delivered(
    *, request: Request, actor: User, feedback: str, notify: People
) -> ActivityEvent:
    return _on_request(request, actor=actor, verb=EventVerb.DELIVERED, note=feedback, notify=notify)


# Nominations and placements ---------------------------------------------------------------------


def _on_nomination(
    nomination: Nomination,
    *,
    actor: User | None,
    verb: EventVerb,
    to_status: str = "",
    note: str = "",
    notify: People = (),
) -> ActivityEvent:
    return _record(
        activity_id=nomination.posting_id,
        actor=actor,
        verb=verb,
        to_status=to_status,
        nomination=nomination,
        note=note,
        notify=notify,
    )


def student_nominated(*, nomination: Nomination, actor: User, notify: People) -> ActivityEvent:
    return _on_nomination(
        nomination,
        actor=actor,
        verb=EventVerb.NOMINATED,
        to_status=nomination.status,
        notify=notify,
    )


def nomination_answered(
    *, nomination: Nomination, actor: User, accepted: bool, message: str, notify: People
) -> ActivityEvent:
    return _on_nomination(
        nomination,
        actor=actor,
        verb=EventVerb.NOMINATION_ACCEPTED if accepted else EventVerb.NOMINATION_DECLINED,
        to_status=nomination.status,
        note=message,
        notify=notify,
    )


def nomination_waiting(*, nomination: Nomination, notify: People) -> ActivityEvent:
    """civbio put it on the waiting list: every place was taken when it was accepted."""
    return _on_nomination(nomination, actor=None, verb=EventVerb.NOMINATION_WAITING, notify=notify)


def nomination_offered(*, nomination: Nomination, notify: People) -> ActivityEvent:
    """civbio offered it again from the waiting list: a place came free."""
    return _on_nomination(nomination, actor=None, verb=EventVerb.NOMINATION_OFFERED, notify=notify)


def nomination_withdrawn(
    *, nomination: Nomination, actor: User, was: str, reason: str, notify: People
) -> ActivityEvent:
    """Withdrawn by the school; `was` its status before, so a student taken off an accepted place
    reads as such."""
    placed = was == NominationStatus.ACCEPTED
    return _on_nomination(
        nomination,
        actor=actor,
        verb=EventVerb.PLACEMENT_WITHDRAWN if placed else EventVerb.NOMINATION_WITHDRAWN,
        to_status=nomination.status,
        note=reason,
        notify=notify,
    )


def agreement_recorded(*, placement: Placement, actor: User) -> ActivityEvent:
    return _on_nomination(
        placement.nomination,
        actor=actor,
        verb=EventVerb.AGREEMENT,
        note=placement.pok_reference,
    )
