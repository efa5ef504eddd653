"""The four dashboards with the demo data in real Chromium, at laptop and phone widths: they
render without console errors (the CSP included), without sideways scrolling, with their charts
and the charts' tables, and leave screenshots in test-output/e2e/ to look at."""

import pytest
from django.db.models import Count
from playwright.sync_api import expect

from demo.services import DEMO_PASSWORD, load_demo
from students.models import Edition
from tests.e2e.conftest import OUTPUT, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DASHBOARDS = [
    ("coordinator@demo.civbio.nl", "Coördinatordashboard", "coordinator"),
    ("docent@demo.civbio.nl", "Schooldashboard", "school"),
    ("bedrijf@demo.civbio.nl", "Bedrijfsdashboard", "industry"),
    ("financier@demo.civbio.nl", "Financiersdashboard", "funder"),
]
WIDTHS = {"laptop": (1366, 900), "phone": (390, 844)}


def test_the_four_dashboards_look_right_at_laptop_and_phone_width(live_server, browser, consortium):
    load_demo()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    shots = []
    for email, heading, slug in DASHBOARDS:
        for width_name, (width, height) in WIDTHS.items():
            context = browser.new_context(
                viewport={"width": width, "height": height}, locale="nl-NL"
            )
            page = context.new_page()
            problems = []
            page.on(
                "console",
                lambda message, problems=problems: (
                    problems.append(message.text) if message.type == "error" else None
                ),
            )
            log_in(page, live_server.url, email, DEMO_PASSWORD)
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)

            charts = page.locator("figure.chart svg[role=img]:visible")
            expect(charts.first).to_be_visible()
            # A chart's figures open as a table, from the keyboard too.
            summary = page.locator("figure.chart summary").first
            summary.focus()
            page.keyboard.press("Enter")
            expect(page.locator("figure.chart details table").first).to_be_visible()
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{slug} scrolls sideways at {width}px"
            assert problems == [], problems

            path = OUTPUT / f"dashboard-{slug}-{width_name}.png"
            page.screenshot(path=str(path), full_page=True)
            shots.append(path)
            context.close()

    # The wide tables scroll within their frame, not the page: a visually hidden label inside
    # one (the grid has one per cell) once widened the whole page to the table's width.
    edition = Edition.objects.annotate(n=Count("enrolments")).order_by("-n").first()
    for path in ("/finance/", edition.get_absolute_url()):
        for width, height in WIDTHS.values():
            context = browser.new_context(
                viewport={"width": width, "height": height}, locale="nl-NL"
            )
            page = context.new_page()
            log_in(page, live_server.url, "coordinator@demo.civbio.nl", DEMO_PASSWORD)
            page.goto(live_server.url + path)
            expect(page.locator("table").first).to_be_visible()
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{path} scrolls sideways at {width}px"
            context.close()

    # With the period and line filters applied, the coordinator's page still renders.
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="nl-NL")
    page = context.new_page()
    log_in(page, live_server.url, "coordinator@demo.civbio.nl", DEMO_PASSWORD)
    page.get_by_label("Periode", exact=True).select_option("all")
    page.get_by_label("Programmalijn", exact=True).select_option("1")
    page.get_by_role("button", name="Tonen").click()
    expect(page).to_have_url(live_server.url + "/dashboard/coordinator/?period=all&line=1")
    expect(page.get_by_role("heading", name="1. Flexibel en hybride onderwijs")).to_be_visible()
    context.close()
    print("\nDashboard screenshots:\n" + "\n".join(f"  {p}" for p in shots))
