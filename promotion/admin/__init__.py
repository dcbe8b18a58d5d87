"""Admin registrations, one module per domain."""

from __future__ import annotations

from promotion.admin import api, crm, decks, region  # noqa: F401  (registration only)
