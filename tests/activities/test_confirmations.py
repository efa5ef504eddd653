"""Far-reaching actions ask first: cancelling or closing an offer, reopening it, calling off a
request, withdrawing a nomination, erasing a student, publishing a report.

Each one's page says what will happen to whom (counted from the data), takes a reason where
another party loses something (they are sent it, and it stays on the timeline), and acts only when
its own button is pressed; every step works without JavaScript (links and plain forms).
"""

import pytest
from auditlog.models import LogEntry as AuditEntry
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import (
    Activity,
    ActivityEvent,
    Nomination,
    Notification,
    Request,
)
from reports.models import Report, ReportKind, ReportState
from students.models import Student
from tests.browser import submit
from tests.conftest import days
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def _request(activity, person, group: str, day: int = 7) -> Request:
    return services.request_activity(
        actor=person, activity=activity, date=days(day), group_name=group, student_count=12
    )


def _status_url(activity, status: str) -> str:
    return reverse("activities:activity_status", args=[activity.pk]) + f"?status={status}"


# Cancelling an offer ------------------------------------------------------------------------


def test_the_cancel_page_counts_the_requests_that_end_and_the_schools_told(
    client, guest_lesson, bram, dirk, eva
):
    scheduled = _request(guest_lesson, dirk, "LAB3A")
    services.answer_request(actor=bram, request=scheduled, decision="accept")
    _request(guest_lesson, dirk, "LAB3B")
    _request(guest_lesson, eva, "RT-1")
    client.force_login(bram)

    detail = client.get(guest_lesson.get_absolute_url())
    page = client.get(_status_url(guest_lesson, "cancelled"))

    # The page's button is a plain link to the confirmation page.
    assert f'href="{_status_url(guest_lesson, "cancelled")}"' in detail.text
    assert page.status_code == 200
    assert "3 openstaande aanvragen, van 2 scholen, vervallen" in page.text
    assert "Leiden Lab College (2), Rotterdam Tech (1)" in page.text
    assert "1 daarvan is al ingepland" in page.text
    assert "De 2 scholen krijgen bericht, met je reden." in page.text
    assert Activity.objects.get(pk=guest_lesson.pk).status == "published"


def test_the_old_one_click_post_only_shows_the_confirmation(client, guest_lesson, bram, dirk):
    request = _request(guest_lesson, dirk, "LAB3A")
    client.force_login(bram)
    client.get(guest_lesson.get_absolute_url())

    # What the detail page's one-click form used to send, and htmx or a script could still send.
    answer = client.post_with_cookie_token(
        reverse("activities:activity_status", args=[guest_lesson.pk]), {"status": "cancelled"}
    )

    assert answer.status_code == 200 and "annuleren?" in answer.text
    assert Activity.objects.get(pk=guest_lesson.pk).status == "published"
    assert Request.objects.get(pk=request.pk).status == "requested"


def test_cancelling_with_open_requests_needs_a_reason(client, guest_lesson, bram, dirk):
    _request(guest_lesson, dirk, "LAB3A")
    client.force_login(bram)

    answer = submit(client, _status_url(guest_lesson, "cancelled"), button="yes")

    assert answer.status_code == 400
    assert "Dit veld is verplicht." in answer.text
    assert Activity.objects.get(pk=guest_lesson.pk).status == "published"
    with pytest.raises(ValidationError):
        services.change_activity_status(actor=bram, activity=guest_lesson, status="cancelled")


