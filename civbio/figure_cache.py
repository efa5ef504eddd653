"""Whole-project figures (KPIs, co-financing, what took place) kept until the data under them
changes.

They are sums over every activity, request, contribution and student of the project, so their
cost grows with the data, while a page's must not (make bench: the KPI and co-financing figures
were two thirds of the coordinator dashboard's time at ten times the consortium). A figure is
kept under the data's version number. Every save or delete of a model in the consortium's apps,
every many-to-many change, and every service that writes with a conditional update moves that
number on, at once and again when the transaction commits. Students' progress, written many
times a day as teachers mark their classes, has a version of its own: only figures that read it
(all but those declared `progress=False`, which the test suite checks) go when it moves. The
key also holds a fingerprint of the code, so a deploy that changes how a figure is made reads
nothing the code before it kept. As a safety net nothing is kept longer than
FIGURE_CACHE_SECONDS, and a cache outage means the figure is simply computed.

Reports are made from fresh figures (`fresh()`), never from kept ones.
"""

import functools
import hashlib
import logging
import uuid
from contextvars import ContextVar
from datetime import date
from decimal import Decimal

import django
from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.db import connection, models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation

from civbio import kept_pages

logger = logging.getLogger(__name__)

VERSION_KEY = "figures:version"
PROGRESS_VERSION_KEY = "figures:progress-version"
WATCHED_APPS = {"partners", "programmes", "activities"}
# The code that computes kept figures and exports.
CODE_APPS = {"civbio", "partners", "programmes", "activities", "reports"}
# Written often and read by no figure.
IGNORED_MODELS = {
    "activities.notification",
    "activities.reminder",
    "activities.reminderoptout",
    "activities.studentimport",
    "partners.accesslog",
    "partners.invitation",
}
# Written whenever a teacher records progress, many times a day, and read by few figures: a
# change to these moves the progress version alone, so the board, the finance figures and the
# start page stay kept while classes are marked.
PROGRESS_MODELS = {"activities.unitprogress", "activities.enrolment"}
# A figure reads progress when its SQL touches these (an edition carries when progress was last
# recorded in it).
PROGRESS_TABLES = ("activities_unitprogress", "activities_enrolment", "activities_edition")
_bypass: ContextVar[bool] = ContextVar("figure_cache_bypass", default=False)
# Set while a figure kept as reading no progress is computed, when FIGURE_CACHE_CHECK is on.
_reading_none: ContextVar[str] = ContextVar("figure_cache_reading_no_progress", default="")


def _kept():
    """The cache of what can be made again (settings: "kept", on CACHE_URL; it may forget)."""
    return caches["kept"]


class _Uncacheable(Exception):
    pass


def data_changed(*, progress_only: bool = False, **kwargs) -> None:
    """The data under the figures changed: kept figures go now, and again once the transaction
    commits (a figure another request computed meanwhile, from the data before the commit,
    goes with it). With `progress_only`, only students' progress changed (PROGRESS_MODELS):
    only the figures that read it go."""
    key = PROGRESS_VERSION_KEY if progress_only else VERSION_KEY
    _move_version(key)
    transaction.on_commit(lambda: _move_version(key))
    kept_pages.pages_changed()


def _move_version(key: str = VERSION_KEY) -> None:
    try:
        _kept().set(key, uuid.uuid4().hex, None)
    except Exception:
        logger.warning("figure cache: could not move the version on", exc_info=True)


def _versions(keys: list[str]) -> list[str]:
    found = _kept().get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            _kept().add(key, uuid.uuid4().hex, None)
        found.update(_kept().get_many(missing))
    if any(key not in found for key in keys):
        raise _Uncacheable
    return [found[key] for key in keys]


def _version() -> str:
    """The version every kept figure is under (any change but to progress alone moves it)."""
    return _versions([VERSION_KEY])[0]


def reads_progress(sql: str) -> bool:
    return any(table in sql for table in PROGRESS_TABLES)


def fresh():
    """Within this block every figure is computed from the database."""
    return kept_pages.within(_bypass, True)


def _part(value) -> str:
    if isinstance(value, models.Model):
        return f"{value._meta.label_lower}:{value.pk}"
    if value is None or isinstance(value, bool | int | str | date | Decimal):
        return repr(value)
    # A project period: its key and days say everything about it.
    if hasattr(value, "key") and hasattr(value, "start") and hasattr(value, "end"):
        return f"period:{value.key}:{value.start}:{value.end}"
    raise _Uncacheable


