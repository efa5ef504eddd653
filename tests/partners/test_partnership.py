"""The project office runs the consortium in civbio: a partner is added (with its first contact
invited in the same step), marked as left from a date (and taken back), and its co-financing
category changed with a reason."""

import io

import pytest
from auditlog.models import LogEntry as AuditEntry
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import formats
from PIL import Image

from partners import services
from partners.models import CofinancingCategory, Invitation, Organisation, Role, User
from partners.selectors import partner_counts
from tests.browser import submit
from tests.conftest import days
from tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Pipet-Centrifuge-42"


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "teal").save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def short(day) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


# Adding a partner: the service ------------------------------------------------------------------


def add(actor, **overrides):
    fields = {
        "name": "Genlab Leiden",
        "kind": "work_field",
        "cofinancing_category": CofinancingCategory.EMPLOYER,
        "active_since": days(0),
        "sbb_leerbedrijf_id": "123456",
        "website": "https://genlab.example",
    }
    fields.update(overrides)
    return services.add_organisation(actor=actor, **fields)


def test_a_coordinator_adds_a_partner_and_its_first_contact_becomes_its_contact_person(
    carla, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        organisation, invitation = add(
            carla,
            first_contact={"email": " Gina@Genlab.example ", "name": "Gina", "role": ""},
        )

    assert organisation.slug == "genlab-leiden"
    assert organisation.is_active
    assert organisation.cofinancing_category == "employer"
    # The usual role at a company, and the e-mail sent once the transaction committed.
    assert invitation.role == Role.INDUSTRY_STAFF
    assert invitation.email == "gina@genlab.example"
    assert invitation.invited_by == carla
    assert [m.to for m in mail.outbox] == [["gina@genlab.example"]]

    person = services.accept_invitation(invitation=invitation, name="Gina", password=NEW_PASSWORD)
    assert person.organisation == organisation
    assert person.is_contact


def test_an_ordinary_invitation_does_not_make_a_contact_person(carla, company):
    invitation = services.invite_person(
        actor=carla, email="nina@biocorp.nl", organisation=company, role=Role.INDUSTRY_STAFF
    )

    person = services.accept_invitation(invitation=invitation, name="Nina", password=NEW_PASSWORD)

    assert not person.is_contact


@pytest.mark.parametrize("persona", ["dirk", "bram", "fien"])
def test_only_coordinators_add_partners(persona, request):
    actor = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        add(actor)

    assert not Organisation.objects.filter(name="Genlab Leiden").exists()


def test_a_failing_invitation_leaves_no_organisation_and_no_logo(
    carla, bram, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as error:
        add(carla, logo=png(), first_contact={"email": bram.email, "name": "", "role": ""})

    assert "email" in error.value.error_dict
    assert not Organisation.objects.filter(name="Genlab Leiden").exists()
    assert not Invitation.objects.exists()
    assert mail.outbox == []
    assert not list(media.rglob("*.png"))


def test_a_role_that_does_not_fit_the_kind_is_refused_with_nothing_made(carla):
    with pytest.raises(ValidationError) as error:
        add(carla, first_contact={"email": "x@genlab.example", "role": Role.SCHOOL_STAFF})

    assert "role" in error.value.error_dict
    assert not Organisation.objects.filter(name="Genlab Leiden").exists()


def test_names_are_unique_whatever_the_case_and_slugs_get_a_number(carla, company):
    with pytest.raises(ValidationError) as error:
        add(carla, name="biocorp")
    assert "name" in error.value.error_dict

    # Another name whose address is taken, and a name that is a page's address.
    company.slug = "genlab-leiden"
    company.save()
    first, _ = add(carla)
    second, _ = add(carla, name="New")
    assert first.slug == "genlab-leiden-2"
    assert second.slug == "new-2"


def test_a_malformed_leerbedrijf_id_is_refused(carla):
    with pytest.raises(ValidationError) as error:
        add(carla, sbb_leerbedrijf_id="12ab")

    assert "sbb_leerbedrijf_id" in error.value.error_dict


def test_a_partner_joining_later_gets_its_first_contact_once_it_has_joined(carla):
    with pytest.raises(ValidationError) as error:
        add(carla, active_since=days(30), first_contact={"email": "g@genlab.example"})
    assert "active_since" in error.value.error_dict

    organisation, invitation = add(carla, active_since=days(30))
    assert invitation is None
    assert organisation.joins_later and not organisation.is_active


# Leaving and coming back: the service ----------------------------------------------------------


def test_a_partner_that_left_keeps_its_history_and_stops_counting(carla, company, bram):
    before = partner_counts()["total"]
    pending = InvitationFactory(organisation=company, invited_by=carla)

    services.mark_organisation_left(
        actor=carla, organisation=company, last_day=days(-1), reason="Opgeheven"
    )

    company.refresh_from_db()
    assert company.active_until == days(-1)
    assert company.has_left
    assert partner_counts()["total"] == before - 1
    # Its people stay (they cannot log in), open invitations are withdrawn.
    assert User.objects.filter(pk=bram.pk, organisation=company).exists()
    pending.refresh_from_db()
    assert pending.status == "revoked"
    entry = AuditEntry.objects.get_for_object(company).latest("timestamp")
    assert entry.actor == carla
    assert entry.additional_data == {"reason": "Opgeheven"}
    assert entry.changes_dict["active_until"] == [None, days(-1).isoformat()]


def test_a_departure_announced_for_later_counts_the_partner_until_then(carla, company):
    pending = InvitationFactory(organisation=company, invited_by=carla)

    services.mark_organisation_left(
        actor=carla, organisation=company, last_day=days(10), reason="Stopt per kwartaal"
    )

    company.refresh_from_db()
    assert company.is_active and not company.has_left
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_leaving_needs_a_reason_a_day_after_joining_and_a_coordinator(carla, dirk, company, school):
    company.active_since = days(-5)
    company.save()
    with pytest.raises(ValidationError) as no_reason:
        services.mark_organisation_left(
            actor=carla, organisation=company, last_day=days(0), reason="  "
        )
    assert "reason" in no_reason.value.error_dict
    with pytest.raises(ValidationError) as too_early:
        services.mark_organisation_left(
            actor=carla, organisation=company, last_day=days(-6), reason="Fout"
        )
    assert "last_day" in too_early.value.error_dict
    with pytest.raises(PermissionDenied):
        services.mark_organisation_left(
            actor=dirk, organisation=company, last_day=days(0), reason="Weg"
        )
    # The project office's own organisation cannot leave: the coordinators would be locked out.
    with pytest.raises(ValidationError):
        services.mark_organisation_left(
            actor=carla, organisation=school, last_day=days(0), reason="Weg"
        )
    company.refresh_from_db()
    school.refresh_from_db()
    assert company.active_until is None and school.active_until is None


def test_a_departure_is_taken_back_with_a_reason(carla, company):
    services.mark_organisation_left(
        actor=carla, organisation=company, last_day=days(-1), reason="Opgeheven"
    )
    with pytest.raises(ValidationError):
        services.mark_organisation_left(
            actor=carla, organisation=company, last_day=days(-2), reason="Nog eens"
        )

    services.take_back_departure(actor=carla, organisation=company, reason="Toch niet")

    company.refresh_from_db()
    assert company.active_until is None and company.is_active
    entry = AuditEntry.objects.get_for_object(company).latest("timestamp")
    assert entry.additional_data == {"reason": "Toch niet"}
    with pytest.raises(ValidationError):
        services.take_back_departure(actor=carla, organisation=company, reason="Nog eens")


# The co-financing category: the service ------------------------------------------------------


def test_a_category_changes_with_a_reason_and_is_recorded(carla, bram, company):
    assert company.cofinancing_category == "employer"
    with pytest.raises(PermissionDenied):
        services.change_cofinancing_category(
            actor=bram, organisation=company, category="other", reason="Zelf"
        )
    with pytest.raises(ValidationError):
        services.change_cofinancing_category(
            actor=carla, organisation=company, category="other", reason=""
        )
    with pytest.raises(ValidationError):
        services.change_cofinancing_category(
            actor=carla, organisation=company, category="employer", reason="Zelfde"
        )

    services.change_cofinancing_category(
        actor=carla, organisation=company, category="other", reason="Geen werkgever"
    )

    company.refresh_from_db()
    assert company.cofinancing_category == "other"
    entry = AuditEntry.objects.get_for_object(company).latest("timestamp")
    assert entry.actor == carla
    assert entry.changes_dict["cofinancing_category"] == ["employer", "other"]
    assert entry.additional_data == {"reason": "Geen werkgever"}


# The pages, as a browser sends them ---------------------------------------------------------------


def test_a_coordinator_adds_a_partner_with_a_logo_and_its_first_contact_on_the_page(
    client, carla, media, django_capture_on_commit_callbacks
):
    client.force_login(carla)

    with django_capture_on_commit_callbacks(execute=True):
        response = submit(
            client,
            reverse("partners:organisation_add"),
            {
                "name": "Genlab Leiden",
                "kind": "work_field",
                "cofinancing_category": "employer",
                "sbb_leerbedrijf_id": "123456",
                "website": "https://genlab.example",
                "logo": png(),
                "contact_email": "gina@genlab.example",
                "contact_name": "Gina",
            },
            button="Partner toevoegen",
        )

    organisation = Organisation.objects.get(name="Genlab Leiden")
    assert response.status_code == 302
    assert response["Location"] == organisation.get_absolute_url()
    # The joining day the page filled in: today.
    assert organisation.active_since == days(0)
    assert organisation.logo
    invitation = Invitation.objects.get(organisation=organisation)
    assert invitation.makes_contact and invitation.role == Role.INDUSTRY_STAFF
    assert len(mail.outbox) == 1
    page = client.get(response["Location"])
    assert "Genlab Leiden is aan het consortium toegevoegd" in page.text


def test_an_error_on_the_add_page_is_in_dutch_and_keeps_what_was_typed(client, carla, bram):
    client.force_login(carla)

    response = submit(
        client,
        reverse("partners:organisation_add"),
        {
            "name": "Genlab Leiden",
            "kind": "work_field",
            "sbb_leerbedrijf_id": "123456",
            "website": "https://genlab.example",
            "contact_email": bram.email,
            "contact_name": "Bram",
        },
        button="Partner toevoegen",
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["contact_email"] == [
        "Iemand met dit e-mailadres heeft al een account of een uitnodiging."
    ]
    for typed in ("Genlab Leiden", "123456", "https://genlab.example", bram.email):
        assert f'value="{typed}"' in response.text
    assert not Organisation.objects.filter(name="Genlab Leiden").exists()


def test_the_add_page_refuses_a_coordinator_role_and_a_bad_leerbedrijf_id(client, carla):
    client.force_login(carla)

    response = submit(
        client,
        reverse("partners:organisation_add"),
        {
            "name": "Genlab Leiden",
            "kind": "education",
            "sbb_leerbedrijf_id": "12-34",
            "contact_role": "industry_staff",
            "contact_email": "gina@genlab.example",
        },
        button="Partner toevoegen",
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["sbb_leerbedrijf_id"] == [
        "Een SBB-leerbedrijf-ID is een getal van 4 tot 12 cijfers."
    ]
    assert "Onderwijs" in errors["contact_role"][0]
    assert "coordinator" not in response.text.split('name="contact_role"')[1].split("</select>")[0]
    assert not Organisation.objects.filter(name="Genlab Leiden").exists()


def test_the_add_page_renders_in_constant_queries(client, carla, django_assert_num_queries):
    client.force_login(carla)

    # session, user, unread notifications
    with django_assert_num_queries(3):
        response = client.get(reverse("partners:organisation_add"))
    assert response.status_code == 200


def test_a_coordinator_marks_a_partner_as_left_after_confirming_and_takes_it_back(
    client, carla, company
):
    client.force_login(carla)
    detail = reverse("partners:organisation_detail", args=[company.slug])

    confirmation = submit(
        client,
        detail,
        {"last_day": days(-1).isoformat(), "reason": "Fusie met OtherLab"},
        button="Markeren als vertrokken",
    )
    assert confirmation.status_code == 200
    assert "Markeer BioCorp als vertrokken?" in confirmation.text
    company.refresh_from_db()
    assert company.active_until is None  # nothing happens before the confirmation

    done = submit(
        client,
        confirmation.request["PATH_INFO"],
        button="Ja, markeren als vertrokken",
        page=confirmation,
    )
    assert done.status_code == 302
    company.refresh_from_db()
    assert company.active_until == days(-1)
    page = client.get(detail)
    assert "voormalig partner" in page.text
    history = page.text.split("Wijzigingsgeschiedenis", 1)[1]
    assert f"<strong>Partner tot</strong>: — → {short(days(-1))}" in history
    assert "<strong>Reden</strong>: Fusie met OtherLab" in history
    listing = client.get(reverse("partners:organisation_list"))
    assert "voormalig partner" in listing.text

    back = client.get(reverse("partners:organisation_rejoin", args=[company.slug]))
    taken_back = submit(
        client,
        back.request["PATH_INFO"],
        {"reason": "Fusie ging niet door"},
        button="Ja, het blijft partner",
        page=back,
    )
    assert taken_back.status_code == 302
    company.refresh_from_db()
    assert company.active_until is None


def test_leaving_without_a_reason_is_explained_and_keeps_the_date(client, carla, company):
    client.force_login(carla)

    response = submit(
        client,
        reverse("partners:organisation_detail", args=[company.slug]),
        {"last_day": days(3).isoformat(), "reason": ""},
        button="Markeren als vertrokken",
    )

    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == ["Dit veld is verplicht."]
    assert f'value="{days(3).isoformat()}"' in response.text
    company.refresh_from_db()
    assert company.active_until is None


def test_the_category_is_changed_on_the_partner_page(client, carla, company):
    client.force_login(carla)
    detail = reverse("partners:organisation_detail", args=[company.slug])

    response = submit(
        client,
        detail,
        {"category": "other", "reason": "Geen werkgever volgens de beschikking"},
        button="Categorie wijzigen",
    )

    assert response.status_code == 302
    company.refresh_from_db()
    assert company.cofinancing_category == "other"
    history = client.get(detail).text.split("Wijzigingsgeschiedenis", 1)[1]
    assert "<strong>Reden</strong>: Geen werkgever volgens de beschikking" in history

    unchanged = submit(
        client, detail, {"category": "other", "reason": "Nog eens"}, button="Categorie wijzigen"
    )
    assert unchanged.status_code == 200
    assert unchanged.context["category_form"].errors["category"]
    assert "Nog eens" in unchanged.text


def test_only_coordinators_see_the_partnership_forms(client, carla, bram, company):
    detail = reverse("partners:organisation_detail", args=[company.slug])
    client.force_login(bram)
    assert "Markeren als vertrokken" not in client.get(detail).text
    assert "Partner toevoegen" not in client.get(reverse("partners:organisation_list")).text
    for name in ("organisation_leave", "organisation_category", "organisation_rejoin"):
        assert client.get(reverse(f"partners:{name}", args=[company.slug])).status_code == 403
    assert client.get(reverse("partners:organisation_add")).status_code == 403

    client.force_login(carla)
    assert "Markeren als vertrokken" in client.get(detail).text
    assert "Partner toevoegen" in client.get(reverse("partners:organisation_list")).text


def test_the_people_of_a_partner_that_left_can_no_longer_log_in(client, carla, company, bram):
    services.mark_organisation_left(
        actor=carla, organisation=company, last_day=days(-1), reason="Opgeheven"
    )
    bram.refresh_from_db()

    client.force_login(bram)
    response = client.get(reverse("partners:organisation_list"))

    assert response.status_code == 302


def test_a_partner_counts_on_the_project_page_from_the_day_it_joins(carla):
    before = partner_counts()["total"]

    add(carla)
    add(carla, name="Later BV", active_since=days(3))

    assert partner_counts()["total"] == before + 1


def test_the_finance_checks_count_a_partner_in_its_new_category_at_once(consortium, carla):
    from programmes.models import Commitment, Project
    from reports.figures import finance_overview

    project = Project.objects.get()
    baseclear = Organisation.objects.get(slug="baseclear")
    assert baseclear.cofinancing_category == "employer"
    # 100 hours at the project's rate and €1,000 in cash pledged for year 1.
    Commitment.objects.create(
        project=project, organisation=baseclear, year=1, hours=100, cash_amount=1000
    )

    def shares() -> dict:
        return {c["key"]: c["share"] for c in finance_overview(project)["checks"]}

    committed = next(
        p.committed_total
        for p in finance_overview(project)["partners"]
        if p.organisation == baseclear
    )
    before = shares()

    services.change_cofinancing_category(
        actor=carla, organisation=baseclear, category="other", reason="Herzien"
    )

    after = shares()
    moved = committed * 100 / project.total_budget
    assert moved > 0
    assert after["employers"] == before["employers"] - moved
    assert after["others"] == before["others"] + moved


def test_the_partnership_pages_speak_english_too(client, carla, company):
    client.force_login(carla)

    add_page = client.get("/en/partners/new/")
    detail = client.get(f"/en/partners/{company.slug}/")
    leave = client.get(f"/en/partners/{company.slug}/leave/")

    assert "<h1>Add a partner</h1>" in add_page.text
    assert "Its first contact (optional)" in add_page.text
    assert "Mark as left" in detail.text and "Change category" in detail.text
    assert "Mark BioCorp as left?" in leave.text
