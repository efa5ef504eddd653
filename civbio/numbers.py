"""Numbers as each language writes them: 7,5 in Dutch, 7.5 in English.

Every form field a person types a number with decimals into (grades, hours, euros, rates, KPI
values) is the `DecimalField` of this module. It shows its value with the page's decimal
separator and reads both separators in either language: people type what they are used to,
whatever the page's language, so "7,5" and "7.5" are both seven and a half everywhere.

Thousands are read where they cannot be mistaken: a separator used more than once, or both
together, groups thousands when the groups have three digits ("1.250,50", "1,250.50",
"10.000.000"); a single separator before exactly three digits is read as the page language's
thousands separator ("1.500" on a Dutch page, "1,500" on an English one, is fifteen hundred).
The same written the other language's way ("1,500" on a Dutch page) could be fifteen hundred or
one and a half: it is refused with a message that asks for the number without grouping, never
guessed. Anything else stays as typed and is refused with the field's "Enter a number."

The input is a text input with `inputmode="decimal"` (phones show digits and a separator):
`type="number"` cannot show a comma, and sends nothing for a number it cannot read.
"""

import re
from decimal import Decimal, DecimalException

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import get_format
from django.utils.translation import gettext as _

_DIGITS = re.compile(r"[0-9]*")


def _grouped(separator: str) -> re.Pattern:
    return re.compile(r"[1-9][0-9]{0,2}(?:" + re.escape(separator) + r"[0-9]{3})+")


_GROUPED = {",": _grouped(","), ".": _grouped(".")}


def read_decimal(text: str) -> str:
    """`text` as Python's Decimal reads a number ("1.250,5" → "1250.5"), or as it was typed
    where it is no number written either way."""
    value = text.strip()
    sign = value[:1] if value[:1] in ("-", "+") else ""
    value = value[len(sign) :]
    commas, dots = value.count(","), value.count(".")
    if commas and dots:
        decimal = "," if value.rfind(",") > value.rfind(".") else "."
        group = "." if decimal == "," else ","
        whole, _sep, fraction = value.rpartition(decimal)
        if _GROUPED[group].fullmatch(whole) and _DIGITS.fullmatch(fraction):
            return f"{sign}{whole.replace(group, '')}.{fraction}"
        return text
    if not commas and not dots:
        return text
    separator = "," if commas else "."
    if commas + dots > 1 or separator == get_format("THOUSAND_SEPARATOR"):
        if _GROUPED[separator].fullmatch(value):
            return sign + value.replace(separator, "")
        if commas + dots > 1:
            return text
    return sign + value.replace(separator, ".")


def ambiguous(text: str) -> bool:
    """One separator before exactly three digits, written with the page's decimal separator
    ("1,500" on a Dutch page): thousands in the other language, or three decimals here."""
    value = text.strip().lstrip("+-")
    separator = get_format("DECIMAL_SEPARATOR")
    return (
        value.count(",") + value.count(".") == 1
        and separator in value
        and _GROUPED[separator].fullmatch(value) is not None
    )


class DecimalInput(forms.TextInput):
    """A text input for a number with decimals, showing it as the page's language writes it."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", **(attrs or {})})
        self.is_localized = True


class DecimalField(forms.DecimalField):
    """Django's DecimalField, shown with the page's decimal separator and reading 7,5 and 7.5
    alike in every language (see the module's text)."""

    widget = DecimalInput

    def __init__(self, **kwargs):
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if ambiguous(str(value)):
            raise ValidationError(
                _("“%(value)s” can be read two ways: write it without a thousands separator."),
                code="ambiguous",
                params={"value": str(value).strip()},
            )
        try:
            number = Decimal(read_decimal(str(value)))
        except DecimalException:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        # "7,50" for a grade of one decimal is 7.5, not too many decimals.
        places = self.decimal_places
        if number.is_finite() and places is not None and number.as_tuple().exponent < -places:
            try:
                rounded = number.quantize(Decimal(1).scaleb(-places))
            except DecimalException:  # more digits than a Decimal holds: the validators say so
                return number
            if rounded == number:
                return rounded
        return number


def formfield(db_field, **kwargs):
    """A ModelForm's `Meta.formfield_callback`: its decimal columns become the DecimalField
    above."""
    if isinstance(db_field, models.DecimalField):
        kwargs.setdefault("form_class", DecimalField)
    return db_field.formfield(**kwargs)


# A ModelAdmin's `formfield_overrides`, for the admin's forms of decimal columns.
ADMIN_OVERRIDES = {models.DecimalField: {"form_class": DecimalField}}


def decimal_separator() -> str:
    """The active language's decimal separator, to write many numbers with (the grid)."""
    return get_format("DECIMAL_SEPARATOR")


def written(value, separator: str) -> str:
    """A Decimal as the page's language writes it in an input, without thousands grouping:
    what DecimalField reads back unchanged."""
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    return text.replace(".", separator)
