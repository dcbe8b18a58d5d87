"""The admin for partner staff: prospects and what hangs off them.

Every way into CRM data goes through ``promotion.selectors.crm``: querysets, the change,
delete and history views (404 for what the user does not see, the same as for a
missing id), autocomplete, raw-id labels, list filters, foreign-key choices, inlines and
actions. Rights come from ``PartnerMembership``, not from Django's model permissions:
viewers read, editors change, managers also delete and share. Superusers do everything.
"""

from __future__ import annotations

import datetime
import operator
from functools import reduce
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelectMultiple, ForeignKeyRawIdWidget
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from promotion.admin.crm_resources import (
    EXPORT_FORMATS,
    IMPORT_FORMATS,
    ContactResource,
    ImportFileError,
    ProspectResource,
)
from promotion.admin.region import admin_link
from promotion.models import (
    Contact,
    IndustryCluster,
    Interaction,
    PartnerMembership,
    PartnerRole,
    Prospect,
    ProspectShare,
    Question,
    Stage,
    StageChange,
)
from promotion.selectors.crm import (
    colleagues_of,
    contact_visible_to,
    interaction_visible_to,
    membership_visible_to,
    partner_service_levels,
    partners_of,
    pipeline_summary,
    prospect_deck_time,
    prospect_editable_by,
    prospect_editable_identified_by,
    prospect_identified_for,
    prospect_managed_by,
    prospect_response_time,
    prospect_visible_to,
    question_visible_to,
    time_in_stages,
    with_pipeline_columns,
)
from promotion.selectors.questions import fact_choices_for, unanswered_questions
from promotion.services import crm as services
from promotion.services.imports import OWNER_ONLY_FIELDS


def _staff(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff)


def _has_role(request: HttpRequest, role: str = PartnerRole.VIEWER) -> bool:
    """Whether the user is on some partner's staff with ``role``; asked many times per
    page (every admin of the sidebar), so remembered on the request."""
    cache = request.__dict__.setdefault("_promotion_roles", {})
    if role not in cache:
        cache[role] = partners_of(user=request.user, role=role).exists()
    return cache[role]


def _prospect_of(obj: Any) -> Prospect | None:
    if obj is None or isinstance(obj, Prospect):
        return obj
    return getattr(obj, "prospect", None)


def _in(queryset: QuerySet[Prospect], prospect: Prospect | None) -> bool:
    return prospect is not None and queryset.filter(pk=prospect.pk).exists()


def format_duration(value: datetime.timedelta | None) -> str:
    if value is None:
        return "-"
    days = value.total_seconds() / 86400
    if days >= 1:
        return _("%(n).1f days") % {"n": days}
    return _("%(n).1f hours") % {"n": value.total_seconds() / 3600}


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw-id box whose label is looked up in the form field's (scoped) queryset,
    not in the model's default manager: a typed id of another partner's row shows no
    label at all."""

    def __init__(self, *args: Any, queryset: QuerySet[Any], **kwargs: Any) -> None:
        self.queryset = queryset
        super().__init__(*args, **kwargs)

    def label_and_url_for_value(self, value: Any) -> tuple[str, str]:
        key = self.rel.get_related_field().name
        try:
            self.queryset.get(**{key: value})
        except (ValueError, TypeError, ValidationError, self.queryset.model.DoesNotExist):
            return "", ""
        return super().label_and_url_for_value(value)


class CrmPermissions:
    """Rights from membership. ``obj`` is the object, or an inline's parent prospect."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _staff(request) and _has_role(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self.has_module_permission(request):
            return False
        prospect = _prospect_of(obj)
        return prospect is None or _in(prospect_visible_to(user=request.user), prospect)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None:
            return self.has_change_permission(request, obj)
        return _staff(request) and _has_role(request, PartnerRole.EDITOR)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not _staff(request):
            return False
        if obj is None:
            return _has_role(request, PartnerRole.EDITOR)
        return _in(prospect_editable_by(user=request.user), _prospect_of(obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not _staff(request):
            return False
        # Deleting a prospect is for the owner's managers; its rows, for its editors.
        # (For an inline, ``obj`` is the parent prospect.)
        deletes_prospects = self.model is Prospect  # type: ignore[attr-defined]
        if obj is None:
            return _has_role(
                request, PartnerRole.MANAGER if deletes_prospects else PartnerRole.EDITOR
            )
        if deletes_prospects:
            return _in(prospect_managed_by(user=request.user), _prospect_of(obj))
        return _in(prospect_editable_by(user=request.user), _prospect_of(obj))


class ScopedViews:
    """An object outside ``get_queryset`` is a 404 on every per-object view, exactly as
    a missing id is (the stock admin redirects with a message that names the id)."""

    def _get_visible_or_404(self, request: HttpRequest, object_id: str) -> Any:
        obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if obj is None:
            raise Http404
        return obj

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        self._get_visible_or_404(request, object_id)
        return super().change_view(  # type: ignore[misc]
            request, object_id, form_url, extra_context
        )

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        self._get_visible_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)  # type: ignore[misc]

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        self._get_visible_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)  # type: ignore[misc]

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # Only routed on SimpleHistoryAdmin subclasses (a past version of one object).
        self._get_visible_or_404(request, object_id)
        return super().history_form_view(  # type: ignore[misc]
            request, object_id, version_id, extra_context
        )


