"""Who may see and change CRM data. Every interface starts from these functions.

The rule: what one partner owns, another partner's staff never sees, unless the owner
shared it explicitly (``ProspectShare``, revocable). Membership of a partner
(``PartnerMembership``) is what puts a user on its staff; superusers see everything.
Contacts, interactions, questions and stage changes inherit access from their prospect.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from promotion.models import (
    Contact,
    Interaction,
    Partner,
    PartnerMembership,
    PartnerRole,
    Prospect,
    ProspectShare,
    Question,
    ShareAccess,
    Stage,
    StageChange,
)

# A role includes the ones before it.
_ROLES_AT_LEAST = {
    PartnerRole.VIEWER: [PartnerRole.VIEWER, PartnerRole.EDITOR, PartnerRole.MANAGER],
    PartnerRole.EDITOR: [PartnerRole.EDITOR, PartnerRole.MANAGER],
    PartnerRole.MANAGER: [PartnerRole.MANAGER],
}


def _is_active_user(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def partner_ids_of(*, user: Any, role: str = PartnerRole.VIEWER) -> QuerySet[Any]:
    """The ids of the partners the user is on the staff of with at least ``role``,
    as a subquery (superusers are not special here: see ``partners_of``)."""
    if not _is_active_user(user):
        return PartnerMembership.objects.none().values("partner_id")
    return PartnerMembership.objects.filter(
        user=user, role__in=_ROLES_AT_LEAST[PartnerRole(role)]
    ).values("partner_id")


def partners_of(*, user: Any, role: str = PartnerRole.VIEWER) -> QuerySet[Partner]:
    """The partners the user works for with at least ``role``; superusers: all."""
    if not _is_active_user(user):
        return Partner.objects.none()
    if user.is_superuser:
        return Partner.objects.all()
    return Partner.objects.filter(pk__in=partner_ids_of(user=user, role=role))


def _active_shares() -> QuerySet[ProspectShare]:
    return ProspectShare.objects.filter(revoked_at__isnull=True)


def prospect_visible_to(*, user: Any) -> QuerySet[Prospect]:
    """THE tenancy rule: prospects of the user's partners and prospects actively shared
    with them. Admin, API, commands, tasks, imports and exports all start here."""
    if not _is_active_user(user):
        return Prospect.objects.none()
    if user.is_superuser:
        return Prospect.objects.all()
    mine = partner_ids_of(user=user)
    shared = _active_shares().filter(partner_id__in=mine).values("prospect_id")
    return Prospect.objects.filter(Q(partner_id__in=mine) | Q(pk__in=shared))


def prospect_editable_by(*, user: Any) -> QuerySet[Prospect]:
    """Visible prospects the user may change: editors and managers of the owner, and of
    a partner holding an active ``edit`` share."""
    if not _is_active_user(user):
        return Prospect.objects.none()
    if user.is_superuser:
        return Prospect.objects.all()
    editing = partner_ids_of(user=user, role=PartnerRole.EDITOR)
    shared = (
        _active_shares()
        .filter(partner_id__in=editing, access=ShareAccess.EDIT)
        .values("prospect_id")
    )
    return Prospect.objects.filter(Q(partner_id__in=editing) | Q(pk__in=shared))


def prospect_managed_by(*, user: Any) -> QuerySet[Prospect]:
    """Prospects whose sharing and deletion the user decides: managers of the owner."""
    if not _is_active_user(user):
        return Prospect.objects.none()
    if user.is_superuser:
        return Prospect.objects.all()
    return Prospect.objects.filter(
        partner_id__in=partner_ids_of(user=user, role=PartnerRole.MANAGER)
    )


def prospect_identified_for(*, user: Any) -> QuerySet[Prospect]:
    """Visible prospects whose company (and contacts) the user may see: the owner's
    staff, and partners holding an active share that reveals the identity."""
    if not _is_active_user(user):
        return Prospect.objects.none()
    if user.is_superuser:
        return Prospect.objects.all()
    mine = partner_ids_of(user=user)
    shared = (
        _active_shares().filter(partner_id__in=mine, reveal_identity=True).values("prospect_id")
    )
    return Prospect.objects.filter(Q(partner_id__in=mine) | Q(pk__in=shared))


def can_see_identity(*, user: Any, prospect: Prospect) -> bool:
    """Whether to show the company name; everyone else who sees the prospect sees its
    codename only."""
    return prospect_identified_for(user=user).filter(pk=prospect.pk).exists()


def identified_prospect_ids(*, user: Any, prospect_ids: list[int]) -> set[int]:
    """``can_see_identity`` for many prospects in one query (list pages)."""
    return set(
        prospect_identified_for(user=user).filter(pk__in=prospect_ids).values_list("pk", flat=True)
    )


def contact_visible_to(*, user: Any) -> QuerySet[Contact]:
    """Contacts are personal data: only where the prospect's identity is visible."""
    return Contact.objects.filter(prospect__in=prospect_identified_for(user=user))


