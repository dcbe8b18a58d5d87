"""The share-link services: who may create and revoke, what is stored, how openings are
counted, and the ``share_link_opened`` signal."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from promotion import signals
from promotion.models import DeckStatus, ShareLink
from promotion.services.sharing import (
    ShareLinkInvalid,
    share_link_create,
    share_link_open,
    share_link_path,
    share_link_resolve,
    share_link_revoke,
)
from tests.sharing.conftest import promotion_settings

pytestmark = pytest.mark.django_db


def test_a_manager_of_the_owner_creates_a_link_that_works_for_the_default_days(world):
    before = timezone.now()
    link, token = share_link_create(actor=world.a_manager, deck=world.deck_es)
    assert link.deck == world.deck_es and link.created_by == world.a_manager
    assert link.revoked_at is None and link.open_count == 0 and link.first_opened_at is None
    lifetime = link.expires_at - link.created_at
    assert lifetime == datetime.timedelta(days=30) and link.created_at >= before
    # The path sits under the host's prefix for promotion.urls, and carries the token.
    assert share_link_path(token) == reverse("promotion:share-link", args=[token])
    assert share_link_resolve(signed_token=token) == link


def test_only_a_hash_of_the_token_is_stored(world):
    link, token = share_link_create(actor=world.a_manager, deck=world.deck_es)
    raw = token.rsplit(":", 1)[0]
    assert link.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    row = ShareLink.objects.filter(pk=link.pk).values().get()
    assert not any(raw in str(value) or token in str(value) for value in row.values())


def test_each_link_has_its_own_token(world):
    tokens = {share_link_create(actor=world.a_manager, deck=world.deck_es)[1] for _ in range(3)}
    assert len(tokens) == 3


@pytest.mark.parametrize("role", ["a_viewer", "a_editor", "b_manager", "b_editor"])
def test_others_may_not_create_a_link(world, role):
    with pytest.raises(PermissionDenied):
        share_link_create(actor=getattr(world, role), deck=world.deck_es)
    # Not even the partner the prospect is shared with, whose staff see the deck.
    with pytest.raises(PermissionDenied):
        share_link_create(actor=getattr(world, role), deck=world.shared_deck)
    assert not ShareLink.objects.exists()


def test_a_deck_that_is_not_ready_cannot_be_shared(world):
    with pytest.raises(ValidationError):
        share_link_create(actor=world.a_manager, deck=world.queued_deck)
    world.deck_es.status = DeckStatus.FAILED
    world.deck_es.save()
    with pytest.raises(ValidationError):
        share_link_create(actor=world.a_manager, deck=world.deck_es)
    assert not ShareLink.objects.exists()


def test_the_lifetime_is_chosen_within_the_cap(world):
    link, _token = share_link_create(actor=world.a_manager, deck=world.deck_es, days=7)
    assert link.expires_at - link.created_at == datetime.timedelta(days=7)
    for days in (0, -1, 91):
        with pytest.raises(ValidationError):
            share_link_create(actor=world.a_manager, deck=world.deck_es, days=days)
    with promotion_settings(SHARE_LINK_DAYS=3, SHARE_LINK_MAX_DAYS=5):
        link, _token = share_link_create(actor=world.a_manager, deck=world.deck_es)
        assert link.expires_at - link.created_at == datetime.timedelta(days=3)
        with pytest.raises(ValidationError):
            share_link_create(actor=world.a_manager, deck=world.deck_es, days=6)


def test_share_link_settings_are_checked():
    from promotion.checks import check_settings

    with promotion_settings(SHARE_LINK_DAYS=100):
        assert [e.id for e in check_settings()] == ["promotion.E011"]
    with promotion_settings(SHARE_LINK_DAYS="30"):
        assert [e.id for e in check_settings()] == ["promotion.E011"]
    with promotion_settings(SHARE_LINK_MAX_DAYS=0):
        assert [e.id for e in check_settings()] == ["promotion.E011"]
    with promotion_settings(SHARE_LINK_DAYS=10, SHARE_LINK_MAX_DAYS=10):
        assert check_settings() == []


def test_revoking_is_for_managers_of_the_owner_and_ends_the_link(world):
    link, token = share_link_create(actor=world.a_manager, deck=world.deck_es)
    for role in ("a_viewer", "a_editor", "b_manager"):
        with pytest.raises(PermissionDenied):
            share_link_revoke(actor=getattr(world, role), link=link)
    share_link_resolve(signed_token=token)  # still works
    share_link_revoke(actor=world.a_manager, link=link)
    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by == world.a_manager
    revoked_at = link.revoked_at
    share_link_revoke(actor=world.a_manager, link=link)  # twice changes nothing
    link.refresh_from_db()
    assert link.revoked_at == revoked_at
    with pytest.raises(ShareLinkInvalid) as raised:
        share_link_open(signed_token=token)
    assert raised.value.gone is True


def test_opening_counts_first_last_and_times(world):
    link, token = share_link_create(actor=world.a_manager, deck=world.deck_es)
    opened = share_link_open(signed_token=token)
    assert opened.open_count == 1 and opened.first_opened_at == opened.last_opened_at
    first = opened.first_opened_at
    again = share_link_open(signed_token=token)
    assert again.open_count == 2 and again.first_opened_at == first
    assert again.last_opened_at >= first
    # Resolving (what the download does) records nothing.
    share_link_resolve(signed_token=token)
    link.refresh_from_db()
    assert link.open_count == 2


def test_expired_and_unready_links_are_gone_and_unknown_ones_are_not(world):
    link, token = share_link_create(actor=world.a_manager, deck=world.deck_es)
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(1))
    with pytest.raises(ShareLinkInvalid) as raised:
        share_link_open(signed_token=token)
    assert raised.value.gone is True
    link, token = share_link_create(actor=world.a_manager, deck=world.deck_es)
    world.deck_es.status = DeckStatus.FAILED
    world.deck_es.save()
    with pytest.raises(ShareLinkInvalid) as raised:
        share_link_resolve(signed_token=token)
    assert raised.value.gone is True
    for bad in ("", "nonsense", token[:-1] + ("A" if token[-1] != "A" else "B")):
        with pytest.raises(ShareLinkInvalid) as raised:
            share_link_resolve(signed_token=bad)
        assert raised.value.gone is False
    link.refresh_from_db()
    assert link.open_count == 0


def test_the_signal_is_sent_after_commit_with_the_documented_arguments(
    world, django_capture_on_commit_callbacks
):
    link, token = share_link_create(actor=world.a_manager, deck=world.deck_es)
    received = []

    def receiver(sender, **kwargs):
        received.append((sender, kwargs))

    signals.share_link_opened.connect(receiver)
    try:
        with django_capture_on_commit_callbacks() as callbacks:
            share_link_open(signed_token=token)
        assert received == []  # not before the commit
        for callback in callbacks:
            callback()
        with django_capture_on_commit_callbacks(execute=True):
            share_link_open(signed_token=token)
        # A link that no longer works sends nothing.
        share_link_revoke(actor=world.a_manager, link=link)
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(ShareLinkInvalid):
            share_link_open(signed_token=token)
    finally:
        signals.share_link_opened.disconnect(receiver)
    assert [sender for sender, _ in received] == [ShareLink, ShareLink]
    assert [set(kwargs) for _, kwargs in received] == [{"signal", "link", "first"}] * 2
    assert [kwargs["first"] for _, kwargs in received] == [True, False]
    assert received[0][1]["link"].pk == link.pk
    assert received[1][1]["link"].open_count == 2


def test_no_address_or_browser_is_stored_anywhere(world, client, tmp_path):
    link, token = share_link_create(actor=world.a_manager, deck=world.deck_es)
    url = share_link_path(token)
    response = client.get(url, REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="CanaryBrowser/9.9")
    assert response.status_code == 200
    download = reverse("promotion:share-link-download", args=[token])
    client.get(download, REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="CanaryBrowser/9.9")
    link.refresh_from_db()
    assert link.open_count == 1
    names = {field.name for field in ShareLink._meta.get_fields()}
    assert not {name for name in names if "ip" in name.split("_") or "agent" in name}
    # Nothing in the whole database holds the visitor's address or browser.
    out = tmp_path / "dump.json"
    call_command("dumpdata", output=str(out), verbosity=0)
    dump = out.read_text()
    assert "203.0.113.77" not in dump and "CanaryBrowser" not in dump