class CrmAdmin(ScopedViews, CrmPermissions, admin.ModelAdmin):
    list_per_page = 50

    def scoped_foreignkey_queryset(self, db_field: Any, request: HttpRequest) -> Any:
        """The choices of a foreign key, scoped to the user; None: Django's default."""
        if db_field.related_model is Prospect:
            return prospect_editable_identified_by(user=request.user)
        if db_field.related_model is Contact:
            return contact_visible_to(user=request.user).filter(
                prospect__in=prospect_editable_by(user=request.user)
            )
        if db_field.related_model is get_user_model():
            return colleagues_of(user=request.user)
        if db_field.name == "partner":
            return partners_of(user=request.user, role=PartnerRole.EDITOR)
        return None

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        queryset = self.scoped_foreignkey_queryset(db_field, request)
        if queryset is not None:
            kwargs["queryset"] = queryset
            if db_field.name in self.raw_id_fields:
                kwargs["widget"] = ScopedRawIdWidget(
                    db_field.remote_field,
                    self.admin_site,
                    queryset=queryset,
                    using=kwargs.get("using"),
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedImportExport(ImportExportMixin):
    """Import with preview and export, through the scoped resources: the resource gets
    the user; what it reads and writes is what the selectors allow."""

    import_formats = IMPORT_FORMATS
    export_formats = EXPORT_FORMATS
    to_encoding = "utf-8-sig"  # Excel opens UTF-8 CSV correctly only with a BOM

    def get_resource_kwargs(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        return {"user": request.user}

    def has_import_permission(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request)  # type: ignore[attr-defined]

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request)  # type: ignore[attr-defined]

    def get_valid_export_item_pks(self, request: HttpRequest) -> Any:
        return self.get_queryset(request).values_list(  # type: ignore[attr-defined]
            "pk", flat=True
        )

    def get_import_data_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        # All or nothing: a row that fails at the confirmed import (the data changed
        # since the preview) rolls back every row, not only itself.
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.setdefault("rollback_on_validation_errors", True)
        return kwargs

    def process_result(self, result: Any, request: HttpRequest) -> HttpResponse:
        if result.has_errors() or result.has_validation_errors():
            rows = sorted(
                {row.number for row in result.invalid_rows}
                | {error.number for _line, errors in result.row_errors() for error in errors}
            )
            self.message_user(
                request,
                _(
                    "Nothing was imported: rows %(rows)s no longer pass the checks (the data "
                    "changed since the preview). Import the file again to see why."
                )
                % {"rows": ", ".join(map(str, rows))},
                messages.ERROR,
            )
            opts = self.model._meta  # type: ignore[attr-defined]
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            )
        return super().process_result(result, request)

    def add_data_read_fail_error_to_form(self, form: Any, e: Exception) -> None:
        if isinstance(e, ImportFileError):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)


def _search_prospects(
    request: HttpRequest, queryset: QuerySet[Prospect], search_term: str
) -> QuerySet[Prospect]:
    """Codename, industry and NAICS for every row; the company only where it is shown."""
    identified = prospect_identified_for(user=request.user).values("pk")
    for term in search_term.split():
        queryset = queryset.filter(
            Q(codename__icontains=term)
            | Q(industry__icontains=term)
            | Q(naics_code__startswith=term)
            | (Q(company_name__icontains=term) & Q(pk__in=identified))
        )
    return queryset


class ClusterFilter(admin.SimpleListFilter):
    """A prospect is in a cluster when its NAICS code starts with one of the cluster's."""

    title = _("cluster")
    parameter_name = "cluster"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        regions = partners_of(user=request.user).values("region")
        clusters = IndustryCluster.objects.filter(region__in=regions).exclude(naics_codes="")
        return [(str(c.pk), c.name_en) for c in clusters]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.value():
            return queryset
        cluster = IndustryCluster.objects.filter(pk=self.value()).first()
        prefixes = cluster.naics_prefixes() if cluster else []
        if not prefixes:
            return queryset.none()
        return queryset.filter(
            reduce(operator.or_, (Q(naics_code__startswith=p) for p in prefixes))
        )


class CountryFilter(admin.SimpleListFilter):
    """Only the countries of prospects the user sees."""

    title = _("country")
    parameter_name = "country"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        countries = (
            prospect_visible_to(user=request.user)
            .order_by("country")
            .values_list("country", flat=True)
            .distinct()
        )
        return [(c, c) for c in countries]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(country=self.value()) if self.value() else queryset


class ParentAwareInline:
    """Inlines remember the prospect they are shown on (a new instance per request)."""

    parent: Prospect | None = None

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        self.parent = obj
        return super().get_formset(request, obj, **kwargs)  # type: ignore[misc]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is Contact:
            kwargs["queryset"] = (
                contact_visible_to(user=request.user).filter(prospect=self.parent)
                if self.parent
                else Contact.objects.none()
            )
        elif db_field.related_model is get_user_model():
            kwargs["queryset"] = colleagues_of(user=request.user)
        return super().formfield_for_foreignkey(  # type: ignore[misc]
            db_field, request, **kwargs
        )


