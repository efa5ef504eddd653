"""How every figure is rounded and written: one rule for pages, charts, the PDF, XLSX and CSV.

Amounts, hours and KPI figures are `Decimal` from the database to here, and nothing is rounded
before this module writes them: a sum of exact amounts is rounded once, so a total is the
rounded sum, not the sum of rounded parts. Every rounding is half up (`ROUND_HALF_UP`: a half
goes away from zero, 2.5 → 3, -2.5 → -3), never half to even (Python's `round()` and a bare
`Decimal.quantize`) and never cut off (`int()`, `//`, Django's `number_format`).

What each figure shows (pages, charts and the PDF / XLSX / CSV):

- Money totals (pledges, realised, expected by now, budgets, rule checks): whole euros on
  pages (€ 72.039,80 → € 72.040); cents in files (XLSX: a number formatted `"€" #,##0.00`; CSV:
  `72039.80`).
- Money as one row holds it (a contribution's amount; the grant, the total budget and the hourly
  rate on the project page): cents everywhere (€ 12,50). The finance page's lead, the funder's
  tiles and the PDF's cover show the grant and the budget in whole euros, as totals.
- Hours: one decimal everywhere (7,25 → 7,3; XLSX `#,##0.0`; CSV `7.3`).
- KPI figures (targets, a period's value, cumulative, forecast) and counts: whole everywhere,
  pages and files alike, so the file says what the page said (46,7 → 47, a target of 6,5 → 7;
  XLSX `#,##0`; CSV `47`). The co-financing KPI is a KPI figure: whole euros, in files too.
- Percentages (of a target, of a class's units, of the project's time): whole (2,5 % → 3 %,
  100,5 % → 101 %), taken of the exact figures (`percent`), never of rounded ones.
- The grant's share of the total budget, which the RIF limits to one third: one decimal (33,3 %),
  so that a share just above the limit never reads as the limit itself.

Pages write numbers as the page's language does: Dutch (the default) groups thousands with a
point and writes decimals after a comma (72.039,80), English the other way round (72,039.80).
A suppressed student count (None) is written "< 5".

Files hold numbers, never text (but "< 5" for a suppressed count). A CSV writes a point as
the decimal separator and no thousands separator, in every language: its fields are separated
by commas, and a point is what spreadsheet import dialogs, databases and scripts read as a
decimal everywhere, whatever the reader's own language (the XLSX is the file for reading; its
cells are numbers that Excel and LibreOffice show in the reader's own way).
"""

from decimal import ROUND_HALF_UP, Context, Decimal
from typing import NamedTuple

from django.utils.formats import number_format

SUPPRESSED = "< 5"

# Kinds of figure in a file, each with its places and its XLSX number format.
MONEY, HOURS, FIGURE = "money", "hours", "figure"
PLACES = {MONEY: 2, HOURS: 1, FIGURE: 0}
XLSX_FORMATS = {MONEY: '"€" #,##0.00', HOURS: "#,##0.0", FIGURE: "#,##0"}


def as_decimal(value) -> Decimal | None:
    """`value` as a Decimal, exactly: a float as it prints (0.1 is 0.1, not
    0.1000000000000000055…), None or "" as None."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def rounded(value, places: int = 0) -> Decimal | None:
    """`value` rounded half up to `places` decimals (None stays None)."""
    number = as_decimal(value)
    if number is None:
        return None
    _sign, figures, exponent = number.as_tuple()
    if not isinstance(exponent, int):  # infinity or not a number
        return number
    digits = len(figures) + abs(exponent) + places + 1
    result = number.quantize(
        Decimal(1).scaleb(-places),
        rounding=ROUND_HALF_UP,
        context=Context(prec=max(28, digits)),
    )
    # -0.4 rounds to 0, not to "-0".
    return result if result else abs(result)


def euros(value) -> Decimal | None:
    """An amount in whole euros, as pages show totals."""
    return rounded(value, 0)


def cents(value) -> Decimal | None:
    """An amount in cents, as files hold it."""
    return rounded(value, 2)


def hours(value) -> Decimal | None:
    """Hours to one decimal."""
    return rounded(value, 1)


def whole(value) -> Decimal | None:
    """A KPI figure or a count, whole."""
    return rounded(value, 0)


def percent(part, of, places: int = 0) -> Decimal | None:
    """`part` as a percentage of `of`, rounded half up (None without a whole to take it of)."""
    part, of = as_decimal(part), as_decimal(of)
    if part is None or not of:
        return None
    return rounded(part * 100 / of, places)


def written(value, places: int = 0) -> str:
    """A number rounded half up to `places` decimals and written as the active language writes
    it, thousands grouped: 72.040 in Dutch, 72,040 in English; "" for None."""
    number = rounded(value, places)
    if number is None:
        return ""
    if not number.is_finite():
        return str(number)
    return number_format(number, decimal_pos=places, force_grouping=True)


def figure_written(value, places: int = 0) -> str:
    """A KPI figure or a count for people outside the schools: "< 5" where it was suppressed."""
    return SUPPRESSED if value is None or value == "" else written(value, places)


# Files -------------------------------------------------------------------------------------------


class Cell(NamedTuple):
    """A figure for a file, with its kind: the XLSX and CSV writers round and format it here."""

    value: object
    kind: str


def money_cell(value) -> Cell:
    return Cell(value, MONEY)


def hours_cell(value) -> Cell:
    return Cell(value, HOURS)


def figure_cell(value) -> Cell:
    """A KPI figure or count; None is a suppressed count, written "< 5"."""
    return Cell(value, FIGURE)


def _filed(cell: Cell):
    if cell.value is None or cell.value == "":
        return SUPPRESSED if cell.kind == FIGURE else None
    return rounded(cell.value, PLACES[cell.kind])


def xlsx_value(value) -> tuple[object, str | None]:
    """What a workbook's cell holds for `value`, and its number format: a figure of this
    module's as a rounded number with the format of its kind; a bare Decimal as a number
    (grades and the like, which their columns have already rounded); anything else unchanged."""
    if isinstance(value, Cell):
        number = _filed(value)
        if isinstance(number, Decimal):
            return number, XLSX_FORMATS[value.kind]
        return number, None
    return value, None


def csv_value(value):
    """What a CSV field holds for `value`: a figure of this module's rounded to its places with
    a point for decimals (see the module's text); anything else unchanged."""
    if isinstance(value, Cell):
        number = _filed(value)
        return format(number, "f") if isinstance(number, Decimal) else number
    return value
