import pytest
from django.urls import reverse

from tests.factories import CompanyFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_directory_groups_partners_by_kind_and_filters(client, dirk, company, other_school):
    client.force_login(dirk)

    response = client.get(reverse("partners:organisation_list"))
    assert response.status_code == 200
    labels = [group["label"] for group in response.context["groups"]]
    assert labels == ["Onderwijs", "Werkveld"]

    filtered = client.get(reverse("partners:organisation_list"), {"q": "rotter"})
    names = [o.name for g in filtered.context["groups"] for o in g["organisations"]]
    assert names == ["Rotterdam Tech"]
    by_kind = client.get(reverse("partners:organisation_list"), {"kind": "work_field"})
    assert [o.name for g in by_kind.context["groups"] for o in g["organisations"]] == ["BioCorp"]


def test_an_unknown_filter_value_is_explained_not_an_error(client, dirk, company):
    client.force_login(dirk)

    response = client.get(reverse("partners:organisation_list"), {"kind": "martian"})

    assert response.status_code == 200
    assert response.context["filter"].errors["kind"]


def test_the_directory_renders_in_constant_queries(client, dirk, django_assert_num_queries):
    for n in range(40):
        organisation = CompanyFactory() if n % 2 else SchoolFactory()
        UserFactory.create_batch(2, organisation=organisation)
    client.force_login(dirk)

    # session, user, organisations with people counts, unread notifications
    with django_assert_num_queries(4):
        response = client.get(reverse("partners:organisation_list"))
    assert response.context["result_count"] == 41


def test_a_partner_page_shows_other_partners_only_their_contacts(client, dirk, bram, bea):
    client.force_login(dirk)

    response = client.get(reverse("partners:organisation_detail", args=["biocorp"]))

    assert response.status_code == 200
    assert "bram@example.nl" in response.text
    assert "bea@example.nl" not in response.text


def test_colleagues_and_coordinators_see_everyone_at_an_organisation(client, bram, bea, carla):
    for viewer in (bea, carla):
        client.force_login(viewer)
        response = client.get(reverse("partners:organisation_detail", args=["biocorp"]))
        assert "bram@example.nl" in response.text
        assert "bea@example.nl" in response.text


def test_a_partner_page_renders_in_constant_queries(
    client, carla, company, django_assert_num_queries
):
    UserFactory.create_batch(25, organisation=company)
    client.force_login(carla)

    # session, user, organisation, people, the invitable-organisation check, the change history
    # (Carla coordinates), whether it may leave (not where the project office works), unread
    # notifications
    with django_assert_num_queries(8):
        client.get(reverse("partners:organisation_detail", args=["biocorp"]))


def test_an_unknown_partner_is_not_found(client, dirk):
    client.force_login(dirk)

    assert client.get(reverse("partners:organisation_detail", args=["nobody"])).status_code == 404
