"""Records people edit together: a save over someone else's change is refused with a message, the
typed changes stay in the form, and the next save goes through."""

import time

import pytest
from django.urls import reverse

from programmes.models import Milestone, Project
from students import services
from tests.browser import submit
from tests.conftest import days
from tests.factories import QualificationFactory, StudentFactory

pytestmark = pytest.mark.django_db


def test_a_student_saved_over_a_colleagues_change_is_refused(client, dirk, school):
    student = StudentFactory(
        school=school, display_name="Sem B.", qualification=QualificationFactory()
    )
    client.force_login(dirk)
    url = reverse("students:student_edit", args=[student.pk])
    page = client.get(url)
    time.sleep(0.01)
    services.save_student(actor=dirk, student=student, fields={"display_name": "Sem Bakker"})

    # The page opened before the colleague's save still holds the version it was built with.
    clash = submit(client, url, {"display_name": "Sem B. (4B)"}, page=page)

    assert clash.status_code == 200
    assert "Iemand anders heeft deze student gewijzigd" in clash.text
    student.refresh_from_db()
    assert student.display_name == "Sem Bakker"
    again = submit(client, url, {"display_name": "Sem B. (4B)"}, page=clash)
    assert again.status_code == 302
    student.refresh_from_db()
    assert student.display_name == "Sem B. (4B)"


def test_a_milestone_saved_over_someone_elses_update_is_refused(client, carla, school, consortium):
    project = Project.objects.get()
    milestone = Milestone.objects.create(
        project=project,
        programme_line=project.lines.get(number=1),
        kind="deliverable",
        title="Module klaar",
        due_date=days(10),
        owner_organisation=school,
    )
    client.force_login(carla)
    page = client.get(reverse("programmes:milestones"))
    time.sleep(0.01)
    milestone.evidence = "verslag.pdf"
    milestone.save()

    response = submit(
        client,
        reverse("programmes:milestones"),
        {"status": "reached"},
        action=reverse("programmes:milestone_update", args=[milestone.pk]),
        page=page,
        follow=True,
    )

    milestone.refresh_from_db()
    assert milestone.status == "planned" and milestone.evidence == "verslag.pdf"
    assert "in de tussentijd" in response.text
