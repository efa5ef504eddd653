"""Django's Redis cache, made harmless when Redis is down or hangs.

The cache holds nothing a page needs to be right: login rate limits, Celery's worker heartbeat,
an import's progress hint and drawn charts. So when Redis cannot be reached it acts as an empty
cache that takes every write: a read misses, a write is dropped, and `add` answers that the key
was new, so a rate limit's lock is granted and the login goes on (the limits fail open; see
docs/SECURITY.md). The error is logged once each time the cache becomes unreachable.

A Redis that hangs (stopped, or a network that drops packets) would hold each call for its
socket timeout, and every request would pay it, so the settings give short timeouts and a
circuit breaker stands in front: after a failure this process (all its threads) leaves that
Redis alone for RETRY_AFTER seconds, answering as above at once, then tries it again with the
next call.
"""

import functools
import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Seconds a process leaves Redis alone after a call failed.
RETRY_AFTER = 5.0
# What a call failing this way raises (a refused or timed-out connection, a hang).
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class _Unavailable(Exception):
    """Redis was skipped or could not be reached: the call answers as an empty cache would."""


class Breaker:
    """Open for `seconds` after a failure: while open, no call goes to Redis."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.open_until = 0.0
        self._lock = threading.Lock()

    def call(self, function, *args, **kwargs):
        if time.monotonic() < self.open_until:
            raise _Unavailable
        try:
            return function(*args, **kwargs)
        except UNREACHABLE as error:
            with self._lock:
                was_closed = time.monotonic() >= self.open_until
                self.open_until = time.monotonic() + self.seconds
            if was_closed:
                logger.error(
                    "cache unreachable (%s): answering as an empty cache for %s s; the login "
                    "rate limits are not enforced meanwhile",
                    type(error).__name__,
                    self.seconds,
                )
            raise _Unavailable from error


def _guarded(empty):
    """The method through the breaker; `empty(*args, **kwargs)` is its answer without Redis."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return self.breaker.call(method, self, *args, **kwargs)
            except _Unavailable:
                return empty(*args, **kwargs)

        return wrapper

    return decorate


def _default(key, default=None, version=None):
    return default


def _missing(key, *args, **kwargs):
    raise ValueError(f"Key '{key}' not found.")  # as Django's incr on an empty cache


# One breaker per Redis address, shared by the threads of a process (Django makes a cache
# object per thread).
_breakers: dict[str, Breaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(location: str) -> Breaker:
    with _breakers_lock:
        if location not in _breakers:
            _breakers[location] = Breaker(RETRY_AFTER)
        return _breakers[location]


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self.breaker = breaker_for(",".join(self._servers))

    add = _guarded(lambda *a, **k: True)(DjangoRedisCache.add)
    get = _guarded(_default)(DjangoRedisCache.get)
    set = _guarded(lambda *a, **k: None)(DjangoRedisCache.set)
    touch = _guarded(lambda *a, **k: False)(DjangoRedisCache.touch)
    delete = _guarded(lambda *a, **k: False)(DjangoRedisCache.delete)
    get_many = _guarded(lambda *a, **k: {})(DjangoRedisCache.get_many)
    has_key = _guarded(lambda *a, **k: False)(DjangoRedisCache.has_key)
    incr = _guarded(_missing)(DjangoRedisCache.incr)
    # Django's answer: the keys that were not stored.
    set_many = _guarded(lambda data, *a, **k: list(data))(DjangoRedisCache.set_many)
    delete_many = _guarded(lambda *a, **k: None)(DjangoRedisCache.delete_many)
    clear = _guarded(lambda *a, **k: False)(DjangoRedisCache.clear)
