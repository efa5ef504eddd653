"""Trigram indexes for the board's search, on PostgreSQL only.

The board searches title and description with `icontains`, which Django writes as
`UPPER(column) LIKE UPPER('%term%')`: without these indexes every published activity is read,
and the time grows with the data. A GIN index with pg_trgm's operator class answers such a LIKE,
and an expression index on UPPER(...) matches Django's SQL.

pg_trgm is a trusted extension (PostgreSQL 13 and newer): the database's owner may create it. If
the role may not, the migration says so and leaves the indexes out; search then still works, by
reading every row as before.
"""

import sys

from django.db import DatabaseError, migrations, transaction

INDEXES = {
    "activity_title_trgm": "UPPER(title::text)",
    "activity_description_trgm": "UPPER(description)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as exc:
        print(
            f"\n  activities.0003: pg_trgm could not be created ({exc}); the board's search "
            "works without its indexes, only slower. Run CREATE EXTENSION pg_trgm as a "
            "superuser and migrate activities 0002, then again, to add them.",
            file=sys.stderr,
        )
        return
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON activities_activity "
            f"USING gin ({expression} gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("activities", "0002_crebo_list")]

    operations = [migrations.RunPython(create, drop)]
