"""Generated pitch decks: one PDF for one prospect, in one language."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from promotion.models.base import Language
from promotion.models.crm import Prospect
from promotion.models.region import Fact
from promotion.storage import PromotionStorage


class DeckStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RENDERING = "rendering", _("Rendering")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


def deck_upload_to(instance: PitchDeck, filename: str) -> str:
    # The prospect's id and the deck's id only: never the company in a file name.
    return f"promotion/decks/{instance.prospect_id}/deck-{instance.pk or 'new'}-{filename}"


class PitchDeck(models.Model):
    """One generated PDF. ``facts_used`` maps each fact's id to the history id of the
    version the deck printed, so a later change of the fact can be told apart."""

    ACTIVE_STATUSES = (DeckStatus.QUEUED, DeckStatus.RENDERING)

    prospect = models.ForeignKey(
        Prospect, on_delete=models.CASCADE, related_name="decks", verbose_name=_("prospect")
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=DeckStatus.choices, default=DeckStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promotion_requested_decks",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    file = models.FileField(
        _("file"),
        upload_to=deck_upload_to,
        storage=PromotionStorage(),
        blank=True,
        max_length=300,
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    page_count = models.PositiveSmallIntegerField(_("pages"), null=True, blank=True)
    error = models.CharField(
        _("error"),
        max_length=500,
        blank=True,
        help_text=_("What went wrong, in words staff can act on; never the deck's content."),
    )
    sections = models.JSONField(_("sections"), default=list, blank=True)
    facts = models.ManyToManyField(
        Fact, blank=True, related_name="decks", verbose_name=_("facts used")
    )
    facts_used = models.JSONField(
        _("fact versions used"),
        default=dict,
        blank=True,
        help_text=_("Fact id → history id of the version printed."),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    identity_shown = models.BooleanField(
        _("shows the company"),
        default=False,
        help_text=_(
            "Whether the deck prints the company name; if so, only people who may "
            "see the company may download it."
        ),
    )

    class Meta:
        verbose_name = _("pitch deck")
        verbose_name_plural = _("pitch decks")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["prospect", "language"],
                condition=Q(status__in=["queued", "rendering"]),
                name="promotion_pitchdeck_one_active",
            )
        ]
        indexes = [
            models.Index(fields=["prospect", "status"], name="promotion_pitchdeck_status_idx")
        ]

    def __str__(self) -> str:
        return f"{self.prospect} ({self.language}, {self.get_status_display()})"