# Interactions and questions are free text that may name the company: like contacts,
# they are shown only where the prospect's identity is.


def interaction_visible_to(*, user: Any) -> QuerySet[Interaction]:
    return Interaction.objects.filter(prospect__in=prospect_identified_for(user=user))


def question_visible_to(*, user: Any) -> QuerySet[Question]:
    return Question.objects.filter(prospect__in=prospect_identified_for(user=user))


def prospect_editable_identified_by(*, user: Any) -> QuerySet[Prospect]:
    """Prospects the user may add contacts, interactions and questions to."""
    return prospect_editable_by(user=user).filter(
        pk__in=prospect_identified_for(user=user).values("pk")
    )


def prospect_deck_requestable_by(*, user: Any) -> QuerySet[Prospect]:
    """Visible prospects the user may request pitch decks of: editors and managers of the
    owner, and of a partner holding an active share of any access (a deck changes nothing
    of the prospect). Viewers only read."""
    if not _is_active_user(user):
        return Prospect.objects.none()
    if user.is_superuser:
        return Prospect.objects.all()
    acting = partner_ids_of(user=user, role=PartnerRole.EDITOR)
    shared = _active_shares().filter(partner_id__in=acting).values("prospect_id")
    return Prospect.objects.filter(Q(partner_id__in=acting) | Q(pk__in=shared))


def membership_visible_to(*, user: Any) -> QuerySet[PartnerMembership]:
    """Members of the partners the user works for (managers keep them)."""
    if not _is_active_user(user):
        return PartnerMembership.objects.none()
    if user.is_superuser:
        return PartnerMembership.objects.all()
    return PartnerMembership.objects.filter(partner_id__in=partner_ids_of(user=user))


def colleagues_of(*, user: Any) -> QuerySet[Any]:
    """Users on the staff of the user's partners: who a prospect may be assigned to."""
    from django.contrib.auth import get_user_model

    users = get_user_model()._default_manager
    if not _is_active_user(user):
        return users.none()
    if user.is_superuser:
        return users.filter(promotion_memberships__isnull=False).distinct()
    return users.filter(
        pk__in=PartnerMembership.objects.filter(partner_id__in=partner_ids_of(user=user)).values(
            "user_id"
        )
    )


# --- Pipeline figures -------------------------------------------------------------------


