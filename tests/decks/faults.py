"""A deck renderer that misbehaves on request, for the real-worker tests (test_worker.py).

The worker those tests start names it in ``PROMOTION['DECK_RENDERER']``
(tests/decks/worker_settings.py). It draws what the default renderer draws, except when
the prospect's company name carries a marker (``tests.decks.worker``):

- ``SLOW_ONCE``: the first attempt writes the pool child's pid to ``<fault dir>/<prospect
  pk>.pid`` and sleeps ``SLOW_SECONDS`` first, so a test can kill the child, or the whole
  worker, mid-render; later attempts find the file and render at once.
- ``KILL_ALWAYS``: every attempt appends the child's pid to ``<fault dir>/<prospect
  pk>.killed`` and SIGKILLs its own process ``CRASH_AFTER_SECONDS`` later, as a render that
  crashes the interpreter or runs out of memory would.
- ``RUNAWAY``: every attempt writes the child's pid to ``<fault dir>/<prospect pk>.runaway``
  and then loops for ever, as a render stuck on a pathological text would; only the task's
  time limits end it.

``FaultyStorage`` (the workers' file storage) dies the same way right after it has written
a deck's file, before the deck's row is committed, once for each prospect the test has
marked with an empty ``<fault dir>/<prospect pk>.kill-after-save``.

Every render first notes ``<prospect pk> <pid>`` in ``<fault dir>/renders.log`` (each
attempt, so redeliveries can be counted) and sleeps ``PROMOTION_TEST_RENDER_DELAY``
seconds when that is set.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from django.core.files.storage import FileSystemStorage

from promotion.decks.renderer import DeckRenderer, RenderResult
from promotion.models import Prospect
from tests.decks.worker import (
    CRASH_AFTER_SECONDS,
    FAULT_DIR_ENV,
    KILL_AFTER_SAVE,
    KILL_ALWAYS,
    RENDER_DELAY_ENV,
    RENDERS_LOG,
    RUNAWAY,
    SLOW_ONCE,
    SLOW_SECONDS,
)


class FaultyRenderer(DeckRenderer):
    def render(self, *, prospect: Prospect, language: str, show_identity: bool) -> RenderResult:
        folder = Path(os.environ[FAULT_DIR_ENV])
        with (folder / RENDERS_LOG).open("a") as renders:  # one short append: atomic
            renders.write(f"{prospect.pk} {os.getpid()}\n")
        delay = float(os.environ.get(RENDER_DELAY_ENV) or 0)
        if delay:
            time.sleep(delay)
        if RUNAWAY in prospect.company_name:
            (folder / f"{prospect.pk}.runaway").write_text(str(os.getpid()))
            while True:  # only the soft (or hard) time limit ends this
                time.sleep(0.05)
        if KILL_ALWAYS in prospect.company_name:
            with (folder / f"{prospect.pk}.killed").open("a") as killed:
                killed.write(f"{os.getpid()}\n")
            # Crash a moment into the render, as a real one would: a child that dies before
            # the pool has seen it take the job is only noticed after a timeout (billiard).
            time.sleep(CRASH_AFTER_SECONDS)
            os.kill(os.getpid(), signal.SIGKILL)
        if SLOW_ONCE in prospect.company_name:
            marker = folder / f"{prospect.pk}.pid"
            if not marker.exists():
                partial = folder / f"{prospect.pk}.pid.partial"
                partial.write_text(str(os.getpid()))
                partial.replace(marker)  # the test never reads half a pid
                time.sleep(SLOW_SECONDS)
        return super().render(prospect=prospect, language=language, show_identity=show_identity)


class FaultyStorage(FileSystemStorage):
    def _save(self, name: str, content: object) -> str:
        saved = super()._save(name, content)
        parts = Path(name).parts  # promotion/decks/<prospect pk>/deck-<pk>-<lang>.pdf
        if len(parts) == 4 and parts[:2] == ("promotion", "decks"):
            marker = Path(os.environ[FAULT_DIR_ENV]) / f"{parts[2]}{KILL_AFTER_SAVE}"
            try:
                marker.unlink()  # once: the redelivered attempt goes through
            except FileNotFoundError:
                return saved
            os.kill(os.getpid(), signal.SIGKILL)
        return saved
