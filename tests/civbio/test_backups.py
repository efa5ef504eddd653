"""A backup restores into a fresh database with every record, and the uploads come back."""

import os
import tempfile
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from civbio.backups import backup, restore

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


def test_a_backup_restores_into_a_fresh_database_with_every_record(demo_data, settings, tmp_path):
    database = connection.settings_dict
    if "postgresql" not in database["ENGINE"]:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("the backup test needs PostgreSQL")
        pytest.skip("pg_dump and pg_restore need PostgreSQL (make test uses it when it runs)")
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "logos").mkdir(parents=True)
    (settings.MEDIA_ROOT / "logos" / "biocorp.png").write_bytes(b"\x89PNG logo")
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
            restore(folder, database=fresh, media=restored_media)
            after = _counts(fresh, tables)
        finally:
            conn.execute(f'DROP DATABASE IF EXISTS "{fresh["NAME"]}"')

    assert after == before
    assert (restored_media / "logos" / "biocorp.png").read_bytes() == b"\x89PNG logo"


def _sqlite_world(tmp_path, rows: list[str]):
    """A database file and an uploads folder of their own, beside nothing of the test run's."""
    import sqlite3

    path = tmp_path / "live.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE IF NOT EXISTS note (text TEXT)")
        db.execute("DELETE FROM note")
        db.executemany("INSERT INTO note VALUES (?)", [(r,) for r in rows])
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}


def _notes(database) -> list[str]:
    import sqlite3

    with sqlite3.connect(database["NAME"]) as db:
        return [r[0] for r in db.execute("SELECT text FROM note ORDER BY text")]


def test_a_restore_drill_beside_the_live_uploads_leaves_them_untouched(tmp_path):
    live = tmp_path / "site" / "media"
    (live / "reports").mkdir(parents=True)
    (live / "reports" / "q3.pdf").write_bytes(b"%PDF live report")
    database = _sqlite_world(tmp_path, ["backed up"])
    folder = backup(tmp_path / "backups", database=database, media=live)

    # The drill restores into a folder of its own, next to the live one, not named media.
    drill = tmp_path / "site" / "drill-uploads"
    drill_db = {**database, "NAME": str(tmp_path / "drill.sqlite3")}
    restore(folder, database=drill_db, media=drill)

    assert (live / "reports" / "q3.pdf").read_bytes() == b"%PDF live report"
    assert (drill / "reports" / "q3.pdf").read_bytes() == b"%PDF live report"
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["drill-uploads", "media"]
    assert _notes(drill_db) == ["backed up"]


def test_an_unreadable_archive_changes_neither_the_database_nor_the_uploads(tmp_path):
    from civbio.backups import BackupError

    media = tmp_path / "media"
    media.mkdir()
    (media / "logo.png").write_bytes(b"\x89PNG now")
    database = _sqlite_world(tmp_path, ["backed up"])
    folder = backup(tmp_path / "backups", database=database, media=media)
    (folder / "media.tar.gz").write_bytes(b"not a tar at all")
    _sqlite_world(tmp_path, ["written since"])

    with pytest.raises(BackupError):
        restore(folder, database=database, media=media)

    assert _notes(database) == ["written since"]
    assert (media / "logo.png").read_bytes() == b"\x89PNG now"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backups", "live.sqlite3", "media"]


def test_a_backup_without_uploads_restores_to_no_uploads_with_its_database(tmp_path):
    empty = tmp_path / "nothing-yet"
    database = _sqlite_world(tmp_path, ["before any upload"])
    folder = backup(tmp_path / "backups", database=database, media=empty)
    media = tmp_path / "media"
    media.mkdir()
    (media / "later.pdf").write_bytes(b"%PDF uploaded after the backup")
    _sqlite_world(tmp_path, ["written since"])

    restore(folder, database=database, media=media)

    assert _notes(database) == ["before any upload"]
    assert media.is_dir() and list(media.iterdir()) == []


def test_a_restore_into_a_mounted_uploads_folder_swaps_its_contents_not_the_folder(
    tmp_path, monkeypatch
):
    """In the container the uploads' folder is a volume: it cannot be renamed and its parent is
    not writable. The restore works inside it."""
    media = tmp_path / "app" / "media"
    (media / "logos").mkdir(parents=True)
    (media / "logos" / "a.png").write_bytes(b"\x89PNG backed up")
    database = _sqlite_world(tmp_path, ["backed up"])
    folder = backup(tmp_path / "backups", database=database, media=media)
    (media / "logos" / "a.png").write_bytes(b"\x89PNG changed since")
    (media / "new.pdf").write_bytes(b"%PDF since")
    media_inode = media.stat().st_ino
    real_rename = Path.rename

    def rename(self, target):
        assert self.resolve() != media.resolve(), "the mounted folder itself was renamed"
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    real_mkdtemp = tempfile.mkdtemp

    def mkdtemp(*args, dir=None, **kwargs):
        # Nothing is written beside the uploads' folder (the container's /app is not writable).
        assert Path(dir).resolve().is_relative_to(media.resolve()), dir
        return real_mkdtemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    restore(folder, database=database, media=media)

    assert media.stat().st_ino == media_inode
    assert sorted(p.name for p in media.iterdir()) == ["logos"]
    assert (media / "logos" / "a.png").read_bytes() == b"\x89PNG backed up"
