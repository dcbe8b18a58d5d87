"""The example deployment's Celery app. Workers: ``celery -A calibaja worker -l info``."""

from __future__ import annotations

import os

from celery import Celery

from promotion.worker import freeze_inherited_objects, keep_db_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "calibaja.settings")

app = Celery("calibaja")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Database connections live across tasks as across requests (CONN_MAX_AGE, health checks).
keep_db_connections()
# Pool processes leave what they inherit to the garbage collector's permanent generation,
# so the reportlab documents' cycles are collected often and cheaply (promotion.worker).
freeze_inherited_objects()
