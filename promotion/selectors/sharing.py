"""Who sees share links and their opens, and who may create and revoke them.

A share link is the owner partner's word to its prospect, so it stays with the owner:
its staff (any role) see the links of their decks and when they were opened; only its
managers create and revoke them. Staff of a partner the prospect is shared with see
the decks but never the links. Superusers see everything.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Max, OuterRef, QuerySet, Subquery, Sum

from promotion.models import DeckStatus, PitchDeck, Prospect, ShareLink
from promotion.selectors.crm import partner_ids_of, prospect_managed_by


def prospect_owned_by(*, user: Any) -> QuerySet[Prospect]:
    """Prospects of the user's own partners (not those shared with them)."""
    if not (user is not None and user.is_authenticated and user.is_active):
        return Prospect.objects.none()
    if user.is_superuser:
        return Prospect.objects.all()
    return Prospect.objects.filter(partner_id__in=partner_ids_of(user=user))


def share_link_visible_to(*, user: Any) -> QuerySet[ShareLink]:
    """Links of decks whose prospect belongs to one of the user's partners."""
    return ShareLink.objects.filter(deck__prospect__in=prospect_owned_by(user=user))


def share_link_manageable_by(*, user: Any) -> QuerySet[ShareLink]:
    """Links the user may revoke: managers of the owner partner."""
    return ShareLink.objects.filter(deck__prospect__in=prospect_managed_by(user=user))


def deck_shareable_by(*, user: Any) -> QuerySet[PitchDeck]:
    """Ready decks, with their file, that the user may create share links for: decks of
    prospects the user manages (managers of the owner partner)."""
    return (
        PitchDeck.objects.filter(prospect__in=prospect_managed_by(user=user))
        .filter(status=DeckStatus.READY)
        .exclude(file="")
    )


def with_share_link_opens(queryset: QuerySet[PitchDeck], *, user: Any) -> QuerySet[PitchDeck]:
    """Annotate ``share_link_opens`` (times its links were opened) and
    ``share_link_last_opened`` on each deck, from the links the user may see only
    (``None`` where there are none), in the same query as the decks."""
    links = share_link_visible_to(user=user).filter(deck=OuterRef("pk")).values("deck")
    return queryset.annotate(
        share_link_opens=Subquery(links.annotate(n=Sum("open_count")).values("n")[:1]),
        share_link_last_opened=Subquery(
            links.annotate(last=Max("last_opened_at")).values("last")[:1]
        ),
    )
