from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from promotion.models import APIToken
from promotion.services.tokens import token_create, token_revoke


class Command(BaseCommand):
    help = (
        "API tokens: 'create USER [--days N] [--name TEXT]' prints a new key once (only its "
        "hash is kept); 'revoke PREFIX' revokes a token. USER is the value of the user "
        "model's USERNAME_FIELD."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print its key once.")
        create.add_argument("user", help="The user's login (USERNAME_FIELD).")
        create.add_argument("--days", type=int, default=None, help="Expire after N days.")
        create.add_argument("--name", default="", help="What the token is for.")
        revoke = sub.add_parser("revoke", help="Revoke a token.")
        revoke.add_argument("prefix", help="The token's prefix (prm_<prefix>_...).")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "create":
            self._create(options["user"], days=options["days"], name=options["name"])
        else:
            self._revoke(options["prefix"])

    def _create(self, login: str, *, days: int | None, name: str) -> None:
        if days is not None and days < 1:
            raise CommandError("--days must be a positive number of days.")
        user_model = get_user_model()
        field = user_model.USERNAME_FIELD
        user = user_model._default_manager.filter(**{field: login}).first()
        if user is None:
            raise CommandError(f"No user with {field} {login!r}.")
        token, key = token_create(user=user, name=name, days=days)
        until = f"{token.expires_at:%Y-%m-%d %H:%M %Z}" if token.expires_at else "revoked"
        self.stderr.write(
            f"Token prm_{token.prefix} for {login}, valid until {until}. Its key, shown once:"
        )
        self.stdout.write(key)

    def _revoke(self, prefix: str) -> None:
        prefix = prefix.removeprefix("prm_").split("_")[0]
        token = APIToken.objects.filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"No token with prefix {prefix!r}.")
        if token_revoke(token=token):
            self.stdout.write(f"Token prm_{prefix} revoked.")
        else:
            self.stdout.write(f"Token prm_{prefix} was already revoked.")
