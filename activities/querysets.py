from typing import TYPE_CHECKING, Self

from django.db import models
from django.db.models import Case, Count, OuterRef, Q, Subquery, When
from django.utils import timezone

from activities.choices import OPEN_REQUEST_STATUSES, OPPORTUNITY_KINDS
from partners.models import Organisation

if TYPE_CHECKING:
    from activities.models import Activity, Nomination, Notification, Request


class ActivityQuerySet(models.QuerySet["Activity"]):
    def published(self) -> Self:
        return self.filter(status="published")

    def not_draft(self) -> Self:
        return self.exclude(status="draft")

    def of_kind(self, *kinds: str) -> Self:
        return self.filter(kind__in=kinds)

    def hosted_by(self, organisation_id: int) -> Self:
        return self.filter(host_id=organisation_id)

    def involving(self, organisation_id: int) -> Self:
        """Hosted by the organisation or with it as a partner."""
        return self.filter(
            Q(host_id=organisation_id) | Q(partner_organisations__id=organisation_id)
        ).distinct()

    def open_opportunities(self) -> Self:
        """What schools can take up now: published places, lessons, assignments and visits whose
        application deadline has not passed."""
        today = timezone.localdate()
        return (
            self.published()
            .of_kind(*OPPORTUNITY_KINDS)
            .filter(host__in=Organisation.objects.active())
            .filter(
                Q(posting__isnull=True)
                | Q(posting__application_deadline__isnull=True)
                | Q(posting__application_deadline__gte=today)
            )
        )

    def with_board_data(self) -> Self:
        return self.select_related("host", "programme_line", "posting").prefetch_related(
            "qualifications"
        )


class RequestQuerySet(models.QuerySet["Request"]):
    def open(self) -> Self:
        return self.filter(status__in=OPEN_REQUEST_STATUSES)

    def for_host(self, organisation_id: int) -> Self:
        return self.filter(activity__host_id=organisation_id)

    def for_school(self, organisation_id: int) -> Self:
        return self.filter(school_id=organisation_id)

    def with_list_data(self) -> Self:
        return self.select_related("activity", "activity__host", "school", "requested_by")


class NominationQuerySet(models.QuerySet["Nomination"]):
    def live(self) -> Self:
        return self.exclude(status="withdrawn")

    def accepted(self) -> Self:
        return self.filter(status="accepted")

    def for_host(self, organisation_id: int) -> Self:
        return self.filter(posting__host_id=organisation_id)

    def for_school(self, organisation_id: int) -> Self:
        return self.filter(student__school_id=organisation_id)

    def with_list_data(self) -> Self:
        """What a nomination's row shows. The qualification and the person who nominated come
        in queries of their own: joined too, the database spent ten times longer choosing the
        order of nine tables than reading a page of rows (make bench)."""
        return (
            self.select_related("posting", "posting__host", "student", "placement")
            .prefetch_related("student__qualification", "nominated_by")
            .with_waiting_position()
        )

    def with_waiting_position(self) -> Self:
        """`waiting_position`: 1 for the first nomination on its place's waiting list, 2 for the
        next (first come first served, as they are offered again), None when not waiting."""
        ahead = (
            self.model.objects.filter(posting=OuterRef("posting"), status="waiting")
            .filter(
                Q(created_at__lt=OuterRef("created_at"))
                | Q(created_at=OuterRef("created_at"), pk__lte=OuterRef("pk"))
            )
            .order_by()
            .values("posting")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(
            waiting_position=Case(When(status="waiting", then=Subquery(ahead)), default=None)
        )


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> Self:
        return self.filter(read_at__isnull=True)
