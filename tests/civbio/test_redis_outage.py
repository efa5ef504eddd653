"""With Redis down or hanging, people still log in and out, pages and writes still work, and a
hanging Redis is waited for once, not on every call (#21 items 14 and 17).

The cache here is the real one (civbio.redis_cache.RedisCache) pointed at a real address: a
port nothing listens on, or a server that accepts connections and never answers, as a stopped
(SIGSTOP) Redis does."""

import logging
import socket
import threading

import pytest
from django.urls import reverse

from civbio import redis_cache
from tests.browser import BrowserClient, submit
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class HangingServer:
    """Accepts connections and never answers: a Redis stopped with SIGSTOP, as its clients see
    it. Counts the connections made to it."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.accepted = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _address = self.listener.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self):
        self.listener.close()
        for connection in self.accepted:
            connection.close()


@pytest.fixture
def hanging():
    server = HangingServer()
    yield server
    server.close()


def _redis_at(settings, port: int) -> None:
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "BACKEND": "civbio.redis_cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def _log_in_and_out(person, *, meanwhile=None):
    client = BrowserClient()
    logged_in = submit(
        client, reverse("account_login"), {"login": person.email, "password": PASSWORD}
    )
    assert logged_in.status_code == 302, logged_in.status_code
    assert client.session["_auth_user_id"] == str(person.pk)
    assert client.get(reverse("reports:dashboard_school")).status_code == 200
    if meanwhile:
        meanwhile(client)
    logged_out = submit(client, reverse("reports:dashboard_school"), button="Uitloggen")
    assert logged_out.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("reports:dashboard_school")).status_code == 302


def test_with_redis_down_people_log_in_and_out_and_the_limits_fail_open_with_an_error(
    settings, dirk, lines, caplog
):
    _redis_at(settings, _closed_port())

    with caplog.at_level(logging.ERROR, logger="civbio.redis_cache"):
        _log_in_and_out(dirk)

    [error] = [r for r in caplog.records if r.name == "civbio.redis_cache"]
    assert error.levelno == logging.ERROR
    assert "rate limits are not enforced" in error.getMessage()


def test_a_hanging_redis_is_waited_for_once_then_left_alone(
    settings, dirk, lines, hanging, monkeypatch
):
    # Long enough that the whole visit falls within one pause, however slow the machine.
    monkeypatch.setattr(redis_cache, "RETRY_AFTER", 600.0)
    _redis_at(settings, hanging.port)

    def write(client):
        account = reverse("partners:account")
        saved = submit(client, account, {"name": "Dirk de Leraar"}, button="Opslaan")
        assert saved.status_code == 302
        assert "Je gegevens zijn opgeslagen." in client.get(saved.url).text

    _log_in_and_out(dirk, meanwhile=write)

    # The write was stored, and said so.
    dirk.refresh_from_db()
    assert dirk.name == "Dirk de Leraar"
    # Every cache call of the login, the pages and the logout (rate-limit locks and counters,
    # charts) after the first one that timed out skipped Redis: one connection in all, so the
    # visit waited one socket timeout at most.
    assert len(hanging.accepted) == 1


def test_the_breaker_lets_the_next_call_through_after_its_pause(settings, monkeypatch):
    """Redis back after an outage is used again: the pause ends, the next call goes to it."""
    from django.core.cache import caches

    monkeypatch.setattr(redis_cache, "RETRY_AFTER", 600.0)
    _redis_at(settings, _closed_port())
    cache = caches["default"]

    cache.set("k", 1)
    assert cache.get("k") is None
    assert cache.breaker.open_until > 0
    # The same breaker for the same Redis in every thread of the process.
    seen = []
    worker = threading.Thread(target=lambda: seen.append(caches["default"].breaker))
    worker.start()
    worker.join()
    assert seen == [cache.breaker]

    # Its pause over, Redis answers again (the real one, at the test run's address).
    working = settings.REDIS_URL
    if not working:
        pytest.skip("needs Redis")
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": working}}
    back = caches["default"]
    back.breaker.open_until = 1.0  # a pause that ended long ago
    back.set("k", 1)
    assert back.get("k") == 1
