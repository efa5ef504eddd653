import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from activities import services
from activities.models import Activity, ActivityKind, Request
from students.models import Qualification
from tests.browser import submit
from tests.conftest import days, draft_lesson
from tests.factories import CompanyFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db


def publish_many(n: int):
    """n published guest lessons and internships at n/2 other companies."""
    for i in range(n):
        company = CompanyFactory()
        host = UserFactory(organisation=company)
        if i % 2:
            kind, fields = (
                ActivityKind.GUEST_LESSON,
                {
                    "speaker": "S",
                    "format": "online",
                    "duration_minutes": 60,
                    "max_group_size": 20,
                },
            )
        else:
            kind, fields = (
                ActivityKind.INTERNSHIP,
                {
                    "route": "bol",
                    "start_date": days(40),
                    "duration_months": 3,
                    "days_per_week": 4,
                    "places": 2,
                    "location": "Leiden",
                },
            )
        activity = services.create_activity(
            actor=host, kind=kind, fields={"title": f"Kans {i}", **fields}
        )
        services.change_activity_status(actor=host, activity=activity, status="published")


def test_the_board_lists_open_opportunities_in_constant_queries(
    client, lines, dirk, django_assert_num_queries
):
    publish_many(30)
    client.force_login(dirk)

    # session, user, count, page of activities (with host, line, kind rows, places), their
    # qualifications, the filter's line/organisation/qualification choices (3), unread notifications
    with django_assert_num_queries(9):
        response = client.get(reverse("activities:board"))
    assert response.status_code == 200
    assert len(response.context["activities"]) == 20
    assert response.context["page"].paginator.count == 30


def test_the_board_filters_by_kind_and_text(client, lines, dirk, guest_lesson, posting):
    client.force_login(dirk)

    lessons = client.get(reverse("activities:board"), {"kind": "guest_lesson"})
    assert [a.pk for a in lessons.context["activities"]] == [guest_lesson.pk]
    found = client.get(reverse("activities:board"), {"q": "stage analist"})
    assert [a.pk for a in found.context["activities"]] == [posting.pk]
    bad = client.get(reverse("activities:board"), {"starts_after": "gisteren"})
    assert bad.status_code == 200
    assert bad.context["filter"].errors


def test_the_boards_organisation_filter_offers_the_partners_with_something_on_it(
    client, lines, dirk, posting
):
    from partners.models import Organisation

    idle = Organisation.objects.partners().exclude(pk=posting.host_id).order_by("name").first()
    client.force_login(dirk)
    for url in (reverse("activities:board"), reverse("activities:public_board")):
        page = client.get(url)
        offered = list(page.context["filter"].form.fields["host"].queryset)
        assert offered == [posting.host], url
        [select] = re.findall(r'<select[^>]*name="host".*?</select>', page.text, re.S)
        assert f'<option value="{posting.host_id}">' in select
        assert f'<option value="{idle.pk}">' not in select
        chosen = client.get(url, {"host": posting.host_id})
        assert [a.pk for a in chosen.context["activities"]] == [posting.pk]


def test_the_board_search_finds_by_host_name_and_short_name(client, lines, dirk, posting):
    client.force_login(dirk)
    host = posting.host
    host.short_name = "XQZ"
    host.save()

    for term in (host.name[2:8].lower(), "xqz"):
        found = client.get(reverse("activities:board"), {"q": term})
        assert posting.pk in [a.pk for a in found.context["activities"]], term
    none = client.get(reverse("activities:board"), {"q": "geen-enkele-treffer"})
    assert list(none.context["activities"]) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes: PostgreSQL only")
def test_the_board_search_can_use_its_trigram_indexes(lines, posting):
    """The indexes of migration activities 0003 must match the SQL Django writes for `icontains`,
    or the planner can never use them (with sequential scans off, it must then choose them)."""
    from activities.filters import ActivityFilter

    queryset = ActivityFilter(
        {"q": "stage analist"}, queryset=Activity.objects.all().order_by()
    ).qs.values("pk")
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "activity_title_trgm" in plan
    assert "activity_description_trgm" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's choice")
