"""The data behind each activity page; every list is loaded in a fixed number of queries."""

from datetime import timedelta

from django.core.paginator import Paginator
from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Greatest
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import ngettext

from activities import matching
from activities.choices import REQUESTABLE_KINDS
from activities.models import (
    OPEN_REQUEST_STATUSES,
    Activity,
    ActivityEvent,
    ActivityKind,
    Event,
    Nomination,
    NominationStatus,
    Notification,
    Request,
    RequestStatus,
    ResearchProject,
)
from civbio import rules
from civbio.pagination import Pager
from civbio.pagination import paginate as paginate_by
from partners.models import Role, User

PAGE_SIZE = 20


def _with_places(queryset):
    """Places filled per internship, counted in the same query by a subquery per row shown. A
    join with every nomination, grouped, made the board count and sort every open opportunity
    before it showed twenty."""
    taken = (
        Nomination.objects.filter(posting_id=OuterRef("pk"), status="accepted")
        .order_by()
        .values("posting_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        places_taken=Coalesce(Subquery(taken, output_field=IntegerField()), 0),
        # What a visitor can still apply for (never below zero, whatever was accepted).
        places_open=Greatest(F("posting__places") - F("places_taken"), Value(0)),
    )


def board_queryset(base):
    """What a card on the board and the activity lists shows. Only the joins a card reads: each
    further table (the other kinds' details, the programme line) cost the planner more than the
    query ran: planning one took fifty times longer than running it."""
    return _with_places(base.select_related("host", "posting").prefetch_related("qualifications"))


def paginate(queryset, page_number) -> tuple:
    if not queryset.ordered:
        queryset = queryset.order_by("-created_at", "-pk")
    paginator = Paginator(queryset, PAGE_SIZE)
    page = paginator.get_page(page_number)
    return page, list(page.object_list)


# Rows of each list on an activity's page at a time, and lines of its timeline.
DETAIL_PAGE_SIZE = 10
TIMELINE_PAGE_SIZE = 20


def activity_detail(user: User, activity: Activity, query: QueryDict) -> dict:
    """An activity with what `user` may see of its requests, nominations and timeline: a page of
    each (its own parameter in the address), so the page stays the same size however many
    schools ask for it or students are put forward."""
    child = activity_child(activity)
    visible_requests = rules.visible_requests(user).filter(activity=activity)
    visible_nominations = rules.visible_nominations(user).filter(posting_id=activity.pk)
    requests = paginate_by(
        visible_requests.with_list_data().order_by("date", "pk"),
        query,
        param="requests",
        per_page=DETAIL_PAGE_SIZE,
    )
    nominations = paginate_by(
        visible_nominations.with_list_data().order_by("-created_at", "-pk"),
        query,
        param="nominations",
        per_page=DETAIL_PAGE_SIZE,
    )
    # Lines about a request or nomination show only to those who may see that request. The
    # newest page first; each page reads from old to new.
    timeline = paginate_by(
        ActivityEvent.objects.filter(activity=activity)
        .filter(Q(request__isnull=True) | Q(request__in=visible_requests.values("pk")))
        .filter(Q(nomination__isnull=True) | Q(nomination__in=visible_nominations.values("pk")))
        .select_related("actor", "organisation")
        .order_by("-at", "-pk"),
        query,
        param="timeline",
        per_page=TIMELINE_PAGE_SIZE,
    )
    timeline.rows.reverse()
    places_taken = (
        # Everyone may know how many places are filled, not by whom.
        Nomination.objects.filter(posting_id=activity.pk, status="accepted").count()
        if activity.kind == ActivityKind.INTERNSHIP
        else None
    )
    return {
        "activity": child,
        "qualifications": list(activity.qualifications.all()),
        "partner_organisations": list(activity.partner_organisations.all()),
        "requests": requests,
        "nominations": nominations,
        "timeline": timeline,
        "events": timeline.rows,
        "places_taken": places_taken,
        "outputs": list(child.outputs.all()) if isinstance(child, ResearchProject) else [],
        "teacher_researchers": (
            list(child.teacher_researchers.all()) if isinstance(child, ResearchProject) else []
        ),
        "can_edit": rules.can_edit_activity(user, activity),
        "can_request": rules.can_request(user, activity),
        "can_nominate": rules.can_nominate(user, activity),
        "is_host": rules.can_edit_activity(user, activity),
    }


def activity_child(activity: Activity) -> Activity:
    """The kind-specific row (a Posting, GuestLesson, …) of an activity."""
    from activities.services import MODEL_FOR_KIND

    model = MODEL_FOR_KIND[activity.kind]
    if isinstance(activity, model):
        return activity
    return model.objects.select_related("host", "programme_line", "contact", "created_by").get(
        pk=activity.pk
    )


# Rows a section of the requests page shows at a time: what waits for an answer ten at a time,
# what was answered (the history) five. Each row carries its forms; forty made the page cost
# twice the rest of it.
REQUESTS_PAGE_SIZE = 10
ANSWERED_PAGE_SIZE = 5


def my_requests_page(user: User, query: QueryDict) -> dict:
    """For a teacher: their school's requests and nominations. For a company: what came in.

    Four sections, each a page of rows with its own pager (its own parameter in the address).
    The sections' sizes are counted in one query per table, so the page costs the same however
    many requests a school or company has gathered."""
    requests = rules.visible_requests(user).with_list_data()
    # As NominationQuerySet.with_list_data: the qualifications and the people who nominated
    # are read once for both lists of nominations, after them.
    nominations = rules.visible_nominations(user).select_related(
        "posting", "posting__host", "student", "placement"
    )
    if user.role == Role.SCHOOL_STAFF:
        requests = requests.filter(school_id=user.organisation_id)
    elif user.role == Role.INDUSTRY_STAFF:
        requests = requests.filter(activity__host_id=user.organisation_id)
    is_open = Q(status__in=OPEN_REQUEST_STATUSES)
    request_counts = requests.order_by().aggregate(
        open=Count("pk", filter=is_open), closed=Count("pk", filter=~is_open)
    )
    waiting = Q(status=NominationStatus.NOMINATED)
    nomination_counts = nominations.order_by().aggregate(
        open=Count("pk", filter=waiting), answered=Count("pk", filter=~waiting)
    )

    def section(queryset, param: str, count: int, size: int = REQUESTS_PAGE_SIZE) -> Pager:
        return paginate_by(queryset, query, param=param, per_page=size, count=count)

    open_nominations = section(
        nominations.filter(waiting).order_by("created_at", "pk"),
        "open_nominations",
        nomination_counts["open"],
    )
    answered_nominations = section(
        # Only the answered ones can be waiting: the position is worked out for them alone.
        nominations.exclude(waiting).with_waiting_position().order_by("-updated_at", "-pk"),
        "answered_nominations",
        nomination_counts["answered"],
        ANSWERED_PAGE_SIZE,
    )
    prefetch_related_objects(
        open_nominations.rows + answered_nominations.rows, "student__qualification", "nominated_by"
    )
    return {
        "open_requests": section(
            requests.filter(is_open).order_by("date", "pk"),
            "open_requests",
            request_counts["open"],
        ),
        "closed_requests": section(
            requests.exclude(is_open).order_by("-updated_at", "-pk"),
            "closed_requests",
            request_counts["closed"],
            ANSWERED_PAGE_SIZE,
        ),
        "open_nominations": open_nominations,
        "answered_nominations": answered_nominations,
        "is_school": user.role == Role.SCHOOL_STAFF,
        "is_host_side": user.role in (Role.INDUSTRY_STAFF, Role.COORDINATOR),
    }


NOTIFICATIONS_PAGE_SIZE = 25


def notifications_page(user: User, query: QueryDict) -> Pager:
    """A person's notifications, newest first, a page at a time (the count and the rows)."""
    return paginate_by(
        Notification.objects.filter(recipient=user)
        .select_related(
            "event", "event__activity", "event__actor", "event__organisation", "reminder"
        )
        .order_by("-created_at", "-pk"),
        query,
        per_page=NOTIFICATIONS_PAGE_SIZE,
    )


def unread_notification_count(user: User) -> int:
    return Notification.objects.filter(recipient=user).unread().count()


def calendar_items(user: User) -> list[dict]:
    """Scheduled requests and dated events of the person and their organisation, for the iCal
    feed: from 60 days ago on."""
    since = timezone.localdate() - timedelta(days=60)
    org = user.organisation_id
    requests = (
        Request.objects.filter(
            status__in=[RequestStatus.SCHEDULED, RequestStatus.DELIVERED],
            date__gte=since,
            activity__kind__in=REQUESTABLE_KINDS,
        )
        .filter(Q(school_id=org) | Q(activity__host_id=org) | Q(requested_by=user))
        .select_related("activity", "activity__host", "school")
    )
    events = (
        Event.objects.filter(start_date__gte=since)
        .exclude(status__in=["draft", "cancelled"])
        .filter(Q(host_id=org) | Q(partner_organisations__id=org))
        .distinct()
        .select_related("host")
    )
    items = [
        {
            "uid": f"request-{r.pk}@civbio",
            "start": r.date,
            "summary": (
                f"{r.activity.title} — {r.activity.host.display_name}, {r.school.display_name}"
            ),
            "description": ngettext(
                "%(group)s, %(n)s student", "%(group)s, %(n)s students", r.student_count
            )
            % {"group": r.group_name, "n": r.student_count},
            "location": getattr(r.activity, "location", "") or "",
            "status": r.status,
            "url_path": r.activity.get_absolute_url(),
        }
        for r in requests
    ]
    items += [
        {
            "uid": f"activity-{e.pk}@civbio",
            "start": e.start_date,
            "end": e.end_date,
            "summary": f"{e.title} — {e.host.display_name}",
            "description": e.description,
            "location": e.location,
            "status": e.status,
            "url_path": e.get_absolute_url(),
        }
        for e in events
    ]
    return items


# The matches pages ------------------------------------------------------------------------------

# Opportunities on a page of the matches, and the students named under each.
MATCHES_PAGE_SIZE = 10
FIRST_MATCHES = 5
# Students on a page of one opportunity's matches.
MATCHED_STUDENTS_PAGE_SIZE = 50


def matches_page(user: User, query: QueryDict) -> dict:
    """A page of the open places and assignments, newest first, each with how many of the
    user's students fit it (and almost fit, or are on a placement then) and the first few who
    fit: the same size and about the same work however many students the school has."""
    opportunities = paginate_by(
        matching.matchable_opportunities(), query, per_page=MATCHES_PAGE_SIZE
    )
    found = matching.Matching(user, opportunities.rows)
    summaries = [found.summary(activity) for activity in opportunities.rows]
    found.first_fitting(summaries, FIRST_MATCHES)
    return {"opportunities": opportunities, "matches": summaries}


def opportunity_matches_page(user: User, activity: Activity, query: QueryDict) -> dict:
    """One opportunity's matches: the students who fit, those who fit but for one unit and
    those on a placement then, each list a page at a time (counted by the matching, so no
    count query of its own)."""
    found = matching.Matching(user, [activity])
    summary = found.summary(activity)
    fitting = paginate_by(
        found.fitting(activity),
        query,
        per_page=MATCHED_STUDENTS_PAGE_SIZE,
        count=summary.fitting,
    )
    almost = paginate_by(
        found.almost(activity),
        query,
        param="almost",
        per_page=MATCHED_STUDENTS_PAGE_SIZE,
        count=summary.almost,
    )
    almost.rows = [(student, found.unit_to_do(activity, student)) for student in almost.rows]
    placed_students, where = found.placed(activity)
    placed = paginate_by(
        placed_students,
        query,
        param="placed",
        per_page=MATCHED_STUDENTS_PAGE_SIZE,
        count=summary.placed,
    )
    placed.rows = [(student, *where[student.pk]) for student in placed.rows]
    return {
        "match": summary,
        "fitting": fitting,
        "almost": almost,
        "placed": placed,
    }
