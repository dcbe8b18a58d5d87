"""Openings that arrive at once, on PostgreSQL: none is lost, exactly one is the first."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from promotion import signals
from promotion.models import ShareLink
from promotion.services.sharing import share_link_create, share_link_open

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

OPENINGS = 8


def test_concurrent_openings_count_each_and_one_first(world):
    link, token = share_link_create(actor=world.a_manager, deck=world.deck_es)
    firsts: list[bool] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(OPENINGS)

    def receiver(sender, link, first, **kwargs):
        firsts.append(first)

    def open_once():
        try:
            barrier.wait()
            share_link_open(signed_token=token)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    signals.share_link_opened.connect(receiver)
    try:
        threads = [threading.Thread(target=open_once) for _ in range(OPENINGS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        signals.share_link_opened.disconnect(receiver)
    assert errors == []
    link = ShareLink.objects.get(pk=link.pk)
    assert link.open_count == OPENINGS
    assert sorted(firsts) == [False] * (OPENINGS - 1) + [True]
    assert link.first_opened_at <= link.last_opened_at
