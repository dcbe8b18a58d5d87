"""Memory across decks: nothing a render builds outlives it, and the worker's pool
processes leave what they inherit to the garbage collector's permanent generation
(``promotion.worker.freeze_inherited_objects``)."""

from __future__ import annotations

import gc
from collections import Counter

import pytest
from celery.signals import worker_process_init

from promotion.models import DeckStatus
from promotion.services.decks import deck_render, deck_request
from promotion.worker import freeze_inherited_objects


def reportlab_objects() -> Counter[str]:
    """Live objects of reportlab's classes, by class, after a full collection."""
    gc.collect()
    found: Counter[str] = Counter()
    for o in gc.get_objects():
        module = type(o).__dict__.get("__module__")
        if isinstance(module, str) and module.startswith("reportlab."):
            found[f"{module}.{type(o).__qualname__}"] += 1
    return found


def registries() -> dict[str, int]:
    from reportlab.lib import fonts
    from reportlab.pdfbase import pdfmetrics

    return {
        "fonts": len(pdfmetrics._fonts),
        "typefaces": len(pdfmetrics._typefaces),
        "encodings": len(pdfmetrics._encodings),
        "font families": len(fonts._tt2ps_map),
    }


@pytest.mark.django_db
def test_renders_leave_no_reportlab_object_or_registry_entry(prospect, owner, shared_cache):
    def render(language: str) -> None:
        deck = deck_request(actor=owner, prospect=prospect, language=language, enqueue=False)
        deck = deck_render(deck_id=deck.pk, user_id=owner.pk)
        assert deck.status == DeckStatus.READY, deck.error

    for language in ("en", "es"):  # warm: fonts registered, region data kept
        render(language)
    objects, kept = reportlab_objects(), registries()
    for language in ("en", "es", "en", "es"):
        render(language)
    assert reportlab_objects() == objects  # documents, canvases, paragraphs: all collected
    assert registries() == kept


def test_a_new_pool_process_freezes_what_it_inherits():
    gc.unfreeze()
    freeze_inherited_objects()
    try:
        assert gc.get_freeze_count() == 0
        worker_process_init.send(sender=None)
        assert gc.get_freeze_count() > 1000  # the test process's modules, at least
    finally:
        gc.unfreeze()
        worker_process_init.disconnect(dispatch_uid="promotion_gc_freeze")
