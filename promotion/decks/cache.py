"""Region data that decks read, kept in each process between decks until it changes.

A deck reads the same region data as the one before it (the glance figures, clusters,
talent, assets, places, partners); only the prospect, its questions and the requester
differ. Those reads are kept per process, keyed by region and by what was asked, and
stamped with the region's version tokens of the answers matcher's cache
(``promotion.answering.cache.region_version``), which the receivers in
``promotion.receivers`` renew on every save or delete of region data, facts' topics and
topics. A deck reads the tokens once (one cache round trip, no query) and uses a kept
result only under the same stamp, no older than ``MAX_AGE`` seconds.

That is only sound when every process sees every change at once, so the kept results are
used only when Django's ``default`` cache is shared between processes (Redis, Memcached,
the database cache). With a per-process cache (``LocMemCache``, the default, or
``DummyCache``) a worker would not see a fact edited in the admin, and would print the old
text while recording the new version: decks then read everything from the database.
Writes that send no signals (``QuerySet.update``, raw SQL) are not seen before ``MAX_AGE``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.core.cache import caches

from promotion.answering.cache import region_version

T = TypeVar("T")

MAX_AGE = 300
MAX_ENTRIES = 1000  # distinct (region, question) pairs kept; then all are dropped

_lock = threading.Lock()
_entries: dict[tuple[int, Hashable], tuple[Any, float, Any]] = {}


def cache_is_shared() -> bool:
    """Whether the ``default`` cache is one all processes share (see the module doc)."""
    from django.core.cache.backends.dummy import DummyCache
    from django.core.cache.backends.locmem import LocMemCache

    return not isinstance(caches["default"], LocMemCache | DummyCache)


def stamp_for(region_id: int) -> Any:
    """The stamp a deck's reads of this region are kept under, or None: do not keep."""
    if not cache_is_shared():
        return None
    return region_version(region_id=region_id)


def region_cached(region_id: int, stamp: Any, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or what it returned for the same region, key and stamp."""
    if stamp is None:
        return compute()
    entry = _entries.get((region_id, key))
    now = time.monotonic()
    if entry is not None and entry[0] == stamp and now - entry[1] < MAX_AGE:
        return entry[2]  # type: ignore[no-any-return]
    value = compute()
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[(region_id, key)] = (stamp, now, value)
    return value


def clear() -> None:
    """Forget everything kept in this process (tests use it to start clean)."""
    with _lock:
        _entries.clear()