class ContactInline(ParentAwareInline, CrmPermissions, admin.TabularInline):
    model = Contact
    fields = ["name", "title", "email", "phone", "language"]
    extra = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Contact]:
        return contact_visible_to(user=request.user)


class InteractionInline(ParentAwareInline, CrmPermissions, admin.TabularInline):
    model = Interaction
    fields = ["kind", "occurred_at", "summary", "contact", "staff"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Interaction]:
        return interaction_visible_to(user=request.user).select_related("contact", "staff")


# --- Questions: the matcher's answer, shown and overridden ---------------------------------


class FactChoicesWidget(AutocompleteSelectMultiple):
    """The admin's autocomplete box, asking ``QuestionAdmin.fact_choices_view`` rather
    than the site-wide autocomplete: only the published facts of one prospect's region."""

    def __init__(self, field: Any, admin_site: Any, *, url: str, **kwargs: Any) -> None:
        super().__init__(field, admin_site, **kwargs)
        self.choices_url = url

    def get_url(self) -> str:
        return self.choices_url


def facts_formfield(
    db_field: Any, admin_site: Any, prospect: Prospect
) -> forms.ModelMultipleChoiceField:
    """The field to choose the facts answering a question of ``prospect``."""
    url = reverse(f"{admin_site.name}:promotion_question_fact_choices", args=[prospect.pk])
    return forms.ModelMultipleChoiceField(
        queryset=fact_choices_for(prospect=prospect),
        required=False,
        label=_("facts that answer it"),
        help_text=_(
            "Published facts of the region. Facts you choose are kept when the "
            "question is matched again."
        ),
        widget=FactChoicesWidget(db_field, admin_site, url=url),
    )


def _adopt(obj: Question, saved: Question) -> None:
    """Make the admin's unsaved ``obj`` the row a service created."""
    for field in Question._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


def save_question_form(
    request: HttpRequest, form: Any, prospect: Prospect | None = None
) -> Question:
    """Save a question form (the Question admin's, or a row of the prospect's inline)
    through the services: a new question is recorded (and matched); a changed one is
    updated; changed facts are a person's choice."""
    obj: Question = form.instance
    data = form.cleaned_data
    if obj.pk is None:
        saved = services.question_record(
            actor=request.user,
            prospect=prospect or obj.prospect,
            text=obj.text,
            language=obj.language,
            asked_on=obj.asked_on,
        )
        _adopt(obj, saved)
        if "needs_follow_up" in form.changed_data and "facts" not in form.changed_data:
            services.question_update(
                actor=request.user, question=obj, needs_follow_up=data["needs_follow_up"]
            )
    else:
        services.question_update(actor=request.user, question=obj)
    if "facts" in form.changed_data:
        services.question_choose_facts(
            actor=request.user,
            question=obj,
            facts=data["facts"],
            needs_follow_up=data["needs_follow_up"]
            if "needs_follow_up" in form.changed_data
            else None,
        )
    return obj


class QuestionDisplay:
    """Read-only columns of a question's match, shared by its admin and the inline."""

    @admin.display(description=_("confidence"), ordering="confidence")
    def confidence_display(self, obj: Question) -> str:
        return "-" if obj.confidence is None else f"{obj.confidence:.0%}"

    @admin.display(description=_("facts and sources"))
    def facts_with_sources(self, obj: Question) -> str:
        if obj.pk is None:
            return "-"
        facts = list(obj.facts.all())
        if not facts:
            return _("None: the region cannot answer this yet.")
        return format_html(
            '<ul class="promotion-question-facts">{}</ul>',
            format_html_join(
                "",
                "<li>{}: {} ({}{})</li>",
                (
                    (
                        admin_link(fact, fact.key),
                        fact.text_en if len(fact.text_en) <= 120 else fact.text_en[:119] + "…",
                        format_html(
                            '<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>',
                            fact.source.url,
                            fact.source.title,
                        )
                        if fact.source.url
                        else fact.source.title,
                        ""
                        if fact.status == "published"
                        else format_html(", <strong>{}</strong>", _("held")),
                    )
                    for fact in facts
                ),
            ),
        )

    @admin.display(description=_("facts chosen by"))
    def facts_choice(self, obj: Question) -> str:
        if obj.facts_chosen_at is None:
            return _("the matcher") if obj.matched_at else "-"
        return _("%(who)s, %(when)s") % {
            "who": obj.facts_chosen_by or _("a former user"),
            "when": timezone.localtime(obj.facts_chosen_at).strftime("%Y-%m-%d %H:%M"),
        }

    @admin.display(description=_("chosen by a person"), boolean=True)
    def facts_chosen(self, obj: Question) -> bool:
        return obj.facts_chosen_at is not None

    @admin.display(description=_("match"))
    def match_summary(self, obj: Question) -> str:
        if obj.pk is None:
            return "-"
        topic = str(obj.topic) if obj.topic_id else _("no topic")
        return format_html(
            "{} · {} · {}", topic, self.confidence_display(obj), self.facts_choice(obj)
        )


