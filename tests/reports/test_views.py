import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from demo.services import DEMO_LOGINS, DEMO_PASSWORD
from partners.models import Organisation, Role
from tests.browser import submit

pytestmark = pytest.mark.django_db

DASHBOARDS = {
    Role.COORDINATOR: "reports:dashboard_coordinator",
    Role.SCHOOL_STAFF: "reports:dashboard_school",
    Role.INDUSTRY_STAFF: "reports:dashboard_industry",
    Role.FUNDER: "reports:dashboard_funder",
}


@pytest.mark.parametrize("person", DEMO_LOGINS, ids=lambda p: p.email)
def test_each_demo_role_logs_in_and_lands_on_its_own_dashboard(client, demo_data, person):

    response = submit(
        client,
        reverse("account_login"),
        {"login": person.email, "password": DEMO_PASSWORD},
        follow=True,
    )

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse(DASHBOARDS[person.role])
    assert response.context["user"].email == person.email


def test_a_wrong_password_keeps_the_email_and_explains(client, demo_data):

    response = submit(
        client, reverse("account_login"), {"login": "docent@demo.civbio.nl", "password": "wrong"}
    )

    assert response.status_code == 200
    assert 'value="docent@demo.civbio.nl"' in response.text
    assert response.context["form"].non_field_errors()


def test_open_sign_up_is_closed(client, db):
    response = client.get(reverse("account_signup"))

    assert "Registratie gesloten" in response.text
    # The page has no form; a forged post (with a token, as from another page) creates nobody.
    client.post_with_cookie_token(
        reverse("account_signup"),
        {
            "email": "walk-in@example.nl",
            "password1": "Pipet-Centrifuge-42",
            "password2": "Pipet-Centrifuge-42",
        },
    )
    from partners.models import User

    assert not User.objects.filter(email="walk-in@example.nl").exists()


@pytest.mark.parametrize("role", list(DASHBOARDS))
def test_a_dashboard_is_only_for_its_own_role(client, role, carla, dirk, bram, fien):
    people = {
        Role.COORDINATOR: carla,
        Role.SCHOOL_STAFF: dirk,
        Role.INDUSTRY_STAFF: bram,
        Role.FUNDER: fien,
    }
    for other_role, person in people.items():
        client.force_login(person)
        expected = 200 if other_role == role else 403
        assert client.get(reverse(DASHBOARDS[role])).status_code == expected


def test_the_coordinator_sees_partners_nobody_has_joined_from(client, consortium, carla):
    client.force_login(carla)

    response = client.get(reverse("reports:dashboard_coordinator"))

    # The first twelve by name are named, the others counted with a link to the partner list.
    names = [o.name for o in response.context["organisations_without_people"]]
    assert names[:2] == ["Avery Dennison", "BaseClear"] and len(names) == 12
    assert response.context["without_people_more"] == 26 - 12
    assert "And 14 other partners." in response.text or "En 14 andere partners." in response.text
    # The 26 partners of the seed and Carla's own school from the fixtures.
    assert response.context["engagement_total"] == 27


def test_the_public_start_page_lists_all_partners_and_lines_in_dutch_and_english(
    client, consortium, django_assert_num_queries
):
    # project, lines, partners counted per kind and the first of each kind named, open
    # opportunities: count and the first few
    with django_assert_num_queries(6):
        dutch = client.get(reverse("home"))
    assert dutch.context["partner_count"] == 26
    assert "Flexibel en hybride onderwijs" in dutch.text
    assert "De partners" in dutch.text
    assert "Naturalis Biodiversity Center" in dutch.text

    english = client.get("/en/")
    assert "Flexible and hybrid education" in english.text
    assert "The partners" in english.text
    assert '<html lang="en">' in english.text


def test_the_public_start_page_names_twelve_partners_of_a_kind_and_counts_the_rest(
    client, consortium
):
    from tests.factories import CompanyFactory

    companies = Organisation.objects.partners().filter(kind="work_field").count()
    CompanyFactory.create_batch(20)

    response = client.get(reverse("home"))

    [group] = [g for g in response.context["partner_groups"] if g["kind"] == "work_field"]
    assert len(group["organisations"]) == 12
    assert group["count"] == companies + 20
    assert response.context["partner_count"] == 26 + 20
    assert f"En {companies + 20 - 12} andere partners." in response.text


def test_funders_see_student_counts_only_from_five_up(client, consortium, fien, school):
    from activities.models import Placement
    from reports.figures import suppress

    assert [suppress(n) for n in (0, 1, 4, 5, 12)] == [0, None, None, 5, 12]
    client.force_login(fien)

    response = client.get(reverse("reports:dashboard_funder"))

    students = response.context["students"]
    assert [students[k] for k in ("students_in_modules", "placements", "students_reached")] == [
        0,
        0,
        0,
    ]
    assert "&lt; 5" in response.text or "0" in response.text
    assert Placement.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "shown"),
    [("nl", "En 1.234 andere partners."), ("en", "And 1,234 other partners.")],
)
def test_large_counts_are_grouped_as_the_language_writes_them(language, shown):
    with translation.override(language):
        html = render_to_string("reports/partials/more.html", {"more": 1234, "href": "/"})

    assert shown in html
