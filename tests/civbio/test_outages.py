"""When PostgreSQL cannot be reached: 503 with Retry-After and a page in the person's language
that needs no database, and what a form sent comes back in a "try again" form."""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.urls import reverse

from tests.browser import BrowserClient, parse_forms


@contextmanager
def database_unreachable():
    """Every new connection goes to a port nothing listens on, as when PostgreSQL is down."""
    settings_dict = connection.settings_dict
    before = settings_dict.get("PORT"), settings_dict.get("NAME")
    connection.close()
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = "/nonexistent/folder/db.sqlite3"
    else:
        settings_dict["PORT"] = 1
    try:
        yield
    finally:
        connection.close()
        settings_dict["PORT"], settings_dict["NAME"] = before


@pytest.mark.django_db(transaction=True)
def test_a_form_sent_while_the_database_is_down_comes_back_to_send_again(carla, consortium):
    client = BrowserClient(raise_request_exception=False)
    client.force_login(carla)
    page = client.get(reverse("programmes:milestones"))
    token = page.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]

    with database_unreachable():
        shown = client.get(reverse("reports:dashboard_coordinator"))
        sent = client.post(
            reverse("account_change_password"),
            {
                "csrfmiddlewaretoken": token,
                "oldpassword": "geheim-oud",
                "password1": "geheim-nieuw",
                "note": "Verslag Q3 klaar",
                "submission_token": "once-only",
            },
        )

    assert shown.status_code == 503 and shown["Retry-After"] == "30"
    assert "civbio is even niet bereikbaar" in shown.text
    assert "Opnieuw proberen" in shown.text
    assert sent.status_code == 503
    assert "Wat je verstuurde is niet opgeslagen" in sent.text
    [again] = [f for f in parse_forms(sent.text)[0] if f.is_post]
    kept = {c.name: c.attrs.get("value") for c in again.controls if c.name}
    # The typed text and the token come back; passwords never do.
    assert kept == {
        "csrfmiddlewaretoken": token,
        "note": "Verslag Q3 klaar",
        "submission_token": "once-only",
    }
    # It goes back to the address it came from: no action spelled out from the request.
    assert "action" not in again.attrs
    assert "no-store" in sent["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_english_readers_get_the_outage_page_in_english(client):
    client = BrowserClient(raise_request_exception=False)

    with database_unreachable():
        response = client.get("/en/")

    assert response.status_code == 503
    assert "civbio is briefly unavailable" in response.text
    assert '<html lang="en">' in response.text


def test_other_server_errors_stay_a_500(rf):
    from civbio.views import server_error

    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = server_error(rf.get("/"))

    assert response.status_code == 500
