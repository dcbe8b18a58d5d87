"""CRM data: owned by one partner (the tenant), shareable with others.

Who may see or change what is decided in one place, ``promotion.selectors.crm``; the
models only hold the data and the invariants the database can enforce.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from promotion.models.base import Language
from promotion.models.region import Currency, Fact, Locality, Partner, Topic

# ISO 3166-1 alpha-2, officially assigned codes.
ISO_COUNTRY_CODES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """.split()
)


def validate_country_code(value: str) -> None:
    if value not in ISO_COUNTRY_CODES:
        raise ValidationError(
            _("%(value)s is not an ISO 3166 alpha-2 country code (e.g. US, MX, KR)."),
            params={"value": value},
            code="invalid_country",
        )


naics_validator = RegexValidator(r"^\d{2,6}$", _("A NAICS code has 2 to 6 digits."))


class PartnerRole(models.TextChoices):
    """A member's place on a partner's staff; each role includes the ones before it."""

    VIEWER = "viewer", _("Viewer")
    EDITOR = "editor", _("Editor")
    MANAGER = "manager", _("Manager")


class PartnerMembership(models.Model):
    """A user on a partner's staff. Membership is what scopes every CRM query."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="promotion_memberships",
        verbose_name=_("user"),
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("partner")
    )
    role = models.CharField(
        _("role"), max_length=10, choices=PartnerRole.choices, default=PartnerRole.VIEWER
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("partner membership")
        verbose_name_plural = _("partner memberships")
        ordering = ["partner", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "partner"], name="promotion_partnermembership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.partner} ({self.get_role_display()})"


class Stage(models.TextChoices):
    LEAD = "lead", _("Lead")
    QUALIFIED = "qualified", _("Qualified")
    SITE_SEARCH = "site_search", _("Site search")
    SITE_VISIT = "site_visit", _("Site visit")
    PROPOSAL = "proposal", _("Proposal")
    NEGOTIATION = "negotiation", _("Negotiation")
    WON = "won", _("Won (located)")
    LOST = "lost", _("Lost")
    ON_HOLD = "on_hold", _("On hold")


class ProjectType(models.TextChoices):
    GREENFIELD = "greenfield", _("New operation (greenfield)")
    EXPANSION = "expansion", _("Expansion")
    RELOCATION = "relocation", _("Relocation")
    NEARSHORING = "nearshoring", _("Nearshoring")
    SHELTER = "shelter", _("Shelter or contract manufacturing")
    OTHER = "other", _("Other")


class SiteKind(models.TextChoices):
    ANY = "", _("Not yet known")
    BUILDING = "building", _("Industrial building")
    LAND = "land", _("Land")
    OFFICE = "office", _("Office")
    SHELTER = "shelter", _("Shelter space")


class Prospect(models.Model):
    """A company thinking of investing in the region, owned by one partner.

    ``__str__`` is the codename, never the company: labels, logs and history pages print
    it. The company name is shown only where ``can_see_identity`` allows it.
    """

    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="prospects",
        verbose_name=_("owner partner"),
    )
    company_name = models.CharField(_("company"), max_length=200)
    codename = models.CharField(
        _("codename"),
        max_length=60,
        help_text=_("Confidential project name, shown to anyone the company is not shown to."),
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        validators=[validate_country_code],
        help_text=_("Country of the company's headquarters (ISO 3166 alpha-2, e.g. KR)."),
    )
    industry = models.CharField(_("industry"), max_length=200, blank=True)
    naics_code = models.CharField(
        _("NAICS code"),
        max_length=6,
        validators=[naics_validator],
        help_text=_("The project's NAICS code; its prefix matches the region's clusters."),
    )
    project_type = models.CharField(
        _("project type"),
        max_length=20,
        choices=ProjectType.choices,
        default=ProjectType.GREENFIELD,
    )
    estimated_jobs = models.PositiveIntegerField(_("estimated jobs"), null=True, blank=True)
    capital_investment = models.DecimalField(
        _("capital investment"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.USD
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.LEAD)
    lost_reason = models.TextField(_("reason lost"), max_length=1000, blank=True)
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=Language.choices,
        default=Language.ENGLISH,
        help_text=_("The language the prospect is answered in."),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promotion_assigned_prospects",
        verbose_name=_("assigned staff"),
    )
    first_inquiry_on = models.DateField(_("first inquiry on"), null=True, blank=True)
    first_response_at = models.DateTimeField(
        _("first response at"),
        null=True,
        blank=True,
        help_text=_("Set from the first interaction recorded, unless entered by hand."),
    )
    # Site needs: free text plus the figures a site search filters on.
    site_needs = models.TextField(_("site needs"), max_length=2000, blank=True)
    site_kind = models.CharField(
        _("site kind"), max_length=10, choices=SiteKind.choices, blank=True, default=""
    )
    site_min_area_m2 = models.PositiveIntegerField(_("minimum area (m²)"), null=True, blank=True)
    site_max_area_m2 = models.PositiveIntegerField(_("maximum area (m²)"), null=True, blank=True)
    site_power_mw = models.DecimalField(
        _("power (MW)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    site_water_m3_day = models.PositiveIntegerField(_("water (m³/day)"), null=True, blank=True)
    site_needs_rail = models.BooleanField(_("needs rail"), default=False)
    site_localities = models.ManyToManyField(
        Locality, blank=True, related_name="prospects", verbose_name=_("preferred localities")
    )
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    extra = models.JSONField(
        _("extra data"),
        default=dict,
        blank=True,
        help_text=_("The host's own data about the prospect; the app never reads it."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promotion_created_prospects",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("prospect")
        verbose_name_plural = _("prospects")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage="lost") | ~Q(lost_reason=""),
                name="promotion_prospect_lost_reason",
            ),
            models.CheckConstraint(
                condition=Q(site_min_area_m2__isnull=True)
                | Q(site_max_area_m2__isnull=True)
                | Q(site_min_area_m2__lte=models.F("site_max_area_m2")),
                name="promotion_prospect_site_area_ordered",
            ),
            models.UniqueConstraint(
                "partner",
                Lower("company_name"),
                "country",
                name="promotion_prospect_unique_company",
            ),
            models.UniqueConstraint(
                fields=["partner", "codename"], name="promotion_prospect_unique_codename"
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "stage"], name="promotion_prospect_stage_idx"),
            models.Index(fields=["naics_code"], name="promotion_prospect_naics_idx"),
        ]

    def __str__(self) -> str:
        return self.codename

    def clean(self) -> None:
        super().clean()
        if self.stage == Stage.LOST and not self.lost_reason.strip():
            raise ValidationError({"lost_reason": _("Say why the prospect was lost.")})
        if (
            self.site_min_area_m2 is not None
            and self.site_max_area_m2 is not None
            and self.site_min_area_m2 > self.site_max_area_m2
        ):
            raise ValidationError(
                {"site_max_area_m2": _("The maximum area is smaller than the minimum.")}
            )


class ShareAccess(models.TextChoices):
    READ = "read", _("Read")
    EDIT = "edit", _("Read and edit")


class ProspectShare(models.Model):
    """An explicit, revocable grant of one prospect to another partner's staff."""

    prospect = models.ForeignKey(
        Prospect, on_delete=models.CASCADE, related_name="shares", verbose_name=_("prospect")
    )
    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        related_name="prospect_shares",
        verbose_name=_("shared with"),
    )
    access = models.CharField(
        _("access"), max_length=4, choices=ShareAccess.choices, default=ShareAccess.READ
    )
    reveal_identity = models.BooleanField(
        _("show the company"),
        default=True,
        help_text=_("Unticked, the partner sees the codename only, and no contacts."),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promotion_granted_shares",
        verbose_name=_("granted by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promotion_revoked_shares",
        verbose_name=_("revoked by"),
    )

    class Meta:
        verbose_name = _("prospect share")
        verbose_name_plural = _("prospect shares")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["prospect", "partner"],
                condition=Q(revoked_at__isnull=True),
                name="promotion_prospectshare_unique_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.prospect} → {self.partner}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class StageChange(models.Model):
    """One move of a prospect through the pipeline; the first has no ``from_stage``."""

    prospect = models.ForeignKey(
        Prospect,
        on_delete=models.CASCADE,
        related_name="stage_changes",
        verbose_name=_("prospect"),
    )
    from_stage = models.CharField(_("from"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=20, choices=Stage.choices)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promotion_stage_changes",
        verbose_name=_("changed by"),
    )

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["prospect", "changed_at", "pk"]
        indexes = [
            models.Index(fields=["prospect", "changed_at"], name="promotion_stagechange_idx")
        ]

    def __str__(self) -> str:
        return f"{self.prospect}: {self.from_stage or '-'} → {self.to_stage}"


class Contact(models.Model):
    """A person at a prospect: personal data, exported and erased on request."""

    prospect = models.ForeignKey(
        Prospect, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("prospect")
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("job title"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    erased_at = models.DateTimeField(
        _("erased at"),
        null=True,
        blank=True,
        help_text=_("When the person's data was erased on request."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    # The fields that hold personal data: what an erasure blanks, here and in history.
    PERSONAL_FIELDS = ("name", "title", "email", "phone", "notes")

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["prospect", "name"]
        indexes = [models.Index(fields=["email"], name="promotion_contact_email_idx")]

    def __str__(self) -> str:
        return self.name


class InteractionKind(models.TextChoices):
    CALL = "call", _("Call")
    EMAIL = "email", _("E-mail")
    MEETING = "meeting", _("Meeting")
    SITE_VISIT = "site_visit", _("Site visit")
    TRADE_MISSION = "trade_mission", _("Trade mission")
    EVENT = "event", _("Event")
    OTHER = "other", _("Other")


class Interaction(models.Model):
    prospect = models.ForeignKey(
        Prospect,
        on_delete=models.CASCADE,
        related_name="interactions",
        verbose_name=_("prospect"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=InteractionKind.choices)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    summary = models.TextField(_("summary"), max_length=4000, blank=True)
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
        verbose_name=_("contact"),
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promotion_interactions",
        verbose_name=_("staff"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["prospect", "occurred_at"], name="promotion_interaction_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


class Question(models.Model):
    """What a prospect asked. ``topic``, ``confidence``, ``facts`` and ``needs_follow_up``
    are filled by the answer matcher when the question is recorded: the facts that answer
    it, or a flag when none does. Staff may choose the facts themselves
    (``facts_chosen_at`` is then set, and matching again keeps their choice)."""

    prospect = models.ForeignKey(
        Prospect, on_delete=models.CASCADE, related_name="questions", verbose_name=_("prospect")
    )
    text = models.TextField(_("question"), max_length=1000)
    asked_on = models.DateField(_("asked on"), default=timezone.localdate)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    topic = models.ForeignKey(
        Topic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("topic"),
    )
    facts = models.ManyToManyField(
        Fact, blank=True, related_name="questions", verbose_name=_("facts that answer it")
    )
    needs_follow_up = models.BooleanField(_("needs follow-up"), default=False)
    confidence = models.FloatField(
        _("confidence"),
        null=True,
        blank=True,
        help_text=_("How sure the answer matcher was, from 0 to 1; empty if never matched."),
    )
    matched_at = models.DateTimeField(_("matched at"), null=True, blank=True)
    facts_chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promotion_chosen_question_facts",
        verbose_name=_("facts chosen by"),
    )
    facts_chosen_at = models.DateTimeField(
        _("facts chosen at"),
        null=True,
        blank=True,
        help_text=_("Set when a person chose the facts; matching again keeps them."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["prospect", "-asked_on", "-pk"]
        indexes = [
            models.Index(
                fields=["needs_follow_up", "asked_on"], name="promotion_question_follow_idx"
            )
        ]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"

    @property
    def facts_chosen_by_person(self) -> bool:
        return self.facts_chosen_at is not None
