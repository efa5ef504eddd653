"""Data sets built once per test process and copied into each later test that asks for one.

Building the demo (load_consortium, then load_demo, as `make run` does) takes seconds, loading the
consortium a third of one; copying the rows a build made back into a test's database with
PostgreSQL's COPY takes a few hundredths. The first test that asks for a `Snapshot` builds it for
real, and the rows the build made are kept (the text COPY writes, in memory); every later test
gets exactly those rows put back. Each test still starts from its own empty database and has its
own copy: what it changes is rolled back or flushed with it, as if it had built the data itself.

Two copies per process, so that the rows are those the test would have built itself:
- for a test inside a transaction (pytest-django's `db`), made there: callbacks waiting for a
  commit never ran;
- for a transactional test (`transactional_db`, `live_server`), made with autocommit: what runs
  on commit ran (tasks are eager).

A copy is only made, and only put back, where that is the same as building:
- a copy is kept only if every table the build changed was empty before it (the build only
  added rows) and its rows point at no row outside the copy but content types;
- a copy is put back only into empty tables; otherwise the test builds for real (the builds are
  idempotent: loading on top of what a test made first works as it always did);
- content types (a flush puts them back under their ids; a database made otherwise may hold
  them under others) are mapped to today's ids by app and model; sequences are moved past the
  copied ids.

Without PostgreSQL (the SQLite fall-back of bin/test-services) every test builds.
"""
# ruff: noqa: S608 - the SQL names only tables, columns and sequences read from the database's own
# catalogue (through Django's introspection), quoted; values go in as parameters or COPY data.

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import translation

CONTENT_TYPES = "django_content_type"


@dataclass
class _Copy:
    rows: dict[str, bytes]  # each table the build filled: its rows as COPY's text
    content_types: dict[int, tuple[str, str]]  # id -> (app, model) when the copy was made
    content_type_columns: list[tuple[str, str]]  # (table, column) pointing at a content type
    sequences: list[tuple[str, str, str]]  # (sequence, table, column)


class Snapshot:
    def __init__(self, name: str, build: Callable[[], object]):
        self.name = name
        self.build = build
        self._copies: dict[bool, _Copy] = {}  # by "made inside a transaction"

    def restore(self) -> None:
        """Put the data set into the test's database: copied if a copy exists and its tables are
        empty, else built (and copied, if the build allows it)."""
        if connection.vendor != "postgresql":
            self.build()
            return
        inside = connection.in_atomic_block
        copy = self._copies.get(inside)
        if copy is not None and _put_back(copy):
            return
        copy = self._build_and_copy()
        if copy is not None:
            self._copies[inside] = copy

    def _build_and_copy(self) -> _Copy | None:
        qn = connection.ops.quote_name
        introspection = connection.introspection
        tables = sorted(introspection.django_table_names(only_existing=True, include_views=False))
        before = _fingerprints(tables)
        with translation.override(settings.LANGUAGE_CODE):
            self.build()
        after = _fingerprints(tables)
        changed = [t for t in tables if after[t] != before[t]]
        if any(before[t][0] for t in changed):
            return None  # it changed rows the test had made first: not a copy of the build alone
        filled = [t for t in changed if after[t][0]]
        rows: dict[str, bytes] = {}
        content_type_columns, sequences = [], []
        with connection.cursor() as cursor:
            for table in filled:
                for column, (_, target, *_) in introspection.get_relations(cursor, table).items():
                    if target in filled:
                        continue
                    if target == CONTENT_TYPES:
                        content_type_columns.append((table, column))
                        continue
                    cursor.execute(f"SELECT 1 FROM {qn(table)} WHERE {qn(column)} IS NOT NULL")
                    if cursor.fetchone() is not None:
                        return None  # it points at a row the copy would not hold
                sequences += [
                    (s["name"], table, s["column"])
                    for s in introspection.get_sequences(cursor, table)
                ]
                with cursor.cursor.copy(f"COPY {qn(table)} TO STDOUT") as out:
                    rows[table] = b"".join(bytes(chunk) for chunk in out)
            cursor.execute(f"SELECT id, app_label, model FROM {CONTENT_TYPES}")
            content_types = {pk: (app, model) for pk, app, model in cursor.fetchall()}
        return _Copy(rows, content_types, content_type_columns, sequences)


def _fingerprints(tables: list[str]) -> dict[str, tuple[int, str]]:
    """Each table's row count and a digest of its rows, in one query."""
    qn = connection.ops.quote_name
    parts = [
        f"SELECT %s, count(*), md5(coalesce(string_agg(r::text, ',' ORDER BY r::text), '')) "
        f"FROM {qn(table)} r"
        for table in tables
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), tables)
        return {table: (count, digest) for table, count, digest in cursor.fetchall()}


def _put_back(copy: _Copy) -> bool:
    """Copy the rows in, unless one of their tables has rows already (then False)."""
    qn = connection.ops.quote_name
    tables = list(copy.rows)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(f"SELECT %s FROM {qn(t)} HAVING count(*) > 0" for t in tables),
            tables,
        )
        if cursor.fetchall():
            return False
        for table in tables:
            with cursor.cursor.copy(f"COPY {qn(table)} FROM STDIN") as into:
                into.write(copy.rows[table])

        # Content types by app and model: a transactional test's flush made them again.
        cursor.execute(f"SELECT id, app_label, model FROM {CONTENT_TYPES}")
        today = {(app, model): pk for pk, app, model in cursor.fetchall()}
        moved = {
            old: today[key]
            for old, key in copy.content_types.items()
            if key in today and today[key] != old
        }
        if moved and copy.content_type_columns:
            pairs = ", ".join(f"({old}, {new})" for old, new in moved.items())
            for table, column in copy.content_type_columns:
                cursor.execute(
                    f"UPDATE {qn(table)} SET {qn(column)} = m.new FROM (VALUES {pairs}) "
                    f"AS m(old, new) WHERE {qn(table)}.{qn(column)} = m.old"
                )
        if copy.sequences:
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT setval(%s, top) FROM (SELECT max({qn(column)}) AS top "
                    f"FROM {qn(table)}) t WHERE top > (SELECT last_value FROM {qn(sequence)})"
                    for sequence, table, column in copy.sequences
                ),
                [qn(sequence) for sequence, _, _ in copy.sequences],
            )
    return True
