"""The words of activities: their kinds and statuses, which kinds do what, and how a status may
change. Plain values, importable by the querysets as by the models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    INTERNSHIP = "internship", _("Internship or learning-work place")
    GUEST_LESSON = "guest_lesson", _("Guest lesson")
    PRACTICUM = "practicum", _("Practicum assignment")
    COMPANY_VISIT = "company_visit", _("Company visit")
    TRAINING = "training", _("Training for teachers or workplace trainers")
    RESEARCH = "research", _("Research project")
    IMAGE = "image", _("Image activity")


# The programme line each kind belongs to (its number in the project).
KIND_LINE_NUMBER: dict[str, int] = {
    ActivityKind.INTERNSHIP: 1,
    ActivityKind.GUEST_LESSON: 1,
    ActivityKind.PRACTICUM: 1,
    ActivityKind.COMPANY_VISIT: 1,
    ActivityKind.TRAINING: 1,
    ActivityKind.RESEARCH: 2,
    ActivityKind.IMAGE: 3,
}

# Kinds that schools take up through the opportunities board.
OPPORTUNITY_KINDS = [
    ActivityKind.INTERNSHIP,
    ActivityKind.GUEST_LESSON,
    ActivityKind.PRACTICUM,
    ActivityKind.COMPANY_VISIT,
]
# Kinds a school books with a request (date and group); internships take nominations instead.
REQUESTABLE_KINDS = [ActivityKind.GUEST_LESSON, ActivityKind.PRACTICUM, ActivityKind.COMPANY_VISIT]
# When a one-off activity counts as having taken place: delivered, or for research, under way
# (and a research project cancelled after it ran: see activities.models.took_place_itself).
HAPPENED_AS_ACTIVITY = {
    ActivityKind.TRAINING: ["delivered"],
    ActivityKind.IMAGE: ["delivered"],
    ActivityKind.RESEARCH: ["running", "delivered"],
}


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    CLOSED = "closed", _("Closed")
    FILLED = "filled", _("Filled")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


# Allowed status changes per kind. Offers (places, lessons, assignments, visits) are published and
# closed; one-off activities are planned and delivered; research runs and is completed.
_OFFER_FLOW = {
    ActivityStatus.DRAFT: {ActivityStatus.PUBLISHED, ActivityStatus.CANCELLED},
    ActivityStatus.PUBLISHED: {ActivityStatus.CLOSED, ActivityStatus.CANCELLED},
    ActivityStatus.CLOSED: {ActivityStatus.PUBLISHED},
}
STATUS_FLOW = {
    ActivityKind.INTERNSHIP: {
        ActivityStatus.DRAFT: {ActivityStatus.PUBLISHED, ActivityStatus.CANCELLED},
        ActivityStatus.PUBLISHED: {
            ActivityStatus.CLOSED,
            ActivityStatus.FILLED,
            ActivityStatus.CANCELLED,
        },
        ActivityStatus.CLOSED: {ActivityStatus.PUBLISHED},
        ActivityStatus.FILLED: {ActivityStatus.PUBLISHED},
    },
    ActivityKind.GUEST_LESSON: _OFFER_FLOW,
    ActivityKind.PRACTICUM: _OFFER_FLOW,
    ActivityKind.COMPANY_VISIT: _OFFER_FLOW,
    ActivityKind.TRAINING: {
        ActivityStatus.DRAFT: {ActivityStatus.PLANNED, ActivityStatus.CANCELLED},
        ActivityStatus.PLANNED: {ActivityStatus.DELIVERED, ActivityStatus.CANCELLED},
    },
    ActivityKind.IMAGE: {
        ActivityStatus.DRAFT: {ActivityStatus.PLANNED, ActivityStatus.CANCELLED},
        ActivityStatus.PLANNED: {ActivityStatus.DELIVERED, ActivityStatus.CANCELLED},
    },
    ActivityKind.RESEARCH: {
        ActivityStatus.DRAFT: {ActivityStatus.RUNNING, ActivityStatus.CANCELLED},
        ActivityStatus.RUNNING: {ActivityStatus.DELIVERED, ActivityStatus.CANCELLED},
    },
}


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    PROPOSED = "proposed", _("Other date proposed")
    SCHEDULED = "scheduled", _("Scheduled")
    DECLINED = "declined", _("Declined")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_REQUEST_STATUSES = [RequestStatus.REQUESTED, RequestStatus.PROPOSED, RequestStatus.SCHEDULED]
