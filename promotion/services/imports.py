"""Prospect and contact imports (files of thousands of rows): what every row needs is read once.

A row saved through ``prospect_insert``/``prospect_update`` costs a dozen queries before
it is written: the actor's partners, the stored row, ``full_clean`` (a query per foreign
key and per constraint), and the import library had already run ``full_clean`` once.
``ProspectImport`` reads, at the start of one import and through the same selectors,
the partners the actor edits for, the rows named by id that the actor may edit (locked
for the import's transaction), which of them show their company, and the stored
companies and codenames the file's rows could clash with. Each row is then validated
once (``validate``) and written (``save``); the rows' history and stage changes are
written together at the end (``finish``): a few queries a row, whatever the size of the
file. The rules are those of the services.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from promotion.models import Partner, PartnerRole, Prospect, StageChange
from promotion.selectors.crm import (
    contact_visible_to,
    partners_of,
    prospect_editable_by,
    prospect_identified_for,
)
from promotion.services.crm import (
    NOT_ALLOWED,
    _stage_recorded,
    _user_or_none,
    codename_candidates,
)

# Only the owner partner's staff may change these (as in the API): the database checks
# them for uniqueness within the owner, so a refusal would tell a partner holding an
# edit share which companies and codenames the owner has.
OWNER_ONLY_FIELDS = ("company_name", "codename")
# Shown only where the company is (``can_see_identity``): never written from a file
# by someone who sees the codename only (the export gave them blank).
IDENTITY_FIELDS = ("company_name", "notes")
# Ids and names are looked up in chunks: SQLite caps the parameters of one query.
CHUNK = 500
# Checked here from what was read once (``company_name`` below, the codename from the
# partner's codenames), or by ``Prospect.clean`` in Python: the other constraints of the
# model, if any are added, are still validated by Django, query and all.
COMPANY_CONSTRAINT = "promotion_prospect_unique_company"
CODENAME_CONSTRAINT = "promotion_prospect_unique_codename"
CHECKED_IN_CLEAN = ("promotion_prospect_lost_reason", "promotion_prospect_site_area_ordered")


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _db_lower(text: str) -> str:
    """``LOWER()`` as the database computes it for the unique-company constraint:
    SQLite lowers ASCII letters only."""
    if connection.vendor == "sqlite":
        return "".join(c.lower() if c.isascii() else c for c in text)
    return text.lower()


def _as_pk(value: Any) -> int | None:
    """An id as the file gives it: ``12``, ``"12"``, or ``12.0`` from a spreadsheet."""
    try:
        number = Decimal(str(value).strip())
        return int(number) if number == number.to_integral_value() else None
    except (ArithmeticError, TypeError, ValueError):
        return None


class ProspectImport:
    """One import of prospects by ``actor``. Build it with ``prospect_import_start``
    inside the import's transaction; then, for each row, ``stored_copy`` (a row named by
    id), ``prepare``, ``validate`` and ``save``; at the end, ``finish``."""

    def __init__(
        self,
        *,
        actor: Any,
        partners: dict[int, Partner],
        stored: dict[int, Prospect],
        identified: set[int],
        companies: dict[tuple[int, str, str], Prospect],
    ) -> None:
        self.actor = actor
        self.partners = partners
        self.stored = stored
        self.identified = identified
        self.companies = companies
        self.created: set[int] = set()
        self._codenames: dict[int, tuple[dict[str, int | None], Iterator[str]]] = {}
        self._validated: set[int] = set()
        self._inserted: list[Prospect] = []
        self._updated: list[Prospect] = []
        self._stage_changes: list[StageChange] = []

    # --- reading -----------------------------------------------------------------------

    def stored_copy(self, value: Any) -> Prospect | None:
        """A copy of the row with id ``value`` if the actor may edit it, else None
        (missing and not the actor's read the same)."""
        pk = _as_pk(value)
        stored = self.stored.get(pk) if pk is not None else None
        return copy.copy(stored) if stored is not None else None

    def is_owner_staff(self, partner_id: int | None) -> bool:
        """Whether the actor edits for ``partner_id`` (not merely through a share)."""
        return partner_id is not None and partner_id in self.partners

    def default_partner(self) -> Partner | None:
        """The partner of a row that names none: the actor's only one, if one."""
        return next(iter(self.partners.values())) if len(self.partners) == 1 else None

    def is_identified(self, prospect: Prospect) -> bool:
        """Whether the actor may see the company of ``prospect`` (a row of the file, a
        row it names by id, or one this import created)."""
        if prospect.pk is None or prospect.pk in self.created:
            return True
        if prospect.pk in self.stored:
            return prospect.pk in self.identified
        return prospect_identified_for(user=self.actor).filter(pk=prospect.pk).exists()

    @staticmethod
    def _company_key(prospect: Prospect) -> tuple[int, str, str]:
        return (prospect.partner_id, _db_lower(prospect.company_name), prospect.country)

    def company_taken(self, prospect: Prospect) -> Prospect | None:
        """The stored prospect of the same partner with this company and country."""
        same = self.companies.get(self._company_key(prospect))
        return same if same is not None and same.pk != prospect.pk else None

    def _codenames_of(self, partner_id: int) -> tuple[dict[str, int | None], Iterator[str]]:
        if partner_id not in self._codenames:
            used = dict(
                Prospect.objects.filter(partner_id=partner_id).values_list("codename", "pk")
            )
            self._codenames[partner_id] = (used, codename_candidates())
        return self._codenames[partner_id]

    def codename_for(self, partner: Partner) -> str:
        """The next codename of ``partner`` free in the database and in this import."""
        used, candidates = self._codenames_of(partner.pk)
        name = next(name for name in candidates if name not in used)
        used[name] = None
        return name

    # --- each row ----------------------------------------------------------------------

    def lock_what_the_actor_may_not_write(self, prospect: Prospect) -> None:
        """A row updating a stored prospect through a share: the owner-only fields, and
        the identity where the share shows the codename only, keep their stored values
        (ignored, as the API ignores them), so no row can probe the owner's data."""
        stored = self.stored.get(prospect.pk)  # type: ignore[arg-type]
        if stored is None:
            return
        locked: list[str] = []
        if not self.is_owner_staff(stored.partner_id):
            locked += OWNER_ONLY_FIELDS
        if stored.pk not in self.identified:
            locked += IDENTITY_FIELDS
        for name in locked:
            setattr(prospect, name, getattr(stored, name))

    def prepare(self, prospect: Prospect) -> None:
        """What ``prospect_insert`` fills in on a new row, filled before validation."""
        if prospect.pk is not None:
            return
        if prospect.partner_id is not None and not prospect.codename:
            prospect.codename = self.codename_for(prospect.partner)
        if prospect.created_by_id is None and getattr(self.actor, "pk", None):
            prospect.created_by = self.actor
        if prospect.first_inquiry_on is None:
            prospect.first_inquiry_on = timezone.localdate()

    def validate(self, prospect: Prospect, errors: dict[str, Any] | None = None) -> None:
        """``full_clean`` once, with ``errors`` already found: the owner partner comes
        from this import's partners and the creator is the actor, so their foreign keys
        are not read again; the unique constraints are checked against what was read
        once (and by Django where a clash is possible, for its message)."""
        errors = dict(errors or {})
        exclude = {*errors, "partner", "created_by"}
        try:
            prospect.full_clean(exclude=exclude, validate_constraints=False)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        exclude = {*errors}
        for constraint in Prospect._meta.constraints:
            if constraint.name in CHECKED_IN_CLEAN or not self._may_clash(constraint, prospect):
                continue
            try:
                constraint.validate(Prospect, prospect, exclude=exclude)
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
        self._validated.add(id(prospect))

    def _may_clash(self, constraint: Any, prospect: Prospect) -> bool:
        if constraint.name == COMPANY_CONSTRAINT:
            return self.company_taken(prospect) is not None
        if constraint.name == CODENAME_CONSTRAINT:
            if prospect.partner_id is None:
                return False
            used, _candidates = self._codenames_of(prospect.partner_id)
            return used.get(prospect.codename, prospect.pk) not in (prospect.pk, None)
        return True

    def save(self, prospect: Prospect, *, is_create: bool) -> Prospect:
        """Write a row that passed ``validate``: a new prospect with its first stage, or
        the change of a stored one (its stage change recorded), as the services do."""
        if id(prospect) not in self._validated:
            raise ValueError("Validate the row before saving it.")
        self._validated.discard(id(prospect))
        with transaction.atomic(savepoint=False):
            # Its history is written with the others' by ``finish``.
            prospect.skip_history_when_saving = True  # type: ignore[attr-defined]
            if is_create:
                if not self.is_owner_staff(prospect.partner_id):
                    raise PermissionDenied(_("You may not add prospects for this partner."))
                prospect.save(force_insert=True)
                self.created.add(prospect.pk)
                from_stage = ""
            else:
                stored = self.stored.get(prospect.pk)  # type: ignore[arg-type]
                if stored is None:
                    raise PermissionDenied(NOT_ALLOWED)
                if prospect.partner_id != stored.partner_id:
                    raise ValidationError(
                        {"partner": _("A prospect's owner partner cannot change.")}
                    )
                prospect.save()
                from_stage = stored.stage
                old_key = self._company_key(stored)
                if getattr(self.companies.get(old_key), "pk", None) == stored.pk:
                    del self.companies[old_key]
            # What later rows of the file are checked against.
            self.companies[self._company_key(prospect)] = prospect
            self._codenames_of(prospect.partner_id)[0][prospect.codename] = prospect.pk
            del prospect.skip_history_when_saving
            (self._updated if not is_create else self._inserted).append(prospect)
            if prospect.stage != from_stage:
                self._stage_changes.append(
                    StageChange(
                        prospect=prospect,
                        from_stage=from_stage,
                        to_stage=prospect.stage,
                        changed_at=timezone.now(),
                        changed_by=_user_or_none(self.actor),
                    )
                )
        return prospect

    @transaction.atomic
    def finish(self) -> None:
        """Write what the saved rows still owe, a few queries for the whole file: their
        history (by the actor) and their stage changes, each announced on commit as
        the services announce them."""
        actor = _user_or_none(self.actor)
        history = Prospect.history  # type: ignore[attr-defined]
        history.bulk_history_create(self._inserted, batch_size=CHUNK, default_user=actor)
        history.bulk_history_create(
            self._updated, batch_size=CHUNK, update=True, default_user=actor
        )
        for change in StageChange.objects.bulk_create(self._stage_changes, batch_size=CHUNK):
            _stage_recorded(change)
        self._inserted, self._updated, self._stage_changes = [], [], []


def prospect_import_start(
    *, actor: Any, ids: Iterable[Any] = (), companies: Iterable[Any] = ()
) -> ProspectImport:
    """Read what the rows of one import need: the partners ``actor`` edits for, the
    prospects among ``ids`` (the file's id column) that ``actor`` may edit, locked until
    the import's transaction ends, which of those show their company to ``actor``, and
    the stored prospects of those partners whose company is one of ``companies``."""
    partners = {partner.pk: partner for partner in partners_of(user=actor, role=PartnerRole.EDITOR)}
    pks = sorted({pk for pk in map(_as_pk, ids) if pk is not None})
    stored: dict[int, Prospect] = {}
    identified: set[int] = set()
    for chunk in _chunks(pks):
        stored.update(
            (prospect.pk, prospect)
            for prospect in prospect_editable_by(user=actor)
            .filter(pk__in=chunk)
            .select_for_update(of=("self",))
        )
        identified.update(
            prospect_identified_for(user=actor).filter(pk__in=chunk).values_list("pk", flat=True)
        )
    for prospect in stored.values():
        if prospect.partner_id in partners:
            prospect.partner = partners[prospect.partner_id]
    names = sorted({_db_lower(str(name)) for name in companies if name not in (None, "")})
    taken: dict[tuple[int, str, str], Prospect] = {}
    for chunk in _chunks(names):
        for prospect in (
            Prospect.objects.filter(partner_id__in=list(partners))
            .alias(lowered=Lower("company_name"))
            .filter(lowered__in=chunk)
            .only("pk", "partner_id", "company_name", "country", "codename")
        ):
            taken[ProspectImport._company_key(prospect)] = prospect
    return ProspectImport(
        actor=actor, partners=partners, stored=stored, identified=identified, companies=taken
    )


class ContactImport:
    """One import of contacts by ``actor``: the stored e-mails the file's rows could
    repeat and the prospects the actor may write contacts for, read once (a file names
    the same few prospects on many rows). Build it with ``contact_import_start``."""

    def __init__(self, *, actor: Any, emails: dict[str, set[int]]) -> None:
        self.actor = actor
        self.emails = emails
        self._editable: dict[int, bool] = {}

    @staticmethod
    def _email_key(email: str) -> str:
        return _db_lower(email.strip())

    def email_taken(self, email: str, pk: int | None) -> bool:
        """Whether another contact the actor sees has ``email`` (whatever its case).
        Only those the actor sees: a refusal must not reveal another partner's."""
        return bool(self.emails.get(self._email_key(email), set()) - {pk})

    def may_write_for(self, prospect_id: int | None) -> bool:
        """Whether the actor may write contacts of prospect ``prospect_id``."""
        if prospect_id is None:
            return False
        if prospect_id not in self._editable:
            self._editable[prospect_id] = (
                prospect_editable_by(user=self.actor).filter(pk=prospect_id).exists()
            )
        return self._editable[prospect_id]


def contact_import_start(*, actor: Any, emails: Iterable[Any] = ()) -> ContactImport:
    """Read what the rows of one contact import need: the contacts ``actor`` sees whose
    e-mail is one of ``emails`` (the file's e-mail column), whatever its case."""
    keys = sorted(
        {ContactImport._email_key(str(email)) for email in emails if email not in (None, "")}
    )
    stored: dict[str, set[int]] = {}
    for chunk in _chunks(keys):
        for pk, email in (
            contact_visible_to(user=actor)
            .filter(prospect__in=prospect_editable_by(user=actor))
            .alias(lowered=Lower("email"))
            .filter(lowered__in=chunk)
            .values_list("pk", "email")
        ):
            stored.setdefault(ContactImport._email_key(email), set()).add(pk)
    return ContactImport(actor=actor, emails=stored)