def test_the_board_sorted_by_deadline_reads_the_deadline_index_in_order(
    client, lines, dirk, posting
):
    """Sorted by application deadline, the board's page can be read from the index in order and
    stopped after twenty, rather than every open place sorted (with sorting made expensive,
    the planner must choose it)."""
    client.force_login(dirk)
    captured = []

    def keep(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        client.get(reverse("activities:board"), {"kind": "internship", "ordering": "deadline"})
    sql, params = next(
        (sql, params)
        for sql, params in captured
        if "ORDER BY" in sql and "application_deadline" in sql.split("ORDER BY")[-1]
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "posting_deadline_idx" in plan, plan


def test_drafts_show_only_to_their_own_organisation_and_coordinators(
    client, lines, bram, bea, olaf, dirk, carla
):
    draft = draft_lesson(bram)
    url = reverse("activities:activity_detail", args=[draft.pk])
    for person, expected in ((bram, 200), (bea, 200), (carla, 200), (olaf, 404), (dirk, 404)):
        client.force_login(person)
        assert client.get(url).status_code == expected, person


def test_funders_read_aggregates_only(client, lines, fien, guest_lesson):
    client.force_login(fien)

    assert client.get(reverse("activities:board")).status_code == 403
    assert (
        client.get(reverse("activities:activity_detail", args=[guest_lesson.pk])).status_code == 403
    )
    assert client.get(reverse("activities:my_requests")).status_code == 403


def test_a_company_sees_only_the_students_nominated_to_its_own_places(
    client, posting, dirk, bram, olaf, school
):
    nominated = StudentFactory(school=school, display_name="Amira B.", student_number="R-991")
    StudentFactory(school=school, display_name="Niet voorgedragen")
    services.nominate_student(actor=dirk, posting=posting, student=nominated)

    client.force_login(bram)
    page = client.get(reverse("activities:activity_detail", args=[posting.pk]))
    assert "Amira B." in page.text
    assert "R-991" not in page.text  # the school's own student number stays at the school
    assert "Niet voorgedragen" not in page.text
    client.force_login(olaf)
    other = client.get(reverse("activities:activity_detail", args=[posting.pk]))
    assert "Amira B." not in other.text
    assert client.get(reverse("activities:my_requests")).context["open_nominations"].rows == []


def test_dates_read_as_each_language_writes_them(client, posting):
    """Dutch abbreviates months in lower case ("24 nov 2026"); Django's `M` capitalises them."""
    deadline = posting.application_deadline
    dutch = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"][
        deadline.month - 1
    ]
    english = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][
        deadline.month - 1
    ]

    nl = client.get(reverse("activities:public_board"))
    en = client.get("/en" + reverse("activities:public_board"))

    assert f"solliciteren vóór {deadline.day} {dutch} {deadline.year}" in nl.text
    assert f"apply by {deadline.day} {english} {deadline.year}" in en.text


def test_the_public_board_shows_no_contact_details_and_no_drafts(client, lines, guest_lesson, bram):
    services.update_activity(actor=bram, activity=guest_lesson, fields={"contact": bram})
    draft_lesson(bram, "Geheim concept")

    response = client.get(reverse("activities:public_board"))

    assert response.status_code == 200
    assert "Van monster tot sequentie" in response.text
    assert "Geheim concept" not in response.text
    assert bram.email not in response.text
    assert reverse("activities:activity_detail", args=[guest_lesson.pk]) not in response.text


def test_the_csv_export_follows_the_filters_and_escapes_formulas(
    client, lines, dirk, bram, posting
):
    lesson = draft_lesson(bram, '=HYPERLINK("http://evil")')
    services.change_activity_status(actor=bram, activity=lesson, status="published")
    client.force_login(dirk)

    response = client.get(reverse("activities:board_csv"), {"kind": "guest_lesson"})

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 2
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'


