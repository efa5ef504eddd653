"""Figures about people that funders and the public may see: counts only, and small counts
suppressed, so nobody can be singled out."""

from django.db.models import Count, Q, Sum

from activities.models import Enrolment, Placement, Request, RequestStatus

SMALL_COUNT = 5


def suppress(count: int | None) -> int | None:
    """A count of people as it may be shown outside the schools: 1 to 4 becomes None ("< 5")."""
    if count is None:
        return None
    return None if 0 < count < SMALL_COUNT else count


def student_aggregates() -> dict:
    """Students in custom modules, placements and students reached by delivered activities,
    each suppressed when small. Three queries."""
    in_modules = (
        Enrolment.objects.filter(student__erased_at__isnull=True)
        .values("student_id")
        .distinct()
        .count()
    )
    placements = Placement.objects.count()
    delivered = Request.objects.aggregate(
        count=Count("pk", filter=Q(status=RequestStatus.DELIVERED)),
        reached=Sum("students_reached", filter=Q(status=RequestStatus.DELIVERED)),
    )
    return {
        "students_in_modules": suppress(in_modules),
        "placements": suppress(placements),
        "delivered_activities": delivered["count"],
        "students_reached": suppress(delivered["reached"] or 0),
    }