def test_the_reason_reaches_the_schools_and_stays_on_the_timeline(
    client, guest_lesson, bram, dirk, eva
):
    first = _request(guest_lesson, dirk, "LAB3A")
    services.answer_request(actor=bram, request=first, decision="accept")
    second = _request(guest_lesson, eva, "RT-1")
    client.force_login(bram)

    answer = submit(
        client,
        _status_url(guest_lesson, "cancelled"),
        {"reason": "De spreker is langdurig ziek."},
        button="yes",
        follow=True,
    )

    assert answer.redirect_chain[-1][0] == guest_lesson.get_absolute_url()
    assert Activity.objects.get(pk=guest_lesson.pk).status == "cancelled"
    assert set(Request.objects.values_list("status", flat=True)) == {"cancelled"}
    for person in (dirk, eva):
        told = Notification.objects.get(recipient=person, event__to_status="cancelled")
        assert told.event.note == "De spreker is langdurig ziek."
    # The school reads it on its notifications page and on the activity's timeline.
    client.force_login(dirk)
    assert "De spreker is langdurig ziek." in client.get(reverse("activities:notifications")).text
    assert "De spreker is langdurig ziek." in client.get(guest_lesson.get_absolute_url()).text
    assert {first.pk, second.pk} == set(Request.objects.values_list("pk", flat=True))


def test_an_offer_nobody_asked_for_is_cancelled_without_a_reason(client, guest_lesson, bram):
    client.force_login(bram)

    page = client.get(_status_url(guest_lesson, "cancelled"))
    submit(client, _status_url(guest_lesson, "cancelled"), button="yes", page=page)

    assert "niemand krijgt bericht" in page.text
    assert Activity.objects.get(pk=guest_lesson.pk).status == "cancelled"


# Closing a posting --------------------------------------------------------------------------


def test_closing_a_place_says_the_waiting_nominations_stay(client, posting, bram, dirk, school):
    for name in ("A", "B"):
        services.nominate_student(
            actor=dirk, posting=posting, student=StudentFactory(school=school, display_name=name)
        )
    client.force_login(bram)

    page = client.get(_status_url(posting, "closed"))
    assert "2 openstaande aanvragen en voordrachten blijven zoals ze zijn" in page.text
    assert "Toelichting (niet verplicht)" in page.text
    submit(client, _status_url(posting, "closed"), {"reason": "Vol voor dit jaar."}, button="yes")

    assert Activity.objects.get(pk=posting.pk).status == "closed"
    assert set(Nomination.objects.values_list("status", flat=True)) == {"nominated"}
    told = Notification.objects.get(recipient=dirk, event__to_status="closed")
    assert told.event.note == "Vol voor dit jaar."


# Reopening ----------------------------------------------------------------------------------


def test_a_cancelled_lesson_is_reopened_and_the_schools_told_hear_it(
    client, guest_lesson, bram, dirk
):
    _request(guest_lesson, dirk, "LAB3A")
    services.change_activity_status(
        actor=bram, activity=guest_lesson, status="cancelled", note="Verbouwing"
    )
    client.force_login(bram)
    url = reverse("activities:activity_reopen", args=[guest_lesson.pk])

    assert f'href="{url}"' in client.get(guest_lesson.get_absolute_url()).text
    page = client.get(url)
    assert "wordt weer “Gepubliceerd”" in page.text
    assert "De persoon die bericht kreeg van de annulering" in page.text
    # Nothing happens before the page's own button.
    client.post_with_cookie_token(url, {})
    assert Activity.objects.get(pk=guest_lesson.pk).status == "cancelled"

    submit(client, url, {"reason": "De verbouwing is uitgesteld."}, button="yes", page=page)

    assert Activity.objects.get(pk=guest_lesson.pk).status == "published"
    told = Notification.objects.get(recipient=dirk, event__verb="reopened")
    assert told.event.note == "De verbouwing is uitgesteld."
    entry = AuditEntry.objects.get_for_object(guest_lesson).filter(actor=bram).latest("timestamp")
    assert entry.changes_dict["status"] == ["cancelled", "published"]
    # The request that ended stays ended: the school asks again.
    assert Request.objects.get().status == "cancelled"


def test_a_cancelled_draft_is_reopened_as_a_draft(bram, lines):
    from tests.conftest import draft_lesson

    lesson = draft_lesson(bram)
    services.change_activity_status(actor=bram, activity=lesson, status="cancelled")

    services.reopen_activity(actor=bram, activity=lesson)

    assert Activity.objects.get(pk=lesson.pk).status == "draft"
    assert ActivityEvent.objects.filter(activity=lesson, verb="reopened").count() == 1


