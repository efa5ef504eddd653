from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse

from tests.browser import submit

ROOT = Path(settings.BASE_DIR)


def test_every_dutch_message_is_translated():
    with (ROOT / "locale/nl/LC_MESSAGES/django.po").open("rb") as po:
        catalog = read_po(po)

    untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    untranslated += [
        m.id for m in catalog if m.id and isinstance(m.string, tuple) and not all(m.string)
    ]

    assert untranslated == []


@pytest.mark.django_db
def test_the_language_switcher_changes_the_language_and_stays_on_the_page(
    client, consortium, carla
):
    client.force_login(carla)
    response = submit(client, "/partners/", {"language": "en"}, action=reverse("set_language"))

    assert response.status_code == 302
    assert response.url == "/en/partners/"
    assert "The programme lines" in client.get("/en/").text
    back = submit(client, "/en/", {"language": "nl"}, action=reverse("set_language"))
    assert back.url == "/"
    assert "De programmalijnen" in client.get("/").text


def test_no_message_is_translated_twice():
    """Two entries for one message: gettext's tools refuse the catalogue and Babel keeps
    whichever comes last, so a translation can change without anyone seeing it."""
    seen, twice, current, context = set(), [], None, ""
    path = Path(settings.LOCALE_PATHS[0]) / "nl" / "LC_MESSAGES" / "django.po"
    lines = [*path.read_text(encoding="utf-8").splitlines(), ""]
    for line in lines:
        if line.startswith("msgctxt "):
            context = line[8:]
        elif line.startswith("msgid "):
            current = line[6:]
        elif current is not None and line.startswith('"'):
            current += line
        elif current is not None:
            key = (context, current)
            if key != ("", '""'):
                if key in seen:
                    twice.append(key)
                seen.add(key)
            current, context = None, ""

    assert twice == []
