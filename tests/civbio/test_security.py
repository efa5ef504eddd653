import pytest
from django.urls import reverse

from partners.models import Invitation
from tests.browser import submit

pytestmark = pytest.mark.django_db


def test_a_form_post_without_the_csrf_token_is_refused(client, carla, company):
    client.force_login(carla)
    data = {
        "email": "x@example.nl",
        "organisation": company.pk,
        "role": "industry_staff",
        "language": "nl",
    }

    refused = client.post(reverse("partners:invitation_create"), data)
    assert refused.status_code == 403
    assert not Invitation.objects.exists()

    client.get(reverse("partners:invitation_create"))
    token = client.cookies["csrftoken"].value
    accepted = client.post(reverse("partners:invitation_create"), data, HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 302
    assert Invitation.objects.count() == 1


def test_pages_carry_the_security_headers(client, db):
    response = client.get(reverse("home"))

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    # No inline script runs: pages use none (a nonce is added only where a template asks for one).
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_logging_out_ends_the_session(client, carla):
    client.force_login(carla)
    session_key = client.session.session_key

    submit(client, reverse("reports:dashboard_coordinator"), button="Uitloggen")

    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=session_key).exists()
    assert client.get(reverse("dashboard")).status_code == 302


def test_pages_and_downloads_of_a_signed_in_person_are_never_stored(client, carla, consortium):
    client.force_login(carla)

    for url in (
        reverse("reports:dashboard_coordinator"),
        reverse("reports:finance"),
        reverse("reports:finance_export", args=["xlsx"]),
        reverse("students:student_list"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


def test_public_pages_may_be_cached(client, consortium):
    response = client.get(reverse("home"))

    assert "no-store" not in response.get("Cache-Control", "")
