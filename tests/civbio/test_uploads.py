"""What an upload really is: civbio.uploads judges the whole content, never the name or the first
bytes, and the evidence and logo downloads carry the type it found."""

import io
import zipfile
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from weasyprint import HTML

from civbio import uploads
from civbio.uploads import Family, Refused, detect
from ledger.models import Contribution, validate_evidence
from partners.validators import validate_logo
from programmes.models import Project
from tests.browser import submit
from tests.files import HTML_AS_PDF, SVG, docx_bytes, image_bytes, pdf_bytes, xlsx_bytes

EVERYTHING = set(Family)
IMAGES_ONLY = {Family.IMAGE}


@pytest.mark.parametrize(
    ("content", "mime_type", "extension"),
    [
        (pdf_bytes(), "application/pdf", ".pdf"),
        (image_bytes("PNG"), "image/png", ".png"),
        (image_bytes("JPEG"), "image/jpeg", ".jpg"),
        (image_bytes("GIF"), "image/gif", ".gif"),
        (image_bytes("WEBP"), "image/webp", ".webp"),
        (
            xlsx_bytes(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".xlsx",
        ),
        (
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".docx",
        ),
    ],
    ids=["pdf", "png", "jpeg", "gif", "webp", "xlsx", "docx"],
)
def test_real_files_are_recognised_by_their_content(content, mime_type, extension):
    detected = detect(content, allowed=EVERYTHING)
    assert (detected.mime_type, detected.extension) == (mime_type, extension)


def test_a_pdf_made_by_weasyprint_like_the_reports_is_accepted():
    content = HTML(string="<h1>Presentielijst</h1><p>Gastles 12 maart</p>").write_pdf()
    assert detect(content, allowed=EVERYTHING).mime_type == "application/pdf"


def pdf_with_javascript() -> bytes:
    """A real PDF whose opening runs JavaScript (document-level, in its name tree)."""
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.add_open_action(JavaScript("app.alert(1)"))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def zip_bytes(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in parts.items():
            package.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(HTML_AS_PDF, id="html-starting-with-%PDF-"),
        pytest.param(b"%PDF-1.4\nnothing else, no objects, no trailer", id="pdf-head-only"),
        pytest.param(pdf_bytes() + b"<html><script>alert(1)</script></html>", id="pdf+html"),
        pytest.param(pdf_with_javascript(), id="pdf-with-javascript"),
        pytest.param(SVG, id="svg"),
        pytest.param(
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', id="svg-onload"
        ),
        pytest.param(image_bytes("PNG") + b"<html><script>alert(1)</script>", id="png+html"),
        pytest.param(image_bytes("JPEG")[:200], id="truncated-jpeg"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, id="png-head-only"),
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120 + b"PE\x00\x00", id="exe"),
        pytest.param(b"", id="empty"),
        pytest.param(b"Datum;Uren\n2025-03-01;4\n", id="csv"),
        pytest.param(image_bytes("BMP"), id="bmp"),
        pytest.param(zip_bytes({"word/document.xml": b"<w:document/>"}), id="zip-no-types"),
        pytest.param(zip_bytes({"a.txt": b"hello"}), id="plain-zip"),
        pytest.param(
            docx_bytes(extra_parts={"word/vbaProject.bin": b"\x00" * 32}), id="docx-with-vba"
        ),
        pytest.param(docx_bytes(macro=True), id="docm"),
        pytest.param(docx_bytes()[:-30], id="broken-zip"),
    ],
)
def test_anything_else_is_refused(content):
    with pytest.raises(Refused):
        detect(content, allowed=EVERYTHING)


def test_only_the_allowed_families_pass():
    with pytest.raises(Refused):
        detect(pdf_bytes(), allowed=IMAGES_ONLY)
    with pytest.raises(Refused):
        detect(xlsx_bytes(), allowed=IMAGES_ONLY)
    assert detect(image_bytes("PNG"), allowed=IMAGES_ONLY).extension == ".png"


def test_an_office_zip_bomb_is_refused_without_unpacking_it(monkeypatch):
    monkeypatch.setattr(uploads, "OFFICE_MAX_UNPACKED", 1000)
    with pytest.raises(Refused):
        detect(docx_bytes(extra_parts={"word/media/big.bin": b"\x00" * 5000}), allowed=EVERYTHING)


def test_an_image_of_absurd_size_is_refused_before_its_pixels_are_decoded(monkeypatch):
    from PIL import Image

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # 40 by 20 is 8 times that
    with pytest.raises(Refused):
        detect(image_bytes("PNG"), allowed=IMAGES_ONLY)


# The validators: a clear message in the user's language, whatever name the file has.