def test_the_csv_export_holds_every_column_in_the_language_of_the_page(
    client, lines, dirk, guest_lesson, posting
):
    posting.qualifications.set(
        [
            Qualification.objects.create(crebo="25459", name="Laborant", level=3),
            Qualification.objects.create(crebo="25458", name="Analist", level=4),
        ]
    )
    Activity.objects.filter(pk=posting.pk).update(level=3, description="-intern")
    client.force_login(dirk)

    response = client.get(reverse("activities:board_csv"), {"ordering": "start"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert rows[0][0] == "Soort" and rows[0][-1] == "Adres"
    by_title = {row[1]: row for row in rows[1:]}
    place = by_title["Stage analist"]
    assert place[0] == "Stage of leerbaan"
    assert place[2] == posting.host.name
    assert place[3] == posting.programme_line.title
    assert place[4] == days(60).isoformat() and place[5] == ""
    assert place[6] == "25458; 25459"
    assert place[7] == "3"
    assert place[8] == "BOL (op school, met stage)"
    assert place[9] == "2"
    assert place[10] == days(30).isoformat()
    assert place[11] == f"http://testserver/activities/{posting.pk}/"
    lesson = by_title[guest_lesson.title]
    assert lesson[0] == "Gastles"
    assert lesson[6:11] == ["", "", "", "", ""]
    english = client.get("/en" + reverse("activities:board_csv"))
    assert b"Guest lesson" in b"".join(english.streaming_content)


def test_the_csv_export_lists_in_the_boards_order_and_every_qualification_under_a_filter(
    client, lines, dirk, guest_lesson, posting
):
    laborant = Qualification.objects.create(crebo="25459", name="Laborant", level=3)
    analist = Qualification.objects.create(crebo="25458", name="Analist", level=4)
    posting.qualifications.set([laborant, analist])
    # The posting was made after the guest lesson; newest first puts it on top, whichever row
    # the database happens to read first.
    for activity, age in ((posting, 1), (guest_lesson, 2)):
        Activity.objects.filter(pk=activity.pk).update(
            created_at=timezone.now() - timedelta(days=age)
        )
    client.force_login(dirk)
    url = reverse("activities:board_csv")

    def read(params):
        response = client.get(url, params)
        return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))[1:]

    board = client.get(reverse("activities:board")).context["activities"]
    assert [row[1] for row in read({})] == [a.title for a in board]
    Activity.objects.filter(pk=guest_lesson.pk).update(created_at=timezone.now())
    # Written afresh on every request: the change is in the next file.
    assert [row[1] for row in read({})] == [guest_lesson.title, posting.title]
    # Filtered by one qualification, the place still shows both it asks for.
    with CaptureQueriesContext(connection) as queries:
        [place] = read({"qualification": laborant.pk})
    assert place[1] == posting.title and place[6] == "25458; 25459"
    # The codes come gathered per activity (`CreboList`): the file's own query groups nothing,
    # which was half the database's time for a large board (make bench).
    [export] = [q["sql"] for q in queries.captured_queries if "activities_crebolist" in q["sql"]]
    assert "GROUP BY" not in export


def test_every_export_is_written_afresh_with_every_change_in_it(
    client, lines, dirk, bram, guest_lesson, posting
):
    laborant = Qualification.objects.create(crebo="25459", name="Laborant", level=3)
    client.force_login(dirk)
    url = reverse("activities:board_csv")

    def export(params=None):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params or {})
            body = b"".join(response.streaming_content).decode()
        written = [q for q in queries.captured_queries if "activities_activity" in q["sql"]]
        return list(csv.reader(io.StringIO(body)))[1:], len(written)

    first, written = export()
    again, written_again = export()
    # One query writes each file, the same file again included.
    assert (written, written_again) == (1, 1)
    assert again == first
    assert [row[1] for row in first] == [posting.title, guest_lesson.title]
    # Other filters are another file.
    assert [row[1] for row in export({"kind": "guest_lesson"})[0]] == [guest_lesson.title]

    # A save, a status change and a new qualification on the place (a many-to-many change) are
    # each in the next file.
    guest_lesson.title = "Van monster tot sequentie, deel 2"
    guest_lesson.save()
    rows, written = export()
    assert ([row[1] for row in rows], written) == ([posting.title, guest_lesson.title], 1)
    services.change_activity_status(actor=bram, activity=guest_lesson, status="cancelled")
    rows, written = export()
    assert ([row[1] for row in rows], written) == ([posting.title], 1)
    posting.qualifications.add(laborant)
    rows, written = export()
    assert (rows[0][6], written) == ("25459", 1)


def test_an_export_with_filters_that_match_nothing_is_the_header_alone(client, lines, dirk):
    client.force_login(dirk)

    response = client.get(reverse("activities:board_csv"), {"kind": "no-such-kind"})

    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    assert list(csv.reader(io.StringIO(text))) == [
        [
            "Soort",
            "Titel",
            "Organisatie",
            "Programmalijn",
            "Startdatum",
            "Einddatum",
            "Kwalificaties",
            "Niveau",
            "BOL/BBL",
            "Plaatsen",
            "Uiterste sollicitatiedatum",
            "Adres",
        ]
    ]


