"""Pitch decks: request one (queued, rendered by a worker after commit) and render it.

``deck_render`` is what the Celery task and ``promotion_deck`` both run. It runs in
"system context" inside a worker, so it re-checks that the requester may still see the
prospect, and it is idempotent: a deck that is ready is never rendered again, and when a
redelivered task renders the same deck twice at once only the first result is kept.
"""

from __future__ import annotations

import hashlib
import logging
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Exists, OuterRef, Value
from django.utils import timezone

from promotion.conf import promotion_settings
from promotion.models import DeckStatus, Fact, Language, PitchDeck, Prospect
from promotion.selectors.crm import (
    prospect_deck_requestable_by,
    prospect_identified_for,
    prospect_visible_to,
)
from promotion.selectors.decks import fact_versions
from promotion.signals import deck_failed, deck_ready, send_on_commit

logger = logging.getLogger(__name__)

NOT_ALLOWED = "You may not see this prospect."
NOT_ALLOWED_TO_REQUEST = (
    "Only editors and managers of a partner that sees the prospect may request its decks."
)
# A deck whose render kills its worker every time ends failed after this many attempts
# instead of being redelivered for ever.
MAX_ATTEMPTS = 4
# Errors a retry may cure; anything else fails the deck with a message.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)

ERROR_NOT_VISIBLE = (
    "The person who asked for this deck may no longer see the prospect. "
    "Ask someone on the owning partner's staff to request it again."
)
ERROR_TOO_MANY_ATTEMPTS = (
    "The deck could not be built after %(n)s attempts (the worker stopped each time). "
    "Shorten unusually long texts of the prospect and its questions, then request it again."
)
ERROR_UNREACHABLE = (
    "The deck could not be built: the database could not be reached (%(kind)s), even after "
    "%(n)s tries over about 15 seconds. Request it again in a few minutes; if it keeps "
    "failing, report deck %(deck)s to the site's administrators."
)
ERROR_STORE = (
    "The deck was laid out but could not be saved to the deck storage (%(kind)s). Request "
    "it again; if it keeps failing, ask the site's administrators to check the storage "
    "named by PROMOTION['FILE_STORAGE'] and report deck %(deck)s."
)
ERROR_RENDER = (
    "The deck could not be laid out (%(kind)s). Check the prospect's and its questions' "
    "texts for unusually long passages, then request it again; if it keeps failing, "
    "report deck %(deck)s to the site's administrators."
)


def _visible(*, user: Any, prospect: Prospect) -> bool:
    return prospect_visible_to(user=user).filter(pk=prospect.pk).exists()


def deck_request(
    *, actor: Any, prospect: Prospect, language: str | None = None, enqueue: bool = True
) -> PitchDeck:
    """Queue a deck of ``prospect`` in ``language`` (its own language by default).

    Refused (``PermissionDenied``) when the actor may not see the prospect, or sees it as
    a viewer only (``prospect_deck_requestable_by``). While a deck of the same prospect
    and language is queued or rendering, that one is returned. The task is sent after the
    transaction commits.
    """
    language = language or prospect.language
    if language not in Language.values:
        raise ValidationError({"language": f"Use one of {', '.join(Language.values)}."})
    # Those who may request a deck see the prospect: one query when the request is
    # allowed, a second only to say why it is not.
    if (
        actor is not None
        and not prospect_deck_requestable_by(user=actor).filter(pk=prospect.pk).exists()
    ):
        if not _visible(user=actor, prospect=prospect):
            raise PermissionDenied(NOT_ALLOWED)
        raise PermissionDenied(NOT_ALLOWED_TO_REQUEST)
    with transaction.atomic():
        active = PitchDeck.objects.filter(
            prospect=prospect, language=language, status__in=PitchDeck.ACTIVE_STATUSES
        ).first()
        if active is not None:
            return active
        try:
            with transaction.atomic():
                deck = PitchDeck.objects.create(
                    prospect=prospect,
                    language=language,
                    requested_by=actor,
                    status=DeckStatus.QUEUED,
                )
        except IntegrityError:  # another request won the race: one active deck only
            return PitchDeck.objects.get(
                prospect=prospect, language=language, status__in=PitchDeck.ACTIVE_STATUSES
            )
        if enqueue:
            user_id = actor.pk if actor is not None else None
            transaction.on_commit(partial(_send_render, deck.pk, user_id))
    return deck