def test_a_past_activity_cannot_be_reopened(client, guest_lesson, bram):
    services.change_activity_status(actor=bram, activity=guest_lesson, status="cancelled")
    Activity.objects.filter(pk=guest_lesson.pk).update(start_date=days(-30), end_date=days(-1))
    url = reverse("activities:activity_reopen", args=[guest_lesson.pk])
    client.force_login(bram)

    with pytest.raises(ValidationError, match="voorbij"):
        services.reopen_activity(actor=bram, activity=guest_lesson)
    detail = client.get(guest_lesson.get_absolute_url())
    answer = client.get(url, follow=True)
    client.post_with_cookie_token(url, {"confirm": "yes"})

    assert f'href="{url}"' not in detail.text
    assert "datum nog niet voorbij is" in answer.text
    assert Activity.objects.get(pk=guest_lesson.pk).status == "cancelled"


def test_another_company_cannot_reopen(client, guest_lesson, bram, olaf):
    services.change_activity_status(actor=bram, activity=guest_lesson, status="cancelled")
    client.force_login(olaf)
    client.get(reverse("activities:board"))

    url = reverse("activities:activity_reopen", args=[guest_lesson.pk])
    assert client.post_with_cookie_token(url, {"confirm": "yes"}).status_code == 404
    assert Activity.objects.get(pk=guest_lesson.pk).status == "cancelled"


# Calling off a request ----------------------------------------------------------------------


def test_a_school_cancels_its_request_after_confirming_and_the_company_reads_why(
    client, guest_lesson, bram, dirk
):
    request = _request(guest_lesson, dirk, "LAB3A")
    client.force_login(dirk)
    mine = reverse("activities:my_requests")
    url = reverse("activities:request_cancel", args=[request.pk])

    listing = client.get(mine)
    assert f'href="{url}?next={mine}"' in listing.text
    page = client.get(f"{url}?next={mine}")
    assert "De aanvraag van Leiden Lab College" in page.text
    assert "BioCorp krijgt bericht, met je reden." in page.text
    assert submit(client, url, button="yes", page=page).status_code == 400
    assert Request.objects.get(pk=request.pk).status == "requested"

    answer = submit(client, url, {"reason": "Toetsweek verschoven."}, button="yes", page=page)

    assert answer.status_code == 302 and answer["Location"] == mine
    assert Request.objects.get(pk=request.pk).status == "cancelled"
    told = Notification.objects.get(recipient=bram, event__verb="request_cancelled")
    assert told.event.note == "Toetsweek verschoven."
    with pytest.raises(ValidationError):
        services.cancel_request(actor=dirk, request=_request(guest_lesson, dirk, "X"), reason=" ")


def test_a_request_of_another_school_has_no_cancel_page(client, guest_lesson, dirk, eva):
    request = _request(guest_lesson, dirk, "LAB3A")
    client.force_login(eva)

    assert client.get(reverse("activities:request_cancel", args=[request.pk])).status_code == 404


# Withdrawing a nomination -------------------------------------------------------------------


def test_a_withdrawn_nomination_tells_the_company_why(client, posting, bram, dirk, school):
    nomination = services.nominate_student(
        actor=dirk, posting=posting, student=StudentFactory(school=school, display_name="Sam S.")
    )
    client.force_login(dirk)
    url = reverse("activities:nomination_withdraw", args=[nomination.pk])
    assert f'href="{url}?next=' in client.get(posting.get_absolute_url()).text

    page = client.get(url)
    assert "De voordracht van Sam S. voor “Stage analist” bij BioCorp" in page.text
    client.post_with_cookie_token(url, {})
    assert submit(client, url, button="yes", page=page).status_code == 400
    assert Nomination.objects.get(pk=nomination.pk).status == "nominated"
    submit(
        client, url, {"reason": "Sam kiest een stage dichter bij huis."}, button="yes", page=page
    )

    assert Nomination.objects.get(pk=nomination.pk).status == "withdrawn"
    told = Notification.objects.get(recipient=bram, event__verb="nomination_withdrawn")
    assert told.event.note == "Sam kiest een stage dichter bij huis."
    client.force_login(bram)
    notifications = client.get(reverse("activities:notifications")).text
    assert "Sam kiest een stage dichter bij huis." in notifications