def test_saving_and_deleting_an_activity_leaves_the_qualification_view_alone(bram, lines):
    """The audit trail reads every field of an audited activity, the reverse link to the view
    (`CreboList`) included, unless told not to: a query on the view per save and delete."""
    with CaptureQueriesContext(connection) as queries:
        lesson = draft_lesson(bram, "Pipetteren")
        lesson.delete()

    assert not [q for q in queries.captured_queries if "activities_crebolist" in q["sql"]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database's own CSV writer")
def test_the_database_writes_the_same_csv_as_python(client, lines, dirk, guest_lesson, posting):
    """On PostgreSQL the export is written by COPY; elsewhere by Python's csv module. Both read
    back to the same rows, quotes, commas and line breaks included."""
    Activity.objects.filter(pk=guest_lesson.pk).update(title='Quote " comma, and\nbreak')
    client.force_login(dirk)
    url = reverse("activities:board_csv")

    def read(response):
        return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))

    by_database = read(client.get(url))
    original = connection.vendor
    connection.vendor = "elsewhere"
    try:
        by_python = read(client.get(url))
    finally:
        connection.vendor = original
    assert len(by_database) == 3
    assert by_database == by_python


def test_the_request_form_explains_errors_and_keeps_the_input(client, guest_lesson, dirk):
    client.force_login(dirk)

    response = submit(
        client,
        reverse("activities:activity_detail", args=[guest_lesson.pk]),
        {"date": days(-1).isoformat(), "group_name": "LAB3A", "student_count": "500"},
        button="Aanvraag versturen",
    )

    assert response.status_code == 400
    form = response.context["request_form"]
    assert "date" in form.errors
    assert 'value="LAB3A"' in response.text
    assert not Request.objects.exists()


def test_a_request_answered_with_htmx_returns_the_updated_row(client, guest_lesson, dirk, bram):
    request = services.request_activity(
        actor=dirk, activity=guest_lesson, date=days(9), group_name="LAB3A", student_count=20
    )
    client.force_login(bram)

    response = submit(
        client,
        reverse("activities:my_requests"),
        action=reverse("activities:request_answer", args=[request.pk]),
        button="Accepteren",
        htmx=True,
    )

    assert response.status_code == 200
    assert f'id="request-{request.pk}"' in response.text
    assert "<html" not in response.text
    request.refresh_from_db()
    assert request.status == "scheduled"


def test_a_request_answered_without_javascript_says_what_the_answer_did(
    client, guest_lesson, dirk, bram
):
    request = services.request_activity(
        actor=dirk, activity=guest_lesson, date=days(9), group_name="LAB3A", student_count=20
    )
    client.force_login(bram)

    response = submit(
        client,
        reverse("activities:my_requests"),
        action=reverse("activities:request_answer", args=[request.pk]),
        button="Accepteren",
        follow=True,
    )

    assert "Opgeslagen: de status is nu “Ingepland”." in response.text


def test_another_company_cannot_answer_a_request(client, guest_lesson, dirk, olaf):
    request = services.request_activity(
        actor=dirk, activity=guest_lesson, date=days(9), group_name="LAB3A", student_count=20
    )
    client.force_login(olaf)
    client.get(reverse("activities:my_requests"))

    # Olaf's pages offer no such form: this is what a forged request would send.
    response = client.post_with_cookie_token(
        reverse("activities:request_answer", args=[request.pk]), {"decision": "accept"}
    )

    assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == "requested"


def test_the_detail_and_request_pages_render_in_constant_queries(
    client, guest_lesson, bram, school, django_assert_num_queries
):
    for i in range(15):
        teacher = UserFactory(organisation=school, role="school_staff")
        services.request_activity(
            actor=teacher,
            activity=guest_lesson,
            date=days(5 + i),
            group_name=f"G{i}",
            student_count=10,
        )
    client.force_login(bram)

    # session, user, activity, its guest-lesson row, requests counted, a page of them,
    # nominations counted (none: no page read), the timeline's lines counted, a page of them,
    # qualifications, partners, unread notifications
    with django_assert_num_queries(12):
        client.get(reverse("activities:activity_detail", args=[guest_lesson.pk]))
    # session, user, requests counted open and answered, nominations counted likewise, a page of
    # open requests (none answered, no nominations: no page read for those), unread
    with django_assert_num_queries(6):
        response = client.get(reverse("activities:my_requests"))
    assert response.context["open_requests"].count == 15


