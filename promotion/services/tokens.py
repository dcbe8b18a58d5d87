"""API tokens: create one (the key is returned once and stored only as a hash), check a
key, revoke a token."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from promotion.models import APIToken

KEY_START = "prm_"
# last_used_at is written at most this often per token, not on every request.
LAST_USED_EVERY = datetime.timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_create(
    *,
    user: Any,
    name: str = "",
    days: int | None = None,
    expires_at: datetime.datetime | None = None,
) -> tuple[APIToken, str]:
    """Create a token for ``user`` and return it with its key, which is shown once: only
    its SHA-256 hash is kept. It expires ``days`` from now, or at ``expires_at``, or
    never (until revoked)."""
    if days is not None and days < 1:
        raise ValueError("days must be a positive number")
    while True:
        prefix = secrets.token_hex(4)
        if not APIToken.objects.filter(prefix=prefix).exists():
            break
    key = f"{KEY_START}{prefix}_{secrets.token_urlsafe(32)}"
    now = timezone.now()
    token = APIToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        key_hash=_hash(key),
        created_at=now,
        expires_at=now + datetime.timedelta(days=days) if days else expires_at,
    )
    return token, key


def token_for_key(*, key: str) -> APIToken | None:
    """The active token whose key this is, with its user; None for any other string
    (unknown, revoked, expired or malformed alike). Notes when the token was last used."""
    if not key.startswith(KEY_START):
        return None
    prefix, _sep, secret = key[len(KEY_START) :].partition("_")
    if not prefix or not secret:
        return None
    token = APIToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.key_hash, _hash(key)):
        return None
    now = timezone.now()
    if not token.is_active(at=now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_revoke(*, token: APIToken) -> bool:
    """Revoke ``token`` from now on; False if it was revoked already."""
    updated = APIToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token.refresh_from_db(fields=["revoked_at"])
    return bool(updated)
