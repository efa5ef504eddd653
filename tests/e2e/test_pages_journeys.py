"""Pages as people meet them in Chromium: every key page of every role on a phone (a header of
at most 15 % of the screen, nothing scrolling sideways), the public board's folded filters and
its links, and a student import that ends on its outcome with a way on."""

import pytest
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import expect

from activities.models import Activity
from demo.services import DEMO_PASSWORD
from partners.models import Organisation
from students.models import Edition, Student
from tests.e2e.conftest import OUTPUT, log_in
from tests.factories import QualificationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
ROLES = {
    "anonymous": None,
    "coordinator": "coordinator@demo.civbio.nl",
    "school": "docent@demo.civbio.nl",
    "industry": "bedrijf@demo.civbio.nl",
    "funder": "financier@demo.civbio.nl",
}


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # a page another change has not added yet
        return None


def _key_pages(role: str) -> list[str]:
    """The pages of the role's menu and the detail pages behind them."""
    activity = Activity.objects.filter(status="published").order_by("pk").first()
    partner = Organisation.objects.partners().order_by("name").first()
    edition = Edition.objects.order_by("pk").first()
    student = Student.objects.filter(school=edition.school).order_by("pk").first()
    common = [_url("activities:notifications"), _url("partners:account")]
    pages = {
        "anonymous": [
            "/",
            reverse("activities:public_board"),
            reverse("account_login"),
            reverse("reports:figures"),
        ],
        "coordinator": [
            reverse("ledger:contribution_review"),
            reverse("programmes:milestones"),
            activity.get_absolute_url(),
            partner.get_absolute_url(),
            edition.get_absolute_url(),
            reverse("students:student_detail", args=[student.pk]),
            reverse("activities:public_board"),
            *common,
        ],
        "school": [
            activity.get_absolute_url(),
            partner.get_absolute_url(),
            edition.get_absolute_url(),
            reverse("students:student_detail", args=[student.pk]),
            reverse("activities:matches"),
            reverse("students:student_import"),
            *common,
        ],
        "industry": [activity.get_absolute_url(), partner.get_absolute_url(), *common],
        "funder": [partner.get_absolute_url(), *common],
    }
    return [page for page in pages[role] if page]


def test_every_key_page_of_every_role_fits_a_phone(live_server, browser, demo_data):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    problems, shots = [], []
    for role, email in ROLES.items():
        context = browser.new_context(viewport=PHONE, locale="nl-NL")
        page = context.new_page()
        urls = []
        if email:
            log_in(page, live_server.url, email, DEMO_PASSWORD)
            urls.append(page.url.removeprefix(live_server.url))
            menu = page.locator(".main-nav a").evaluate_all(
                "links => links.map(a => a.getAttribute('href'))"
            )
            urls += [href for href in menu if not href.startswith("/admin/")]
        urls += _key_pages(role)
        for url in dict.fromkeys(urls):
            response = page.goto(live_server.url + url)
            assert response.status == 200, f"{role} {url}: {response.status}"
            header = page.locator(".site-header").bounding_box()["height"]
            wide, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if header > 0.15 * PHONE["height"]:
                problems.append(f"{role} {url}: the header is {header:.0f}px high")
            if wide > inner:
                problems.append(f"{role} {url}: {wide}px wide on a {inner}px screen")
            path = OUTPUT / f"phone-{role}{url.replace('/', '-').rstrip('-')}.png"
            page.screenshot(path=str(path))
            shots.append(path)
        context.close()
    assert problems == [], "\n".join(problems)
    assert len(shots) > 40
    print("\nPhone screenshots:\n" + "\n".join(f"  {p}" for p in shots))


def test_on_a_phone_the_menu_opens_behind_one_button(live_server, browser, demo_data):
    context = browser.new_context(viewport=PHONE, locale="nl-NL")
    page = context.new_page()
    log_in(page, live_server.url, "docent@demo.civbio.nl", DEMO_PASSWORD)
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    expect(nav).to_be_hidden()

    page.locator(".site-menu > summary").click()

    expect(nav).to_be_visible()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    page.screenshot(path=str(OUTPUT / "phone-menu-open.png"))
    nav.get_by_role("link", name="Studenten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Studenten")
    context.close()


def test_a_visitor_on_a_phone_filters_the_board_and_opens_a_partner(
    live_server, browser, demo_data
):
    activity = Activity.objects.open_opportunities().order_by("-created_at").first()
    context = browser.new_context(viewport=PHONE, locale="nl-NL")
    page = context.new_page()
    page.goto(live_server.url + reverse("activities:public_board"))
    search = page.get_by_label("Zoeken")
    expect(search).to_be_hidden()

    page.get_by_text("Filters", exact=True).click()
    search.fill(activity.title)
    page.get_by_role("button", name="Filteren").click()

    card = page.locator(f"#opportunity-{activity.pk}")
    expect(card).to_be_visible()
    expect(page.locator(".filter-fold summary .counter")).to_contain_text("1")
    page.screenshot(path=str(OUTPUT / "phone-public-board-filtered.png"), full_page=True)
    # The partner's name is a link an anonymous visitor can follow: its open opportunities.
    card.get_by_role("link", name=activity.host.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Openstaande kansen bij {activity.host.name}"
    )
    expect(page).to_have_url(
        live_server.url + reverse("activities:public_board") + f"?host={activity.host_id}"
    )
    # The whole card is a link too: its title leads to the same page, to that card.
    page.locator(f"#opportunity-{activity.pk}").click(position={"x": 20, "y": 10})
    expect(page).to_have_url(
        live_server.url
        + reverse("activities:public_board")
        + f"?host={activity.host_id}#opportunity-{activity.pk}"
    )
    context.close()


def test_staff_open_an_opportunity_from_the_public_board(live_server, page, demo_data):
    activity = Activity.objects.open_opportunities().order_by("-created_at").first()
    log_in(page, live_server.url, "docent@demo.civbio.nl", DEMO_PASSWORD)
    page.goto(live_server.url + reverse("activities:public_board"))

    page.locator(f"#opportunity-{activity.pk}").get_by_role("link", name=activity.title).click()

    expect(page).to_have_url(live_server.url + activity.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text(activity.title)


def test_a_teacher_imports_students_and_goes_on_from_the_outcome(
    live_server, page, demo_data, tmp_path, screenshot
):
    QualificationFactory(crebo="25653", name="Analist", level=4)
    upload = tmp_path / "export.csv"
    upload.write_text(
        "studentnummer;roepnaam;crebo;niveau;leerweg;cohort\n"
        "E2E1;Noor Import;25653;4;BOL;2025\nE2E2;Sem Import;25653;4;BBL;2025\n"
    )
    log_in(page, live_server.url, "docent@demo.civbio.nl", DEMO_PASSWORD)
    page.goto(live_server.url + reverse("students:student_import"))

    page.get_by_label("CSV-bestand").set_input_files(str(upload))
    page.get_by_role("button", name="Bestand controleren").click()
    expect(page.get_by_role("heading", name="Eerste rijen")).to_be_visible()
    page.get_by_role("button", name="Bevestigen en importeren").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("export.csv is geïmporteerd")
    expect(page.get_by_text("Geïmporteerd: 2 nieuwe studenten, 0 bijgewerkt.")).to_be_visible()
    expect(page.get_by_role("heading", name="Eerste rijen")).to_have_count(0)
    expect(page.locator("main table")).to_have_count(0)
    screenshot("student-import-done")
    page.get_by_role("link", name="Naar de studenten").click()
    expect(page.get_by_role("link", name="Noor Import")).to_be_visible()
