"""English pages are English: programme lines, indicators and milestones the consortium and the
demo load carry English texts, and every page shows the one of its language (Dutch otherwise)."""

import re

import pytest
from django.utils import translation

from demo.kpis import load_demo_kpis
from programmes.models import Indicator, Milestone, ProgrammeLine, Project
from programmes.services import load_consortium

pytestmark = pytest.mark.django_db


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S)
    assert select, f"no {name} select"
    return re.findall(r"<option[^>]*>([^<]+)</option>", select.group(0))


def test_the_consortium_loads_english_names_and_fills_them_in_later(consortium):
    line = ProgrammeLine.objects.get(number=1)
    assert line.name_en == "Flexible and hybrid education"
    assert Milestone.objects.get(system_key="midterm").title_en == "Mid-term review"
    # Loaded before English existed: filled in on the next load; a coordinator's text stays.
    ProgrammeLine.objects.filter(number=1).update(name_en="")
    ProgrammeLine.objects.filter(number=2).update(name_en="Practice-based research")
    Milestone.objects.filter(system_key="midterm").update(title_en="")

    load_consortium()

    assert ProgrammeLine.objects.get(number=1).name_en == "Flexible and hybrid education"
    assert ProgrammeLine.objects.get(number=2).name_en == "Practice-based research"
    assert Milestone.objects.get(system_key="midterm").title_en == "Mid-term review"
    assert Project.objects.get().name_en.startswith("Centre for Innovative")


def test_the_demo_indicators_have_english_names_and_units(consortium):
    load_demo_kpis()

    assert not Indicator.objects.filter(name_en="").exists()
    assert not Indicator.objects.filter(unit_en="").exists()
    Indicator.objects.update(name_en="", unit_en="")
    load_demo_kpis()  # loaded again on an older demo database: filled in
    assert not Indicator.objects.filter(name_en="").exists()
    with translation.override("en"):
        assert str(Indicator.objects.get(measure="guest_lessons")) == "Guest lessons given"
        assert str(ProgrammeLine.objects.get(number=1)) == "1. Flexible and hybrid education"
    assert str(ProgrammeLine.objects.get(number=1)) == "1. Flexibel en hybride onderwijs"


def test_the_board_filter_offers_the_lines_in_the_page_language(client, consortium, carla):
    client.force_login(carla)

    english = client.get("/en/opportunities/").content.decode()
    dutch = client.get("/opportunities/").content.decode()

    assert _options(english, "programme_line")[1:] == [
        "1. Flexible and hybrid education",
        "2. Research in the practoraat",
        "3. A positive image of the profession and the sector",
    ]
    assert _options(dutch, "programme_line")[1] == "1. Flexibel en hybride onderwijs"


def test_the_kpi_and_milestone_pages_speak_the_page_language(client, consortium, carla):
    load_demo_kpis()
    client.force_login(carla)

    english = client.get("/en/kpis/").content.decode()
    dutch = client.get("/kpis/").content.decode()
    milestones = client.get("/en/milestones/").content.decode()

    assert "Guest lessons given" in english and "(guest lessons)" in english
    assert "Gastlessen gegeven" not in english and "(gastlessen)" not in english
    assert "Flexible and hybrid education" in english
    assert "Gastlessen gegeven" in dutch and "(gastlessen)" in dutch
    assert "Mid-term review" in milestones and "Five custom modules developed" in milestones
    assert "Tussentijdse" not in milestones and "Vijf maatwerkmodules" not in milestones
