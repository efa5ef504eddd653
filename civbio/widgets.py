"""Form widgets shared by the apps."""

from django import forms
from django.forms.models import ModelChoiceIteratorValue
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe


class DateInput(forms.DateInput):
    """The browser's own date picker; the value written as it expects it (ISO)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class LongSelect(forms.Select):
    """A select of many options (every partner of the consortium), written out in Python.

    Django renders a template per option, which for hundreds of organisations costs as much as
    the rest of the filter bar and its query together. Same markup, no option groups.

    With `label_field`, a model choice field's options are read as (pk, label) rows rather than
    as a model each (the label is that field, not the model's text)."""

    def __init__(self, attrs=None, choices=(), *, label_field: str | None = None):
        super().__init__(attrs, choices)
        self.label_field = label_field

    def _option_rows(self):
        queryset = getattr(self.choices, "queryset", None)
        if self.label_field is None or queryset is None:
            return self.choices
        field = self.choices.field
        empty = [("", field.empty_label)] if field.empty_label is not None else []
        return empty + list(queryset.values_list("pk", self.label_field))

    def render(self, name, value, attrs=None, renderer=None):
        final = {"name": name, **self.build_attrs(self.attrs, attrs)}
        chosen = {str(v) for v in self.format_value(value)}
        options = []
        for option_value, label in self._option_rows():
            if isinstance(option_value, ModelChoiceIteratorValue):
                option_value = option_value.value
            if isinstance(label, (list, tuple)):
                raise ValueError("LongSelect has no option groups")
            text = "" if option_value is None else str(option_value)
            selected = " selected" if text in chosen else ""
            options.append(f'<option value="{escape(text)}"{selected}>{escape(label)}</option>')
        return mark_safe(  # noqa: S308 - the values and labels are escaped above
            f"<select{flatatt(final)}>\n{''.join(options)}\n</select>"
        )
