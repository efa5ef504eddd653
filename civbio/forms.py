"""What every app's views share about forms."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.forms import BaseForm


def add_service_error(
    form: BaseForm, error: ValidationError, renamed: Mapping[str, str] | None = None
) -> None:
    """A service's refusal shown on the form: next to the field it is about (`renamed` maps a
    service's name for a field to the form's), or at the top when the form has no such field."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        name = (renamed or {}).get(field, field)
        form.add_error(name if name in form.fields else None, errors)
