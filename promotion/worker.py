"""A Celery worker's database connections and memory.

Database connections are kept between tasks as Django keeps them between requests.

Celery's Django fixup closes every connection before and after each task, so each deck
task opens a new one (a few milliseconds of connect and authentication, and work for the
database server). Its ``CELERY_DB_REUSE_MAX`` setting instead keeps connections for that
many tasks, but without checking them: a connection the server dropped, or one an error
left unusable, is used again by the next task, which then fails.

``keep_db_connections()`` gives tasks the lifecycle Django gives requests:
``close_old_connections()`` before and after every task closes a connection that is older
than ``CONN_MAX_AGE`` or that an error left unusable, and with ``CONN_HEALTH_CHECKS`` the
first query of the next task checks that the connection still works (reconnecting if
not). Call it from the Celery app module of the host, with ``CELERY_DB_REUSE_MAX`` set
high (the fixup then stops closing connections itself) and ``CONN_MAX_AGE`` above 0 plus
``CONN_HEALTH_CHECKS = True`` in ``DATABASES``::

    app = Celery("mysite")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    keep_db_connections()

Celery still closes every connection in each new pool process (after the fork), whatever
the settings, so no connection is shared between processes.

``freeze_inherited_objects()`` keeps a prefork pool process's memory from growing deck
after deck. A reportlab document is a web of reference cycles (canvas, document, pages,
the fonts' state): a deck leaves about 900 objects holding some 470 KB that only Python's
cyclic garbage collector frees, and those that lived through the render's young
collections wait for a full one. Python runs a full collection only when the objects
added to the oldest generation since the last exceed a quarter of those already there,
and a pool process inherits some 170,000 from the parent (Django, Celery, DRF, reportlab
and the app, imported before the fork): the garbage of many decks piles up between full
collections (one every 150 to 400 decks), each of which walks all 170,000 objects, and the
process's heap grows to the largest pile met so far and keeps that size. A pool process
grew by about 8 MB between its 50th and its 250th deck, then stayed flat. Moved to the
permanent generation as the process starts (``gc.freeze()``), the inherited objects are
no longer walked: full collections come about every 70 decks, each costs a small
fraction, the garbage no longer piles up (about 2 MB of growth, over by the 200th deck),
and the collector no longer writes to the pages shared with the parent::

    app = Celery("mysite")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    keep_db_connections()
    freeze_inherited_objects()
"""

from __future__ import annotations

import gc
from typing import Any

from celery.signals import task_postrun, task_prerun, worker_process_init
from django.db import close_old_connections


def _close_old_connections(**kwargs: Any) -> None:
    task = kwargs.get("task") or kwargs.get("sender")
    if getattr(getattr(task, "request", None), "is_eager", False):
        return  # in process (eager): the caller's connection, the caller's business
    close_old_connections()


def keep_db_connections() -> None:
    """Close unusable or expired connections around every task (see the module doc)."""
    task_prerun.connect(_close_old_connections, dispatch_uid="promotion_db_connections_pre")
    task_postrun.connect(_close_old_connections, dispatch_uid="promotion_db_connections_post")


def _freeze(**kwargs: Any) -> None:
    gc.freeze()


def freeze_inherited_objects() -> None:
    """In each new pool process, move the objects inherited from the parent to the
    garbage collector's permanent generation (see the module doc)."""
    worker_process_init.connect(_freeze, dispatch_uid="promotion_gc_freeze")
