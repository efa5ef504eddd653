"""Hours for a whole quarter are logged from the page as a browser sends it, and a coordinator's
decision on a contribution reaches the partner who logged it, in the app and by e-mail."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from activities.models import Notification, Reminder
from ledger import services as ledger
from ledger.models import Contribution
from partners.models import Role
from programmes.models import Project
from tests.browser import submit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(consortium):
    return Project.objects.get().lines.get(number=1)


def hours(actor, line, n=10, description="Gastlessen"):
    return ledger.log_contribution(
        actor=actor,
        fields={
            "kind": "staff_hours",
            "programme_line": line,
            "hours": Decimal(n),
            "date": date.today(),
            "description": description,
        },
    )


def test_a_partner_logs_hours_for_a_whole_quarter_with_the_pages_button(client, bram, line):
    client.force_login(bram)
    url = reverse("ledger:my_contributions")
    choices = client.get(url).context["quarter"].fields["quarter"].choices

    response = submit(
        client,
        url,
        {"quarter": choices[0][0], f"line_{line.pk}": "6", "description": "Stagebegeleiding"},
        button="Kwartaal registreren",
        follow=True,
    )

    assert "1 regels geregistreerd voor het kwartaal." in response.text
    saved = Contribution.objects.get(description="Stagebegeleiding")
    assert (saved.hours, saved.date.isoformat(), saved.status) == (6, choices[0][0], "submitted")
    assert not response.context["quarter"].errors


def test_the_partner_who_logged_it_hears_of_the_approval_in_the_app_and_by_mail(
    bram, carla, line, django_capture_on_commit_callbacks
):
    item = hours(bram, line)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        ledger.approve_contribution(actor=carla, contribution=item)

    notice = Notification.objects.get(recipient=bram)
    assert notice.reminder.kind == "contrib_approved"
    assert "Gastlessen" in notice.reminder.text and "goedgekeurd" in notice.reminder.text
    assert [m.to for m in mail.outbox] == [[bram.email]]
    assert "goedgekeurd" in mail.outbox[0].subject
    assert Reminder.objects.get().emailed_at is not None


def test_a_rejection_needs_a_reason_and_tells_it_to_the_partner(
    bram, carla, line, django_capture_on_commit_callbacks
):
    item = hours(bram, line)
    mail.outbox.clear()
    with pytest.raises(ValidationError):
        ledger.reject_contribution(actor=carla, contribution=item, reason=" ")
    assert not Notification.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        ledger.reject_contribution(actor=carla, contribution=item, reason="Geen bewijsstuk")

    notice = Notification.objects.get(recipient=bram).reminder
    assert notice.kind == "contrib_rejected"
    assert "“Geen bewijsstuk”" in notice.text
    assert "Geen bewijsstuk" in mail.outbox[0].body
    assert "herinneringen" not in mail.outbox[0].body.split("Geen bewijsstuk")[1]

    # Resent and rejected again: one notice, with the newest reason.
    ledger.resubmit_contribution(actor=bram, contribution=item, fields={"hours": Decimal(4)})
    ledger.reject_contribution(actor=carla, contribution=item, reason="Nog steeds geen bewijs")
    texts = [n.reminder.text for n in Notification.objects.filter(recipient=bram)]
    assert len(texts) == 1 and "Nog steeds geen bewijs" in texts[0]


def test_a_decision_on_a_contribution_nobody_at_the_partner_logged_goes_to_its_contacts(
    carla, bram, company, line
):
    UserFactory(organisation=company, role=Role.INDUSTRY_STAFF, is_contact=False)
    item = ledger.log_contribution(
        actor=carla,
        organisation=company,
        fields={
            "kind": "staff_hours",
            "programme_line": line,
            "hours": Decimal(3),
            "date": date.today(),
            "description": "Namens BioCorp",
        },
    )

    ledger.approve_contribution(actor=carla, contribution=item)

    assert list(Notification.objects.values_list("recipient", flat=True)) == [bram.pk]


def test_the_coordinator_rejects_from_the_review_page_and_the_partner_reads_why(
    client, bram, carla, line
):
    item = hours(bram, line, description="Uren zonder bon")
    client.force_login(carla)
    review = reverse("ledger:contribution_review")

    response = submit(
        client,
        review,
        {"reason": "Voeg de urenstaat toe"},
        action=reverse("ledger:contribution_decide", args=[item.pk, "reject"]),
        follow=True,
    )

    assert "Afgekeurd; de partner ziet je reden." in response.text
    client.force_login(bram)
    page = client.get(reverse("activities:notifications"))
    assert "Voeg de urenstaat toe" in page.text
    assert "Besluit" in page.text
    assert "Uren zonder bon" in page.text