class QuestionInline(QuestionDisplay, ParentAwareInline, CrmPermissions, admin.TabularInline):
    """Questions on the prospect's page: the match beside each, facts to override.
    Saved through the services by ``ProspectAdmin.save_formset``."""

    model = Question
    fields = [
        "text",
        "asked_on",
        "language",
        "match_summary",
        "facts_with_sources",
        "facts",
        "needs_follow_up",
    ]
    readonly_fields = ["match_summary", "facts_with_sources"]
    extra = 0
    show_change_link = True

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_fields(request, obj))
        if obj is None:  # a new prospect: the matcher answers once it is saved
            fields = [
                f for f in fields if f not in ("facts", "match_summary", "facts_with_sources")
            ]
        return fields

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "facts" and self.parent is not None:
            return facts_formfield(db_field, self.admin_site, self.parent)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Question]:
        return (
            question_visible_to(user=request.user)
            .select_related("topic", "facts_chosen_by")
            .prefetch_related("facts__source")
        )


class StageChangeInline(CrmPermissions, admin.TabularInline):
    model = StageChange
    fields = readonly_fields = ["from_stage", "to_stage", "changed_at", "changed_by"]
    extra = 0
    verbose_name_plural = _("stage history")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[StageChange]:
        return StageChange.objects.filter(
            prospect__in=prospect_visible_to(user=request.user)
        ).select_related("changed_by")


class ShareInline(CrmPermissions, admin.TabularInline):
    """Shares, for the owner's managers only. Saved through the services; deleting a
    row revokes the share (the row stays, as a record)."""

    model = ProspectShare
    fk_name = "prospect"
    fields = ["partner", "access", "reveal_identity", "granted_by", "created_at", "revoked_at"]
    readonly_fields = ["granted_by", "created_at", "revoked_at"]
    extra = 0
    verbose_name_plural = _("shared with other partners")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is not None and _in(prospect_managed_by(user=request.user), obj)

    has_change_permission = has_add_permission = has_delete_permission = has_view_permission

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProspectShare]:
        return ProspectShare.objects.filter(
            prospect__in=prospect_managed_by(user=request.user)
        ).select_related("partner", "granted_by")


