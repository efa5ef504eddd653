"""Backups of the database and the uploads, and restoring them: pg_dump / pg_restore on
PostgreSQL, SQLite's own online backup on SQLite; the uploads (logos, evidence, reports) as a tar
beside the dump. `make backup` and `make restore FILE=…` call these through manage.py."""

import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path

from django.conf import settings

# Restores unpack into a folder of this name inside the uploads' folder; backups leave it out.
STAGING_PREFIX = ".restore-"


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
            archive.add(
                media,
                arcname="media",
                filter=lambda info: (
                    None if Path(info.name).name.startswith(STAGING_PREFIX) else info
                ),
            )
    return target


class BackupError(Exception):
    """A backup that cannot be put back whole; nothing was changed."""


def restore(source: Path, database: dict | None = None, media: Path | None = None) -> None:
    """Put a backup back: the database replaced by the dump, the uploads by the archive, both or
    neither.

    The archive is unpacked first, into a fresh folder inside the uploads' folder (the same
    disk, writable wherever the uploads are, also when that folder is a mounted volume), and
    checked; only then is the database replaced (in one transaction on PostgreSQL), and last the
    folder's entries are swapped for the unpacked ones by renames. Nothing outside `media` is
    touched, whatever the folders are called. An archive without files (a backup taken before
    anything was uploaded) restores to no uploads."""
    database = database or settings.DATABASES["default"]
    media = Path(media or settings.MEDIA_ROOT).resolve()
    source = Path(source)
    dump = source / ("database.dump" if _is_postgres(database) else "database.sqlite3")
    archive_path = source / "media.tar.gz"
    for needed in (dump, archive_path):
        if not needed.exists():
            raise BackupError(f"{source} has no {needed.name}: nothing restored")
    media.mkdir(parents=True, exist_ok=True)
    if not os.access(media, os.W_OK | os.X_OK):
        raise BackupError(f"{media} cannot be written to: nothing restored")
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=media))
    try:
        unpacked = _unpack_uploads(archive_path, staging)
        _restore_database(dump, database)
        try:
            _swap_in(unpacked, media, staging)
        except OSError as exc:
            raise BackupError(
                f"the database was restored, but the uploads could not be put in {media}: {exc}"
            ) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _unpack_uploads(archive_path: Path, staging: Path) -> Path:
    """The archive's `media` folder unpacked inside `staging` (an empty folder for an archive
    without files). Any other top-level entry means this is not our archive."""
    try:
        with tarfile.open(archive_path) as archive:
            members = archive.getmembers()
            strays = [m.name for m in members if m.name.split("/")[0] != "media"]
            if strays:
                raise BackupError(f"{archive_path.name} holds {strays[0]!r} outside media/")
            archive.extractall(staging, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{archive_path.name} cannot be read: {exc}") from exc
    unpacked = staging / "media"
    unpacked.mkdir(exist_ok=True)
    return unpacked


def _restore_database(dump: Path, database: dict) -> None:
    if _is_postgres(database):
        subprocess.run(  # noqa: S603 - fixed arguments, our own database
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                database["NAME"],
                str(dump),
            ],
            env=_pg_env(database),
            check=True,
        )
    else:
        with sqlite3.connect(dump) as copy:
            target = sqlite3.connect(database["NAME"])
            copy.backup(target)
            target.close()


def _swap_in(unpacked: Path, media: Path, staging: Path) -> None:
    """Renames within the uploads' folder: its entries step aside into `staging`, the restored
    ones take their place, and the old ones go (with `staging`) only once that worked; on a
    failure the old entries are put back."""
    aside = staging / "previous"
    aside.mkdir()
    moved: list[str] = []
    placed: list[str] = []
    try:
        for entry in sorted(media.iterdir()):
            if entry != staging:
                entry.rename(aside / entry.name)
                moved.append(entry.name)
        for entry in sorted(unpacked.iterdir()):
            entry.rename(media / entry.name)
            placed.append(entry.name)
    except OSError:
        for name in placed:
            (media / name).rename(unpacked / name)
        for name in moved:
            (aside / name).rename(media / name)
        raise
