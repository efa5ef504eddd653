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
    assert body["checks"]["kept_cache"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_is_degraded_when_only_the_cache_of_kept_figures_is_down(client, monkeypatch):
    from civbio import views

    checked = views.check_cache
    monkeypatch.setattr(
        views,
        "check_cache",
        lambda alias="default": "error: ConnectionError" if alias == "kept" else checked(alias),
    )

    response = client.get(reverse("healthz"))

    # Pages compute what they would have read from it: they stay up.
    assert response.status_code == 200
    assert response.json()["checks"]["kept_cache"] == "error: ConnectionError"
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
