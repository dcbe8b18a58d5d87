"""Share links: the only way someone without an account reaches a pitch deck."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from promotion.models.decks import PitchDeck


class ShareLink(models.Model):
    """A signed, expiring, revocable link to one ready deck.

    Only the SHA-256 of the link's random token is stored: a copy of the database does not
    hold a working link, and the full address is shown once, when the link is created.
    Opening the page is recorded as counts and times only: never the visitor's address,
    browser or anything else about them."""

    deck = models.ForeignKey(
        PitchDeck,
        on_delete=models.CASCADE,
        related_name="share_links",
        verbose_name=_("pitch deck"),
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promotion_created_share_links",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promotion_revoked_share_links",
        verbose_name=_("revoked by"),
    )
    first_opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    last_opened_at = models.DateTimeField(_("last opened"), null=True, blank=True)
    open_count = models.PositiveIntegerField(_("times opened"), default=0)

    class Meta:
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["deck", "-created_at"], name="promotion_sharelink_deck_idx")
        ]

    def __str__(self) -> str:
        return _("Share link %(id)s of deck %(deck)s") % {"id": self.pk, "deck": self.deck_id}

    def is_active(self, now: object = None) -> bool:
        """Neither revoked nor expired (the deck's own state is checked when opened)."""
        return self.revoked_at is None and self.expires_at > (now or timezone.now())
