from datetime import timedelta

import pytest
from django.utils import timezone

from activities import services
from activities.models import ActivityKind, ActivityStatus


def days(n: int):
    return timezone.localdate() + timedelta(days=n)


@pytest.fixture
def lines(consortium):
    """The project with its three programme lines (activities belong to one)."""


@pytest.fixture
def guest_lesson(lines, bram):
    lesson = services.create_activity(
        actor=bram,
        kind=ActivityKind.GUEST_LESSON,
        fields={
            "title": "Van monster tot sequentie",
            "speaker": "Bram",
            "format": "at_school",
            "duration_minutes": 90,
            "max_group_size": 25,
        },
    )
    return services.change_activity_status(
        actor=bram, activity=lesson, status=ActivityStatus.PUBLISHED
    )


@pytest.fixture
def posting(lines, bram):
    place = services.create_activity(
        actor=bram,
        kind=ActivityKind.INTERNSHIP,
        fields={
            "title": "Stage analist",
            "route": "bol",
            "start_date": days(60),
            "duration_months": 5,
            "days_per_week": 4,
            "places": 2,
            "location": "Leiden",
            "application_deadline": days(30),
        },
    )
    services.change_activity_status(actor=bram, activity=place, status=ActivityStatus.PUBLISHED)
    return place.posting
