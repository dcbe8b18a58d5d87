"""An in-process cache of each region's matcher, invalidated when its data changes.

Building a matcher reads the region's snapshot (five queries) and indexes it (tens of
milliseconds for the Cali-Baja data set); answering a question with a built matcher needs
no query. Each built matcher is stamped with two *version tokens* kept in Django's cache
framework (the ``default`` cache): one for topics and aliases, shared by every region, and
one per region for its facts, sources and places. The receivers in ``promotion.receivers``
replace a token with a new random one whenever such a record is saved or deleted, and again
when the transaction commits. Before answering, the stamp is compared with the tokens (one
cache read, no database query); a mismatch rebuilds the matcher.

Random tokens rather than counters: a token evicted from the cache comes back as a new
value, which can only cause a rebuild, never a stale answer.

Across processes, invalidation is immediate when the ``default`` cache is shared (Redis,
Memcached, database cache). With Django's per-process local-memory cache (or a dummy cache
that stores nothing), a change is seen at once by the process that made it, which also
keeps the tokens itself, and by the others within ``MAX_AGE`` seconds, after which every
process rebuilds its matchers anyway.

Why tokens and not ``max(updated_at)``: facts carry no timestamps (raw fixture loads cannot
fill them), and neither do topics and aliases; a deleted row would not show in a maximum
either. A token read costs one cache round trip and no query.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import TYPE_CHECKING, Any

from django.core.cache import cache

from promotion.answering.knowledge import load_knowledge
from promotion.conf import promotion_settings

if TYPE_CHECKING:
    from promotion.answering.matchers import BaseMatcher
    from promotion.models import Region

TOPICS_KEY = "promotion:answers:topics"
REGION_KEY = "promotion:answers:region:{}"
# Seconds after which a matcher is rebuilt even if no token changed (see module docstring).
MAX_AGE = 300

_lock = threading.Lock()
_matchers: dict[int, tuple[tuple[Any, ...], float, BaseMatcher]] = {}
# The same tokens kept in this process too, so that a change is seen at once here even
# when the ``default`` cache stores nothing (``DummyCache``).
_local_tokens: dict[str, str] = {}


def _tokens(region_id: int) -> tuple[Any, ...]:
    keys = [TOPICS_KEY, REGION_KEY.format(region_id)]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, timeout=None)
            found[key] = cache.get(key)
    return tuple((found[key], _local_tokens.get(key)) for key in keys)


def matcher_for(*, region: Region) -> BaseMatcher:
    """The matcher of ``region`` built from its current data (see the module docstring)."""
    matcher_class = promotion_settings.ANSWER_MATCHER
    stamp = (*_tokens(region.pk), matcher_class)
    cached = _matchers.get(region.pk)
    if cached is not None and cached[0] == stamp and time.monotonic() - cached[1] < MAX_AGE:
        return cached[2]
    # Read the tokens before the data: a change made while we build gives a new token, so
    # the next question rebuilds again rather than keeping what we read.
    matcher = matcher_class(load_knowledge(region=region))
    with _lock:
        _matchers[region.pk] = (stamp, time.monotonic(), matcher)
    return matcher


def knowledge_changed(*, region_id: int | None = None) -> None:
    """Mark a region's data (or, with no ``region_id``, every region's topics) as changed."""
    key = TOPICS_KEY if region_id is None else REGION_KEY.format(region_id)
    token = uuid.uuid4().hex
    _local_tokens[key] = token
    cache.set(key, token, timeout=None)


def region_version(*, region_id: int) -> tuple[Any, ...]:
    """The current version tokens of a region's data and of the topics (one cache read):
    other per-process caches of region data (the decks') compare them as matchers do."""
    return _tokens(region_id)


def clear() -> None:
    """Forget every matcher built in this process (tests use it to start clean)."""
    with _lock:
        _matchers.clear()
