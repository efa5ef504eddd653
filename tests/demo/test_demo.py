import hashlib
import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from civbio import rules
from demo.services import DEMO_LOGINS
from partners.models import User
from programmes.models import Project
from reports.models import Report, ReportKind, ReportState

pytestmark = pytest.mark.django_db


def test_demo_data_is_refused_without_debug(consortium, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="development only"):
        call_command("load_demo")
    assert not User.objects.exists()


def test_demo_data_loads_the_four_logins_and_is_safe_to_load_twice(consortium, settings, capsys):
    settings.DEBUG = True

    call_command("load_demo", "--no-reports")
    call_command("load_demo", "--no-reports")

    out = capsys.readouterr().out
    for person in DEMO_LOGINS:
        assert person.email in out
        user = User.objects.get(email=person.email)
        assert user.role == person.role
        assert user.organisation.slug == person.organisation_slug
        assert user.emailaddress_set.get().verified
    assert User.objects.filter(email__endswith="@demo.civbio.nl").count() == User.objects.count()
    assert User.objects.get(email="financier@demo.civbio.nl").organisation.name == "Gemeente Leiden"


def test_the_demo_has_a_history_for_every_finished_quarter_once(consortium, settings):
    from django.utils import timezone

    from activities.models import Request
    from demo.history import MARK, load_demo_history
    from demo.services import load_demo
    from programmes.models import Project

    settings.DEBUG = True
    load_demo()
    project = Project.objects.get()
    finished = [q for q in project.quarters() if q[2] < timezone.localdate()]
    history = Request.objects.filter(group_name__startswith=MARK)

    assert {project.quarter_of(r.date)[0] for r in history} == {q[0] for q in finished}
    assert load_demo_history() == 0


def test_the_demo_funder_finds_the_last_quarters_reports_published_and_made_for_real(
    consortium, settings, capsys
):
    settings.DEBUG = True
    project = Project.objects.get()
    finished = [q[0] for q in project.quarters() if q[2] < timezone.localdate()]

    call_command("load_demo")
    first = capsys.readouterr().out
    call_command("load_demo")
    again = capsys.readouterr().out

    reports = list(Report.objects.order_by("number"))
    assert [r.number for r in reports] == finished[-2:]
    # Progress while they are made, and nothing made twice.
    assert f"report 1/2: quarter {finished[-2]} being made" in first
    assert f"report 2/2: quarter {finished[-1]} published" in first
    assert "report 1/" not in again and "(0 newly published)" in again
    for report in reports:
        assert report.kind == ReportKind.QUARTERLY and report.state == ReportState.READY
        assert report.is_published and report.published_by.role == "coordinator"
        files = {}
        for fmt in ("pdf", "xlsx", "csv"):
            with report.file_for(fmt).open("rb") as handle:
                files[fmt] = handle.read()
            assert hashlib.sha256(files[fmt]).hexdigest() == report.checksum_for(fmt)
        text = PdfReader(io.BytesIO(files["pdf"])).pages[0].extract_text()
        assert f"Kwartaal {report.number}" in text
        assert load_workbook(io.BytesIO(files["xlsx"])).sheetnames[0] == "Samenvatting"
        assert any(n.endswith(".csv") for n in zipfile.ZipFile(io.BytesIO(files["csv"])).namelist())
    funder = User.objects.get(email="financier@demo.civbio.nl")
    assert set(rules.visible_reports(funder)) == set(reports)