@admin.register(Prospect)
class ProspectAdmin(ScopedImportExport, CrmAdmin, SimpleHistoryAdmin):
    resource_classes = [ProspectResource]
    list_display = [
        "display_name",
        "partner",
        "stage",
        "industry",
        "estimated_jobs",
        "investment",
        "days_in_stage",
        "last_interaction",
    ]
    list_display_links = ["display_name"]
    list_filter = [
        "stage",
        ("partner", admin.RelatedOnlyFieldListFilter),
        ClusterFilter,
        CountryFilter,
        "language",
        ("assigned_to", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["codename"]  # see get_search_results
    search_help_text = _("Codename, company, industry or NAICS code.")
    list_select_related = ["partner"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["site_localities"]
    inlines = [ContactInline, InteractionInline, QuestionInline, StageChangeInline, ShareInline]
    actions = ["put_on_hold", "delete_selected", "generate_deck_en", "generate_deck_es"]

    # Pitch decks (promotion.admin.decks): the actions and the inline.
    def generate_deck_en(self, request: HttpRequest, queryset: QuerySet[Prospect]) -> None:
        from promotion.admin.decks import generate_deck_en

        generate_deck_en(self, request, queryset)

    generate_deck_en.short_description = _("Generate pitch deck (English)")  # type: ignore[attr-defined]
    generate_deck_en.allowed_permissions = ("request_deck",)  # type: ignore[attr-defined]

    def generate_deck_es(self, request: HttpRequest, queryset: QuerySet[Prospect]) -> None:
        from promotion.admin.decks import generate_deck_es

        generate_deck_es(self, request, queryset)

    generate_deck_es.short_description = _("Generate pitch deck (Español)")  # type: ignore[attr-defined]
    generate_deck_es.allowed_permissions = ("request_deck",)  # type: ignore[attr-defined]

    def has_request_deck_permission(self, request: HttpRequest) -> bool:
        """The deck actions are offered only to staff who may request a deck of some
        prospect (editors and managers); the service checks each prospect again."""
        from promotion.selectors.crm import prospect_deck_requestable_by

        return prospect_deck_requestable_by(user=request.user).exists()

    change_list_template = "admin/promotion/prospect/change_list.html"
    readonly_fields = ["service_levels", "created_by", "created_at", "updated_at"]
    identity_fields = ["company_name", "notes", "extra"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "partner",
                    "company_name",
                    "codename",
                    "country",
                    "industry",
                    "naics_code",
                    "project_type",
                    "language",
                    "assigned_to",
                ]
            },
        ),
        (
            _("Pipeline"),
            {
                "fields": [
                    "stage",
                    "lost_reason",
                    "estimated_jobs",
                    "capital_investment",
                    "currency",
                ]
            },
        ),
        (
            _("Service levels"),
            {"fields": ["first_inquiry_on", "first_response_at", "service_levels"]},
        ),
        (
            _("Site needs"),
            {
                "fields": [
                    "site_needs",
                    "site_kind",
                    "site_min_area_m2",
                    "site_max_area_m2",
                    "site_power_mw",
                    "site_water_m3_day",
                    "site_needs_rail",
                    "site_localities",
                ]
            },
        ),
        (_("Notes"), {"fields": ["notes", "extra", "created_by", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Prospect]:
        queryset = with_pipeline_columns(prospect_visible_to(user=request.user))
        if request.user.is_superuser:
            identified: Any = Value(True)
        else:
            identified = ExpressionWrapper(
                Q(pk__in=prospect_identified_for(user=request.user).values("pk")),
                output_field=BooleanField(),
            )
        return queryset.annotate(identity_visible=identified).select_related("partner")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Prospect], search_term: str
    ) -> tuple[QuerySet[Prospect], bool]:
        return _search_prospects(request, queryset, search_term), False

    def _identified(self, request: HttpRequest, obj: Prospect | None) -> bool:
        if obj is None:
            return True
        if hasattr(obj, "identity_visible"):
            return bool(obj.identity_visible)
        return _in(prospect_identified_for(user=request.user), obj)

    # -- form ---------------------------------------------------------------------------

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if self._identified(request, obj):
            return fieldsets
        hidden = set(self.identity_fields)
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("partner")  # the owner never changes
            # The company and the codename are the owner's to change (as in the API): the
            # database checks them for uniqueness within the owner, so a partner holding
            # an edit share could otherwise probe which codenames the owner has.
            if (
                not partners_of(user=request.user, role=PartnerRole.EDITOR)
                .filter(pk=obj.partner_id)
                .exists()
            ):
                fields += [f for f in OWNER_ONLY_FIELDS if f not in fields]
        return fields

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        from promotion.admin.decks import PitchDeckInline

        inlines = list(super().get_inlines(request, obj))
        # Decks are read-only and never posted: shown on the page, left out of the form
        # a save posts (so a save needs no management form for them).
        if obj is not None and request.method in ("GET", "HEAD"):
            inlines.append(PitchDeckInline)
        return inlines

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        inlines = super().get_inline_instances(request, obj)
        if obj is None:
            return [i for i in inlines if not isinstance(i, StageChangeInline | ShareInline)]
        if not self._identified(request, obj):
            hidden = ContactInline | InteractionInline | QuestionInline
            inlines = [i for i in inlines if not isinstance(i, hidden)]
        return inlines

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if "codename" in form.base_fields:
            form.base_fields["codename"].required = False
            form.base_fields["codename"].help_text = _("Left empty, a neutral codename is chosen.")
        return form

    def save_model(self, request: HttpRequest, obj: Prospect, form: Any, change: bool) -> None:
        if change:
            services.prospect_update(actor=request.user, prospect=obj)
        else:
            services.prospect_insert(actor=request.user, prospect=obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        prospect = form.instance
        if formset.model is ProspectShare:
            # Through the services: they check the manager's right; deleting revokes.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            for share_form in formset.forms:
                share = share_form.instance
                if share.pk and formset._should_delete_form(share_form):
                    formset.deleted_objects.append(
                        services.share_revoke(actor=request.user, share=share)
                    )
                elif share_form.has_changed() and share_form.cleaned_data.get("partner"):
                    saved = services.prospect_share(
                        actor=request.user,
                        prospect=prospect,
                        partner=share_form.cleaned_data["partner"],
                        access=share_form.cleaned_data["access"],
                        reveal_identity=share_form.cleaned_data["reveal_identity"],
                    )
                    if share.pk:
                        formset.changed_objects.append((saved, share_form.changed_data))
                    else:
                        formset.new_objects.append(saved)
            return
        if formset.model is Question:
            self._save_questions(request, prospect, formset)
            return
        super().save_formset(request, form, formset, change)
        if formset.model is Interaction:
            services.prospect_note_response(prospect=prospect)

    def _save_questions(self, request: HttpRequest, prospect: Prospect, formset: Any) -> None:
        # Through the services: new questions are matched, chosen facts recorded.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for question_form in formset.initial_forms:
            question = question_form.instance
            if formset._should_delete_form(question_form):
                formset.delete_existing(question)
                formset.deleted_objects.append(question)
            elif question_form.has_changed():
                save_question_form(request, question_form)
                formset.changed_objects.append((question, question_form.changed_data))
        for question_form in formset.extra_forms:
            if question_form.has_changed() and not formset._should_delete_form(question_form):
                formset.new_objects.append(
                    save_question_form(request, question_form, prospect=prospect)
                )

    # -- list columns --------------------------------------------------------------------

    @admin.display(description=_("prospect"), ordering="codename")
    def display_name(self, obj: Prospect) -> str:
        if getattr(obj, "identity_visible", False):
            return format_html("{} <small>({})</small>", obj.company_name, obj.codename)
        return obj.codename

    @admin.display(description=_("investment"), ordering="capital_investment")
    def investment(self, obj: Prospect) -> str:
        if obj.capital_investment is None:
            return "-"
        return f"{obj.currency} {obj.capital_investment:,.0f}"

    @admin.display(description=_("days in stage"), ordering="stage_since")
    def days_in_stage(self, obj: Prospect) -> Any:
        since = getattr(obj, "stage_since", None)
        if since is None:
            return "-"
        return (timezone.now() - since).days

    @admin.display(description=_("last interaction"), ordering="last_interaction_at")
    def last_interaction(self, obj: Prospect) -> str:
        when = getattr(obj, "last_interaction_at", None)
        return timezone.localtime(when).date().isoformat() if when else "-"

    @admin.display(description=_("service levels"))
    def service_levels(self, obj: Prospect) -> str:
        if obj.pk is None:
            return "-"
        stages = dict(Stage.choices)
        rows = [
            (
                _("First response after the first inquiry"),
                format_duration(prospect_response_time(prospect=obj)),
            ),
            (
                _("First deck after the first inquiry"),
                format_duration(prospect_deck_time(prospect=obj)),
            ),
        ] + [
            (
                _("Time in stage: %(stage)s") % {"stage": stages.get(stage, stage)},
                format_duration(spent),
            )
            for stage, spent in time_in_stages(prospect=obj).items()
        ]
        return format_html(
            '<table class="promotion-service-levels">{}</table>',
            format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows),
        )

    # -- views and actions ---------------------------------------------------------------

    def _identified_or_404(self, request: HttpRequest, object_id: str) -> None:
        # Past versions show the company name: only for those who may see it.
        if not self._identified(request, self._get_visible_or_404(request, object_id)):
            raise Http404

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        self._identified_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        self._identified_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "pipeline": pipeline_summary(user=request.user),
            "service_levels": [
                (
                    level,
                    format_duration(level.average_response),
                    format_duration(level.slowest_response),
                )
                for level in partner_service_levels(user=request.user)
            ],
        }
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Put the selected prospects on hold"))
    def put_on_hold(self, request: HttpRequest, queryset: QuerySet[Prospect]) -> None:
        # Re-filter: the selection is what the browser sent, and may have been tampered with.
        editable = queryset.filter(pk__in=prospect_editable_by(user=request.user).values("pk"))
        changed = 0
        for prospect in editable:
            if prospect.stage != Stage.ON_HOLD:
                services.prospect_change_stage(
                    actor=request.user, prospect=prospect, stage=Stage.ON_HOLD
                )
                changed += 1
        self.message_user(
            request,
            ngettext("%d prospect put on hold.", "%d prospects put on hold.", changed) % changed,
            messages.SUCCESS,
        )

    @admin.action(permissions=["delete"], description=_("Delete selected prospects"))
    def delete_selected(self, request: HttpRequest, queryset: QuerySet[Prospect]) -> Any:
        managed = queryset.filter(pk__in=prospect_managed_by(user=request.user).values("pk"))
        return delete_selected(self, request, managed)

    def get_actions(self, request: HttpRequest, action_location: Any = None) -> dict[str, Any]:
        # ``action_location`` (change list or change form) is Django 6.1's; 5.2 never
        # passes it, and 6.1 warns about an override that does not take it.
        kwargs = {} if action_location is None else {"action_location": action_location}
        actions = super().get_actions(request, **kwargs)
        # The site-wide delete action would not re-filter; ours replaces it.
        if "delete_selected" in actions:
            actions["delete_selected"] = (
                type(self).delete_selected,
                "delete_selected",
                _("Delete selected prospects"),
            )
        return actions


