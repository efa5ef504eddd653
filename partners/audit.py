"""The audit trail (django-auditlog) as the coordinators read it on a record's page: in words,
each field by its label and each value as people know it."""

import contextlib
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath

from auditlog.models import LogEntry as AuditEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from civbio import rules

HISTORY_LENGTH = 50

# Bookkeeping nobody reads as a change: keys, tokens, the address slug, denormalised copies.
INTERNAL_FIELDS = {"slug", "nonce", "submission_token", "crebo_list", "password", "last_login"}


def history_for(user, instance) -> list[AuditEntry] | None:
    """The latest changes to one record, newest first; None for anyone but a coordinator. One
    query (content types are cached), and one per kind of record the changes point to (the
    names of the organisation, the person… a foreign key held)."""
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
    model = type(instance)
    names = _related_names(model, entries)
    for entry in entries:
        entry.readable = _readable(model, entry, names)
        # Why, where the change was made with a reason (a partner leaving, a new category).
        extra = entry.additional_data
        entry.reason = extra.get("reason", "") if isinstance(extra, dict) else ""
    return entries


def _shown_field(model, name: str) -> models.Field | None:
    """The model's own field of that name, if it is one a person reads; None for reverse
    relations, keys and bookkeeping (auditlog records the reverse managers on creation)."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if not field.concrete or field.primary_key or name in INTERNAL_FIELDS:
        return None
    return field


def _pair(values) -> tuple:
    if isinstance(values, list | tuple):
        return tuple([*values, None, None][:2])
    return None, values


def _related_names(model, entries) -> dict[tuple[str, str], str]:
    """The names of the records the entries' foreign keys point to, one query per related model."""
    wanted: dict[type, set[str]] = {}
    for entry in entries:
        for name, values in entry.changes_dict.items():
            field = _shown_field(model, name)
            if field is None or not field.is_relation:
                continue
            for value in _pair(values):
                if not _empty(value):
                    wanted.setdefault(field.related_model, set()).add(str(value))
    names = {}
    for related, pks in wanted.items():
        valid = set()
        for pk in pks:
            # An old entry may hold a name where a key belongs: it is shown as it stands.
            with contextlib.suppress(ValidationError):
                valid.add(related._meta.pk.to_python(pk))
        for pk, obj in related._default_manager.in_bulk(valid).items():
            names[(related._meta.label, str(pk))] = str(obj)
    return names


def _empty(value) -> bool:
    return value is None or value == "" or value == "None"


def _shown_value(field: models.Field, value, names: dict) -> str:
    """One stored value as the person knows it: a choice by its label, a record by its name, a
    date in their language's format, yes or no."""
    if _empty(value):
        return ""
    if field.is_relation:
        key = (field.related_model._meta.label, str(value))
        return names.get(key) or _("deleted (%(value)s)") % {"value": value}
    labels = {str(k): v for k, v in (getattr(field, "flatchoices", None) or [])}
    if labels:
        return str(labels.get(str(value), value))
    if isinstance(field, models.BooleanField):
        truth = value if isinstance(value, bool) else str(value).lower() in {"true", "1"}
        return _("yes") if truth else _("no")
    if isinstance(field, models.DateTimeField):
        moment = value if isinstance(value, datetime) else parse_datetime(str(value))
        if moment is None:
            return str(value)
        if timezone.is_naive(moment):
            # auditlog stores moments as naive UTC.
            moment = timezone.make_aware(moment, UTC)
        return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
    if isinstance(field, models.DateField):
        day = value if isinstance(value, date) else parse_date(str(value))
        return formats.date_format(day, "SHORT_DATE_FORMAT") if day else str(value)
    if isinstance(field, models.DecimalField | models.FloatField):
        try:
            return formats.number_format(Decimal(str(value)), use_l10n=True)
        except InvalidOperation:
            return str(value)
    if isinstance(field, models.FileField):
        return PurePosixPath(str(value)).name
    return str(value)


def _readable(model, entry, names: dict) -> list[tuple[str, str, str]]:
    """(field's label, old value, new value) in the reader's language, the fields a person
    reads only; on creation the fields left empty are left out."""
    rows = []
    for name, values in entry.changes_dict.items():
        field = _shown_field(model, name)
        if field is None:
            continue
        old, new = (_shown_value(field, v, names) for v in _pair(values))
        if not old and not new:
            continue
        rows.append((capfirst(str(field.verbose_name)), old, new))
    return rows
