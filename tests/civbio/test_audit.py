"""The audit trail: who changed what and when on partners, people, activities and their
statuses, contributions, KPI values, students and progress; shown to coordinators only; gone
with an erased student."""

import pytest
from auditlog.models import LogEntry as AuditEntry
from django.urls import reverse

from activities import services
from activities.models import ActivityStatus
from ledger.models import Contribution, ContributionKind
from programmes.models import Project
from students import privacy, progress
from students.models import Edition, Enrolment
from tests.browser import submit
from tests.conftest import days
from tests.factories import ModuleFactory, StudentFactory

pytestmark = pytest.mark.django_db


def _entries(instance):
    return list(AuditEntry.objects.get_for_object(instance).order_by("timestamp"))


def test_changes_record_who_what_and_when(client, carla, bram, guest_lesson):
    client.force_login(bram)
    submit(
        client,
        reverse("partners:organisation_edit", args=[bram.organisation.slug]),
        {"city": "Oegstgeest"},
    )
    services.change_activity_status(actor=bram, activity=guest_lesson, status=ActivityStatus.CLOSED)
    contribution = Contribution.objects.create(
        organisation=bram.organisation,
        programme_line=Project.objects.get().lines.get(number=1),
        kind=ContributionKind.STAFF_HOURS,
        hours=4,
        date=days(-1),
        description="Gastles",
        status="submitted",
        submitted_by=bram,
    )
    contribution.status = "approved"
    contribution.save()

    status = _entries(guest_lesson)[-1]
    assert status.actor == bram and status.changes_dict["status"] == ["published", "closed"]
    assert _entries(contribution)[-1].changes_dict["status"] == ["submitted", "approved"]

    client.force_login(carla)
    page = client.get(reverse("activities:activity_detail", args=[guest_lesson.pk]))
    assert page.context["history"][0] == status
    assert "Wijzigingsgeschiedenis" in page.text
    client.force_login(bram)
    own = client.get(reverse("activities:activity_detail", args=[guest_lesson.pk]))
    assert own.context["history"] is None and "Wijzigingsgeschiedenis" not in own.text


def test_an_erased_student_leaves_no_name_in_the_audit_trail(carla, dirk, lines):
    student = StudentFactory(school=dirk.organisation, display_name="Hamza Ouali")
    module = ModuleFactory()
    edition = Edition.objects.create(
        module=module,
        school=dirk.organisation,
        name="LAB4A",
        start_date=days(-10),
        end_date=days(60),
    )
    enrolment = Enrolment.objects.create(edition=edition, student=student)
    progress.record_progress(
        actor=dirk, enrolment=enrolment, unit=module.units.first(), status="completed"
    )
    student.display_name = "Hamza O."
    student.save()
    assert any("Hamza" in str(e.changes) + e.object_repr for e in AuditEntry.objects.all())

    privacy.erase_student(actor=carla, student=student)

    assert not any("Hamza" in str(e.changes) + e.object_repr for e in AuditEntry.objects.all())
    assert [e.changes_dict for e in _entries(student)] == [{"erased": ["", "yes"]}]
