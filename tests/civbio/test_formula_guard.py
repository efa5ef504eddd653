"""No cell of any CSV becomes a formula, whichever separator the spreadsheet splits on: Dutch
Excel reads ";" as the separator, so "Stage analist;=1+1;" must not start a cell with "="."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse

from activities import services
from civbio.spreadsheets import FORMULA_PREFIXES, safe_cell
from tests.conftest import draft_lesson

pytestmark = pytest.mark.django_db

NASTY = "Stage analist;=1+1;"


def formula_cells(text: str) -> list[str]:
    """Every cell that starts a formula when the file is split on "," or on ";"."""
    found = []
    for delimiter in (",", ";"):
        for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter):
            found += [cell for cell in row if cell.lstrip().startswith(FORMULA_PREFIXES)]
    return found


@pytest.mark.parametrize(
    ("text", "guarded"),
    [
        (NASTY, "Stage analist;'=1+1;"),
        ("=1+1", "'=1+1"),
        ("a, +31 6 123", "a, '+31 6 123"),
        ("Prijs 10,- per uur", "Prijs 10,- per uur"),
        ("a;@SUM(A1)", "a;'@SUM(A1)"),
        ("plain text", "plain text"),
    ],
)
def test_a_formula_after_a_separator_is_guarded_and_plain_text_is_not(text, guarded):
    assert safe_cell(text) == guarded
    assert safe_cell(safe_cell(text)) == guarded  # twice changes nothing more
    assert safe_cell(text, separated=False) == ("'" + text if text[0] == "=" else text)


def test_the_board_export_holds_no_formula_with_either_separator(client, lines, dirk, bram):
    lesson = draft_lesson(bram, NASTY)
    services.change_activity_status(actor=bram, activity=lesson, status="published")
    client.force_login(dirk)

    response = client.get(reverse("activities:board_csv"), {"kind": "guest_lesson"})
    text = b"".join(response.streaming_content).decode()

    assert "Stage analist;'=1+1;" in text
    assert formula_cells(text) == []
    # Every field quoted: a separator inside a title stays inside its cell.
    assert text.splitlines()[1].startswith('"')


def test_the_spreadsheet_exports_hold_no_formula_with_either_separator(client, carla, consortium):
    from civbio.spreadsheets import spreadsheet_response

    response = spreadsheet_response("csv", "x", [NASTY], [[NASTY, "-1", 3]])
    text = response.content.decode()

    assert formula_cells(text) == []
    client.force_login(carla)
    for url in (
        reverse("reports:finance_export", args=["csv"]),
        reverse("reports:kpi_export", args=["csv"]),
    ):
        exported = client.get(url)
        assert exported.status_code == 200, url
        assert formula_cells(exported.content.decode()) == [], url


def test_the_report_bundle_holds_no_formula_with_either_separator():
    from reports import renderers

    contents = {"sections": None}
    sections = [("Uren", ["Omschrijving"], [[NASTY], ["=2+2"]])]
    original = renderers.sections
    renderers.sections = lambda _: sections
    try:
        bundle = renderers.render_csv_zip(contents)
    finally:
        renderers.sections = original

    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        for name in archive.namelist():
            assert formula_cells(archive.read(name).decode("utf-8")) == [], name