def test_creating_an_activity_with_bad_dates_keeps_the_input(client, lines, bram):
    client.force_login(bram)

    response = submit(
        client,
        reverse("activities:activity_create", args=["internship"]),
        {
            "title": "Stage",
            "route": "bol",
            "start_date": days(30).isoformat(),
            "end_date": days(10).isoformat(),
            "application_deadline": days(40).isoformat(),
            "days_per_week": "4",
            "places": "1",
            "location": "Leiden",
        },
        button="Opslaan als concept",
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "end_date" in errors or "__all__" in errors
    assert 'value="Stage"' in response.text
    assert not Activity.objects.exists()


def test_the_notifications_page_lists_and_marks_read(client, guest_lesson, dirk, bram):
    services.request_activity(
        actor=dirk, activity=guest_lesson, date=days(9), group_name="LAB3A", student_count=20
    )
    client.force_login(bram)

    page = client.get(reverse("activities:notifications"))
    assert "Van monster tot sequentie" in page.text
    assert page.context["unread_notifications"] == 1
    submit(client, reverse("activities:notifications"), button="Alles markeren als gelezen")
    assert client.get(reverse("activities:notifications")).context["unread_notifications"] == 0


def test_the_calendar_feed_parses_and_a_new_address_locks_out_the_old(
    client, guest_lesson, dirk, bram
):
    request = services.request_activity(
        actor=dirk, activity=guest_lesson, date=days(9), group_name="LAB3A", student_count=20
    )
    services.answer_request(actor=bram, request=request, decision="accept")
    feed = services.calendar_feed_for(actor=dirk)
    url = reverse("calendar_feed", args=[feed.token])

    response = client.get(url)

    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    assert events[0].decoded("dtstart") == days(9)
    assert "Van monster tot sequentie" in str(events[0]["summary"])

    client.force_login(dirk)
    submit(
        client,
        reverse("activities:calendar"),
        action=reverse("activities:calendar_regenerate"),
    )
    assert client.get(url).status_code == 404
    new = services.calendar_feed_for(actor=dirk)
    assert client.get(reverse("calendar_feed", args=[new.token])).status_code == 200


def test_an_unknown_status_is_a_message_not_a_server_error(client, guest_lesson, bram):
    client.force_login(bram)
    client.get(reverse("activities:activity_detail", args=[guest_lesson.pk]))

    # What a tampered form sends: a status the page never offered.
    response = client.post_with_cookie_token(
        reverse("activities:activity_status", args=[guest_lesson.pk]),
        {"status": "bogus"},
        follow=True,
    )

    assert response.status_code == 200
    assert list(response.context["messages"])
    assert Activity.objects.get(pk=guest_lesson.pk).status == "published"


def test_the_calendar_feed_stops_for_a_former_partner(client, guest_lesson, dirk, school):
    feed = services.calendar_feed_for(actor=dirk)
    url = reverse("calendar_feed", args=[feed.token])
    assert client.get(url).status_code == 200

    school.active_until = days(-1)
    school.active_since = days(-100)
    school.save()

    assert client.get(url).status_code == 404


def test_a_withdrawn_nomination_disappears_for_the_company(client, posting, dirk, bram, school):
    student = StudentFactory(school=school, display_name="Teruggetrokken T.")
    nomination = services.nominate_student(actor=dirk, posting=posting, student=student)
    services.withdraw_nomination(actor=dirk, nomination=nomination, reason="Verhuisd")
    client.force_login(bram)

    page = client.get(reverse("activities:activity_detail", args=[posting.pk]))

    assert "Teruggetrokken T." not in page.text


def test_the_detail_page_stays_constant_with_many_nominations(
    client, posting, bram, dirk, school, django_assert_num_queries
):
    for _ in range(12):
        services.nominate_student(
            actor=dirk, posting=posting, student=StudentFactory(school=school)
        )
    client.force_login(bram)

    # session, user, activity, its posting row, requests counted (none: no page read),
    # nominations counted, a page of them, their students' qualifications, who nominated them,
    # the timeline's lines counted, a page of them, places filled, qualifications, partners,
    # unread notifications
    with django_assert_num_queries(15):
        response = client.get(reverse("activities:activity_detail", args=[posting.pk]))
    assert response.context["nominations"].count == 12


def test_the_public_board_shows_the_places_still_open(client, posting, dirk, bram, school):
    student = StudentFactory(school=school)
    nomination = services.nominate_student(actor=dirk, posting=posting, student=student)
    services.answer_nomination(actor=bram, nomination=nomination, accept=True)

    page = client.get(reverse("activities:public_board"))

    # Two places, one student placed: one place is open (not "2 places, 1 filled").
    assert "1 plaats vrij" in page.text
    assert "bezet" not in page.text
