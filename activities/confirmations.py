"""What a far-reaching action will do, counted from the data, for the page that asks first.

Each function reads what the action would touch and returns the sentences its confirmation page
shows ("3 requests from 2 schools end; the schools are told"), and whether other people are
affected (then the action needs a reason, which they are sent). The services do the writes.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activities.models import (
    STATUS_FLOW,
    Activity,
    ActivityEvent,
    ActivityStatus,
    Nomination,
    NominationStatus,
    Notification,
    Request,
    RequestStatus,
)
from partners.models import User


@dataclass
class Effects:
    """The consequences of one action: sentences for the page, and who is told."""

    lines: list[str] = field(default_factory=list)
    # Another party loses something (a request, a nomination): a reason is required, and sent.
    needs_reason: bool = False


def _by_school(names: list[str]) -> str:
    counts = Counter(names)
    return ", ".join(f"{name} ({n})" for name, n in sorted(counts.items()))


def _schools(n: int) -> str:
    return ngettext("%(n)d school", "%(n)d schools", n) % {"n": n}


def status_change(activity: Activity, status: str) -> Effects:
    """Cancelling or closing an offer: which requests and nominations end or stay, whose."""
    requests = list(
        Request.objects.open()
        .filter(activity=activity)
        .select_related("school")
        .order_by("date", "pk")
    )
    nominations = list(
        Nomination.objects.filter(
            posting_id=activity.pk,
            status__in=[NominationStatus.NOMINATED, NominationStatus.WAITING],
        ).select_related("student__school")
    )
    effects = Effects()
    request_schools = {r.school_id for r in requests}
    nomination_schools = {n.student.school_id for n in nominations}
    scheduled = [r for r in requests if r.status == RequestStatus.SCHEDULED]
    if status == ActivityStatus.CANCELLED:
        effects.lines.append(
            _(
                "“%(title)s” is cancelled: it leaves the board and takes no new requests or "
                "nominations."
            )
            % {"title": activity.title}
        )
        if requests:
            effects.lines.append(
                ngettext(
                    "%(n)d open request, from %(schools)s, ends: %(names)s.",
                    "%(n)d open requests, from %(schools)s, end: %(names)s.",
                    len(requests),
                )
                % {
                    "n": len(requests),
                    "schools": _schools(len(request_schools)),
                    "names": _by_school([r.school.display_name for r in requests]),
                }
            )
        if scheduled:
            effects.lines.append(
                ngettext(
                    "%(n)d of them is already scheduled: %(dates)s.",
                    "%(n)d of them are already scheduled: %(dates)s.",
                    len(scheduled),
                )
                % {
                    "n": len(scheduled),
                    "dates": ", ".join(date_format(r.date, "SHORT_DATE_FORMAT") for r in scheduled),
                }
            )
        if nominations:
            effects.lines.append(
                ngettext(
                    "%(n)d nomination waiting for an answer, from %(schools)s, is declined: "
                    "%(names)s.",
                    "%(n)d nominations waiting for an answer, from %(schools)s, are declined: "
                    "%(names)s.",
                    len(nominations),
                )
                % {
                    "n": len(nominations),
                    "schools": _schools(len(nomination_schools)),
                    "names": _by_school([n.student.school.display_name for n in nominations]),
                }
            )
    else:
        effects.lines.append(
            _(
                "“%(title)s” is closed: it leaves the board and takes no new requests or "
                "nominations."
            )
            % {"title": activity.title}
        )
        waiting = len(requests) + len(nominations)
        if waiting:
            effects.lines.append(
                ngettext(
                    "%(n)d open request or nomination stays as it is: you can still answer it.",
                    "%(n)d open requests and nominations stay as they are: you can still answer "
                    "them.",
                    waiting,
                )
                % {"n": waiting}
            )
    effects.needs_reason = status == ActivityStatus.CANCELLED and bool(requests or nominations)
    schools = len(request_schools | nomination_schools)
    if schools:
        effects.lines.append(
            ngettext(
                "The school is told, with your reason.",
                "The %(n)d schools are told, with your reason.",
                schools,
            )
            % {"n": schools}
            if effects.needs_reason
            else ngettext(
                "The school is told, with your message.",
                "The %(n)d schools are told, with your message.",
                schools,
            )
            % {"n": schools}
        )
    else:
        effects.lines.append(_("No school has an open request or nomination: nobody is told."))
    return effects


def cancellation_event(activity: Activity) -> ActivityEvent | None:
    """The timeline line of the activity's latest cancellation."""
    return (
        ActivityEvent.objects.filter(
            activity=activity, verb="status", to_status=ActivityStatus.CANCELLED
        )
        .order_by("-at", "-pk")
        .first()
    )


