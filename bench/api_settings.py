"""Settings for ``bench/api.py``: the example deployment, served over plain HTTP on loopback.

Everything is ``calibaja.settings`` (debug off, PostgreSQL from ``DATABASE_URL``) except
what a loopback benchmark cannot have: TLS (no HTTPS redirect, cookies not marked secure)
and the API's courtesy throttles, which would answer the benchmark's clients 429 instead of
measuring the server.
"""

from __future__ import annotations

from calibaja.settings import *  # noqa: F403
from calibaja.settings import PROMOTION

ALLOWED_HOSTS = ["127.0.0.1"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PROMOTION = {**PROMOTION, "API_THROTTLE_RATES": {}}
