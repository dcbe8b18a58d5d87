"""Share links in the admin: created and revoked from the deck list by the owner
partner's managers, listed (read-only) on each deck and in a list of their own, with
their opens. Querysets start from ``promotion.selectors.sharing``; actions call
``promotion.services.sharing``.

Only a hash of each link's token is stored, so a link's address is shown once, in the
message after it is created; staff copy it from there.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from promotion.admin.crm import ScopedViews, _has_role, _staff
from promotion.models import PartnerRole, PitchDeck, ShareLink
from promotion.selectors.sharing import (
    deck_shareable_by,
    prospect_owned_by,
    share_link_manageable_by,
    share_link_visible_to,
)
from promotion.services.sharing import share_link_create, share_link_path, share_link_revoke


def _when(value: Any) -> str:
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else "—"


class ShareLinkColumns:
    @admin.display(description=_("state"))
    def state(self, obj: ShareLink) -> str:
        if obj.revoked_at is not None:
            return gettext("Revoked")
        if obj.expires_at <= timezone.now():
            return gettext("Expired")
        return gettext("Active")

    @admin.display(description=_("opens"))
    def opens(self, obj: ShareLink) -> str:
        if not obj.open_count:
            return gettext("Not opened yet")
        return gettext("%(count)d, first %(first)s, last %(last)s") % {
            "count": obj.open_count,
            "first": _when(obj.first_opened_at),
            "last": _when(obj.last_opened_at),
        }


class ShareLinkInline(ShareLinkColumns, admin.TabularInline):
    """The deck's share links, read-only, for the owner partner's staff only."""

    model = ShareLink
    fields = [
        "created_at",
        "created_by",
        "expires_at",
        "state",
        "first_opened_at",
        "last_opened_at",
        "open_count",
        "revoked_at",
        "revoked_by",
    ]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name_plural = _("share links")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ShareLink]:
        return share_link_visible_to(user=request.user).select_related("created_by", "revoked_by")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # ``obj`` is the deck: the inline is there for its owner partner's staff only.
        return (
            obj is not None
            and _staff(request)
            and prospect_owned_by(user=request.user).filter(pk=obj.prospect_id).exists()
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- actions on the deck list ----------------------------------------------------------


@admin.action(permissions=["share"], description=_("Create a share link"))
def create_share_link(modeladmin: Any, request: HttpRequest, queryset: QuerySet[PitchDeck]) -> None:
    # Re-filter: the selection is what the browser sent.
    shareable = deck_shareable_by(user=request.user).filter(pk__in=queryset.values("pk"))
    refused = queryset.exclude(pk__in=shareable.values("pk")).count()
    for deck in shareable.order_by("pk"):
        try:
            link, token = share_link_create(actor=request.user, deck=deck)
        except (PermissionDenied, ValidationError):
            refused += 1
            continue
        url = request.build_absolute_uri(share_link_path(token))
        modeladmin.message_user(
            request,
            format_html(
                '{} <a href="{}">{}</a><br>{}',
                gettext("Share link to deck %(deck)s:") % {"deck": deck.pk},
                url,
                url,
                gettext(
                    "Copy it now: it is not shown again. It works until %(date)s; "
                    "revoke it from the share links list."
                )
                % {"date": _when(link.expires_at)},
            ),
            messages.SUCCESS,
        )
    if refused:
        modeladmin.message_user(
            request,
            ngettext(
                "%d deck was not shared: only ready decks of your partner's prospects can be.",
                "%d decks were not shared: only ready decks of your partner's prospects can be.",
                refused,
            )
            % refused,
            messages.WARNING,
        )


def _revoke(request: HttpRequest, links: QuerySet[ShareLink]) -> int:
    revoked = 0
    for link in links.filter(revoked_at__isnull=True):
        share_link_revoke(actor=request.user, link=link)
        revoked += 1
    return revoked


def _report_revoked(modeladmin: Any, request: HttpRequest, revoked: int) -> None:
    modeladmin.message_user(
        request,
        ngettext("%d share link revoked.", "%d share links revoked.", revoked) % revoked,
        messages.SUCCESS,
    )


@admin.action(permissions=["share"], description=_("Revoke the share links of the decks"))
def revoke_deck_share_links(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[PitchDeck]
) -> None:
    links = share_link_manageable_by(user=request.user).filter(deck__in=queryset.values("pk"))
    _report_revoked(modeladmin, request, _revoke(request, links))


# --- the list of share links -----------------------------------------------------------


@admin.register(ShareLink)
class ShareLinkAdmin(ShareLinkColumns, ScopedViews, admin.ModelAdmin):
    list_display = ["__str__", "deck", "created_at", "expires_at", "state", "opens", "created_by"]
    list_filter = ["created_at", "expires_at"]
    list_select_related = ["deck__prospect", "created_by"]
    fields = [
        "deck",
        "created_at",
        "created_by",
        "expires_at",
        "state",
        "first_opened_at",
        "last_opened_at",
        "open_count",
        "revoked_at",
        "revoked_by",
    ]
    readonly_fields = fields
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ShareLink]:
        return share_link_visible_to(user=request.user).select_related(
            "deck__prospect", "created_by", "revoked_by"
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _staff(request) and _has_role(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self.has_module_permission(request):
            return False
        return obj is None or share_link_visible_to(user=request.user).filter(pk=obj.pk).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return _staff(request) and _has_role(request, PartnerRole.MANAGER)

    @admin.action(permissions=["revoke"], description=_("Revoke the selected share links"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ShareLink]) -> None:
        links = share_link_manageable_by(user=request.user).filter(pk__in=queryset.values("pk"))
        _report_revoked(self, request, _revoke(request, links))
