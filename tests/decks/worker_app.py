"""The Celery app of the worker that tests/decks/test_worker.py starts (``-A`` names it).

Only that worker imports it: creating a Celery app makes it the current one.
"""

from __future__ import annotations

import os

from celery import Celery

from promotion.worker import freeze_inherited_objects, keep_db_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.decks.worker_settings")

app = Celery("promotion-deck-tests")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
keep_db_connections()  # as the example deployment: the kill tests cover it
freeze_inherited_objects()
