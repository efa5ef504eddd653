"""Teachers in the progress grid and partners in their ledger, typing numbers as they write them:
the bulk action on the grid, grades with a decimal comma, hours with a decimal comma."""

import pytest
from playwright.sync_api import expect

from ledger.models import Contribution
from partners.models import Role
from programmes.models import Project
from students import progress
from students.models import UnitProgress
from tests.conftest import days
from tests.e2e.conftest import OUTPUT, log_in
from tests.factories import ModuleFactory, StudentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAMES = ["Anna A.", "Bram B.", "Cato C.", "Daan D."]


def _edition(teacher, school, *, assessment: str):
    edition = progress.create_edition(
        actor=teacher,
        module=ModuleFactory(title="Celkweek", assessment=assessment),
        name="LAB3A",
        start_date=days(-30),
        end_date=days(60),
    )
    students = [StudentFactory(school=school, display_name=name) for name in NAMES]
    progress.enrol_students(actor=teacher, edition=edition, students=students)
    return edition


@pytest.fixture
def teacher(consortium, school):
    return UserFactory(
        email="docent@school.nl", name="Dirk Docent", organisation=school, role=Role.SCHOOL_STAFF
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_teacher_marks_three_students_completed_at_once(
    live_server, browser, teacher, school, javascript
):
    edition = _edition(teacher, school, assessment="pass_fail")
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", java_script_enabled=javascript
    )
    page = context.new_page()
    log_in(page, live_server.url, teacher.email)
    page.goto(live_server.url + edition.get_absolute_url())

    for name in NAMES[:3]:
        page.get_by_label(f"{name} selecteren", exact=True).check()
    bar = page.get_by_role("group", name="Voor de geselecteerde studenten")
    bar.get_by_label("Onderdeel").select_option(label="2. Unit 2")
    bar.get_by_label("Status").select_option(label="Afgerond")
    bar.get_by_role("button", name="Toepassen").click()

    expect(page.get_by_text("Unit 2 op “Afgerond” gezet voor 3 studenten.")).to_be_visible()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    shot = OUTPUT / f"progress-bulk-{'js' if javascript else 'nojs'}.png"
    page.screenshot(path=str(shot), full_page=True)
    page.reload()
    for name in NAMES[:3]:
        row = page.get_by_role("row", name=name)
        expect(row.get_by_label(f"{name}, 2. Unit 2")).to_have_value("completed")
        expect(row.get_by_role("cell", name="50%")).to_be_visible()
    daan = page.get_by_role("row", name=NAMES[3])
    expect(daan.get_by_label(f"{NAMES[3]}, 2. Unit 2")).to_have_value("not_started")
    assert UnitProgress.objects.filter(status="completed").count() == 3
    context.close()


def test_a_dutch_teacher_types_7_comma_5_in_a_grid_cell_and_sees_it_after_reload(
    live_server, page, screenshot, teacher, school
):
    edition = _edition(teacher, school, assessment="grade")
    log_in(page, live_server.url, teacher.email)
    page.goto(live_server.url + edition.get_absolute_url())

    anna = page.get_by_role("row", name="Anna A.")
    anna.get_by_label("Anna A., 1. Unit 1").select_option("completed")
    expect(anna.locator("td.cell-completed")).to_have_count(1)
    grade = anna.locator("td.cell-completed").get_by_label("Cijfer")
    grade.fill("7,5")
    grade.press("Tab")  # the cell is sent when the grade changes
    expect(anna.locator("td.cell-passed")).to_have_count(1)
    expect(anna.locator("td.cell-passed").get_by_label("Cijfer")).to_have_value("7,5")
    expect(anna.locator("td.cell-passed [role=alert]")).to_have_count(0)

    page.reload()
    cell = page.get_by_role("row", name="Anna A.").locator("td.cell-passed")
    expect(cell.get_by_label("Cijfer")).to_have_value("7,5")
    expect(cell.get_by_label("Anna A., 1. Unit 1")).to_have_value("passed")
    screenshot("progress-grade-comma")
    saved = UnitProgress.objects.get()
    assert (saved.status, str(saved.grade)) == ("passed", "7.5")


