"""core.sessions: signed-in pages keep working while the session cache (Redis in production) is down."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore as DjangoCachedDbStore
from django.contrib.sessions.models import Session

from core.sessions import SessionStore
from tests.processes import free_port


@pytest.fixture
def redis_cache_down(settings):
    """The cache is a Redis nobody listens on (connections refused at once)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }


@pytest.mark.django_db
def test_a_session_is_created_saved_and_read_from_the_database_while_the_cache_is_down(redis_cache_down):
    store = SessionStore()
    store["who"] = "principal"
    store.create()
    store["draft"] = "kept"
    store.save()

    again = SessionStore(store.session_key)
    assert (again["who"], again["draft"]) == ("principal", "kept")
    assert Session.objects.filter(session_key=store.session_key).exists()


@pytest.mark.django_db
def test_django_s_own_cached_db_store_fails_there(redis_cache_down):
    """Why core.sessions exists: Django refills the cache after a database read without catching its errors."""
    store = SessionStore()
    store["who"] = "principal"
    store.create()
    with pytest.raises(Exception, match="onnect"):
        DjangoCachedDbStore(store.session_key)["who"]
