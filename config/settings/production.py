"""Production: refuses to start without SECRET_KEY, DATABASE_URL, REDIS_URL, ALLOWED_HOSTS, EMAIL_URL and SITE_URL.

DATABASE_URL connects as the application role (DATABASE_APP_ROLE), never as
the owner: row-level security only holds for a role that owns no table.
TLS ends at a proxy in front of gunicorn, which must set X-Forwarded-Proto.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import BASE_DIR, CACHES, DATABASES, REDIS_URL, env

THROUGHLINE_ENVIRONMENT = "production"
DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production.")
DATABASES["default"] = {**env.db("DATABASE_URL"), **{"ATOMIC_REQUESTS": True}}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if not REDIS_URL:
    raise ImproperlyConfigured("REDIS_URL must be set in production (broker and cache).")
# A Redis outage must slow a page by seconds at most, never hang it.
CACHES["default"]["OPTIONS"] = {"socket_connect_timeout": 2, "socket_timeout": 2}
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

# Password resets and check-in reminders are real mail: no console default.
EMAIL_CONFIG = env.email_url("EMAIL_URL")
vars().update(EMAIL_CONFIG)
# Links in emails sent by tasks (invitations, reminders) point here.
SITE_URL = env.str("SITE_URL")

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Load balancers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