def status_before_cancellation(activity: Activity, cancellation: ActivityEvent | None) -> str:
    """The status the activity had when it was cancelled: the last status it was moved to before
    the cancellation, or draft if it never left draft (a status from which it may be cancelled)."""
    earlier = ActivityEvent.objects.filter(activity=activity, verb__in=["status", "reopened"])
    if cancellation is not None:
        earlier = earlier.filter(pk__lt=cancellation.pk)
    previous = earlier.exclude(to_status=ActivityStatus.CANCELLED).order_by("-pk").first()
    flow = STATUS_FLOW.get(activity.kind, {})
    status = previous.to_status if previous else ActivityStatus.DRAFT
    if ActivityStatus.CANCELLED not in flow.get(status, set()):
        return ActivityStatus.DRAFT
    return status


def told_of_cancellation(cancellation: ActivityEvent | None) -> list[User]:
    """The people the cancellation was sent to."""
    if cancellation is None:
        return []
    return list(
        User.objects.active().filter(
            pk__in=Notification.objects.filter(event=cancellation).values("recipient_id")
        )
    )


def reopen(activity: Activity) -> Effects:
    """Reopening a cancelled activity: what it becomes, and who hears of it."""
    cancellation = cancellation_event(activity)
    status = status_before_cancellation(activity, cancellation)
    told = told_of_cancellation(cancellation)
    effects = Effects()
    effects.lines.append(
        _("“%(title)s” becomes “%(status)s” again, as it was before it was cancelled.")
        % {"title": activity.title, "status": ActivityStatus(status).label}
    )
    effects.lines.append(
        _(
            "Requests and nominations that ended with the cancellation stay ended: schools can "
            "ask again."
        )
    )
    if told:
        effects.lines.append(
            ngettext(
                "The person who was told of the cancellation hears that it is open again.",
                "The %(n)d people who were told of the cancellation hear that it is open again.",
                len(told),
            )
            % {"n": len(told)}
        )
    return effects


def request_cancel(request: Request, *, school_side: bool) -> Effects:
    """Calling off one request: whose, and who is told."""
    other = request.activity.host.display_name if school_side else request.school.display_name
    return Effects(
        lines=[
            ngettext(
                "The request of %(school)s for “%(title)s” on %(date)s (%(group)s, %(n)d "
                "student) is cancelled.",
                "The request of %(school)s for “%(title)s” on %(date)s (%(group)s, %(n)d "
                "students) is cancelled.",
                request.student_count,
            )
            % {
                "school": request.school.display_name,
                "title": request.activity.title,
                "date": date_format(request.date, "DATE_FORMAT"),
                "group": request.group_name,
                "n": request.student_count,
            },
            _("%(other)s is told, with your reason.") % {"other": other},
        ],
        needs_reason=True,
    )


def nomination_withdraw(nomination: Nomination) -> Effects:
    """Withdrawing one nomination: whose, and who is told."""
    return Effects(
        lines=[
            _("The nomination of %(student)s for “%(title)s” at %(company)s is withdrawn.")
            % {
                "student": nomination.student.display_name,
                "title": nomination.posting.title,
                "company": nomination.posting.host.display_name,
            },
            _("%(company)s is told, with your reason. You can nominate the student again later.")
            % {"company": nomination.posting.host.display_name},
            *_freed_place(nomination),
        ],
        needs_reason=True,
    )


def _freed_place(nomination: Nomination) -> list[str]:
    """What withdrawing an accepted nomination adds: its placement ends, its place frees."""
    if nomination.status != NominationStatus.ACCEPTED:
        return []
    return [
        _(
            "The placement is called off and its place comes free: the first nomination on the "
            "waiting list, if there is one, goes to the company again."
        )
    ]
