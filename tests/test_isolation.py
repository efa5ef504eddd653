"""What a transactional test commits is gone before the next test (tests/conftest.py flushes by
deleting rows rather than truncating tables): whichever turn runs second finds nothing."""

import pytest
from django.db import connection

from activities.models import Activity
from partners.models import Organisation, Role, User
from tests.conftest import draft_lesson


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("turn", [1, 2])
def test_what_a_transactional_test_commits_is_gone_in_the_next(consortium, turn):
    assert not User.objects.exists() and not Activity.objects.exists()
    organisations = Organisation.objects.count()

    lead = Organisation.objects.get(is_lead_applicant=True)
    carla = User.objects.create_user(
        email=f"carla{turn}@example.nl", organisation=lead, role=Role.COORDINATOR
    )
    draft_lesson(carla)
    Organisation.objects.create(name=f"Turn {turn}", slug=f"turn-{turn}")

    assert not connection.in_atomic_block  # committed, as a live server or a worker sees it
    assert Organisation.objects.count() == organisations + 1
