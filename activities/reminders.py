"""Reminders: what is due, to whom, once.

`due_reminders(today)` works out every reminder that should exist on a day; `run_reminders`
stores the new ones (the unique constraint on Reminder makes a second run, or two runs at once,
store nothing twice), gives each an in-app notification and queues its e-mail. Each person can
switch kinds off (ReminderOptOut).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from activities.models import (
    ActivityStatus,
    Nomination,
    NominationStatus,
    Notification,
    Placement,
    Posting,
    Reminder,
    ReminderKind,
    ReminderOptOut,
    Request,
    RequestStatus,
)
from partners.models import Organisation, Role, User
from programmes.models import Milestone, MilestoneStatus
from programmes.selectors import current_project
from students.models import Edition

STARTS_SOON_DAYS = 2
UNANSWERED_DAYS = 5
DEADLINE_DAYS = 7
MILESTONE_DAYS = 14
STALE_EDITION_DAYS = 30
QUARTER_END_DAYS = 7


@dataclass(frozen=True)
class Due:
    kind: str
    target_type: str
    target_id: int
    recipient_id: int
    due: date
    title: str
    url: str


class People:
    """Who to address at an organisation: its contact persons, or else all its active staff.
    Loaded once per run."""

    def __init__(self):
        self.by_organisation: dict[int, list[User]] = {}
        self.by_id: dict[int, User] = {}
        self.coordinators: list[User] = []
        for person in User.objects.active().exclude(role=""):
            self.by_organisation.setdefault(person.organisation_id, []).append(person)
            self.by_id[person.pk] = person
            if person.role == Role.COORDINATOR:
                self.coordinators.append(person)

    def contacts(self, organisation_id: int | None) -> list[User]:
        people = self.by_organisation.get(organisation_id, [])
        staff = [p for p in people if p.role != Role.FUNDER]
        return [p for p in staff if p.is_contact] or staff

    def active(self, *people: User | None) -> list[User]:
        return [p for p in people if p is not None and p.is_active]

    def active_ids(self, ids) -> list[User]:
        """The people of `ids` who are active and have a role."""
        return [self.by_id[pk] for pk in ids if pk in self.by_id]


def _starts_soon(today: date, people: People) -> list[Due]:
    horizon = today + timedelta(days=STARTS_SOON_DAYS)
    found = []
    for request in Request.objects.filter(
        status=RequestStatus.SCHEDULED, date__range=(today, horizon)
    ).select_related("activity", "activity__contact", "requested_by"):
        url = request.activity.get_absolute_url()
        for person in {
            *people.contacts(request.activity.host_id),
            *people.active(request.activity.contact, request.requested_by),
        }:
            found.append(
                Due(
                    ReminderKind.STARTS_SOON,
                    "request",
                    request.pk,
                    person.pk,
                    request.date,
                    request.activity.title,
                    url,
                )
            )
    for placement in Placement.objects.filter(start_date__range=(today, horizon)).select_related(
        "nomination__posting", "nomination__nominated_by"
    ):
        posting = placement.nomination.posting
        for person in {
            *people.contacts(posting.host_id),
            *people.active(placement.nomination.nominated_by),
        }:
            found.append(
                Due(
                    ReminderKind.STARTS_SOON,
                    "placement",
                    placement.pk,
                    person.pk,
                    placement.start_date,
                    posting.title,
                    posting.get_absolute_url(),
                )
            )
    return found


def _unanswered(today: date, people: People) -> list[Due]:
    cutoff = today - timedelta(days=UNANSWERED_DAYS)
    url = reverse("activities:my_requests")
    found = []
    for request in Request.objects.filter(
        status=RequestStatus.REQUESTED, created_at__date__lte=cutoff
    ).select_related("activity"):
        for person in people.contacts(request.activity.host_id):
            found.append(
                Due(
                    ReminderKind.UNANSWERED,
                    "request",
                    request.pk,
                    person.pk,
                    timezone.localdate(request.created_at) + timedelta(days=UNANSWERED_DAYS),
                    request.activity.title,
                    url,
                )
            )
    for nomination in Nomination.objects.filter(
        status=NominationStatus.NOMINATED, created_at__date__lte=cutoff
    ).select_related("posting"):
        for person in people.contacts(nomination.posting.host_id):
            found.append(
                Due(
                    ReminderKind.UNANSWERED,
                    "nomination",
                    nomination.pk,
                    person.pk,
                    timezone.localdate(nomination.created_at) + timedelta(days=UNANSWERED_DAYS),
                    nomination.posting.title,
                    url,
                )
            )
    return found


def _deadlines(today: date, people: People) -> list[Due]:
    found = []
    postings = (
        Posting.objects.filter(
            status=ActivityStatus.PUBLISHED,
            application_deadline__range=(today, today + timedelta(days=DEADLINE_DAYS)),
        )
        .annotate(filled=Count("nominations__placement"))
        .select_related("created_by", "contact")
    )
    for posting in postings:
        if posting.filled >= posting.places:
            continue
        for person in set(people.active(posting.created_by, posting.contact)) or set(
            people.contacts(posting.host_id)
        ):
            found.append(
                Due(
                    ReminderKind.DEADLINE,
                    "activity",
                    posting.pk,
                    person.pk,
                    posting.application_deadline,
                    posting.title,
                    posting.get_absolute_url(),
                )
            )
    return found


def _milestones(today: date, people: People) -> list[Due]:
    project = current_project()
    if project is None:
        return []
    url = reverse("programmes:milestones")
    found = []
    for milestone in Milestone.objects.filter(
        project=project,
        status=MilestoneStatus.PLANNED,
        due_date__lte=today + timedelta(days=MILESTONE_DAYS),
    ).select_related("owner"):
        kind = (
            ReminderKind.MILESTONE_OVERDUE
            if milestone.due_date < today
            else ReminderKind.MILESTONE_DUE
        )
        owners = people.active(milestone.owner) or people.contacts(milestone.owner_organisation_id)
        for person in {*owners, *people.coordinators}:
            found.append(
                Due(
                    kind,
                    "milestone",
                    milestone.pk,
                    person.pk,
                    milestone.due_date,
                    milestone.title,
                    url,
                )
            )
    return found


def _stale_editions(today: date, people: People) -> list[Due]:
    """Editions running without progress for STALE_EDITION_DAYS, for each of their teachers. Read
    as rows, not models, and the address made from one reversed pattern: a large consortium has
    thousands of editions."""
    cutoff = today - timedelta(days=STALE_EDITION_DAYS)
    editions = list(
        Edition.objects.filter(start_date__lte=cutoff, end_date__gte=today)
        .filter(Q(last_progress_at__isnull=True) | Q(last_progress_at__date__lt=cutoff))
        .values_list("pk", "name", "start_date", "last_progress_at")
    )
    teachers: dict[int, list[int]] = {}
    for edition_id, user_id in Edition.teachers.through.objects.filter(
        edition_id__in=[pk for pk, *_rest in editions]
    ).values_list("edition_id", "user_id"):
        teachers.setdefault(edition_id, []).append(user_id)
    before, after = reverse("students:edition_detail", args=[0]).rsplit("/0/", 1)
    found = []
    for pk, name, start_date, last_progress_at in editions:
        # One reminder per quiet spell: the spell is named by the day it became 30 days long.
        since = timezone.localdate(last_progress_at) if last_progress_at else None
        due = (since or start_date) + timedelta(days=STALE_EDITION_DAYS)
        url = f"{before}/{pk}/{after}"
        for person in people.active_ids(teachers.get(pk, ())):
            found.append(Due(ReminderKind.EDITION_STALE, "edition", pk, person.pk, due, name, url))
    return found


def _quarter_end(today: date, people: People) -> list[Due]:
    project = current_project()
    quarter = project.quarter_of(today) if project else None
    if quarter is None or (quarter[2] - today).days >= QUARTER_END_DAYS:
        return []
    number, _start, end = quarter
    title = f"Q{number}"
    found = []
    counting = (
        Organisation.objects.partners()
        .active()
        .filter(cofinancing_category__in=("employer", "other"))
    )
    for organisation_id in counting.values_list("pk", flat=True):
        for person in people.contacts(organisation_id):
            if person.role == Role.COORDINATOR:
                continue
            found.append(
                Due(
                    ReminderKind.QUARTER_END,
                    "quarter",
                    number,
                    person.pk,
                    end,
                    title,
                    reverse("ledger:my_contributions"),
                )
            )
    for person in people.coordinators:
        found.append(
            Due(
                ReminderKind.QUARTER_END,
                "quarter",
                number,
                person.pk,
                end,
                title,
                reverse("ledger:contribution_review"),
            )
        )
    return found


FINDERS = [
    _starts_soon,
    _unanswered,
    _deadlines,
    _milestones,
    _stale_editions,
    _quarter_end,
]


def register_finder(finder) -> None:
    """An app above activities adds what it has to remind people of (the ledger: hours not
    confirmed), from its apps.py: `finder(today, people)` returns the Due reminders."""
    if finder not in FINDERS:
        FINDERS.append(finder)


def due_reminders(today: date) -> list[Due]:
    """Every reminder that should exist on `today`, opt-outs left out."""
    people = People()
    switched_off = set(ReminderOptOut.objects.values_list("user_id", "kind"))
    found = {due for finder in FINDERS for due in finder(today, people)}
    return sorted(
        (d for d in found if (d.recipient_id, d.kind) not in switched_off),
        key=lambda d: (d.kind, d.target_type, d.target_id, d.recipient_id),
    )


def run_reminders(today: date | None = None) -> list[int]:
    """Store the reminders due today that were not stored before, each with its in-app
    notification, and return the ids of the new ones (their e-mails still to send)."""
    today = today or timezone.localdate()
    wanted = due_reminders(today)
    with transaction.atomic():
        Reminder.objects.bulk_create(
            [
                Reminder(
                    kind=d.kind,
                    target_type=d.target_type,
                    target_id=d.target_id,
                    recipient_id=d.recipient_id,
                    due=d.due,
                    title=d.title[:300],
                    url=d.url,
                )
                for d in wanted
            ],
            ignore_conflicts=True,
        )
        # Reminders without their notification are the ones this run made (or a run that died
        # half-way made): both get one now, and their e-mail.
        fresh = list(
            Reminder.objects.filter(notification__isnull=True).values_list("pk", "recipient_id")
        )
        Notification.objects.bulk_create(
            [Notification(recipient_id=recipient, reminder_id=pk) for pk, recipient in fresh],
            ignore_conflicts=True,
        )
    return [pk for pk, _ in fresh]
