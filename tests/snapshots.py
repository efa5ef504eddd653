"""Data sets built once per test process and copied into each test that asks for one.

Building the demo (load_consortium, then load_demo, as `make run` does) takes seconds; copying the
rows it made back into a test's database with PostgreSQL's COPY takes a fraction of a second. A
`Snapshot` builds its data set the first time a test asks for it, keeps the rows the build made
(the text COPY writes, in memory), and puts exactly those rows back in every later test. Each test
still starts from its own empty database and gets its own copy: what one test changes is rolled
back or flushed with that test, as if it had built the data itself.

Two copies per process, each made the first time it is needed, so that the rows are those the
test would have got by building them itself:
- in a test inside a transaction (pytest-django's `db`): built in a savepoint that is rolled back,
  so callbacks waiting for a commit never run, as in the test;
- in a transactional test (`transactional_db`, `live_server`): built with autocommit, so what runs
  on commit ran (tasks are eager); the rows are then deleted again.

Checked, so that a copy is never quietly wrong:
- at capture, every table the build changed was empty before it (the build only adds rows), and
  its rows point at no row outside the copy except content types;
- at restore, those tables are empty (ask for the data set before fixtures that add rows);
- content types, which a transactional test's flush makes again under new ids, are mapped to
  today's ids by app and model; sequences are moved past the copied ids.

Without PostgreSQL (the SQLite fall-back of bin/test-services) the build simply runs in each test.
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
        """Put the data set into the test's database (which has none of its tables filled)."""
        if connection.vendor != "postgresql":
            self.build()
            return
        inside = connection.in_atomic_block
        if inside not in self._copies:
            self._copies[inside] = self._capture(inside)
        _put_back(self.name, self._copies[inside])

    def _capture(self, inside: bool) -> _Copy:
        qn = connection.ops.quote_name
        tables = sorted(
            connection.introspection.django_table_names(only_existing=True, include_views=False)
        )
        before = _fingerprints(tables)
        with translation.override(settings.LANGUAGE_CODE):
            if inside:
                with transaction.atomic():
                    copy = self._build_and_copy(tables, before)
                    transaction.set_rollback(True)
                return copy
            filled: list[str] = []
            try:
                copy = self._build_and_copy(tables, before)
                filled = list(copy.rows)
            finally:
                # Autocommit: the build's rows stay unless taken away (all of them if it failed).
                now = _fingerprints(tables)
                filled = filled or [t for t in tables if now[t][0] and not before[t][0]]
                with transaction.atomic(), connection.cursor() as cursor:
                    for table in filled:
                        cursor.execute(f"DELETE FROM {qn(table)}")
            return copy

    def _build_and_copy(self, tables: list[str], before: dict[str, tuple[int, str]]) -> _Copy:
        qn = connection.ops.quote_name
        introspection = connection.introspection
        self.build()
        after = _fingerprints(tables)
        changed = [t for t in tables if after[t] != before[t]]
        had_rows = [t for t in changed if before[t][0]]
        assert not had_rows, (
            f"{self.name}: the build changed tables that already had rows: {had_rows}. Ask for "
            "the data set before any fixture that adds rows (or let the build add them)."
        )
        filled = [t for t in changed if after[t][0]]
        rows: dict[str, bytes] = {}
        content_type_columns, sequences = [], []
        with connection.cursor() as cursor:
            for table in filled:
                with cursor.cursor.copy(f"COPY {qn(table)} TO STDOUT") as out:
                    rows[table] = b"".join(bytes(chunk) for chunk in out)
                for column, (_, target, *_) in introspection.get_relations(cursor, table).items():
                    if target in filled:
                        continue
                    if target == CONTENT_TYPES:
                        content_type_columns.append((table, column))
                        continue
                    cursor.execute(f"SELECT 1 FROM {qn(table)} WHERE {qn(column)} IS NOT NULL")
                    assert cursor.fetchone() is None, (
                        f"{self.name}: {table}.{column} points at {target}, which the build did "
                        "not fill: such a row cannot be copied into another database state."
                    )
                sequences += [
                    (s["name"], table, s["column"])
                    for s in introspection.get_sequences(cursor, table)
                ]
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


def _put_back(name: str, copy: _Copy) -> None:
    qn = connection.ops.quote_name
    tables = list(copy.rows)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(f"SELECT %s FROM {qn(t)} HAVING count(*) > 0" for t in tables),
            tables,
        )
        occupied = [table for (table,) in cursor.fetchall()]
        assert not occupied, (
            f"{name}: these tables already have rows: {occupied}. Ask for the data set before "
            "any fixture that adds rows."
        )
        for table in tables:
            with cursor.cursor.copy(f"COPY {qn(table)} FROM STDIN") as into:
                into.write(copy.rows[table])

        # Content types by app and model: a transactional test's flush made them again.
        cursor.execute(f"SELECT id, app_label, model FROM {CONTENT_TYPES}")
        today = {(app, model): pk for pk, app, model in cursor.fetchall()}
        gone = set(copy.content_types.values()) - set(today)
        assert not gone, f"{name}: content types missing from this database: {sorted(gone)}"
        moved = {old: today[key] for old, key in copy.content_types.items() if today[key] != old}
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
