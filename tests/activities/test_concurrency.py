"""Places are never over-filled, even when many answers arrive at the same moment."""

import threading

import pytest
from django.db import connection

from activities import services
from activities.models import Activity, Nomination
from tests.factories import StudentFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI requires it)"
)


def run_at_once(functions) -> list[str]:
    barrier = threading.Barrier(len(functions))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(function):
        barrier.wait()
        try:
            function()
            result = "ok"
        except Exception as exc:  # the outcome is what the test counts
            result = type(exc).__name__
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_twenty_acceptances_at_once_for_two_places_accept_exactly_two(posting, bram, dirk, school):
    nominations = [
        services.nominate_student(
            actor=dirk, posting=posting, student=StudentFactory(school=school)
        )
        for _ in range(20)
    ]

    outcomes = run_at_once(
        [
            (lambda n=n: services.answer_nomination(actor=bram, nomination=n, accept=True))
            for n in nominations
        ]
    )

    assert outcomes.count("ok") == 2
    assert Nomination.objects.filter(posting=posting, status="accepted").count() == 2
    assert Activity.objects.get(pk=posting.pk).status == "filled"


@pytest.mark.django_db(transaction=True)
def test_twenty_nominations_of_one_student_at_once_make_one(posting, dirk, school):
    student = StudentFactory(school=school)

    outcomes = run_at_once(
        [
            (lambda: services.nominate_student(actor=dirk, posting=posting, student=student))
            for _ in range(20)
        ]
    )

    assert outcomes.count("ok") == 20
    assert Nomination.objects.filter(posting=posting, student=student).count() == 1