@admin.register(Contact)
class ContactAdmin(ScopedImportExport, CrmAdmin, SimpleHistoryAdmin):
    resource_classes = [ContactResource]
    list_display = ["name", "prospect", "title", "email", "phone", "language", "erased_at"]
    list_filter = ["language", ("prospect__partner", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "email", "title"]
    list_select_related = ["prospect"]
    raw_id_fields = ["prospect"]
    readonly_fields = ["erased_at", "created_at"]
    actions = ["export_personal_data", "erase_personal_data"]

    def _handled(self, request: HttpRequest, queryset: QuerySet[Contact]) -> QuerySet[Contact]:
        # Re-filter: the selection is what the browser sent.
        return queryset.filter(
            pk__in=contact_visible_to(user=request.user).values("pk"),
            prospect__in=prospect_editable_by(user=request.user),
        ).select_related("prospect")

    @admin.action(description=_("Export the selected people's personal data (JSON)"))
    def export_personal_data(
        self, request: HttpRequest, queryset: QuerySet[Contact]
    ) -> HttpResponse:
        data = [
            services.contact_export_data(actor=request.user, contact=contact)
            for contact in self._handled(request, queryset)
        ]
        response = JsonResponse(
            data, safe=False, json_dumps_params={"ensure_ascii": False, "indent": 2}
        )
        response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
        response["Cache-Control"] = "private, no-store"
        return response

    @admin.action(description=_("Erase the selected people's personal data"))
    def erase_personal_data(
        self, request: HttpRequest, queryset: QuerySet[Contact]
    ) -> HttpResponse | None:
        contacts = list(self._handled(request, queryset))
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": _("Erase personal data?"),
                "contacts": contacts,
                "opts": self.opts,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/promotion/contact/erase_confirmation.html", context
            )
        for contact in contacts:
            report = services.contact_erase(actor=request.user, contact=contact)
            self.message_user(request, " ".join(report.lines()), messages.SUCCESS)
        return None

    def get_queryset(self, request: HttpRequest) -> QuerySet[Contact]:
        return contact_visible_to(user=request.user)


