"""The funder's first login on the demo, in Chromium: last quarter's report is there, published by
the demo's own run of the report pipeline, and its PDF, workbook and CSV bundle download."""

import io
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from demo.reports import load_demo_reports
from demo.services import DEMO_PASSWORD
from partners.models import AccessLog, User
from programmes.models import Project
from reports.models import REPORT_FORMATS, Report
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_funder_logs_in_for_the_first_time_and_downloads_last_quarters_pdf_xlsx_and_csv(
    live_server, page, screenshot, demo_data
):
    load_demo_reports()
    project = Project.objects.get()
    last = [q[0] for q in project.quarters() if q[2] < timezone.localdate()][-1]
    report = Report.objects.get(number=last)
    types = {}

    def note_type(response) -> None:
        if "/download." in response.url:
            types[response.url.rsplit(".", 1)[-1]] = response.headers.get("content-type")

    page.on("response", note_type)

    log_in(page, live_server.url, "financier@demo.civbio.nl", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Rapportages").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapportages")
    row = page.locator(f"#report-{report.pk}")
    expect(row).to_contain_text(f"kwartaal {last}")
    expect(row).to_contain_text("gepubliceerd")
    expect(page.locator(f"#report-{Report.objects.get(number=last - 1).pk}")).to_be_visible()
    screenshot("funder-first-login-reports")

    files = {}
    for label, fmt in (("PDF", "pdf"), ("Excel", "xlsx"), ("CSV (zip)", "csv")):
        with page.expect_download() as download:
            row.get_by_role("link", name=label).click()
        files[fmt] = Path(download.value.path()).read_bytes()
        extension = REPORT_FORMATS[fmt][1]
        assert download.value.suggested_filename == (
            f"civbio-quarterly-{last}-v{report.version}.{extension}"
        )

    pdf = PdfReader(io.BytesIO(files["pdf"]))
    assert len(pdf.pages) > 3
    assert f"Kwartaal {last}" in pdf.pages[0].extract_text()
    assert "Cofinanciering" in "".join(p.extract_text() for p in pdf.pages)
    workbook = load_workbook(io.BytesIO(files["xlsx"]))
    assert workbook.sheetnames[0] == "Samenvatting"
    bundle = zipfile.ZipFile(io.BytesIO(files["csv"]))
    assert all(name.endswith(".csv") for name in bundle.namelist())
    assert bundle.read(bundle.namelist()[0]).decode("utf-8-sig").startswith('"Onderdeel"')
    # What the browser was told it received.
    assert types == {fmt: content_type for fmt, (content_type, _ext) in REPORT_FORMATS.items()}
    funder = User.objects.get(email="financier@demo.civbio.nl")
    assert set(
        AccessLog.objects.filter(actor=funder, target_id=report.pk).values_list("action", flat=True)
    ) == {"download_pdf", "download_xlsx", "download_csv"}
