"""The funder's journey to the reports: log in, open the reports page, download the latest
published PDF (and the download is logged)."""

import pytest
from playwright.sync_api import expect

from demo.services import DEMO_PASSWORD
from partners.models import AccessLog, User
from reports import services
from reports.models import Report, ReportKind
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_funder_downloads_the_latest_published_report(live_server, page, screenshot, demo_data):
    coordinator = User.objects.get(email="coordinator@demo.civbio.nl")
    for number in (14, 15):
        report, _ = services.request_report(
            actor=coordinator, kind=ReportKind.QUARTERLY, number=number
        )
        services.publish_report(actor=coordinator, report=Report.objects.get(pk=report.pk))
    latest = Report.objects.get(number=15)

    log_in(page, live_server.url, "financier@demo.civbio.nl", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Rapportages").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapportages")
    row = page.locator(f"#report-{latest.pk}")
    expect(row).to_contain_text("Kwartaalrapportage kwartaal 15")
    expect(row).to_contain_text("gepubliceerd")
    screenshot("reports-funder")

    with page.expect_download() as download:
        row.get_by_role("link", name="PDF").click()
    path = download.value.path()

    with open(path, "rb") as handle:
        assert handle.read(4) == b"%PDF"
    assert download.value.suggested_filename == "civbio-quarterly-15-v1.pdf"
    funder = User.objects.get(email="financier@demo.civbio.nl")
    assert AccessLog.objects.filter(
        actor=funder, action="download_pdf", target_id=latest.pk
    ).exists()
