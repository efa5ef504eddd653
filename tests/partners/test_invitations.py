import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from partners import services
from partners.models import Invitation, Role, User
from partners.tasks import send_invitation_email
from partners.tokens import invitation_from_token, invitation_token
from tests.browser import submit
from tests.factories import InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Pipet-Centrifuge-42"


def accept_url(invitation):
    return reverse("partners:invitation_accept", args=[invitation_token(invitation)])


def test_a_coordinator_invites_someone_and_the_email_goes_out_once_in_their_language(
    carla, company, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite_person(
            actor=carla,
            email=" New.Person@Example.nl ",
            organisation=company,
            role=Role.INDUSTRY_STAFF,
            name="Nina",
            language="en",
        )

    assert invitation.email == "new.person@example.nl"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.nl"]
    assert "BioCorp" in message.subject
    assert "invites you to civbio" in message.body
    # The link's token is signed with the moment it was made, so it is read back, not rebuilt.
    prefix = accept_url(invitation).rsplit("/", 2)[0] + "/"
    token = message.body.split(prefix, 1)[1].split("/", 1)[0]
    assert invitation_from_token(token) == invitation
    # A second run of the task (a retry, a duplicate delivery) sends nothing.
    assert send_invitation_email(invitation.pk) is False
    assert len(mail.outbox) == 1


def test_the_invitation_email_is_in_dutch_by_default(
    carla, company, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_person(
            actor=carla, email="nieuw@example.nl", organisation=company, role=Role.INDUSTRY_STAFF
        )

    assert "nodigt je uit" in mail.outbox[0].body


def test_a_valid_link_creates_a_verified_account_and_logs_in(client, carla, company):
    invitation = InvitationFactory(organisation=company, role=Role.INDUSTRY_STAFF, invited_by=carla)

    page = client.get(accept_url(invitation))
    assert page.status_code == 200
    assert "BioCorp" in page.text

    response = submit(
        client,
        accept_url(invitation),
        {"name": "Nina de Vries", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        button="Maak mijn account",
        page=page,
    )

    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    user = User.objects.get(email=invitation.email)
    assert (user.name, user.organisation, user.role) == ("Nina de Vries", company, "industry_staff")
    assert user.emailaddress_set.get().verified
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert client.get(reverse("dashboard"), follow=True).request["PATH_INFO"] == reverse(
        "reports:dashboard_industry"
    )


def test_a_used_link_cannot_be_used_again(client, company):
    invitation = InvitationFactory(organisation=company)
    data = {"name": "Nina", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    submit(client, accept_url(invitation), data, button="Maak mijn account")
    client.logout()

    assert client.get(accept_url(invitation)).status_code == 410
    client.get(reverse("account_login"))  # a page that hands out a CSRF token
    again = client.post_with_cookie_token(accept_url(invitation), {**data, "name": "Mallory"})

    assert again.status_code == 410
    assert "is al gebruikt" in again.text
    assert User.objects.filter(email=invitation.email).count() == 1
    assert User.objects.get(email=invitation.email).name == "Nina"


def test_an_expired_link_is_refused(client, company):
    invitation = InvitationFactory(organisation=company)
    form_page = client.get(accept_url(invitation))
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timezone.timedelta(minutes=1)
    )

    response = submit(
        client,
        accept_url(invitation),
        {"name": "Late", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        page=form_page,
    )

    assert response.status_code == 410
    assert "is verlopen" in response.text
    assert not User.objects.filter(email=invitation.email).exists()


def test_a_forged_or_mangled_link_is_not_found(client, company):
    invitation = InvitationFactory(organisation=company)
    token = invitation_token(invitation)

    assert (
        client.get(reverse("partners:invitation_accept", args=[token[:-2] + "xx"])).status_code
        == 404
    )
    assert client.get(reverse("partners:invitation_accept", args=["nonsense"])).status_code == 404


def test_inviting_the_same_address_again_revokes_the_earlier_link(client, carla, company):
    first = services.invite_person(
        actor=carla, email="twice@example.nl", organisation=company, role=Role.INDUSTRY_STAFF
    )
    second = services.invite_person(
        actor=carla, email="twice@example.nl", organisation=company, role=Role.INDUSTRY_STAFF
    )

    assert client.get(accept_url(first)).status_code == 410
    assert client.get(accept_url(second)).status_code == 200


def test_a_weak_or_mismatched_password_is_explained_and_nothing_is_created(client, company):
    invitation = InvitationFactory(organisation=company, name="Nina")

    response = submit(
        client,
        accept_url(invitation),
        {"name": "Nina", "password1": "12345678", "password2": "12345678"},
        button="Maak mijn account",
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    mismatch = submit(
        client,
        accept_url(invitation),
        {"name": "Nina", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"},
        button="Maak mijn account",
    )
    assert mismatch.context["form"].errors["password2"]
    assert not User.objects.filter(email=invitation.email).exists()
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_a_company_contact_invites_colleagues_into_their_own_organisation_only(bram, other_company):
    invitation = services.invite_person(
        actor=bram,
        email="colleague@example.nl",
        organisation=bram.organisation,
        role=Role.INDUSTRY_STAFF,
    )
    assert invitation.organisation == bram.organisation

    with pytest.raises(PermissionDenied):
        services.invite_person(
            actor=bram, email="x@example.nl", organisation=other_company, role=Role.INDUSTRY_STAFF
        )
    with pytest.raises(PermissionDenied):
        services.invite_person(
            actor=bram, email="x@example.nl", organisation=bram.organisation, role=Role.COORDINATOR
        )


def test_people_who_are_not_contacts_cannot_invite(bea, dirk, fien):
    for person in (bea, dirk, fien):
        with pytest.raises(PermissionDenied):
            services.invite_person(
                actor=person,
                email="x@example.nl",
                organisation=person.organisation,
                role=person.role,
            )


def test_a_role_must_fit_the_kind_of_organisation(carla, company):
    with pytest.raises(PermissionDenied):
        services.invite_person(
            actor=carla, email="x@example.nl", organisation=company, role=Role.SCHOOL_STAFF
        )


def test_an_address_that_already_has_an_account_is_refused(carla, bea, company):
    with pytest.raises(ValidationError):
        services.invite_person(
            actor=carla, email=bea.email.upper(), organisation=company, role=Role.INDUSTRY_STAFF
        )


def test_the_invitation_form_shows_errors_next_to_the_fields(client, carla, company):
    client.force_login(carla)

    response = submit(
        client,
        reverse("partners:invitation_create"),
        {
            "email": "not-an-address",
            "organisation": company.pk,
            "role": "school_staff",
            "language": "nl",
        },
        button="Uitnodiging versturen",
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert "email" in form.errors
    assert "role" in form.errors
    assert 'value="not-an-address"' in response.text
    assert not Invitation.objects.exists()


def test_a_contact_sees_and_revokes_only_their_own_organisations_invitations(
    client, bram, olaf, carla
):
    own = InvitationFactory(organisation=bram.organisation, invited_by=bram)
    theirs = InvitationFactory(organisation=olaf.organisation, invited_by=olaf)
    client.force_login(bram)

    listing = client.get(reverse("partners:invitation_list"))
    assert own.email in listing.text
    assert theirs.email not in listing.text
    # Another organisation's invitation is not on the page; a forged request for it finds nothing.
    forged = client.post_with_cookie_token(reverse("partners:invitation_revoke", args=[theirs.pk]))
    assert forged.status_code == 404
    revoked = submit(
        client,
        reverse("partners:invitation_list"),
        action=reverse("partners:invitation_revoke", args=[own.pk]),
        page=listing,
    )
    assert revoked.status_code == 302
    own.refresh_from_db()
    theirs.refresh_from_db()
    assert own.status == "revoked"
    assert theirs.status == "pending"


def test_the_invitation_list_renders_in_constant_queries(
    client, carla, company, django_assert_num_queries
):
    InvitationFactory.create_batch(30, organisation=company, invited_by=carla)
    client.force_login(carla)

    # session, user, invitations with organisation and inviter, unread notifications
    with django_assert_num_queries(4):
        response = client.get(reverse("partners:invitation_list"))
    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_people_using_one_link_at_the_same_moment_make_one_account(company):
    invitation = InvitationFactory(organisation=company)
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(name):
        barrier.wait()
        try:
            services.accept_invitation(invitation=invitation, name=name, password=NEW_PASSWORD)
            outcomes.append("created")
        except services.InvitationUnavailable:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(n,)) for n in ("First", "Second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["created", "refused"]
    assert User.objects.filter(email=invitation.email).count() == 1


def test_a_user_already_logged_in_is_told_to_log_out_first(client, bea, company):
    invitation = InvitationFactory(organisation=company)
    client.force_login(bea)

    response = client.get(accept_url(invitation))

    assert response.status_code == 409
    assert UserFactory._meta.model.objects.filter(email=invitation.email).count() == 0


# The role of an invitation ------------------------------------------------------------------


def role_select(response):
    from tests.browser import parse_forms

    forms, _body = parse_forms(response.text)
    form = next(f for f in forms if f.is_post and "email" in f.field_names())
    return next(c for c in form.controls if c.name == "role")


def test_the_role_select_starts_open_not_on_coordinator(client, carla):
    client.force_login(carla)

    select = role_select(client.get(reverse("partners:invitation_create")))

    assert select.options[0][0] == ""
    assert [value for value, selected, _disabled in select.options if selected] == [""]
    assert select.default_values() == [""]


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ("company", Role.INDUSTRY_STAFF),
        ("school", Role.SCHOOL_STAFF),
        ("municipality", Role.FUNDER),
    ],
)
def test_an_invitation_left_without_a_role_gets_the_usual_role_of_the_organisation(
    client, carla, place, expected, request
):
    organisation = request.getfixturevalue(place)
    client.force_login(carla)

    response = submit(
        client,
        reverse("partners:invitation_create"),
        {"email": "new@example.nl", "organisation": organisation.pk},
        button="Uitnodiging versturen",
    )

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.organisation, invitation.role) == (organisation, expected)


def test_the_coordinator_role_is_refused_at_a_company_with_a_clear_message(client, carla, company):
    client.force_login(carla)

    response = submit(
        client,
        reverse("partners:invitation_create"),
        {"email": "new@example.nl", "organisation": company.pk, "role": Role.COORDINATOR},
        button="Uitnodiging versturen",
    )

    assert response.status_code == 200
    [message] = response.context["form"].errors["role"]
    assert "De rol coördinator hoort bij het projectbureau" in message
    assert "penvoerder" in message
    assert not Invitation.objects.exists()


def test_the_service_refuses_a_coordinator_outside_the_lead_applicant(carla, school, company):
    school.is_lead_applicant = True
    school.save()

    with pytest.raises(ValidationError) as refused:
        services.invite_person(
            actor=carla, email="x@example.nl", organisation=company, role=Role.COORDINATOR
        )
    assert "Leiden Lab College" in str(refused.value.message_dict["role"])
    # Without any lead applicant nobody can be made a coordinator.
    school.is_lead_applicant = False
    school.save()
    with pytest.raises(ValidationError):
        services.issue_invitation(email="y@example.nl", organisation=school, role=Role.COORDINATOR)
    assert not Invitation.objects.exists()


def test_a_coordinator_is_invited_at_the_lead_applicant(client, carla, school):
    school.is_lead_applicant = True
    school.save()
    client.force_login(carla)

    response = submit(
        client,
        reverse("partners:invitation_create"),
        {"email": "colleague@example.nl", "organisation": school.pk, "role": Role.COORDINATOR},
        button="Uitnodiging versturen",
    )

    assert response.status_code == 302
    assert Invitation.objects.get().role == Role.COORDINATOR


def test_an_old_invitation_for_a_coordinator_at_a_company_cannot_be_accepted(client, company):
    # Made before the rule (or before the lead applicant changed): the link opens no account.
    invitation = InvitationFactory(organisation=company, role=Role.COORDINATOR)

    page = client.get(accept_url(invitation))

    assert page.status_code == 403
    assert "kan niet worden gebruikt" in page.text
    with pytest.raises(ValidationError):
        services.accept_invitation(invitation=invitation, name="Mallory", password=NEW_PASSWORD)
    assert not User.objects.filter(email=invitation.email).exists()
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_the_admin_refuses_to_make_a_company_person_coordinator(client, carla, bea):
    client.force_login(carla)
    url = reverse("admin:partners_user_change", args=[bea.pk])

    response = submit(client, url, {"role": Role.COORDINATOR}, button="_save")

    assert response.status_code == 200
    assert "De rol coördinator hoort bij het projectbureau" in response.text
    bea.refresh_from_db()
    assert bea.role == Role.INDUSTRY_STAFF
