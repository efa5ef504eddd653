"""How the suite makes, keeps and cleans its test databases on PostgreSQL (the fixtures that use
this are in tests/conftest.py).

- Kept between runs: migrating a test database from scratch takes 10 to 30 seconds per pytest
  process. Each test database is kept after the run with a comment naming a digest of what its
  schema was made from (every app's migrations, uv.lock, INSTALLED_APPS); the next run uses it
  again only if the digest is the same, and makes it anew otherwise (`--create-db` always does).
  A database a run left half-made has no comment and is made anew. A kept database is emptied
  when it is used again (whatever a run that was stopped half-way left in it), as a
  transactional test's flush leaves it.
- No waiting for the disk: a crash of the server could lose the last commits of a database that
  is thrown away anyway. Django's flush (TRUNCATE of every table) took 1.7 s waiting for the disk
  and 0.3 s without; migrating and every commit of a transactional test gain the same way.
- Flushed by deleting rows: TRUNCATE makes every table and index anew (0.3 to 0.9 s a test);
  deleting the rows of these small tables in one transaction (every foreign key is deferred to
  the commit) leaves the same empty tables in a twentieth of that.
- Migrated rows come back: migrations fill some tables (the periodic tasks' schedules, content
  types). Django's flush empties those too, so a test that ran after a transactional test saw
  no schedules and one that ran before saw them. When a test database is made, the rows the
  migrations left are copied into the schema `civbio_tests_migrated`, and every flush puts them
  back in the same transaction.
"""

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
MADE_FROM = "civbio test database made from {}"
NO_DISK_WAIT = "-c synchronous_commit=off"
MIGRATED = "civbio_tests_migrated"
# Part of the digest: a change to how a kept database is laid out makes every one anew.
LAYOUT = "migrated rows kept in civbio_tests_migrated"
# The tables whose migrated rows this process's flushes put back (set by prepare()).
migrated_tables: list[str] = []


def on_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def configure() -> None:
    """Before any connection: this process's connections (the live server's threads too) commit
    without waiting for the disk, and flushes delete rows."""
    if not on_postgresql():
        return
    options = settings.DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} {NO_DISK_WAIT}".strip()
    _flush_by_delete()


def _flush_by_delete() -> None:
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush
    if getattr(truncate, "deletes", False):
        return

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        # A flush that resets sequences or cascades still truncates. The application never
        # flushes.
        if reset_sequences or allow_cascade or not tables:
            emptied = truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        else:
            emptied = ["SET CONSTRAINTS ALL DEFERRED;"] + [
                f"DELETE FROM {self.quote_name(table)};"  # noqa: S608 - the tables Django flushes
                for table in tables
            ]
        restored = [table for table in migrated_tables if table in tables]
        # The rows come back under their ids; each id sequence is moved past them, or the next
        # row made would take an id they hold (a flush may have restarted the sequence).
        return (
            emptied
            + [
                f"INSERT INTO {self.quote_name(table)} "  # noqa: S608 - tables saved by prepare()
                f"SELECT * FROM {MIGRATED}.{self.quote_name(table)};"
                for table in restored
            ]
            + [
                f"SELECT setval(pg_get_serial_sequence('{self.quote_name(table)}', 'id'), "  # noqa: S608
                f"(SELECT MAX(id) FROM {self.quote_name(table)}));"
                for table in restored
            ]
        )

    sql_flush.deletes = True  # type: ignore[attr-defined]
    DatabaseOperations.sql_flush = sql_flush


def source_digest() -> str:
    """A digest of everything a test database's schema is made from."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    digest.update((ROOT / "uv.lock").read_bytes())
    digest.update(repr(list(settings.INSTALLED_APPS)).encode())
    digest.update(LAYOUT.encode())
    return digest.hexdigest()[:20]


def kept_one_is_current() -> bool:
    """Whether this process's test database exists, made from the current sources."""
    with connection._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [connection.creation._get_test_db_name()],
        )
        row = cursor.fetchone()
    return row is not None and row[0] == MADE_FROM.format(source_digest())


def prepare(*, reused: bool) -> None:
    """Right after pytest-django made or found the test database (connected to it)."""
    name = connection.ops.quote_name(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        # For every other connection, a real Celery worker's included.
        cursor.execute(f"ALTER DATABASE {name} SET synchronous_commit = off")
    if not reused:
        _save_migrated_rows()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            [MIGRATED],
        )
        migrated_tables[:] = sorted(row[0] for row in cursor.fetchall())
    if reused:
        call_command("flush", interactive=False, reset_sequences=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(f"COMMENT ON DATABASE {name} IS %s", [MADE_FROM.format(source_digest())])


def _save_migrated_rows() -> None:
    """Copy every table the migrations put rows in into the MIGRATED schema."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {MIGRATED} CASCADE")
        cursor.execute(f"CREATE SCHEMA {MIGRATED}")
        tables = connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
        for table in tables:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")  # noqa: S608
            if cursor.fetchone()[0]:
                cursor.execute(
                    f"CREATE TABLE {MIGRATED}.{quote(table)} AS "  # noqa: S608
                    f"SELECT * FROM {quote(table)}"
                )
