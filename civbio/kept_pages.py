"""Whole pages, and the person behind the login, kept until anything in the database changes.

A key page (a dashboard, the board, a progress grid) costs tens of milliseconds to build, and on
most visits nothing under it has changed since the person last saw it. So the page is kept, per
person, under the **page version**: a number that moves on at every write to the database (any
INSERT, UPDATE or DELETE through Django's connection: saves, bulk writes, raw SQL; not writes
made outside Django), when the transaction commits and, within a transaction, also at the first
write after this process last read it (figure_cache.data_changed moves it too). A kept page is
served only while the version it was built under is still the current one, so it always shows
what a fresh page would: the header's notifications, the figures, the people's names. A
download answered whole (the board's CSV export, once its file is kept) is kept the same way, as
it was sent.

What differs from visit to visit is not kept: the CSP nonce and the CSRF token are cut out of
the kept page and the visit's own are put in. A page is not kept or served from the cache when
messages are waiting to be shown, for htmx requests and for anything but a GET answered 200 in
one piece (a streamed download is not kept here); a page whose building left a message or
changed the session is not kept; and a page that wrote to the database while it was built is
kept under the version its own write moved on, so it is never served. Anonymous visitors get
only the bare address kept.

The key holds the person and their session's password fingerprint (HASH_SESSION_KEY), so a kept
page is served only to the session it could have been built for; the address with its query,
the host, the language, the day (pages say "today"), and a fingerprint of the code, templates,
static files and settings, so a deploy reads nothing the release before it kept.

The person behind the login is kept the same way (`person`): loading them costs more than the
rest of a request's own work (the ORM builds the query each time), and any change to anyone
moves the version, so a changed password, role or organisation is read at once.

Privacy: kept pages hold personal data (students' names in a progress grid), so they live only
in the cache of what can be made again (CACHE_URL: memory only, evicted first), for at most
FIGURE_CACHE_SECONDS (a person PERSON_SECONDS), and all are deleted when a student is erased or
deleted (`forget_all`); one stored while the erasure swept is taken out again by the request that
stored it. Large pages are also held in each process's memory (`_Local`), dropped there as soon
as the process sees the version move and after FIGURE_CACHE_SECONDS at the latest. If the cache
cannot be told that the version moved, what it keeps may be served until it expires: that is
logged as an error.
"""

import functools
import hashlib
import json
import logging
import re
import threading
import time
import uuid
from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import HASH_SESSION_KEY
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

