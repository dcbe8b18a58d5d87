"""Pitch decks in the admin: the actions on prospects, the inline, the deck list.

Every queryset starts from the deck selectors (``deck_visible_to``, and
``deck_downloadable_by`` for the links) or from ``prospect_visible_to``; nothing here is
editable by hand, decks come from the service.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from promotion.admin.crm import CrmPermissions, ScopedViews, _has_role, _staff
from promotion.admin.sharing import ShareLinkInline, create_share_link, revoke_deck_share_links
from promotion.models import DeckStatus, PartnerRole, PitchDeck, Prospect
from promotion.selectors.crm import prospect_visible_to
from promotion.selectors.decks import deck_downloadable_by, deck_visible_to
from promotion.selectors.sharing import with_share_link_opens
from promotion.services.decks import deck_changed_facts, deck_request


def _generate(request: HttpRequest, queryset: QuerySet[Prospect], language: str) -> int:
    # Re-filter: the selection is what the browser sent.
    visible = queryset.filter(pk__in=prospect_visible_to(user=request.user).values("pk"))
    queued = 0
    for prospect in visible:
        try:
            deck_request(actor=request.user, prospect=prospect, language=language)
        except PermissionDenied:
            continue
        queued += 1
    return queued


def _report(modeladmin: Any, request: HttpRequest, queued: int) -> None:
    modeladmin.message_user(
        request,
        ngettext("%d pitch deck requested.", "%d pitch decks requested.", queued) % queued,
        messages.SUCCESS,
    )


@admin.action(description=_("Generate pitch deck (English)"))
def generate_deck_en(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Prospect]) -> None:
    _report(modeladmin, request, _generate(request, queryset, "en"))


@admin.action(description=_("Generate pitch deck (Español)"))
def generate_deck_es(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Prospect]) -> None:
    _report(modeladmin, request, _generate(request, queryset, "es"))


class DeckColumns:
    @admin.display(description=_("stale"))
    def stale(self, obj: PitchDeck) -> str:
        if obj.status != DeckStatus.READY:
            return ""
        changed = deck_changed_facts(deck=obj)
        if not changed:
            return "—"
        return _("Changed since: %(keys)s") % {"keys": ", ".join(f.key for f in changed)}

    @admin.display(description=_("age"))
    def age(self, obj: PitchDeck) -> str:
        return timesince(obj.requested_at, timezone.now())

    @admin.display(description=_("download"))
    def download(self, obj: PitchDeck) -> str:
        if obj.status != DeckStatus.READY or not obj.file:
            return "—"
        request = getattr(self, "_request", None)
        if (
            request is not None
            and not deck_downloadable_by(user=request.user).filter(pk=obj.pk).exists()
        ):
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("promotion:deck-download", args=[obj.pk]), _("PDF")
        )

    @admin.display(description=_("share link opens"))
    def share_link_opens(self, obj: PitchDeck) -> str:
        # Annotated by ``with_share_link_opens``: only the owner partner's staff see them.
        opens = getattr(obj, "share_link_opens", None)
        if opens is None:
            return "—"
        if not opens:
            return gettext("Not opened yet")
        last = timezone.localtime(obj.share_link_last_opened)
        return gettext("%(count)d, last %(date)s") % {
            "count": opens,
            "date": date_format(last, "SHORT_DATETIME_FORMAT"),
        }


class PitchDeckInline(DeckColumns, CrmPermissions, admin.TabularInline):
    model = PitchDeck
    fields = [
        "language",
        "status",
        "age",
        "page_count",
        "stale",
        "download",
        "share_link_opens",
        "error",
    ]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[PitchDeck]:
        self._request = request
        return with_share_link_opens(deck_visible_to(user=request.user), user=request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PitchDeck)
class PitchDeckAdmin(DeckColumns, ScopedViews, CrmPermissions, admin.ModelAdmin):
    list_display = [
        "__str__",
        "language",
        "status",
        "age",
        "page_count",
        "stale",
        "download",
        "share_link_opens",
    ]
    list_filter = ["status", "language"]
    list_select_related = ["prospect"]
    fields = [
        "prospect",
        "language",
        "status",
        "requested_at",
        "started_at",
        "finished_at",
        "page_count",
        "sha256",
        "sections",
        "facts_used",
        "stale",
        "attempts",
        "error",
        "download",
        "share_link_opens",
    ]
    readonly_fields = fields
    inlines = [ShareLinkInline]
    actions = [create_share_link, revoke_deck_share_links]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PitchDeck]:
        self._request = request
        return with_share_link_opens(
            deck_visible_to(user=request.user).select_related("prospect"), user=request.user
        )

    def has_share_permission(self, request: HttpRequest) -> bool:
        """Share links are created and revoked by managers (of the deck's owner partner:
        the service checks each deck)."""
        return _staff(request) and _has_role(request, PartnerRole.MANAGER)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
