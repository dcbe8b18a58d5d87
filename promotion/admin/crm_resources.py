"""Import and export of prospects and contacts (django-import-export), scoped to a user.

import-export's defaults are not tenant-aware: ``ModelResource.get_queryset()`` and
``ForeignKeyWidget.get_queryset()`` return ``objects.all()``, so an ``id`` column could
update another partner's row. Here every lookup goes through the selectors, an ``id`` the
user may not edit is refused with the same message as a missing one, and rows are saved
through the services. Files are read as UTF-8 (with or without BOM) or Windows-1252
(Excel's "CSV" on Windows); anything else is refused with a message that says what to do.
Exported text that a spreadsheet would run as a formula is prefixed with a quote.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.formats.base_formats import CSV, XLSX
from import_export.resources import Diff

from promotion.models import Contact, PartnerRole, Prospect
from promotion.selectors.crm import (
    contact_visible_to,
    partners_of,
    prospect_editable_by,
    prospect_editable_identified_by,
    prospect_identified_for,
)
from promotion.services import crm as services
from promotion.services.imports import (
    ContactImport,
    ProspectImport,
    contact_import_start,
    prospect_import_start,
)

# OWASP (ASVS 5.0 V1.2.10): a cell starting with one of these is run as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")


def neutralise_formula(value: Any) -> Any:
    """Prefix text a spreadsheet would read as a formula with ``'``; numbers pass."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


# Control characters XML 1.0 cannot hold: one of them in any cell made the whole XLSX
# export fail (openpyxl's IllegalCharacterError). They leave as U+FFFD in both formats.
_ILLEGAL_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def export_text(value: Any) -> Any:
    """A value as it leaves in an export: formulas neutralised, then the control
    characters a spreadsheet cannot hold replaced with U+FFFD."""
    value = neutralise_formula(value)
    if isinstance(value, str):
        return _ILLEGAL_IN_XML.sub("\ufffd", value)
    return value


class ImportFileError(ValueError):
    """The file cannot be read; the message says why and what to do."""


# Limits on an import file, checked before it is parsed: its size, and for an XLSX (a
# zip) the size its parts decompress to and how many there are, read from the zip's
# directory before anything is decompressed (a zip bomb is a few kB on the wire).
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_XLSX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_XLSX_MEMBERS = 200
# A CSV field longer than this is refused (no text field of the CRM holds more).
MAX_CSV_FIELD = 10_000


def check_size(data: bytes | str) -> None:
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(
            _(
                "This file is too large to import (more than %(mb)s MB). Split it and "
                "import each part."
            )
            % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)}
        )


