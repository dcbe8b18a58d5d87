"""Settings of the worker that tests/decks/test_worker.py starts, read from its environment.

The tests' own settings (the module named by ``PROMOTION_TEST_BASE_SETTINGS``: the test
run's ``DJANGO_SETTINGS_MODULE``), with what a worker in another process needs: a broker
and a queue of the test's own, tasks not eager, ``DATABASE_URL`` naming the test database
(read by the base settings), a file storage the test process reads too (one that can die
after writing a file), and the renderer that misbehaves on request (tests/decks/faults.py).
Used by that worker only.
"""

from __future__ import annotations

import importlib
import os

from tests.decks import worker

_base = importlib.import_module(os.environ.get(worker.BASE_SETTINGS_ENV, "tests.settings"))
globals().update({name: value for name, value in vars(_base).items() if name.isupper()})

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = os.environ[worker.BROKER_ENV]
CELERY_BROKER_TRANSPORT_OPTIONS = worker.TRANSPORT_OPTIONS
CELERY_TASK_DEFAULT_QUEUE = os.environ[worker.QUEUE_ENV]
CELERY_TASK_ANNOTATIONS = worker.TASK_ANNOTATIONS
if os.environ.get(worker.RESULT_BACKEND_ENV):
    CELERY_RESULT_BACKEND = os.environ[worker.RESULT_BACKEND_ENV]
    CELERY_RESULT_EXTENDED = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Connections kept between tasks, as in the example deployment (calibaja/settings.py).
CELERY_DB_REUSE_MAX = 1_000_000
DATABASES = {
    alias: {**config, "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}
    for alias, config in _base.DATABASES.items()
}

STORAGES = {
    **_base.STORAGES,
    "default": {
        "BACKEND": "tests.decks.faults.FaultyStorage",
        "OPTIONS": {"location": os.environ[worker.STORAGE_ENV]},
    },
}
PROMOTION = {**_base.PROMOTION, "DECK_RENDERER": "tests.decks.faults.FaultyRenderer"}
