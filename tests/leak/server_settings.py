"""Settings of the server that tests/leak/test_load.py starts, read from its environment.

The test run's own settings (the module named by ``PROMOTION_TEST_BASE_SETTINGS``: the
run's ``DJANGO_SETTINGS_MODULE``, so the portal host serves its own URLs and user model)
with what a server in another process needs: ``DATABASE_URL`` naming the test database
(read by the base settings), connections kept between requests, a file storage the test
process writes the decks to, no API throttles (they would answer the load 429 rather than
serve it), and the app's and Django's log records on standard error, which the test scans.
"""

from __future__ import annotations

import importlib
import os

from tests.leak import server

_base = importlib.import_module(os.environ.get(server.BASE_SETTINGS_ENV, "tests.settings"))
globals().update({name: value for name, value in vars(_base).items() if name.isupper()})

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
DATABASES = {
    alias: {**config, "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}
    for alias, config in _base.DATABASES.items()
}
STORAGES = {
    **_base.STORAGES,
    _base.PROMOTION.get("FILE_STORAGE", "default"): {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": os.environ[server.STORAGE_ENV]},
    },
}
PROMOTION = {**_base.PROMOTION, "API_THROTTLE_RATES": {}}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {
        "promotion": {"handlers": ["stderr"], "level": "DEBUG"},
        "django": {"handlers": ["stderr"], "level": "INFO"},
    },
}
