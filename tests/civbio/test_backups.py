"""A backup restores into a fresh database with every record, and the uploads come back."""

import os

import psycopg
import pytest
from django.db import connection

from civbio import figure_cache
from civbio.backups import backup, restore
from reports.demo import load_demo

pytestmark = pytest.mark.django_db(transaction=True)


def _counts(database: dict, tables: list[str]) -> dict[str, int]:
    with psycopg.connect(
        host=database["HOST"],
        port=database["PORT"] or 5432,
        user=database["USER"],
        password=database["PASSWORD"] or None,
        dbname=database["NAME"],
    ) as conn:
        return {
            table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in tables
        }


def test_a_backup_restores_into_a_fresh_database_with_every_record(consortium, settings, tmp_path):
    database = connection.settings_dict
    if "postgresql" not in database["ENGINE"]:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("the backup test needs PostgreSQL")
        pytest.skip("pg_dump and pg_restore need PostgreSQL (make test uses it when it runs)")
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "logos").mkdir(parents=True)
    (settings.MEDIA_ROOT / "logos" / "biocorp.png").write_bytes(b"\x89PNG logo")
    load_demo()
    tables = connection.introspection.table_names()
    before = _counts(database, tables)
    assert before["activities_activity"] > 0 and before["partners_organisation"] >= 26

    folder = backup(tmp_path / "backups")
    fresh = {**database, "NAME": f"civbio_restore_{os.getpid()}"}
    admin = {**database, "NAME": "postgres"}
    with psycopg.connect(
        host=admin["HOST"],
        port=admin["PORT"] or 5432,
        user=admin["USER"],
        password=admin["PASSWORD"] or None,
        dbname=admin["NAME"],
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{fresh["NAME"]}"')
        conn.execute(f'CREATE DATABASE "{fresh["NAME"]}"')
        try:
            restored_media = tmp_path / "restored-media"
            kept_before = figure_cache._version()
            restore(folder, database=fresh, media=restored_media)
            # Figures kept from the database as it was go with it.
            assert figure_cache._version() != kept_before
            after = _counts(fresh, tables)
        finally:
            conn.execute(f'DROP DATABASE IF EXISTS "{fresh["NAME"]}"')

    assert after == before
    assert (restored_media / "logos" / "biocorp.png").read_bytes() == b"\x89PNG logo"
