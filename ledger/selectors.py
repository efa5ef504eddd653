"""What the ledger's pages and reminders read."""

from collections.abc import Callable
from datetime import date, timedelta

from django.db.models import Exists, OuterRef
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from activities.models import ReminderKind
from activities.reminders import Due, People
from civbio.pagination import paginate
from ledger.models import Contribution, ContributionStatus
from programmes.models import Project

# Proposed hours not confirmed after this many days are a reminder to the partner.
UNCONFIRMED_DAYS = 7


def unconfirmed_hours(today: date, people: People) -> list[Due]:
    """The reminders of hours a delivered activity proposed that its host has not confirmed
    (activities.reminders runs it with its other finders: ledger/apps.py adds it)."""
    cutoff = today - timedelta(days=UNCONFIRMED_DAYS)
    found = []
    for contribution in Contribution.objects.filter(
        status=ContributionStatus.PROPOSED, created_at__date__lte=cutoff
    ):
        for person in people.contacts(contribution.organisation_id):
            found.append(
                Due(
                    ReminderKind.HOURS_UNCONFIRMED,
                    "contribution",
                    contribution.pk,
                    person.pk,
                    timezone.localdate(contribution.created_at) + timedelta(days=UNCONFIRMED_DAYS),
                    contribution.description,
                    reverse("ledger:my_contributions"),
                )
            )
    return found


# A partner's pledge against what it realised, per year: reports.figures works it out, the one
# place every page, dashboard and funder report takes its figures from. Reports sits above the
# ledger, so it hands the function over in its apps.py instead of the ledger importing it.
_PARTNER_LEDGER: list[Callable[[Project, int], dict]] = []


def provide_partner_ledger(ledger: Callable[[Project, int], dict]) -> None:
    """Called once from reports' `ready()` with `reports.figures.partner_ledger`."""
    _PARTNER_LEDGER[:] = [ledger]


def partner_ledger(project: Project, organisation_id: int) -> dict:
    """One partner's co-financing per project year (`mine`, None for an organisation that is
    not a partner) and the project years (`years`): reports.figures.partner_ledger."""
    [ledger] = _PARTNER_LEDGER
    return ledger(project, organisation_id)


# Rows on a page of each list of the review page.
REVIEW_PAGE_SIZE = 20


def review_page(query: QueryDict) -> dict:
    """What waits for a coordinator's approval (oldest first) and what was approved (last first,
    to correct), each list a page at a time with its own pager (`waiting`, `approved`)."""
    waiting = (
        Contribution.objects.filter(status=ContributionStatus.SUBMITTED)
        .select_related("organisation", "programme_line", "submitted_by")
        .order_by("date", "created_at", "pk")
    )
    approved = (
        Contribution.objects.filter(
            ~Exists(Contribution.objects.filter(corrects=OuterRef("pk"))),
            status=ContributionStatus.APPROVED,
        )
        .select_related("organisation", "programme_line")
        .order_by("-decided_at", "-pk")
    )
    return {
        "waiting": paginate(waiting, query, param="waiting", per_page=REVIEW_PAGE_SIZE),
        "approved": paginate(approved, query, param="approved", per_page=REVIEW_PAGE_SIZE),
    }
