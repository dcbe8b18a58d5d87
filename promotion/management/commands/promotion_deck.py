from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from promotion.models import DeckStatus, Language, Prospect
from promotion.services.decks import deck_render, deck_request


class Command(BaseCommand):
    help = (
        "Render one pitch deck in process (the code the Celery task runs) and print its "
        "path. Without --user it runs as the site's operator and may print the company."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prospect_id", type=int)
        parser.add_argument(
            "--lang",
            choices=list(Language.values),
            default=None,
            help="Deck language (default: the prospect's).",
        )
        parser.add_argument("--output", default=None, help="Also write the PDF to this file.")
        parser.add_argument(
            "--user", default=None, help="Render as this user (USERNAME_FIELD): their rights apply."
        )

    def handle(
        self,
        *args: Any,
        prospect_id: int,
        lang: str | None,
        output: str | None,
        user: str | None,
        **options: Any,
    ) -> None:
        prospect = Prospect.objects.filter(pk=prospect_id).first()
        if prospect is None:
            raise CommandError(f"No prospect with id {prospect_id}.")
        actor = None
        if user is not None:
            model = get_user_model()
            actor = model._default_manager.filter(**{model.USERNAME_FIELD: user}).first()
            if actor is None:
                raise CommandError(f"No user with {model.USERNAME_FIELD} {user!r}.")
        try:
            deck = deck_request(actor=actor, prospect=prospect, language=lang, enqueue=False)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        deck = deck_render(
            deck_id=deck.pk, user_id=getattr(actor, "pk", None), system=actor is None
        )
        if deck.status != DeckStatus.READY:
            raise CommandError(f"Deck {deck.pk} failed: {deck.error}")
        if output:
            with deck.file.open("rb") as handle:
                Path(output).write_bytes(handle.read())
            self.stdout.write(output)
        else:
            self.stdout.write(deck.file.name)