def _send_render(deck_id: int, user_id: Any) -> None:
    """Send the deck's task. A broker that cannot be reached leaves the deck queued, as
    committed, for ``deck_resend`` (``promotion_deck_resend``, the beat task) to send
    again: the request itself succeeded, and asking again returns the same deck."""
    from kombu.exceptions import OperationalError as BrokerError

    from promotion.tasks import deck_render_task

    try:
        deck_render_task.delay(deck_id, user_id)
    except BrokerError as exc:
        logger.warning(
            "Deck %s stays queued: the broker could not be reached (%s); "
            "promotion_deck_resend sends it again.",
            deck_id,
            type(exc).__name__,
        )


def _fail(deck_id: int, message: str) -> PitchDeck:
    with transaction.atomic():
        deck = PitchDeck.objects.select_for_update().get(pk=deck_id)
        if deck.status != DeckStatus.READY:
            newly_failed = deck.status != DeckStatus.FAILED  # a racing copy may have failed it
            deck.status = DeckStatus.FAILED
            deck.error = message[:500]
            deck.finished_at = timezone.now()
            deck.save(update_fields=["status", "error", "finished_at"])
            if newly_failed:
                send_on_commit(deck_failed, sender=PitchDeck, deck=deck)
    return deck


def deck_give_up(*, deck_id: int, error: BaseException, tries: int) -> PitchDeck:
    """End a deck failed after its task used up its retries on transient errors (the
    database was unreachable), instead of leaving it "rendering" for good."""
    logger.warning("Deck %s failed after %s tries: %s", deck_id, tries, type(error).__name__)
    message = ERROR_UNREACHABLE % {"kind": type(error).__name__, "n": tries, "deck": deck_id}
    return _fail(deck_id, message)


def deck_render(*, deck_id: int, user_id: Any = None, system: bool = False) -> PitchDeck:
    """Render the deck for the user who asked (``system=True``: a command run by the
    site's operator, who sees everything). Returns the deck, ready or failed; the deck that
    becomes so sends ``deck_ready`` or ``deck_failed`` (``promotion.signals``) on commit.

    ``user_id`` must be the deck's requester (``requested_by``): for anyone else the deck
    is returned untouched, neither rendered nor failed."""
    user = None
    with transaction.atomic():
        # The requester comes with the deck (only the deck's row is locked).
        deck = (
            PitchDeck.objects.select_for_update(of=("self",))
            .select_related("requested_by")
            .get(pk=deck_id)
        )
        if deck.status in (DeckStatus.READY, DeckStatus.FAILED):
            return deck
        if not system:
            if deck.requested_by_id is not None and str(deck.requested_by_id) == str(user_id):
                user = deck.requested_by
            else:  # not the requester, or the requester was deleted since
                user = (
                    get_user_model()._default_manager.filter(pk=user_id).first()
                    if user_id is not None
                    else None
                )
            if deck.requested_by_id != getattr(user, "pk", None):
                # A message naming someone other than the deck's requester (forged, or
                # mixed up) is not theirs to act on: it neither renders nor fails the
                # deck, which may be another partner's; the requester's own message does.
                logger.warning(
                    "Deck %s: the task names user %s, not its requester; deck left as it is.",
                    deck_id,
                    user_id,
                )
                return deck
        if deck.attempts >= MAX_ATTEMPTS:
            return _fail(deck_id, ERROR_TOO_MANY_ATTEMPTS % {"n": deck.attempts})
        prospect = _prospect_to_render(deck=deck, user=user, system=system)
        if prospect is None:
            # The requester may no longer see the prospect (a share revoked, a membership
            # ended), or was deleted since (``requested_by`` is then empty).
            return _fail(deck_id, ERROR_NOT_VISIBLE)
        deck.status = DeckStatus.RENDERING
        deck.started_at = timezone.now()
        deck.attempts += 1
        _commit_lazily()
        deck.save(update_fields=["status", "started_at", "attempts"])
    try:
        show_identity = system or prospect.identified
        renderer = promotion_settings.DECK_RENDERER()
        result = renderer.render(
            prospect=prospect, language=deck.language, show_identity=show_identity
        )
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:
        # reportlab's messages quote the text they choke on: log and store the kind only.
        logger.warning("Deck %s failed to render: %s", deck_id, type(exc).__name__)
        return _fail(deck_id, ERROR_RENDER % {"kind": type(exc).__name__, "deck": deck_id})
    try:
        return _finish(deck_id=deck_id, result=result, show_identity=show_identity)
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:  # the storage refused the file (disk full, S3 denied...)
        logger.warning("Deck %s could not be stored: %s", deck_id, type(exc).__name__)
        return _fail(deck_id, ERROR_STORE % {"kind": type(exc).__name__, "deck": deck_id})


