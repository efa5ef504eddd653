"""Sessions kept in the database and read through the shared cache (SESSION_ENGINE).

Django's cached_db store, with what a cache outage must not do:
- a page behind the login does not fail because the cache is gone: the session is read from the
  database, and a copy that cannot be put in the cache is simply not put there;
- a logout does not leave a live copy behind in a cache that comes back: the cached copy goes
  first, and when the cache cannot confirm that, the logout fails and the session stays whole.
  After the row is deleted the copy is deleted again, in case a request in between read the row
  back into the cache.

The site serves synchronously; the async variants are Django's own.
"""

import logging

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore
from django.contrib.sessions.backends.db import SessionStore as DbStore

logger = logging.getLogger(__name__)


class SessionStore(CachedDbStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            logger.warning("session cache unavailable: read from the database", exc_info=True)
            data = None
        if data is not None:
            return data
        row = self._get_session_from_db()
        if row is None:
            return {}
        data = self.decode(row.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=row.expire_date))
        except Exception:
            logger.warning("session cache unavailable: not kept", exc_info=True)
        return data

    def exists(self, session_key):
        try:
            return super().exists(session_key)
        except Exception:
            return DbStore.exists(self, session_key)

    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        cached = self.cache_key_prefix + session_key
        self._cache.delete(cached)  # an outage fails the logout here, with nothing removed
        DbStore.delete(self, session_key)
        try:
            self._cache.delete(cached)
        except Exception:
            logger.warning("session cache unavailable after deleting a session", exc_info=True)
