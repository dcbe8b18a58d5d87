from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from promotion.models import Partner, PartnerRole
from promotion.services.crm import membership_add, membership_remove


class Command(BaseCommand):
    help = (
        "Give or take a user's place on a partner's staff: "
        "'add USER PARTNER_SLUG [--role viewer|editor|manager]' or 'remove USER PARTNER_SLUG'. "
        "USER is the value of the user model's USERNAME_FIELD."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["add", "remove"])
        parser.add_argument("user", help="The user's login (USERNAME_FIELD).")
        parser.add_argument("partner", help="The partner's slug.")
        parser.add_argument(
            "--role",
            choices=list(PartnerRole.values),
            default=PartnerRole.VIEWER,
            help="The role on the partner's staff (add only; default: viewer).",
        )

    def handle(
        self, *args: Any, action: str, user: str, partner: str, role: str, **options: Any
    ) -> None:
        user_model = get_user_model()
        field = user_model.USERNAME_FIELD
        account = user_model._default_manager.filter(**{field: user}).first()
        if account is None:
            raise CommandError(f"No user with {field} {user!r}.")
        organisation = Partner.objects.filter(slug=partner).first()
        if organisation is None:
            raise CommandError(f"No partner with slug {partner!r}.")
        if action == "add":
            membership = membership_add(partner=organisation, user=account, role=role)
            self.stdout.write(
                f"{user} is now {membership.get_role_display().lower()} of {organisation.slug}."
            )
        elif membership_remove(partner=organisation, user=account):
            self.stdout.write(f"{user} is no longer on the staff of {organisation.slug}.")
        else:
            self.stdout.write(f"{user} was not on the staff of {organisation.slug}.")
