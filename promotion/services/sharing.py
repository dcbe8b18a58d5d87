"""Share links: create, revoke and open them.

A link's address carries a random token signed with the site's secret key (salted for
share links only), so a token that was altered or made up is refused before any query.
The database keeps only the token's SHA-256: the full address is returned once, by
``share_link_create``, and cannot be shown again. Rotating ``SECRET_KEY`` ends every
link unless the old key stays in ``SECRET_KEY_FALLBACKS``.

Opening a link's page (``share_link_open``) counts it: the first and last time and the
number of times, nothing about the visitor. Downloading the PDF from the page
(``share_link_resolve``) is not counted again.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from promotion.conf import promotion_settings
from promotion.models import DeckStatus, PitchDeck, ShareLink
from promotion.selectors.crm import prospect_managed_by
from promotion.signals import send_on_commit, share_link_opened

SALT = "promotion.share-link"


class ShareLinkInvalid(Exception):
    """The link cannot be opened. ``gone`` is True for a link that existed and no
    longer works (revoked, expired, its deck no longer ready), False for one that is not
    recognised (altered, made up, or of a deleted deck)."""

    def __init__(self, *, gone: bool) -> None:
        super().__init__("gone" if gone else "unknown")
        self.gone = gone


def _signer() -> signing.Signer:
    # Read when used: a test's override of SECRET_KEY applies.
    return signing.Signer(salt=SALT)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def share_link_path(signed_token: str) -> str:
    """The link's page, under whatever prefix the host gave ``promotion.urls``."""
    return reverse("promotion:share-link", args=[signed_token])


def _days(days: int | None) -> int:
    cap = promotion_settings.SHARE_LINK_MAX_DAYS
    chosen = promotion_settings.SHARE_LINK_DAYS if days is None else days
    if not isinstance(chosen, int) or isinstance(chosen, bool) or not 1 <= chosen <= cap:
        raise ValidationError(
            {"days": _("A share link works for 1 to %(cap)d days.") % {"cap": cap}}
        )
    return chosen


@transaction.atomic
def share_link_create(
    *, actor: Any, deck: PitchDeck, days: int | None = None
) -> tuple[ShareLink, str]:
    """Create a link to ``deck`` that works for ``days`` days (``SHARE_LINK_DAYS`` by
    default, at most ``SHARE_LINK_MAX_DAYS``). Managers of the deck's owner partner only,
    and only for a ready deck.

    Returns the link and its signed token; ``share_link_path(token)`` is its address.
    The token is not stored and cannot be recovered later: show it now."""
    if not prospect_managed_by(user=actor).filter(pk=deck.prospect_id).exists():
        raise PermissionDenied(_("Only the owner partner's managers may share a deck."))
    number = _days(days)
    deck = PitchDeck.objects.select_for_update().get(pk=deck.pk)
    if deck.status != DeckStatus.READY or not deck.file:
        raise ValidationError(_("Only a ready pitch deck can be shared."))
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = ShareLink.objects.create(
        deck=deck,
        token_hash=token_hash(token),
        created_by=actor if getattr(actor, "pk", None) else None,
        created_at=now,
        expires_at=now + datetime.timedelta(days=number),
    )
    return link, _signer().sign(token)


@transaction.atomic
def share_link_revoke(*, actor: Any, link: ShareLink) -> ShareLink:
    """End a link now. Managers of the owner partner only; revoking twice changes
    nothing."""
    if not prospect_managed_by(user=actor).filter(decks__share_links=link.pk).exists():
        raise PermissionDenied(_("Only the owner partner's managers may revoke a share link."))
    updated = ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor if getattr(actor, "pk", None) else None
    )
    if updated:
        link.refresh_from_db(fields=["revoked_at", "revoked_by"])
    return link


def share_link_resolve(*, signed_token: str) -> ShareLink:
    """The working link behind ``signed_token``, with its deck, prospect and partner;
    raises ``ShareLinkInvalid`` otherwise. Records nothing."""
    try:
        token = _signer().unsign(signed_token)
    except signing.BadSignature:
        raise ShareLinkInvalid(gone=False) from None
    link = (
        ShareLink.objects.select_related("deck__prospect__partner__region")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if link is None:
        raise ShareLinkInvalid(gone=False)
    if not link.is_active() or link.deck.status != DeckStatus.READY or not link.deck.file:
        raise ShareLinkInvalid(gone=True)
    return link


def share_link_open(*, signed_token: str) -> ShareLink:
    """Resolve ``signed_token`` like ``share_link_resolve`` and count the opening: one
    more time opened, the last time opened, the first time if there was none. Sends
    ``share_link_opened`` after commit, with ``first`` True for exactly one opening even
    when two arrive at once."""
    # Resolved outside the transaction: an altered token costs no query at all.
    link = share_link_resolve(signed_token=signed_token)
    with transaction.atomic():
        now = timezone.now()
        working = ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True, expires_at__gt=now)
        # Conditional updates, so concurrent openings neither lose a count nor both claim
        # to be the first (the second waits for the first's row lock, then finds it set).
        first = bool(working.filter(first_opened_at__isnull=True).update(first_opened_at=now))
        # ``now`` was read before the row lock: an opening that waited for another's lock
        # may hold an earlier time, and the last time opened never goes back.
        latest = Greatest(Coalesce(F("last_opened_at"), Value(now)), Value(now))
        if not working.update(open_count=F("open_count") + 1, last_opened_at=latest):
            raise ShareLinkInvalid(gone=True)  # revoked in the meantime
        link.refresh_from_db(fields=["first_opened_at", "last_opened_at", "open_count"])
        send_on_commit(share_link_opened, sender=ShareLink, link=link, first=first)
    return link
