"""The demo data set copied into tests (tests/snapshots.py, the `demo_data` fixture) is the one
loading it makes, each test gets its own copy, and a copy survives content types made anew."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction

from partners.models import Organisation, User
from tests.conftest import DEMO, _build_demo
from tests.snapshots import CONTENT_TYPES, _fingerprints

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="without PostgreSQL every test builds the demo itself"
)


def _counts() -> dict[str, int]:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    return {table: count for table, (count, _) in _fingerprints(sorted(tables)).items()}


def _content_types_used() -> list[tuple[str, str, str]]:
    """Which kind of record each row pointing at a content type names, by app and model."""
    used = []
    with connection.cursor() as cursor:
        for table, column in DEMO._copies[connection.in_atomic_block].content_type_columns:
            cursor.execute(
                f'SELECT ct.app_label, ct.model FROM "{table}" t '  # noqa: S608
                f'JOIN {CONTENT_TYPES} ct ON ct.id = t."{column}"'
            )
            used += [(table, *row) for row in cursor.fetchall()]
    return sorted(used)


@pytest.mark.django_db
def test_the_copy_holds_what_loading_the_demo_makes(demo_data):
    copied = _counts()
    assert copied["partners_user"] >= 12 and copied["activities_activity"] > 0

    with transaction.atomic(), connection.cursor() as cursor:
        for table in DEMO._copies[True].rows:
            cursor.execute(f'DELETE FROM "{table}"')  # noqa: S608
        _build_demo()
        built = _counts()
        transaction.set_rollback(True)

    assert copied == built
    assert DEMO._copies[True].content_type_columns  # the audit trail names its records' kinds


@pytest.mark.django_db
@pytest.mark.parametrize("turn", [1, 2])
def test_what_a_test_changes_in_its_copy_is_gone_in_the_next(demo_data, turn):
    # Whichever turn runs first, the other finds the demo as it was loaded.
    coordinator = User.objects.get(email="coordinator@demo.civbio.nl")
    assert not Organisation.objects.filter(slug__startswith="changed-by-turn-").exists()
    assert coordinator.name != "Changed"

    Organisation.objects.create(name=f"Changed {turn}", slug=f"changed-by-turn-{turn}")
    User.objects.filter(pk=coordinator.pk).update(name="Changed")


@pytest.mark.django_db(transaction=True)
def test_a_committed_copy_names_the_same_kinds_after_content_types_are_made_anew(demo_data):
    before = _content_types_used()
    old_ids = set(ContentType.objects.values_list("id", flat=True))
    assert before

    # What a transactional test's teardown does: content types come back under new ids.
    call_command("flush", interactive=False)
    ContentType.objects.clear_cache()
    assert not old_ids & set(ContentType.objects.values_list("id", flat=True))
    DEMO.restore()

    assert _content_types_used() == before


def test_a_copy_refuses_a_database_that_already_has_its_rows(demo_data):
    with pytest.raises(AssertionError, match="already have rows"):
        DEMO.restore()
