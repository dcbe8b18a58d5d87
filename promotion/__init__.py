"""Investment promotion: sourced region facts, prospects and tailored pitch decks."""

from __future__ import annotations

__version__ = "0.1.0"
