"""A place that fills up is civbio's decision, told plainly to each teacher, and the nominations it
set aside wait on a list that is offered again, first come first served, when a place frees."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from activities import services
from activities.models import Activity, ActivityEvent, Nomination, Notification, Placement
from tests.activities.test_concurrency import run_at_once
from tests.browser import submit
from tests.conftest import days
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def nominate(dirk, posting, school, n: int) -> list[Nomination]:
    return [
        services.nominate_student(
            actor=dirk, posting=posting, student=StudentFactory(school=school)
        )
        for _ in range(n)
    ]


def statuses(nominations) -> list[str]:
    return [Nomination.objects.get(pk=n.pk).status for n in nominations]


def test_a_full_place_puts_the_unanswered_nominations_on_the_waiting_list_in_civbios_name(
    posting, bram, dirk, school
):
    a, b, c, d = nominate(dirk, posting, school, 4)
    services.answer_nomination(actor=bram, nomination=a, accept=True)
    services.answer_nomination(actor=bram, nomination=b, accept=True)

    assert statuses([c, d]) == ["waiting", "waiting"]
    # Nothing is put in the company's mouth: it never answered these two.
    assert Nomination.objects.get(pk=c.pk).response == ""
    told = Notification.objects.filter(recipient=dirk, event__verb="nomination_waiting")
    assert told.count() == 2
    assert {n.event.actor for n in told} == {None}
    assert {n.event.nomination_id for n in told} == {c.pk, d.pk}
    with pytest.raises(ValidationError):
        services.answer_nomination(actor=bram, nomination=c, accept=True)


def test_a_withdrawn_placement_offers_the_first_on_the_waiting_list_again(
    posting, bram, dirk, school
):
    a, b, c, d = nominate(dirk, posting, school, 4)
    services.answer_nomination(actor=bram, nomination=a, accept=True)
    services.answer_nomination(actor=bram, nomination=b, accept=True)

    services.withdraw_nomination(actor=dirk, nomination=a, reason="Andere stage gevonden")

    assert statuses([a, c, d]) == ["withdrawn", "nominated", "waiting"]
    assert not Placement.objects.filter(nomination=a).exists()
    assert Activity.objects.get(pk=posting.pk).status == "published"
    offered = ActivityEvent.objects.get(verb="nomination_offered")
    assert (offered.nomination_id, offered.actor) == (c.pk, None)
    assert set(offered.notifications.values_list("recipient", flat=True)) == {dirk.pk, bram.pk}
    # The company's answer now is its own; declining lets the next one in.
    services.answer_nomination(actor=bram, nomination=c, accept=False, message="Past niet")
    assert statuses([c, d]) == ["declined", "nominated"]
    services.answer_nomination(actor=bram, nomination=d, accept=True)
    assert Activity.objects.get(pk=posting.pk).status == "filled"


def test_more_places_offer_as_many_from_the_waiting_list_in_order(posting, bram, dirk, school):
    nominations = nominate(dirk, posting, school, 6)
    for n in nominations[:2]:
        services.answer_nomination(actor=bram, nomination=n, accept=True)

    services.update_activity(actor=bram, activity=posting, fields={"places": 4})

    assert statuses(nominations[2:]) == ["nominated", "nominated", "waiting", "waiting"]
    positions = dict(
        Nomination.objects.with_waiting_position()
        .filter(posting=posting)
        .values_list("pk", "waiting_position")
    )
    assert [positions[n.pk] for n in nominations[2:]] == [None, None, 1, 2]


def test_taking_a_nomination_off_the_waiting_list_frees_no_place_and_moves_the_rest_up(
    posting, bram, dirk, school
):
    a, b, c, d = nominate(dirk, posting, school, 4)
    services.answer_nomination(actor=bram, nomination=a, accept=True)
    services.answer_nomination(actor=bram, nomination=b, accept=True)

    services.withdraw_nomination(actor=dirk, nomination=c, reason="Wil niet meer")

    assert statuses([c, d]) == ["withdrawn", "waiting"]
    assert Nomination.objects.with_waiting_position().get(pk=d.pk).waiting_position == 1
    assert Activity.objects.get(pk=posting.pk).status == "filled"


def test_a_started_placement_cannot_be_withdrawn(posting, bram, dirk, school):
    (a,) = nominate(dirk, posting, school, 1)
    services.answer_nomination(
        actor=bram, nomination=a, accept=True, start_date=days(0), end_date=days(90)
    )
    with pytest.raises(ValidationError):
        services.withdraw_nomination(actor=dirk, nomination=a, reason="Te laat")
    assert statuses([a]) == ["accepted"]


def test_the_rows_show_the_waiting_list_to_teacher_and_company(
    client, posting, bram, dirk, school, django_assert_max_num_queries
):
    nominations = nominate(dirk, posting, school, 5)
    for n in nominations[:2]:
        services.answer_nomination(actor=bram, nomination=n, accept=True)
    url = posting.get_absolute_url()

    client.force_login(dirk)
    page = client.get(url)
    assert page.text.count("Op de wachtlijst") >= 3
    assert "nummer 3 op de wachtlijst" in page.text
    assert "krijgt het bedrijf hem weer" in page.text
    assert "Bedrijf: " not in page.text

    client.force_login(bram)
    mine = client.get(reverse("activities:my_requests"))
    assert "nummer 1 op de wachtlijst" in mine.text
    assert "komt hij bij jou terug" in mine.text


def test_the_teacher_withdraws_an_accepted_placement_from_the_page_and_the_next_is_offered(
    client, posting, bram, dirk, school
):
    a, b, c = nominate(dirk, posting, school, 3)
    services.answer_nomination(actor=bram, nomination=a, accept=True)
    services.answer_nomination(actor=bram, nomination=b, accept=True)
    client.force_login(dirk)
    confirm = reverse("activities:nomination_withdraw", args=[a.pk])

    response = submit(
        client, confirm, {"reason": "Student stopt met de opleiding"}, button="confirm"
    )

    assert response.status_code == 302
    assert statuses([a, c]) == ["withdrawn", "nominated"]
    assert Notification.objects.filter(recipient=bram, event__verb="placement_withdrawn").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_places_freed_at_the_same_moment_offer_each_waiting_nomination_once_in_order(
    posting, bram, dirk, school
):
    nominations = nominate(dirk, posting, school, 7)
    first, second = nominations[:2]
    for n in (first, second):
        services.answer_nomination(actor=bram, nomination=n, accept=True)

    outcomes = run_at_once(
        [
            lambda: services.withdraw_nomination(actor=dirk, nomination=first, reason="Weg"),
            lambda: services.withdraw_nomination(actor=dirk, nomination=second, reason="Weg"),
            lambda: services.update_activity(actor=bram, activity=posting, fields={"places": 3}),
        ]
    )

    assert outcomes == ["ok", "ok", "ok"]
    # Three places, none taken: the first three of the waiting list are offered, the rest wait.
    assert statuses(nominations[2:]) == ["nominated"] * 3 + ["waiting"] * 2
    assert ActivityEvent.objects.filter(verb="nomination_offered").count() == 3


def test_a_newcomer_queues_behind_the_waiting_list_and_a_closed_place_ends_it(
    posting, bram, dirk, school
):
    a, b, c, d = nominate(dirk, posting, school, 4)
    services.answer_nomination(actor=bram, nomination=a, accept=True)
    services.answer_nomination(actor=bram, nomination=b, accept=True)
    services.withdraw_nomination(actor=dirk, nomination=a, reason="Andere stage gevonden")
    assert statuses([c, d]) == ["nominated", "waiting"]

    [e] = nominate(dirk, posting, school, 1)

    # d came first: e waits behind d, and the company does not get e before d.
    assert statuses([d, e]) == ["waiting", "waiting"]
    services.answer_nomination(actor=bram, nomination=c, accept=False, message="Past niet")
    assert statuses([d, e]) == ["nominated", "waiting"]

    services.change_activity_status(actor=bram, activity=posting, status="closed")

    assert statuses([d, e]) == ["nominated", "declined"]
    assert "wachtlijst" in Nomination.objects.get(pk=e.pk).response


def test_a_place_reopened_after_it_filled_and_freed_again_returns_published(
    posting, bram, dirk, school
):
    a, b, _c = nominate(dirk, posting, school, 3)
    services.answer_nomination(actor=bram, nomination=a, accept=True)
    services.answer_nomination(actor=bram, nomination=b, accept=True)
    services.withdraw_nomination(actor=dirk, nomination=a, reason="Verhuisd")
    services.change_activity_status(
        actor=bram, activity=posting, status="cancelled", note="Project gestopt"
    )

    services.reopen_activity(actor=bram, activity=Activity.objects.get(pk=posting.pk))

    assert Activity.objects.get(pk=posting.pk).status == "published"
