"""One rule for every figure (civbio/rounding.py): half up, once, at the end, written as the
page's language writes numbers."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from civbio import rounding
from civbio.spreadsheets import csv_row

D = Decimal


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (D("2.5"), 0, D(3)),
        (D("0.5"), 0, D(1)),
        (D("1.5"), 0, D(2)),
        (D("100.5"), 0, D(101)),
        (D("46.7"), 0, D(47)),
        (D("46.4999"), 0, D(46)),
        (D("6.5"), 0, D(7)),
        (D("700.5"), 0, D(701)),
        (D("72039.80"), 0, D(72040)),
        (D("1441125.525"), 0, D(1441126)),
        (D("1441125.525"), 2, D("1441125.53")),
        (D("100400.9863013699"), 2, D("100400.99")),
        (D("0.005"), 2, D("0.01")),
        (D("0.004999"), 2, D("0.00")),
        (D("7.25"), 1, D("7.3")),
        (D("7.35"), 1, D("7.4")),
        (7, 0, D(7)),
        # A float as it prints: 2.675 is 2.67499999… in binary, and still 2.68 here.
        (2.675, 2, D("2.68")),
        (0.125, 2, D("0.13")),
        # Half away from zero for negative figures (a correction), and no "-0".
        (D("-2.5"), 0, D(-3)),
        (D("-72039.80"), 0, D(-72040)),
        (D("-0.4"), 0, D(0)),
        (None, 0, None),
        ("", 2, None),
    ],
)
def test_rounding_is_half_up(value, places, expected):
    result = rounding.rounded(value, places)
    assert result == expected
    if expected is not None:
        assert result.as_tuple().exponent == -places


def test_a_rounded_zero_has_no_sign():
    assert str(rounding.rounded(D("-0.4"))) == "0"
    assert rounding.written(D("-0.004"), 2) == "0,00"


def test_each_kind_rounds_to_its_places():
    assert rounding.euros(D("72039.50")) == 72040
    assert rounding.cents(D("100400.9863013699")) == D("100400.99")
    assert rounding.hours(D("12.25")) == D("12.3")
    assert rounding.whole(D("46.5")) == 47


@pytest.mark.parametrize(
    ("part", "of", "expected"),
    [
        (1, 40, D(3)),  # 2.5 %
        (201, 200, D(101)),  # 100.5 %
        (1, 200, D(1)),  # 0.5 %
        (D("0.2"), 1000, D(0)),  # 0.02 %
        (1, 3, D(33)),
        (2, 3, D(67)),
        (-1, 40, D(-3)),
        (None, 40, None),
        (5, 0, None),
        (5, None, None),
    ],
)
def test_percentages_are_whole_and_half_up(part, of, expected):
    assert rounding.percent(part, of) == expected


def test_a_percentage_keeps_the_places_asked_for():
    assert rounding.percent(D("746416"), D("2239248"), places=1) == D("33.3")
    assert rounding.percent(1, 8, places=1) == D("12.5")
    assert rounding.percent(1, 16, places=1) == D("6.3")  # 6.25


def test_dutch_writes_a_point_between_thousands_and_a_comma_before_decimals():
    assert rounding.written(D("72039.80")) == "72.040"
    assert rounding.written(D("72039.80"), 2) == "72.039,80"
    assert rounding.written(D("1441125.525")) == "1.441.126"
    assert rounding.written(D("-1441125.525"), 2) == "-1.441.125,53"
    assert rounding.written(D("7.25"), 1) == "7,3"
    assert rounding.written(3) == "3"


def test_english_writes_a_comma_between_thousands_and_a_point_before_decimals():
    with translation.override("en"):
        assert rounding.written(D("72039.80")) == "72,040"
        assert rounding.written(D("72039.80"), 2) == "72,039.80"
        assert rounding.written(D("1441125.525")) == "1,441,126"
        assert rounding.written(D("7.25"), 1) == "7.3"


def test_nothing_is_written_for_nothing_and_a_suppressed_count_reads_under_five():
    assert rounding.written(None) == ""
    assert rounding.written("") == ""
    assert rounding.figure_written(None) == "< 5"
    assert rounding.figure_written(D("46.7")) == "47"


def test_the_template_filters_write_what_the_module_does():
    template = Template(
        "{% load rounding %}{{ m|euros }}|{{ m|cents }}|{{ h|hours }}|{{ k|figure }}|"
        "{{ none|figure }}|{{ p|percent }}|{{ none|euros }}"
    )
    context = Context({"m": D("72039.80"), "h": D("7.25"), "k": D("6.5"), "p": D("2.5")})
    assert template.render(context) == "72.040|72.039,80|7,3|7|&lt; 5|3|"
    with translation.override("en"):
        assert template.render(context) == "72,040|72,039.80|7.3|7|&lt; 5|3|"


def test_files_hold_cents_hours_to_a_tenth_and_whole_figures():
    assert rounding.csv_value(rounding.money_cell(D("100400.9863013699"))) == "100400.99"
    assert rounding.csv_value(rounding.money_cell(D(5))) == "5.00"
    assert rounding.csv_value(rounding.money_cell(D("-12.345"))) == "-12.35"
    assert rounding.csv_value(rounding.hours_cell(D("7.25"))) == "7.3"
    assert rounding.csv_value(rounding.figure_cell(D("46.7"))) == "47"
    assert rounding.csv_value(rounding.figure_cell(None)) == "< 5"
    assert rounding.csv_value(rounding.money_cell(None)) is None
    assert rounding.csv_value("text") == "text"


def test_a_workbook_cell_is_a_rounded_number_with_the_format_of_its_kind():
    assert rounding.xlsx_value(rounding.money_cell(D("100400.9863013699"))) == (
        D("100400.99"),
        '"€" #,##0.00',
    )
    assert rounding.xlsx_value(rounding.hours_cell(D("7.25"))) == (D("7.3"), "#,##0.0")
    assert rounding.xlsx_value(rounding.figure_cell(D("6.5"))) == (D(7), "#,##0")
    assert rounding.xlsx_value(rounding.figure_cell(None)) == ("< 5", None)
    assert rounding.xlsx_value("text") == ("text", None)


def test_a_negative_amount_in_a_csv_is_a_number_and_text_is_still_guarded():
    assert csv_row([rounding.money_cell(D("-12.345")), "-1+2", "=SUM(A1)"]) == [
        "-12.35",
        "'-1+2",
        "'=SUM(A1)",
    ]
