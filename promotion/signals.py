"""Signals a host can listen to: the reference for their arguments.

Connect a receiver as to any Django signal, from the host's ``AppConfig.ready()``::

    from django.dispatch import receiver
    from promotion.signals import deck_ready

    @receiver(deck_ready, dispatch_uid="myhost_deck_ready")
    def announce_deck(sender, deck, **kwargs):
        ...

How they are sent:

- By the app's services, once the transaction that made the change has committed (at
  once when there is no transaction), never from ``save()``. A change that is rolled back
  sends nothing.
- With ``send_robust``: a receiver that raises cannot fail or undo the change (the deck
  stays rendered, the stage stays changed), and the other receivers still run. The failure
  is logged at ERROR on the ``promotion.signals`` logger with the receiver's name, the
  exception's class, the file and line it was raised at, and the ids of the objects sent.
  The exception's message and traceback are not logged, since they may quote a company,
  a codename, a contact or a figure. A receiver that needs them logs them itself.
- In the process that made the change: the Celery worker that rendered the deck (or the
  ``promotion_deck`` command), or the request, command or import that changed the stage.
  Slow work belongs in a task of the host's own.
- To the receivers connected when the change is made: connect them at start-up.
- Every receiver must accept ``**kwargs``: arguments may be added in later versions.

The objects sent carry confidential data (the company name, its contacts). A receiver that
passes them outside the site decides for itself what may leave it.

The signals and their keyword arguments:

``deck_ready``
    A pitch deck has been rendered and its PDF stored. Sent once per deck.

    - ``sender``: the ``PitchDeck`` class.
    - ``deck``: the ``PitchDeck``, with ``status`` "ready" and its ``file``.

``deck_failed``
    A pitch deck ended failed: the renderer raised (the worker's soft time limit
    included), the person who asked may no longer see the prospect, or the worker was lost
    while rendering it ``promotion.services.decks.MAX_ATTEMPTS`` times. Sent once per deck.
    (If two deliveries of one render race and one fails while the other succeeds, the deck
    ends ready and ``deck_ready`` follows.)

    - ``sender``: the ``PitchDeck`` class.
    - ``deck``: the ``PitchDeck``, with ``status`` "failed" and ``error`` saying why in
      words staff can act on.

``prospect_stage_changed``
    A prospect's stage was recorded: once for each ``StageChange`` row the CRM services
    write, i.e. when a prospect is created and each time its stage changes, whether
    through the admin (the change form, the "put on hold" action, reverting to a past
    version), the API, an import or a command. Writes that bypass the services
    (``loaddata``, a data set with prospect records, ``QuerySet.update()``) send nothing.

    - ``sender``: the ``Prospect`` class.
    - ``prospect``: the ``Prospect``, saved with its new stage.
    - ``from_stage``: the stage it left (a ``Stage`` value); ``""`` when it was created.
    - ``to_stage``: the stage it is now in (a ``Stage`` value).
    - ``changed_by``: the user who changed it, or ``None`` (a command, the system).
    - ``stage_change``: the ``StageChange`` row recorded for it.

``share_link_opened``
    A share link's page was opened (a GET of ``promotion:share-link`` that showed the
    deck; not a HEAD, not the download, not a link that no longer works). Sent once per
    opening by ``promotion.services.sharing.share_link_open``. Nothing about the visitor
    is sent, because nothing about the visitor is kept.

    - ``sender``: the ``ShareLink`` class.
    - ``link``: the ``ShareLink``, with ``open_count``, ``first_opened_at`` and
      ``last_opened_at`` counting this opening; ``link.deck`` is the deck shared.
    - ``first``: ``True`` the first time the link is opened, ``False`` afterwards
      (exactly one opening is the first, even when two arrive at once).
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from functools import partial
from typing import Any

from django.db import transaction
from django.dispatch import Signal

__all__ = [
    "PromotionSignal",
    "deck_failed",
    "deck_ready",
    "prospect_stage_changed",
    "send_on_commit",
    "share_link_opened",
]

logger = logging.getLogger(__name__)

# The ids of the objects being sent, for the log line of a receiver that fails.
_sending_ids: ContextVar[str] = ContextVar("promotion_signal_ids", default="")


class PromotionSignal(Signal):
    """A ``Signal`` whose ``send_robust`` logs a failing receiver without its message.

    Django logs the exception's message and attaches its traceback, whose frames hold the
    prospect (error trackers record frame variables). This logs names, ids and the place
    instead."""

    def __init__(self, name: str, *, doc: str) -> None:
        super().__init__()
        self.name = name
        self.__doc__ = doc

    def __repr__(self) -> str:
        return f"<PromotionSignal {self.name}>"

    def send_robust(self, sender: Any, **named: Any) -> list[tuple[Any, Any]]:
        token = _sending_ids.set(_ids(named))
        try:
            return super().send_robust(sender, **named)
        finally:
            _sending_ids.reset(token)

    def _log_robust_failure(self, receiver: Any, err: Exception) -> None:
        # Replaces Django's own line (logger django.dispatch), which quotes ``err`` and
        # attaches it. A private hook of Signal.send_robust: tests/test_signals.py fails if
        # Django stops calling it.
        logger.error(
            "Receiver %s of promotion signal %s failed with %s at %s (%s)",
            _receiver_name(receiver),
            self.name,
            type(err).__name__,
            _raised_at(err),
            _sending_ids.get() or "no ids",
        )


def _ids(named: dict[str, Any]) -> str:
    return " ".join(
        f"{key}={value.pk}"
        for key, value in named.items()
        if hasattr(value, "_meta") and getattr(value, "pk", None) is not None
    )


def _receiver_name(receiver: Any) -> str:
    qualname = getattr(receiver, "__qualname__", None) or type(receiver).__qualname__
    module = getattr(receiver, "__module__", None)
    return f"{module}.{qualname}" if module else qualname


def _raised_at(err: BaseException) -> str:
    tb = err.__traceback__
    if tb is None:
        return "an unknown place"
    while tb.tb_next is not None:
        tb = tb.tb_next
    return f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"


def send_on_commit(signal: Signal, *, sender: Any, **named: Any) -> None:
    """Send ``signal`` with ``send_robust`` once the current transaction commits (at once
    outside a transaction). Used by the services; a host listens, it does not send.

    With no receiver connected (the usual case) nothing is queued: receivers connect at
    start-up, so one connected after the change but before the commit is not called."""
    if signal.has_listeners(sender):
        transaction.on_commit(partial(signal.send_robust, sender, **named))


deck_ready = PromotionSignal(
    "deck_ready",
    doc="""A pitch deck has been rendered and its PDF stored. Sent once per deck, after
    commit.

    Arguments: ``sender``, the ``PitchDeck`` class; ``deck``, the ``PitchDeck``, with
    ``status`` "ready" and its ``file``.""",
)

deck_failed = PromotionSignal(
    "deck_failed",
    doc="""A pitch deck ended failed: the renderer raised (the worker's soft time limit
    included), the person who asked may no longer see the prospect, or the worker was lost
    ``MAX_ATTEMPTS`` times while rendering it. Sent once per deck, after commit.

    Arguments: ``sender``, the ``PitchDeck`` class; ``deck``, the ``PitchDeck``, with
    ``status`` "failed" and ``error`` saying why in words staff can act on.""",
)

prospect_stage_changed = PromotionSignal(
    "prospect_stage_changed",
    doc="""A prospect's stage was recorded: once for each ``StageChange`` row the CRM
    services write (on creation and on each change of stage), after commit.

    Arguments: ``sender``, the ``Prospect`` class; ``prospect``, the ``Prospect``, saved
    with its new stage; ``from_stage``, the stage it left (a ``Stage`` value), ``""`` when
    it was created; ``to_stage``, the stage it is now in; ``changed_by``, the user who
    changed it, or ``None``; ``stage_change``, the ``StageChange`` row recorded.""",
)

share_link_opened = PromotionSignal(
    "share_link_opened",
    doc="""A share link's page was opened (a GET that showed the deck; not a HEAD nor the
    download). Sent once per opening, after commit.

    Arguments: ``sender``, the ``ShareLink`` class; ``link``, the ``ShareLink``, its
    counts including this opening; ``first``, ``True`` the first time the link is opened,
    ``False`` afterwards.""",
)
