"""Sessions end after 30 idle minutes and 12 hours in all; coordinators and funders need a
second factor (an authenticator app) when MFA is required, and log in with it."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from tests.browser import BrowserClient, submit
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _age_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[f"civbio_{key}"] = now - ago
    session.save()


def test_a_session_ends_after_thirty_idle_minutes(client, dirk):
    client.force_login(dirk)
    assert client.get(reverse("dashboard"), follow=True).status_code == 200

    _age_session(client, seen=29 * 60)
    assert client.get(reverse("reports:dashboard_school")).status_code == 200
    _age_session(client, seen=31 * 60)
    response = client.get(reverse("reports:dashboard_school"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("reports:dashboard_school")).status_code == 302


def test_a_session_ends_twelve_hours_after_login_however_busy(client, dirk):
    client.force_login(dirk)
    client.get(reverse("reports:dashboard_school"))

    _age_session(client, started=12 * 3600 + 5, seen=10)
    response = client.get(reverse("reports:dashboard_school"))

    assert response.status_code == 302 and "_auth_user_id" not in client.session


def test_htmx_requests_are_sent_to_login_as_a_whole_page(client, dirk):
    client.force_login(dirk)
    client.get(reverse("reports:dashboard_school"))
    _age_session(client, seen=40 * 60)

    response = client.get(reverse("activities:notifications"), HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("account_login"))


def _log_in(client, person):
    client.logout()
    response = submit(
        client, reverse("account_login"), {"login": person.email, "password": PASSWORD}
    )
    assert response.status_code == 302


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def test_coordinators_and_funders_must_set_up_an_authenticator(client, settings, carla, fien, dirk):
    settings.MFA_REQUIRED = True

    for person in (carla, fien):
        _log_in(client, person)
        response = client.get(reverse("dashboard"), follow=False)
        assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")
        # allauth asks for the password once more before a second factor is set up.
        assert client.get(reverse("mfa_activate_totp")).url.startswith(
            reverse("account_reauthenticate")
        )
        submit(client, reverse("account_reauthenticate"), {"password": PASSWORD})
        assert client.get(reverse("mfa_activate_totp")).status_code == 200
    client.force_login(dirk)  # optional for teachers
    assert client.get(reverse("reports:dashboard_school")).status_code == 200


def test_an_authenticator_set_up_lets_them_in_and_login_asks_for_its_code(client, settings, carla):
    settings.MFA_REQUIRED = True
    _log_in(client, carla)
    submit(client, reverse("account_reauthenticate"), {"password": PASSWORD})
    activate = client.get(reverse("mfa_activate_totp"))  # puts a secret in the session
    secret = client.session["mfa.totp.secret"]

    response = submit(client, reverse("mfa_activate_totp"), {"code": _code(secret)}, page=activate)

    assert response.status_code == 302
    assert client.get(reverse("reports:dashboard_coordinator")).status_code == 200
    # Recovery codes come with it, for the day the phone is lost.
    kinds = set(Authenticator.objects.filter(user=carla).values_list("type", flat=True))
    assert kinds == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    submit(client, reverse("reports:dashboard_coordinator"), button="Uitloggen")
    step = submit(
        client,
        reverse("account_login"),
        {"login": carla.email, "password": PASSWORD},
        follow=True,
    )
    assert step.redirect_chain[-1][0] == reverse("mfa_authenticate")
    wrong = submit(client, reverse("mfa_authenticate"), {"code": "000000"}, page=step)
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    done = submit(
        client, reverse("mfa_authenticate"), {"code": _code(secret)}, page=wrong, follow=True
    )
    assert done.redirect_chain[-1][0] == reverse("reports:dashboard_coordinator")


def test_failed_logins_are_rate_limited_per_account_on_the_shared_cache(client, carla, dirk):
    login = reverse("account_login")
    for _ in range(5):
        submit(client, login, {"login": carla.email, "password": "wrong"})

    blocked = submit(client, login, {"login": carla.email, "password": PASSWORD})
    elsewhere = BrowserClient()
    other = submit(elsewhere, login, {"login": dirk.email, "password": PASSWORD})

    # The right password is refused for a while (allauth: 5 failures per 5 minutes per account,
    # counted in the shared cache, so every web process sees them) ...
    assert blocked.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Te veel inlogpogingen" in " ".join(blocked.context["form"].non_field_errors()), (
        blocked.context["form"].non_field_errors()
    )
    # ... and someone else from the same address still gets in.
    assert other.status_code == 302
    assert elsewhere.session["_auth_user_id"] == str(dirk.pk)


def test_a_superuser_must_set_up_an_authenticator_before_the_admin_opens(client, settings, db):
    """Whoever can open the admin reaches students and the audit log there: a second factor is
    required of them whatever their role (a technical superuser has none)."""
    settings.MFA_REQUIRED = True
    root = UserFactory(email="root@example.nl", role="", organisation=None, is_superuser=True)

    _log_in(client, root)

    response = client.get(reverse("admin:partners_organisation_changelist"))
    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")
    settings.MFA_REQUIRED = False
    assert client.get(reverse("admin:partners_organisation_changelist")).status_code == 200


def test_failed_logins_behind_the_proxy_are_counted_per_client_address(client, settings, carla):
    """Behind the TLS proxy every request comes from the proxy's address: with the proxy trusted
    (ALLAUTH_TRUSTED_PROXY_COUNT) a guesser at one address does not lock out everybody else."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    login = reverse("account_login")
    guesser = BrowserClient(HTTP_X_FORWARDED_FOR="198.51.100.7", REMOTE_ADDR="10.0.0.2")
    for n in range(11):
        submit(guesser, login, {"login": f"nobody{n}@example.nl", "password": "wrong"})
    assert (
        "Te veel"
        in submit(guesser, login, {"login": "nobody@example.nl", "password": "wrong"}).text
    )

    colleague = BrowserClient(HTTP_X_FORWARDED_FOR="203.0.113.20", REMOTE_ADDR="10.0.0.2")
    response = submit(colleague, login, {"login": carla.email, "password": PASSWORD})

    assert response.status_code == 302
    assert colleague.session["_auth_user_id"] == str(carla.pk)