@admin.register(Interaction)
class InteractionAdmin(CrmAdmin):
    list_display = ["occurred_at", "kind", "prospect", "contact", "staff"]
    list_filter = ["kind", ("prospect__partner", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["summary", "prospect__codename"]
    list_select_related = ["prospect", "contact", "staff"]
    autocomplete_fields = ["prospect"]
    date_hierarchy = "occurred_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Interaction]:
        return interaction_visible_to(user=request.user)

    def save_model(self, request: HttpRequest, obj: Interaction, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.prospect_note_response(prospect=obj.prospect)


class FollowUpFilter(admin.SimpleListFilter):
    """A follow-up is the owner partner's to do: "yes" lists the questions needing one on
    prospects of the user's own partners, not on those another partner shares with them
    (the rows are the ``question_visible_to`` ones in any case)."""

    title = _("needs follow-up")
    parameter_name = "follow_up"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Yes: my partners' prospects")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(
                needs_follow_up=True,
                prospect__partner__in=partners_of(user=request.user).values("pk"),
            )
        if self.value() == "no":
            return queryset.filter(needs_follow_up=False)
        return queryset


@admin.register(Question)
class QuestionAdmin(QuestionDisplay, CrmAdmin):
    list_display = [
        "text_short",
        "prospect",
        "asked_on",
        "language",
        "topic",
        "confidence_display",
        "fact_keys",
        "facts_chosen",
        "needs_follow_up",
    ]
    list_filter = [
        FollowUpFilter,
        "language",
        "topic",
        ("prospect__partner", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["text", "prospect__codename"]
    list_select_related = ["prospect", "topic"]
    autocomplete_fields = ["prospect"]
    date_hierarchy = "asked_on"
    actions = ["match_again", "mark_follow_up", "clear_follow_up"]
    change_list_template = "admin/promotion/question/change_list.html"
    readonly_fields = [
        "topic",
        "confidence_display",
        "matched_at",
        "facts_with_sources",
        "facts_choice",
    ]
    fieldsets = [
        (None, {"fields": ["prospect", "text", "language", "asked_on"]}),
        (
            _("Answer"),
            {
                "fields": [
                    "topic",
                    "confidence_display",
                    "matched_at",
                    "facts_with_sources",
                    "facts",
                    "facts_choice",
                    "needs_follow_up",
                ]
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Question]:
        return (
            question_visible_to(user=request.user)
            .select_related("facts_chosen_by")
            .prefetch_related("facts__source")
        )

    @admin.display(description=_("question"), ordering="text")
    def text_short(self, obj: Question) -> str:
        return str(obj)

    @admin.display(description=_("facts"))
    def fact_keys(self, obj: Question) -> str:
        return ", ".join(fact.key for fact in obj.facts.all()) or "-"

    # -- form: saved through the services -----------------------------------------------

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if obj is not None else fieldsets[:1]  # the matcher answers

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("prospect")
        return fields

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and "facts" in form.base_fields:
            form.base_fields["facts"] = facts_formfield(
                Question._meta.get_field("facts"), self.admin_site, obj.prospect
            )
        return form

    def save_model(self, request: HttpRequest, obj: Question, form: Any, change: bool) -> None:
        save_question_form(request, form)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # No ``form.save_m2m()``: the facts were saved by ``save_question_form``.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    # -- actions ------------------------------------------------------------------------

    def _editable(self, request: HttpRequest, queryset: QuerySet[Question]) -> QuerySet[Question]:
        # Re-filter: the selection is what the browser sent, and may have been tampered with.
        return queryset.filter(
            pk__in=question_visible_to(user=request.user).values("pk"),
            prospect__in=prospect_editable_by(user=request.user),
        )

    @admin.action(permissions=["change"], description=_("Match again"))
    def match_again(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        done = 0
        for question in self._editable(request, queryset):
            services.question_rematch(actor=request.user, question=question)
            done += 1
        self.message_user(
            request,
            ngettext(
                "%d question matched again (facts a person chose were kept).",
                "%d questions matched again (facts a person chose were kept).",
                done,
            )
            % done,
            messages.SUCCESS,
        )

    def _set_follow_up(
        self, request: HttpRequest, queryset: QuerySet[Question], value: bool
    ) -> int:
        done = 0
        for question in self._editable(request, queryset).filter(needs_follow_up=not value):
            services.question_update(actor=request.user, question=question, needs_follow_up=value)
            done += 1
        return done

    @admin.action(permissions=["change"], description=_("Mark for follow-up"))
    def mark_follow_up(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        done = self._set_follow_up(request, queryset, True)
        self.message_user(
            request,
            ngettext(
                "%d question marked for follow-up.", "%d questions marked for follow-up.", done
            )
            % done,
            messages.SUCCESS,
        )

    @admin.action(permissions=["change"], description=_("Follow-up done"))
    def clear_follow_up(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        done = self._set_follow_up(request, queryset, False)
        self.message_user(
            request,
            ngettext(
                "%d question no longer needs a follow-up.",
                "%d questions no longer need a follow-up.",
                done,
            )
            % done,
            messages.SUCCESS,
        )

    # -- extra views --------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "unanswered/",
                self.admin_site.admin_view(self.unanswered_view),
                name="{}_{}_unanswered".format(*info),
            ),
            path(
                "fact-choices/<int:prospect_id>/",
                self.admin_site.admin_view(self.fact_choices_view),
                name="{}_{}_fact_choices".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "unanswered_url": reverse(f"{self.admin_site.name}:promotion_question_unanswered"),
        }
        return super().changelist_view(request, extra_context)

    def unanswered_view(self, request: HttpRequest) -> HttpResponse:
        """The most-asked questions the region cannot answer yet: what staff should
        research next. Unanswered questions (no published fact attached) of every
        partner of the user's regions, grouped by normalised text (case, accents and
        punctuation folded), with how often and by how many prospects each was asked and
        when last.

        Confidentiality: a question's text may itself name a company, so a group's text
        is shown only when at least one of its questions was asked by a prospect the
        user may see (``question_visible_to``), and then in that question's own wording.
        The rest are given as counts only, in one line: no text, and never a prospect,
        company, codename or partner of another partner's question on this page.
        """
        if not self.has_view_permission(request):
            raise PermissionDenied
        report = unanswered_questions(user=request.user)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Most-asked questions the region cannot answer yet"),
            "report": report,
            "several_regions": len({row.region.pk for row in report.rows}) > 1,
            "changelist_url": reverse(f"{self.admin_site.name}:promotion_question_changelist"),
        }
        return TemplateResponse(request, "admin/promotion/question/unanswered.html", context)

    def fact_choices_view(self, request: HttpRequest, prospect_id: int) -> JsonResponse:
        """The facts autocomplete of ``FactChoicesWidget``: published facts of the
        prospect's region, for those who may change the prospect's questions."""
        prospect = (
            prospect_editable_identified_by(user=request.user)
            .select_related("partner")
            .filter(pk=prospect_id)
            .first()
        )
        if prospect is None or not _staff(request):
            raise Http404
        facts = fact_choices_for(prospect=prospect)
        for term in request.GET.get("term", "").split():
            facts = facts.filter(
                Q(key__icontains=term)
                | Q(text_en__icontains=term)
                | Q(text_es__icontains=term)
                | Q(source__title__icontains=term)
            )
        try:
            page = max(int(request.GET.get("page") or 1), 1)
        except ValueError:
            page = 1
        size = 20
        rows = list(facts.order_by("key")[(page - 1) * size : page * size + 1])
        return JsonResponse(
            {
                "results": [{"id": str(fact.pk), "text": str(fact)} for fact in rows[:size]],
                "pagination": {"more": len(rows) > size},
            }
        )


class MembershipForm(forms.ModelForm):
    """Names the user by login (the host's USERNAME_FIELD), not from a list of users."""

    login = forms.CharField(label=_("login"), max_length=254)

    class Meta:
        model = PartnerMembership
        fields = ["partner", "role"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = get_user_model().USERNAME_FIELD
        if self.instance.pk:
            self.fields["login"].initial = getattr(self.instance.user, field)
            self.fields["login"].disabled = True

    def clean_login(self) -> Any:
        if self.instance.pk:
            return self.instance.user
        user_model = get_user_model()
        user = user_model._default_manager.filter(
            **{user_model.USERNAME_FIELD: self.cleaned_data["login"]}
        ).first()
        if user is None:
            raise ValidationError(_("No user has this login."))
        return user

    def _post_clean(self) -> None:
        user = self.cleaned_data.get("login")
        if user is not None:
            self.instance.user = user
        super()._post_clean()


@admin.register(PartnerMembership)
class PartnerMembershipAdmin(ScopedViews, admin.ModelAdmin):
    """Managers keep their partner's staff list; everyone sees their colleagues."""

    form = MembershipForm
    list_display = ["user", "partner", "role", "created_at"]
    list_filter = ["role", ("partner", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user", "partner"]

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return [f"user__{get_user_model().USERNAME_FIELD}"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PartnerMembership]:
        return membership_visible_to(user=request.user)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["login", "partner", "role"]

    def _managed(self, request: HttpRequest) -> QuerySet[Any]:
        return partners_of(user=request.user, role=PartnerRole.MANAGER)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _staff(request) and _has_role(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _staff(request) and _has_role(request, PartnerRole.MANAGER)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not _staff(request):
            return False
        if obj is None:
            return _has_role(request, PartnerRole.MANAGER)
        return self._managed(request).filter(pk=obj.partner_id).exists()

    has_delete_permission = has_change_permission

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["partner"] if obj is not None else []

    def save_model(
        self, request: HttpRequest, obj: PartnerMembership, form: Any, change: bool
    ) -> None:
        saved = services.membership_add(partner=obj.partner, user=obj.user, role=obj.role)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: PartnerMembership) -> None:
        services.membership_remove(partner=obj.partner, user=obj.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[PartnerMembership]) -> None:
        for membership in queryset.filter(partner__in=self._managed(request)):
            self.delete_model(request, membership)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "partner":
            kwargs["queryset"] = self._managed(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
