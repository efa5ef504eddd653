"""The audit trail (django-auditlog) as the coordinators read it on a record's page."""

from auditlog.models import LogEntry as AuditEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist

from civbio import rules

HISTORY_LENGTH = 50


def history_for(user, instance) -> list[AuditEntry] | None:
    """The latest changes to one record, newest first; None for anyone but a coordinator. One
    query (content types are cached)."""
    if not rules.is_coordinator(user):
        return None
    entries = list(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
            object_pk=str(instance.pk),
        )
        .select_related("actor")
        .order_by("-timestamp")[:HISTORY_LENGTH]
    )
    for entry in entries:
        entry.readable = _readable(type(instance), entry.changes_dict)
    return entries


def _readable(model, changes: dict) -> list[tuple[str, str, str]]:
    """(field's name, old value, new value) in the reader's language: choices by their label."""
    rows = []
    for name, values in changes.items():
        old, new = ([*values, "", ""])[:2] if isinstance(values, list) else ("", values)
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            rows.append((name, str(old), str(new)))
            continue
        labels = {str(k): v for k, v in (getattr(field, "flatchoices", None) or [])}
        rows.append(
            (
                str(getattr(field, "verbose_name", name)),
                str(labels.get(str(old), old)),
                str(labels.get(str(new), new)),
            )
        )
    return rows
