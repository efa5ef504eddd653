"""Cells written to CSV and XLSX files that people open in a spreadsheet."""

import csv
import io
from decimal import Decimal

from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe; numbers and dates
    pass through unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def spreadsheet_response(fmt: str, filename: str, header: list, rows: list[list]) -> HttpResponse:
    """A table as a CSV (with a byte-order mark, so spreadsheet programs read é and ë) or XLSX
    download, every cell guarded against formulas."""
    if fmt == "csv":
        buffer = io.StringIO("\ufeff")
        buffer.seek(0, io.SEEK_END)
        writer = csv.writer(buffer)
        writer.writerow([str(h) for h in header])
        writer.writerows([[safe_cell(v) for v in row] for row in rows])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.append([str(h) for h in header])
        for row in rows:
            sheet.append([safe_cell(float(v) if isinstance(v, Decimal) else v) for v in row])
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
