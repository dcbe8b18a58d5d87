"""Serializers of the CRM API. What a user may see or pick comes from the selectors.

Every related field takes its queryset from the request (``ScopedPrimaryKeyRelatedField``),
so another partner's object is refused exactly like one that does not exist, and the
browsable API's ``<select>`` lists only what the user may pick. Where the user may see a
prospect's codename only, the company, the notes, the host's data and the contacts are left
out of the response.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from promotion.models import Contact, Fact, Language, PartnerRole, Prospect, Question
from promotion.models.crm import ISO_COUNTRY_CODES
from promotion.selectors.crm import (
    assignable_users,
    colleagues_of,
    default_partner_for,
    partners_of,
    prospect_identified_for,
)
from promotion.services.answers import answer_fact

# Shown only where the user may see who the company is (see ``can_see_identity``).
IDENTITY_FIELDS = ("company_name", "notes", "extra", "contacts")
# Only the owner partner's staff may change these: the database checks them for
# uniqueness within the owner, so a refusal would tell another partner what it holds.
OWNER_ONLY_FIELDS = ("company_name", "codename")

NO_SUCH_PARTNER = _("No partner with this id that you may add prospects for.")
NO_SUCH_USER = _("No staff member with this id that the prospect may be assigned to.")


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key among ``scope(user)``, decided per request. Any other id, whether it
    does not exist or belongs to another partner, gets the same ``does_not_exist``."""

    def __init__(self, *, scope: Callable[[Any, Any], QuerySet[Any]], **kwargs: Any) -> None:
        self.scope = scope
        message = kwargs.pop("does_not_exist", None)
        super().__init__(**kwargs)
        if message is not None:
            self.error_messages["does_not_exist"] = message
            self.error_messages["incorrect_type"] = message

    def get_queryset(self) -> QuerySet[Any]:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return self.scope(user, self.parent)


def _editable_partners(user: Any, serializer: Any) -> QuerySet[Any]:
    return partners_of(user=user, role=PartnerRole.EDITOR)


def _assignable(user: Any, serializer: Any) -> QuerySet[Any]:
    users = colleagues_of(user=user)
    instance = getattr(serializer, "instance", None)
    if isinstance(instance, Prospect) and instance.assigned_to_id is not None:
        # Keeping the current assignee is never a refusal, even for a share's editor.
        return users.model._default_manager.filter(
            Q(pk__in=users.values("pk")) | Q(pk=instance.assigned_to_id)
        )
    return users


class CountryField(serializers.CharField):
    """ISO 3166 alpha-2, upper-cased ("kr" is KR)."""

    default_error_messages = {
        "invalid_country": _("{value} is not an ISO 3166 alpha-2 country code (e.g. US, MX, KR)."),
    }

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data).upper()
        if value not in ISO_COUNTRY_CODES:
            self.fail("invalid_country", value=value[:10])
        return value


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "name", "title", "email", "phone", "language", "erased_at"]
        read_only_fields = fields


