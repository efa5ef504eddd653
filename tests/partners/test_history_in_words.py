"""The change history on a record's page is written in words: field labels, values as people
know them (choice labels, names of related records, dates in the reader's format, yes or no),
and nothing of the bookkeeping (reverse relations, keys, tokens)."""

import pytest
from django.urls import reverse
from django.utils import formats

from tests.browser import submit
from tests.conftest import days
from tests.factories import CompanyFactory, QualificationFactory, StudentFactory

pytestmark = pytest.mark.django_db


def test_a_partner_page_shows_its_creation_and_changes_in_words(client, carla):
    company = CompanyFactory(name="Woordlab", city="Leiden", active_since=days(-3))
    client.force_login(carla)
    submit(
        client,
        reverse("partners:organisation_edit", args=[company.slug]),
        {"city": "Oegstgeest", "website": "https://woordlab.example"},
    )

    page = client.get(reverse("partners:organisation_detail", args=[company.slug]))

    history = page.text.split("Wijzigingsgeschiedenis", 1)[1]
    assert "<strong>Plaats</strong>: Leiden → Oegstgeest" in history
    # The creation, with the kind as a label, the date as Dutch writes it, a yes/no.
    assert "<strong>Soort</strong>: Werkveld" in history
    assert (
        f"<strong>Partner sinds</strong>: {formats.date_format(days(-3), 'SHORT_DATE_FORMAT')}"
        in (history)
    )
    assert "<strong>Penvoerder</strong>: nee" in history
    for raw in ("funded_projects", "programmes.Project.None", "None", "slug", "<strong>ID"):
        assert raw not in history


def test_a_students_history_names_the_qualification_not_its_number(client, dirk, carla):
    before, after = QualificationFactory(name="Analist"), QualificationFactory(name="Biotechnoloog")
    student = StudentFactory(school=dirk.organisation, qualification=before)
    client.force_login(dirk)
    submit(
        client,
        reverse("students:student_edit", args=[student.pk]),
        {"qualification": after.pk, "left_on": days(-1).isoformat()},
    )
    client.force_login(carla)

    page = client.get(reverse("students:student_detail", args=[student.pk]))

    history = page.text.split("Wijzigingsgeschiedenis", 1)[1]
    assert f"<strong>Kwalificatie</strong>: {before} → {after}</div>" in history
    assert f"— → {formats.date_format(days(-1), 'SHORT_DATE_FORMAT')}" in history
    assert f"→ {after.pk}<" not in history