def test_evidence_named_pdf_but_holding_html_gets_a_dutch_message():
    with pytest.raises(ValidationError) as refused:
        validate_evidence(SimpleUploadedFile("bon.pdf", HTML_AS_PDF))
    assert refused.value.messages == [
        "Upload het bewijsstuk als PDF, afbeelding (PNG, JPEG, WebP of GIF) of Office-document "
        "(Word, Excel of PowerPoint); dit bestand is geen van deze."
    ]


def test_evidence_is_judged_by_content_not_by_name():
    validate_evidence(SimpleUploadedFile("scan.exe", image_bytes("JPEG")))
    validate_evidence(SimpleUploadedFile("uren", xlsx_bytes()))
    with pytest.raises(ValidationError):
        validate_evidence(SimpleUploadedFile("logo.svg", SVG))


def test_evidence_over_5_mb_is_refused_whatever_it_is():
    upload = SimpleUploadedFile("groot.pdf", pdf_bytes() + b"\n" * (5 * 1024 * 1024))
    with pytest.raises(ValidationError) as refused:
        validate_evidence(upload)
    assert refused.value.messages == ["Het bewijsstuk is groter dan 5 MB."]


def test_a_logo_must_be_an_image_and_never_svg(settings):
    validate_logo(SimpleUploadedFile("logo.webp", image_bytes("WEBP")))
    for name, content in (("logo.svg", SVG), ("logo.png", pdf_bytes())):
        with pytest.raises(ValidationError) as refused:
            validate_logo(SimpleUploadedFile(name, content))
        assert refused.value.messages == ["Het logo is geen afbeelding die civbio kan lezen."]


# The downloads: an attachment of the type the content is.


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.django_db
def test_uploaded_evidence_is_served_as_an_attachment_of_its_detected_type(
    client, consortium, bram, media
):
    line = Project.objects.get().lines.get(number=1)
    client.force_login(bram)
    # A JPEG scan its owner happened to name .pdf.
    response = submit(
        client,
        reverse("ledger:my_contributions"),
        {
            "programme_line": str(line.pk),
            "kind": "staff_hours",
            "hours": "3",
            "date": date.today().isoformat(),
            "description": "Gastles voorbereid",
            "evidence": SimpleUploadedFile("presentielijst.pdf", image_bytes("JPEG")),
        },
        button="Registreren",
    )
    assert response.status_code == 302
    contribution = Contribution.objects.get(description="Gastles voorbereid")

    download = client.get(reverse("ledger:contribution_evidence", args=[contribution.pk]))

    assert download.status_code == 200
    assert download["Content-Type"] == "image/jpeg"
    assert download["Content-Disposition"] == 'attachment; filename="presentielijst.jpg"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == image_bytes("JPEG")


@pytest.mark.django_db
def test_a_fake_pdf_is_refused_next_to_the_field_and_the_rest_is_kept(
    client, consortium, bram, media
):
    line = Project.objects.get().lines.get(number=1)
    client.force_login(bram)

    response = submit(
        client,
        reverse("ledger:my_contributions"),
        {
            "programme_line": str(line.pk),
            "kind": "staff_hours",
            "hours": "3",
            "date": date.today().isoformat(),
            "description": "Gastles voorbereid",
            "evidence": SimpleUploadedFile("bon.pdf", HTML_AS_PDF),
        },
        button="Registreren",
    )

    assert response.status_code == 200
    assert response.context["form"].errors["evidence"]
    assert 'value="Gastles voorbereid"' in response.text
    assert not Contribution.objects.exists()


@pytest.mark.django_db
def test_evidence_stored_before_the_checks_goes_out_as_an_opaque_download(
    client, consortium, bram, media
):
    line = Project.objects.get().lines.get(number=1)
    contribution = Contribution.objects.create(
        organisation=bram.organisation,
        programme_line=line,
        kind="staff_hours",
        hours=2,
        date=date.today(),
        description="Oud bewijs",
    )
    contribution.evidence.save("bon.pdf", ContentFile(HTML_AS_PDF), save=True)
    client.force_login(bram)

    download = client.get(reverse("ledger:contribution_evidence", args=[contribution.pk]))

    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_a_logo_is_shown_inline_with_its_detected_type_or_not_at_all(client, company, media):
    company.logo.save("logo.png", ContentFile(image_bytes("GIF")), save=True)
    url = reverse("partners:organisation_logo", args=[company.slug])

    shown = client.get(url)
    assert shown["Content-Type"] == "image/gif"
    assert shown["Content-Disposition"] == f'inline; filename="{company.slug}.gif"'
    assert shown["X-Content-Type-Options"] == "nosniff"

    company.logo.save("logo.png", ContentFile(SVG), save=True)  # stored before the checks
    assert client.get(url).status_code == 404
