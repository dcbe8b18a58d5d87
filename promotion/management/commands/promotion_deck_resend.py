from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from promotion.conf import promotion_settings
from promotion.services.deck_recovery import deck_resend


class Command(BaseCommand):
    help = (
        "Send the render task again for decks still queued or rendering after --older-than "
        "minutes (default: PROMOTION['DECK_RESEND_AFTER_MINUTES']): their message was lost, "
        "e.g. with a broker restarted without persistence. Safe to repeat: rendering is "
        "idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=float,
            default=None,
            metavar="MINUTES",
            help="Only decks queued (or started) at least this many minutes ago.",
        )
        parser.add_argument("--dry-run", action="store_true", help="List the decks; send nothing.")

    def handle(self, *args: Any, older_than: float | None, dry_run: bool, **options: Any) -> None:
        minutes = promotion_settings.DECK_RESEND_AFTER_MINUTES if older_than is None else older_than
        if minutes < 0:
            raise CommandError("--older-than takes a number of minutes, 0 or more.")
        stale = deck_resend(older_than=timedelta(minutes=minutes), dry_run=dry_run)
        for deck in stale:
            # Ids and dates only: never a prospect's name in an operator's terminal log.
            self.stdout.write(f"deck {deck.pk}: {deck.status} since {deck.since.isoformat()}")
        verb = "Would send" if dry_run else "Sent"
        self.stdout.write(
            f"{verb} {len(stale)} deck(s) again (queued or rendering for over {minutes:g} min)."
        )
