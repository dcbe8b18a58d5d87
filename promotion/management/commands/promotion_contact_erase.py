from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from promotion.models import Contact
from promotion.services.crm import contact_erase, contact_export_data


class Command(BaseCommand):
    help = (
        "Export, then erase, one contact's personal data (a data subject's request). "
        "With --export-only, print the data as JSON and change nothing. Erasure keeps the "
        "pipeline's history: the contact row stays, blanked, and its past versions too."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("contact_id", type=int)
        parser.add_argument(
            "--export-only",
            action="store_true",
            help="Print the person's data as JSON; erase nothing.",
        )
        parser.add_argument(
            "--no-export", action="store_true", help="Erase without printing the data first."
        )

    def handle(
        self, *args: Any, contact_id: int, export_only: bool, no_export: bool, **options: Any
    ) -> None:
        contact = Contact.objects.select_related("prospect").filter(pk=contact_id).first()
        if contact is None:
            raise CommandError(f"No contact with id {contact_id}.")
        if not no_export:
            data = contact_export_data(actor=None, contact=contact)
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        if export_only:
            return
        report = contact_erase(actor=None, contact=contact)
        for line in report.lines():
            self.stderr.write(line)
