"""Database connections in a Celery worker, kept between tasks as Django keeps them between
requests.

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
"""

from __future__ import annotations

from typing import Any

from celery.signals import task_postrun, task_prerun
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
