"""Cells written to CSV and XLSX files that people open in a spreadsheet."""

import csv
import io
import re
import time
from collections.abc import Iterator
from contextlib import closing

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, CharField, F, Func, Value, When
from django.db.models.functions import Cast, Concat, Left
from django.db.models.lookups import In
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import Cell

from civbio import rounding

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_CHUNK = 64 * 1024  # bytes sent at a time by a streamed export


# A spreadsheet may split a cell at a comma or a semicolon (Dutch Excel reads ";" as the
# separator whatever the file uses): a part that would start a formula there is guarded too. A
# "+" or "-" is only a formula when something follows it ("10,-" stays as it is).
SEPARATED_FORMULA = re.compile(r"([,;]\s*)([=@\t\r]|[+-](?=\S))")
SEPARATED_FORMULA_SQL = r"([,;]\s*)([=@\t\r]|[+-](?=\S))"


def safe_cell(value, *, separated: bool = True):
    """Text a spreadsheet would run as a formula gets an apostrophe, at its start and, in a CSV
    (`separated`), after any comma or semicolon where a formula would begin; numbers and dates
    pass through unchanged. Applying it twice changes nothing more."""
    if isinstance(value, str):
        if separated:
            value = SEPARATED_FORMULA.sub(r"\1'\2", value)
        if value.startswith(FORMULA_PREFIXES):
            return "'" + value
    return value


class GuardedParts(Func):
    """`safe_cell`'s guard of the separated parts, in PostgreSQL (which writes the board's CSV
    itself); on other databases the rows pass through `safe_cell` in Python instead."""

    function = "REGEXP_REPLACE"
    output_field = CharField()

    def __init__(self, expression):
        super().__init__(expression, Value(SEPARATED_FORMULA_SQL), Value("\\1'\\2"), Value("g"))

    def as_sqlite(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])


def safe_text(field: str):
    """`safe_cell` in SQL, for exports that the database writes: a text column with an
    apostrophe where a spreadsheet would run it, or a part of it, as a formula."""
    guarded = GuardedParts(F(field))
    return Case(
        When(
            In(Left(F(field), 1), [Value(p) for p in FORMULA_PREFIXES]),
            then=Concat(Value("'"), guarded, output_field=CharField()),
        ),
        default=guarded,
        output_field=CharField(),
    )


def as_text(expression):
    return Cast(expression, output_field=CharField())


def csv_response(header: list, rows, filename: str) -> StreamingHttpResponse:
    """A CSV download: the header, then `rows`, a `values_list` queryset whose every column is
    already what the file holds (text, formulas guarded, None for empty), streamed as it is
    written."""
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # filters that can match nothing (`.none()`)
        sql, params = None, None
    response = StreamingHttpResponse(
        _csv_stream(header, rows, sql, params), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _csv_stream(header, rows, sql, params) -> Iterator[bytes]:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL).writerow(
        [safe_cell(str(h)) for h in header]
    )
    yield buffer.getvalue().encode()
    if sql is None:
        return
    # A download broken off closes this generator at a `yield`, and with it the query.
    with closing(_csv_rows(rows, sql, params)) as produced:
        yield from produced


def _csv_rows(rows, sql: str, params) -> Iterator[bytes]:
    """The rows as CSV, in chunks of about CSV_CHUNK bytes.

    On PostgreSQL the database writes the CSV itself (COPY … TO STDOUT): one query, streamed,
    and no Python object per row, which at a hundred times the consortium (120,000 rows) is
    most of the time (make bench). Elsewhere Python's csv module writes the same rows."""
    connection = connections[rows.db]
    if connection.vendor == "postgresql":
        # Every field quoted, as the other exports write them: a separator inside stays inside.
        statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *)"
        began = time.monotonic()
        with connection.cursor() as cursor, cursor.cursor.copy(statement, params) as copy:
            # The database hands over one row at a time: sent as they come, that was a
            # write to the socket per row (make bench: 280 ms for 11,440 rows under load).
            blocks, size = [], 0
            for block in copy:
                blocks.append(bytes(block))
                size += len(block)
                if size >= CSV_CHUNK:
                    yield b"".join(blocks)
                    blocks, size = [], 0
            yield b"".join(blocks)
        if connection.queries_logged:  # counted like any query (query-count tests, DEBUG)
            connection.queries_log.append(
                {"sql": statement, "time": f"{time.monotonic() - began:.3f}"}
            )
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for row in rows.iterator(chunk_size=2000):
        writer.writerow([safe_cell(value) for value in row])
        if buffer.tell() >= CSV_CHUNK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def xlsx_row(row) -> list[tuple[object, str | None]]:
    """A table row as a workbook holds it: each cell's value and number format. civbio.rounding's
    figures become rounded numbers with their kind's format, other Decimals numbers, lazy
    translations text; text is guarded at its start (a workbook's cells are never split at
    separators)."""
    cells = []
    for value in row:
        if isinstance(value, Promise):
            value = str(value)
        number, number_format = rounding.xlsx_value(value)
        cells.append((safe_cell(number, separated=False), number_format))
    return cells


def append_xlsx_row(sheet, row) -> None:
    """`row` appended to a worksheet, numbers with their number format (see `xlsx_row`)."""
    cells = []
    for value, number_format in xlsx_row(row):
        if number_format:
            # A cell made here carries its format into `append`: looking the row up afterwards
            # (`sheet.max_row`) scans every cell of the sheet, once per row.
            cell = Cell(sheet, value=value)
            cell.number_format = number_format
            value = cell
        cells.append(value)
    sheet.append(cells)


def csv_row(row) -> list:
    """A table row as a CSV holds it: civbio.rounding's figures with a decimal point (see that
    module; a negative amount is a number, not a formula to guard), text guarded where a
    spreadsheet would run it."""
    return [
        rounding.csv_value(value) if isinstance(value, rounding.Cell) else safe_cell(value)
        for value in row
    ]


def spreadsheet_response(fmt: str, filename: str, header: list, rows: list[list]) -> HttpResponse:
    """A table as a CSV (with a byte-order mark, so spreadsheet programs read é and ë) or XLSX
    download, every cell guarded against formulas, figures written by civbio.rounding."""
    if fmt == "csv":
        buffer = io.StringIO("\ufeff")
        buffer.seek(0, io.SEEK_END)
        writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
        writer.writerow([safe_cell(str(h)) for h in header])
        writer.writerows([csv_row(row) for row in rows])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.append([str(h) for h in header])
        for row in rows:
            append_xlsx_row(sheet, row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.{fmt}")
    return response
