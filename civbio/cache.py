"""The cache backend: Django's Redis cache, with one Redis client kept per connection pool.

Django's own client makes a new `redis.Redis` for every cache call, and each one copies the
library's table of about 170 response callbacks (make bench: the coordinator dashboard
makes 19 cache calls, and building their clients was 5% of its time). A client is safe to share
between threads over its pool, so one is made per pool and kept.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class KeptClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient
