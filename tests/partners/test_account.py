"""The account page: one's own name, language, e-mail, password, second factor, calendar address
and reminders; and the password rules in the app's own words."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.urls import reverse

from activities.models import CalendarFeed, ReminderKind, ReminderOptOut
from partners.models import Role
from partners.tokens import invitation_token
from tests.browser import parse_forms, submit
from tests.factories import PASSWORD, InvitationFactory

pytestmark = pytest.mark.django_db

ACCOUNT = reverse("partners:account")


@pytest.mark.parametrize("persona", ["carla", "dirk", "bram", "fien"])
def test_every_role_reaches_their_account_page_from_the_header(client, persona, request):
    person = request.getfixturevalue(persona)
    client.force_login(person)

    dashboard = client.get(reverse("dashboard"), follow=True)
    assert f'href="{ACCOUNT}"' in dashboard.text
    assert ">Mijn account</a>" in dashboard.text

    page = client.get(ACCOUNT)
    assert page.status_code == 200
    assert person.email in page.text
    assert 'value="' + person.name + '"' in page.text
    assert reverse("account_email") in page.text
    assert reverse("account_change_password") in page.text
    assert reverse("mfa_activate_totp") in page.text
    assert reverse("activities:reminder_settings") in page.text
    # Funders work with aggregates only: they have no calendar of activities.
    assert ("webcal://" in page.text) is (persona != "fien")


def test_a_teacher_changes_their_name_and_language(client, dirk):
    client.force_login(dirk)

    response = submit(
        client, ACCOUNT, {"name": "  Dirk de Leraar ", "language": "en"}, button="Opslaan"
    )

    assert response.status_code == 302
    assert response.url == "/en" + ACCOUNT
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    dirk.refresh_from_db()
    assert (dirk.name, dirk.language, dirk.role) == ("Dirk de Leraar", "en", Role.SCHOOL_STAFF)
    after = client.get(response.url)
    assert "Your account details are saved." in after.text
    assert "Dirk de Leraar" in after.text


def test_a_blank_name_is_refused_and_nothing_changes(client, dirk):
    client.force_login(dirk)

    response = submit(client, ACCOUNT, {"name": "   ", "language": "en"}, button="Opslaan")

    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    dirk.refresh_from_db()
    assert (dirk.name, dirk.language) == ("Dirk", "nl")
    # The header still names the person as saved.
    assert '<span class="who" title="dirk@example.nl">Dirk' in response.text


def test_the_account_page_cannot_change_role_organisation_or_address(client, bram, carla):
    client.force_login(bram)

    submit(
        client,
        ACCOUNT,
        {
            "name": "Bram",
            "role": Role.COORDINATOR,
            "organisation": carla.organisation_id,
            "email": "other@example.nl",
            "is_contact": "",
        },
        button="Opslaan",
        strict=False,
    )

    bram.refresh_from_db()
    assert (bram.role, bram.organisation_id, bram.email, bram.is_contact) == (
        Role.INDUSTRY_STAFF,
        bram.organisation_id,
        "bram@example.nl",
        True,
    )


def test_the_second_factor_shows_as_off_then_on_with_its_recovery_codes(client, dirk):
    client.force_login(dirk)
    off = client.get(ACCOUNT).text
    assert "Authenticator-app instellen" in off
    assert reverse("mfa_view_recovery_codes") not in off

    TOTP.activate(dirk, generate_totp_secret())
    codes = RecoveryCodes.activate(dirk)
    codes.validate_code(codes.get_unused_codes()[0])

    on = client.get(ACCOUNT).text
    assert "authenticator-app (ingesteld op" in on
    assert "Nog 9 van de 10 herstelcodes over" in on
    assert reverse("mfa_view_recovery_codes") in on
    assert reverse("mfa_generate_recovery_codes") in on
    assert reverse("mfa_deactivate_totp") in on


def test_a_waiting_change_of_address_is_shown(client, dirk):
    EmailAddress.objects.create(user=dirk, email="dirk.new@example.nl", verified=False)
    client.force_login(dirk)

    page = client.get(ACCOUNT).text

    assert "dirk@example.nl" in page
    assert "Wordt dirk.new@example.nl" in page


def test_the_reminder_choices_show_what_is_on_and_off(client, dirk):
    ReminderOptOut.objects.create(user=dirk, kind=ReminderKind.DEADLINE)
    client.force_login(dirk)

    page = client.get(ACCOUNT).text

    deadline = str(ReminderKind.DEADLINE.label)
    assert f'<span class="badge badge-muted">Uit</span> {deadline}' in page
    assert f'<span class="badge">Aan</span> {ReminderKind.STARTS_SOON.label}' in page


def test_a_person_renews_their_calendar_link_from_the_account_page(client, bram):
    client.force_login(bram)
    page = client.get(ACCOUNT)
    old = CalendarFeed.objects.get(user=bram).token
    assert f"webcal://testserver/calendar/{old}.ics" in page.text
    assert client.get(reverse("calendar_feed", args=[old])).status_code == 200

    response = submit(client, ACCOUNT, button="Nieuw adres maken", page=page, follow=True)

    assert response.request["PATH_INFO"] == ACCOUNT
    new = CalendarFeed.objects.get(user=bram).token
    assert new != old
    assert f"webcal://testserver/calendar/{new}.ics" in response.text
    assert "oude werkt niet meer" in response.text
    assert client.get(reverse("calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("calendar_feed", args=[new])).status_code == 200


def test_the_account_page_renders_in_constant_queries(client, dirk, django_assert_num_queries):
    ReminderOptOut.objects.bulk_create(
        [ReminderOptOut(user=dirk, kind=kind) for kind in list(ReminderKind)[:5]]
    )
    TOTP.activate(dirk, generate_totp_secret())
    RecoveryCodes.activate(dirk)
    client.force_login(dirk)
    client.get(ACCOUNT)  # makes the calendar address once

    # session, user, e-mail addresses, authenticators, calendar address, reminder choices,
    # unread notifications
    with django_assert_num_queries(7):
        response = client.get(ACCOUNT)
    assert response.status_code == 200


def test_logging_in_leads_to_the_dashboard_in_the_persons_language(client, dirk):
    dirk.language = "en"
    dirk.save()

    response = submit(
        client,
        reverse("account_login"),
        {"login": dirk.email, "password": PASSWORD},
        button="Inloggen",
    )

    assert response.status_code == 302
    assert response.url == "/en/dashboard/school/"


# Password rules, in the app's own words ------------------------------------------------------


def test_a_too_short_password_is_refused_in_dutch_with_je(client, dirk):
    client.force_login(dirk)
    url = reverse("account_change_password")
    page = client.get(url)
    assert "Gebruik minstens 10 tekens." in page.text
    assert "Uw " not in page.text

    response = submit(
        client,
        url,
        {"oldpassword": PASSWORD, "password1": "kort1", "password2": "kort1"},
        button="Wachtwoord wijzigen",
        page=page,
    )

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["password1"])
    assert "Dit wachtwoord is te kort: gebruik minstens 10 tekens." in errors
    assert "Uw " not in response.text and " u " not in response.text
    dirk.refresh_from_db()
    assert dirk.check_password(PASSWORD)


def test_every_password_rule_speaks_informal_dutch(client, dirk):
    client.force_login(dirk)
    url = reverse("account_change_password")

    response = submit(
        client,
        url,
        {"oldpassword": PASSWORD, "password1": "1234567890", "password2": "1234567890"},
        button="Wachtwoord wijzigen",
    )
    similar = submit(
        client,
        url,
        {"oldpassword": PASSWORD, "password1": "dirk@example.nl", "password2": "dirk@example.nl"},
        button="Wachtwoord wijzigen",
    )

    errors = response.context["form"].errors["password1"]
    assert "Dit wachtwoord bestaat alleen uit cijfers: voeg letters of andere tekens toe." in errors
    assert "Dit wachtwoord is te gewoon: veel mensen gebruiken het." in errors
    assert (
        "Het wachtwoord lijkt te veel op je e-mailadres."
        in similar.context["form"].errors["password1"]
    )
    help_items = [
        "Gebruik minstens 10 tekens.",
        "Laat het niet lijken op je naam of e-mailadres.",
        "Gebruik geen wachtwoord dat veel mensen gebruiken.",
        "Gebruik niet alleen cijfers.",
    ]
    for item in help_items:
        assert item in response.text


def test_the_password_rules_are_english_on_english_pages(client, dirk):
    client.force_login(dirk)

    page = client.get("/en" + reverse("account_change_password"))

    assert "Use at least 10 characters." in page.text
    forms, _body = parse_forms(page.text)
    assert any("password1" in form.field_names() for form in forms)


def test_a_name_like_password_is_refused_when_joining(client, company):
    invitation = InvitationFactory(organisation=company, name="Wilhelmina")
    url = reverse("partners:invitation_accept", args=[invitation_token(invitation)])

    response = submit(
        client,
        url,
        {"name": "Wilhelmina Pipetta", "password1": "wilhelmina", "password2": "wilhelmina"},
        button="Maak mijn account",
    )

    assert response.status_code == 200
    assert (
        "Het wachtwoord lijkt te veel op je naam." in response.context["form"].errors["password1"]
    )


def test_a_person_changes_their_address_and_it_waits_for_confirmation(client, dirk, mailoutbox):
    client.force_login(dirk)

    response = submit(
        client,
        reverse("account_email"),
        {"email": "dirk.nieuw@example.nl"},
        button="E-mail wijzigen",
        follow=True,
    )

    assert response.status_code == 200
    assert [m.to for m in mailoutbox] == [["dirk.nieuw@example.nl"]]
    dirk.refresh_from_db()
    assert dirk.email == "dirk@example.nl"  # the login stays until the new one is confirmed
    assert "Wordt dirk.nieuw@example.nl" in client.get(ACCOUNT).text

    link = re.search(r"/accounts/confirm-email/[^/\s]+/", mailoutbox[0].body).group(0)
    submit(client, link, button="Bevestigen")

    dirk.refresh_from_db()
    assert dirk.email == "dirk.nieuw@example.nl"
    assert list(EmailAddress.objects.filter(user=dirk).values_list("email", "verified")) == [
        ("dirk.nieuw@example.nl", True)
    ]


def test_a_coordinator_who_needs_the_second_factor_is_not_offered_to_turn_it_off(
    client, carla, settings
):
    settings.MFA_REQUIRED = True
    TOTP.activate(carla, generate_totp_secret())
    RecoveryCodes.activate(carla)
    client.force_login(carla)

    page = client.get(ACCOUNT).text

    assert "Je rol vraagt om deze tweede stap" in page
    assert reverse("mfa_deactivate_totp") not in page
    assert reverse("mfa_generate_recovery_codes") in page


def test_a_coordinator_who_needs_the_second_factor_cannot_turn_it_off_by_its_address(
    client, carla, settings
):
    """The link is not offered, and the page itself refuses: otherwise the rest of the session
    would go on with no second factor."""
    from allauth.mfa.models import Authenticator

    from tests.browser import submit
    from tests.factories import PASSWORD

    settings.MFA_REQUIRED = True
    TOTP.activate(carla, generate_totp_secret())
    client.force_login(carla)
    session = client.session
    session["civbio_mfa"] = True
    session.save()
    assert client.get(reverse("mfa_deactivate_totp")).status_code == 302
    submit(client, reverse("account_reauthenticate"), {"password": PASSWORD})

    response = submit(client, reverse("mfa_deactivate_totp"), follow=True)

    assert Authenticator.objects.filter(user=carla, type=Authenticator.Type.TOTP).exists()
    assert response.status_code == 200
