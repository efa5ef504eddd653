"""Backups of the database and the uploads, and restoring them: pg_dump / pg_restore on
PostgreSQL, SQLite's own online backup on SQLite; the uploads (logos, evidence, reports) as a tar
beside the dump. `make backup` and `make restore FILE=…` call these through manage.py."""

import os
import shutil
import sqlite3
import subprocess
import tarfile
from datetime import datetime
from pathlib import Path

from django.conf import settings

from civbio import figure_cache


def _pg_env(database: dict) -> dict:
    env = {**os.environ}
    for key, name in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if database.get(key):
            env[name] = str(database[key])
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} is not installed (Debian: postgresql-client)")
    return path


def _is_postgres(database: dict) -> bool:
    return "postgresql" in database["ENGINE"]


def backup(folder: Path, database: dict | None = None, media: Path | None = None) -> Path:
    """Write `<folder>/civbio-<timestamp>/` with the database and the uploads. Returns it."""
    database = database or settings.DATABASES["default"]
    media = Path(media or settings.MEDIA_ROOT)
    target = Path(folder) / f"civbio-{datetime.now():%Y%m%d-%H%M%S}"
    target.mkdir(parents=True)
    if _is_postgres(database):
        subprocess.run(  # noqa: S603 - fixed arguments, our own database
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--file",
                str(target / "database.dump"),
            ],
            env=_pg_env(database),
            check=True,
        )
    else:
        source = sqlite3.connect(database["NAME"])
        with sqlite3.connect(target / "database.sqlite3") as copy:
            source.backup(copy)
        source.close()
    with tarfile.open(target / "media.tar.gz", "w:gz") as archive:
        if media.exists():
            archive.add(media, arcname="media")
    return target


def restore(source: Path, database: dict | None = None, media: Path | None = None) -> None:
    """Put a backup back: the database replaced by the dump, the uploads by the archive."""
    database = database or settings.DATABASES["default"]
    media = Path(media or settings.MEDIA_ROOT)
    source = Path(source)
    if _is_postgres(database):
        subprocess.run(  # noqa: S603 - fixed arguments, our own database
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                database["NAME"],
                str(source / "database.dump"),
            ],
            env=_pg_env(database),
            check=True,
        )
    else:
        with sqlite3.connect(source / "database.sqlite3") as copy:
            target = sqlite3.connect(database["NAME"])
            copy.backup(target)
            target.close()
    # Figures kept from the database as it was go with it.
    figure_cache.data_changed()
    archive_path = source / "media.tar.gz"
    if archive_path.exists():
        with tarfile.open(archive_path) as archive:
            if media.exists():
                shutil.rmtree(media)
            media.parent.mkdir(parents=True, exist_ok=True)
            archive.extractall(media.parent, filter="data")
            extracted = media.parent / "media"
            if extracted != media:
                extracted.rename(media)
