import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from PIL import Image

from partners.models import Role, User
from partners.validators import validate_logo
from tests.factories import CompanyFactory, SchoolFactory, UserFactory


def png_bytes(size=(40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_real_image_is_accepted_as_logo():
    validate_logo(SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png"))


def test_a_file_pretending_to_be_an_image_is_refused():
    fake = SimpleUploadedFile("logo.png", b"<script>alert(1)</script>", content_type="image/png")

    with pytest.raises(ValidationError, match=r"geen afbeelding|not an image"):
        validate_logo(fake)


def test_a_too_large_logo_is_refused(settings):
    settings.LOGO_MAX_BYTES = 100

    with pytest.raises(ValidationError):
        validate_logo(SimpleUploadedFile("logo.png", png_bytes((400, 400))))


@pytest.mark.django_db
def test_email_addresses_are_unique_whatever_their_case():
    UserFactory(email="anna@example.nl")

    with pytest.raises(IntegrityError):
        UserFactory(email="Anna@Example.nl")


@pytest.mark.django_db
def test_everyone_but_a_superuser_has_an_organisation_and_a_role():
    with pytest.raises(IntegrityError):
        User.objects.create_user(email="nobody@example.nl", password="x", name="Nobody")


@pytest.mark.django_db
def test_a_superuser_needs_no_organisation():
    admin = User.objects.create_superuser(email="root@example.nl", password="x", name="Root")

    assert admin.is_staff
    assert admin.organisation is None


@pytest.mark.django_db
def test_only_one_organisation_is_the_lead_applicant():
    SchoolFactory(is_lead_applicant=True)

    with pytest.raises(IntegrityError):
        CompanyFactory(is_lead_applicant=True)


@pytest.mark.django_db
def test_the_coordinator_role_opens_the_admin_and_grants_model_permissions(carla, bram):
    assert carla.is_staff
    assert carla.has_perm("partners.change_organisation")
    assert carla.has_module_perms("programmes")
    assert not bram.is_staff
    assert not bram.has_perm("partners.change_organisation")
    assert Role.COORDINATOR.label
