"""A student import as a teacher meets it when something goes wrong: a Windows Excel CSV read as
such, an import that fails half-way and is tried again from its page."""

import pytest
from django.db import OperationalError
from django.urls import reverse
from playwright.sync_api import expect

from partners.models import Role
from students import imports
from students.models import Student
from tests.e2e.conftest import log_in, message
from tests.factories import QualificationFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_teacher_sees_a_failed_import_tries_again_and_sees_it_done(
    live_server, page, screenshot, consortium, school, tmp_path, monkeypatch
):
    UserFactory(email="teacher@school.nl", organisation=school, role=Role.SCHOOL_STAFF)
    QualificationFactory(crebo="25653", name="Analist", level=4)
    # Dutch Excel's plain "CSV (gescheiden door lijstscheidingsteken)": semicolons, Windows-1252.
    upload = tmp_path / "klas.csv"
    upload.write_bytes(
        "studentnummer;roepnaam;crebo;niveau;leerweg;cohort\r\n"
        "K1;Zoë Çelik;25653;4;BOL;2025\r\nK2;Sem de Wit;25653;4;BBL;2025\r\n".encode("cp1252")
    )
    # The database connection drops during the first run, after its first batch.
    beat = imports._Heartbeat.beat
    runs = []

    def connection_lost_once(self, processed):
        runs.append(processed)
        if len(runs) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        beat(self, processed)

    monkeypatch.setattr(imports._Heartbeat, "beat", connection_lost_once)
    log_in(page, live_server.url, "teacher@school.nl")
    page.goto(live_server.url + reverse("students:student_import"))
    page.get_by_label("CSV-bestand").set_input_files(str(upload))
    page.get_by_role("button", name="Bestand controleren").click()
    expect(page.get_by_text("het is gelezen als Windows-1252")).to_be_visible()
    expect(page.get_by_role("cell", name="Zoë Çelik")).to_be_visible()
    page.get_by_role("button", name="Bevestigen en importeren").click()

    expect(message(page, "Het importeren is mislukt en er is niets opgeslagen.")).to_be_visible()
    assert not Student.objects.exists()
    screenshot("student-import-failed")
    page.get_by_role("button", name="Opnieuw proberen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("klas.csv is geïmporteerd")
    expect(page.get_by_text("Geïmporteerd: 2 nieuwe studenten, 0 bijgewerkt.")).to_be_visible()
    expect(page.get_by_role("button", name="Opnieuw proberen")).to_have_count(0)
    page.reload()
    expect(page.get_by_text("Geïmporteerd: 2 nieuwe studenten, 0 bijgewerkt.")).to_be_visible()
    page.get_by_role("link", name="Naar de studenten").click()
    expect(page.get_by_role("link", name="Zoë Çelik")).to_be_visible()
    assert Student.objects.count() == 2