def with_pipeline_columns(queryset: QuerySet[Prospect]) -> QuerySet[Prospect]:
    """Annotate ``stage_since`` (the latest stage change) and ``last_interaction_at``,
    one subquery each, so list pages make no query per row."""
    latest_change = (
        StageChange.objects.filter(prospect=OuterRef("pk"))
        .order_by("-changed_at", "-pk")
        .values("changed_at")[:1]
    )
    last_interaction = (
        Interaction.objects.filter(prospect=OuterRef("pk"))
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    return queryset.annotate(
        stage_since=Subquery(latest_change), last_interaction_at=Subquery(last_interaction)
    )


@dataclass(frozen=True)
class StageCount:
    stage: str
    label: str
    count: int
    jobs: int
    investment: dict[str, Any]  # currency -> total


@dataclass(frozen=True)
class PartnerPipeline:
    partner: Partner
    stages: list[StageCount]

    @property
    def total(self) -> int:
        return sum(s.count for s in self.stages)


def _stage_counts(rows: Any) -> list[StageCount]:
    """Fold grouped rows (stage, currency, n, jobs, value) into one count per stage, in
    pipeline order, with the investment summed per currency."""
    stages: dict[str, dict[str, Any]] = {}
    for row in rows:
        stage = stages.setdefault(row["stage"], {"n": 0, "jobs": 0, "value": {}})
        stage["n"] += row["n"]
        stage["jobs"] += row["jobs"] or 0
        if row["value"] is not None:
            currency = row["currency"]
            stage["value"][currency] = stage["value"].get(currency, 0) + row["value"]
    return [
        StageCount(
            stage=value,
            label=str(label),
            count=stages[value]["n"],
            jobs=stages[value]["jobs"],
            investment=stages[value]["value"],
        )
        for value, label in Stage.choices
        if value in stages
    ]


def _pipeline_rows(*, user: Any, by: tuple[str, ...]) -> Any:
    return (
        prospect_visible_to(user=user)
        .order_by()
        .values(*by, "stage", "currency")
        .annotate(n=Count("pk"), jobs=Sum("estimated_jobs"), value=Sum("capital_investment"))
    )


def pipeline_summary(*, user: Any) -> list[PartnerPipeline]:
    """Counts, jobs and investment by stage for each partner owning prospects the user
    sees, from one grouped query over ``prospect_visible_to``."""
    by_partner: dict[int, list[dict[str, Any]]] = {}
    for row in _pipeline_rows(user=user, by=("partner_id",)):
        by_partner.setdefault(row["partner_id"], []).append(row)
    partners = Partner.objects.in_bulk(list(by_partner))
    result = [
        PartnerPipeline(partner=partners[partner_id], stages=_stage_counts(rows))
        for partner_id, rows in by_partner.items()
    ]
    return sorted(result, key=lambda p: str(p.partner))


# --- Stage history and service levels -----------------------------------------------------


@dataclass(frozen=True)
class StagePeriod:
    stage: str
    started_at: datetime.datetime
    ended_at: datetime.datetime | None  # None: the current stage

    def duration(self, now: datetime.datetime | None = None) -> datetime.timedelta:
        return (self.ended_at or now or timezone.now()) - self.started_at


def prospect_stage_periods(*, prospect: Prospect) -> list[StagePeriod]:
    """The prospect's time in each stage, oldest first, from its stage changes."""
    changes = list(prospect.stage_changes.order_by("changed_at", "pk"))
    periods = []
    for index, change in enumerate(changes):
        following = changes[index + 1] if index + 1 < len(changes) else None
        periods.append(
            StagePeriod(
                stage=change.to_stage,
                started_at=change.changed_at,
                ended_at=following.changed_at if following else None,
            )
        )
    return periods


def time_in_stages(
    *, prospect: Prospect, now: datetime.datetime | None = None
) -> dict[str, datetime.timedelta]:
    """Total time spent in each stage (a stage visited twice adds up)."""
    totals: dict[str, datetime.timedelta] = {}
    for period in prospect_stage_periods(prospect=prospect):
        totals[period.stage] = totals.get(period.stage, datetime.timedelta()) + period.duration(now)
    return totals


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def prospect_first_response_at(*, prospect: Prospect) -> datetime.datetime | None:
    """The recorded first response, else the first interaction."""
    if prospect.first_response_at is not None:
        return prospect.first_response_at
    first = prospect.interactions.aggregate(first=Min("occurred_at"))["first"]
    return first


def prospect_response_time(*, prospect: Prospect) -> datetime.timedelta | None:
    """From the first inquiry (its day's start) to the first response."""
    response = prospect_first_response_at(prospect=prospect)
    if prospect.first_inquiry_on is None or response is None:
        return None
    return max(response - _start_of(prospect.first_inquiry_on), datetime.timedelta())


def prospect_first_deck_at(*, prospect: Prospect) -> datetime.datetime | None:
    """Hook for the decks issue: when the prospect's first pitch deck was made.

    Returns None until a ``PitchDeck`` model (with a ``prospect`` foreign key and a
    ``created_at`` field) exists in the app; then the earliest of its decks. Service-level
    pages call it already, so the figure appears as soon as decks do.
    """
    try:
        deck_model = apps.get_model("promotion", "PitchDeck")
    except LookupError:
        return None
    first = deck_model._default_manager.filter(prospect=prospect).aggregate(
        first=Min("created_at")
    )["first"]
    return first


def prospect_deck_time(*, prospect: Prospect) -> datetime.timedelta | None:
    """From the first inquiry to the first deck; None while there is no deck."""
    deck_at = prospect_first_deck_at(prospect=prospect)
    if prospect.first_inquiry_on is None or deck_at is None:
        return None
    return max(deck_at - _start_of(prospect.first_inquiry_on), datetime.timedelta())


@dataclass(frozen=True)
class PartnerServiceLevel:
    partner: Partner
    prospects: int
    answered: int
    average_response: datetime.timedelta | None
    slowest_response: datetime.timedelta | None


def partner_service_levels(*, user: Any) -> list[PartnerServiceLevel]:
    """Per partner, over the prospects the user sees: how many were answered and how
    long the first response took (average and slowest). One query."""
    first_interaction = (
        Interaction.objects.filter(prospect=OuterRef("pk"))
        .order_by("occurred_at")
        .values("occurred_at")[:1]
    )
    rows = list(
        prospect_visible_to(user=user)
        .order_by()
        .annotate(first_interaction=Subquery(first_interaction))
        .values("partner_id", "first_inquiry_on", "first_response_at", "first_interaction")
    )
    by_partner: dict[int, list[datetime.timedelta | None]] = {}
    for row in rows:
        response = row["first_response_at"] or row["first_interaction"]
        delay = None
        if row["first_inquiry_on"] is not None and response is not None:
            delay = max(response - _start_of(row["first_inquiry_on"]), datetime.timedelta())
        by_partner.setdefault(row["partner_id"], []).append(delay)
    partners = Partner.objects.in_bulk(list(by_partner))
    result = []
    for partner_id, delays in by_partner.items():
        known = [d for d in delays if d is not None]
        result.append(
            PartnerServiceLevel(
                partner=partners[partner_id],
                prospects=len(delays),
                answered=len(known),
                average_response=(sum(known, datetime.timedelta()) / len(known)) if known else None,
                slowest_response=max(known) if known else None,
            )
        )
    return sorted(result, key=lambda s: str(s.partner))


# --- For the REST API ---------------------------------------------------------------------


def with_identity_visible(queryset: QuerySet[Prospect], *, user: Any) -> QuerySet[Prospect]:
    """Annotate ``identity_visible`` (``can_see_identity`` for every row) in the same
    query, so a list page never asks per row whether to show the company."""
    from django.db.models import BooleanField, ExpressionWrapper, Value

    if _is_active_user(user) and user.is_superuser:
        return queryset.annotate(identity_visible=Value(True, output_field=BooleanField()))
    return queryset.annotate(
        identity_visible=ExpressionWrapper(
            Q(pk__in=prospect_identified_for(user=user).values("pk")),
            output_field=BooleanField(),
        )
    )


def default_partner_for(*, user: Any) -> Partner | None:
    """The partner a new prospect of the user belongs to when none is named: the one
    partner the user edits for, or None when there are none or several."""
    partners = list(partners_of(user=user, role=PartnerRole.EDITOR).order_by("pk")[:2])
    return partners[0] if len(partners) == 1 else None


def assignable_users(*, user: Any, partner: Partner) -> QuerySet[Any]:
    """The staff of ``partner`` that the user knows (``colleagues_of``): who a prospect of
    ``partner`` may be assigned to."""
    return colleagues_of(user=user).filter(
        pk__in=PartnerMembership.objects.filter(partner=partner).values("user_id")
    )


def pipeline_totals(*, user: Any) -> list[StageCount]:
    """Counts, jobs and investment (by currency) by stage over the prospects the user
    sees, every partner together, from one grouped query over ``prospect_visible_to``."""
    return _stage_counts(_pipeline_rows(user=user, by=()))
