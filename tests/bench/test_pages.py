"""The benchmark measures pages that exist: every page `make bench` visits answers its role on the
demo's data (a page that moved or was renamed fails here, not forty minutes into a bench run)."""

import pytest

from bench import run
from partners.models import User

pytestmark = pytest.mark.django_db


def test_every_page_the_bench_measures_answers_the_role_it_is_measured_as(client, demo_data):
    pages = run.key_pages()
    assert len(pages) > 50
    wrong = []
    for page in pages:
        client.logout()
        if page.role != "anonymous":
            client.force_login(User.objects.get(email=run.ROLES[page.role]))
        status = client.get(page.path).status_code
        if status != 200:
            wrong.append(f"{page.name} ({page.role}) {page.path}: {status}")
    assert wrong == []
