"""Form widgets shared by the apps."""

from django import forms
from django.forms.models import ModelChoiceIteratorValue
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe


class LongSelect(forms.Select):
    """A select of many options (every partner of the consortium), written out in Python.

    Django renders a template per option: 15 ms for the board's 260 organisations at ten times
    the consortium (make bench), about as long as the rest of the filter bar and the query
    together. Same markup, no option groups."""

    def render(self, name, value, attrs=None, renderer=None):
        final = {"name": name, **self.build_attrs(self.attrs, attrs)}
        chosen = {str(v) for v in self.format_value(value)}
        options = []
        for option_value, label in self.choices:
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