def test_a_company_cannot_withdraw_a_nomination(client, posting, bram, dirk, school):
    nomination = services.nominate_student(
        actor=dirk, posting=posting, student=StudentFactory(school=school)
    )
    client.force_login(bram)

    url = reverse("activities:nomination_withdraw", args=[nomination.pk])
    assert client.get(url).status_code == 403


# Erasing a student --------------------------------------------------------------------------


def test_erasing_a_student_asks_first_and_says_what_goes(client, carla, dirk, posting, school):
    student = StudentFactory(school=school, display_name="Noor N.", student_number="S-77")
    services.nominate_student(actor=dirk, posting=posting, student=student)
    client.force_login(carla)
    url = reverse("students:student_erase", args=[student.pk])

    assert f'href="{url}"' in client.get(reverse("students:student_detail", args=[student.pk])).text
    page = client.get(url)
    assert "Noor N. wissen?" in page.text
    assert "voordrachten (1)" in page.text
    assert "Dit kan niet ongedaan worden gemaakt: ook het projectbureau" in page.text
    # The old one-click form's POST shows the page; nothing is erased.
    client.post_with_cookie_token(url, {})
    assert Student.objects.get(pk=student.pk).display_name == "Noor N."

    answer = submit(client, url, button="yes", page=page)

    assert answer.status_code == 302
    student.refresh_from_db()
    assert (student.display_name, student.erased_at is not None) == ("—", True)


def test_a_teacher_has_no_erase_page(client, dirk, school):
    student = StudentFactory(school=school)
    client.force_login(dirk)

    assert client.get(reverse("students:student_erase", args=[student.pk])).status_code == 403


# Publishing a report ------------------------------------------------------------------------


@pytest.fixture
def ready_report(lines, carla):
    from programmes.selectors import current_project

    quarter = current_project().quarters()[0]
    return Report.objects.create(
        kind=ReportKind.QUARTERLY,
        number=quarter[0],
        period_start=quarter[1],
        period_end=quarter[2],
        state=ReportState.READY,
        progress=100,
        requested_by=carla,
    )


def test_publishing_a_report_asks_first_and_names_who_gets_it(client, carla, fien, ready_report):
    client.force_login(carla)
    url = reverse("reports:report_publish", args=[ready_report.pk])

    assert f'href="{url}"' in client.get(reverse("reports:report_list")).text
    page = client.get(url)
    assert "verandert deze versie nooit meer" in page.text
    assert "1 account van een financier kan hem downloaden (Gemeente Voorbeeld)" in page.text
    client.post_with_cookie_token(url, {})
    assert not Report.objects.get(pk=ready_report.pk).is_published

    submit(client, url, button="yes", page=page)

    report = Report.objects.get(pk=ready_report.pk)
    assert report.is_published and report.published_by == carla
    # Published: the page no longer offers to publish it again.
    assert client.get(url).status_code == 302
    assert report.published_at <= timezone.now()


def test_cancelling_a_place_also_ends_its_waiting_list(posting, bram, dirk, school):
    waiting = services.nominate_student(
        actor=dirk, posting=posting, student=StudentFactory(school=school)
    )
    Nomination.objects.filter(pk=waiting.pk).update(status="waiting")

    services.change_activity_status(
        actor=bram, activity=posting, status="cancelled", note="De afdeling sluit."
    )

    assert Nomination.objects.get(pk=waiting.pk).status == "declined"
    assert Notification.objects.filter(recipient=dirk, event__to_status="cancelled").exists()
