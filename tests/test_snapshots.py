"""The data sets copied into tests (tests/snapshots.py: `consortium`, `demo_data`) hold what
building them makes, each test gets its own copy, a copy survives content types made anew, and
a test that made rows first gets a real build."""

import pytest
from django.apps import apps
from django.contrib.contenttypes.management import create_contenttypes
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

from partners.models import Organisation, User
from programmes import consortium
from tests.conftest import CONSORTIUM, DEMO
from tests.factories import CompanyFactory
from tests.snapshots import CONTENT_TYPES, _fingerprints

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="without PostgreSQL every test builds the data itself"
)
SNAPSHOTS = pytest.mark.parametrize("snapshot", [CONSORTIUM, DEMO], ids=lambda s: s.name)


def _counts() -> dict[str, int]:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    return {table: count for table, (count, _) in _fingerprints(sorted(tables)).items()}


def _empty(snapshot) -> None:
    with connection.cursor() as cursor:
        for table in snapshot._copies[connection.in_atomic_block].rows:
            cursor.execute(f'DELETE FROM "{table}"')  # noqa: S608


def _content_types_used(snapshot) -> list[tuple[str, str, str]]:
    """Which kind of record each row pointing at a content type names, by app and model."""
    used = []
    with connection.cursor() as cursor:
        for table, column in snapshot._copies[connection.in_atomic_block].content_type_columns:
            cursor.execute(
                f'SELECT ct.app_label, ct.model FROM "{table}" t '  # noqa: S608
                f'JOIN {CONTENT_TYPES} ct ON ct.id = t."{column}"'
            )
            used += [(table, *row) for row in cursor.fetchall()]
    return sorted(used)


@SNAPSHOTS
@pytest.mark.django_db
def test_the_copy_holds_what_the_build_makes(snapshot):
    snapshot.restore()  # built, or copied if an earlier test built it
    first = _counts()
    _empty(snapshot)
    snapshot.restore()  # copied
    copied = _counts()
    _empty(snapshot)
    snapshot.build()
    built = _counts()

    assert copied == built == first
    assert built["partners_organisation"] >= 26
    assert snapshot._copies[True].content_type_columns  # the audit trail names its records' kinds


@pytest.mark.django_db
@pytest.mark.parametrize("turn", [1, 2])
def test_what_a_test_changes_in_its_copy_is_gone_in_the_next(demo_data, turn):
    # Whichever turn runs first, the other finds the demo as it was loaded.
    coordinator = User.objects.get(email="coordinator@demo.civbio.nl")
    assert not Organisation.objects.filter(slug__startswith="changed-by-turn-").exists()
    assert coordinator.name != "Changed"

    Organisation.objects.create(name=f"Changed {turn}", slug=f"changed-by-turn-{turn}")
    User.objects.filter(pk=coordinator.pk).update(name="Changed")


@SNAPSHOTS
@pytest.mark.django_db(transaction=True)
def test_a_committed_copy_names_the_same_kinds_after_content_types_are_made_anew(snapshot):
    snapshot.restore()  # built and copied, or copied
    before = _content_types_used(snapshot)
    old_ids = set(ContentType.objects.values_list("id", flat=True))
    assert before

    # A flush puts the migrated content types back under their ids (tests/databases.py); a
    # database whose content types were made another way has them under other ids.
    call_command("flush", interactive=False, reset_sequences=False)
    ContentType.objects.all().delete()
    ContentType.objects.clear_cache()
    for app in apps.get_app_configs():
        create_contenttypes(app, verbosity=0)
    assert not old_ids & set(ContentType.objects.values_list("id", flat=True))
    snapshot.restore()

    assert _content_types_used(snapshot) == before


@pytest.mark.django_db
def test_a_test_that_made_rows_first_gets_a_real_build_on_top_of_them():
    CONSORTIUM.restore()  # a copy exists from here on, if it did not before
    copied = Organisation.objects.count()
    _empty(CONSORTIUM)  # the next test's empty tables
    slug = consortium.PARTNERS[0][2]
    CompanyFactory(name="Eigen naam", slug=slug)

    # partners_organisation has a row: load_consortium runs, as it always did, and leaves the
    # partner it finds by its slug as it is (a copy would add a second one, or fail).
    CONSORTIUM.restore()

    assert Organisation.objects.count() == copied
    assert Organisation.objects.get(slug=slug).name == "Eigen naam"
