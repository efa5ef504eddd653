"""How every figure is counted (docs/figures.md) is a page of its own, in the reader's language,
linked from every page of figures, the report's PDF and its files."""

import re

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from civbio import documents
from programmes.models import Project
from reports.contents import report_contents
from reports.models import ReportKind
from reports.renderers import sections
from reports.services import period_of

DOCS = documents.DOCS


def outline(text: str) -> list[tuple[str, int]]:
    """A Markdown file's shape: each heading's level, each table's rows, each list's items."""
    shape = []
    for line in text.splitlines():
        if heading := re.match(r"(#+) ", line):
            shape.append(("heading", len(heading.group(1))))
        elif line.startswith("|"):
            shape.append(("row", 0))
        elif line.startswith("- "):
            shape.append(("item", 0))
    return shape


def test_the_dutch_definitions_follow_the_english_ones_section_by_section():
    english = (DOCS / "figures.md").read_text(encoding="utf-8")
    dutch = (DOCS / "figures.nl.md").read_text(encoding="utf-8")
    assert outline(dutch) == outline(english)
    # Code references stay as they are, so a reader can find them in either language.
    assert set(re.findall(r"`[^`]+`", dutch)) == set(re.findall(r"`[^`]+`", english))


@pytest.mark.django_db
def test_anyone_reads_the_definitions_in_their_language(client):
    dutch = client.get(reverse("reports:figures"))
    assert dutch.status_code == 200
    title = (DOCS / "figures.nl.md").read_text(encoding="utf-8").splitlines()[0][2:]
    assert f"<h1>{title}</h1>" in dutch.text
    assert "<table>" in dutch.text

    with translation.override("en"):
        english = client.get(reverse("reports:figures"))  # /en/figures/
    assert "<h1>The figures</h1>" in english.text
    assert "<h2>The RIF rule checks</h2>" in english.text


def test_a_document_passes_no_raw_html_through(tmp_path, monkeypatch):
    (tmp_path / "note.md").write_text("# Note\n\n<script>alert(1)</script> and **bold**\n")
    monkeypatch.setattr(documents, "DOCS", tmp_path)
    page = documents.document("note")
    assert page.title == "Note"
    assert "<script>" not in page.body
    assert "&lt;script&gt;" in page.body
    assert "<strong>bold</strong>" in page.body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("person", "url_name"),
    [
        ("carla", "reports:dashboard_coordinator"),
        ("carla", "reports:finance"),
        ("carla", "reports:kpis"),
        ("carla", "reports:report_list"),
        ("fien", "reports:dashboard_funder"),
        ("dirk", "reports:dashboard_school"),
        ("bram", "reports:dashboard_industry"),
    ],
)
def test_every_page_of_figures_links_to_the_definitions(
    client, consortium, request, person, url_name
):
    client.force_login(request.getfixturevalue(person))
    page = client.get(reverse(url_name), follow=True)
    assert page.status_code == 200
    assert f'href="{reverse("reports:figures")}"' in page.text


@pytest.mark.django_db
def test_the_report_and_its_files_say_where_the_definitions_are(consortium):
    project = Project.objects.get()
    contents = report_contents(project, period_of(project, ReportKind.QUARTERLY, 1))
    url = settings.SITE_URL.rstrip("/") + reverse("reports:figures")
    assert contents["figures_url"] == url
    [summary] = [rows for name, _header, rows in sections(contents) if name == "Samenvatting"]
    assert ["Hoe de cijfers geteld worden", url] in summary
    assert url in render_to_string("reports/pdf/report.html", contents)
