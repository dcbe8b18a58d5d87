"""Writes to CRM data. Each service checks the actor's rights through the selectors.

Refusals raise ``django.core.exceptions.PermissionDenied``; a prospect the actor cannot
see is refused with the same message as one it may not change, so a refusal never tells
whether another partner's record exists.
"""

from __future__ import annotations

import datetime
import itertools
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from promotion.models import (
    Contact,
    Fact,
    FactStatus,
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
from promotion.selectors.crm import (
    contact_visible_to,
    partners_of,
    prospect_editable_by,
    prospect_editable_identified_by,
    prospect_managed_by,
)
from promotion.signals import prospect_stage_changed, send_on_commit

logger = logging.getLogger(__name__)

NOT_ALLOWED = "You may not change this prospect."

# Codenames are drawn from this list: neutral, and saying nothing about the company.
CODENAME_WORDS = (
    "Albatross",
    "Condor",
    "Egret",
    "Falcon",
    "Gannet",
    "Heron",
    "Ibis",
    "Kestrel",
    "Lark",
    "Merlin",
    "Osprey",
    "Pelican",
    "Plover",
    "Quail",
    "Raven",
    "Swift",
    "Tern",
    "Wren",
)


def _require(allowed: bool, message: str = NOT_ALLOWED) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _require_editable(*, actor: Any, prospect: Prospect) -> None:
    _require(prospect_editable_by(user=actor).filter(pk=prospect.pk).exists())


@transaction.atomic
def membership_add(
    *, partner: Partner, user: Any, role: str = PartnerRole.VIEWER
) -> PartnerMembership:
    """Put ``user`` on ``partner``'s staff with ``role`` (or change the role)."""
    membership, _created = PartnerMembership.objects.update_or_create(
        partner=partner, user=user, defaults={"role": PartnerRole(role)}
    )
    return membership


@transaction.atomic
def membership_remove(*, partner: Partner, user: Any) -> bool:
    """Take ``user`` off ``partner``'s staff. False if the user was not on it."""
    deleted, _details = PartnerMembership.objects.filter(partner=partner, user=user).delete()
    return bool(deleted)


def codename_candidates() -> Iterator[str]:
    """Every codename in the order they are offered: "Project Albatross"… "Project Wren",
    "Project Albatross 2"…"""
    for number in itertools.count(1):
        for word in CODENAME_WORDS:
            yield f"Project {word}" if number == 1 else f"Project {word} {number}"


def codename_suggest(*, partner: Partner) -> str:
    """A codename not yet used by the partner: "Project Falcon", "Project Falcon 2"…"""
    used = set(Prospect.objects.filter(partner=partner).values_list("codename", flat=True))
    return next(name for name in codename_candidates() if name not in used)


@transaction.atomic
def prospect_insert(*, actor: Any, prospect: Prospect) -> Prospect:
    """Save a new prospect built by a form or an import: checks that the actor edits for
    its partner, fills the codename, validates, and records the first stage."""
    _require(
        prospect.partner_id is not None
        and partners_of(user=actor, role=PartnerRole.EDITOR)
        .filter(pk=prospect.partner_id)
        .exists(),
        _("You may not add prospects for this partner."),
    )
    if not prospect.codename:
        prospect.codename = codename_suggest(partner=prospect.partner)
    if prospect.created_by_id is None and getattr(actor, "pk", None):
        prospect.created_by = actor
    if prospect.first_inquiry_on is None:
        prospect.first_inquiry_on = timezone.localdate()
    prospect.full_clean()
    prospect.save()
    change = StageChange.objects.create(
        prospect=prospect, from_stage="", to_stage=prospect.stage, changed_by=_user_or_none(actor)
    )
    _stage_recorded(change)
    return prospect


@transaction.atomic
def prospect_create(*, actor: Any, partner: Partner, company_name: str, **fields: Any) -> Prospect:
    """Create a prospect of ``partner``; ``fields`` are other Prospect fields."""
    localities = fields.pop("site_localities", None)
    prospect = prospect_insert(
        actor=actor, prospect=Prospect(partner=partner, company_name=company_name, **fields)
    )
    if localities is not None:
        prospect.site_localities.set(localities)
    return prospect


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _stage_recorded(change: StageChange) -> None:
    # Every StageChange row the services write is announced, once the transaction commits.
    send_on_commit(
        prospect_stage_changed,
        sender=Prospect,
        prospect=change.prospect,
        from_stage=change.from_stage,
        to_stage=change.to_stage,
        changed_by=change.changed_by,
        stage_change=change,
    )


@transaction.atomic
def prospect_update(*, actor: Any, prospect: Prospect, **fields: Any) -> Prospect:
    """Change a prospect. The owner partner cannot change here. A change of ``stage``
    is recorded as a ``StageChange`` (and refused for ``lost`` without a reason) and sent
    as ``prospect_stage_changed`` once the transaction commits.

    ``prospect`` may already carry the new values (an admin form): the stored row is
    what the changes are measured against."""
    _require_editable(actor=actor, prospect=prospect)
    stored = Prospect.objects.select_for_update().get(pk=prospect.pk)
    for name, value in fields.items():
        setattr(prospect, name, value)
    if prospect.partner_id != stored.partner_id:
        raise ValidationError({"partner": _("A prospect's owner partner cannot change.")})
    prospect.full_clean()
    prospect.save()
    if prospect.stage != stored.stage:
        change = StageChange.objects.create(
            prospect=prospect,
            from_stage=stored.stage,
            to_stage=prospect.stage,
            changed_by=_user_or_none(actor),
        )
        _stage_recorded(change)
    return prospect


def prospect_change_stage(
    *, actor: Any, prospect: Prospect, stage: str, lost_reason: str = ""
) -> Prospect:
    """Move a prospect to ``stage``. Lost needs ``lost_reason``; leaving lost clears it."""
    if stage == Stage.LOST and not lost_reason.strip():
        raise ValidationError({"lost_reason": _("Say why the prospect was lost.")})
    return prospect_update(
        actor=actor,
        prospect=prospect,
        stage=Stage(stage),
        lost_reason=lost_reason if stage == Stage.LOST else "",
    )


@transaction.atomic
def prospect_share(
    *,
    actor: Any,
    prospect: Prospect,
    partner: Partner,
    access: str = ShareAccess.READ,
    reveal_identity: bool = True,
) -> ProspectShare:
    """Share a prospect with another partner's staff. Managers of the owner only."""
    _require(
        prospect_managed_by(user=actor).filter(pk=prospect.pk).exists(),
        _("Only the owner partner's managers may share a prospect."),
    )
    if partner.pk == prospect.partner_id:
        raise ValidationError({"partner": _("The prospect already belongs to this partner.")})
    existing = ProspectShare.objects.filter(
        prospect=prospect, partner=partner, revoked_at__isnull=True
    ).first()
    if existing is not None:
        existing.access = ShareAccess(access)
        existing.reveal_identity = reveal_identity
        existing.save(update_fields=["access", "reveal_identity"])
        return existing
    return ProspectShare.objects.create(
        prospect=prospect,
        partner=partner,
        access=ShareAccess(access),
        reveal_identity=reveal_identity,
        granted_by=_user_or_none(actor),
    )


@transaction.atomic
def share_revoke(*, actor: Any, share: ProspectShare) -> ProspectShare:
    """End a share now. Managers of the owner only; revoking twice changes nothing."""
    _require(
        prospect_managed_by(user=actor).filter(pk=share.prospect_id).exists(),
        _("Only the owner partner's managers may revoke a share."),
    )
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.revoked_by = _user_or_none(actor)
        share.save(update_fields=["revoked_at", "revoked_by"])
    return share


@transaction.atomic
def question_record(
    *,
    actor: Any,
    prospect: Prospect,
    text: str,
    language: str | None = None,
    asked_on: datetime.date | None = None,
) -> Question:
    """Record what a prospect asked and match it at once with ``answer_question``: the
    topic, the confidence and the facts that answer it are stored; a question no
    published fact answers needs a follow-up by the owner partner."""
    _require_editable(actor=actor, prospect=prospect)
    question = Question(
        prospect=prospect,
        text=text.strip(),
        language=language or prospect.language,
        asked_on=asked_on or timezone.localdate(),
    )
    question.full_clean()
    question.save()
    _question_match(question=question)
    return question


def _require_question_editable(*, actor: Any, question: Question) -> None:
    # Questions are shown only where the prospect's identity is (they may name the
    # company): changing one needs both the right to edit and the right to see it.
    _require(prospect_editable_identified_by(user=actor).filter(pk=question.prospect_id).exists())


def _question_match(*, question: Question) -> None:
    """Run the matcher on ``question`` and store its reading. Facts a person chose are
    kept, and so is the follow-up flag that goes with them."""
    from promotion.services.answers import answer_question

    prospect = Prospect.objects.select_related("partner").get(pk=question.prospect_id)
    region_id = prospect.partner.region_id
    try:
        answer = answer_question(
            region=prospect.partner.region, text=question.text, language=question.language
        )
    except Exception:
        # A failing matcher (a host's own, say) must not lose what the prospect asked:
        # the question is kept and handed to staff.
        logger.exception("Matching question %s failed", question.pk)
        topic_id, confidence, fact_ids, answered = None, None, [], False
    else:
        topic_id = answer.topic.pk if answer.topic is not None else None
        confidence = answer.confidence
        fact_ids = [fact.id for fact in answer.facts]
        answered = answer.answered
    question.topic_id = topic_id
    question.confidence = confidence
    question.matched_at = timezone.now()
    fields = ["topic", "confidence", "matched_at"]
    if question.facts_chosen_at is None:
        # The matcher's snapshot may lag the data by a moment: only facts still published
        # in the prospect's region are kept.
        facts = list(
            Fact.objects.filter(
                pk__in=fact_ids, region_id=region_id, status=FactStatus.PUBLISHED
            ).values_list("pk", flat=True)
        )
        order = {pk: index for index, pk in enumerate(fact_ids)}
        question.facts.set(sorted(facts, key=order.__getitem__))
        question.needs_follow_up = not (answered and facts)
        fields.append("needs_follow_up")
    question.save(update_fields=fields)


@transaction.atomic
def question_rematch(*, actor: Any, question: Question) -> Question:
    """Match ``question`` again, e.g. after staff taught the matcher a new alias. The
    topic and confidence are the matcher's new reading; facts a person chose (see
    ``question_choose_facts``) are kept, with their follow-up flag; otherwise the facts
    and the follow-up flag follow the new answer."""
    _require_question_editable(actor=actor, question=question)
    stored = Question.objects.select_for_update().get(pk=question.pk)
    _question_match(question=stored)
    _copy_question(stored, into=question)
    return question


@transaction.atomic
def question_choose_facts(
    *,
    actor: Any,
    question: Question,
    facts: Iterable[Fact],
    needs_follow_up: bool | None = None,
) -> Question:
    """Staff override the matcher: ``facts`` (possibly none) answer ``question``. Only
    published facts of the prospect's region may be chosen. The choice is recorded
    (who, when) and survives ``question_rematch``. ``needs_follow_up`` defaults to
    "no fact was chosen"."""
    _require_question_editable(actor=actor, question=question)
    chosen = list(dict.fromkeys(facts))
    region_id = (
        Prospect.objects.filter(pk=question.prospect_id)
        .values_list("partner__region_id", flat=True)
        .get()
    )
    if any(fact.region_id != region_id for fact in chosen):
        raise ValidationError(
            {"facts": _("These facts are not all facts of the prospect's region.")}
        )
    held = Fact.objects.filter(pk__in=[fact.pk for fact in chosen]).exclude(
        status=FactStatus.PUBLISHED
    )
    if held.exists():
        raise ValidationError(
            {
                "facts": _("Held facts cannot answer a question: %(keys)s.")
                % {"keys": ", ".join(held.values_list("key", flat=True))}
            }
        )
    stored = Question.objects.select_for_update().get(pk=question.pk)
    stored.facts.set(chosen)
    stored.facts_chosen_by = _user_or_none(actor)
    stored.facts_chosen_at = timezone.now()
    stored.needs_follow_up = (not chosen) if needs_follow_up is None else needs_follow_up
    stored.save(update_fields=["facts_chosen_by", "facts_chosen_at", "needs_follow_up"])
    _copy_question(stored, into=question)
    return question


QUESTION_UPDATABLE = frozenset({"text", "language", "asked_on", "needs_follow_up"})


@transaction.atomic
def question_update(*, actor: Any, question: Question, **fields: Any) -> Question:
    """Change a question's ``text``, ``language``, ``asked_on`` or ``needs_follow_up``.
    A new text or language is matched again (chosen facts are kept); a follow-up flag
    changed here at the same time wins over the new match.

    ``question`` may already carry the new values (an admin form): the stored row is
    what the changes are measured against."""
    unknown = set(fields) - QUESTION_UPDATABLE
    if unknown:
        raise TypeError(f"question_update() cannot change {sorted(unknown)}")
    _require_question_editable(actor=actor, question=question)
    stored = Question.objects.select_for_update().get(pk=question.pk)
    for name, value in fields.items():
        setattr(question, name, value)
    if question.prospect_id != stored.prospect_id:
        raise ValidationError({"prospect": _("A question's prospect cannot change.")})
    question.text = question.text.strip()
    question.full_clean()
    question.save(update_fields=sorted(QUESTION_UPDATABLE))
    if question.text != stored.text or question.language != stored.language:
        follow_up = question.needs_follow_up
        _question_match(question=question)
        if follow_up != stored.needs_follow_up and follow_up != question.needs_follow_up:
            question.needs_follow_up = follow_up
            question.save(update_fields=["needs_follow_up"])
    return question


def _copy_question(source: Question, *, into: Question) -> None:
    if into is source:
        return
    for model_field in Question._meta.concrete_fields:
        setattr(into, model_field.attname, getattr(source, model_field.attname))
    for cached in ("topic", "facts_chosen_by"):
        into._state.fields_cache.pop(cached, None)
    getattr(into, "_prefetched_objects_cache", {}).pop("facts", None)


def prospect_note_response(*, prospect: Prospect) -> None:
    """Set ``first_response_at`` from the first interaction, when not set yet."""
    if prospect.first_response_at is not None:
        return
    first = prospect.interactions.order_by("occurred_at").values_list("occurred_at", flat=True)
    first_at = first.first()
    if first_at is not None:
        Prospect.objects.filter(pk=prospect.pk, first_response_at__isnull=True).update(
            first_response_at=first_at
        )
        prospect.first_response_at = first_at


@transaction.atomic
def interaction_record(
    *,
    actor: Any,
    prospect: Prospect,
    kind: str,
    summary: str = "",
    occurred_at: datetime.datetime | None = None,
    contact: Any = None,
) -> Interaction:
    """Log a call, meeting, visit… The first one is the prospect's first response."""
    _require_editable(actor=actor, prospect=prospect)
    if contact is not None and contact.prospect_id != prospect.pk:
        raise ValidationError({"contact": _("This contact is not one of the prospect's.")})
    interaction = Interaction(
        prospect=prospect,
        kind=kind,
        summary=summary,
        contact=contact,
        occurred_at=occurred_at or timezone.now(),
        staff=_user_or_none(actor),
    )
    interaction.full_clean()
    interaction.save()
    prospect_note_response(prospect=prospect)
    return interaction


# --- Personal data: export and erasure of one contact ------------------------------------

ERASED_NAME = "Erased contact"
REDACTED = "[erased]"


def _require_contact_access(*, actor: Any, contact: Contact) -> None:
    """``actor=None`` is the system (a management command run by an operator)."""
    if actor is None:
        return
    _require(
        contact_visible_to(user=actor).filter(pk=contact.pk).exists()
        and prospect_editable_by(user=actor).filter(pk=contact.prospect_id).exists(),
        _("You may not handle this person's data."),
    )


def contact_export_data(*, actor: Any, contact: Contact) -> dict[str, Any]:
    """Everything the app holds about one person, as JSON-ready data: the contact, its
    past versions, and the interactions it took part in."""
    _require_contact_access(actor=actor, contact=contact)
    fields = ("name", "title", "email", "phone", "language", "notes")
    return {
        "contact": {
            "id": contact.pk,
            **{f: getattr(contact, f) for f in fields},
            "prospect": str(contact.prospect),
            "created_at": contact.created_at.isoformat(),
            "erased_at": contact.erased_at.isoformat() if contact.erased_at else None,
        },
        "history": [
            {
                "date": row.history_date.isoformat(),
                "type": row.history_type,
                **{f: getattr(row, f) for f in fields},
            }
            for row in contact.history.order_by("history_date")
        ],
        "interactions": [
            {"kind": i.kind, "occurred_at": i.occurred_at.isoformat(), "summary": i.summary}
            for i in contact.interactions.order_by("occurred_at")
        ],
    }


@dataclass
class ErasureReport:
    contact_id: int
    fields: list[str] = field(default_factory=list)
    history_rows: int = 0
    interactions_redacted: int = 0
    log_entries: int = 0

    def lines(self) -> list[str]:
        return [
            f"Contact {self.contact_id}: blanked {', '.join(self.fields) or 'nothing'} "
            f"(the name is now {ERASED_NAME!r}).",
            f"Past versions purged of personal fields: {self.history_rows}.",
            f"Interaction summaries where the name or e-mail was replaced by "
            f"{REDACTED!r}: {self.interactions_redacted}.",
            f"Admin log entries renamed: {self.log_entries}.",
        ]


@transaction.atomic
def contact_erase(*, actor: Any, contact: Contact) -> ErasureReport:
    """Erase one person's data on request, keeping the pipeline's history consistent:
    the contact row stays (interactions keep pointing at it) with its personal fields
    blanked; every past version of it is blanked too; the name and e-mail are replaced in
    the summaries of its prospect's interactions; the admin log shows the new name."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    _require_contact_access(actor=actor, contact=contact)
    report = ErasureReport(contact_id=contact.pk)
    old_name, old_email = contact.name, contact.email
    blanks = {name: (ERASED_NAME if name == "name" else "") for name in Contact.PERSONAL_FIELDS}
    report.fields = [name for name, blank in blanks.items() if getattr(contact, name) != blank]
    for name, blank in blanks.items():
        setattr(contact, name, blank)
    contact.erased_at = timezone.now()
    contact.save()
    report.history_rows = contact.history.update(**blanks)
    for interaction in Interaction.objects.filter(prospect_id=contact.prospect_id):
        summary = interaction.summary
        for secret in (old_name, old_email):
            if secret and secret != ERASED_NAME:
                summary = summary.replace(secret, REDACTED)
        if summary != interaction.summary:
            Interaction.objects.filter(pk=interaction.pk).update(summary=summary)
            report.interactions_redacted += 1
    report.log_entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Contact), object_id=str(contact.pk)
    ).update(object_repr=ERASED_NAME)
    return report


@transaction.atomic
def prospect_delete(*, actor: Any, prospect: Prospect) -> None:
    """Delete a prospect with its contacts, interactions and questions. Managers of the
    owner only."""
    _require(
        prospect_managed_by(user=actor).filter(pk=prospect.pk).exists(),
        _("Only the owner partner's managers may delete a prospect."),
    )
    prospect.delete()
