"""Throttles of the REST API, a courtesy to the server (logins are guarded elsewhere).

Rates come from ``PROMOTION["API_THROTTLE_RATES"]`` when a request is made, never from the
host's ``REST_FRAMEWORK`` settings; a scope whose rate is ``None`` is not throttled. Counts
are kept in the cache named by ``PROMOTION["API_THROTTLE_CACHE"]``.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import BaseCache, caches
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from promotion.conf import promotion_settings


class PromotionThrottle(SimpleRateThrottle):
    """One scope of ``API_THROTTLE_RATES``: per user when logged in, per address if not."""

    cache_format = "promotion_throttle_%(scope)s_%(ident)s"
    # Which requests the scope counts: "anon", "user" or "any".
    applies_to = "any"

    @property
    def cache(self) -> BaseCache:  # type: ignore[override]
        return caches[promotion_settings.API_THROTTLE_CACHE]

    def get_rate(self) -> str | None:
        return (promotion_settings.API_THROTTLE_RATES or {}).get(self.scope)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        authenticated = bool(request.user and request.user.is_authenticated)
        if (self.applies_to == "anon" and authenticated) or (
            self.applies_to == "user" and not authenticated
        ):
            return None
        ident = f"u{request.user.pk}" if authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonThrottle(PromotionThrottle):
    scope = "anon"
    applies_to = "anon"


class UserThrottle(PromotionThrottle):
    scope = "user"
    applies_to = "user"


class AnswerThrottle(PromotionThrottle):
    """``regions/{slug}/answer/``: the matcher's work, for anyone."""

    scope = "answer"
