"""The flows of the activities, through the services: every step, every refusal."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import translation

from activities import services
from activities.models import (
    Activity,
    ActivityEvent,
    ActivityKind,
    Nomination,
    Notification,
    Placement,
    Request,
)
from partners.models import Role
from tests.conftest import days, draft_lesson
from tests.factories import QualificationFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_guest_lesson_goes_from_request_via_a_proposed_date_to_delivered(
    guest_lesson, bram, dirk
):
    request = services.request_activity(
        actor=dirk, activity=guest_lesson, date=days(7), group_name="LAB3A", student_count=20
    )
    # The company hears of it in the app.
    assert Notification.objects.filter(recipient=bram, event__request=request).exists()

    services.answer_request(
        actor=bram, request=request, decision="propose", proposed_date=days(14), message="Later?"
    )
    request.refresh_from_db()
    assert (request.status, request.proposed_date) == ("proposed", days(14))
    assert Notification.objects.filter(recipient=dirk, event__verb="request_propose").exists()

    services.respond_to_proposal(actor=dirk, request=request, accept=True)
    request.refresh_from_db()
    assert (request.status, request.date) == ("scheduled", days(14))

    with pytest.raises(ValidationError):
        services.report_delivery(actor=dirk, request=request, students_reached=18)
    Request.objects.filter(pk=request.pk).update(date=days(0))  # the day of the lesson comes
    services.report_delivery(actor=dirk, request=request, students_reached=18, feedback="Top")
    services.report_delivery(actor=bram, request=request, feedback="Leuke groep")
    request.refresh_from_db()
    assert request.status == "delivered"
    assert (request.students_reached, request.teacher_feedback, request.host_feedback) == (
        18,
        "Top",
        "Leuke groep",
    )
    verbs = list(ActivityEvent.objects.filter(request=request).values_list("verb", flat=True))
    assert verbs == [
        "requested",
        "request_propose",
        "proposal_accepted",
        "delivered",
        "delivered",
    ]
    assert all(e.actor_id for e in ActivityEvent.objects.filter(request=request))


def test_the_host_declines_and_the_teacher_is_told(guest_lesson, bram, dirk):
    request = services.request_activity(
        actor=dirk, activity=guest_lesson, date=days(7), group_name="LAB3A", student_count=20
    )

    services.answer_request(actor=bram, request=request, decision="decline", message="Vol")

    request.refresh_from_db()
    assert (request.status, request.host_message) == ("declined", "Vol")
    assert Notification.objects.filter(recipient=dirk, event__verb="request_decline").exists()
    with pytest.raises(ValidationError):
        services.answer_request(actor=bram, request=request, decision="accept")


def test_bad_requests_are_refused_with_a_reason(guest_lesson, dirk):
    for date, count, field in (
        (days(0), 10, "date"),
        (days(-3), 10, "date"),
        (days(5), 26, "student_count"),
    ):
        with pytest.raises(ValidationError) as error:
            services.request_activity(
                actor=dirk, activity=guest_lesson, date=date, group_name="X", student_count=count
            )
        assert field in error.value.message_dict
    assert not Request.objects.exists()


def test_a_double_clicked_request_makes_one_request(guest_lesson, dirk):
    first = services.request_activity(
        actor=dirk, activity=guest_lesson, date=days(7), group_name="LAB3A", student_count=20
    )
    second = services.request_activity(
        actor=dirk, activity=guest_lesson, date=days(7), group_name="lab3a ", student_count=20
    )

    assert first.pk == second.pk
    assert Request.objects.count() == 1


def test_only_school_staff_request_and_only_the_host_answers(
    guest_lesson, bram, olaf, dirk, fien, bea
):
    for person in (olaf, fien, bram):
        with pytest.raises(PermissionDenied):
            services.request_activity(
                actor=person, activity=guest_lesson, date=days(7), group_name="X", student_count=2
            )
    request = services.request_activity(
        actor=dirk, activity=guest_lesson, date=days(7), group_name="X", student_count=2
    )
    for person in (olaf, dirk, fien):
        with pytest.raises(PermissionDenied):
            services.answer_request(actor=person, request=request, decision="accept")
    # A colleague at the host may answer.
    services.answer_request(actor=bea, request=request, decision="accept")


def test_a_draft_or_closed_offer_cannot_be_requested(lines, bram, dirk):
    lesson = draft_lesson(bram, max_group_size=10)
    with pytest.raises(ValidationError, match="niet meer open"):
        services.request_activity(
            actor=dirk, activity=lesson, date=days(7), group_name="X", student_count=2
        )


def test_cancelling_an_offer_tells_the_schools_with_open_requests(guest_lesson, bram, dirk):
    services.request_activity(
        actor=dirk, activity=guest_lesson, date=days(7), group_name="X", student_count=2
    )

    services.change_activity_status(
        actor=bram, activity=guest_lesson, status="cancelled", note="Ziek"
    )

    assert Notification.objects.filter(recipient=dirk, event__to_status="cancelled").exists()


def test_an_offer_is_cancelled_when_a_requester_was_deleted(guest_lesson, bram, dirk, school):
    # A request outlives the account of whoever made it (requested_by becomes empty).
    gone = UserFactory(organisation=school, role=Role.SCHOOL_STAFF)
    request = services.request_activity(
        actor=gone, activity=guest_lesson, date=days(7), group_name="Y", student_count=2
    )
    services.request_activity(
        actor=dirk, activity=guest_lesson, date=days(8), group_name="X", student_count=2
    )
    gone.delete()

    services.change_activity_status(
        actor=bram, activity=guest_lesson, status="cancelled", note="Ziek"
    )

    assert Request.objects.get(pk=request.pk).status == "cancelled"
    assert Notification.objects.filter(recipient=dirk, event__to_status="cancelled").exists()


def test_status_changes_follow_the_flow(guest_lesson, bram, olaf):
    with pytest.raises(ValidationError):
        services.change_activity_status(actor=bram, activity=guest_lesson, status="delivered")
    with pytest.raises(PermissionDenied):
        services.change_activity_status(actor=olaf, activity=guest_lesson, status="closed")
    services.change_activity_status(actor=bram, activity=guest_lesson, status="closed")
    assert Activity.objects.get(pk=guest_lesson.pk).status == "closed"


def test_a_company_edits_only_its_own_activities(guest_lesson, olaf, carla):
    with pytest.raises(PermissionDenied):
        services.update_activity(actor=olaf, activity=guest_lesson, fields={"title": "Gekaapt"})
    services.update_activity(
        actor=carla, activity=guest_lesson, fields={"title": "Door coördinator"}
    )
    assert Activity.objects.get(pk=guest_lesson.pk).title == "Door coördinator"


def test_bad_activity_dates_are_explained(lines, bram):
    for fields, field in (
        ({"start_date": days(10), "end_date": days(5), "duration_months": 2}, "end_date"),
        (
            {"start_date": days(10), "application_deadline": days(20), "duration_months": 2},
            "application_deadline",
        ),
        ({"start_date": days(10)}, "duration_months"),
    ):
        with pytest.raises(ValidationError) as error:
            services.create_activity(
                actor=bram,
                kind=ActivityKind.INTERNSHIP,
                fields={
                    "title": "S",
                    "route": "bol",
                    "days_per_week": 4,
                    "places": 1,
                    "location": "L",
                    **fields,
                },
            )
        assert field in error.value.message_dict
    assert not Activity.objects.exists()


def test_an_invalid_crebo_code_is_refused():
    for code in ("1234", "123456", "12a45"):
        with pytest.raises(ValidationError):
            QualificationFactory.build(crebo=code).full_clean()


# Nominations -----------------------------------------------------------------------------------


def test_a_nomination_is_accepted_into_a_placement_and_the_last_place_fills_the_posting(
    posting, bram, dirk, school
):
    first, second = StudentFactory.create_batch(2, school=school)

    a = services.nominate_student(actor=dirk, posting=posting, student=first, motivation="Goed")
    b = services.nominate_student(actor=dirk, posting=posting, student=second)
    assert Notification.objects.filter(recipient=bram, event__nomination=a).exists()
    services.answer_nomination(actor=bram, nomination=a, accept=True, message="Welkom")
    services.answer_nomination(actor=bram, nomination=b, accept=True)

    placement = Placement.objects.get(nomination=a)
    assert placement.start_date == posting.start_date
    assert Activity.objects.get(pk=posting.pk).status == "filled"
    third = StudentFactory(school=school)
    with pytest.raises(ValidationError):
        services.nominate_student(actor=dirk, posting=posting, student=third)
    services.record_placement_agreement(
        actor=dirk, placement=placement, pok_reference="POK-2026-17"
    )
    placement.refresh_from_db()
    assert placement.pok_reference == "POK-2026-17"


def test_nominating_is_refused_for_the_wrong_student_or_place(
    posting, dirk, eva, school, other_school
):
    own = StudentFactory(school=school)
    with pytest.raises(PermissionDenied):
        services.nominate_student(
            actor=eva, posting=posting, student=own
        )  # another school's student
    bbl = StudentFactory(school=school, route="bbl")
    with pytest.raises(ValidationError):
        services.nominate_student(actor=dirk, posting=posting, student=bbl)
    left = StudentFactory(school=school, left_on=days(-10))
    with pytest.raises(ValidationError):
        services.nominate_student(actor=dirk, posting=posting, student=left)
    posting.application_deadline = days(-1)
    posting.save()
    with pytest.raises(ValidationError):
        services.nominate_student(actor=dirk, posting=posting, student=own)
    assert not Nomination.objects.exists()


def test_a_double_clicked_nomination_makes_one(posting, dirk, school):
    student = StudentFactory(school=school)

    first = services.nominate_student(actor=dirk, posting=posting, student=student)
    second = services.nominate_student(actor=dirk, posting=posting, student=student)

    assert first.pk == second.pk
    with pytest.raises(IntegrityError):
        Nomination.objects.create(posting=posting, student=student)


def test_only_the_company_answers_and_only_the_school_withdraws(
    posting, dirk, bram, olaf, eva, school
):
    nomination = services.nominate_student(
        actor=dirk, posting=posting, student=StudentFactory(school=school)
    )
    for person in (olaf, dirk, eva):
        with pytest.raises(PermissionDenied):
            services.answer_nomination(actor=person, nomination=nomination, accept=True)
    with pytest.raises(PermissionDenied):
        services.withdraw_nomination(actor=bram, nomination=nomination, reason="Mag niet")
    services.withdraw_nomination(actor=dirk, nomination=nomination, reason="Verhuisd")
    nomination.refresh_from_db()
    assert nomination.status == "withdrawn"
    # A withdrawn student may be put forward again.
    again = services.nominate_student(actor=dirk, posting=posting, student=nomination.student)
    assert again.pk != nomination.pk


def test_a_delivered_image_activity_records_the_people_reached(lines, carla):
    open_day = services.create_activity(
        actor=carla,
        kind=ActivityKind.IMAGE,
        fields={
            "title": "Open dag",
            "event_type": "open_day",
            "audience": "vo_pupils",
            "start_date": days(-1),
        },
    )
    services.change_activity_status(actor=carla, activity=open_day, status="planned")
    with pytest.raises(ValidationError):
        services.change_activity_status(actor=carla, activity=open_day, status="delivered")
    services.change_activity_status(
        actor=carla, activity=open_day, status="delivered", people_reached=240
    )
    open_day.event.refresh_from_db()
    assert open_day.event.people_reached == 240


def test_cancelling_an_offer_ends_its_open_requests_and_nominations(
    guest_lesson, posting, bram, dirk, school
):
    request = services.request_activity(
        actor=dirk, activity=guest_lesson, date=days(7), group_name="X", student_count=2
    )
    services.answer_request(actor=bram, request=request, decision="accept")
    nomination = services.nominate_student(
        actor=dirk, posting=posting, student=StudentFactory(school=school)
    )

    services.change_activity_status(
        actor=bram, activity=guest_lesson, status="cancelled", note="Spreker ziek"
    )
    services.change_activity_status(
        actor=bram, activity=posting, status="cancelled", note="Afdeling gesloten"
    )

    request.refresh_from_db()
    nomination.refresh_from_db()
    assert request.status == "cancelled"
    assert nomination.status == "declined"
    with pytest.raises(ValidationError):
        services.answer_nomination(actor=bram, nomination=nomination, accept=True)


def test_the_last_place_filled_tells_the_students_still_waiting(posting, bram, dirk, school):
    a, b, c = (
        services.nominate_student(
            actor=dirk, posting=posting, student=StudentFactory(school=school)
        )
        for _ in range(3)
    )
    services.answer_nomination(actor=bram, nomination=a, accept=True)
    services.answer_nomination(actor=bram, nomination=b, accept=True)

    c.refresh_from_db()
    # civbio set it aside (the company never answered it), and the teacher hears that from civbio.
    assert (c.status, c.response) == ("waiting", "")
    told = Notification.objects.get(recipient=dirk, event__nomination=c)
    assert (told.event.verb, told.event.actor) == ("nomination_waiting", None)


def test_places_cannot_be_edited_below_those_filled(posting, bram, dirk, school):
    nomination = services.nominate_student(
        actor=dirk, posting=posting, student=StudentFactory(school=school)
    )
    services.answer_nomination(actor=bram, nomination=nomination, accept=True)

    with pytest.raises(ValidationError) as error:
        services.update_activity(actor=bram, activity=posting, fields={"places": 0})
    assert "places" in error.value.message_dict
    services.update_activity(actor=bram, activity=posting, fields={"places": 1})
    assert Activity.objects.get(pk=posting.pk).status == "filled"


def test_a_date_outside_the_offered_period_is_refused(guest_lesson, bram, dirk):
    services.update_activity(
        actor=bram, activity=guest_lesson, fields={"start_date": days(10), "end_date": days(40)}
    )
    for day in (days(5), days(41)):
        with pytest.raises(ValidationError) as error:
            services.request_activity(
                actor=dirk, activity=guest_lesson, date=day, group_name="X", student_count=2
            )
        assert "date" in error.value.message_dict
    request = services.request_activity(
        actor=dirk, activity=guest_lesson, date=days(12), group_name="X", student_count=2
    )
    with pytest.raises(ValidationError):
        services.answer_request(
            actor=bram, request=request, decision="propose", proposed_date=days(50)
        )


def test_the_school_counts_the_students_reached_not_the_host(guest_lesson, bram, dirk):
    request = services.request_activity(
        actor=dirk, activity=guest_lesson, date=days(7), group_name="X", student_count=20
    )
    services.answer_request(actor=bram, request=request, decision="accept")
    Request.objects.filter(pk=request.pk).update(date=days(0))

    services.report_delivery(actor=dirk, request=request, students_reached=17)
    services.report_delivery(actor=bram, request=request, students_reached=3, feedback="Fijn")

    request.refresh_from_db()
    assert (request.students_reached, request.host_feedback) == (17, "Fijn")


def test_a_company_visit_holds_its_capacity_per_day(lines, bram, dirk, eva):
    visit = services.create_activity(
        actor=bram,
        kind=ActivityKind.COMPANY_VISIT,
        fields={"title": "Rondleiding", "audience": "mbo_students", "capacity": 25},
    )
    services.change_activity_status(actor=bram, activity=visit, status="published")
    services.request_activity(
        actor=dirk, activity=visit, date=days(7), group_name="A", student_count=20
    )

    with pytest.raises(ValidationError) as error:
        services.request_activity(
            actor=eva, activity=visit, date=days(7), group_name="B", student_count=10
        )
    assert "student_count" in error.value.message_dict
    services.request_activity(
        actor=eva, activity=visit, date=days(8), group_name="B", student_count=10
    )


def test_a_practicum_assignment_is_taken_and_its_results_returned(lines, bram, dirk):
    case = services.create_activity(
        actor=bram,
        kind=ActivityKind.PRACTICUM,
        fields={"title": "Watermonsters", "deliverable": "Meetrapport", "max_group_size": 24},
    )
    services.change_activity_status(actor=bram, activity=case, status="published")
    request = services.request_activity(
        actor=dirk, activity=case, date=days(3), group_name="LAB3A", student_count=20
    )
    services.answer_request(actor=bram, request=request, decision="accept")
    Request.objects.filter(pk=request.pk).update(date=days(-1))

    services.report_delivery(
        actor=dirk, request=request, results="Rapport gedeeld", students_reached=20
    )

    request.refresh_from_db()
    assert (request.status, request.results) == ("delivered", "Rapport gedeeld")


def test_a_rejected_proposal_cancels_the_request(guest_lesson, bram, dirk):
    request = services.request_activity(
        actor=dirk, activity=guest_lesson, date=days(7), group_name="X", student_count=2
    )
    services.answer_request(actor=bram, request=request, decision="propose", proposed_date=days(9))

    services.respond_to_proposal(actor=dirk, request=request, accept=False)

    request.refresh_from_db()
    assert request.status == "cancelled"
    assert Notification.objects.filter(recipient=bram, event__verb="proposal_rejected").exists()


def test_a_coordinator_at_a_school_requests_and_creates_for_a_partner(guest_lesson, carla, company):
    request = services.request_activity(
        actor=carla, activity=guest_lesson, date=days(7), group_name="X", student_count=2
    )
    assert request.school == carla.organisation
    visit = services.create_activity(
        actor=carla,
        kind=ActivityKind.COMPANY_VISIT,
        host=company,
        fields={"title": "Namens BioCorp", "audience": "mbo_students"},
    )
    assert visit.host == company


def test_a_research_phase_change_shows_on_the_timeline(lines, dirk):
    project = services.create_activity(
        actor=dirk,
        kind=ActivityKind.RESEARCH,
        fields={
            "title": "Lab-automatisering",
            "research_question": "Wat verandert?",
            "track": "work_field",
        },
    )
    services.update_activity(
        actor=dirk, activity=project.researchproject, fields={"phase": "fieldwork"}
    )

    phase = ActivityEvent.objects.get(activity=project, verb="phase")
    # The line reads as a sentence in the reader's language, not the bare verb.
    with translation.override("nl"):
        assert (phase.description, phase.note) == ("heeft de onderzoeksfase gewijzigd", "Veldwerk")
    services.add_research_output(
        actor=dirk, project=project.researchproject, fields={"kind": "report", "title": "Rapport"}
    )
    assert project.researchproject.outputs.count() == 1


def test_a_double_submitted_create_form_makes_one_activity(lines, bram):
    token = uuid.uuid4()
    fields = {
        "title": "Les",
        "speaker": "B",
        "format": "online",
        "duration_minutes": 60,
        "max_group_size": 10,
    }

    first = services.create_activity(
        actor=bram, kind=ActivityKind.GUEST_LESSON, fields=dict(fields), submission_token=token
    )
    second = services.create_activity(
        actor=bram, kind=ActivityKind.GUEST_LESSON, fields=dict(fields), submission_token=token
    )

    assert first.pk == second.pk
    assert Activity.objects.count() == 1