def _prospect_to_render(*, deck: PitchDeck, user: Any, system: bool) -> Prospect | None:
    """The deck's prospect with its partner and region, if the requester may still see it
    (anyone may for ``system``), in one query: ``identified`` says whether they may see
    its company (``can_see_identity``; those who may, see it)."""
    if system:
        return (
            Prospect.objects.select_related("partner__region")
            .annotate(identified=Value(True))
            .get(pk=deck.prospect_id)
        )
    if user is None:
        return None
    identified = prospect_identified_for(user=user).filter(pk=OuterRef("pk"))
    return (
        prospect_visible_to(user=user)
        .select_related("partner__region")
        .filter(pk=deck.prospect_id)
        .annotate(identified=Exists(identified))
        .first()
    )


def _commit_lazily() -> None:
    """On PostgreSQL, let the current transaction's COMMIT return before its WAL reaches
    the disk (``synchronous_commit`` off for this transaction only; never inconsistent).
    For the move to "rendering" only: a database crash in the next fraction of a second
    would lose just that move, leaving the deck queued and its attempt uncounted, and the
    redelivered task renders it. It saves a disk flush per deck."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _finish(*, deck_id: int, result: Any, show_identity: bool) -> PitchDeck:
    """Store the file and mark the deck ready, unless a redelivered copy did first."""
    with transaction.atomic():
        deck = PitchDeck.objects.select_for_update().get(pk=deck_id)
        if deck.status == DeckStatus.READY:  # a redelivered copy finished first
            return deck
        filename = f"{deck.language}.pdf"
        leftover = deck.file.field.generate_filename(deck, filename)
        if deck.file.storage.exists(leftover):
            # An attempt killed after writing the file, before committing, left it: replace
            # it rather than keep an orphan beside a second name (we hold the row's lock).
            deck.file.storage.delete(leftover)
        deck.file.save(filename, ContentFile(result.pdf), save=False)
        deck.sha256 = hashlib.sha256(result.pdf).hexdigest()
        deck.page_count = result.page_count
        deck.sections = result.sections
        deck.facts_used = fact_versions(fact_ids=result.fact_ids)
        deck.identity_shown = show_identity
        deck.status = DeckStatus.READY
        deck.error = ""
        deck.finished_at = timezone.now()
        deck.save()
        # The deck has no facts yet (they are only added here, as it becomes ready): add,
        # which on PostgreSQL is one INSERT, where set() first reads the current ones.
        deck.facts.add(*result.fact_ids)
        send_on_commit(deck_ready, sender=PitchDeck, deck=deck)
    return deck


def deck_changed_facts(*, deck: PitchDeck) -> list[Fact]:
    """The facts the deck printed that changed (or were held back) since: a deck with
    any is stale. Compares the history id recorded at render time with the latest."""
    recorded = {int(pk): version for pk, version in (deck.facts_used or {}).items()}
    if not recorded:
        return []
    latest = fact_versions(fact_ids=list(recorded))
    changed = [pk for pk, version in recorded.items() if latest.get(str(pk)) != version]
    held = (
        Fact.objects.filter(pk__in=recorded)
        .exclude(status="published")
        .values_list("pk", flat=True)
    )
    return list(Fact.objects.filter(pk__in={*changed, *held}).order_by("key"))