def test_without_javascript_a_teacher_changes_two_cells_and_saves_the_grid_once(
    live_server, browser, teacher, school
):
    edition = _edition(teacher, school, assessment="grade")
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="nl-NL", java_script_enabled=False
    )
    page = context.new_page()
    log_in(page, live_server.url, teacher.email)
    page.goto(live_server.url + edition.get_absolute_url())

    anna = page.get_by_role("row", name="Anna A.")
    anna.get_by_label("Anna A., 1. Unit 1").select_option(label="Afgerond")
    anna.get_by_label("Cijfer").first.fill("7,5")  # unit 1's grade
    page.get_by_role("row", name="Bram B.").get_by_label("Bram B., 2. Unit 2").select_option(
        "in_progress"
    )
    page.get_by_role("button", name="Voortgang opslaan").click()

    expect(page.get_by_text("2 wijzigingen opgeslagen.")).to_be_visible()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "progress-grid-nojs.png"), full_page=True)
    page.reload()
    anna = page.get_by_role("row", name="Anna A.")
    expect(anna.get_by_label("Anna A., 1. Unit 1")).to_have_value("passed")
    expect(anna.locator("td.cell-passed").get_by_label("Cijfer")).to_have_value("7,5")
    bram = page.get_by_role("row", name="Bram B.")
    expect(bram.get_by_label("Bram B., 2. Unit 2")).to_have_value("in_progress")
    assert UnitProgress.objects.count() == 2
    context.close()


def test_an_english_page_shows_grades_with_a_point_and_takes_either(
    live_server, page, screenshot, teacher, school
):
    edition = _edition(teacher, school, assessment="grade")
    enrolment = edition.enrolments.get(student__display_name="Anna A.")
    progress.record_progress(
        actor=teacher,
        enrolment=enrolment,
        unit=edition.module.units.get(position=1),
        status="completed",
        grade="7.5",
    )
    log_in(page, live_server.url, teacher.email)
    page.goto(live_server.url + edition.get_absolute_url())
    anna = page.get_by_role("row", name="Anna A.").locator("td.cell-passed")
    expect(anna.get_by_label("Cijfer")).to_have_value("7,5")
    page.get_by_label("Taal").select_option("en")
    page.get_by_role("button", name="Wissel").click()

    anna = page.get_by_role("row", name="Anna A.").locator("td.cell-passed")
    expect(anna.get_by_label("Grade")).to_have_value("7.5")
    # A Dutch colleague on the English page types a comma: it is read all the same.
    bram = page.get_by_role("row", name="Bram B.")
    bram.get_by_label("Bram B., 1. Unit 1").select_option("completed")
    expect(bram.locator("td.cell-completed")).to_have_count(1)
    grade = bram.locator("td.cell-completed").get_by_label("Grade")
    grade.fill("6,8")
    grade.press("Tab")
    expect(bram.locator("td.cell-passed")).to_have_count(1)

    page.reload()
    bram = page.get_by_role("row", name="Bram B.").locator("td.cell-passed")
    expect(bram.get_by_label("Grade")).to_have_value("6.8")
    screenshot("progress-grade-english")


def test_a_partner_logs_3_comma_5_hours_and_sees_3_comma_5_after_reload(
    live_server, page, screenshot, consortium, company
):
    project = Project.objects.get()
    UserFactory(
        email="host@biocorp.nl", name="Hanna Host", organisation=company, role=Role.INDUSTRY_STAFF
    )
    log_in(page, live_server.url, "host@biocorp.nl")
    page.get_by_role("link", name="Bijdragen", exact=True).click()
    log = page.get_by_role("region", name="Bijdrage registreren")
    log.get_by_label("Programmalijn").select_option(label="1. Flexibel en hybride onderwijs")
    log.get_by_label("Soort").select_option("staff_hours")
    log.get_by_label("Uren").fill("3,5")
    log.get_by_label("Datum").fill(project.start_date.replace(month=3, day=1).isoformat())
    log.get_by_label("Omschrijving").fill("Practicum voorbereid")
    log.get_by_role("button", name="Registreren").click()
    expect(page.get_by_text("Geregistreerd en ter goedkeuring verstuurd.")).to_be_visible()

    page.reload()
    row = page.get_by_role("row", name="Practicum voorbereid")
    expect(row.get_by_role("cell", name="3,5 u")).to_be_visible()
    screenshot("contributions-hours-comma")
    assert str(Contribution.objects.get().hours) == "3.5"