@functools.cache
def _code_version() -> str:
    """A fingerprint of the code that computes what is kept, its translations and Django's
    version: after a deploy that changes how a figure or an export is made or labelled, nothing
    kept by the release before it is read."""
    digest = hashlib.sha256(django.get_version().encode())
    paths = [path for app in CODE_APPS for path in (settings.BASE_DIR / app).rglob("*.py")]
    paths += (settings.BASE_DIR / "locale").rglob("*.po")
    for path in sorted(paths):
        digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def kept_key(parts: list[str], *, progress: bool = True) -> str | None:
    """The cache key of what `parts` name under the data's version (and the progress version,
    unless `progress` is False: it reads no progress), or None where nothing may be kept: inside
    `fresh()`, or while the cache cannot be reached."""
    if _bypass.get():
        return None
    try:
        parts = [
            *parts,
            *_versions([VERSION_KEY, PROGRESS_VERSION_KEY] if progress else [VERSION_KEY]),
            _code_version(),
            # Figures carry translated labels, and "up to today" where no day is given.
            translation.get_language() or "",
            timezone.localdate().isoformat(),
        ]
    except _Uncacheable:
        return None
    except Exception:
        logger.warning("figure cache unavailable", exc_info=True)
        return None
    return "figures:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


def read(key: str | None):
    """What is kept under `key`, or None (nothing kept, or the cache cannot be reached)."""
    if key is None:
        return None
    try:
        return _kept().get(key)
    except Exception:
        return None


def keep(key: str | None, value, name: str) -> None:
    if key is None:
        return
    try:
        _kept().set(key, value, settings.FIGURE_CACHE_SECONDS)
    except Exception:
        logger.warning("figure cache: could not keep %s", name, exc_info=True)


def kept(parts: list[str], compute, *, progress: bool = True):
    """`compute()`, kept under `parts` and the data's version (see kept_key)."""
    if progress and (outer := _reading_none.get()):
        # Read from the cache it would run no SQL for the check to see, yet the outer figure
        # would not go when progress changes.
        raise AssertionError(f"{outer} is kept as reading no progress, but reads {parts[:2]}")
    key = kept_key(parts, progress=progress)
    value = read(key)
    if value is not None:
        return value
    value = compute() if progress else _reading_no_progress(compute, " ".join(parts[:2]))
    keep(key, value, parts[0])
    return value


def _reading_no_progress(compute, name: str):
    """`compute()`; with FIGURE_CACHE_CHECK on (the test suite), an error if it reads progress
    after all: a figure kept as reading none would not go when progress changes."""
    if not settings.FIGURE_CACHE_CHECK:
        return compute()

    def refuse(execute, sql, params, many, context):
        if reads_progress(sql):
            raise AssertionError(f"{name} is kept as reading no progress, but ran: {sql[:300]}")
        return execute(sql, params, many, context)

    token = _reading_none.set(name)
    try:
        with connection.execute_wrapper(refuse):
            return compute()
    finally:
        _reading_none.reset(token)


def cached_figure(function=None, *, progress: bool = True):
    """Keeps what `function` returns under its arguments and the data's version. With
    `progress=False`, the function reads no students' progress (PROGRESS_TABLES; checked in the
    test suite): recording progress leaves it kept."""

    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            try:
                parts = [function.__module__, function.__qualname__]
                parts += [_part(a) for a in args]
                parts += [f"{name}={_part(v)}" for name, v in sorted(kwargs.items())]
            except _Uncacheable:
                return function(*args, **kwargs)
            return kept(parts, lambda: function(*args, **kwargs), progress=progress)

        return wrapper

    return decorate(function) if function is not None else decorate


def kept_count(queryset) -> int:
    """The number of rows of a query, kept like a figure: a paginated list of every open
    opportunity counts them all on each page otherwise."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a query that can match nothing (`.none()`)
        return 0
    return kept(["count", sql, repr(params)], queryset.count, progress=reads_progress(sql))


def _watched(sender) -> bool:
    meta = getattr(sender, "_meta", None)
    return (
        meta is not None
        and meta.app_label in WATCHED_APPS
        and meta.label_lower not in IGNORED_MODELS
    )


def _on_change(sender, **kwargs) -> None:
    # A login writes the person's last login and nothing any figure reads.
    if kwargs.get("update_fields") == frozenset({"last_login"}):
        return
    if _watched(sender):
        data_changed(progress_only=sender._meta.label_lower in PROGRESS_MODELS)


def _on_m2m(sender, instance, **kwargs) -> None:
    if kwargs.get("action", "").startswith("post_") and _watched(type(instance)):
        data_changed()


def connect() -> None:
    post_save.connect(_on_change, dispatch_uid="figure_cache_save")
    post_delete.connect(_on_change, dispatch_uid="figure_cache_delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="figure_cache_m2m")
