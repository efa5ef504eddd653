"""`make test` runs the suite in pytest-xdist workers: each has a Redis database of its own, which
the suite clears between tests and real Celery workers take tasks from (tests/conftest.py)."""

import os
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import caches

from civbio.celery import app
from tests import conftest


def _database(url: str) -> int:
    return int(urlsplit(url).path.strip("/") or 0)


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (make test uses it if it answers)")
def test_the_cache_the_broker_and_the_celery_workers_use_this_workers_redis():
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    own = settings.REDIS_URL

    assert _database(own) == _database(conftest.RUN_REDIS_URL) - int(worker.removeprefix("gw"))
    assert settings.CACHES["default"]["LOCATION"] == own
    assert caches["default"]._cache._servers == [own]
    assert app.conf.broker_url == own and app.conf.result_backend == own
    assert os.environ["REDIS_URL"] == own  # what a real worker process (celery_workers) reads
