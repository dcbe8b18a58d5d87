"""Settings of the example deployment, read from the environment.

Nothing set: SQLite in ``var/``, Celery tasks run eagerly in process, debug off.
``DJANGO_DEBUG=1`` for development (the README's demo sets it). In production set
``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``, ``DATABASE_URL`` (PostgreSQL) and
``CELERY_BROKER_URL`` (Redis).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DJANGO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for development).")
    SECRET_KEY = "development-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "simple_history",
    "import_export",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "promotion",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]
# Content-Security-Policy of the deployment's own pages (the admin, the redirects, error
# pages): Django 6's middleware, or on Django 5.2 the same policy from calibaja.middleware.
# The promotion app's pages send their own, stricter, policy, which neither replaces.
# The admin needs no inline script or style (the branding is calibaja/admin.css).
SECURE_CSP = {
    "default-src": ["'none'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
}
MIDDLEWARE.insert(
    1,
    "django.middleware.csp.ContentSecurityPolicyMiddleware"
    if django.VERSION >= (6, 0)
    else "calibaja.middleware.ContentSecurityPolicyMiddleware",
)
ROOT_URLCONF = "calibaja.urls"
WSGI_APPLICATION = "calibaja.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
TIME_ZONE = "America/Tijuana"
USE_I18N = True
LOCALE_PATHS = [BASE_DIR / "calibaja" / "locale"]  # the deployment's own strings
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "calibaja" / "static"]  # the deployment's admin branding
# Files the app keeps (partner logos, decks) are private: never served from a public URL.
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "private", "base_url": "/private-not-served/"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Celery: with no broker, tasks run eagerly in this process, so the demo needs nothing.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Keep database connections between tasks (CONN_MAX_AGE above, with health checks):
# Celery's fixup would close them after every task; ``keep_db_connections()`` in
# calibaja/celery.py closes those that are expired or unusable instead.
CELERY_DB_REUSE_MAX = 1_000_000
# Redis hands an unacknowledged message to another worker after this many seconds: that is
# how a deck lost with its whole worker comes back. Keep it above the deck task's hard time
# limit (90 s, promotion/tasks.py), or a deck still rendering is delivered a second time;
# kombu's sweep for such messages adds up to about 100 s (10 s x 10 by default).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300}
# With `celery -A calibaja beat`: re-send decks whose task message was lost (a broker
# restarted without persistence); see promotion_deck_resend and PROMOTION's
# DECK_RESEND_AFTER_MINUTES.
CELERY_BEAT_SCHEDULE = {
    "promotion-deck-resend": {"task": "promotion.deck_resend_stale", "schedule": 300},
}

# One cache for every process, web and workers: the answers matcher and the decks keep
# region data in each process and learn of a change through it (promotion.answering.cache,
# promotion.decks.cache); with a per-process cache a worker would learn of it only minutes
# later, so decks do not keep region data then. DJANGO_CACHE_URL, else the Redis broker.
CACHE_URL = os.environ.get("DJANGO_CACHE_URL") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "calibaja",
        }
    }

PROMOTION = {
    "DEFAULT_REGION": "calibaja",
    "FACT_REVIEW_AFTER_YEARS": int(os.environ.get("PROMOTION_FACT_REVIEW_AFTER_YEARS", "3")),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# Production hardening: on whenever debug is off (``manage.py check --deploy`` is clean).
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    X_FRAME_OPTIONS = "DENY"
    SECURE_REFERRER_POLICY = "same-origin"
