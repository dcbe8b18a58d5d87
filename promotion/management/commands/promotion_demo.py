from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from promotion.conf import promotion_settings
from promotion.services.datasets import DatasetError
from promotion.services.demo import demo_setup


class Command(BaseCommand):
    help = (
        "Load a region's data set and create demo staff (password 'demo'), idempotently. "
        "Runs only with DEBUG on: demo accounts never exist in production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", default=None, help="Region slug (default: calibaja).")

    def handle(self, *args: Any, region: str | None, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "promotion_demo creates accounts whose password is 'demo', so it runs only "
                "with DEBUG on (DJANGO_DEBUG=1 in the example deployment)."
            )
        try:
            logins = demo_setup(region_slug=region or promotion_settings.DEFAULT_REGION)
        except DatasetError as exc:
            raise CommandError(f"The demo data set did not load:\n{exc}") from None
        self.stdout.write(self.style.SUCCESS("Demo ready. Logins (password in the second column):"))
        width = max(len(login.login) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.login:<{width}}  {login.password}  ({login.role})")
