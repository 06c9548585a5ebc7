"""Sessions kept in the database and read through the cache (Redis in production), working while Redis is down.

Django's `cached_db` store already falls back to the database when a cache read fails and logs a failed
cache write, but two of its cache calls are unguarded: refilling the cache after a database read, and
the existence check made when a session key is created (log-in). With Redis stopped, every signed-in
page would then answer 500. Here every cache call that fails is logged and skipped: the database stays
the source of truth, so nothing is lost and pages keep working (a little slower) until Redis is back.
Deleting a session (log-out) still fails while the cache is down, as in Django: a cached copy left
behind would sign the person in again once Redis is back.

SESSION_ENGINE = "core.sessions" (config/settings/base.py, when REDIS_URL is set).
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(cached_db.SessionStore):
    def load(self) -> dict:
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            logger.warning("Session cache unavailable; reading the session from the database.", exc_info=True)
            data = None
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
        except Exception:
            logger.warning("Session cache unavailable; the session was not cached.", exc_info=True)
        return data

    def exists(self, session_key: str | None) -> bool:
        if session_key:
            try:
                if (self.cache_key_prefix + session_key) in self._cache:
                    return True
            except Exception:
                logger.warning("Session cache unavailable; checking the database only.", exc_info=True)
        return DatabaseSessionStore.exists(self, session_key)
