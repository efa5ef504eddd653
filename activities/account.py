"""The account page's sections kept by activities: the calendar address and the reminder
choices (partners owns the page; registered in apps.py)."""

from django.http import HttpRequest
from django.urls import reverse

from activities import services
from activities.forms import ReminderSettingsForm
from activities.models import CalendarFeed, ReminderOptOut
from civbio import rules
from partners.account import AccountSection, register_section


def calendar_section(request: HttpRequest) -> dict | None:
    """The person's secret calendar address, as https and as webcal (which a calendar app opens
    as a subscription). Only people who work with activities have one."""
    if not rules.is_staff_member(request.user):
        return None
    # Read first: the address is made (a write) only on the first visit.
    feed = CalendarFeed.objects.filter(user=request.user).first()
    if feed is None:
        feed = services.calendar_feed_for(actor=request.user)
    url = request.build_absolute_uri(reverse("calendar_feed", args=[feed.token]))
    return {"feed_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


def reminders_section(request: HttpRequest) -> dict:
    """Which reminders the person gets; they change them on the reminders page."""
    off = set(ReminderOptOut.objects.filter(user=request.user).values_list("kind", flat=True))
    field = ReminderSettingsForm.base_fields["kinds"]
    return {
        "label": field.label,
        "kinds": [{"label": label, "on": kind not in off} for kind, label in field.choices],
    }


def register() -> None:
    register_section(
        AccountSection("calendar", "activities/partials/account_calendar.html", calendar_section)
    )
    register_section(
        AccountSection(
            "reminders", "activities/partials/account_reminders.html", reminders_section, 110
        )
    )