class ProspectSerializer(serializers.ModelSerializer):
    """A prospect. ``partner`` is required on creation only when the user edits for
    several partners; it never changes afterwards."""

    partner = ScopedPrimaryKeyRelatedField(
        scope=_editable_partners,
        required=False,
        does_not_exist=NO_SUCH_PARTNER,
        help_text=_("The owner partner; by default the one partner you edit for."),
    )
    assigned_to = ScopedPrimaryKeyRelatedField(
        scope=_assignable,
        required=False,
        allow_null=True,
        does_not_exist=NO_SUCH_USER,
    )
    country = CountryField(help_text=_("ISO 3166 alpha-2, e.g. KR."))
    codename = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        help_text=_("Left empty, a neutral codename is chosen."),
    )
    identity_visible = serializers.SerializerMethodField()
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta:
        model = Prospect
        fields = [
            "id",
            "partner",
            "company_name",
            "codename",
            "identity_visible",
            "country",
            "industry",
            "naics_code",
            "project_type",
            "estimated_jobs",
            "capital_investment",
            "currency",
            "stage",
            "lost_reason",
            "language",
            "assigned_to",
            "first_inquiry_on",
            "first_response_at",
            "site_needs",
            "site_kind",
            "site_min_area_m2",
            "site_max_area_m2",
            "site_power_mw",
            "site_water_m3_day",
            "site_needs_rail",
            "notes",
            "extra",
            "contacts",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["first_response_at", "created_at", "updated_at"]
        # Uniqueness is checked by the service (full_clean), within the owner partner.
        validators: list[Any] = []

    # -- who sees and changes what ---------------------------------------------------------

    def _user(self) -> Any:
        request = self.context.get("request")
        return getattr(request, "user", None)

    def _identified(self, prospect: Prospect) -> bool:
        if hasattr(prospect, "identity_visible"):
            return bool(prospect.identity_visible)
        return prospect_identified_for(user=self._user()).filter(pk=prospect.pk).exists()

    def get_identity_visible(self, prospect: Prospect) -> bool:
        return self._identified(prospect)

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        instance = self.instance
        if isinstance(instance, Prospect):
            locked = ["partner"]  # the owner never changes
            if not self._identified(instance):
                locked += IDENTITY_FIELDS
            if (
                not partners_of(user=self._user(), role=PartnerRole.EDITOR)
                .filter(pk=instance.partner_id)
                .exists()
            ):
                locked += OWNER_ONLY_FIELDS
            for name in locked:
                if name in fields:  # shown (or hidden) as before, but never written
                    fields[name].read_only = True
                    fields[name].required = False
        return fields

    def to_representation(self, instance: Prospect) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self._identified(instance):
            data["company_name"] = None  # the key stays, so every row has the same shape
            for name in IDENTITY_FIELDS[1:]:
                data.pop(name, None)
        return data

    # -- validation ------------------------------------------------------------------------

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if isinstance(self.instance, Prospect):
            given = self.initial_data.get("partner") if hasattr(self.initial_data, "get") else None
            if given not in (None, "") and str(given) != str(self.instance.partner_id):
                raise serializers.ValidationError(
                    {"partner": _("A prospect's owner partner cannot change.")}
                )
            partner = self.instance.partner
        else:
            # The one partner the user edits for is the default owner.
            partner = attrs.get("partner") or default_partner_for(user=self._user())
            if partner is None:
                raise serializers.ValidationError(
                    {"partner": _("Say which partner the prospect belongs to.")}
                )
            attrs["partner"] = partner
        assigned = attrs.get("assigned_to")
        unchanged = (
            isinstance(self.instance, Prospect)
            and assigned is not None
            and (assigned.pk == self.instance.assigned_to_id)
        )
        if (
            assigned is not None
            and not unchanged
            and not assignable_users(user=self._user(), partner=partner)
            .filter(pk=assigned.pk)
            .exists()
        ):
            raise serializers.ValidationError({"assigned_to": NO_SUCH_USER})
        return attrs


class QuestionSerializer(serializers.ModelSerializer):
    """A question and its answer: the topic and the sourced facts the matcher (or staff)
    attached, in the question's language; ``answered`` is False while there are none."""

    text = serializers.CharField(max_length=1000)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    answered = serializers.SerializerMethodField()
    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    facts = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = [
            "id",
            "text",
            "language",
            "asked_on",
            "answered",
            "topic",
            "needs_follow_up",
            "facts",
        ]
        read_only_fields = ["asked_on", "needs_follow_up"]

    def get_answered(self, question: Question) -> bool:
        return bool(self._facts(question))

    def get_facts(self, question: Question) -> list[dict[str, Any]]:
        return [answer_fact(fact, question.language).as_dict() for fact in self._facts(question)]

    @staticmethod
    def _facts(question: Question) -> list[Fact]:
        return list(question.facts.all())  # prefetched by the view, with their sources


class StageTotalSerializer(serializers.Serializer):
    """One stage of ``prospects/summary/``; amounts are decimal strings by currency."""

    stage = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    estimated_jobs = serializers.IntegerField(source="jobs")
    capital_investment = serializers.SerializerMethodField()

    @extend_schema_field(
        {"type": "object", "additionalProperties": {"type": "string", "format": "decimal"}}
    )
    def get_capital_investment(self, row: Any) -> dict[str, str]:
        return {currency: f"{value:.2f}" for currency, value in sorted(row.investment.items())}


class PipelineSummarySerializer(serializers.Serializer):
    """``prospects/summary/``: the visible prospects by stage."""

    count = serializers.IntegerField()
    stages = StageTotalSerializer(many=True)