PAGE_VERSION_KEY = "pages:version"
PAGE_PREFIX = "pages:page:"
PERSON_PREFIX = "pages:person:"
# Holes where the visit's own nonce and CSRF token go. A NUL can come from no stored text
# (PostgreSQL refuses it, Django's forms refuse it), so no page can hold one by itself.
NONCE_HOLE = b"\x00civbio-nonce\x00"
TOKEN_HOLE = b"\x00civbio-csrf\x00"
_HOLE = re.compile(b"(" + re.escape(NONCE_HOLE) + b"|" + re.escape(TOKEN_HOLE) + b")")
# A CSRF token left in a page after the page's own was cut out.
_STRAY_TOKEN = re.compile(rb'csrfmiddlewaretoken" value="[^"\x00]|X-CSRFToken"?\s*:\s*"[^"\x00]')
# No page larger than this is kept.
MAX_KEPT = 2 * 1024 * 1024
# Pages at least this large are also kept in each process's memory, up to LOCAL_BYTES in all.
LOCAL_FROM = 64 * 1024
LOCAL_BYTES = 32 * 1024 * 1024
# The longest a person is kept (their role, organisation and password fingerprint): short, in
# case the cache missed a move of the version.
PERSON_SECONDS = 60
# Writes to these tables change nothing a kept page shows: sessions (a page behind the login
# saves the last-seen moment), the access log (a student page writes it), Celery's schedule and
# results (the scheduler writes them by itself every few minutes).
UNWATCHED_TABLES = (
    "django_session",
    "partners_accesslog",
    "django_celery_beat_",
    "django_celery_results_",
)
_WRITE = re.compile(r"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)
_WRITE_WORD = re.compile(r"\b(?:INSERT|UPDATE|DELETE)\b")
# The request's attribute holding the one CSRF token its pages show (context_processors.csrf).
PAGE_TOKEN = "_civbio_page_csrf_token"  # noqa: S105 (a name, not a secret)
_bypass: ContextVar[bool] = ContextVar("kept_pages_bypass", default=False)
# Whether this process read the page version since it last moved it (pages_changed).
_version_read = True


def _cache():
    return caches["kept"]


# The version ----------------------------------------------------------------------------------


def move_version() -> None:
    for attempt in (1, 2):
        try:
            _cache().set(PAGE_VERSION_KEY, uuid.uuid4().hex, None)
            return
        except Exception:
            if attempt == 2:
                # What was kept may be served until it expires (a kept person after
                # PERSON_SECONDS, a page after FIGURE_CACHE_SECONDS).
                logger.error("kept pages: could not move the version on", exc_info=True)


def pages_changed(connection=None) -> None:
    """The database changed: kept pages and people go now, and again when the transaction
    commits (what another request built meanwhile, from the data before the commit, goes too;
    one commit hook per transaction, however many writes it makes)."""
    global _version_read
    if connection is None:
        from django.db import connection
    if not connection.in_atomic_block:
        move_version()  # the write has committed already
        return
    # Within a transaction no other connection sees the write before the commit (whose hook
    # moves the version): it moves now only if this process may have kept something under the
    # version since it last moved it. A reminder run's 26,000 inserts move it once, not 26,000
    # times; a test, all in one transaction, sees each change on its next request.
    if _version_read:
        _version_read = False
        move_version()
    # Django gives the list of commit hooks a new identity when the transaction ends or a
    # savepoint is rolled back (which may drop ours); until then ours is in it.
    if getattr(connection, "_kept_pages_hooks", None) is not connection.run_on_commit:
        transaction.on_commit(move_version, using=connection.alias)
        connection._kept_pages_hooks = connection.run_on_commit


def is_write(sql: str) -> bool:
    """Whether `sql` changes a table a kept page may show."""
    match = _WRITE.match(sql)
    if match:
        return not match.group(1).lower().startswith(UNWATCHED_TABLES)
    head = sql.lstrip()[:8].upper()
    if head.startswith(("TRUNCATE", "ALTER", "CREATE", "DROP")):
        return True
    # A WITH … that writes (a WITH … SELECT only reads).
    return head.startswith("WITH") and bool(_WRITE_WORD.search(sql))


def _watch(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if is_write(sql):
        pages_changed(context["connection"])
    return result


def watch_writes(sender, connection, **kwargs) -> None:
    """Every database connection moves the page version at each write (connection_created)."""
    # First in the list, and so outermost: `execute_wrapper` blocks pop the last one they added.
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _watch)


def _read_version() -> str | None:
    global _version_read
    _version_read = True
    return _cache().get(PAGE_VERSION_KEY)


def _current(key: str) -> tuple[str, object]:
    """The page version and what is kept under `key`, in one round trip."""
    global _version_read
    _version_read = True
    found = _cache().get_many([PAGE_VERSION_KEY, key])
    version = found.get(PAGE_VERSION_KEY)
    if version is None:
        _cache().add(PAGE_VERSION_KEY, uuid.uuid4().hex, None)
        return _cache().get(PAGE_VERSION_KEY), None
    return version, found.get(key)


class _Local:
    """A copy of the large kept pages in this process (a progress grid is 0.5 MB: read from
    the cache and unpickled, that was a quarter of its visit), served only while the page
    version read from the cache on that visit is the one they were built under. Every copy
    goes as soon as this process sees the version move (every signed-in visit reads it, for
    the person), and none is held longer than FIGURE_CACHE_SECONDS, a visit or not (a timer
    lets them go in a process that serves nothing more)."""

    def __init__(self):
        self.entries: OrderedDict[str, dict] = OrderedDict()
        self.deadlines: dict[str, float] = {}
        self.version = None
        self.size = 0
        self.lock = threading.Lock()
        self.timer = None

    def get(self, key: str) -> dict | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None and self.deadlines[key] <= time.monotonic():
                self._drop(key)
                entry = None
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def _drop(self, key: str) -> None:
        self.size -= self.entries.pop(key)["size"]
        del self.deadlines[key]

    def _expire(self) -> None:
        with self.lock:
            now = time.monotonic()
            for key in [k for k, deadline in self.deadlines.items() if deadline <= now]:
                self._drop(key)
            self.timer = None
            if self.entries:
                self._schedule()

    def _schedule(self) -> None:
        if self.timer is None:
            self.timer = threading.Timer(settings.FIGURE_CACHE_SECONDS, self._expire)
            self.timer.daemon = True
            self.timer.start()

    def seen(self, version: str) -> None:
        with self.lock:
            if version != self.version:
                self.entries.clear()
                self.deadlines.clear()
                self.size, self.version = 0, version

    def put(self, key: str, entry: dict) -> None:
        if entry["size"] < LOCAL_FROM:
            return
        with self.lock:
            if entry["version"] != self.version or key in self.entries:
                return
            self.entries[key] = entry
            self.deadlines[key] = time.monotonic() + settings.FIGURE_CACHE_SECONDS
            self.size += entry["size"]
            while self.size > LOCAL_BYTES:
                self._drop(next(iter(self.entries)))
            self._schedule()

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.deadlines.clear()
            self.size, self.version = 0, None


_local = _Local()


@contextmanager
def within(variable: ContextVar, value):
    """`variable` set to `value` for the block."""
    token = variable.set(value)
    try:
        yield
    finally:
        variable.reset(token)


def fresh():
    """Within this block every page is built, none read from or put in the cache."""
    return within(_bypass, True)


# The person -----------------------------------------------------------------------------------


def person(user_id, load):
    """The person with `user_id`, as `load(user_id)` gives them, kept under the page version."""
    if _bypass.get() or not settings.KEPT_PAGES:
        return load(user_id)
    key = f"{PERSON_PREFIX}{user_id}"
    try:
        version, entry = _current(key)
    except Exception:
        logger.warning("kept pages unavailable: the person is read", exc_info=True)
        return load(user_id)
    if version is not None:
        _local.seen(version)
    if entry is not None and version is not None and entry[0] == version:
        return entry[1]
    user = load(user_id)
    if user is not None and version is not None:
        _store(key, (version, user), version, PERSON_SECONDS)
    return user


# Pages ----------------------------------------------------------------------------------------


@functools.cache
def _code_version() -> str:
    """A fingerprint of the code, its translations, the templates, the static files and the
    settings: after a deploy nothing kept by the release before it is read."""
    from civbio import figure_cache

    digest = hashlib.sha256(figure_cache._code_version().encode())
    base = settings.BASE_DIR
    paths = [*(base / "templates").rglob("*"), *(base / "static").rglob("*")]
    for app in figure_cache.CODE_APPS:
        paths += (base / app / "templates").rglob("*")
    for path in sorted(p for p in paths if p.is_file()):
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    # And the settings (a deploy that only changes the environment): plain values as they are,
    # anything else by its type, so every process of a release computes the same.
    values = {name: getattr(settings, name) for name in dir(settings) if name.isupper()}
    for name, value in sorted(values.items()):
        try:
            text = json.dumps(value, sort_keys=True, default=lambda v: type(v).__name__)
        except TypeError:  # a dict whose keys do not sort
            text = type(value).__name__
        digest.update(f"{name}={text}".encode())
    return digest.hexdigest()[:16]


def settings_changed(**kwargs) -> None:
    """A setting changed while running (the test suite does this): nothing kept is read."""
    _code_version.cache_clear()
    move_version()


def _page_key(request) -> str | None:
    """The page's key, or None where it may be neither kept nor served from the cache."""
    if _bypass.get() or not settings.KEPT_PAGES or request.method != "GET":
        return None
    if getattr(request, "htmx", False):
        return None
    if len(messages.get_messages(request)):
        return None  # they are shown once, on this page
    user = request.user
    if user.is_authenticated:
        fingerprint = request.session.get(HASH_SESSION_KEY)
        if not fingerprint:
            return None
        who = f"{user.pk}:{fingerprint}"
    elif request.GET:
        # Anonymous visitors get the bare address kept, so none can fill the cache with made-up
        # query strings.
        return None
    else:
        who = "anonymous"
    parts = [
        who,
        request.get_host(),
        request.scheme,
        request.get_full_path(),
        # A download is sent gzipped to who takes it (activities.spreadsheets.csv_response).
        "gzip" if accepts_gzip(request) else "",
        translation.get_language() or "",
        timezone.localdate().isoformat(),
        _code_version(),
    ]
    return PAGE_PREFIX + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def accepts_gzip(request) -> bool:
    """Whether the client takes an answer gzipped (Accept-Encoding, a q-value of 0 read as no)."""
    for item in request.headers.get("Accept-Encoding", "").split(","):
        name, _sep, params = item.partition(";")
        if name.strip().lower() in ("gzip", "x-gzip"):
            weight = params.strip().lower()
            if not weight.startswith("q="):
                return True
            try:
                return float(weight[2:]) > 0
            except ValueError:
                return False
    return False


def kept_page(view):
    """Serve the view's page from the cache while nothing has changed since it was built for
    this person (see the module's text). Goes under the view's permission decorators, so they
    still run on every visit."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        key = _page_key(request)
        if key is None:
            return view(request, *args, **kwargs)
        try:
            local = _local.get(key)
            version = _read_version() if local is not None else None
            if local is not None and version == local["version"]:
                entry = local  # one small read from the cache, and no page to unpickle
            else:
                version, entry = _current(key)
        except Exception:
            logger.warning("kept pages unavailable: the page is built", exc_info=True)
            return view(request, *args, **kwargs)
        if version is not None:
            _local.seen(version)
        if entry is not None and version is not None and entry["version"] == version:
            _local.put(key, entry)
            return _serve(request, entry)
        session = getattr(request, "session", None)
        modified = session is not None and session.modified
        response = view(request, *args, **kwargs)
        if version is not None and not _left_something(request, session, modified):
            _keep(request, key, version, response)
        return response

    return wrapper


def _left_something(request, session, modified: bool) -> bool:
    """Whether building the page left something for a later visit, which serving it from the
    cache would not: a message, or a change to the session."""
    if len(messages.get_messages(request)):
        return True
    return session is not None and session.modified and not modified


def _serve(request, entry: dict) -> HttpResponse:
    # The page's text with the holes between (odd places): a join, however many forms it has.
    parts = list(entry["parts"])
    filled = {}
    for n in range(1, len(parts), 2):
        hole = parts[n]
        if hole not in filled:
            value = get_nonce(request) if hole == NONCE_HOLE else page_token(request)
            filled[hole] = str(value).encode()
        parts[n] = filled[hole]
    return HttpResponse(b"".join(parts), headers=entry["headers"])


def _keep(request, key: str, version: str, response) -> None:
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or len(response.content) > MAX_KEPT
    ):
        return
    body = response.content
    if not response.get("Content-Type", "").startswith("text/html"):
        # A download (a CSV export, gzipped as the browser takes it): kept as it is.
        headers = dict(response.headers.items())
        _set(key, {"version": version, "headers": headers, "parts": [body], "size": len(body)})
        return
    nonce = get_nonce(request)
    if nonce:
        body = body.replace(str(nonce).encode(), NONCE_HOLE)
    token = getattr(request, PAGE_TOKEN, None)
    if token:
        body = body.replace(token.encode(), TOKEN_HOLE)
    if _STRAY_TOKEN.search(body):
        # A token from Django's get_token() and not page_token(): kept, it would be served to
        # the person's other browsers, whose CSRF cookie it does not match.
        message = f"kept pages: {request.path} shows a CSRF token not from page_token()"
        if settings.FIGURE_CACHE_CHECK:
            raise AssertionError(message)
        logger.warning(message)
        return
    entry = {
        "version": version,
        "headers": dict(response.headers.items()),
        # Kept as it is sent: the cache's memory is cheaper than inflating it on every visit
        # (a progress grid of 50 students is 0.5 MB).
        "parts": _HOLE.split(body),
        "size": len(body),
    }
    _set(key, entry)


def _set(key: str, entry: dict) -> None:
    if _store(key, entry, entry["version"], settings.FIGURE_CACHE_SECONDS):
        _local.put(key, entry)


def _store(key: str, value, version: str, seconds: int) -> bool:
    """Keep `value`, built under `version`; if the version moved meanwhile (an erasure that
    swept the cache while this was being built from the data before it), take it out again."""
    try:
        _cache().set(key, value, seconds)
        if _cache().get(PAGE_VERSION_KEY) == version:
            return True
        _cache().delete(key)
    except Exception:
        logger.warning("kept pages: could not keep %s", key.split(":")[1], exc_info=True)
    return False


def page_token(request) -> str:
    """One CSRF token for everything a request renders, so a kept page can cut it out."""
    token = getattr(request, PAGE_TOKEN, None)
    if token is None:
        token = get_token(request)
        setattr(request, PAGE_TOKEN, token)
    return token


def forget_all_on_commit(**kwargs) -> None:
    """`forget_all` once the transaction commits (once, however many students it erases or
    deletes)."""
    from django.db import connection

    if getattr(connection, "_kept_pages_forget", None) is not connection.run_on_commit:
        transaction.on_commit(forget_all)
        if connection.in_atomic_block:
            connection._kept_pages_forget = connection.run_on_commit


def forget_all() -> None:
    """Delete every kept page and person now (a student was erased: their name must not stay
    in a cache). Moving the version alone would leave the old pages in the cache until they
    expire."""
    move_version()
    _local.clear()
    cache = _cache()
    try:
        client = cache._cache.get_client(write=True)
        for prefix in (PAGE_PREFIX, PERSON_PREFIX):  # not the version
            batch = []
            for name in client.scan_iter(match=cache.make_key(prefix + "*"), count=1000):
                batch.append(name)
                if len(batch) >= 1000:
                    client.delete(*batch)
                    batch = []
            if batch:
                client.delete(*batch)
    except AttributeError:
        cache.clear()  # not Redis (a local memory cache): only this process holds pages
    except Exception:
        logger.error("kept pages: could not delete the kept pages", exc_info=True)
