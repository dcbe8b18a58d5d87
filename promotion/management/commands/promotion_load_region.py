from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from promotion.conf import promotion_settings
from promotion.services.datasets import DatasetError, dataset_load


class Command(BaseCommand):
    help = (
        "Load a region data set (sources, facts, topics, places, clusters, assets, partners). "
        "Every record is validated; on any error nothing is written. Loading again updates "
        "the records in place."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--region",
            default=None,
            help="Slug of a region data set shipped with the app (default: "
            "PROMOTION['DEFAULT_REGION'], which is calibaja unless the host changes it).",
        )
        parser.add_argument("--file", help="Load this fixture file instead of a shipped one.")

    def handle(self, *args: Any, region: str | None, file: str | None, **options: Any) -> None:
        if file and region:
            raise CommandError("Give --region or --file, not both.")
        try:
            if file:
                report = dataset_load(path=file)
            else:
                report = dataset_load(name=region or promotion_settings.DEFAULT_REGION)
        except DatasetError as exc:
            raise CommandError(
                "The data set was not loaded; the database is unchanged.\n" + str(exc)
            ) from None
        self.stdout.write(self.style.SUCCESS(f"Loaded {report.path.name}: {report.summary()}"))
