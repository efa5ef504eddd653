import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.urls import reverse

from civbio.celery import app as celery_app

pytestmark = pytest.mark.django_db

needs_redis = pytest.mark.skipif(
    not settings.REDIS_URL, reason="needs Redis (make test uses it when it answers; CI requires it)"
)


def test_healthz_reports_database_and_cache(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_is_degraded_when_only_the_cache_is_down(client, monkeypatch):
    from civbio import views

    monkeypatch.setattr(views, "check_cache", lambda: "error: cache did not return what was stored")

    response = client.get(reverse("healthz"))

    # Pages and the login work without the cache (civbio/redis_cache.py): the site stays up.
    assert response.status_code == 200
    assert response.json()["checks"]["cache"] == "error: cache did not return what was stored"
    assert response.json()["status"] == "degraded"


def test_healthz_is_an_error_when_the_database_is_down(client, monkeypatch):
    from civbio import views

    monkeypatch.setattr(views, "check_database", lambda: "error: OperationalError")

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["status"] == "error"


@needs_redis
def test_healthz_uses_the_real_cache_and_broker(client, settings):
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    settings.CELERY_TASK_ALWAYS_EAGER = False

    body = client.get(reverse("healthz")).json()

    assert body["checks"]["cache"] == "ok"
    assert body["checks"]["broker"] == "ok"
    # No worker runs during the tests: monitoring sees it, the page stays up.
    assert body["checks"]["worker"].startswith("down")
    assert body["status"] == "degraded"


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_healthz_sees_a_running_worker(client, settings):
    eager = celery_app.conf.task_always_eager  # before the settings change: Celery reads them
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            body = client.get(reverse("healthz")).json()
    finally:
        # Later tests run their tasks in-process again.
        celery_app.conf.task_always_eager = eager

    assert body["checks"]["worker"] == "ok"
    assert body["status"] == "ok"


def test_healthz_answers_a_probe_by_internal_address_in_production(client, settings):
    settings.ALLOWED_HOSTS = ["civbio.example.nl"]
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/healthz", HTTP_HOST="172.18.0.3:8000")

    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"
    # Every other page still refuses an unknown host.
    assert client.get("/", HTTP_HOST="172.18.0.3:8000").status_code == 400


def test_healthz_tells_the_public_only_whether_the_site_is_up(client, settings):
    settings.HEALTHZ_TOKEN = "monitoring-secret"

    public = client.get(reverse("healthz"), REMOTE_ADDR="203.0.113.5")
    proxied = client.get(reverse("healthz"), HTTP_X_FORWARDED_FOR="203.0.113.5")
    monitoring = client.get(
        reverse("healthz"), REMOTE_ADDR="203.0.113.5", HTTP_X_HEALTHZ_TOKEN="monitoring-secret"
    )
    guessed = client.get(
        reverse("healthz"), REMOTE_ADDR="203.0.113.5", HTTP_X_HEALTHZ_TOKEN="guess"
    )

    assert public.status_code == 200 and public.json() == {"status": "up"}
    assert proxied.json() == {"status": "up"}
    assert guessed.json() == {"status": "up"}
    assert monitoring.json()["checks"]["database"] == "ok"


def test_healthz_says_down_to_the_public_when_the_database_is(client, monkeypatch):
    from civbio import views

    monkeypatch.setattr(views, "check_database", lambda: "error: OperationalError")

    response = client.get(reverse("healthz"), REMOTE_ADDR="203.0.113.5")

    assert response.status_code == 503 and response.json() == {"status": "down"}


@needs_redis
def test_probes_at_the_same_time_do_not_overwrite_each_other(db):
    """Each probe writes a key of its own: concurrent calls all find what they stored."""
    from concurrent.futures import ThreadPoolExecutor

    from civbio.views import check_cache

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: check_cache(), range(400)))

    assert set(answers) == {"ok"}


@needs_redis
def test_a_worker_heartbeat_older_than_a_minute_is_a_worker_down(client, settings):
    import time

    from django.core.cache import cache

    from civbio.celery import HEARTBEAT_KEY

    settings.CELERY_TASK_ALWAYS_EAGER = False
    cache.set(HEARTBEAT_KEY, time.time() - 5)
    assert client.get(reverse("healthz")).json()["checks"]["worker"] == "ok"

    cache.set(HEARTBEAT_KEY, time.time() - 90)
    worker = client.get(reverse("healthz")).json()["checks"]["worker"]
    assert worker.startswith("down: last worker heartbeat 9")
