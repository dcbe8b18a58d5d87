"""The example deployment's Celery app. Workers: ``celery -A calibaja worker -l info``."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "calibaja.settings")

app = Celery("calibaja")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
