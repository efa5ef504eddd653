import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from partners.models import Organisation
from tests.browser import submit

pytestmark = pytest.mark.django_db


def png(colour="teal") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 30), colour).save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def edit_url(organisation):
    return reverse("partners:organisation_edit", args=[organisation.slug])


def form_data(organisation, **changes):
    data = {
        "description": organisation.description,
        "website": organisation.website,
        "city": organisation.city,
        "version": organisation.updated_at.isoformat(),
    }
    data.update(changes)
    return data


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_contact_updates_their_organisations_profile_and_logo(client, bram, company, media):
    client.force_login(bram)

    response = submit(
        client,
        edit_url(company),
        {"description": "Wij sequencen DNA.", "logo": png()},
        button="Opslaan",
    )

    assert response.status_code == 302
    company.refresh_from_db()
    assert company.description == "Wij sequencen DNA."
    logo = client.get(reverse("partners:organisation_logo", args=[company.slug]))
    assert logo.status_code == 200
    assert logo["Content-Type"] == "image/png"
    assert b"".join(logo.streaming_content).startswith(b"\x89PNG")


def test_a_fake_logo_is_refused_and_the_typed_text_is_kept(client, bram, company, media):
    client.force_login(bram)
    fake = SimpleUploadedFile("logo.png", b"MZ\x90\x00 not an image", content_type="image/png")

    response = submit(
        client, edit_url(company), {"description": "Nieuwe tekst", "logo": fake}, button="Opslaan"
    )

    assert response.status_code == 200
    assert response.context["form"].errors["logo"]
    assert "Nieuwe tekst" in response.text
    company.refresh_from_db()
    assert company.description == ""
    assert not company.logo


def test_a_simultaneous_edit_is_detected_not_overwritten(client, bram, carla, company):
    client.force_login(bram)
    opened = client.get(edit_url(company))  # Bram opens the form
    Organisation.objects.filter(pk=company.pk).update(description="Carla's version")
    company.refresh_from_db()
    company.save()  # a newer updated_at, as a second editor's save leaves it

    response = submit(
        client,
        edit_url(company),
        {"description": "Bram's version"},
        button="Opslaan",
        page=opened,
    )

    assert response.status_code == 200
    assert "Iemand anders" in response.text
    assert "Bram&#x27;s version" in response.text
    company.refresh_from_db()
    assert company.description == "Carla's version"


def test_only_the_organisations_contacts_and_coordinators_may_edit(
    client, bram, bea, olaf, dirk, carla, company
):
    for person, expected in ((bea, 403), (olaf, 403), (dirk, 403), (bram, 200), (carla, 200)):
        client.force_login(person)
        assert client.get(edit_url(company)).status_code == expected
        if expected == 403:
            # No form to submit; a request forged with a valid token is refused all the same.
            client.get(reverse("partners:organisation_list"))
            refused = client.post_with_cookie_token(
                edit_url(company), form_data(company, description="Hacked")
            )
            assert refused.status_code == 403
    company.refresh_from_db()
    assert company.description == ""
