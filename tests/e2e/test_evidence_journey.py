"""A company attaches evidence when it logs hours: an HTML page named .pdf is refused next to the
field in Dutch with everything typed kept; a real PDF is saved and downloads as a PDF attachment."""

import pytest
from playwright.sync_api import expect

from ledger.models import Contribution
from partners.models import Role
from programmes.models import Project
from tests.e2e.conftest import log_in, message
from tests.factories import UserFactory
from tests.files import HTML_AS_PDF, pdf_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_fake_pdf_is_refused_and_a_real_one_is_saved(
    live_server, page, screenshot, consortium, company, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    project = Project.objects.get()
    UserFactory(
        email="host@biocorp.nl", name="Hanna Host", organisation=company, role=Role.INDUSTRY_STAFF
    )
    fake = tmp_path / "presentielijst.pdf"
    fake.write_bytes(HTML_AS_PDF)
    real = tmp_path / "presentielijst-echt.pdf"
    real.write_bytes(pdf_bytes())
    day = project.start_date.replace(month=3, day=1).isoformat()

    log_in(page, live_server.url, "host@biocorp.nl")
    page.get_by_role("link", name="Bijdragen", exact=True).click()
    log = page.get_by_role("region", name="Bijdrage registreren")
    log.get_by_label("Programmalijn").select_option(label="1. Flexibel en hybride onderwijs")
    log.get_by_label("Soort").select_option("staff_hours")
    log.get_by_label("Uren").fill("7,5")
    log.get_by_label("Datum").fill(day)
    log.get_by_label("Omschrijving").fill("Workshop pipetteren gegeven")
    log.get_by_label("Bewijsstuk").set_input_files(fake)
    log.get_by_role("button", name="Registreren").click()

    log = page.get_by_role("region", name="Bijdrage registreren")
    expect(log.locator("#id_evidence_error")).to_have_text(
        "Upload het bewijsstuk als PDF, afbeelding (PNG, JPEG, WebP of GIF) of Office-document "
        "(Word, Excel of PowerPoint); dit bestand is geen van deze."
    )
    expect(log.get_by_label("Uren")).to_have_value("7,5")
    expect(log.get_by_label("Datum")).to_have_value(day)
    expect(log.get_by_label("Omschrijving")).to_have_value("Workshop pipetteren gegeven")
    screenshot("evidence-fake-pdf-refused")
    assert not Contribution.objects.exists()

    log.get_by_label("Bewijsstuk").set_input_files(real)
    log.get_by_role("button", name="Registreren").click()
    expect(message(page, "Geregistreerd en ter goedkeuring verstuurd.")).to_be_visible()
    page.reload()
    row = page.get_by_role("row", name="Workshop pipetteren gegeven")
    expect(row).to_contain_text("Ingediend")
    href = row.get_by_role("link", name="bewijsstuk").get_attribute("href")
    evidence = page.request.get(live_server.url + href)
    assert evidence.status == 200
    assert evidence.headers["content-type"] == "application/pdf"
    assert evidence.headers["content-disposition"].startswith("attachment;")
    assert evidence.body() == pdf_bytes()
    screenshot("evidence-real-pdf-saved")