def check_xlsx(data: bytes) -> None:
    """Refuse an XLSX that is not a zip, has too many parts or would decompress to too
    much, from the zip's directory alone."""
    check_size(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportFileError(
            _("This file is not an Excel workbook (.xlsx). Save it as one and import it again.")
        ) from None
    if len(members) > MAX_XLSX_MEMBERS:
        raise ImportFileError(_("This workbook has too many parts to be a spreadsheet of rows."))
    if sum(member.file_size for member in members) > MAX_XLSX_UNCOMPRESSED:
        raise ImportFileError(
            _(
                "This workbook is too large once uncompressed (more than %(mb)s MB). Split "
                "it and import each part."
            )
            % {"mb": MAX_XLSX_UNCOMPRESSED // (1024 * 1024)}
        )


class EncodingAwareCSV(CSV):
    """CSV read as bytes and decoded here: UTF-8 (BOM or not), else Windows-1252."""

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> tablib.Dataset:
        check_size(in_stream)
        text = decode_csv(in_stream)
        # The csv module's own limit (128 kB a field) would fail the whole file with an
        # error naming nothing; a long field is refused here with a message instead.
        for line_number, line in enumerate(text.splitlines(), start=1):
            if len(line) > MAX_CSV_FIELD and any(
                len(cell) > MAX_CSV_FIELD for cell in line.split(",")
            ):
                raise ImportFileError(
                    _(
                        "Line %(line)s holds a value longer than %(limit)s characters; no "
                        "field takes that much. Correct the file and import it again."
                    )
                    % {"line": line_number, "limit": MAX_CSV_FIELD}
                )
        return super().create_dataset(text, **kwargs)


class CheckedXLSX(XLSX):
    """XLSX checked for size and zip bombs before openpyxl opens it."""

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> tablib.Dataset:
        check_xlsx(in_stream if isinstance(in_stream, bytes) else bytes(in_stream))
        return super().create_dataset(in_stream, **kwargs)


def decode_csv(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:200]:
        raise ImportFileError(
            _(
                'This file is UTF-16 text (Excel\'s "Unicode text"). Save it as '
                '"CSV UTF-8" and import it again.'
            )
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFileError(
            _(
                "This file is neither UTF-8 nor Windows-1252 (Excel) text. Save it as "
                '"CSV UTF-8" and import it again.'
            )
        ) from None


class _Refused:
    def __init__(self, message: str) -> None:
        self.message = message


class ScopedForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key looked up in a queryset given per import (the user's scope), each
    value once per import: a file names the same few partners on thousands of rows."""

    def __init__(self, model: Any, field: str = "pk", **kwargs: Any) -> None:
        self._scoped_queryset: QuerySet[Any] | None = None
        self.found: dict[str, Any] = {}
        super().__init__(model, field=field, **kwargs)

    @property
    def scoped_queryset(self) -> QuerySet[Any] | None:
        return self._scoped_queryset

    @scoped_queryset.setter
    def scoped_queryset(self, queryset: QuerySet[Any] | None) -> None:
        self._scoped_queryset = queryset
        self.found = {}  # a new import, maybe by another user: nothing is reused

    def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> QuerySet[Any]:
        if self.scoped_queryset is None:
            return self.model._default_manager.none()
        return self.scoped_queryset

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        key = str(value)
        if key not in self.found:
            try:
                self.found[key] = super().clean(value, row, **kwargs)
            except self.model.DoesNotExist:
                self.found[key] = _Refused(_("%(value)s is not one of yours.") % {"value": value})
            except ValueError as exc:  # a malformed value: said as the library says it
                self.found[key] = _Refused(str(exc))
        found = self.found[key]
        if isinstance(found, _Refused):
            raise ValueError(found.message)
        return found


class ScopedDiff(Diff):
    """The import preview's before and after columns, read the way the export reads
    them (through the resource's ``dehydrate_*`` methods and formula escaping).
    import-export's own ``Diff`` reads every field raw, so a row naming a prospect shared
    by its codename only showed its company and notes in the preview."""

    def __init__(self, resource: Any, instance: Any, new: bool) -> None:
        self.left = self._read(resource, instance)
        self.right: list[Any] = []
        self.new = new

    def compare_with(self, resource: Any, instance: Any) -> None:
        self.right = self._read(resource, instance)

    @staticmethod
    def _read(resource: Any, instance: Any) -> list[Any]:
        return [resource.export_field(f, instance) for f in resource.get_import_fields()]


class ScopedResource(resources.ModelResource):
    """Base: knows its user; refuses ids outside the user's scope; neutralises formulas."""

    def get_diff_class(self) -> type[Diff]:
        return ScopedDiff

    def __init__(self, user: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user = user
        self.seen_keys: set[Any] = set()

    def scoped_queryset(self) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        return self.scoped_queryset()

    def before_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        self.user = kwargs.get("user", self.user)
        self.seen_keys = set()
        super().before_import(dataset, **kwargs)

    def get_or_init_instance(self, instance_loader: Any, row: Any) -> tuple[Any, bool]:
        pk = row.get("id")
        if pk not in (None, ""):
            if ("id", str(pk)) in self.seen_keys:
                raise ValidationError(
                    {"id": _("The id %(id)s appears twice in this file.") % {"id": pk}}
                )
            self.seen_keys.add(("id", str(pk)))
            instance = self.get_instance(instance_loader, row)
            if instance is None:
                # The same message whether the row is someone else's or missing.
                raise ValidationError(
                    {"id": _("No record with id %(id)s among yours.") % {"id": pk}}
                )
            return instance, False
        return self.init_instance(row), True

    def import_field(
        self, field: Any, instance: Any, row: Any, is_m2m: bool = False, **kwargs: Any
    ) -> None:
        if field.attribute == "id":
            return  # never set a primary key from a file
        value = row.get(field.column_name)
        if isinstance(value, str):
            if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
                row[field.column_name] = value[1:]  # our own export, round-tripped
            elif value.startswith("="):
                raise ValidationError(
                    {
                        field.attribute: _(
                            "This looks like a spreadsheet formula; enter the value itself."
                        )
                    }
                )
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        errors: dict[str, Any] = {}
        for field in self.get_import_fields():
            if field.attribute == "id" or field.column_name not in row:
                continue
            try:
                self.import_field(field, instance, row, **kwargs)
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
            except ValueError as exc:
                errors[field.attribute] = [str(exc)]
        if errors:
            raise ValidationError(errors)

    def export_field(self, field: Any, instance: Any, **kwargs: Any) -> Any:
        value = super().export_field(field, instance, **kwargs)
        if isinstance(field.widget, widgets.NumberWidget):
            return value  # numbers stay numbers, negative ones included
        return export_text(value)

    def save_instance(self, instance: Any, is_create: bool, row: Any, **kwargs: Any) -> None:
        try:
            self.save_through_services(instance, is_create)
        except PermissionDenied as exc:
            raise ValidationError(str(exc)) from None

    def save_through_services(self, instance: Any, is_create: bool) -> None:
        raise NotImplementedError


class ProspectResource(ScopedResource):
    importing: ProspectImport | None = None  # during an import only

    partner = fields.Field(
        attribute="partner",
        column_name="partner",
        widget=ScopedForeignKeyWidget(
            Prospect._meta.get_field("partner").related_model, field="slug"
        ),
    )

    class Meta:
        model = Prospect
        fields = (
            "id",
            "partner",
            "company_name",
            "codename",
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
            "first_inquiry_on",
            "site_needs",
            "site_kind",
            "site_min_area_m2",
            "site_max_area_m2",
            "notes",
        )
        export_order = fields
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = False
        skip_diff = False

    def scoped_queryset(self) -> QuerySet[Prospect]:
        return prospect_editable_by(user=self.user)

    def before_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        super().before_import(dataset, **kwargs)
        headers = dataset.headers or []
        # What every row needs, read once for the whole file (services.imports).
        self.importing = prospect_import_start(
            actor=self.user,
            ids=dataset["id"] if "id" in headers else (),
            companies=dataset["company_name"] if "company_name" in headers else (),
        )
        self.fields["partner"].widget.scoped_queryset = partners_of(
            user=self.user, role=PartnerRole.EDITOR
        )

    def get_instance(self, instance_loader: Any, row: Any) -> Prospect | None:
        return self.importing.stored_copy(row.get("id")) if self.importing else None

    def import_instance(self, instance: Prospect, row: Any, **kwargs: Any) -> None:
        importing = self.importing
        assert importing is not None  # set by before_import
        errors: dict[str, Any] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if instance.pk is not None:
            importing.lock_what_the_actor_may_not_write(instance)
        if instance.partner_id is None and "partner" not in errors:
            partner = importing.default_partner()
            if partner is not None:
                instance.partner = partner
            else:
                errors["partner"] = [_("Give the partner's slug.")]
        importing.prepare(instance)
        if importing.is_owner_staff(instance.partner_id) and instance.company_name:
            key = (instance.partner_id, instance.company_name.strip().casefold(), instance.country)
            if key in self.seen_keys:
                errors.setdefault("company_name", []).append(
                    _("The same company and country appear twice in this file.")
                )
            self.seen_keys.add(key)
            same = importing.company_taken(instance)
            if same is not None:
                errors.setdefault("company_name", []).append(
                    _(
                        "This partner already has a prospect with this company and country "
                        "(%(codename)s)."
                    )
                    % {"codename": same}
                )
        if errors:
            raise ValidationError(errors)

    def validate_instance(
        self,
        instance: Prospect,
        import_validation_errors: dict[str, Any] | None = None,
        validate_unique: bool = True,
    ) -> None:
        # Once per row (the services would run full_clean again before saving).
        assert self.importing is not None
        self.importing.validate(instance, import_validation_errors)

    def save_through_services(self, instance: Prospect, is_create: bool) -> None:
        assert self.importing is not None
        self.importing.save(instance, is_create=is_create)

    def after_import(self, dataset: tablib.Dataset, result: Any, **kwargs: Any) -> None:
        # The rows' history and stage changes; a preview is rolled back whole, so it
        # has nothing more to write.
        if self.importing is not None and not kwargs.get("dry_run"):
            self.importing.finish()
        super().after_import(dataset, result, **kwargs)
        self.importing = None

    def dehydrate_company_name(self, prospect: Prospect) -> str:
        return prospect.company_name if self._identified(prospect) else ""

    def dehydrate_notes(self, prospect: Prospect) -> str:
        return prospect.notes if self._identified(prospect) else ""

    def _identified(self, prospect: Prospect) -> bool:
        if prospect.pk is None:  # a new row of the file: the user's own input
            return True
        if hasattr(prospect, "identity_visible"):  # annotated by the admin's queryset
            return bool(prospect.identity_visible)
        if getattr(self, "importing", None) is not None:  # the import preview's diff
            return self.importing.is_identified(prospect)
        return prospect_identified_for(user=self.user).filter(pk=prospect.pk).exists()


class ContactResource(ScopedResource):
    importing: ContactImport | None = None  # during an import only

    prospect = fields.Field(
        attribute="prospect",
        column_name="prospect",
        widget=ScopedForeignKeyWidget(Prospect),
    )

    class Meta:
        model = Contact
        fields = ("id", "prospect", "name", "title", "email", "phone", "language", "notes")
        export_order = fields
        clean_model_instances = True
        use_transactions = True
        skip_diff = False

    def scoped_queryset(self) -> QuerySet[Contact]:
        return contact_visible_to(user=self.user).filter(
            prospect__in=prospect_editable_by(user=self.user)
        )

    def before_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        super().before_import(dataset, **kwargs)
        self.fields["prospect"].widget.scoped_queryset = prospect_editable_identified_by(
            user=self.user
        )
        headers = dataset.headers or []
        self.importing = contact_import_start(
            actor=self.user, emails=dataset["email"] if "email" in headers else ()
        )

    def import_instance(self, instance: Contact, row: Any, **kwargs: Any) -> None:
        importing = self.importing
        assert importing is not None  # set by before_import
        errors: dict[str, Any] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        email = (instance.email or "").strip().casefold()
        if email:
            if email in self.seen_keys:
                errors.setdefault("email", []).append(
                    _("The same e-mail appears twice in this file.")
                )
            self.seen_keys.add(email)
            if importing.email_taken(instance.email, instance.pk):
                errors.setdefault("email", []).append(
                    _("A contact with this e-mail already exists.")
                )
        if errors:
            raise ValidationError(errors)

    def validate_instance(
        self, instance: Contact, import_validation_errors: Any = None, validate_unique: bool = True
    ) -> None:
        errors = dict(import_validation_errors or {})
        exclude = set(errors)
        if instance.prospect_id in self._prospects_found():
            # Found in the user's scope by the prospect column's widget: Django's check
            # that the row exists would read it again, once a row.
            exclude.add("prospect")
        try:
            instance.full_clean(exclude=exclude, validate_unique=validate_unique)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _prospects_found(self) -> set[int]:
        found = self.fields["prospect"].widget.found.values()
        return {prospect.pk for prospect in found if isinstance(prospect, Prospect)}

    def save_through_services(self, instance: Contact, is_create: bool) -> None:
        assert self.importing is not None  # set by before_import
        if not self.importing.may_write_for(instance.prospect_id):
            raise PermissionDenied(services.NOT_ALLOWED)
        instance.save()

    def after_import(self, dataset: tablib.Dataset, result: Any, **kwargs: Any) -> None:
        super().after_import(dataset, result, **kwargs)
        self.importing = None


IMPORT_FORMATS = [EncodingAwareCSV, CheckedXLSX]
EXPORT_FORMATS = [CSV, XLSX]
