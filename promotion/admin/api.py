"""API tokens in the admin: staff create and revoke their own; the key is shown once.

A token is always its creator's own (a token for someone else would let one user act as
another), so the add form has no user field. Superusers see and revoke everyone's.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from promotion.models import APIToken
from promotion.services.tokens import token_create, token_revoke


def _staff(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff)


@admin.action(description=_("Revoke selected tokens"))
def revoke_tokens(modeladmin: Any, request: HttpRequest, queryset: QuerySet[APIToken]) -> None:
    revoked = sum(
        token_revoke(token=token)
        for token in modeladmin.get_queryset(request).filter(pk__in=queryset.values("pk"))
    )
    modeladmin.message_user(
        request,
        ngettext("%d token revoked.", "%d tokens revoked.", revoked) % revoked,
        messages.SUCCESS,
    )


@admin.register(APIToken)
class APITokenAdmin(admin.ModelAdmin):
    list_display = ["__str__", "name", "user", "created_at", "expires_at", "last_used_at", "state"]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["name", "prefix"]
    actions = [revoke_tokens]
    readonly_fields = [
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]

    @admin.display(description=_("state"))
    def state(self, token: APIToken) -> str:
        if token.revoked_at is not None:
            return str(_("revoked"))
        if token.expires_at is not None and token.expires_at <= timezone.now():
            return str(_("expired"))
        return str(_("active"))

    def get_queryset(self, request: HttpRequest) -> QuerySet[APIToken]:
        tokens = super().get_queryset(request).select_related("user")
        return tokens if request.user.is_superuser else tokens.filter(user=request.user)

    def get_fields(self, request: HttpRequest, obj: APIToken | None = None) -> list[str]:
        if obj is None:
            return ["name", "expires_at"]
        return ["name", *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: APIToken | None = None) -> list[str]:
        return [] if obj is None else ["name", *self.readonly_fields]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _staff(request)

    def has_view_permission(self, request: HttpRequest, obj: APIToken | None = None) -> bool:
        return _staff(request) and (
            obj is None or request.user.is_superuser or obj.user_id == request.user.pk
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _staff(request)

    def has_change_permission(self, request: HttpRequest, obj: APIToken | None = None) -> bool:
        return False  # a token is created, used and revoked, never edited

    def has_delete_permission(self, request: HttpRequest, obj: APIToken | None = None) -> bool:
        return self.has_view_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: APIToken, form: Any, change: bool) -> None:
        if change:  # never: nothing is editable
            return
        token, key = token_create(
            user=request.user,
            name=form.cleaned_data.get("name", ""),
            expires_at=form.cleaned_data.get("expires_at"),
        )
        for field in token._meta.concrete_fields:
            setattr(obj, field.attname, getattr(token, field.attname))
        obj._state.adding = False
        obj._state.db = token._state.db
        self.message_user(
            request,
            _("The token's key, shown this once (only its hash is kept): %(key)s") % {"key": key},
            messages.WARNING,
        )
