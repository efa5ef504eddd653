"""The funder's journey to the reports: log in, open the reports page, download the latest
published PDF (and the download is logged); the coordinator's, making an unpublished report
again from today's figures."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from demo.services import DEMO_PASSWORD
from partners.models import AccessLog, Role, User
from programmes.selectors import current_project
from reports import services
from reports.models import Report, ReportKind, ReportState
from tests.e2e.conftest import log_in
from tests.factories import UserFactory

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


def test_a_coordinator_makes_an_unpublished_report_again_with_todays_figures(
    live_server, page, screenshot, consortium, school
):
    UserFactory(
        email="coordinator@school.nl", name="Carla", organisation=school, role=Role.COORDINATOR
    )
    number, start, end = current_project().quarters()[0]
    made = timezone.now() - timedelta(days=3)
    report = Report.objects.create(
        kind=ReportKind.QUARTERLY,
        number=number,
        period_start=start,
        period_end=end,
        state=ReportState.READY,
        progress=100,
        finished_at=made,
    )

    log_in(page, live_server.url, "coordinator@school.nl")
    page.goto(live_server.url + "/reports/")
    row = page.locator(f"#report-{report.pk}")
    # The row says when it was made, from the figures of then.
    expect(row).to_contain_text("uit de cijfers van toen")
    row.get_by_role("button", name="Opnieuw maken met de cijfers van vandaag").click()

    expect(page.get_by_text("De rapportage staat opnieuw in de wachtrij")).to_be_visible()
    page.reload()
    expect(row).to_contain_text("Klaar", timeout=60_000)
    screenshot("report-made-again")
    report.refresh_from_db()
    assert report.finished_at > made and report.pdf_sha256 and not report.is_published
