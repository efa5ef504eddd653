"""The outage page's "Send again" button does what the first press meant to do, once the database
is back: the fields it keeps, the pressed button's name and the CSRF token are all it needs.

Not a browser journey: the live server would need its database taken away mid-run. The test
client posts what the page holds (tests/browser.py), as a browser pressing the button would."""

from decimal import Decimal

import pytest
from django.urls import reverse

from ledger.models import Contribution, ContributionStatus
from programmes.models import Project
from tests.browser import BrowserClient, parse_forms, submit
from tests.civbio.test_outages import database_unreachable
from tests.conftest import days


@pytest.mark.django_db(transaction=True)
def test_sending_the_outage_page_again_logs_the_contribution_once_the_database_is_back(
    bram, consortium
):
    client = BrowserClient(raise_request_exception=False)
    client.force_login(bram)
    url = reverse("ledger:my_contributions")
    page = client.get(url)
    line = Project.objects.get().lines.get(number=2)
    typed = {
        "programme_line": line.pk,
        "kind": "staff_hours",
        "hours": "7,5",
        "date": days(0).isoformat(),
        "description": "Gastles pipetteren voorbereid",
    }

    with database_unreachable():
        down = submit(client, url, typed, button="Registreren", page=page)

    assert down.status_code == 503
    assert "Wat je verstuurde is niet opgeslagen" in down.text
    assert not Contribution.objects.exists()

    again = submit(client, url, button="Opnieuw versturen", page=down)

    assert again.status_code == 302 and again.url == url
    saved = Contribution.objects.get()
    assert (saved.programme_line, saved.hours, saved.description) == (
        line,
        Decimal("7.5"),
        "Gastles pipetteren voorbereid",
    )
    assert (saved.status, saved.submitted_by) == (ContributionStatus.SUBMITTED, bram)
    assert "Geregistreerd en ter goedkeuring verstuurd." in client.get(url).text


@pytest.mark.django_db(transaction=True)
def test_sending_the_outage_page_again_saves_the_reminder_choices(dirk, consortium):
    client = BrowserClient(raise_request_exception=False)
    client.force_login(dirk)
    url = reverse("activities:reminder_settings")
    page = client.get(url)
    before = _ticked(page)
    assert len(before) > 1
    kept_on = before[1:]  # the person unticks the first box

    with database_unreachable():
        down = submit(client, url, {"kinds": kept_on}, button="Opslaan", page=page)

    assert down.status_code == 503
    again = submit(client, url, button="Opnieuw versturen", page=down)

    assert again.status_code == 302
    assert _ticked(client.get(url)) == kept_on


def _ticked(response) -> list[str]:
    forms, _ = parse_forms(response.content.decode())
    return [
        control.attrs["value"]
        for form in forms
        for control in form.controls
        if control.name == "kinds" and "checked" in control.attrs
    ]
