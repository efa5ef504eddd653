"""Operational endpoints."""

import time

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from civbio.celery import app as celery_app

OK = "ok"
IN_PROCESS = "in-process"


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


def check_cache(alias: str = "default") -> str:
    key = "civbio:healthz"
    value = str(time.monotonic_ns())
    try:
        cache = caches[alias]
        cache.set(key, value, 30)
        if cache.get(key) != value:
            return "error: cache did not return what was stored"
    except Exception as exc:
        return _failure(exc)
    return OK


def check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return IN_PROCESS
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return _failure(exc)
    return OK


def check_worker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return IN_PROCESS
    try:
        replies = celery_app.control.ping(timeout=1.0)
    except Exception as exc:
        return _failure(exc)
    return OK if replies else "down: no worker answered"


@never_cache
@require_GET
def healthz(request):
    """Database, cache, broker and worker state for monitoring.

    503 when the web process cannot serve (database or cache down); 200 with status "degraded"
    when only background work or the cache of kept figures is affected (pages then compute
    them), so a load balancer keeps the page up while monitoring still sees what is gone.
    """
    checks = {
        "database": check_database(),
        "cache": check_cache(),
        "kept_cache": check_cache("kept"),
    }
    checks["broker"] = check_broker()
    checks["worker"] = check_worker() if checks["broker"] in {OK, IN_PROCESS} else "unknown"
    serving = checks["database"] == OK and checks["cache"] == OK
    helping = all(checks[k] in {OK, IN_PROCESS} for k in ("kept_cache", "broker", "worker"))
    status = "ok" if serving and helping else ("degraded" if serving else "error")
    return JsonResponse({"status": status, "checks": checks}, status=200 if serving else 503)
