"""Operational endpoints."""

import sys
import time
import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.crypto import constant_time_compare
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from civbio.celery import HEARTBEAT_KEY, HEARTBEAT_STALE_SECONDS
from civbio.celery import app as celery_app

OK = "ok"
IN_PROCESS = "in-process"
LOOPBACK = {"127.0.0.1", "::1"}
# What a 503 asks browsers and monitoring to wait before trying again.
DATABASE_RETRY_SECONDS = 30


def _failure(exc: Exception) -> str:
    # Name the kind of failure only: this endpoint is public and must not leak configuration.
    return f"error: {type(exc).__name__}"


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return _failure(exc)
    return OK


def check_cache() -> str:
    # A key of this call's own: probes running at the same time never read each other's value.
    key = f"civbio:healthz:{uuid.uuid4().hex}"
    value = str(time.monotonic_ns())
    try:
        cache = caches["default"]
        cache.set(key, value, 30)
        stored = cache.get(key)
        cache.delete(key)
        if stored != value:
            return "error: cache did not return what was stored"
    except Exception as exc:
        return _failure(exc)
    return OK


def check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return IN_PROCESS
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
    except Exception as exc:
        return _failure(exc)
    return OK


def check_worker() -> str:
    """Alive when a worker wrote its heartbeat lately (civbio/celery.py writes it every
    HEARTBEAT_SECONDS): reading it costs one cache get, where pinging the workers would hold
    this request for a second."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return IN_PROCESS
    try:
        beat = caches["default"].get(HEARTBEAT_KEY)
    except Exception as exc:
        return _failure(exc)
    if beat is None:
        return "down: no worker heartbeat"
    age = time.time() - float(beat)
    if age > HEARTBEAT_STALE_SECONDS:
        return f"down: last worker heartbeat {int(age)} s ago"
    return OK


def shows_detail(request) -> bool:
    """The detailed answer is for monitoring: a request with HEALTHZ_TOKEN, or one made on this
    machine without passing a proxy (the container's own health check). Everyone else learns
    only whether the site is up."""
    token = settings.HEALTHZ_TOKEN
    if token and constant_time_compare(request.headers.get("X-Healthz-Token", ""), token):
        return True
    forwarded = "HTTP_X_FORWARDED_FOR" in request.META or "HTTP_X_REAL_IP" in request.META
    return request.META.get("REMOTE_ADDR") in LOOPBACK and not forwarded


@never_cache
@require_GET
def healthz(request):
    """Up or down for anyone; database, cache, broker and worker state for monitoring.

    503 when the web process cannot serve (the database is down); 200 with status "degraded"
    when only the cache or background work is affected (pages, login included, work without
    the cache: civbio/redis_cache.py), so a load balancer keeps the site up while monitoring
    still sees what is gone. Every check is a single round trip with a short timeout: the
    endpoint answers in milliseconds.
    """
    checks = {"database": check_database()}
    serving = checks["database"] == OK
    if not shows_detail(request):
        return JsonResponse({"status": "up" if serving else "down"}, status=200 if serving else 503)
    checks["cache"] = check_cache()
    checks["broker"] = check_broker()
    checks["worker"] = check_worker()
    helping = all(checks[k] in {OK, IN_PROCESS} for k in ("cache", "broker", "worker"))
    status = "ok" if serving and helping else ("degraded" if serving else "error")
    return JsonResponse({"status": status, "checks": checks}, status=200 if serving else 503)


def csrf_failure(request, reason: str = ""):
    """A form sent without a valid CSRF token (an old tab, cookies cleared, a forged post): say
    so in the person's language, and how to send it again, instead of Django's bare page."""
    return render(request, "403_csrf.html", {"reason": reason}, status=403)


# Fields never written back into the "try again" form: passwords and second-factor codes.
NOT_KEPT = frozenset({"password", "password1", "password2", "oldpassword", "code", "secret"})


def server_error(request):
    """Django's 500 handler, except when the database cannot be reached: then 503 with
    Retry-After, a page in the person's language that needs no database, and what a form sent
    kept in a "try again" form (passwords and files left out), so nothing typed is lost."""
    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        return defaults.server_error(request)
    kept = []
    if request.method == "POST":
        for name, values in request.POST.lists():
            if name not in NOT_KEPT:
                kept += [(name, value) for value in values]
    page = render_to_string(
        "503.html",
        {
            "retry": DATABASE_RETRY_SECONDS,
            "kept": kept,
            "is_post": request.method == "POST",
        },
    )
    response = HttpResponse(page, status=503)
    response["Retry-After"] = str(DATABASE_RETRY_SECONDS)
    add_never_cache_headers(response)
    return response
