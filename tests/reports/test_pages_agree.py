"""Pages that used to contradict themselves: the number of partners in fixed text beside a
counter, a partner that joined today flagged as silent for two quarters, and "not yet in
civbio" for a partner whose people are there but have no contact person."""

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import Organisation, Role
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_start_and_project_pages_count_the_partners_from_the_data(client, consortium, carla):
    partners = Organisation.objects.partners().active().count()
    CompanyFactory(name="Nieuw Lab", active_since=timezone.localdate())

    home = client.get(reverse("home"))
    client.force_login(carla)
    project = client.get(reverse("programmes:project_detail"))

    assert home.context["partner_count"] == partners + 1
    for page in (home, project):
        assert "26 partners" not in page.text
    assert f"<strong>{partners + 1}</strong> partners" in home.text
    # The project page says how many and of which kind, funders not among them.
    assert f"{partners + 1} partners</a>:" in project.text
    assert " werkveld, " in project.text
    assert project.context["partners"]["total"] == partners + 1


def test_a_partner_that_joined_this_quarter_is_not_called_silent(client, consortium, carla):
    newcomer = CompanyFactory(name="Aaa Pas Begonnen BV", active_since=timezone.localdate())
    unseen_for_long = Organisation.objects.get(slug="baseclear")
    client.force_login(carla)

    context = client.get(reverse("reports:dashboard_coordinator")).context

    # The list names the first twelve by name: the newcomer would be the first of them.
    silent = {e.organisation.pk for e in context["silent_partners"]}
    assert newcomer.pk not in silent
    assert unseen_for_long.pk in silent


def test_partner_contacts_say_whether_anyone_is_there_or_only_no_contact(client, lines, dirk):
    with_people = CompanyFactory(name="AAA Met Mensen")
    UserFactory(organisation=with_people, role=Role.INDUSTRY_STAFF, is_contact=False)
    CompanyFactory(name="AAA Nog Leeg")
    client.force_login(dirk)

    page = client.get(reverse("reports:dashboard_school"))

    rows = {o.name: o for o in page.context["partner_contacts"]}
    assert rows["AAA Met Mensen"].has_people and not rows["AAA Nog Leeg"].has_people
    assert "nog geen contactpersoon" in page.text
    assert "nog niemand in civbio" in page.text
    assert "nog niet in civbio" not in page.text
