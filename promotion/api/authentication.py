"""Token authentication for the REST API: ``Authorization: Bearer <key>`` (or ``Token
<key>``) with a key made by ``promotion_token create`` or the admin (``APIToken``).

A token authenticates its user, so every request made with it sees exactly what that user
sees. An unknown, revoked or expired key is refused alike (401).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from promotion.models import APIToken


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <key>`` or ``Token <key>``."""

    keywords = ("bearer", "token")

    def authenticate(self, request: Request) -> tuple[Any, APIToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode("latin-1").lower() not in self.keywords:
            return None  # not ours: another authentication may take it
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Give the token as 'Authorization: Bearer <key>'.")
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            key = ""
        from promotion.services.tokens import KEY_START, token_for_key

        if not key.startswith(KEY_START):
            # Not one of our keys: another authentication class of the host's
            # (API_AUTHENTICATION_CLASSES) may know it; with none, the user is anonymous.
            return None
        token = token_for_key(key=key)
        if token is None or not getattr(token.user, "is_active", True):
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "promotion.api.authentication.TokenAuthentication"
    name = "promotionToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                _("A key from 'manage.py promotion_token create' or the admin: Bearer <key>.")
            ),
        }
