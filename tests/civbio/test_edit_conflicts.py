"""Records people edit together: a save over someone else's change is refused with a message, the
typed changes stay in the form, and the next save goes through."""

import re
import time

import pytest
from django.urls import reverse

from activities import services
from programmes.models import Milestone, Project
from tests.conftest import days
from tests.factories import QualificationFactory, StudentFactory

pytestmark = pytest.mark.django_db


def _version(html: str) -> str:
    return re.search(r'name="version" value="([^"]+)"', html).group(1)


def test_a_student_saved_over_a_colleagues_change_is_refused(client, dirk, school):
    student = StudentFactory(
        school=school, display_name="Sem B.", qualification=QualificationFactory()
    )
    client.force_login(dirk)
    page = client.get(reverse("activities:student_edit", args=[student.pk]))
    seen = _version(page.text)
    time.sleep(0.01)
    services.save_student(actor=dirk, student=student, fields={"display_name": "Sem Bakker"})

    data = {
        "student_number": student.student_number,
        "display_name": "Sem B. (4B)",
        "qualification": student.qualification_id,
        "level": student.level,
        "route": student.route,
        "cohort": student.cohort,
        "version": seen,
    }
    clash = client.post(reverse("activities:student_edit", args=[student.pk]), data)

    assert clash.status_code == 200
    assert "Iemand anders heeft deze student gewijzigd" in clash.text
    student.refresh_from_db()
    assert student.display_name == "Sem Bakker"
    again = client.post(
        reverse("activities:student_edit", args=[student.pk]),
        {**data, "version": _version(clash.text)},
    )
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
    seen = _version(client.get(reverse("reports:milestones")).text)
    time.sleep(0.01)
    milestone.evidence = "verslag.pdf"
    milestone.save()

    response = client.post(
        reverse("reports:milestone_update", args=[milestone.pk]),
        {"status": "reached", "reached_on": "", "evidence": "", "reason": "", "version": seen},
        follow=True,
    )

    milestone.refresh_from_db()
    assert milestone.status == "planned" and milestone.evidence == "verslag.pdf"
    assert "in de tussentijd" in response.text
